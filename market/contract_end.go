package market

// Ending a contract, by either party with a reason: cancelling one that never took effect (awaiting
// payment), terminating one that did (effective or filed). Both free the (declaration, licensee) pair, so
// the licensee may accept the declaration again later. Only the parties act; the bureau only reads.

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
)

func otherParty(c *Contract, orgID int64) int64 {
	if orgID == c.LicensorID {
		return c.LicenseeID
	}
	return c.LicensorID
}

// TerminateContract ends an effective or filed contract early, by either party; reason is required.
func (s *Store) TerminateContract(ctx context.Context, actor Actor, contractNo, reason string) (*Contract, error) {
	return s.endContract(ctx, actor, contractNo, reason, ContractTerminated)
}

// CancelContract cancels a contract that never took effect (awaiting payment), by either party; reason
// is required. Confirmed partial payments stay on record for the refund.
func (s *Store) CancelContract(ctx context.Context, actor Actor, contractNo, reason string) (*Contract, error) {
	return s.endContract(ctx, actor, contractNo, reason, ContractCancelled)
}

func (s *Store) endContract(ctx context.Context, actor Actor, contractNo, reason, status string) (*Contract, error) {
	reason = strings.TrimSpace(reason)
	var out *Contract
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		c, err := s.lockPartyContract(tx, actor, contractNo)
		if err != nil {
			return err
		}
		out = c
		if c.Status == status {
			return nil
		}
		switch {
		case status == ContractCancelled && c.Status != ContractAwaitingPayment:
			return Conflict(CodeCannotCancel, "只能取消尚未生效的合同；已生效的合同请终止", "only a contract that has not taken effect can be cancelled; terminate an effective one")
		case status == ContractTerminated && c.Status != ContractEffective && c.Status != ContractFiled:
			return ErrNotEffective
		case reason == "" || utf8.RuneCountInString(reason) > 1000:
			return Errors{NewFieldError("reason", "required", "请说明理由（最多 1000 字）", "give the reason (1000 characters at most)")}
		}
		if fe := CheckText("reason", "理由", "reason", reason, true); fe != nil {
			return Errors{fe}
		}
		now := s.now()
		_, confirmed, err := paymentSums(tx, c.ID)
		if err != nil {
			return err
		}
		c.Status, c.EndedAt, c.LiveKey, c.UpdatedAt = status, &now, nil, now
		if err := tx.Model(c).Updates(map[string]any{"status": status, "ended_at": now, "live_key": nil, "updated_at": now}).Error; err != nil {
			return err
		}
		kind := EventTerminated
		if status == ContractCancelled {
			kind = EventCancelled
		}
		head, err := loadChainHead(tx, c.ID)
		if err != nil {
			return err
		}
		_, err = appendEvents(tx, c.ID, head, actor, now, eventSpec{Kind: kind, Payload: map[string]any{
			"status": status, "reason": reason, "confirmed_fen": confirmed}})
		if err != nil {
			return err
		}
		word := map[string]string{ContractTerminated: "已终止 / was terminated", ContractCancelled: "已取消 / was cancelled"}[status]
		return notifyOrg(tx, otherParty(c, actor.OrgID), NoticeContractEnded, now, ContractLink(c.ContractNo),
			fmt.Sprintf("合同 %s %s", c.ContractNo, word), reason)
	})
	if err != nil {
		return nil, wrapUser(err, "end contract %s (%s)", contractNo, status)
	}
	return out, nil
}
