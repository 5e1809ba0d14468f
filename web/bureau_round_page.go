package web

// One round's page: its settings, its stored runs, the form to compute a new run and the form to
// compare two runs. Computing stores the run and shows it (POST-redirect-GET).

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"patentwall/bonus"
	"patentwall/market"
)

var computeFields = []string{"as_of", "freeze"}

// roundPage is GET /bureau/rounds/{id}.
func (b *bureau) roundPage(c *fiber.Ctx) error {
	f := newForm(Lang(c), computeFields...)
	f.Values["as_of"] = b.today().String()
	return b.renderRound(c, fiber.StatusOK, f)
}

func (b *bureau) renderRound(c *fiber.Ctx, status int, f *form) error {
	r, err := b.round(c)
	if err != nil {
		return err
	}
	runs, err := bonus.Runs(c.UserContext(), b.a.Store, r.ID)
	if err != nil {
		return err
	}
	data := b.pageData(c, "/bureau/rounds")
	data["Round"] = r
	data["Runs"] = runs
	data["Form"] = f
	data["FlagsText"] = flagSettingsText(Lang(c), r)
	return b.a.Render(c, status, "bureau/round", data)
}

// runCompute is POST /bureau/rounds/{id}/runs: compute and store a run, then show it.
func (b *bureau) runCompute(c *fiber.Ctx) error {
	f := parseForm(c, computeFields...)
	asOf := b.today()
	if s := f.Get("as_of"); s != "" {
		d, fe := market.ParseDateField("as_of", s)
		if fe != nil {
			f.Add(fe)
			return b.renderRound(c, fiber.StatusUnprocessableEntity, f)
		}
		asOf = d
	}
	info, _, err := bonus.Compute(c.UserContext(), b.a.Store, ActorOf(c), bParam(c, "id"), asOf, f.Checked("freeze"))
	if err != nil {
		if isCode(err, "forbidden") || isCode(err, "not_found") || !f.AddErr(err) {
			return err
		}
		return b.renderRound(c, fiber.StatusUnprocessableEntity, f)
	}
	return c.Redirect(withDone(runPath(info), "done.run_computed"), fiber.StatusSeeOther)
}

// runFreeze is POST /bureau/rounds/{id}/runs/{n}/freeze: mark the run final (what the bureau pays).
// Freezing cannot be undone, so the form asks for an explicit confirmation.
func (b *bureau) runFreeze(c *fiber.Ctx) error {
	f := parseForm(c, "confirm")
	if !f.Checked("confirm") {
		f.Add(market.NewFieldError("confirm", "required", "请勾选确认：冻结后本次计算结果即为发放依据，不能撤销",
			"tick the confirmation: a frozen run is what the bureau pays and cannot be unfrozen"))
		return b.renderRun(c, fiber.StatusUnprocessableEntity, f)
	}
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil {
		return market.ErrNotFound
	}
	if err := bonus.Freeze(c.UserContext(), b.a.Store, ActorOf(c), bParam(c, "id"), n); err != nil {
		return err
	}
	return c.Redirect(withDone("/bureau/rounds/"+bParam(c, "id")+"/runs/"+strconv.Itoa(n), "done.run_frozen"), fiber.StatusSeeOther)
}

func runPath(info *bonus.RunInfo) string {
	return "/bureau/rounds/" + info.RoundID + "/runs/" + strconv.Itoa(info.N)
}

// flagSettingsText describes the round's flag settings in a sentence each ("" entries are off).
func flagSettingsText(lang string, r *bonus.Round) []string {
	fl := r.Flags
	var out []string
	if fl.RelatedParty {
		out = append(out, tr(lang, "bflag.explain.related_party"))
	}
	if fl.CircularDays > 0 {
		out = append(out, tr(lang, "bflag.explain.circular", fl.CircularDays))
	}
	if fl.NewLicenseeDays > 0 {
		out = append(out, tr(lang, "bflag.explain.new_licensee", fl.NewLicenseeDays))
	}
	if fl.BurstCount > 0 {
		out = append(out, tr(lang, "bflag.explain.burst", fl.BurstDays, fl.BurstCount))
	}
	if fl.ReversalDays > 0 {
		out = append(out, tr(lang, "bflag.explain.reversal", fl.ReversalDays))
	}
	if fl.LowFeePercent > 0 {
		out = append(out, tr(lang, "bflag.explain.low_fee", fl.LowFeePercent))
	}
	if fl.DoubleClaim {
		out = append(out, tr(lang, "bflag.explain.double_claim"))
	}
	return out
}
