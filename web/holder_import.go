package web

// Uploading patents as CSV or XLSX: the same reader and importer as `patentwall import patents`
// (imports.Read, imports.ImportPatents), so the rules and the line errors are the same. A holder may only
// import its own organisation's patents (imports.Options.Owner): rows naming another patentee, or
// application numbers registered to another organisation, are line errors too. Everything runs in one
// transaction: without "skip invalid" a single bad row leaves the database untouched.

import (
	"errors"
	"path/filepath"
	"strings"

	"github.com/gofiber/fiber/v2"

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
	rep, err := imports.ImportPatents(c.UserContext(), a.Store, table, imports.Options{SkipInvalid: skip, Owner: org})
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
	// The report is shown at once rather than after a redirect: it lists skipped lines and warnings that
	// do not fit a URL, and submitting the same file again changes nothing (imports are idempotent).
	return a.renderImport(c, fiber.StatusOK, f, res)
}
