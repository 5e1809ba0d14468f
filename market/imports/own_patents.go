package imports

// A holder's own upload (Options.Owner): an organisation may only import its own patents. Rows naming
// another patentee, or application numbers registered to another organisation, are line errors like any
// other; the check and the import run in one transaction, so without SkipInvalid a single bad row
// leaves the database untouched.

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"sort"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"patentwall/market"
)

// errRolledBack ends the outer transaction of an owner's import that must write nothing.
var errRolledBack = errors.New("imports: own patents: rolled back")

// importOwnPatents imports the rows of t that belong to opts.Owner, in one transaction: rows naming
// another patentee or another organisation's application number are reported as line errors (and,
// without SkipInvalid, stop the whole import). Existing rows are locked on Postgres before the check,
// so a concurrent change cannot slip in between the check and the write.
func importOwnPatents(ctx context.Context, store *market.Store, t *Table, opts Options) (Report, error) {
	org := opts.Owner
	inner := opts
	inner.Owner = nil
	rows := t.Rows()
	var (
		rep  Report
		own  []LineError
		kept []Row
	)
	err := store.Tx(ctx, func(tx *gorm.DB) error {
		own, kept = nil, nil
		others, err := othersPatents(tx, store.IsPostgres(), rows, org.ID)
		if err != nil {
			return err
		}
		for _, r := range rows {
			bad := false
			if u := r.Get("patentee_uscc"); u != "" {
				if canon, _, err := market.ValidateUSCC(u); err == nil && canon != org.USCC {
					own = append(own, LineError{Line: r.Line, Column: "patentee_uscc",
						Reason:   "not your organisation: you can only import your own patents (" + org.USCC + ")",
						ReasonZH: "不是本单位：只能导入本单位（" + org.USCC + "）的专利"})
					bad = true
				}
			}
			if canon, err := market.NormalizeApplicationNo(r.Get("application_no")); err == nil && others[canon] {
				own = append(own, LineError{Line: r.Line, Column: "application_no",
					Reason:   "this patent is registered to another organisation",
					ReasonZH: "该专利已登记在其他机构名下"})
				bad = true
			}
			if !bad {
				kept = append(kept, r)
			}
		}
		sub, lines, err := subTable(t, kept)
		if err != nil {
			return err
		}
		// The import opens its own transaction on the store it is given; on this one it becomes a
		// savepoint inside ours, so the ownership check and the import commit or roll back together.
		var libErr error
		rep, libErr = ImportPatents(ctx, store.Bound(tx, nil), sub, inner)
		remapLines(rep.Errors, lines)
		remapLines(rep.Warnings, lines)
		if libErr != nil && !errors.Is(libErr, ErrInvalidRows) {
			return libErr
		}
		rep.Rows = len(rows)
		rep.Errors = append(rep.Errors, own...)
		sort.SliceStable(rep.Errors, func(i, j int) bool { return rep.Errors[i].Line < rep.Errors[j].Line })
		badLines := map[int]bool{}
		for _, e := range rep.Errors {
			badLines[e.Line] = true
		}
		rep.Invalid = len(badLines)
		if !opts.SkipInvalid && (len(own) > 0 || libErr != nil) {
			return errRolledBack
		}
		return nil
	})
	if errors.Is(err, errRolledBack) {
		rep.discardCounts()
		return rep, ErrInvalidRows
	}
	return rep, err
}

// othersPatents returns which of the rows' application numbers belong to another organisation than
// orgID, locking the patents' rows when lock is set.
func othersPatents(tx *gorm.DB, lock bool, rows []Row, orgID int64) (map[string]bool, error) {
	var nos []string
	for _, r := range rows {
		if canon, err := market.NormalizeApplicationNo(r.Get("application_no")); err == nil {
			nos = append(nos, canon)
		}
	}
	out := map[string]bool{}
	for start := 0; start < len(nos); start += 500 {
		q := tx.Model(&market.Patent{}).Select("id", "application_no", "patentee_id")
		if lock {
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
		}
		var ps []market.Patent
		if err := q.Where("application_no IN ?", nos[start:min(start+500, len(nos))]).Order("id").Find(&ps).Error; err != nil {
			return nil, err
		}
		for _, p := range ps {
			if p.PatenteeID != orgID {
				out[p.ApplicationNo] = true
			}
		}
	}
	return out, nil
}

// subTable rebuilds a table of the kept rows and returns, for each line of the new table, the line of
// the uploaded file it came from.
func subTable(t *Table, kept []Row) (*Table, map[int]int, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(t.Header); err != nil {
		return nil, nil, err
	}
	for _, r := range kept {
		cells := make([]string, len(t.Header))
		for i, h := range t.Header {
			if h != "" {
				cells[i] = r.Get(h)
			}
		}
		if err := w.Write(cells); err != nil {
			return nil, nil, err
		}
	}
	w.Flush()
	sub, err := Read(&buf, "csv")
	if err != nil {
		return nil, nil, err
	}
	lines := map[int]int{1: 1}
	for i, r := range sub.Rows() {
		if i < len(kept) {
			lines[r.Line] = kept[i].Line
		}
	}
	return sub, lines, nil
}

// remapLines gives line errors of the rebuilt table the lines of the uploaded file.
func remapLines(es []LineError, lines map[int]int) {
	for i := range es {
		if l, ok := lines[es[i].Line]; ok {
			es[i].Line = l
		}
	}
}
