package web

// Uploading patents as CSV or XLSX: the same reader and importer as `patentwall import patents`
// (imports.Read, imports.ImportPatents), so the rules and the line errors are the same. A holder may only
// import its own organisation's patents: rows naming another patentee, or application numbers registered
// to another organisation, are line errors too. Everything runs in one transaction: without "skip
// invalid" a single bad row leaves the database untouched.

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"patentwall/market"
	"patentwall/market/imports"
)

// importPage is GET /account/patents/import.
func (a *App) importPage(c *fiber.Ctx) error {
	if err := ActorOf(c).MayPublish(); err != nil {
		return err
	}
	return a.renderImport(c, fiber.StatusOK, newForm(Lang(c), "file", "skip_invalid"), nil)
}

// importResult is what the page shows after an upload.
type importResult struct {
	Imported  bool // something was written
	Committed bool // the import ran (maybe skipping bad rows); false: nothing was written
	Report    imports.Report
	Errors    []string // every bad row, "line N: COLUMN: reason" in the page's language
	Warnings  []string
}

func (a *App) renderImport(c *fiber.Ctx, status int, f *form, res *importResult) error {
	data := pageData(c)
	data["Form"] = f
	data["Result"] = res
	data["Columns"] = strings.Join(append(append([]string(nil), imports.PatentsRequired...), imports.PatentsOptional...), ",")
	data["MaxMB"] = MaxUploadBytes >> 20
	return a.Render(c, status, "account/patent_import", data)
}

// importUpload is POST /account/patents/import (multipart: file, skip_invalid).
func (a *App) importUpload(c *fiber.Ctx) error {
	act := ActorOf(c)
	if err := act.MayPublish(); err != nil {
		return err
	}
	lang := Lang(c)
	f := newForm(lang, "file", "skip_invalid")
	f.Values["skip_invalid"] = c.FormValue("skip_invalid")
	skip := f.Checked("skip_invalid")
	fh, err := c.FormFile("file")
	if err != nil {
		f.Add(market.NewFieldError("file", "required", "请选择要上传的 CSV 或 XLSX 文件", "choose a CSV or XLSX file to upload"))
		return a.renderImport(c, fiber.StatusUnprocessableEntity, f, nil)
	}
	if fh.Size > MaxUploadBytes {
		f.Add(imports.ErrTooLarge)
		return a.renderImport(c, fiber.StatusRequestEntityTooLarge, f, nil)
	}
	file, err := fh.Open()
	if err != nil {
		return err
	}
	defer file.Close()
	table, err := imports.Read(file, filepath.Ext(fh.Filename))
	if err != nil {
		if les := imports.IsLineErrors(err); les != nil {
			res := &importResult{}
			lines := map[int]bool{}
			for _, le := range les {
				res.Errors = append(res.Errors, le.Format(lang))
				lines[le.Line] = true
			}
			res.Report.Invalid = len(lines)
			return a.renderImport(c, fiber.StatusUnprocessableEntity, f, res)
		}
		if !f.AddErr(err) {
			return err
		}
		return a.renderImport(c, fiber.StatusUnprocessableEntity, f, nil)
	}
	org, err := a.Store.OrgByID(c.UserContext(), act.OrgID)
	if err != nil {
		return err
	}
	rep, err := a.importOwnPatents(c.UserContext(), org, table, skip)
	res := &importResult{Report: rep, Committed: err == nil,
		Imported: err == nil && rep.Created+rep.Updated+rep.DeclarationsPublished+rep.DeclarationsWithdrawn > 0}
	for _, le := range rep.Errors {
		res.Errors = append(res.Errors, le.Format(lang))
	}
	for _, le := range rep.Warnings {
		res.Warnings = append(res.Warnings, le.Format(lang))
	}
	switch {
	case errors.Is(err, imports.ErrInvalidRows):
		return a.renderImport(c, fiber.StatusUnprocessableEntity, f, res)
	case err != nil && f.AddErr(err):
		return a.renderImport(c, fiber.StatusUnprocessableEntity, f, res)
	case err != nil:
		return err
	}
	if res.Imported {
		a.Nudge()
	}
	// The report is shown at once rather than after a redirect: it lists skipped lines and warnings that
	// do not fit a URL, and submitting the same file again changes nothing (imports are idempotent).
	return a.renderImport(c, fiber.StatusOK, f, res)
}

// errRolledBack ends the outer transaction of an import that must write nothing.
var errRolledBack = errors.New("web: import rolled back")

// importOwnPatents imports the rows of t that belong to org, in one transaction: rows naming another
// patentee or another organisation's application number are reported as line errors (and, without
// skip, stop the whole import). Existing rows are locked on Postgres before the check, so a concurrent
// change cannot slip in between the check and the write.
func (a *App) importOwnPatents(ctx context.Context, org *market.Organisation, t *imports.Table, skip bool) (imports.Report, error) {
	rows := t.Rows()
	var (
		rep  imports.Report
		own  []imports.LineError
		kept []imports.Row
	)
	err := a.Store.Tx(ctx, func(tx *gorm.DB) error {
		own, kept = nil, nil
		others, err := othersPatents(tx, a.Store.IsPostgres(), rows, org.ID)
		if err != nil {
			return err
		}
		for _, r := range rows {
			bad := false
			if u := r.Get("patentee_uscc"); u != "" {
				if canon, _, err := market.ValidateUSCC(u); err == nil && canon != org.USCC {
					own = append(own, imports.LineError{Line: r.Line, Column: "patentee_uscc",
						Reason:   "not your organisation: you can only import your own patents (" + org.USCC + ")",
						ReasonZH: "不是本单位：只能导入本单位（" + org.USCC + "）的专利"})
					bad = true
				}
			}
			if canon, err := market.NormalizeApplicationNo(r.Get("application_no")); err == nil && others[canon] {
				own = append(own, imports.LineError{Line: r.Line, Column: "application_no",
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
		// The importer opens its own transaction on the store it is given; on this one it becomes a
		// savepoint inside ours, so the ownership check and the import commit or roll back together.
		var libErr error
		rep, libErr = imports.ImportPatents(ctx, a.Store.Bound(tx, nil), sub, imports.Options{SkipInvalid: skip})
		remapLines(rep.Errors, lines)
		remapLines(rep.Warnings, lines)
		if libErr != nil && !errors.Is(libErr, imports.ErrInvalidRows) {
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
		if !skip && (len(own) > 0 || libErr != nil) {
			return errRolledBack
		}
		return nil
	})
	if errors.Is(err, errRolledBack) {
		rep.Created, rep.Updated, rep.Unchanged = 0, 0, 0
		rep.DeclarationsPublished, rep.DeclarationsReplaced, rep.DeclarationsWithdrawn, rep.DeclarationsUnchanged = 0, 0, 0, 0
		return rep, imports.ErrInvalidRows
	}
	return rep, err
}

// othersPatents returns which of the rows' application numbers belong to another organisation.
func othersPatents(tx *gorm.DB, lock bool, rows []imports.Row, orgID int64) (map[string]bool, error) {
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

// subTable rebuilds a table of the kept rows (the imports package offers no filter) and returns, for
// each line of the new table, the line of the uploaded file it came from.
func subTable(t *imports.Table, kept []imports.Row) (*imports.Table, map[int]int, error) {
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
	sub, err := imports.Read(&buf, "csv")
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

func remapLines(es []imports.LineError, lines map[int]int) {
	for i := range es {
		if l, ok := lines[es[i].Line]; ok {
			es[i].Line = l
		}
	}
}
