package bonus

// Art. 26 in full (docs/rules.md §9.8, §9.10): disqualifying a recipient for a round, and recording
// money recovered on a clawback. Reviews of single lines are in review.go.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"patentwall/market"
)

type disqualificationRow struct {
	ID        int64     `gorm:"column:id;primaryKey"`
	RoundID   string    `gorm:"column:round_id"`
	USCC      string    `gorm:"column:uscc"`
	Note      string    `gorm:"column:note"`
	DecidedBy *int64    `gorm:"column:decided_by"`
	DecidedAt time.Time `gorm:"column:decided_at"`
}

func (disqualificationRow) TableName() string { return "bonus_disqualifications" }

type recoveryRow struct {
	ID          int64       `gorm:"column:id;primaryKey"`
	RoundID     string      `gorm:"column:round_id"`
	ContractNo  string      `gorm:"column:contract_no"`
	Patent      string      `gorm:"column:patent"`
	AmountFen   int64       `gorm:"column:amount_fen"`
	RecoveredOn market.Date `gorm:"column:recovered_on"`
	Reference   string      `gorm:"column:reference"`
	RecordedBy  *int64      `gorm:"column:recorded_by"`
	RecordedAt  time.Time   `gorm:"column:recorded_at"`
}

func (recoveryRow) TableName() string { return "bonus_recoveries" }

// checkNote requires a reviewer's note and checks it as free text.
func checkNote(note string) (string, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return "", market.Errors{fieldErr("note", "required", "请填写复核意见", "a note explaining the decision is required")}
	}
	if fe := market.CheckText("note", "复核意见", "note", note, true); fe != nil {
		return "", market.Errors{fe}
	}
	return note, nil
}

// Disqualify takes the round's bonus away from a recipient (seed Art. 26, 取消承接资格): from the next
// run its lines are ineligible (recipient_disqualified) and what frozen runs paid it becomes clawbacks.
// The note is required. Disqualifying again replaces the note.
func Disqualify(ctx context.Context, s *market.Store, actor market.Actor, roundID, uscc, note string) (*Disqualification, error) {
	if !canManage(actor) {
		return nil, market.ErrForbidden
	}
	note, err := checkNote(note)
	if err != nil {
		return nil, err
	}
	if _, err := GetRound(ctx, s, roundID); err != nil {
		return nil, err
	}
	org, err := s.OrgByUSCC(ctx, uscc)
	if err != nil {
		return nil, err
	}
	row := disqualificationRow{RoundID: roundID, USCC: org.USCC, Note: note, DecidedBy: userOf(actor),
		DecidedAt: s.Now().UTC().Truncate(time.Microsecond)}
	err = s.Gorm().WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "round_id"}, {Name: "uscc"}},
		DoUpdates: clause.AssignmentColumns([]string{"note", "decided_by", "decided_at"}),
	}).Create(&row).Error
	if err != nil {
		return nil, fmt.Errorf("bonus: disqualify %s in %s: %w", uscc, roundID, err)
	}
	return &Disqualification{USCC: row.USCC, Note: row.Note, DecidedBy: row.DecidedBy, DecidedAt: row.DecidedAt}, nil
}

// Disqualifications lists the round's disqualified recipients by USCC.
func Disqualifications(ctx context.Context, s *market.Store, roundID string) ([]Disqualification, error) {
	var rows []disqualificationRow
	if err := s.Gorm().WithContext(ctx).Where("round_id = ?", roundID).Order("uscc").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("bonus: disqualifications of %s: %w", roundID, err)
	}
	out := make([]Disqualification, len(rows))
	for i, r := range rows {
		out[i] = Disqualification{USCC: r.USCC, Note: r.Note, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt}
	}
	return out, nil
}

// RecoveryInput is money recovered on a clawback, as a reviewer records it.
type RecoveryInput struct {
	ContractNo, Patent string
	AmountFen          int64
	RecoveredOn        market.Date
	Reference          string // the repayment's reference (voucher, bank transfer)
}

// RecordRecovery records money recovered on a clawback of the round's latest run. It may not exceed
// what is still owed on it (the clawback less what was recorded before); a later frozen run records the
// clawback as recovered once it is recovered in full, and runs after that no longer list it.
func RecordRecovery(ctx context.Context, s *market.Store, actor market.Actor, roundID string, in RecoveryInput) (*Recovery, error) {
	if !canManage(actor) {
		return nil, market.ErrForbidden
	}
	var errs market.Errors
	in.Reference = strings.TrimSpace(in.Reference)
	switch {
	case in.Reference == "":
		errs = append(errs, fieldErr("reference", "required", "请填写退回款项的凭证号", "the repayment's reference is required"))
	case len([]rune(in.Reference)) > 200:
		errs = append(errs, fieldErr("reference", "too_long", "凭证号过长（最多 200 字）", "the reference is too long (at most 200 characters)"))
	default:
		if fe := market.CheckText("reference", "凭证号", "reference", in.Reference, false); fe != nil {
			errs = append(errs, fe)
		}
	}
	today := market.DateOf(s.Now())
	switch {
	case in.RecoveredOn.IsZero():
		errs = append(errs, fieldErr("recovered_on", "required", "请填写追回日期", "the day the money came back is required"))
	case in.RecoveredOn.After(today):
		errs = append(errs, fieldErr("recovered_on", "in_future", "追回日期不能晚于今天", "the day cannot be in the future"))
	}
	if in.AmountFen <= 0 {
		errs = append(errs, fieldErr("amount_yuan", "not_positive", "追回金额必须大于零", "the amount must be more than zero"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if _, err := GetRound(ctx, s, roundID); err != nil {
		return nil, err
	}
	runs, err := Runs(ctx, s, roundID)
	if err != nil {
		return nil, err
	}
	var owed int64
	found := false
	if len(runs) > 0 {
		_, res, err := LoadRun(ctx, s, roundID, runs[0].N)
		if err != nil {
			return nil, err
		}
		for _, c := range res.Clawbacks {
			if c.ContractNo == in.ContractNo && c.Patent == in.Patent {
				owed, found = c.AmountFen, true
			}
		}
	}
	if !found {
		return nil, market.Errors{fieldErr("contract_no", "not_owed", "本轮最新一次计算中该条目没有待追回的款项",
			"the round's latest run lists no clawback for this line")}
	}
	row := recoveryRow{RoundID: roundID, ContractNo: in.ContractNo, Patent: in.Patent, AmountFen: in.AmountFen,
		RecoveredOn: in.RecoveredOn, Reference: in.Reference, RecordedBy: userOf(actor), RecordedAt: s.Now().UTC().Truncate(time.Microsecond)}
	err = s.Tx(ctx, func(tx *gorm.DB) error {
		var before int64
		// recoveries of one line are recorded one at a time: the round's row lock orders them on Postgres
		if s.IsPostgres() {
			if err := tx.Exec("SELECT id FROM bonus_rounds WHERE id = ? FOR UPDATE", roundID).Error; err != nil {
				return err
			}
		}
		if err := tx.Model(&recoveryRow{}).Where("round_id = ? AND contract_no = ? AND patent = ?", roundID, in.ContractNo, in.Patent).
			Select("COALESCE(SUM(amount_fen), 0)").Scan(&before).Error; err != nil {
			return err
		}
		if left := owed - before; in.AmountFen > left {
			return market.Errors{fieldErr("amount_yuan", "above_owed",
				fmt.Sprintf("追回金额超过尚欠金额 %s 元", Yuan(max(left, 0))),
				fmt.Sprintf("the amount is more than the %s yuan still owed", Yuan(max(left, 0))))}
		}
		return tx.Create(&row).Error
	})
	if err != nil {
		if market.AsFieldErrors(err) != nil {
			return nil, err
		}
		return nil, fmt.Errorf("bonus: record recovery in %s of %s %s: %w", roundID, in.ContractNo, in.Patent, err)
	}
	return &Recovery{ContractNo: row.ContractNo, Patent: row.Patent, AmountFen: row.AmountFen, RecoveredOn: row.RecoveredOn,
		Reference: row.Reference}, nil
}

// Recoveries lists the money recovered on the round's clawbacks, in the order recorded.
func Recoveries(ctx context.Context, s *market.Store, roundID string) ([]Recovery, error) {
	var rows []recoveryRow
	if err := s.Gorm().WithContext(ctx).Where("round_id = ?", roundID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("bonus: recoveries of %s: %w", roundID, err)
	}
	out := make([]Recovery, len(rows))
	for i, r := range rows {
		out[i] = Recovery{ContractNo: r.ContractNo, Patent: r.Patent, AmountFen: r.AmountFen, RecoveredOn: r.RecoveredOn, Reference: r.Reference}
	}
	return out, nil
}
