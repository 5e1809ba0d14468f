package web

// Contracts, payments and history events in JSON (docs/interfaces.md §5.6: contract_no, kind, status,
// application_no, licensor_uscc, licensee_uscc, amount_due_yuan, notice_delivered_at, paid_at,
// effective_at, filing_no, content_sha256; a recorded payment answers {"id", …}).

import (
	"encoding/json"
	"time"

	"patentwall/market"
)

type apiContract struct {
	ContractNo        string          `json:"contract_no"`
	Kind              string          `json:"kind"`
	Status            string          `json:"status"`
	ApplicationNo     string          `json:"application_no"`
	Patents           []string        `json:"patents"`
	LicensorUSCC      string          `json:"licensor_uscc"`
	LicensorName      string          `json:"licensor_name"`
	LicenseeUSCC      string          `json:"licensee_uscc"`
	LicenseeName      string          `json:"licensee_name"`
	AmountDueYuan     json.Number     `json:"amount_due_yuan"`
	AmountDueFen      int64           `json:"amount_due_fen"`
	RecordedYuan      *json.Number    `json:"recorded_yuan,omitempty"`
	ConfirmedYuan     *json.Number    `json:"confirmed_yuan,omitempty"`
	OutstandingYuan   *json.Number    `json:"outstanding_yuan,omitempty"`
	SignedOn          string          `json:"signed_on"`
	NoticeDeliveredAt *time.Time      `json:"notice_delivered_at"`
	PaidAt            *time.Time      `json:"paid_at"`
	EffectiveAt       *time.Time      `json:"effective_at"`
	EffectiveOn       string          `json:"effective_on"`
	FilingNo          string          `json:"filing_no"`
	FiledOn           string          `json:"filed_on"`
	FilingDueOn       string          `json:"filing_due_on"`
	EndedAt           *time.Time      `json:"ended_at"`
	ContentSHA256     string          `json:"content_sha256"`
	Channel           *string         `json:"channel"`
	IntentID          *int64          `json:"intent_id"`
	Terms             json.RawMessage `json:"terms,omitempty"`
	URL               string          `json:"url"`
	Payments          []apiPayment    `json:"payments,omitempty"`
	Events            []apiEvent      `json:"events,omitempty"`
}

type apiPayment struct {
	ID          int64       `json:"id"`
	ContractNo  string      `json:"contract_no"`
	AmountYuan  json.Number `json:"amount_yuan"`
	AmountFen   int64       `json:"amount_fen"`
	PaidOn      string      `json:"paid_on"`
	Reference   string      `json:"reference"`
	RecordedAt  time.Time   `json:"recorded_at"`
	ConfirmedAt *time.Time  `json:"confirmed_at"`
	RejectedAt  *time.Time  `json:"rejected_at"`
	RejectNote  string      `json:"reject_note,omitempty"`
}

type apiEvent struct {
	Seq         int             `json:"seq"`
	Kind        string          `json:"kind"`
	At          time.Time       `json:"at"`
	ActorUserID *int64          `json:"actor_user_id"`
	ActorOrgID  *int64          `json:"actor_org_id"`
	Payload     json.RawMessage `json:"payload"`
	PrevHash    string          `json:"prev_hash"`
	Hash        string          `json:"hash"`
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// contractCore fills what the contract row itself holds.
func (a *App) contractCore(c *market.Contract) apiContract {
	out := apiContract{ContractNo: c.ContractNo, Kind: c.Kind, Status: c.Status, Patents: []string{},
		AmountDueYuan: yuanNumber(c.AmountDueFen), AmountDueFen: c.AmountDueFen, SignedOn: c.SignedOn.String(),
		NoticeDeliveredAt: utcPtr(c.NoticeDeliveredAt), PaidAt: utcPtr(c.PaidAt), EffectiveAt: utcPtr(c.EffectiveAt),
		EffectiveOn: c.EffectiveOn.String(), FilingNo: c.FilingNo, FiledOn: c.FiledOn.String(),
		FilingDueOn: market.FilingDueOn(c).String(), EndedAt: utcPtr(c.EndedAt), ContentSHA256: c.ContentSHA256,
		Channel: c.Channel, IntentID: c.IntentID, URL: a.BaseURL + market.ContractLink(c.ContractNo)}
	if c.TermsJSON != "" {
		out.Terms = json.RawMessage(c.TermsJSON)
	}
	return out
}

// contractFromTerms is a contract in JSON from its row alone: the parties and the patent come from its
// terms snapshot, so answering an acceptance costs no further query. ok is false without a snapshot.
func (a *App) contractFromTerms(c *market.Contract) (apiContract, bool) {
	t, err := c.Terms()
	if err != nil || t == nil {
		return apiContract{}, false
	}
	out := a.contractCore(c)
	out.ApplicationNo, out.Patents = t.Patent.ApplicationNo, []string{t.Patent.ApplicationNo}
	out.LicensorUSCC, out.LicensorName = t.Licensor.USCC, t.Licensor.Name
	out.LicenseeUSCC, out.LicenseeName = t.Licensee.USCC, t.Licensee.Name
	return out, true
}

// contractFull is a contract with its parties as they are now, payment sums, payments and history.
func (a *App) contractFull(v *market.ContractView, pays []market.Payment, evs []market.ContractEvent) apiContract {
	out := a.contractCore(&v.Contract)
	for _, p := range v.Patents {
		out.Patents = append(out.Patents, p.ApplicationNo)
	}
	out.ApplicationNo = v.ApplicationNo()
	out.LicensorUSCC, out.LicensorName = v.Licensor.USCC, v.Licensor.Name
	out.LicenseeUSCC, out.LicenseeName = v.Licensee.USCC, v.Licensee.Name
	rec, conf, outst := yuanNumber(v.RecordedFen), yuanNumber(v.ConfirmedFen), yuanNumber(v.OutstandingFen())
	out.RecordedYuan, out.ConfirmedYuan, out.OutstandingYuan = &rec, &conf, &outst
	out.Payments = make([]apiPayment, len(pays))
	for i := range pays {
		out.Payments[i] = toAPIPayment(v.ContractNo, &pays[i])
	}
	out.Events = make([]apiEvent, len(evs))
	for i, e := range evs {
		out.Events[i] = apiEvent{Seq: e.Seq, Kind: e.Kind, At: e.At.UTC(), ActorUserID: e.ActorUserID,
			ActorOrgID: e.ActorOrgID, Payload: json.RawMessage(e.Payload), PrevHash: e.PrevHash, Hash: e.Hash}
		if !json.Valid(out.Events[i].Payload) {
			out.Events[i].Payload = json.RawMessage("null")
		}
	}
	return out
}

func toAPIPayment(contractNo string, p *market.Payment) apiPayment {
	return apiPayment{ID: p.ID, ContractNo: contractNo, AmountYuan: yuanNumber(p.AmountFen), AmountFen: p.AmountFen,
		PaidOn: p.PaidOn.String(), Reference: p.Reference, RecordedAt: p.RecordedAt.UTC(),
		ConfirmedAt: utcPtr(p.ConfirmedAt), RejectedAt: utcPtr(p.RejectedAt), RejectNote: p.RejectNote}
}
