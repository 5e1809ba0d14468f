package web

// A contract's pages (its two parties and the bureau only: market refuses everyone else): the contract
// with its payments and history, the forms that move it on (payment, confirmation, filing, cancellation,
// termination), and the printable contract and written notice in Chinese.

import (
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
)

var (
	payFields    = []string{"amount_yuan", "paid_on", "reference", "idempotency_key"}
	filingFields = []string{"filing_no", "filed_on"}
	endFields    = []string{"reason"}
	rejectFields = []string{"note"}
)

// contractPage is everything the contract templates show.
type contractPage struct {
	V          *market.ContractView
	Terms      *market.ContractTerms
	Payments   []market.Payment
	Events     []eventRow
	IsLicensor bool
	IsLicensee bool
	Today      market.Date
	DaysLeft   int // to the filing deadline (negative: overdue)
}

// eventRow is one history event as the page shows it.
type eventRow struct {
	Seq     int
	Kind    string
	At      string
	Actor   string
	Details []kv
	Hash    string
}

type kv struct{ K, V string }

// TermsDecl is the declaration as the terms snapshot recorded it (nil without a snapshot).
func (p *contractPage) TermsDecl() *market.Declaration {
	if p.Terms == nil {
		return nil
	}
	d := p.Terms.Declaration
	return &market.Declaration{ID: d.ID, FeeModel: d.FeeModel, FeeFen: d.FeeFen, RoyaltyBP: d.RoyaltyBP,
		RoyaltyBase: d.RoyaltyBase, EntryFeeFen: d.EntryFeeFen, TermMonths: d.TermMonths, EvaluationReportNo: d.EvaluationReportNo}
}

// DeclPublished is when the accepted declaration was published, in Shanghai time.
func (p *contractPage) DeclPublished() string {
	if p.Terms == nil {
		return ""
	}
	t, err := time.Parse(time.RFC3339Nano, p.Terms.Declaration.PublishedAt)
	if err != nil {
		return p.Terms.Declaration.PublishedAt
	}
	return formatDateTime(t)
}

// FeeTextZH is the fee in the words of the written notice.
func (p *contractPage) FeeTextZH() string {
	if p.Terms == nil {
		return ""
	}
	d := p.Terms.Declaration
	return market.FeeText(d.FeeModel, d.FeeFen, d.RoyaltyBP, d.RoyaltyBase, d.EntryFeeFen)
}

func (a *App) loadContractPage(c *fiber.Ctx) (*contractPage, error) {
	ctx, act := c.UserContext(), ActorOf(c)
	no := utils.CopyString(c.Params("no"))
	v, err := a.Store.ContractByNo(ctx, act, no)
	if err != nil {
		return nil, err
	}
	pays, err := a.Store.Payments(ctx, act, no)
	if err != nil {
		return nil, err
	}
	evs, err := a.Store.ContractHistory(ctx, act, no)
	if err != nil {
		return nil, err
	}
	terms, err := v.Terms()
	if err != nil {
		return nil, err
	}
	today := market.DateOf(a.Store.Now())
	p := &contractPage{V: v, Terms: terms, Payments: pays, Today: today,
		IsLicensor: act.OrgID != 0 && act.OrgID == v.LicensorID, IsLicensee: act.OrgID != 0 && act.OrgID == v.LicenseeID}
	if !v.FilingDueOn.IsZero() {
		p.DaysLeft = market.DaysUntil(today, v.FilingDueOn)
	}
	lang := Lang(c)
	for _, e := range evs {
		r := eventRow{Seq: e.Seq, Kind: e.Kind, At: formatDateTime(e.At), Hash: e.Hash}
		switch {
		case e.ActorOrgID != nil && *e.ActorOrgID == v.LicensorID:
			r.Actor = v.Licensor.Name
		case e.ActorOrgID != nil && *e.ActorOrgID == v.LicenseeID:
			r.Actor = v.Licensee.Name
		default:
			r.Actor = tr(lang, "ctr.actor.platform")
		}
		var m map[string]any
		if json.Unmarshal([]byte(e.Payload), &m) == nil {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if k == "facts" { // the contract's facts after the step, for audit verify: the page shows them above
					continue
				}
				b, _ := json.Marshal(m[k])
				s := string(b)
				if str, ok := m[k].(string); ok {
					s = str
				}
				r.Details = append(r.Details, kv{K: k, V: s})
			}
		}
		p.Events = append(p.Events, r)
	}
	return p, nil
}

// contractView is GET /contracts/{no}.
func (a *App) contractView(c *fiber.Ctx) error {
	p, err := a.loadContractPage(c)
	if err != nil {
		return err
	}
	return a.renderContract(c, fiber.StatusOK, p, nil)
}

// renderContract shows the contract page; failed carries the form that failed ("pay", "filing", …).
func (a *App) renderContract(c *fiber.Ctx, status int, p *contractPage, failed map[string]*form) error {
	lang := Lang(c)
	forms := map[string]*form{"pay": newForm(lang, payFields...), "filing": newForm(lang, filingFields...),
		"end": newForm(lang, endFields...), "reject": newForm(lang, rejectFields...), "registration": newForm(lang, regFields...)}
	forms["registration"].Values["registered_on"] = p.Today.String()
	forms["pay"].Values["paid_on"] = p.Today.String()
	forms["pay"].Values["amount_yuan"] = market.Fen(p.V.OutstandingFen()).String()
	// A double click or a resent form records the payment once (a refused form keeps its key).
	forms["pay"].Values["idempotency_key"] = newIdempotencyKey()
	forms["filing"].Values["filed_on"] = p.Today.String()
	if p.V.FilingNo != "" {
		forms["filing"].Values["filing_no"] = p.V.FilingNo
		forms["filing"].Values["filed_on"] = p.V.FiledOn.String()
	}
	for k, f := range failed {
		forms[k] = f
	}
	data := pageData(c)
	data["C"] = p
	data["Forms"] = forms
	return a.Render(c, status, "account/contract", data)
}

// contractFormFailed re-renders the contract page after a refused form: refusals about who may act or
// which contract exists are error pages; everything else is shown on the form with its status.
func (a *App) contractFormFailed(c *fiber.Ctx, err error, name string, f *form) error {
	if !userError(err) {
		return err
	}
	status, _, _ := classifyFor(c, err)
	switch status {
	case fiber.StatusUnauthorized, fiber.StatusForbidden, fiber.StatusNotFound:
		return err
	}
	p, lerr := a.loadContractPage(c)
	if lerr != nil {
		return lerr
	}
	f.AddErr(err)
	return a.renderContract(c, status, p, map[string]*form{name: f})
}

func (a *App) backToContract(c *fiber.Ctx, no, done string) error {
	return c.Redirect(withDone("/contracts/"+no, done), fiber.StatusSeeOther)
}

// contractPay is POST /contracts/{no}/payments (the licensee).
func (a *App) contractPay(c *fiber.Ctx) error {
	no := utils.CopyString(c.Params("no"))
	f := parseForm(c, payFields...)
	var errs market.Errors
	fen, fe := parseAmount(f.Get("amount_yuan"))
	if fe != nil {
		errs = append(errs, fe)
	}
	day, fe := parseDay("paid_on", f.Get("paid_on"))
	if fe != nil {
		errs = append(errs, fe)
	}
	var err error
	if len(errs) > 0 {
		err = errs
	} else {
		_, _, err = a.Store.RecordPaymentOnce(c.UserContext(), ActorOf(c), no, f.Get("idempotency_key"), fen, day, f.Get("reference"))
	}
	if err != nil {
		return a.contractFormFailed(c, err, "pay", f)
	}
	return a.backToContract(c, no, "done.payment_recorded")
}

func paymentID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return 0, market.ErrNotFound
	}
	return id, nil
}

// contractConfirm is POST /contracts/{no}/payments/{id}/confirm (the licensor).
func (a *App) contractConfirm(c *fiber.Ctx) error {
	no := utils.CopyString(c.Params("no"))
	id, err := paymentID(c)
	if err != nil {
		return err
	}
	if _, err := a.Store.ConfirmPayment(c.UserContext(), ActorOf(c), no, id); err != nil {
		return a.contractFormFailed(c, err, "reject", newForm(Lang(c), rejectFields...))
	}
	return a.backToContract(c, no, "done.payment_confirmed")
}

// contractReject is POST /contracts/{no}/payments/{id}/reject (the licensor; a note is required).
func (a *App) contractReject(c *fiber.Ctx) error {
	no := utils.CopyString(c.Params("no"))
	id, err := paymentID(c)
	if err != nil {
		return err
	}
	f := parseForm(c, rejectFields...)
	if err := a.Store.RejectPayment(c.UserContext(), ActorOf(c), no, id, f.Get("note")); err != nil {
		return a.contractFormFailed(c, err, "reject", f)
	}
	return a.backToContract(c, no, "done.payment_rejected")
}

// contractFiling is POST /contracts/{no}/filing (either party).
func (a *App) contractFiling(c *fiber.Ctx) error {
	no := utils.CopyString(c.Params("no"))
	f := parseForm(c, filingFields...)
	day, fe := parseDay("filed_on", f.Get("filed_on"))
	var err error
	if fe != nil {
		err = fe
	} else {
		_, err = a.Store.RecordFiling(c.UserContext(), ActorOf(c), no, f.Get("filing_no"), day)
	}
	if err != nil {
		return a.contractFormFailed(c, err, "filing", f)
	}
	return a.backToContract(c, no, "done.filed")
}

// contractEnd is POST /contracts/{no}/cancel or /terminate (either party; a reason is required).
func (a *App) contractEnd(cancel bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		no := utils.CopyString(c.Params("no"))
		f := parseForm(c, endFields...)
		var err error
		done := "done.terminated"
		if cancel {
			_, err = a.Store.CancelContract(c.UserContext(), ActorOf(c), no, f.Get("reason"))
			done = "done.cancelled"
		} else {
			_, err = a.Store.TerminateContract(c.UserContext(), ActorOf(c), no, f.Get("reason"))
		}
		if err != nil {
			return a.contractFormFailed(c, err, "end", f)
		}
		return a.backToContract(c, no, done)
	}
}

// contractPrint is GET /contracts/{no}/print and /notice: the printable contract or written notice. The
// documents are legal texts in Chinese whatever the site's language.
func (a *App) contractPrint(page string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals("lang", LangZH)
		p, err := a.loadContractPage(c)
		if err != nil {
			return err
		}
		data := fiber.Map{"C": p}
		return a.Render(c, fiber.StatusOK, page, data, LayoutPrint)
	}
}
