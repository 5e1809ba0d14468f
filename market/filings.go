package market

// Recording a contract's CNIPA filing (备案), due within 3 months of the licence taking effect
// (docs/rules.md §7), by either party; recording again corrects it and the history keeps both.

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
)

// FilingDueOn is the last day to file a contract at CNIPA: 3 months after it took effect (IR Art. 15;
// 备案办法 Art. 5). Zero when it has not taken effect.
func FilingDueOn(c *Contract) Date {
	if c.EffectiveOn.IsZero() {
		return Date{}
	}
	return AddMonthsClamped(c.EffectiveOn, 3)
}

// DaysUntil counts days from today to day (negative when past).
func DaysUntil(today, day Date) int {
	return int(day.Time().Sub(today.Time()).Hours() / 24)
}

// RecordFiling records the CNIPA filing number (备案号, opaque) and date of an effective contract, by
// either party. Recording again corrects the filing (the history keeps both).
func (s *Store) RecordFiling(ctx context.Context, actor Actor, contractNo, filingNo string, filedOn Date) (*Contract, error) {
	filingNo = strings.TrimSpace(filingNo)
	var out *Contract
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		c, err := s.lockPartyContract(tx, actor, contractNo)
		if err != nil {
			return err
		}
		out = c
		if c.Status != ContractEffective && c.Status != ContractFiled {
			return ErrNotEffective
		}
		now := s.now()
		var errs Errors
		switch {
		case filingNo == "":
			errs = append(errs, NewFieldError("filing_no", "required", "请填写备案号", "the filing number is required"))
		case utf8.RuneCountInString(filingNo) > 64:
			errs = append(errs, NewFieldError("filing_no", "invalid", "备案号无效（最多 64 个字符）", "invalid filing number (64 characters at most)"))
		default:
			if fe := CheckText("filing_no", "备案号", "filing number", filingNo, false); fe != nil {
				errs = append(errs, fe)
			}
		}
		switch {
		case filedOn.IsZero():
			errs = append(errs, NewFieldError("filed_on", "required", "请填写备案日期", "the filing date is required"))
		case filedOn.After(DateOf(now)):
			errs = append(errs, NewFieldError("filed_on", "in_future", "备案日期不能晚于今天", "the filing date cannot be in the future"))
		case filedOn.Before(c.EffectiveOn):
			errs = append(errs, NewFieldError("filed_on", "before_effective", "备案日期不能早于合同生效日", "the filing date cannot be before the contract took effect"))
		}
		if len(errs) == 0 {
			var n int64
			if err := tx.Model(&Contract{}).Where("filing_no = ? AND id <> ?", filingNo, c.ID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				errs = append(errs, NewFieldError("filing_no", "filing_no_taken", "该备案号已登记在另一份合同上", "this filing number is recorded on another contract"))
			}
		}
		if len(errs) > 0 {
			return errs
		}
		if c.Status == ContractFiled && c.FilingNo == filingNo && c.FiledOn == filedOn {
			return nil // the same filing again: nothing changes
		}
		payload := map[string]any{"status": ContractFiled, "filing_no": filingNo, "filed_on": filedOn.String(),
			"due_on": FilingDueOn(c).String(), "late": filedOn.After(FilingDueOn(c))}
		if c.FilingNo != "" {
			payload["previous_filing_no"], payload["previous_filed_on"] = c.FilingNo, c.FiledOn.String()
		}
		c.Status, c.FilingNo, c.FiledOn, c.UpdatedAt = ContractFiled, filingNo, filedOn, now
		if err := tx.Model(c).Updates(map[string]any{"status": c.Status, "filing_no": filingNo, "filed_on": filedOn, "updated_at": now}).Error; err != nil {
			return err
		}
		head, err := loadChainHead(tx, c.ID)
		if err != nil {
			return err
		}
		if _, err := appendEvents(tx, c.ID, head, actor, now, eventSpec{Kind: EventFiled, Payload: payload}); err != nil {
			return err
		}
		return notifyOrg(tx, otherParty(c, actor.OrgID), NoticeFilingRecorded, now, ContractLink(c.ContractNo),
			fmt.Sprintf("合同 %s 已登记备案号 %s / Contract %s was filed at CNIPA as %s", c.ContractNo, filingNo, c.ContractNo, filingNo), "")
	})
	if err != nil {
		return nil, wrapUser(err, "record filing of %s", contractNo)
	}
	return out, nil
}
