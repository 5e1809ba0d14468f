package market

// Deals concluded from intents (docs/rules.md §10.4): the holder records the agreed deal, which becomes a
// contract of the intent's kind (source "deal") with its own hash-chained history; a transfer waits for
// its CNIPA registration (专利权转让登记), recorded by either party, which makes it effective, the buyer
// the patentee, and ends the seller's open-licence declaration. For the bonus (Art. 19) such a contract
// looks like an imported deal: kind, parties, patent, effective day, and the registration number as its
// filing number.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
)

// ContractSourceDeal marks contracts concluded from an intent on the platform.
const ContractSourceDeal = "deal"

// History events of deals.
const (
	EventDealRecorded = "deal_recorded" // the holder recorded the agreed deal
	EventRegistered   = "registered"    // CNIPA registered the transfer: effective
)

// DealInput is the agreed deal.
type DealInput struct {
	FeeFen      int64
	SignedOn    Date
	EffectiveOn Date
}

var errDealRecorded = Conflict(CodeDealRecorded, "该意向的交易已登记", "the deal of this intent is already recorded")

// dealTerms are what a deal's content hash covers.
type dealTerms struct {
	ContractNo    string `json:"contract_no"`
	EffectiveOn   string `json:"effective_on"`
	FeeFen        int64  `json:"fee_fen"`
	IntentID      int64  `json:"intent_id"`
	Kind          string `json:"kind"`
	LicenseeUSCC  string `json:"licensee_uscc"`
	LicensorUSCC  string `json:"licensor_uscc"`
	PatentNo      string `json:"patent_no"`
	SignedOn      string `json:"signed_on"`
	ApplicationNo string `json:"application_no"`
}

// dealContractNumber is "JY" (交易) + the Shanghai signing day + "-" + the intent ID: unique, because an
// intent has one contract.
func dealContractNumber(signedOn Date, intentID int64) string {
	return fmt.Sprintf("JY%s-%06d", strings.ReplaceAll(signedOn.String(), "-", ""), intentID)
}

// RecordDeal records the deal an open intent concluded, by the holder: a contract of the intent's kind
// linked to the intent and carrying its channel. A transfer awaits registration; an ordinary licence is
// effective from its effective day. Recording it again is refused (deal_recorded).
func (s *Store) RecordDeal(ctx context.Context, act Actor, intentID int64, in DealInput) (*Contract, error) {
	if act.Anonymous() {
		return nil, ErrUnauth
	}
	var out *Contract
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		it, org, err := s.lockIntent(ctx, tx, act, intentID)
		if err != nil {
			return err
		}
		switch {
		case org.ID != it.HolderID:
			return errOnlyHolder
		case it.Status == IntentAgreed || it.ContractID != nil:
			return errDealRecorded
		case it.Status != IntentOpen:
			return errIntentClosed
		}
		now := s.now()
		today := DateOf(now)
		var errs Errors
		if in.FeeFen < 0 {
			errs = append(errs, NewFieldError("fee_yuan", "negative", "成交金额不能为负数", "the fee must not be negative"))
		}
		switch {
		case in.SignedOn.IsZero():
			errs = append(errs, NewFieldError("signed_on", "required", "请填写签约日期", "the signing date is required"))
		case in.SignedOn.After(today):
			errs = append(errs, NewFieldError("signed_on", "in_future", "签约日期不能晚于今天", "the signing date cannot be in the future"))
		}
		switch {
		case in.EffectiveOn.IsZero():
			errs = append(errs, NewFieldError("effective_on", "required", "请填写生效日期", "the effective date is required"))
		case !in.SignedOn.IsZero() && in.EffectiveOn.Before(in.SignedOn):
			errs = append(errs, NewFieldError("effective_on", "before_signed", "生效日期不能早于签约日期", "the effective date cannot be before the signing date"))
		case it.Kind == ContractOrdinaryLicence && in.EffectiveOn.After(today):
			errs = append(errs, NewFieldError("effective_on", "in_future", "许可生效后再登记交易：生效日期不能晚于今天",
				"record a licence once it has taken effect: the effective date cannot be in the future"))
		}
		if len(errs) > 0 {
			return errs
		}
		var p Patent
		if err := tx.Where("id = ?", it.PatentID).Take(&p).Error; err != nil {
			return err
		}
		if p.PatenteeID != it.HolderID {
			return NewFieldError("intent_id", CodeOwnPatent, "专利权人已变更，不能再登记该交易", "the patent has changed hands: this deal can no longer be recorded")
		}
		var buyer Organisation
		if err := tx.Where("id = ?", it.BuyerID).Take(&buyer).Error; err != nil {
			return err
		}
		c := &Contract{ContractNo: dealContractNumber(in.SignedOn, it.ID), Kind: it.Kind, Source: ContractSourceDeal,
			LicensorID: it.HolderID, LicenseeID: it.BuyerID, FeeFen: in.FeeFen, SignedOn: in.SignedOn,
			Channel: it.Channel, IntentID: &it.ID, ListedAt: p.OfferedAt, CreatedAt: now, UpdatedAt: now}
		if it.Kind == ContractTransfer {
			c.Status = ContractAwaitingRegistration
		} else {
			c.Status, c.EffectiveOn = ContractEffective, in.EffectiveOn
		}
		terms := dealTerms{ContractNo: c.ContractNo, EffectiveOn: in.EffectiveOn.String(), FeeFen: in.FeeFen, IntentID: it.ID,
			Kind: it.Kind, LicenseeUSCC: buyer.USCC, LicensorUSCC: org.USCC, PatentNo: PatentNumber(p.ApplicationNo),
			SignedOn: in.SignedOn.String(), ApplicationNo: p.ApplicationNo}
		b, err := json.Marshal(terms)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		c.TermsJSON, c.ContentSHA256 = string(b), hex.EncodeToString(sum[:])
		if err := tx.Create(c).Error; err != nil {
			return err
		}
		if err := tx.Create(&ContractPatent{ContractID: c.ID, PatentID: p.ID}).Error; err != nil {
			return err
		}
		res := tx.Model(&Intent{}).Where("id = ? AND contract_id IS NULL", it.ID).
			Updates(map[string]any{"status": IntentAgreed, "contract_id": c.ID, "closed_at": now, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errDealRecorded
		}
		payload := map[string]any{"status": c.Status, "intent_id": it.ID, "fee_fen": in.FeeFen, "signed_on": in.SignedOn.String(),
			"effective_on": in.EffectiveOn.String(), "content_sha256": c.ContentSHA256}
		if c.Channel != nil {
			payload["channel"] = *c.Channel
		}
		if _, err := appendEvents(tx, c.ID, newChain(), act, now, eventSpec{Kind: EventDealRecorded, Payload: payload}); err != nil {
			return err
		}
		out = c
		return notifyOrg(tx, it.BuyerID, NoticeDealRecorded, now, ContractLink(c.ContractNo),
			fmt.Sprintf("专利 %s 的交易已登记（合同 %s）/ The deal on %s was recorded (contract %s)",
				PatentNumber(p.ApplicationNo), c.ContractNo, PatentNumber(p.ApplicationNo), c.ContractNo), "")
	})
	if err != nil {
		return nil, wrapUser(err, "record deal of intent %d", intentID)
	}
	return out, nil
}

var errNotAwaitingRegistration = Conflict(CodeNotAwaitingRegistration, "该合同不是待登记的转让", "this contract is not a transfer awaiting registration")

// RecordRegistration records the CNIPA registration of a transfer awaiting it, by either party: the
// contract becomes effective on the registration day (the registration number is its filing number),
// the buyer becomes the patentee, the seller's live declaration and offers end, other open intents on
// the patent are declined, and the search index follows.
func (s *Store) RecordRegistration(ctx context.Context, act Actor, contractNo, registrationNo string, registeredOn Date) (*Contract, error) {
	registrationNo = strings.TrimSpace(registrationNo)
	var out *Contract
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		c, err := s.lockPartyContract(tx, act, contractNo)
		if err != nil {
			return err
		}
		if c.Kind != ContractTransfer || c.Status != ContractAwaitingRegistration {
			return errNotAwaitingRegistration
		}
		now := s.now()
		var errs Errors
		switch {
		case registrationNo == "":
			errs = append(errs, NewFieldError("registration_no", "required", "请填写登记号", "the registration number is required"))
		case utf8.RuneCountInString(registrationNo) > 64:
			errs = append(errs, NewFieldError("registration_no", "invalid", "登记号无效（最多 64 个字符）", "invalid registration number (64 characters at most)"))
		default:
			if fe := CheckText("registration_no", "登记号", "registration number", registrationNo, false); fe != nil {
				errs = append(errs, fe)
			}
		}
		switch {
		case registeredOn.IsZero():
			errs = append(errs, NewFieldError("registered_on", "required", "请填写登记日期", "the registration date is required"))
		case registeredOn.After(DateOf(now)):
			errs = append(errs, NewFieldError("registered_on", "in_future", "登记日期不能晚于今天", "the registration date cannot be in the future"))
		case registeredOn.Before(c.SignedOn):
			errs = append(errs, NewFieldError("registered_on", "before_deal", "登记日期不能早于签约日期", "the registration date cannot be before the deal was signed"))
		}
		if len(errs) == 0 {
			var n int64
			if err := tx.Model(&Contract{}).Where("filing_no = ? AND id <> ?", registrationNo, c.ID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				errs = append(errs, NewFieldError("registration_no", "filing_no_taken", "该登记号已登记在另一份合同上", "this registration number is recorded on another contract"))
			}
		}
		if len(errs) > 0 {
			return errs
		}
		var patentIDs []int64
		if err := tx.Model(&ContractPatent{}).Where("contract_id = ?", c.ID).Pluck("patent_id", &patentIDs).Error; err != nil {
			return err
		}
		c.Status, c.EffectiveOn, c.FilingNo, c.FiledOn, c.UpdatedAt = ContractEffective, registeredOn, registrationNo, registeredOn, now
		if err := tx.Model(&Contract{}).Where("id = ?", c.ID).Updates(map[string]any{"status": c.Status, "effective_on": registeredOn,
			"filing_no": registrationNo, "filed_on": registeredOn, "updated_at": now}).Error; err != nil {
			return err
		}
		// The assignee is the patentee from now on; the assignor's declaration cannot bind it (licences
		// obtained before stay valid), nor can the assignor's offers.
		if err := tx.Model(&Patent{}).Where("id IN ?", patentIDs).Updates(map[string]any{"patentee_id": c.LicenseeID,
			"transfer_price_fen": 0, "negotiable_licence": false, "offered_at": nil, "updated_at": now}).Error; err != nil {
			return err
		}
		var decls []int64
		if err := tx.Model(&Declaration{}).Where("patent_id IN ? AND status = ?", patentIDs, DeclLive).Pluck("id", &decls).Error; err != nil {
			return err
		}
		if err := EndDeclarations(tx, now, DeclWithdrawn, decls...); err != nil {
			return err
		}
		if err := tx.Model(&Intent{}).Where("patent_id IN ? AND status = ?", patentIDs, IntentOpen).
			Updates(map[string]any{"status": IntentDeclined, "closed_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		head, err := loadChainHead(tx, c.ID)
		if err != nil {
			return err
		}
		if _, err := appendEvents(tx, c.ID, head, act, now, eventSpec{Kind: EventRegistered, Payload: map[string]any{
			"status": ContractEffective, "registration_no": registrationNo, "registered_on": registeredOn.String(),
			"declarations_withdrawn": len(decls)}}); err != nil {
			return err
		}
		if err := EnqueueIndex(tx, now, patentIDs...); err != nil {
			return err
		}
		out = c
		return notifyOrg(tx, otherParty(c, act.OrgID), NoticeFilingRecorded, now, ContractLink(c.ContractNo),
			fmt.Sprintf("合同 %s 已登记转让（登记号 %s）/ Contract %s was registered at CNIPA as %s", c.ContractNo, registrationNo, c.ContractNo, registrationNo), "")
	})
	if err != nil {
		return nil, wrapUser(err, "record registration of %s", contractNo)
	}
	return out, nil
}
