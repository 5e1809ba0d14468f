package web

import (
	"github.com/gofiber/fiber/v2"

	"patentwall/market"
)

var registerFields = []string{
	"uscc", "name", "kind", "district", "address", "legal_rep", "phone", "email", "founded_on",
	market.FieldSMEIndustry, market.FieldSMEEmployees, market.FieldSMERevenueYuan, market.FieldSMEAssetsYuan, market.FieldSMEYear,
	market.FieldUserName, market.FieldUserEmail, market.FieldUserPassword, "accept_uscc_warning",
}

// registerPage is GET /register.
func (a *App) registerPage(c *fiber.Ctx) error {
	if authOf(c) != nil {
		return c.Redirect("/account", fiber.StatusSeeOther)
	}
	f := newForm(Lang(c), registerFields...)
	f.Values["kind"] = c.Query("kind")
	return a.renderRegister(c, fiber.StatusOK, f)
}

func (a *App) renderRegister(c *fiber.Ctx, status int, f *form) error {
	a.anonCSRF(c)
	lang := Lang(c)
	data := pageData(c)
	data["Form"] = f
	data["Kinds"] = registrableKinds(lang)
	data["Districts"] = districtOptions(lang)
	data["SMEIndustries"] = smeIndustryOptions(lang)
	data["MinPassword"] = market.MinPasswordLen
	return a.Render(c, status, "account/register", data)
}

// register is POST /register: the organisation (unverified) and its first user in one transaction, then
// the new user is logged in and sees what happens next.
func (a *App) register(c *fiber.Ctx) error {
	f := parseForm(c, registerFields...)
	in := market.RegisterInput{
		Org: market.OrgRecord{USCC: f.Get("uscc"), Name: f.Get("name"), Kind: f.Get("kind"), District: f.Get("district"),
			Address: f.Get("address"), LegalRep: f.Get("legal_rep"), Phone: f.Get("phone"), Email: f.Get("email"),
			FoundedOn: f.Get("founded_on")},
		SME: market.SMEFigures{Industry: f.Get(market.FieldSMEIndustry), Employees: market.Numeric(f.Get(market.FieldSMEEmployees)),
			RevenueYuan: market.Numeric(f.Get(market.FieldSMERevenueYuan)), AssetsYuan: market.Numeric(f.Get(market.FieldSMEAssetsYuan)),
			Year: market.Numeric(f.Get(market.FieldSMEYear))},
		User:              market.UserInput{Name: f.Get(market.FieldUserName), Email: f.Get(market.FieldUserEmail), Password: f.Values[market.FieldUserPassword]},
		AcceptUSCCWarning: f.Checked("accept_uscc_warning"),
	}
	err := a.registerAllowedFrom(c)
	var u *market.User
	if err == nil {
		_, u, err = a.Store.Register(c.UserContext(), in)
	}
	if err != nil {
		if !f.AddErr(err) {
			return err
		}
		f.Values[market.FieldUserPassword] = ""
		return a.renderRegister(c, formRefusedStatus(c, err), f)
	}
	tok, err := a.Store.CreateSession(c.UserContext(), u.ID)
	if err != nil {
		// The registration stands; the user can log in by hand.
		a.Log.Error("session after registration", "user", u.ID, "err", err)
		return c.Redirect(withDone("/login", "done.registered"), fiber.StatusSeeOther)
	}
	a.setSessionCookie(c, tok)
	return c.Redirect(withDone("/account", "done.registered"), fiber.StatusSeeOther)
}

// registrableKinds are the organisation kinds that register themselves (banks and the bureau are set up
// by staff).
func registrableKinds(lang string) []option {
	var out []option
	for _, k := range market.OrgKinds {
		if market.RoleForKind(k) != "" {
			out = append(out, option{Value: k, Label: label(lang, "kind.", k)})
		}
	}
	return out
}

func districtOptions(lang string) []option {
	out := []option{{Value: "", Label: tr(lang, "district.outside")}}
	for _, d := range market.Districts() {
		name := d.NameZH
		if lang == LangEN {
			name = d.NameEN
		}
		out = append(out, option{Value: d.Code, Label: name})
	}
	return out
}

func smeIndustryOptions(lang string) []option {
	out := []option{{Value: "", Label: tr(lang, "reg.sme.none")}}
	for _, r := range market.SMEIndustries() {
		name := r.NameZH
		if lang == LangEN {
			name = r.NameEN
		}
		out = append(out, option{Value: r.Industry, Label: name})
	}
	return out
}
