// Package imports reads CSV and XLSX files of organisations, patents, contracts and filings
// (docs/interfaces.md §3) and stores them all-or-nothing. The CLI and the web upload form call
// the same functions; every bad row is reported with its line, column and reason.
package imports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"patentwall/market"
)

// MaxFileSize is the largest file accepted: 50 MB, about 300,000 patent rows.
const MaxFileSize int64 = 50 << 20

// Table is a file's header and data rows. Cells are trimmed; rows whose cells are all empty are dropped
// (spreadsheets leave them behind) but line numbers stay those of the file.
type Table struct {
	Header []string
	Format string // "csv" or "xlsx"
	index  map[string]int
	rows   []Row
}

// Row is one data row.
type Row struct {
	// Line is the CSV line (where the record starts) or XLSX row number; the header is line 1.
	Line  int
	cells []string
	index map[string]int
}

// Get returns the trimmed value of a column, "" when the column is absent or the cell empty.
func (r Row) Get(column string) string {
	i, ok := r.index[column]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return r.cells[i]
}

// Has reports whether the file has the column (whatever this row holds in it).
func (r Row) Has(column string) bool {
	_, ok := r.index[column]
	return ok
}

// Error builds a LineError for this row from a FieldError; column overrides fe.Field when not empty.
func (r Row) Error(column string, fe *market.FieldError) LineError {
	if column == "" {
		column = fe.Field
	}
	return LineError{Line: r.Line, Column: column, Reason: fe.MessageEN, ReasonZH: fe.MessageZH}
}

// Rows returns the data rows in file order.
func (t *Table) Rows() []Row { return t.rows }

// Has reports whether the header names the column.
func (t *Table) Has(column string) bool {
	_, ok := t.index[column]
	return ok
}

// LineError is one problem of one row, printed as `line N: COLUMN: reason`.
type LineError struct {
	Line     int
	Column   string // "" when the problem is the whole row
	Reason   string // English
	ReasonZH string
}

func (e LineError) Error() string { return e.Format("en") }

// Format renders the error in "en" or "zh".
func (e LineError) Format(lang string) string {
	reason := e.Reason
	if lang == "zh" && e.ReasonZH != "" {
		reason = e.ReasonZH
	}
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, reason)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Column, reason)
}

// LineErrors is a list of row problems; it is the error Read returns for a file it cannot read as a
// table (bad header, broken encoding).
type LineErrors []LineError

func (es LineErrors) Error() string {
	switch len(es) {
	case 0:
		return "no errors"
	case 1:
		return es[0].Error()
	}
	return fmt.Sprintf("%s (and %d more)", es[0].Error(), len(es)-1)
}

func lineErr(line int, column, en, zh string) LineError {
	return LineError{Line: line, Column: column, Reason: en, ReasonZH: zh}
}

// fileError is a problem of the whole file, as a FieldError on the "file" field so a form can show it.
func fileError(code, zh, en string) *market.FieldError {
	return market.NewFieldError("file", code, zh, en)
}

// ErrTooLarge is returned for uploads over MaxFileSize.
var ErrTooLarge = tooLarge(MaxFileSize)

// MaxLocalFileSize bounds files read from disk by the command line: an operator's own file may be
// larger than an upload (100,000 patents with abstracts are about 55 MB), but is still read into memory.
const MaxLocalFileSize int64 = 1 << 30

func tooLarge(limit int64) *market.FieldError {
	return fileError("too_large",
		fmt.Sprintf("文件超过 %d MB，请拆分后分批导入", limit>>20),
		fmt.Sprintf("the file is larger than %d MB: split it and import the parts", limit>>20))
}

// Open reads a local .csv or .xlsx file (by extension) into a Table, up to MaxLocalFileSize.
func Open(path string) (*Table, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if err := checkExt(ext); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("imports: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > MaxLocalFileSize {
		return nil, tooLarge(MaxLocalFileSize)
	}
	return read(f, ext, MaxLocalFileSize)
}

func checkExt(ext string) error {
	switch strings.TrimPrefix(strings.ToLower(ext), ".") {
	case "csv", "xlsx":
		return nil
	}
	return fileError("unsupported_type", fmt.Sprintf("不支持的文件类型“%s”：请使用 .csv（UTF-8）或 .xlsx", ext),
		fmt.Sprintf("unsupported file type %q: use .csv (UTF-8) or .xlsx", ext))
}

// Read reads a table from r; ext is "csv" or "xlsx" (a leading dot is fine). Files over MaxFileSize are
// refused with ErrTooLarge; structural problems (no header, broken UTF-8, malformed CSV, a row longer
// than the header) come back as LineErrors.
func Read(r io.Reader, ext string) (*Table, error) { return read(r, ext, MaxFileSize) }

func read(r io.Reader, ext string, limit int64) (*Table, error) {
	if err := checkExt(ext); err != nil {
		return nil, err
	}
	data, err := readAll(r, limit+1)
	if err != nil {
		return nil, fmt.Errorf("imports: read file: %w", err)
	}
	if int64(len(data)) > limit {
		if limit == MaxFileSize {
			return nil, ErrTooLarge
		}
		return nil, tooLarge(limit)
	}
	var t *Table
	if strings.TrimPrefix(strings.ToLower(ext), ".") == "xlsx" {
		t, err = readXLSX(data)
	} else {
		t, err = readCSV(data)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// readAll reads r up to max bytes. A file's size is known: its buffer is made once at that size, where
// io.ReadAll would grow (and clear) it a dozen times over for a large import, on the single core that
// reads before the writing starts.
func readAll(r io.Reader, max int64) ([]byte, error) {
	var buf bytes.Buffer
	if f, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() < max {
			buf.Grow(int(st.Size()) + bytes.MinRead) // ReadFrom wants MinRead free bytes to see EOF
		}
	}
	_, err := buf.ReadFrom(io.LimitReader(r, max))
	return buf.Bytes(), err
}

// errEmpty is returned for a file without a header row.
var errEmpty = fileError("empty", "文件为空：第一行应为表头", "the file is empty: the first line must be the header")

// build checks the header and the row lengths and indexes the columns. raw holds header first.
func build(format string, lines []int, raw [][]string) (*Table, error) {
	if len(raw) == 0 {
		return nil, errEmpty
	}
	t := &Table{Format: format, index: map[string]int{}}
	var errs LineErrors
	header := raw[0]
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	}
	// Trailing empty header cells are spreadsheet debris; inner ones are kept so that values under them
	// can be reported.
	for len(header) > 0 && strings.TrimSpace(header[len(header)-1]) == "" {
		header = header[:len(header)-1]
	}
	if len(header) == 0 {
		return nil, errEmpty
	}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		t.Header = append(t.Header, name)
		if name == "" {
			continue
		}
		if _, dup := t.index[name]; dup {
			errs = append(errs, lineErr(lines[0], name, "the column appears twice in the header", "表头中该列出现了两次"))
			continue
		}
		t.index[name] = i
	}
	for k, cells := range raw[1:] {
		line := lines[k+1]
		empty := true
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
			if cells[i] != "" {
				empty = false
				if i >= len(t.Header) {
					errs = append(errs, lineErr(line, "", fmt.Sprintf("the row has a value in column %d, but the header has only %d columns", i+1, len(t.Header)),
						fmt.Sprintf("第 %d 列有值，但表头只有 %d 列", i+1, len(t.Header))))
					break
				}
				if t.Header[i] == "" {
					errs = append(errs, lineErr(line, "", fmt.Sprintf("the row has a value in column %d, which has no name in the header", i+1),
						fmt.Sprintf("第 %d 列有值，但表头中该列没有列名", i+1)))
					break
				}
			}
		}
		if !empty {
			t.rows = append(t.rows, Row{Line: line, cells: cells, index: t.index})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return t, nil
}

// Expect checks the header: every required column must be present and every column must be required
// or optional. Problems are returned as LineErrors on line 1.
func (t *Table) Expect(required, optional []string) error {
	known := map[string]bool{}
	for _, c := range append(append([]string(nil), required...), optional...) {
		known[c] = true
	}
	var errs LineErrors
	for _, h := range t.Header {
		if h != "" && !known[h] {
			errs = append(errs, lineErr(1, h, "unknown column (expected: "+strings.Join(append(append([]string(nil), required...), optional...), ",")+")",
				"未知的列（应为："+strings.Join(append(append([]string(nil), required...), optional...), ",")+"）"))
		}
	}
	for _, c := range required {
		if _, ok := t.index[c]; !ok {
			errs = append(errs, lineErr(1, c, "required column is missing from the header", "表头缺少必需的列"))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// IsLineErrors unwraps err into LineErrors (nil when it is something else).
func IsLineErrors(err error) LineErrors {
	var es LineErrors
	if errors.As(err, &es) {
		return es
	}
	var e LineError
	if errors.As(err, &e) {
		return LineErrors{e}
	}
	return nil
}
