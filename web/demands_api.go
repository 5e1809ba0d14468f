package web

// The API of the demand board, matches, saved searches and notifications (docs/interfaces.md §5.7). The
// rules are market's and search's; this file only translates.

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
	"patentwall/search"
)

// apiDemandJSON is a demand in the API.
type apiDemandJSON struct {
	ID             int64        `json:"id"`
	Status         string       `json:"status"`
	Title          string       `json:"title"`
	Description    string       `json:"description"`
	Industry       string       `json:"industry"`
	IPC            string       `json:"ipc"`
	BudgetMinYuan  *json.Number `json:"budget_min_yuan"`
	BudgetMaxYuan  *json.Number `json:"budget_max_yuan"`
	Deadline       *string      `json:"deadline"`
	Channel        string       `json:"channel"`
	OrgUSCC        string       `json:"org_uscc"`
	OrgName        string       `json:"org_name"`
	CreatedAt      time.Time    `json:"created_at"`
	ModerationNote string       `json:"moderation_note"`
	ContractNo     *string      `json:"contract_no"`
	URL            string       `json:"url"`
}

func (a *App) toAPIDemand(d *market.DemandView) apiDemandJSON {
	out := apiDemandJSON{ID: d.ID, Status: d.Status, Title: d.Title, Description: d.Description, Industry: d.Industry,
		IPC: d.IPC, Channel: d.Channel, OrgUSCC: d.OrgUSCC, OrgName: d.OrgName, CreatedAt: d.CreatedAt.UTC(),
		ModerationNote: d.ModerationNote, URL: a.BaseURL + "/demands/" + strconv.FormatInt(d.ID, 10)}
	if d.BudgetMaxFen > 0 {
		lo, hi := yuanNumber(d.BudgetMinFen), yuanNumber(d.BudgetMaxFen)
		out.BudgetMinYuan, out.BudgetMaxYuan = &lo, &hi
	}
	if !d.Deadline.IsZero() {
		s := d.Deadline.String()
		out.Deadline = &s
	}
	if d.ContractNo != "" {
		out.ContractNo = &d.ContractNo
	}
	return out
}

// demandID reads the :id parameter (anything else is a 404).
func demandID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, market.ErrNotFound
	}
	return id, nil
}

// sendDemand answers with the demand as the actor may see it now.
func (a *App) sendDemand(c *fiber.Ctx, status int, id int64) error {
	d, err := a.Store.DemandByID(c.UserContext(), ActorOf(c), id)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(a.toAPIDemand(d))
}

// apiDemandCreate is POST /api/v1/demands.
func (a *App) apiDemandCreate(c *fiber.Ctx) error {
	var in market.DemandInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	d, err := a.Store.PostDemand(c.UserContext(), ActorOf(c), in)
	if err != nil {
		return a.apiFail(c, err)
	}
	return a.sendDemand(c, fiber.StatusCreated, d.ID)
}

// apiDemandUpdate is PUT /api/v1/demands/{id}: its poster edits it; it goes back to moderation.
func (a *App) apiDemandUpdate(c *fiber.Ctx) error {
	id, err := demandID(c)
	if err != nil {
		return err
	}
	var in market.DemandInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if _, err := a.Store.EditDemand(c.UserContext(), ActorOf(c), id, in); err != nil {
		return a.apiFail(c, err)
	}
	return a.sendDemand(c, fiber.StatusOK, id)
}

// apiDemandModerate is POST /api/v1/demands/{id}/moderate {"decision","note"}.
func (a *App) apiDemandModerate(c *fiber.Ctx) error {
	id, err := demandID(c)
	if err != nil {
		return err
	}
	var in struct {
		Decision string `json:"decision"`
		Note     string `json:"note"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if _, err := a.Store.ModerateDemand(c.UserContext(), ActorOf(c), id, in.Decision, in.Note); err != nil {
		return a.apiFail(c, err)
	}
	return a.sendDemand(c, fiber.StatusOK, id)
}

// apiDemandClose is POST /api/v1/demands/{id}/close [{"contract_no"}].
func (a *App) apiDemandClose(c *fiber.Ctx) error {
	id, err := demandID(c)
	if err != nil {
		return err
	}
	var in struct {
		ContractNo string `json:"contract_no"`
	}
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	if _, err := a.Store.CloseDemand(c.UserContext(), ActorOf(c), id, in.ContractNo); err != nil {
		return a.apiFail(c, err)
	}
	return a.sendDemand(c, fiber.StatusOK, id)
}

// apiDemandGet is GET /api/v1/demands/{id}.
func (a *App) apiDemandGet(c *fiber.Ctx) error {
	id, err := demandID(c)
	if err != nil {
		return err
	}
	return a.sendDemand(c, fiber.StatusOK, id)
}

// demandFilter reads the board's filters (?q=&industry=&status=&channel=).
func demandFilter(c *fiber.Ctx) (market.DemandFilter, error) {
	f := market.DemandFilter{}
	var err error
	for _, p := range []struct {
		key string
		dst *string
	}{{"q", &f.Text}, {"industry", &f.Industry}, {"status", &f.Status}, {"channel", &f.Channel}} {
		if *p.dst, err = queryOne(c, p.key); err != nil {
			return f, err
		}
	}
	if f.Status != "" && !slices.Contains(market.PublicDemandStatuses, f.Status) {
		return f, badParam("status", "unknown_value", "状态应为 open、closed 或 fulfilled", "status must be open, closed or fulfilled")
	}
	if len([]rune(f.Text)) > search.MaxTextRunes {
		return f, badParam("q", "too_long", "检索词过长", "q is too long")
	}
	return f, nil
}

// apiDemands is GET /api/v1/demands?q=&industry=&status=&page=: the public board.
func (a *App) apiDemands(c *fiber.Ctx) error {
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
	out := make([]apiDemandJSON, len(ds))
	for i := range ds {
		out[i] = a.toAPIDemand(&ds[i])
	}
	return c.JSON(fiber.Map{"total": total, "page": page, "per_page": demandsPerPage, "demands": out})
}

// apiMatchJSON is one match in the API.
type apiMatchJSON struct {
	ApplicationNo string          `json:"application_no"`
	Title         string          `json:"title"`
	Score         float64         `json:"score"`
	Terms         []string        `json:"terms"`
	Highlight     string          `json:"highlight"`
	Reasons       []apiReasonJSON `json:"reasons"`
	URL           string          `json:"url"`
}

type apiReasonJSON struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

func reasonsJSON(lang string, rs []search.Reason) []apiReasonJSON {
	out := make([]apiReasonJSON, len(rs))
	for i, r := range rs {
		out[i] = apiReasonJSON{Code: r.Code, Text: r.Text(lang)}
	}
	return out
}

// demandMatches loads a demand the actor may see and its matches.
func (a *App) demandMatches(c *fiber.Ctx, id int64, limit int) (*market.DemandView, []search.Match, error) {
	d, err := a.Store.DemandByID(c.UserContext(), ActorOf(c), id)
	if err != nil {
		return nil, nil, err
	}
	ms, err := search.Matches(c.UserContext(), a.Index, a.Store, search.DemandOf(d), limit)
	return d, ms, a.orUnavailable(c.UserContext(), err)
}

// matchURL is the patent page as reached from a demand's match: the visit counts for the demand's
// channel (?via=demand:ID).
func matchURL(appNo string, demandID int64) string {
	return "/patents/" + appNo + "?via=demand:" + strconv.FormatInt(demandID, 10)
}

// apiDemandMatches is GET /api/v1/demands/{id}/matches?limit=.
func (a *App) apiDemandMatches(c *fiber.Ctx) error {
	id, err := demandID(c)
	if err != nil {
		return err
	}
	limit, err := intParam(c, "limit", 10, 1, 50)
	if err != nil {
		return err
	}
	_, ms, err := a.demandMatches(c, id, limit)
	if err != nil {
		return err
	}
	lang := Lang(c)
	out := make([]apiMatchJSON, len(ms))
	for i, m := range ms {
		out[i] = apiMatchJSON{ApplicationNo: m.ApplicationNo, Title: m.Title, Score: roundScore(m.Score), Terms: m.Terms,
			Highlight: m.HighlightedTitle(), Reasons: reasonsJSON(lang, m.Reasons), URL: a.BaseURL + matchURL(m.ApplicationNo, id)}
	}
	return c.JSON(fiber.Map{"matches": out})
}

func roundScore(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }

// patentDemands returns the open demands a patent of the actor's organisation matches (403 otherwise).
func (a *App) patentDemands(c *fiber.Ctx, pv *market.PatentView) ([]search.DemandMatch, error) {
	ctx := c.UserContext()
	rows, err := a.Store.IndexRows(ctx, []int64{pv.ID})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	ds, err := a.Store.OpenDemands(ctx)
	if err != nil {
		return nil, err
	}
	cand := search.CandidateOf(rows[0])
	return search.DemandsFor(&cand, ds), nil
}

// apiPatentDemands is GET /api/v1/patents/{no}/demands: for the patent's holder.
func (a *App) apiPatentDemands(c *fiber.Ctx) error {
	act := ActorOf(c)
	pv, err := a.Store.PatentByApplicationNo(c.UserContext(), utils.CopyString(c.Params("no")))
	if err != nil {
		return err
	}
	if act.OrgID == 0 || pv.PatenteeID != act.OrgID {
		return market.ErrForbidden
	}
	dms, err := a.patentDemands(c, pv)
	if err != nil {
		return err
	}
	lang := Lang(c)
	type item struct {
		apiDemandJSON
		Score   float64         `json:"score"`
		Reasons []apiReasonJSON `json:"reasons"`
	}
	out := make([]item, len(dms))
	for i, dm := range dms {
		out[i] = item{a.toAPIDemand(dm.Demand), roundScore(dm.Score), reasonsJSON(lang, dm.Reasons)}
	}
	return c.JSON(fiber.Map{"demands": out})
}

// savedQuery checks a saved search's query string (search.Query.Normalize) and returns its canonical form;
// a problem names the field "query", with the parameter in the message.
func savedQuery(raw string) (string, error) {
	q, err := search.ParseQueryString(raw)
	if err != nil {
		if es := market.AsFieldErrors(err); len(es) > 0 {
			return "", market.NewFieldError("query", es[0].Code, "检索条件有误："+es[0].MessageZH, "query: "+es[0].MessageEN)
		}
		return "", err
	}
	return search.QueryString(q), nil
}

// apiSavedSearchCreate is POST /api/v1/saved-searches {"name","query"}.
func (a *App) apiSavedSearchCreate(c *fiber.Ctx) error {
	var in struct {
		Name  string `json:"name"`
		Query string `json:"query"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	q, err := savedQuery(in.Query)
	if err != nil {
		return a.apiFail(c, err)
	}
	ss, err := a.Store.SaveSearch(c.UserContext(), ActorOf(c), in.Name, q)
	if err != nil {
		return a.apiFail(c, err)
	}
	return c.Status(fiber.StatusCreated).JSON(ss)
}

// apiSavedSearches is GET /api/v1/saved-searches.
func (a *App) apiSavedSearches(c *fiber.Ctx) error {
	ss, err := a.Store.SavedSearches(c.UserContext(), ActorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"saved_searches": ss})
}

// apiSavedSearchDelete is DELETE /api/v1/saved-searches/{id}.
func (a *App) apiSavedSearchDelete(c *fiber.Ctx) error {
	id, err := demandID(c)
	if err != nil {
		return err
	}
	if err := a.Store.DeleteSavedSearch(c.UserContext(), ActorOf(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type apiNotificationJSON struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	Link      string    `json:"link"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

// apiNotifications is GET /api/v1/notifications?unread=true.
func (a *App) apiNotifications(c *fiber.Ctx) error {
	unread, err := queryOne(c, "unread")
	if err != nil {
		return err
	}
	if unread != "" && unread != "true" && unread != "false" {
		return badParam("unread", "unknown_value", "unread 应为 true 或 false", "unread must be true or false")
	}
	act := ActorOf(c)
	ns, err := a.Store.Notifications(c.UserContext(), act, unread == "true", 200)
	if err != nil {
		return err
	}
	out := make([]apiNotificationJSON, len(ns))
	for i, n := range ns {
		out[i] = apiNotificationJSON{ID: n.ID, Kind: n.Kind, Subject: n.Subject, Body: n.Body, Link: n.Link,
			CreatedAt: n.CreatedAt.UTC(), Read: n.ReadAt != nil}
	}
	count, err := a.Store.UnreadCount(c.UserContext(), act)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"unread": count, "notifications": out})
}

// apiNotificationsRead is POST /api/v1/notifications/read {"ids": [...]} (no ids: all).
func (a *App) apiNotificationsRead(c *fiber.Ctx) error {
	var in struct {
		IDs []int64 `json:"ids"`
	}
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	act := ActorOf(c)
	if err := a.Store.MarkNotificationsRead(c.UserContext(), act, in.IDs); err != nil {
		return a.apiFail(c, err)
	}
	count, err := a.Store.UnreadCount(c.UserContext(), act)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"unread": count})
}
