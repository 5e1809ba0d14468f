package market

// What happens to a contract after it forms (docs/rules.md §7): the licensee records payments and the
// licensor confirms them (the full up-front amount confirmed makes a paid licence effective). The filing
// is in filings.go, cancelling and terminating in contract_end.go. Each step locks the contract row,
// changes it and appends its history event in one transaction.

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Payment is one payment a licensee recorded against a contract.
type Payment struct {
	ID          int64      `gorm:"column:id;primaryKey"`
	ContractID  int64      `gorm:"column:contract_id"`
	AmountFen   int64      `gorm:"column:amount_fen"`
	PaidOn      Date       `gorm:"column:paid_on"`
	Reference   string     `gorm:"column:reference"` // bank transfer reference or similar
	RecordedBy  int64      `gorm:"column:recorded_by"`
	RecordedAt  time.Time  `gorm:"column:recorded_at"`
	ConfirmedAt *time.Time `gorm:"column:confirmed_at"`
	ConfirmedBy *int64     `gorm:"column:confirmed_by"`
	RejectedAt  *time.Time `gorm:"column:rejected_at"`
	RejectedBy  *int64     `gorm:"column:rejected_by"`
	RejectNote  string     `gorm:"column:reject_note"`
	// IdempotencyKey is the client's key of the submission that recorded it (nil: none given).
	IdempotencyKey *string `gorm:"column:idempotency_key"`
}

func (Payment) TableName() string { return "payments" }

// Pending reports whether the licensor has neither confirmed nor rejected the payment.
func (p *Payment) Pending() bool { return p.ConfirmedAt == nil && p.RejectedAt == nil }

// Errors of the contract lifecycle.
var (
	ErrNotAwaitingPayment = Conflict(CodeNotAwaitingPayment, "该合同当前无需付款", "this contract is not awaiting payment")
	ErrNotEffective       = Conflict(CodeNotEffective, "合同生效后才能备案或终止", "the contract must be effective for this")
	ErrPaymentRejected    = Conflict(CodePaymentRejected, "该付款已被拒绝", "this payment was rejected")
	ErrPaymentConfirmed   = Conflict(CodePaymentConfirmed, "该付款已确认", "this payment is already confirmed")
	errOnlyLicensee       = &FieldError{Code: CodeForbidden, MessageZH: "只有被许可方可以登记付款", MessageEN: "only the licensee records payments"}
	errOnlyLicensor       = &FieldError{Code: CodeForbidden, MessageZH: "只有许可方可以确认或拒绝付款", MessageEN: "only the licensor confirms or rejects payments"}
	errOnlyParties        = &FieldError{Code: CodeForbidden, MessageZH: "只有合同双方可以执行此操作", MessageEN: "only the parties to the contract can do this"}
)

// lockContract loads a contract by number with a row lock, for its parties (and the bureau, which
// callers then refuse where it may not act).
func (s *Store) lockContract(tx *gorm.DB, actor Actor, contractNo string) (*Contract, error) {
	if actor.Anonymous() {
		return nil, ErrUnauth
	}
	var c Contract
	err := lockRows(s, tx, clause.LockingStrengthUpdate).Where("contract_no = ?", strings.TrimSpace(contractNo)).Limit(1).Find(&c).Error
	if err != nil {
		return nil, err
	}
	if c.ID == 0 {
		return nil, ErrNotFound
	}
	if !CanSeeContract(actor, &c) {
		return nil, ErrForbidden
	}
	return &c, nil
}

// lockPartyContract is lockContract for a step either party may take (the filing, ending the contract).
func (s *Store) lockPartyContract(tx *gorm.DB, actor Actor, contractNo string) (*Contract, error) {
	c, err := s.lockContract(tx, actor, contractNo)
	if err != nil {
		return nil, err
	}
	if actor.OrgID == 0 || (actor.OrgID != c.LicensorID && actor.OrgID != c.LicenseeID) {
		return nil, errOnlyParties
	}
	return c, nil
}

// wrapUser returns user errors as they are and wraps the rest with what was being done.
func wrapUser(err error, format string, a ...any) error {
	if err == nil || AsFieldErrors(err) != nil {
		return err
	}
	return fmt.Errorf("market: "+format+": %w", append(a, err)...)
}

// RecordPayment records a payment by the licensee of an awaiting-payment contract. amountFen must be
// positive and at most what is still owed (due minus payments recorded and not rejected); paidOn lies
// between the signing day and today; reference is required.
func (s *Store) RecordPayment(ctx context.Context, actor Actor, contractNo string, amountFen int64, paidOn Date, reference string) (*Payment, error) {
	p, _, err := s.RecordPaymentOnce(ctx, actor, contractNo, "", amountFen, paidOn, reference)
	return p, err
}

// RecordPaymentOnce is RecordPayment with the client's idempotency key ("" for none): a submission
// repeated with the same key (a double click, a retried request) returns the payment it recorded, with
// replayed set, instead of recording a second one; the same key with other details is refused.
func (s *Store) RecordPaymentOnce(ctx context.Context, actor Actor, contractNo, key string, amountFen int64, paidOn Date, reference string) (*Payment, bool, error) {
	if err := checkIdempotencyKey(key); err != nil {
		return nil, false, err
	}
	var pay *Payment
	replayed := false
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		c, err := s.lockContract(tx, actor, contractNo)
		if err != nil {
			return err
		}
		if actor.OrgID == 0 || actor.OrgID != c.LicenseeID {
			return errOnlyLicensee
		}
		if key != "" {
			// Under the contract's lock, so a repeat waits for the first submission and then finds it.
			var prev Payment
			if err := tx.Where("contract_id = ? AND idempotency_key = ?", c.ID, key).Limit(1).Find(&prev).Error; err != nil {
				return err
			}
			if prev.ID != 0 {
				if prev.AmountFen != amountFen || prev.PaidOn.String() != paidOn.String() || prev.Reference != strings.TrimSpace(reference) {
					return ErrIdempotencyKeyReused
				}
				pay, replayed = &prev, true
				return nil
			}
		}
		if c.Status != ContractAwaitingPayment {
			return ErrNotAwaitingPayment
		}
		now := s.now()
		recorded, _, err := paymentSums(tx, c.ID)
		if err != nil {
			return err
		}
		owed := c.AmountDueFen - recorded
		var errs Errors
		switch {
		case amountFen <= 0:
			errs = append(errs, NewFieldError("amount_yuan", "not_positive", "金额必须大于零", "the amount must be positive"))
		case amountFen > owed:
			errs = append(errs, NewFieldError("amount_yuan", "above_owed",
				fmt.Sprintf("金额超过尚欠的 %s 元", Fen(owed).Grouped()), fmt.Sprintf("the amount is above the %s yuan still owed", Fen(owed).Grouped())))
		}
		today := DateOf(now)
		switch {
		case paidOn.IsZero():
			errs = append(errs, NewFieldError("paid_on", "required", "请填写付款日期", "the payment date is required"))
		case paidOn.After(today):
			errs = append(errs, NewFieldError("paid_on", "in_future", "付款日期不能晚于今天", "the payment date cannot be in the future"))
		case paidOn.Before(c.SignedOn):
			errs = append(errs, NewFieldError("paid_on", "before_contract", "付款日期不能早于合同成立日", "the payment date cannot be before the contract formed"))
		}
		reference = strings.TrimSpace(reference)
		switch {
		case reference == "":
			errs = append(errs, NewFieldError("reference", "required", "请填写付款凭证号（如银行流水号）", "a payment reference (e.g. the bank transfer number) is required"))
		case utf8.RuneCountInString(reference) > 200:
			errs = append(errs, NewFieldError("reference", "invalid", "付款凭证号无效（最多 200 字）", "invalid payment reference (200 characters at most)"))
		default:
			if fe := CheckText("reference", "付款凭证号", "payment reference", reference, false); fe != nil {
				errs = append(errs, fe)
			}
		}
		if len(errs) > 0 {
			return errs
		}
		pay = &Payment{ContractID: c.ID, AmountFen: amountFen, PaidOn: paidOn, Reference: reference,
			RecordedBy: actor.UserID, RecordedAt: now}
		if key != "" {
			pay.IdempotencyKey = &key
		}
		if err := tx.Create(pay).Error; err != nil {
			return err
		}
		head, err := loadChainHead(tx, c.ID)
		if err != nil {
			return err
		}
		_, err = appendEvents(tx, c.ID, head, actor, now, eventSpec{Kind: EventPaymentRecorded, Payload: map[string]any{
			"status": c.Status, "payment_id": pay.ID, "amount_fen": amountFen, "paid_on": paidOn.String(), "reference": reference}})
		if err != nil {
			return err
		}
		return notifyOrg(tx, c.LicensorID, NoticePaymentRecorded, now, ContractLink(c.ContractNo),
			fmt.Sprintf("合同 %s 登记了一笔 %s 元的付款，请确认 / A payment of %s yuan on contract %s awaits your confirmation",
				c.ContractNo, Fen(amountFen).Grouped(), Fen(amountFen).Grouped(), c.ContractNo), "")
	})
	if err != nil {
		return nil, false, wrapUser(err, "record payment on %s", contractNo)
	}
	return pay, replayed, nil
}

// paymentSums returns the sums of a contract's payments recorded (not rejected) and confirmed.
func paymentSums(tx *gorm.DB, contractID int64) (recorded, confirmed int64, err error) {
	var r struct{ Recorded, Confirmed int64 }
	err = tx.Model(&Payment{}).Select("COALESCE(SUM(CASE WHEN rejected_at IS NULL THEN amount_fen ELSE 0 END), 0) AS recorded, "+
		"COALESCE(SUM(CASE WHEN confirmed_at IS NOT NULL THEN amount_fen ELSE 0 END), 0) AS confirmed").
		Where("contract_id = ?", contractID).Scan(&r).Error
	return r.Recorded, r.Confirmed, err
}

// licensorPayment locks the contract, checks that the actor is its licensor (only the licensor confirms
// or rejects payments) and loads the payment.
func (s *Store) licensorPayment(tx *gorm.DB, actor Actor, contractNo string, paymentID int64) (*Contract, *Payment, error) {
	c, err := s.lockContract(tx, actor, contractNo)
	if err != nil {
		return nil, nil, err
	}
	if actor.OrgID == 0 || actor.OrgID != c.LicensorID {
		return nil, nil, errOnlyLicensor
	}
	p, err := lockPayment(tx, c.ID, paymentID)
	if err != nil {
		return nil, nil, err
	}
	return c, p, nil
}

// lockPayment loads a payment of the contract.
func lockPayment(tx *gorm.DB, contractID, paymentID int64) (*Payment, error) {
	var p Payment
	if err := tx.Where("id = ? AND contract_id = ?", paymentID, contractID).Limit(1).Find(&p).Error; err != nil {
		return nil, err
	}
	if p.ID == 0 {
		return nil, ErrNotFound
	}
	return &p, nil
}

// ConfirmPayment is the licensor confirming receipt of a payment. When the confirmed payments reach the
// amount due, the contract becomes effective (paid_at, effective_at, effective_on). Confirming a
// confirmed payment again changes nothing.
func (s *Store) ConfirmPayment(ctx context.Context, actor Actor, contractNo string, paymentID int64) (*Contract, error) {
	var out *Contract
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		c, p, err := s.licensorPayment(tx, actor, contractNo, paymentID)
		if err != nil {
			return err
		}
		out = c
		switch {
		case p.RejectedAt != nil:
			return ErrPaymentRejected
		case p.ConfirmedAt != nil:
			return nil
		case c.Status != ContractAwaitingPayment:
			return ErrNotAwaitingPayment
		}
		now := s.now()
		uid := actor.UserID
		if err := tx.Model(p).Updates(map[string]any{"confirmed_at": now, "confirmed_by": uid}).Error; err != nil {
			return err
		}
		_, confirmed, err := paymentSums(tx, c.ID)
		if err != nil {
			return err
		}
		specs := []eventSpec{{Kind: EventPaymentConfirmed, Payload: map[string]any{
			"status": c.Status, "payment_id": p.ID, "amount_fen": p.AmountFen, "confirmed_fen": confirmed}}}
		if confirmed >= c.AmountDueFen {
			c.Status, c.PaidAt, c.EffectiveAt, c.EffectiveOn, c.UpdatedAt = ContractEffective, &now, &now, DateOf(now), now
			err := tx.Model(c).Updates(map[string]any{"status": c.Status, "paid_at": now, "effective_at": now,
				"effective_on": c.EffectiveOn, "updated_at": now}).Error
			if err != nil {
				return err
			}
			specs = append(specs, eventSpec{Kind: EventEffective, Payload: map[string]any{
				"status": ContractEffective, "effective_on": c.EffectiveOn.String(), "reason": "paid in full"}})
		}
		head, err := loadChainHead(tx, c.ID)
		if err != nil {
			return err
		}
		if _, err := appendEvents(tx, c.ID, head, actor, now, specs...); err != nil {
			return err
		}
		subject := fmt.Sprintf("许可方已确认合同 %s 的 %s 元付款 / The licensor confirmed %s yuan on contract %s",
			c.ContractNo, Fen(p.AmountFen).Grouped(), Fen(p.AmountFen).Grouped(), c.ContractNo)
		if c.Status == ContractEffective {
			subject = fmt.Sprintf("合同 %s 已付清并生效，请在 %s 前办理备案 / Contract %s is paid and effective; file it at CNIPA by %s",
				c.ContractNo, FilingDueOn(c), c.ContractNo, FilingDueOn(c))
		}
		return notifyOrg(tx, c.LicenseeID, NoticePaymentConfirmed, now, ContractLink(c.ContractNo), subject, "")
	})
	if err != nil {
		return nil, wrapUser(err, "confirm payment %d on %s", paymentID, contractNo)
	}
	return out, nil
}

// RejectPayment is the licensor saying a recorded payment did not arrive; it no longer counts towards
// what is owed, so the licensee can record the right one. note says why and is required.
func (s *Store) RejectPayment(ctx context.Context, actor Actor, contractNo string, paymentID int64, note string) error {
	note = strings.TrimSpace(note)
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		c, p, err := s.licensorPayment(tx, actor, contractNo, paymentID)
		if err != nil {
			return err
		}
		switch {
		case p.ConfirmedAt != nil:
			return ErrPaymentConfirmed
		case p.RejectedAt != nil:
			return nil
		case note == "":
			return Errors{NewFieldError("note", "required", "请说明拒绝的理由", "say why the payment is rejected")}
		}
		if fe := CheckText("note", "拒绝理由", "note", note, true); fe != nil {
			return Errors{fe}
		}
		now := s.now()
		if err := tx.Model(p).Updates(map[string]any{"rejected_at": now, "rejected_by": actor.UserID, "reject_note": note}).Error; err != nil {
			return err
		}
		head, err := loadChainHead(tx, c.ID)
		if err != nil {
			return err
		}
		_, err = appendEvents(tx, c.ID, head, actor, now, eventSpec{Kind: EventPaymentRejected, Payload: map[string]any{
			"status": c.Status, "payment_id": p.ID, "amount_fen": p.AmountFen, "note": note}})
		if err != nil {
			return err
		}
		return notifyOrg(tx, c.LicenseeID, NoticePaymentRejected, now, ContractLink(c.ContractNo),
			fmt.Sprintf("许可方未确认合同 %s 的 %s 元付款 / The licensor rejected %s yuan on contract %s",
				c.ContractNo, Fen(p.AmountFen).Grouped(), Fen(p.AmountFen).Grouped(), c.ContractNo), note)
	})
	return wrapUser(err, "reject payment %d on %s", paymentID, contractNo)
}

// Payments lists a contract's payments in the order recorded (its parties and the bureau).
func (s *Store) Payments(ctx context.Context, actor Actor, contractNo string) ([]Payment, error) {
	c, err := s.contractForActor(ctx, s.db.WithContext(ctx), actor, contractNo)
	if err != nil {
		return nil, err
	}
	var ps []Payment
	err = s.db.WithContext(ctx).Where("contract_id = ?", c.ID).Order("id").Find(&ps).Error
	return ps, wrapUser(err, "payments of %s", contractNo)
}
