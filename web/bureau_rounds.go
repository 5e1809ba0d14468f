package web

// Setting up bonus rounds: the list, and one form to create or edit a round. The bonus engine decides
// what is valid; the form shows every one of its messages at its field, and when the window overlaps
// another round of the same rule it shows a checkbox to confirm the overlap explicitly.

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"patentwall/bonus"
	"patentwall/market"
)

var roundFields = []string{"id", "name", "rule", "window_from", "window_to", "basis", "unit_yuan", "cap_yuan",
	"recipient_cap_yuan", "requires_filing", "flag_related_party", "circular_days", "new_licensee_days", "burst_count",
	"burst_days", "reversal_days", "low_fee_percent", "flag_double_claim", "confirm_overlap"}

// roundFormField maps the engine's field names to the form's (amounts are typed in yuan).
var roundFormField = map[string]string{"unit_fen": "unit_yuan", "cap_fen": "cap_yuan", "recipient_cap_fen": "recipient_cap_yuan"}

// flagDayFields are the flag settings typed as whole numbers (0 switches the flag off).
var flagDayFields = []string{"circular_days", "new_licensee_days", "burst_count", "burst_days", "reversal_days", "low_fee_percent"}

// roundRow is a round in the list with its latest run.
type roundRow struct {
	bonus.Round
	Latest *bonus.RunInfo
	Runs   int
}

// roundsPage is GET /bureau/rounds.
func (b *bureau) roundsPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	rounds, err := bonus.ListRounds(ctx, b.a.Store)
	if err != nil {
		return err
	}
	rows := make([]roundRow, len(rounds))
	for i, r := range rounds {
		runs, err := bonus.Runs(ctx, b.a.Store, r.ID)
		if err != nil {
			return err
		}
		rows[i] = roundRow{Round: r, Runs: len(runs)}
		if len(runs) > 0 {
			rows[i].Latest = &runs[0]
		}
	}
	data := b.pageData(c, "/bureau/rounds")
	data["Rounds"] = rows
	return b.a.Render(c, fiber.StatusOK, "bureau/rounds", data)
}

// roundNewPage is GET /bureau/rounds/new: the form with the defaults of docs/rules.md §9.1, §9.7.
func (b *bureau) roundNewPage(c *fiber.Ctx) error {
	in := bonus.RoundInput{Rule: bonus.RuleLicensorOpenLicence, Basis: bonus.BasisEffective, RequiresFiling: true,
		Flags: bonus.DefaultFlags()}
	return b.renderRoundForm(c, fiber.StatusOK, roundFormOf(Lang(c), &in), nil, false)
}

// roundEditPage is GET /bureau/rounds/{id}/edit.
func (b *bureau) roundEditPage(c *fiber.Ctx) error {
	r, err := b.round(c)
	if err != nil {
		return err
	}
	in := r.Input()
	return b.renderRoundForm(c, fiber.StatusOK, roundFormOf(Lang(c), &in), r, false)
}

// roundCreate is POST /bureau/rounds.
func (b *bureau) roundCreate(c *fiber.Ctx) error {
	f := parseForm(c, roundFields...)
	in, local := roundInputOf(f)
	r, err := bonus.CreateRound(c.UserContext(), b.a.Store, ActorOf(c), in)
	if err != nil {
		return b.roundFailed(c, f, local, err, nil)
	}
	return c.Redirect(withDone("/bureau/rounds/"+r.ID, "done.round_created"), fiber.StatusSeeOther)
}

// roundUpdate is POST /bureau/rounds/{id}.
func (b *bureau) roundUpdate(c *fiber.Ctx) error {
	old, err := b.round(c)
	if err != nil {
		return err
	}
	f := parseForm(c, roundFields...)
	f.Values["id"] = old.ID // the ID is the round's name in runs and reviews: it never changes
	in, local := roundInputOf(f)
	r, err := bonus.UpdateRound(c.UserContext(), b.a.Store, ActorOf(c), in)
	if err != nil {
		return b.roundFailed(c, f, local, err, old)
	}
	return c.Redirect(withDone("/bureau/rounds/"+r.ID, "done.round_saved"), fiber.StatusSeeOther)
}

// roundFailed re-renders the form with the engine's messages (422), or passes other errors on. Fields
// the form could not even read keep the form's own message rather than the engine's.
func (b *bureau) roundFailed(c *fiber.Ctx, f *form, local market.Errors, err error, old *bonus.Round) error {
	es := market.AsFieldErrors(err)
	if es == nil || isCode(err, "forbidden") || isCode(err, "not_found") {
		return err
	}
	mine := map[string]bool{}
	for _, fe := range local {
		mine[fe.Field] = true
		f.Add(fe)
	}
	overlap := false
	for _, fe := range es {
		cp := *fe
		if n, ok := roundFormField[cp.Field]; ok {
			cp.Field = n
		}
		if mine[cp.Field] || (cp.Field == "window_to" && mine["window_from"] && cp.Code == "required") {
			continue
		}
		if cp.Code == "overlap" {
			overlap = true
		}
		f.Add(&cp)
	}
	return b.renderRoundForm(c, fiber.StatusUnprocessableEntity, f, old, overlap)
}

func (b *bureau) renderRoundForm(c *fiber.Ctx, status int, f *form, old *bonus.Round, askOverlap bool) error {
	data := b.pageData(c, "/bureau/rounds")
	data["Form"] = f
	data["Round"] = old
	data["Rules"] = bonus.Rules
	data["AskOverlap"] = askOverlap || f.Checked("confirm_overlap")
	return b.a.Render(c, status, "bureau/round_form", data)
}

// roundFormOf fills the form from a round's settings.
func roundFormOf(lang string, in *bonus.RoundInput) *form {
	f := newForm(lang, roundFields...)
	v := f.Values
	v["id"], v["name"], v["rule"], v["basis"] = in.ID, in.Name, in.Rule, in.Basis
	v["window_from"], v["window_to"] = in.From.String(), in.To.String()
	if in.UnitFen > 0 {
		v["unit_yuan"] = market.Fen(in.UnitFen).String()
	}
	if in.CapFen > 0 {
		v["cap_yuan"] = market.Fen(in.CapFen).String()
	}
	if in.RecipientCapFen != nil {
		v["recipient_cap_yuan"] = market.Fen(*in.RecipientCapFen).String()
	}
	check := func(name string, on bool) {
		if on {
			v[name] = "1"
		}
	}
	check("requires_filing", in.RequiresFiling)
	check("flag_related_party", in.Flags.RelatedParty)
	check("flag_double_claim", in.Flags.DoubleClaim)
	fl := in.Flags
	for name, n := range map[string]int{"circular_days": fl.CircularDays, "new_licensee_days": fl.NewLicenseeDays,
		"burst_count": fl.BurstCount, "burst_days": fl.BurstDays, "reversal_days": fl.ReversalDays, "low_fee_percent": fl.LowFeePercent} {
		v[name] = strconv.Itoa(n)
	}
	return f
}

// roundInputOf reads the posted form. A field that cannot be read at all (not a date, not an amount)
// gets its own message and a value the engine is sure to refuse, so the engine still reports every
// other problem of the round at once and never saves a half-read round.
func roundInputOf(f *form) (bonus.RoundInput, market.Errors) {
	var local market.Errors
	in := bonus.RoundInput{ID: f.Get("id"), Name: f.Get("name"), Rule: f.Get("rule"), Basis: f.Get("basis"),
		RequiresFiling: f.Checked("requires_filing"), ConfirmOverlap: f.Checked("confirm_overlap")}
	for _, d := range []struct {
		name string
		to   *market.Date
	}{{"window_from", &in.From}, {"window_to", &in.To}} {
		if s := f.Get(d.name); s != "" {
			p, fe := market.ParseDateField(d.name, s)
			if fe != nil {
				local = append(local, fe)
				continue // zero: the engine says the day is required
			}
			*d.to = p
		}
	}
	amount := func(name string) int64 {
		s := strings.TrimSpace(f.Get(name))
		if s == "" {
			return 0 // the engine explains that the amount must be more than zero
		}
		// A negative amount is refused by the engine with its own "more than zero" message.
		fen, fe := market.ParseSignedYuan(name, s)
		if fe != nil {
			local = append(local, fe)
			return 0
		}
		return int64(fen)
	}
	in.UnitFen = amount("unit_yuan")
	in.CapFen = amount("cap_yuan")
	if f.Get("recipient_cap_yuan") != "" {
		rc := amount("recipient_cap_yuan")
		in.RecipientCapFen = &rc
	}
	in.Flags.RelatedParty = f.Checked("flag_related_party")
	in.Flags.DoubleClaim = f.Checked("flag_double_claim")
	for _, name := range flagDayFields {
		n := 0
		if s := f.Get(name); s != "" {
			var err error
			if n, err = strconv.Atoi(s); err != nil {
				local = append(local, market.NewFieldError(name, "invalid_number", "请填写整数（0 表示关闭此项标记）",
					"enter a whole number (0 switches this flag off)"))
				n = -1 // refused by the engine
			}
		}
		switch name {
		case "circular_days":
			in.Flags.CircularDays = n
		case "new_licensee_days":
			in.Flags.NewLicenseeDays = n
		case "burst_count":
			in.Flags.BurstCount = n
		case "burst_days":
			in.Flags.BurstDays = n
		case "reversal_days":
			in.Flags.ReversalDays = n
		case "low_fee_percent":
			in.Flags.LowFeePercent = n
		}
	}
	return in, local
}
