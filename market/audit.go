package market

// Facts and anchors: what makes the history cover the columns a bonus run or a party relies on, and
// what makes a deleted contract visible (docs/rules.md §7).
//
// Facts. The last event each step appends carries, in its payload under "facts", the contract's facts
// as they are after the step (ContractFacts: parties, patents, amounts, dates, filing, payments).
// Verification recomputes them from the current rows (contracts, contract_patents, payments) and
// compares them with the facts of the chain's last event; a difference is a broken link naming the
// column.
//
// Anchors. Every step that appends events also appends one row to audit_anchors, in the same
// transaction: (seq, contract, the seq and hash of the contract's new last event, digest) with
//
//	digest = hex(SHA-256(previous digest || contract_no || event hash))
//
// (the previous digest and the event hash as 64 hex characters; 64 zeros before the first anchor).
// The one-row table audit_head holds the last (seq, digest); updating it serialises the anchor appends
// (on Postgres the row lock is taken by the last statement before COMMIT). An anchored event covers
// its chain up to it, so the chain heads of all contracts are in one running digest: deleting a whole
// contract with its events leaves its anchors pointing at nothing, and deleting the anchors too breaks
// the digest, which an auditor can also keep outside the database (patentwall audit digest) and compare
// later (patentwall audit verify --expect).
//
// Chains written before anchors and facts existed carry no facts and no anchor; they verify under the
// old rule (hash links and status only) until their next event, which anchors the whole chain.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ContractFacts are the facts of a contract the history vouches for. Fields are in alphabetical order
// of their JSON names, so the payload stays an object with sorted keys. Dates are YYYY-MM-DD, instants
// RFC 3339 UTC to the microsecond, "" when unset.
type ContractFacts struct {
	AmountDueFen      int64          `json:"amount_due_fen"`
	ContentSHA256     string         `json:"content_sha256"`
	ContractNo        string         `json:"contract_no"`
	DeclarationID     *int64         `json:"declaration_id"`
	EffectiveAt       string         `json:"effective_at"`
	EffectiveOn       string         `json:"effective_on"`
	EndedAt           string         `json:"ended_at"`
	FeeFen            int64          `json:"fee_fen"`
	FiledOn           string         `json:"filed_on"`
	FilingNo          string         `json:"filing_no"`
	Kind              string         `json:"kind"`
	LicenseeID        int64          `json:"licensee_id"`
	LicensorID        int64          `json:"licensor_id"`
	NoticeDeliveredAt string         `json:"notice_delivered_at"`
	PaidAt            string         `json:"paid_at"`
	Patents           []int64        `json:"patents"` // patent IDs, ascending
	Payments          []PaymentFacts `json:"payments"`
	SignedOn          string         `json:"signed_on"`
	Source            string         `json:"source"`
	Status            string         `json:"status"`
}

// PaymentFacts are the facts of one payment, in the order recorded (by ID).
type PaymentFacts struct {
	AmountFen   int64  `json:"amount_fen"`
	ConfirmedAt string `json:"confirmed_at"`
	ID          int64  `json:"id"`
	PaidOn      string `json:"paid_on"`
	Reference   string `json:"reference"`
	RejectedAt  string `json:"rejected_at"`
}

func instantFact(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return formatInstant(*t)
}

// factsOf builds the facts of a contract from its row, patent IDs and payments.
func factsOf(c *Contract, patents []int64, payments []Payment) ContractFacts {
	f := ContractFacts{AmountDueFen: c.AmountDueFen, ContentSHA256: c.ContentSHA256, ContractNo: c.ContractNo,
		DeclarationID: c.DeclarationID, EffectiveAt: instantFact(c.EffectiveAt), EffectiveOn: c.EffectiveOn.String(),
		EndedAt: instantFact(c.EndedAt), FeeFen: c.FeeFen, FiledOn: c.FiledOn.String(), FilingNo: c.FilingNo,
		Kind: c.Kind, LicenseeID: c.LicenseeID, LicensorID: c.LicensorID,
		NoticeDeliveredAt: instantFact(c.NoticeDeliveredAt), PaidAt: instantFact(c.PaidAt),
		Patents: append([]int64{}, patents...), Payments: make([]PaymentFacts, 0, len(payments)),
		SignedOn: c.SignedOn.String(), Source: c.Source, Status: c.Status}
	sort.Slice(f.Patents, func(i, j int) bool { return f.Patents[i] < f.Patents[j] })
	ps := append([]Payment{}, payments...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
	for _, p := range ps {
		f.Payments = append(f.Payments, PaymentFacts{AmountFen: p.AmountFen, ConfirmedAt: instantFact(p.ConfirmedAt),
			ID: p.ID, PaidOn: p.PaidOn.String(), Reference: p.Reference, RejectedAt: instantFact(p.RejectedAt)})
	}
	return f
}

// loadFacts reads a contract's facts as the transaction sees them.
func loadFacts(tx *gorm.DB, contractID int64) (ContractFacts, error) {
	var c Contract
	if err := tx.Where("id = ?", contractID).Limit(1).Find(&c).Error; err != nil {
		return ContractFacts{}, fmt.Errorf("market: facts of contract %d: %w", contractID, err)
	}
	var patents []int64
	if err := tx.Model(&ContractPatent{}).Where("contract_id = ?", contractID).Pluck("patent_id", &patents).Error; err != nil {
		return ContractFacts{}, fmt.Errorf("market: facts of contract %d: %w", contractID, err)
	}
	var ps []Payment
	if err := tx.Where("contract_id = ?", contractID).Find(&ps).Error; err != nil {
		return ContractFacts{}, fmt.Errorf("market: facts of contract %d: %w", contractID, err)
	}
	return factsOf(&c, patents, ps), nil
}

// diffFacts names the first fact that differs ("" when none), with the expected and found values.
func diffFacts(want, got ContractFacts) (name, expected, found string) {
	wm, gm := factMap(want), factMap(got)
	keys := make([]string, 0, len(wm))
	for k := range wm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "payments" || bytes.Equal(wm[k], gm[k]) {
			continue
		}
		return k, k + "=" + string(wm[k]), k + "=" + string(gm[k])
	}
	for i := 0; i < max(len(want.Payments), len(got.Payments)); i++ {
		switch {
		case i >= len(got.Payments):
			return "payments", fmt.Sprintf("payment %d", want.Payments[i].ID), "no such payment"
		case i >= len(want.Payments):
			return "payments", "no such payment", fmt.Sprintf("payment %d", got.Payments[i].ID)
		}
		wp, gp := factMap(want.Payments[i]), factMap(got.Payments[i])
		pk := make([]string, 0, len(wp))
		for k := range wp {
			pk = append(pk, k)
		}
		sort.Strings(pk)
		for _, k := range pk {
			if !bytes.Equal(wp[k], gp[k]) {
				col := "payments." + k
				at := fmt.Sprintf(" (payment %d)", want.Payments[i].ID)
				return col, col + "=" + string(wp[k]) + at, col + "=" + string(gp[k]) + at
			}
		}
	}
	return "", "", ""
}

func factMap(v any) map[string]json.RawMessage {
	b, _ := json.Marshal(v)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	return m
}

// withFacts returns specs with the facts added to the last one's payload (a copy: callers' maps stay).
func withFacts(specs []eventSpec, f ContractFacts) []eventSpec {
	if len(specs) == 0 {
		return specs
	}
	out := append([]eventSpec{}, specs...)
	last := &out[len(out)-1]
	p := make(map[string]any, len(last.Payload)+1)
	for k, v := range last.Payload {
		p[k] = v
	}
	p["facts"] = f
	last.Payload = p
	return out
}

// AuditAnchor is one append to the running digest over all contracts' chain heads.
type AuditAnchor struct {
	Seq        int64  `gorm:"column:seq;primaryKey;autoIncrement:false"`
	ContractID int64  `gorm:"column:contract_id"`
	ContractNo string `gorm:"column:contract_no"`
	EventSeq   int    `gorm:"column:event_seq"`
	EventHash  string `gorm:"column:event_hash"`
	Digest     string `gorm:"column:digest"`
}

func (AuditAnchor) TableName() string { return "audit_anchors" }

// auditHead is the single row holding the last anchor's seq and digest.
type auditHead struct {
	ID     int    `gorm:"column:id;primaryKey"`
	Seq    int64  `gorm:"column:seq"`
	Digest string `gorm:"column:digest"`
}

func (auditHead) TableName() string { return "audit_head" }

// AnchorDigest is the running digest after an anchor: hex(SHA-256(prev || contract_no || event hash)).
func AnchorDigest(prev, contractNo, eventHash string) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte(contractNo))
	h.Write([]byte(eventHash))
	return hex.EncodeToString(h.Sum(nil))
}

// auditPending is a chain head waiting for the anchorer.
type auditPending struct {
	ID         int64  `gorm:"column:id;primaryKey"`
	ContractID int64  `gorm:"column:contract_id"`
	ContractNo string `gorm:"column:contract_no"`
}

func (auditPending) TableName() string { return "audit_pending" }

// markPending records, inside the step's transaction, that a contract's chain has a new head to anchor.
// It is a plain insert: concurrent steps do not wait for each other here (AnchorPending does the
// serialised part, in batches, outside the signing transactions).
func markPending(tx *gorm.DB, contractID int64, contractNo string) error {
	if err := tx.Create(&auditPending{ContractID: contractID, ContractNo: contractNo}).Error; err != nil {
		return fmt.Errorf("market: mark history of contract %d for anchoring: %w", contractID, err)
	}
	return nil
}

// anchorBatch is how many pending heads one anchoring transaction takes.
const anchorBatch = 1000

// AnchorPending anchors every pending chain head and returns how many anchors it appended. Each batch is
// one transaction: it locks audit_head (so anchorers in several processes take turns), reads up to
// anchorBatch pending rows, anchors each named contract's last event unless that event is anchored
// already, and deletes the rows it took. A pending contract with no events left (its history was
// deleted before it was anchored) gets an anchor of event 0, which verification reports against the
// contract, so the deletion still shows. Serving processes call it about once a second; the audit
// commands call it before they read the digest.
func (s *Store) AnchorPending(ctx context.Context) (int, error) {
	total := 0
	for {
		n, more, err := s.anchorOnce(ctx)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

func (s *Store) anchorOnce(ctx context.Context) (anchored int, more bool, err error) {
	err = s.Tx(ctx, func(tx *gorm.DB) error {
		anchored, more = 0, false
		var h auditHead
		q := tx.Where("id = 1").Limit(1)
		if s.IsPostgres() {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Find(&h).Error; err != nil {
			return err
		}
		if h.ID == 0 {
			return errors.New("audit_head has no row")
		}
		var pend []auditPending
		if err := tx.Order("id").Limit(anchorBatch).Find(&pend).Error; err != nil {
			return err
		}
		if len(pend) == 0 {
			return nil
		}
		more = len(pend) == anchorBatch
		ids := make([]int64, 0, len(pend))
		var contracts []int64
		noOf := map[int64]string{}
		for _, p := range pend {
			ids = append(ids, p.ID)
			if _, ok := noOf[p.ContractID]; !ok {
				contracts = append(contracts, p.ContractID)
				noOf[p.ContractID] = p.ContractNo
			}
		}
		var heads []struct {
			ContractID int64
			Seq        int
			Hash       string
		}
		if err := tx.Raw(`SELECT e.contract_id, e.seq, e.hash FROM contract_events e
JOIN (SELECT contract_id, MAX(seq) AS seq FROM contract_events WHERE contract_id IN ? GROUP BY contract_id) m
  ON m.contract_id = e.contract_id AND m.seq = e.seq`, contracts).Scan(&heads).Error; err != nil {
			return err
		}
		var done []struct {
			ContractID int64
			Seq        int
		}
		if err := tx.Raw(`SELECT contract_id, MAX(event_seq) AS seq FROM audit_anchors WHERE contract_id IN ?
GROUP BY contract_id`, contracts).Scan(&done).Error; err != nil {
			return err
		}
		headOf := make(map[int64]ContractEvent, len(heads))
		for _, e := range heads {
			headOf[e.ContractID] = ContractEvent{Seq: e.Seq, Hash: e.Hash}
		}
		anchoredTo := make(map[int64]int, len(done))
		for _, d := range done {
			anchoredTo[d.ContractID] = d.Seq
		}
		rows := make([]AuditAnchor, 0, len(contracts))
		seq, digest := h.Seq, h.Digest
		for _, id := range contracts {
			e, ok := headOf[id]
			if !ok {
				e = ContractEvent{Seq: 0, Hash: GenesisHash} // the history is gone: verification reports it
			} else if a, seen := anchoredTo[id]; seen && a >= e.Seq {
				continue
			}
			seq++
			digest = AnchorDigest(digest, noOf[id], e.Hash)
			rows = append(rows, AuditAnchor{Seq: seq, ContractID: id, ContractNo: noOf[id], EventSeq: e.Seq,
				EventHash: e.Hash, Digest: digest})
		}
		if len(rows) > 0 {
			if err := tx.CreateInBatches(rows, InsertBatch(tx, 6)).Error; err != nil {
				return err
			}
			if err := tx.Model(&auditHead{}).Where("id = 1").Updates(map[string]any{"seq": seq, "digest": digest}).Error; err != nil {
				return err
			}
		}
		if err := tx.Where("id IN ?", ids).Delete(&auditPending{}).Error; err != nil {
			return err
		}
		anchored = len(rows)
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("market: anchor pending histories: %w", err)
	}
	return anchored, more, nil
}
