package bonus

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"patentwall/market"
)

// RunInfo describes a stored run (without its lines).
type RunInfo struct {
	ID            int64       `gorm:"column:id;primaryKey" json:"-"`
	RoundID       string      `gorm:"column:round_id" json:"round"`
	N             int         `gorm:"column:n" json:"n"`
	AsOf          market.Date `gorm:"column:as_of" json:"as_of"`
	InputHash     string      `gorm:"column:input_hash" json:"input_hash"`
	CapFen        int64       `gorm:"column:cap_fen" json:"cap_fen"`
	EligibleFen   int64       `gorm:"column:eligible_fen" json:"eligible_fen"`
	TotalFen      int64       `gorm:"column:total_fen" json:"total_fen"`
	Scaled        bool        `gorm:"column:scaled" json:"scaled"`
	LineCount     int         `gorm:"column:line_count" json:"line_count"`
	EligibleCount int         `gorm:"column:eligible_count" json:"eligible_count"`
	HeldCount     int         `gorm:"column:held_count" json:"held_count"`
	ClawbackFen   int64       `gorm:"column:clawback_fen" json:"clawback_fen"`
	Frozen        bool        `gorm:"column:frozen" json:"frozen"`
	FrozenAt      *time.Time  `gorm:"column:frozen_at" json:"frozen_at"`
	FrozenBy      *int64      `gorm:"column:frozen_by" json:"-"`
	CreatedAt     time.Time   `gorm:"column:created_at" json:"created_at"`
	CreatedBy     *int64      `gorm:"column:created_by" json:"-"`
}

func (RunInfo) TableName() string { return "bonus_runs" }

// runRow is a stored run with its lines.
type runRow struct {
	RunInfo `gorm:"embedded"`
	Result  []byte `gorm:"column:result"`
	Flagged string `gorm:"column:flagged"`
}

func (runRow) TableName() string { return "bonus_runs" }

const infoColumns = "id, round_id, n, as_of, input_hash, cap_fen, eligible_fen, total_fen, scaled, line_count, " +
	"eligible_count, held_count, clawback_fen, frozen, frozen_at, frozen_by, created_at, created_by"

type flaggedJSON struct {
	ContractNo    string   `json:"contract_no"`
	Patent        string   `json:"patent"`
	RecipientUSCC string   `json:"recipient_uscc"`
	LicenseeUSCC  string   `json:"licensee_uscc"`
	Status        string   `json:"status"`
	Flags         []string `json:"flags"`
}

// Run computes a run of the round as of the day without storing it: the facts in the database, the
// reviewers' decisions and disqualifications, the recoveries recorded and the round's frozen runs (for
// clawbacks).
func Run(ctx context.Context, s *market.Store, roundID string, asOf market.Date) (*RunResult, error) {
	r, err := GetRound(ctx, s, roundID)
	if err != nil {
		return nil, err
	}
	p := Params{Round: *r, AsOf: asOf}
	if p.Others, err = ListRounds(ctx, s); err != nil {
		return nil, err
	}
	if p.Decisions, err = Decisions(ctx, s, roundID); err != nil {
		return nil, err
	}
	if p.Disqualified, err = Disqualifications(ctx, s, roundID); err != nil {
		return nil, err
	}
	if p.Recoveries, err = Recoveries(ctx, s, roundID); err != nil {
		return nil, err
	}
	if p.Frozen, err = frozenRuns(ctx, s, roundID); err != nil {
		return nil, err
	}
	in, err := LoadInputs(ctx, s)
	if err != nil {
		return nil, err
	}
	return Evaluate(in, p)
}

// Compute runs the round and stores the run with the next number; only bureau users (and the command
// line) may. freeze marks it final at once (see Freeze).
func Compute(ctx context.Context, s *market.Store, actor market.Actor, roundID string, asOf market.Date, freeze bool) (*RunInfo, *RunResult, error) {
	if !canManage(actor) {
		return nil, nil, market.ErrForbidden
	}
	res, err := Run(ctx, s, roundID, asOf)
	if err != nil {
		return nil, nil, err
	}
	info, err := SaveRun(ctx, s, actor, res, freeze)
	return info, res, err
}

// SaveRun stores a computed run as the round's next run.
func SaveRun(ctx context.Context, s *market.Store, actor market.Actor, res *RunResult, freeze bool) (*RunInfo, error) {
	if !canManage(actor) {
		return nil, market.ErrForbidden
	}
	var blob bytes.Buffer
	if err := encodeRun(&blob, res); err != nil {
		return nil, fmt.Errorf("bonus: encode run: %w", err)
	}
	flagged := []flaggedJSON{}
	row := runRow{RunInfo: RunInfo{RoundID: res.Round, AsOf: res.AsOf, InputHash: res.InputHash, CapFen: res.CapFen,
		EligibleFen: res.EligibleFen, TotalFen: res.TotalFen, Scaled: res.Scaled, LineCount: len(res.Lines),
		CreatedBy: userOf(actor)}, Result: blob.Bytes()}
	for i := range res.Lines {
		l := &res.Lines[i]
		switch l.Status {
		case StatusEligible:
			row.EligibleCount++
		case StatusHeld:
			row.HeldCount++
		}
		if l.Flags != 0 {
			flagged = append(flagged, flaggedJSON{ContractNo: l.ContractNo, Patent: l.Patent, RecipientUSCC: l.RecipientUSCC,
				LicenseeUSCC: l.LicenseeUSCC, Status: l.Status.String(), Flags: l.Flags.Codes()})
		}
	}
	for _, c := range res.Clawbacks {
		row.ClawbackFen += c.OwedFen()
	}
	fj, err := json.Marshal(flagged)
	if err != nil {
		return nil, err
	}
	row.Flagged = string(fj)
	now := s.Now().UTC().Truncate(time.Microsecond)
	row.CreatedAt = now
	if freeze {
		row.Frozen, row.FrozenAt, row.FrozenBy = true, &now, userOf(actor)
	}
	err = s.Tx(ctx, func(tx *gorm.DB) error {
		// the round's row lock (Postgres; SQLite transactions are serial) orders concurrent runs
		var ids []string
		q := tx.Model(&Round{}).Where("id = ?", res.Round)
		if s.IsPostgres() {
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
		}
		if err := q.Pluck("id", &ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return market.ErrNotFound
		}
		var last sql.NullInt64
		if err := tx.Raw("SELECT MAX(n) FROM bonus_runs WHERE round_id = ?", res.Round).Row().Scan(&last); err != nil {
			return err
		}
		row.N = int(last.Int64) + 1
		return tx.Create(&row).Error
	})
	if err != nil {
		if errors.Is(err, market.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("bonus: save run of %s: %w", res.Round, err)
	}
	info := row.RunInfo
	return &info, nil
}

// Runs lists a round's stored runs, newest first.
func Runs(ctx context.Context, s *market.Store, roundID string) ([]RunInfo, error) {
	var out []RunInfo
	err := s.Gorm().WithContext(ctx).Select(infoColumns).Where("round_id = ?", roundID).Order("n DESC").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("bonus: list runs of %s: %w", roundID, err)
	}
	return out, nil
}

// LoadRun reads a stored run with its lines (market.ErrNotFound when absent).
func LoadRun(ctx context.Context, s *market.Store, roundID string, n int) (*RunInfo, *RunResult, error) {
	var rows []runRow
	if err := s.Gorm().WithContext(ctx).Where("round_id = ? AND n = ?", roundID, n).Limit(1).Find(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("bonus: load run %s/%d: %w", roundID, n, err)
	}
	if len(rows) == 0 {
		return nil, nil, market.ErrNotFound
	}
	res, err := decodeRun(rows[0].Result)
	if err != nil {
		return nil, nil, fmt.Errorf("bonus: load run %s/%d: %w", roundID, n, err)
	}
	return &rows[0].RunInfo, res, nil
}

// Freeze marks a stored run final: it is what the bureau pays, and later runs list a paid line whose
// deal is undone as a clawback. Freezing twice changes nothing.
func Freeze(ctx context.Context, s *market.Store, actor market.Actor, roundID string, n int) error {
	if !canManage(actor) {
		return market.ErrForbidden
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	res := s.Gorm().WithContext(ctx).Model(&RunInfo{}).Where("round_id = ? AND n = ? AND frozen = ?", roundID, n, false).
		Updates(map[string]any{"frozen": true, "frozen_at": now, "frozen_by": userOf(actor)})
	if res.Error != nil {
		return fmt.Errorf("bonus: freeze run %s/%d: %w", roundID, n, res.Error)
	}
	if res.RowsAffected == 0 {
		var count int64
		if err := s.Gorm().WithContext(ctx).Model(&RunInfo{}).Where("round_id = ? AND n = ?", roundID, n).Count(&count).Error; err != nil {
			return fmt.Errorf("bonus: freeze run %s/%d: %w", roundID, n, err)
		}
		if count == 0 {
			return market.ErrNotFound
		}
	}
	return nil
}

// frozenRuns loads the round's frozen runs, oldest first, keeping only the lines they paid.
func frozenRuns(ctx context.Context, s *market.Store, roundID string) ([]Baseline, error) {
	var ns []int
	err := s.Gorm().WithContext(ctx).Model(&RunInfo{}).Where("round_id = ? AND frozen = ?", roundID, true).
		Order("n").Pluck("n", &ns).Error
	if err != nil {
		return nil, fmt.Errorf("bonus: find frozen runs of %s: %w", roundID, err)
	}
	out := make([]Baseline, 0, len(ns))
	for _, n := range ns {
		info, res, err := LoadRun(ctx, s, roundID, n)
		if err != nil {
			return nil, err
		}
		var paid []Line
		for _, l := range res.Lines {
			if l.AmountFen > 0 {
				paid = append(paid, l)
			}
		}
		out = append(out, Baseline{N: info.N, InputHash: info.InputHash, Lines: paid, Clawbacks: res.Clawbacks})
	}
	return out, nil
}
