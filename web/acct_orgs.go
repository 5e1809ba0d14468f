package web

// Verifying organisations (the bureau any; operators of a verified district office those of their
// district that are not operators: market.Actor.MayVerify) and the bureau's SME decisions: confirm or override the declared status, with a note saying why.

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
)

// orgsPage is GET /account/orgs: the organisations waiting for verification that the viewer may verify,
// oldest first.
func (a *App) orgsPage(c *fiber.Ctx) error {
	act := ActorOf(c)
	if q := c.Query("uscc"); q != "" {
		if canon, _, err := market.ValidateUSCC(q); err == nil {
			return c.Redirect("/account/orgs/"+canon, fiber.StatusSeeOther)
		}
	}
	orgs, err := a.Store.UnverifiedOrgs(c.UserContext(), act, 500)
	if err != nil {
		return err
	}
	data := pageData(c)
	data["Orgs"] = orgs
	data["IsBureau"] = act.IsBureau()
	return a.Render(c, fiber.StatusOK, "account/orgs", data)
}

// orgVerify is POST /account/orgs/{uscc}/verify.
func (a *App) orgVerify(c *fiber.Ctx) error {
	org, err := a.Store.VerifyOrg(c.UserContext(), ActorOf(c), utils.CopyString(c.Params("uscc")))
	if err != nil {
		return err
	}
	back := "/account/orgs"
	if c.FormValue("back") == "org" {
		back += "/" + org.USCC
	}
	return c.Redirect(withDone(back, "done.verified"), fiber.StatusSeeOther)
}

var smeFields = []string{"is_sme", "valid_from", "valid_to", "note"}

// orgPage is GET /account/orgs/{uscc}: an organisation's record, its declared SME figures and the
// bureau's decisions.
func (a *App) orgPage(c *fiber.Ctx) error {
	return a.renderOrg(c, fiber.StatusOK, nil)
}

func (a *App) renderOrg(c *fiber.Ctx, status int, f *form) error {
	ctx, act := c.UserContext(), ActorOf(c)
	if !act.CanVerifyOrgs() {
		return market.ErrForbidden
	}
	org, err := a.Store.OrgByUSCC(ctx, utils.CopyString(c.Params("uscc")))
	if err != nil {
		return err
	}
	data := pageData(c)
	data["O"] = org
	data["IsBureau"] = act.IsBureau()
	if data["MayVerify"], err = a.Store.CanVerifyOrg(ctx, act, org); err != nil {
		return err
	}
	if act.IsBureau() {
		ds, err := a.Store.SMEDecisions(ctx, act, org.ID)
		if err != nil {
			return err
		}
		data["Decisions"] = ds
		if data["History"], err = a.Store.OrgFactHistory(ctx, act, org.ID); err != nil {
			return err
		}
		data["Computed"] = org.SMEIndustry != "" && market.ComputeSME(org.SMEIndustry, org.SMEEmployees, org.SMERevenueFen, org.SMEAssetsFen)
		data["Industry"] = smeIndustryName(Lang(c), org.SMEIndustry)
	}
	if f == nil {
		f = newForm(Lang(c), smeFields...)
		if org.IsSME {
			f.Values["is_sme"] = "1"
		} else {
			f.Values["is_sme"] = "0"
		}
	}
	data["Form"] = f
	return a.Render(c, status, "account/org", data)
}

// orgSME is POST /account/orgs/{uscc}/sme (bureau).
func (a *App) orgSME(c *fiber.Ctx) error {
	act := ActorOf(c)
	f := parseForm(c, smeFields...)
	var days market.SMEDays
	for _, d := range []struct {
		field string
		to    *market.Date
	}{{"valid_from", &days.From}, {"valid_to", &days.To}} {
		if v := f.Get(d.field); v != "" {
			var fe *market.FieldError
			if *d.to, fe = market.ParseDateField(d.field, v); fe != nil {
				f.Add(fe)
			}
		}
	}
	if !f.Valid() {
		return a.renderOrg(c, fiber.StatusUnprocessableEntity, f)
	}
	org, err := a.Store.ConfirmSME(c.UserContext(), act, utils.CopyString(c.Params("uscc")), f.Get("is_sme") == "1", f.Get("note"), days)
	if err != nil {
		if isCode(err, market.CodeForbidden) || isCode(err, market.CodeNotFound) || !f.AddErr(err) {
			return err
		}
		return a.renderOrg(c, fiber.StatusUnprocessableEntity, f)
	}
	return c.Redirect(withDone("/account/orgs/"+org.USCC, "done.sme"), fiber.StatusSeeOther)
}

func smeIndustryName(lang, key string) string {
	for _, r := range market.SMEIndustries() {
		if r.Industry == key {
			if lang == LangEN {
				return r.NameEN
			}
			return r.NameZH
		}
	}
	return key
}
