package bonus

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"patentwall/market"
)

// reviewRow is a stored decision (flag_reviews).
type reviewRow struct {
	ID             int64     `gorm:"column:id;primaryKey"`
	RoundID        string    `gorm:"column:round_id"`
	ContractNo     string    `gorm:"column:contract_no"`
	Patent         string    `gorm:"column:patent"`
	Decision       string    `gorm:"column:decision"`
	Flags          string    `gorm:"column:flags"`
	Note           string    `gorm:"column:note"`
	ReviewerUserID *int64    `gorm:"column:reviewer_user_id"`
	DecidedAt      time.Time `gorm:"column:decided_at"`
}

func (reviewRow) TableName() string { return "flag_reviews" }

func (r *reviewRow) decision() Decision {
	return Decision{ContractNo: r.ContractNo, Patent: r.Patent, Approved: r.Decision == "approved",
		Flags: ParseFlags(strings.Split(r.Flags, ";")), Note: r.Note, ReviewerUserID: r.ReviewerUserID, DecidedAt: r.DecidedAt}
}

// Decisions lists a round's review decisions.
func Decisions(ctx context.Context, s *market.Store, roundID string) ([]Decision, error) {
	var rows []reviewRow
	if err := s.Gorm().WithContext(ctx).Where("round_id = ?", roundID).Order("contract_no, patent").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("bonus: load decisions of %s: %w", roundID, err)
	}
	out := make([]Decision, len(rows))
	for i := range rows {
		out[i] = rows[i].decision()
	}
	return out, nil
}

// FlaggedLine is a line of the round's latest run that raised flags, with the decision taken on it.
type FlaggedLine struct {
	Run           int
	ContractNo    string
	Patent        string
	RecipientUSCC string
	RecipientName string
	LicenseeUSCC  string
	LicenseeName  string
	Status        Status
	Flags         Flags
	Decision      *Decision // nil = not decided yet
}

// FlaggedLines lists every flagged line of the round's latest stored run (held, approved or rejected).
func FlaggedLines(ctx context.Context, s *market.Store, roundID string) ([]FlaggedLine, error) {
	var rows []runRow
	err := s.Gorm().WithContext(ctx).Select("id, n, flagged").Where("round_id = ?", roundID).Order("n DESC").Limit(1).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("bonus: flagged lines of %s: %w", roundID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	var fj []flaggedJSON
	if err := json.Unmarshal([]byte(rows[0].Flagged), &fj); err != nil {
		return nil, fmt.Errorf("bonus: flagged lines of %s: %w", roundID, err)
	}
	ds, err := Decisions(ctx, s, roundID)
	if err != nil {
		return nil, err
	}
	byLine := make(map[string]*Decision, len(ds))
	for i := range ds {
		byLine[lineKey(ds[i].ContractNo, ds[i].Patent)] = &ds[i]
	}
	usccs := map[string]bool{}
	for _, f := range fj {
		usccs[f.RecipientUSCC], usccs[f.LicenseeUSCC] = true, true
	}
	names, err := orgNames(ctx, s, usccs)
	if err != nil {
		return nil, err
	}
	out := make([]FlaggedLine, len(fj))
	for i, f := range fj {
		st := StatusHeld
		for k, c := range statusCodes {
			if c == f.Status {
				st = Status(k)
			}
		}
		out[i] = FlaggedLine{Run: rows[0].N, ContractNo: f.ContractNo, Patent: f.Patent, RecipientUSCC: f.RecipientUSCC,
			RecipientName: names[f.RecipientUSCC], LicenseeUSCC: f.LicenseeUSCC, LicenseeName: names[f.LicenseeUSCC],
			Status: st, Flags: ParseFlags(f.Flags), Decision: byLine[lineKey(f.ContractNo, f.Patent)]}
	}
	return out, nil
}

// HeldLines is the review queue: the latest run's lines held for review.
func HeldLines(ctx context.Context, s *market.Store, roundID string) ([]FlaggedLine, error) {
	all, err := FlaggedLines(ctx, s, roundID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, f := range all {
		if f.Status == StatusHeld {
			out = append(out, f)
		}
	}
	return out, nil
}

func orgNames(ctx context.Context, s *market.Store, usccs map[string]bool) (map[string]string, error) {
	out := map[string]string{}
	list := make([]string, 0, len(usccs))
	for u := range usccs {
		list = append(list, u)
	}
	for len(list) > 0 {
		n := min(len(list), 500)
		var rows []struct{ USCC, Name string }
		if err := s.Gorm().WithContext(ctx).Table("organisations").Select("uscc, name").Where("uscc IN ?", list[:n]).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("bonus: organisation names: %w", err)
		}
		for _, r := range rows {
			out[r.USCC] = r.Name
		}
		list = list[n:]
	}
	return out, nil
}

// Review records a reviewer's decision on a flagged line of the round's latest run, with a note. An
// approval makes the line eligible in later runs (until a new flag appears), a rejection ineligible and
// frees its slot (docs/rules.md §9.6, §9.8). A line without flags that the latest run pays may be
// rejected too (a fake deal found later): what frozen runs paid for it becomes a clawback. Deciding
// again replaces the decision. patent is "" in per-contract rounds.
func Review(ctx context.Context, s *market.Store, actor market.Actor, roundID, contractNo, patent string, approve bool, note string) (*Decision, error) {
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
	lines, err := FlaggedLines(ctx, s, roundID)
	if err != nil {
		return nil, err
	}
	var flags Flags
	found := false
	for i := range lines {
		if lines[i].ContractNo == contractNo && lines[i].Patent == patent {
			flags, found = lines[i].Flags, true
		}
	}
	if !found && !approve { // a paid line without a flag may be rejected: a fake deal found later
		if found, err = paidInLatestRun(ctx, s, roundID, contractNo, patent); err != nil {
			return nil, err
		}
	}
	if !found {
		return nil, market.Errors{fieldErr("contract_no", "not_flagged", "该条目在本轮最新一次计算中没有风险标记，也未获奖补，无需复核",
			"this line raised no flag in the round's latest run and is not paid, so there is nothing to review")}
	}
	decision := "rejected"
	if approve {
		decision = "approved"
	}
	row := reviewRow{RoundID: roundID, ContractNo: contractNo, Patent: patent, Decision: decision,
		Flags: strings.Join(flags.Codes(), ";"), Note: note, ReviewerUserID: userOf(actor),
		DecidedAt: s.Now().UTC().Truncate(time.Microsecond)}
	err = s.Gorm().WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "round_id"}, {Name: "contract_no"}, {Name: "patent"}},
		DoUpdates: clause.AssignmentColumns([]string{"decision", "flags", "note", "reviewer_user_id", "decided_at"}),
	}).Create(&row).Error
	if err != nil {
		return nil, fmt.Errorf("bonus: review %s %s %s: %w", roundID, contractNo, patent, err)
	}
	d := row.decision()
	return &d, nil
}

// paidInLatestRun reports whether the round's latest stored run pays the line.
func paidInLatestRun(ctx context.Context, s *market.Store, roundID, contractNo, patent string) (bool, error) {
	runs, err := Runs(ctx, s, roundID)
	if err != nil || len(runs) == 0 {
		return false, err
	}
	_, res, err := LoadRun(ctx, s, roundID, runs[0].N)
	if err != nil {
		return false, err
	}
	i, ok := slices.BinarySearchFunc(res.Lines, Line{ContractNo: contractNo, Patent: patent}, func(a, b Line) int { return compareLines(&a, &b) })
	return ok && res.Lines[i].Status == StatusEligible && res.Lines[i].AmountFen > 0, nil
}

// RejectedUnflagged lists the round's rejections of lines that carried no flag (paid lines found fake).
func RejectedUnflagged(ctx context.Context, s *market.Store, roundID string) ([]Decision, error) {
	ds, err := Decisions(ctx, s, roundID)
	if err != nil {
		return nil, err
	}
	out := ds[:0]
	for _, d := range ds {
		if !d.Approved && d.Flags == 0 {
			out = append(out, d)
		}
	}
	return out, nil
}
