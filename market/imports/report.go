package imports

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"patentwall/market"
)

// Options tune an import.
type Options struct {
	// SkipInvalid imports the good rows and reports the bad ones; by default one bad row stops all.
	SkipInvalid bool
	// Progress, when set, is called as rows are processed (done of total data rows).
	Progress func(done, total int)
	// Owner, when set, restricts a patent import to the organisation's own patents (a holder's upload
	// on the site): rows naming another patentee, or an application number registered to another
	// organisation, are line errors, checked in the import's transaction.
	Owner *market.Organisation
	// Written, when set, is called inside the import's transaction after each chunk of a patent import
	// is written, with what the search documents of the patents it changed need, read through the
	// transaction (market.IndexRowsIn). The command line hands them to the search index while the
	// import goes on (docs/architecture.md §4); an error rolls the import back.
	Written func(rows []market.IndexRow) error
}

func (o Options) progress(done, total int) {
	if o.Progress != nil {
		o.Progress(done, total)
	}
}

// ErrInvalidRows means the file had bad rows (listed in the Report) and, without SkipInvalid, nothing
// was imported.
var ErrInvalidRows = errors.New("imports: the file has invalid rows; nothing was imported")

// Report says what an import did. Counts are of rows written; they are zero when nothing was imported.
type Report struct {
	Rows      int // data rows in the file
	Created   int
	Updated   int
	Unchanged int
	Invalid   int // rows not imported because of errors
	// Declarations published by patent rows (a replacement counts in both Published and Replaced),
	// withdrawn because the patent's new data no longer allow them, or left as they were.
	DeclarationsPublished int
	DeclarationsReplaced  int
	DeclarationsWithdrawn int
	DeclarationsUnchanged int
	// Errors lists every problem of every bad row, in line order; Warnings lists findings that did not
	// stop a row (USCC check characters, fees above the guideline ceilings).
	Errors   []LineError
	Warnings []LineError
}

// Summary is a one-line account for people.
func (r *Report) Summary() string {
	s := fmt.Sprintf("%d rows: %d created, %d updated, %d unchanged, %d invalid", r.Rows, r.Created, r.Updated, r.Unchanged, r.Invalid)
	if d := r.DeclarationsPublished + r.DeclarationsReplaced + r.DeclarationsWithdrawn + r.DeclarationsUnchanged; d > 0 {
		s += fmt.Sprintf("; declarations: %d published (%d replacing an older one), %d withdrawn, %d unchanged",
			r.DeclarationsPublished, r.DeclarationsReplaced, r.DeclarationsWithdrawn, r.DeclarationsUnchanged)
	}
	return s
}

// finish sorts the findings and counts the bad rows.
func (r *Report) finish() {
	sort.SliceStable(r.Errors, func(i, j int) bool { return r.Errors[i].Line < r.Errors[j].Line })
	sort.SliceStable(r.Warnings, func(i, j int) bool { return r.Warnings[i].Line < r.Warnings[j].Line })
	lines := map[int]bool{}
	for _, e := range r.Errors {
		lines[e.Line] = true
	}
	r.Invalid = len(lines)
}

// discardCounts zeroes what was counted as written when the transaction rolled back.
func (r *Report) discardCounts() {
	r.Created, r.Updated, r.Unchanged = 0, 0, 0
	r.DeclarationsPublished, r.DeclarationsReplaced, r.DeclarationsWithdrawn, r.DeclarationsUnchanged = 0, 0, 0, 0
}

// headerFailed turns an Expect error into a report.
func (r *Report) headerFailed(err error) (Report, error) {
	if es := IsLineErrors(err); es != nil {
		r.Errors = append(r.Errors, es...)
		r.finish()
		return *r, ErrInvalidRows
	}
	return *r, err
}

// splitWarning splits a stored "中文 / English" warning into its halves.
func splitWarning(w string) (zh, en string) {
	if a, b, ok := strings.Cut(w, " / "); ok {
		return a, b
	}
	return w, w
}
