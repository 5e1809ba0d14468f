package web

// The demand board's pages: the board with its filters, one demand with its matches and the steps its
// poster and its moderators may take, and the form to post or edit a demand (docs/rules.md §10).

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"patentwall/market"
	"patentwall/search"
)

const (
	demandsPerPage = 20
	demandMatches  = 10
)

var demandFields = []string{"title", "description", "industry", "ipc", "budget_min_yuan", "budget_max_yuan", "deadline", "channel"}

// demandsPage is the demand board: approved demands, newest first, with search and filters.
func (a *App) demandsPage(c *fiber.Ctx) error {
	f, err := demandFilter(c)
	if err != nil {
		return err
	}
	page, err := pageParam(c, 10_000)
	if err != nil {
		return err
	}
	ds, total, err := a.Store.DemandBoard(c.UserContext(), f, demandsPerPage, (page-1)*demandsPerPage)
	if err != nil {
		return err
	}
	v := url.Values{}
	for k, val := range map[string]string{"q": f.Text, "industry": f.Industry, "status": f.Status, "channel": f.Channel} {
		if val != "" {
			v.Set(k, val)
		}
	}
	at := func(n int) string {
		w := url.Values{}
		for k, vs := range v {
			w[k] = vs
		}
		if n > 1 {
			w.Set("page", strconv.Itoa(n))
		}
		if len(w) == 0 {
			return "/demands"
		}
		return "/demands?" + w.Encode()
	}
	lang := Lang(c)
	return a.Render(c, fiber.StatusOK, "demands", fiber.Map{
		"Demands": ds, "Total": total, "Pager": makePager(page, demandsPerPage, total, at),
		"Filter": f, "Filtered": len(v) > 0,
		"Industries": industryOptions(lang, f.Industry, true),
		"Statuses":   statusOptions(lang, f.Status),
	})
}

// industryOptions lists the key industries for a select (with "any" first when anyFirst).
func industryOptions(lang, selected string, anyFirst bool) []option {
	var out []option
	if anyFirst {
		out = append(out, option{Value: "", Label: tr(lang, "demands.any_industry")})
	}
	for _, ind := range market.Industries {
		out = append(out, option{Value: ind, Label: industryName(lang, ind), Selected: ind == selected})
	}
	return out
}

func statusOptions(lang, selected string) []option {
	out := []option{{Value: "", Label: tr(lang, "demands.any_status")}}
	for _, s := range market.PublicDemandStatuses {
		out = append(out, option{Value: s, Label: tr(lang, "demand."+s), Selected: s == selected})
	}
	return out
}

// matchView is a match as the demand page shows it.
type matchView struct {
	search.Match
	URL     string
	Reasons []apiReasonJSON
}

// demandPage is GET /demands/{id}: the demand, its matches, and the forms its poster and moderators use.
func (a *App) demandPage(c *fiber.Ctx) error {
	id, err := demandID(c)
	if err != nil {
		return err
	}
	return a.renderDemand(c, fiber.StatusOK, id, nil, nil)
}

// renderDemand draws the demand page; mf and cf carry a failed moderation or closing form.
func (a *App) renderDemand(c *fiber.Ctx, status int, id int64, mf, cf *form) error {
	ctx, act, lang := c.UserContext(), ActorOf(c), Lang(c)
	d, err := a.Store.DemandByID(ctx, act, id)
	if err != nil {
		return err
	}
	data := pageData(c)
	data["D"] = d
	if d.Status == market.DemandOpen {
		ms, err := search.Matches(ctx, a.Index, a.Store, search.DemandOf(d), demandMatches)
		if err != nil {
			return err
		}
		views := make([]matchView, len(ms))
		for i, m := range ms {
			views[i] = matchView{Match: m, URL: matchURL(m.ApplicationNo, d.ID), Reasons: reasonsJSON(lang, m.Reasons)}
		}
		data["Matches"] = views
	}
	own := act.OrgID != 0 && act.OrgID == d.OrgID
	data["Own"] = own
	data["CanEdit"] = own && d.Status != market.DemandClosed && d.Status != market.DemandFulfilled
	data["CanModerate"] = d.Status == market.DemandPending && a.Store.MayModerateDemand(ctx, act, &d.Demand)
	if mf == nil {
		mf = newForm(lang, "decision", "note")
	}
	if cf == nil {
		cf = newForm(lang, "contract_no")
	}
	data["ModForm"], data["CloseForm"] = mf, cf
	return a.Render(c, status, "demand", data)
}

// demandNewPage is GET /demands/new.
func (a *App) demandNewPage(c *fiber.Ctx) error {
	// Users of verified organisations post demands (docs/rules.md §10.6): the others get the refusal
	// posting would give them, not a form that cannot succeed.
	if act := ActorOf(c); act.OrgID == 0 {
		return market.ErrForbidden
	} else if !act.OrgVerified {
		return market.ErrOrgUnverified
	}
	return a.renderDemandForm(c, fiber.StatusOK, nil, newForm(Lang(c), demandFields...))
}

// renderDemandForm draws the posting form (d nil) or the edit form.
func (a *App) renderDemandForm(c *fiber.Ctx, status int, d *market.DemandView, f *form) error {
	lang := Lang(c)
	channels, err := a.Store.DemandChannels(c.UserContext())
	if err != nil {
		return err
	}
	chOpts := []option{{Value: "", Label: tr(lang, "demand.channel_none")}}
	for _, ch := range channels {
		chOpts = append(chOpts, option{Value: ch.Key, Label: ch.Name})
	}
	data := pageData(c)
	data["Form"], data["D"] = f, d
	data["Opts"] = fiber.Map{"Industries": append([]option{{Value: "", Label: tr(lang, "demand.choose_industry")}},
		industryOptions(lang, "", false)...), "Channels": chOpts}
	return a.Render(c, status, "demand_form", data)
}

func demandInput(f *form) market.DemandInput {
	return market.DemandInput{Title: f.Get("title"), Description: f.Values["description"], Industry: f.Get("industry"),
		IPC: f.Get("ipc"), BudgetMinYuan: market.Numeric(f.Get("budget_min_yuan")), BudgetMaxYuan: market.Numeric(f.Get("budget_max_yuan")),
		Deadline: f.Get("deadline"), Channel: f.Get("channel")}
}

// demandCreate is POST /demands.
func (a *App) demandCreate(c *fiber.Ctx) error {
	f := parseForm(c, demandFields...)
	d, err := a.Store.PostDemand(c.UserContext(), ActorOf(c), demandInput(f))
	if err != nil {
		// A refusal of the poster (forbidden, org_unverified) names no field: the error page, as on the API.
		if !f.AddErr(err) || len(f.Errors) == 0 {
			return err
		}
		return a.renderDemandForm(c, fiber.StatusUnprocessableEntity, nil, f)
	}
	return c.Redirect(withDone("/demands/"+strconv.FormatInt(d.ID, 10), "done.demand_posted"), fiber.StatusSeeOther)
}

// demandEditPage is GET /demands/{id}/edit: the poster's form, filled.
func (a *App) demandEditPage(c *fiber.Ctx) error {
	id, err := demandID(c)
	if err != nil {
		return err
	}
	act := ActorOf(c)
	d, err := a.Store.DemandByID(c.UserContext(), act, id)
	if err != nil {
		return err
	}
	if d.OrgID != act.OrgID {
		return market.ErrForbidden
	}
	f := newForm(Lang(c), demandFields...)
	f.Values = map[string]string{"title": d.Title, "description": d.Description, "industry": d.Industry, "ipc": d.IPC,
		"channel": d.Channel}
	if d.BudgetMaxFen > 0 {
		f.Values["budget_min_yuan"], f.Values["budget_max_yuan"] = market.Fen(d.BudgetMinFen).String(), market.Fen(d.BudgetMaxFen).String()
	}
	if !d.Deadline.IsZero() {
		f.Values["deadline"] = d.Deadline.String()
	}
	return a.renderDemandForm(c, fiber.StatusOK, d, f)
}

// demandUpdate is POST /demands/{id}: the poster's edit; the demand goes back to moderation.
func (a *App) demandUpdate(c *fiber.Ctx) error {
	id, err := demandID(c)
	if err != nil {
		return err
	}
	act := ActorOf(c)
	f := parseForm(c, demandFields...)
	if _, err := a.Store.EditDemand(c.UserContext(), act, id, demandInput(f)); err != nil {
		if !f.AddErr(err) || len(f.Errors) == 0 {
			return err
		}
		d, derr := a.Store.DemandByID(c.UserContext(), act, id)
		if derr != nil {
			return derr
		}
		return a.renderDemandForm(c, fiber.StatusUnprocessableEntity, d, f)
	}
	return c.Redirect(withDone("/demands/"+strconv.FormatInt(id, 10), "done.demand_edited"), fiber.StatusSeeOther)
}

// demandModerate is POST /demands/{id}/moderate (decision, note).
func (a *App) demandModerate(c *fiber.Ctx) error {
	id, err := demandID(c)
	if err != nil {
		return err
	}
	f := parseForm(c, "decision", "note")
	if _, err := a.Store.ModerateDemand(c.UserContext(), ActorOf(c), id, f.Get("decision"), f.Values["note"]); err != nil {
		if !f.AddErr(err) || len(f.Errors) == 0 {
			return err
		}
		return a.renderDemand(c, fiber.StatusUnprocessableEntity, id, f, nil)
	}
	next := "/operator/demands"
	if c.FormValue("back") == "demand" {
		next = "/demands/" + strconv.FormatInt(id, 10)
	}
	return c.Redirect(withDone(next, "done.demand_moderated"), fiber.StatusSeeOther)
}

// demandClose is POST /demands/{id}/close [contract_no].
func (a *App) demandClose(c *fiber.Ctx) error {
	id, err := demandID(c)
	if err != nil {
		return err
	}
	f := parseForm(c, "contract_no")
	if _, err := a.Store.CloseDemand(c.UserContext(), ActorOf(c), id, f.Get("contract_no")); err != nil {
		if !f.AddErr(err) || len(f.Errors) == 0 {
			return err
		}
		return a.renderDemand(c, fiber.StatusUnprocessableEntity, id, nil, f)
	}
	return c.Redirect(withDone("/demands/"+strconv.FormatInt(id, 10), "done.demand_closed"), fiber.StatusSeeOther)
}
