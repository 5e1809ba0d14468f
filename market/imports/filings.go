package imports

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"patentwall/market"
)

// Columns of the filings import: CNIPA's filing / registration list (docs/interfaces.md §3.5).
var (
	FilingsRequired = []string{"filing_no", "filed_on", "kind", "patents", "licensor_uscc", "licensee_uscc", "status"}
	FilingsOptional = []string{"cancelled_on"}
)

// Filing statuses in CNIPA's list.
const (
	FilingEffective = "effective"
	FilingCancelled = "cancelled" // 注销
)

// ImportFilings imports CNIPA's filing list for reconciliation (实绩实奖), keyed by filing number. The
// list covers deals made anywhere: unknown parties and patents are fine, and an entry that matches no
// contract is kept and reported as a warning ("unmatched"). A newer list updates an entry (typically its
// status and cancellation day); the same list again changes nothing. All-or-nothing unless
// opts.SkipInvalid.
func ImportFilings(ctx context.Context, store *market.Store, t *Table, opts Options) (Report, error) {
	rep := Report{Rows: len(t.Rows())}
	if err := t.Expect(FilingsRequired, FilingsOptional); err != nil {
		return rep.headerFailed(err)
	}
	now := store.Now().UTC().Truncate(time.Microsecond)
	type filingRow struct {
		row Row
		f   market.Filing
	}
	var good []filingRow
	seen := map[string]int{}
	opts.progress(0, rep.Rows)
	for _, row := range t.Rows() {
		var errs []LineError
		bad := func(column, en, zh string) { errs = append(errs, lineErr(row.Line, column, en, zh)) }
		f := market.Filing{FilingNo: row.Get("filing_no"), Kind: row.Get("kind"), Status: row.Get("status"), ImportedAt: now}
		checkRecordNo(bad, seen, row.Line, "filing_no", f.FilingNo, "filing number", "备案号")
		checkOneOf(bad, "kind", f.Kind, contractKinds)
		if f.Status != FilingEffective && f.Status != FilingCancelled {
			bad("status", "must be effective or cancelled", "应为 effective（有效）或 cancelled（已注销）")
		}
		var fe *market.FieldError
		if s := row.Get("filed_on"); s == "" {
			bad("filed_on", "required", "必填")
		} else if f.FiledOn, fe = ParseDate(s); fe != nil {
			errs = append(errs, row.Error("filed_on", fe))
		}
		if s := row.Get("cancelled_on"); s != "" {
			if f.Status != FilingCancelled {
				bad("cancelled_on", "must be empty unless the status is cancelled", "状态不是 cancelled 时须为空")
			} else if f.CancelledOn, fe = ParseDate(s); fe != nil {
				errs = append(errs, row.Error("cancelled_on", fe))
			} else if !f.FiledOn.IsZero() && f.CancelledOn.Before(f.FiledOn) {
				bad("cancelled_on", "is before filed_on", "早于备案日期")
			}
		}
		f.LicensorUSCC = importUSCC(row, "licensor_uscc", &errs)
		f.LicenseeUSCC = importUSCC(row, "licensee_uscc", &errs)
		f.Patents = strings.Join(importPatentList(row, &errs), ";")
		if len(errs) > 0 {
			rep.Errors = append(rep.Errors, errs...)
			continue
		}
		good = append(good, filingRow{row, f})
	}
	rep.finish()
	if len(rep.Errors) > 0 && !opts.SkipInvalid {
		return rep, ErrInvalidRows
	}
	err := store.Tx(ctx, func(tx *gorm.DB) error {
		for start := 0; start < len(good); start += batchSize {
			if err := ctx.Err(); err != nil {
				return err
			}
			chunk := good[start:min(start+batchSize, len(good))]
			nos := make([]string, len(chunk))
			for i, g := range chunk {
				nos[i] = g.f.FilingNo
			}
			var existing []market.Filing
			if err := tx.Where("filing_no IN ?", nos).Find(&existing).Error; err != nil {
				return err
			}
			byNo := map[string]*market.Filing{}
			for i := range existing {
				byNo[existing[i].FilingNo] = &existing[i]
			}
			var matched []string
			if err := tx.Model(&market.Contract{}).Where("filing_no IN ?", nos).Distinct().Pluck("filing_no", &matched).Error; err != nil {
				return err
			}
			var creates []market.Filing
			for _, g := range chunk {
				f := g.f
				if !slices.Contains(matched, f.FilingNo) {
					rep.Warnings = append(rep.Warnings, lineErr(g.row.Line, "filing_no",
						"matches no contract on the platform (kept: CNIPA's list covers deals made elsewhere too)",
						"平台上没有对应的合同（已保留：国家知识产权局的清单也包含平台外达成的交易）"))
				}
				ex := byNo[f.FilingNo]
				switch {
				case ex == nil:
					creates = append(creates, f)
				case sameFiling(ex, &f):
					rep.Unchanged++
				default:
					err := tx.Model(&market.Filing{}).Where("id = ?", ex.ID).Updates(map[string]any{
						"filed_on": f.FiledOn, "kind": f.Kind, "patents": f.Patents, "licensor_uscc": f.LicensorUSCC,
						"licensee_uscc": f.LicenseeUSCC, "status": f.Status, "cancelled_on": f.CancelledOn, "imported_at": now,
					}).Error
					if err != nil {
						return err
					}
					rep.Updated++
				}
			}
			if len(creates) > 0 {
				if err := tx.CreateInBatches(creates, market.InsertBatch(tx, 10)).Error; err != nil {
					return err
				}
				rep.Created += len(creates)
			}
			opts.progress(start+len(chunk), rep.Rows)
		}
		return nil
	})
	if err != nil {
		rep.discardCounts()
		if errors.Is(err, ErrInvalidRows) {
			return rep, err
		}
		return rep, fmt.Errorf("imports: filings: %w", err)
	}
	slices.SortStableFunc(rep.Warnings, func(a, b LineError) int { return a.Line - b.Line })
	opts.progress(rep.Rows, rep.Rows)
	return rep, nil
}

func sameFiling(a, b *market.Filing) bool {
	return a.FiledOn == b.FiledOn && a.Kind == b.Kind && a.Patents == b.Patents && a.LicensorUSCC == b.LicensorUSCC &&
		a.LicenseeUSCC == b.LicenseeUSCC && a.Status == b.Status && a.CancelledOn == b.CancelledOn
}

// UnmatchedFilings lists the entries of CNIPA's list that no contract on the platform carries, by
// filing number: deals made elsewhere, or contracts whose filing was never recorded here.
func UnmatchedFilings(ctx context.Context, store *market.Store) ([]market.Filing, error) {
	var out []market.Filing
	err := store.Gorm().WithContext(ctx).Where("NOT EXISTS (SELECT 1 FROM contracts c WHERE c.filing_no = filings.filing_no)").
		Order("filing_no").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("imports: unmatched filings: %w", err)
	}
	return out, nil
}
