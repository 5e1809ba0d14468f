package imports_test

// Fuzz targets of the CSV and XLSX imports (docs/interfaces.md §3): arbitrary bytes as a file of each
// import kind. An import never panics; it either succeeds with no row errors, or refuses the file with
// errors naming the line (and the column when it is about one), and then the database is exactly as it
// was (all-or-nothing). One SQLite store per fuzz process, seeded with organisations and patents so that
// valid rows can be written too; the store keeps what earlier inputs imported.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"patentwall/market"
	"patentwall/market/imports"
	"patentwall/market/markettest"
)

type importKind struct {
	name               string
	required, optional []string
	run                func(context.Context, *market.Store, *imports.Table, imports.Options) (imports.Report, error)
}

var importKinds = []importKind{
	{"orgs", imports.OrgsRequired, imports.OrgsOptional, imports.ImportOrgs},
	{"patents", imports.PatentsRequired, imports.PatentsOptional, imports.ImportPatents},
	{"contracts", imports.ContractsRequired, imports.ContractsOptional, imports.ImportContracts},
	{"filings", imports.FilingsRequired, imports.FilingsOptional, imports.ImportFilings},
}

// fuzzImportStore is catStore with organisations 1-3 and patents 1-3 of organisation 1 (patent 2
// declared open), on the catalogue tests' clock.
func fuzzImportStore(tb testing.TB) *market.Store {
	s := catStore(tb, markettest.SQLite(tb), 3)
	rows := [][]string{catPatentRow(tb, 1, nil), catPatentRow(tb, 2, map[string]string{"fee_model": "free", "term_months": "24"}),
		catPatentRow(tb, 3, nil)}
	if rep, err := imports.ImportPatents(context.Background(), s, catTable(tb, catCSVText(tb, catPatentHeader, rows)), imports.Options{}); err != nil || rep.Created != 3 {
		tb.Fatalf("import patents: %+v %v", rep, err)
	}
	return s
}

// fuzzImportSeeds are valid files of each kind (as header and rows) for the corpus.
func fuzzImportSeeds(tb testing.TB) map[string][][]string {
	o1, o2, o3 := catUSCC(tb, 1), catUSCC(tb, 2), catUSCC(tb, 3)
	p1, p2, p3 := catAppNo(tb, 2020, 1, 1), catAppNo(tb, 2020, 1, 2), catAppNo(tb, 2020, 1, 3)
	return map[string][][]string{
		"orgs": {catOrgHeader, catOrgRow(tb, 4), catOrgRow(tb, 1)},
		"patents": {catPatentHeader, catPatentRow(tb, 10, nil),
			catPatentRow(tb, 11, map[string]string{"fee_model": "lump_sum", "fee_yuan": "5000", "term_months": "36"}),
			catPatentRow(tb, 12, map[string]string{"fee_model": "royalty", "royalty_percent": "3.5", "term_months": "12"})},
		"contracts": {{"contract_no", "kind", "patents", "licensor_uscc", "licensee_uscc", "signed_on", "effective_on",
			"fee_yuan", "filing_no", "filed_on", "status"},
			{"IMP-1", "open_licence", "ZL" + p1 + " ; " + strings.ToLower(p3), o1, o2, "2022-03-01", "2022-03-02", "1234.5", "F-001", "2022-04-01", "effective"},
			{"IMP-2", "ordinary_licence", p2, o1, o3, "2022-09-01", "2022-09-05", "0", "", "", "effective"}},
		"filings": {{"filing_no", "filed_on", "kind", "patents", "licensor_uscc", "licensee_uscc", "status", "cancelled_on"},
			{"F-001", "2022-04-01", "open_licence", "ZL" + p1, o1, o2, "effective", ""},
			{"F-900", "2022-05-01", "transfer", catAppNo(tb, 2019, 2, 77), catUSCC(tb, 500), catUSCC(tb, 501), "cancelled", "2023-01-01"}},
	}
}

// dbDigest hashes every row of every table: equal digests mean nothing was written.
func dbDigest(tb testing.TB, s *market.Store) [32]byte {
	tb.Helper()
	var tables []string
	if err := s.Gorm().Raw("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").Scan(&tables).Error; err != nil {
		tb.Fatal(err)
	}
	h := sha256.New()
	for _, name := range tables {
		rows, err := s.Gorm().Raw(`SELECT * FROM "` + name + `"`).Rows()
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		fmt.Fprintf(h, "table %s %q\n", name, cols)
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				tb.Fatal(err)
			}
			fmt.Fprintf(h, "%q\n", vals)
		}
		if err := rows.Err(); err != nil {
			tb.Fatal(err)
		}
		rows.Close()
	}
	var d [32]byte
	copy(d[:], h.Sum(nil))
	return d
}

// checkImport reads data as a file of the given kind and format, imports it and checks the properties.
func checkImport(t *testing.T, s *market.Store, kind importKind, format string, data []byte, opts imports.Options) {
	t.Helper()
	tab, err := imports.Read(bytes.NewReader(data), format)
	if err != nil {
		checkReadError(t, err)
		return
	}
	before := dbDigest(t, s)
	skip := opts.SkipInvalid
	rep, err := kind.run(context.Background(), s, tab, opts)
	switch {
	case err == nil:
		if len(rep.Errors) > 0 && !skip {
			t.Fatalf("%s import succeeded with row errors: %+v", kind.name, rep.Errors)
		}
		if rep.Rows != len(tab.Rows()) || rep.Created+rep.Updated+rep.Unchanged > rep.Rows {
			t.Fatalf("%s import: inconsistent report %+v for %d rows", kind.name, rep, len(tab.Rows()))
		}
	case errors.Is(err, imports.ErrInvalidRows):
		if len(rep.Errors) == 0 {
			t.Fatalf("%s import refused the file without naming a row: %+v", kind.name, rep)
		}
		if rep.Created+rep.Updated+rep.Unchanged != 0 {
			t.Fatalf("%s import refused the file but counts writes: %+v", kind.name, rep)
		}
		if after := dbDigest(t, s); after != before {
			t.Fatalf("%s import refused the file but changed the database (errors %v)", kind.name, rep.Errors)
		}
	default:
		var fe *market.FieldError
		if !errors.As(err, &fe) || fe.Code == "" || fe.MessageZH == "" || fe.MessageEN == "" {
			t.Fatalf("%s import: unexpected error %T: %v", kind.name, err, err)
		}
		if after := dbDigest(t, s); after != before {
			t.Fatalf("%s import failed (%v) but changed the database", kind.name, err)
		}
	}
	// Invalid counts the lines with errors (the header's line 1 too, when it is the problem).
	bad := map[int]bool{}
	for _, e := range rep.Errors {
		bad[e.Line] = true
	}
	if rep.Invalid != len(bad) {
		t.Fatalf("%s import: %d invalid, but errors on %d lines: %+v", kind.name, rep.Invalid, len(bad), rep.Errors)
	}
	lines := map[int]bool{1: true}
	for _, r := range tab.Rows() {
		lines[r.Line] = true
	}
	columns := append(append(slices.Clone(kind.required), kind.optional...), tab.Header...)
	for _, e := range append(slices.Clone(rep.Errors), rep.Warnings...) {
		if !lines[e.Line] || e.Reason == "" || e.ReasonZH == "" {
			t.Fatalf("%s import: finding %+v names no line of the file or lacks a reason", kind.name, e)
		}
		if e.Column != "" && !slices.Contains(columns, e.Column) {
			t.Fatalf("%s import: finding %+v names a column that is not one of the file's (%q)", kind.name, e, columns)
		}
	}
}

// checkReadError: a file that is not a table is refused as a whole (a FieldError on "file") or with
// line errors.
func checkReadError(t *testing.T, err error) {
	t.Helper()
	if es := imports.IsLineErrors(err); es != nil {
		for _, e := range es {
			if e.Line < 1 || e.Reason == "" || e.ReasonZH == "" {
				t.Fatalf("read: line error without line or reason: %+v", e)
			}
		}
		return
	}
	var fe *market.FieldError
	if !errors.As(err, &fe) || fe.Field != "file" || fe.Code == "" || fe.MessageZH == "" || fe.MessageEN == "" {
		t.Fatalf("read: unexpected error %T: %v", err, err)
	}
}

// fuzzOptions are the import's options from the fuzz bits: bit 0 imports the valid rows and reports the
// others (SkipInvalid); bit 1 makes a patents import a holder's own upload (organisation 1, as on the site).
func fuzzOptions(tb testing.TB, s *market.Store, bits uint8) imports.Options {
	opts := imports.Options{SkipInvalid: bits&1 != 0}
	if bits&2 != 0 {
		o, err := s.OrgByUSCC(context.Background(), catUSCC(tb, 1))
		if err != nil {
			tb.Fatal(err)
		}
		opts.Owner = o
	}
	return opts
}

// FuzzImportCSV imports arbitrary bytes as a CSV file of each kind (kind selects one; the IPC scheme is
// the fifth, a TSV file read by market.Store.ImportIPCScheme).
func FuzzImportCSV(f *testing.F) {
	s := fuzzImportStore(f)
	for i, k := range importKinds {
		seed := fuzzImportSeeds(f)[k.name]
		f.Add(uint8(i), uint8(0), []byte(catCSVText(f, seed[0], seed[1:])))
		f.Add(uint8(i), uint8(1), []byte(catCSVText(f, seed[0], seed[1:])))
		f.Add(uint8(i), uint8(2), []byte(catCSVText(f, seed[0], seed[1:])))
		f.Add(uint8(i), uint8(0), []byte("\uFEFF"+strings.Join(seed[0], ",")+"\n"+strings.Join(seed[1], ",")+"\n\n,,,\n"))
	}
	f.Add(uint8(4), uint8(0), []byte("code\tlevel\ttitle_zh\ttitle_en_short\nG\tsection\t物理\tPHYSICS\nG06F16/95\tgroup\t检索\tRetrieval\n"))
	f.Add(uint8(4), uint8(0), []byte("code\ttitle_zh\nH01M\t\"电池\n"))
	f.Add(uint8(0), uint8(0), []byte("uscc,name,kind\n\"unterminated\n"))
	f.Add(uint8(1), uint8(3), []byte("application_no,title\n\xff\xfe,x\n"))
	f.Add(uint8(2), uint8(0), []byte{0xFF, 0xFE, 'a', 0})
	f.Add(uint8(3), uint8(0), []byte(""))
	f.Fuzz(func(t *testing.T, kind, bits uint8, data []byte) {
		if int(kind)%(len(importKinds)+1) == len(importKinds) {
			before := dbDigest(t, s)
			if _, err := s.ImportIPCScheme(context.Background(), bytes.NewReader(data)); err != nil {
				if after := dbDigest(t, s); after != before {
					t.Fatalf("IPC scheme import failed (%v) but changed the database", err)
				}
			}
			return
		}
		checkImport(t, s, importKinds[int(kind)%(len(importKinds)+1)], "csv", data, fuzzOptions(t, s, bits))
	})
}

// xlsxOf writes rows into the first sheet of a new workbook.
func xlsxOf(tb testing.TB, rows [][]string) []byte {
	tb.Helper()
	x := excelize.NewFile()
	defer x.Close()
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			tb.Fatal(err)
		}
		if err := x.SetSheetRow("Sheet1", cell, &vals); err != nil {
			tb.Fatal(err)
		}
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzImportXLSX imports arbitrary bytes as an XLSX file of each kind; the corpus starts from small
// valid workbooks that the fuzzer mutates.
func FuzzImportXLSX(f *testing.F) {
	s := fuzzImportStore(f)
	for i, k := range importKinds {
		seed := fuzzImportSeeds(f)[k.name]
		f.Add(uint8(i), uint8(i%4), xlsxOf(f, seed))
		// Blank rows above the header, and a value beyond the header.
		f.Add(uint8(i), uint8(0), xlsxOf(f, append([][]string{{}, {}}, append(seed, append(slices.Clone(seed[1]), "extra"))...)))
	}
	f.Add(uint8(0), uint8(0), []byte("PK\x03\x04 not really a zip"))
	f.Fuzz(func(t *testing.T, kind, bits uint8, data []byte) {
		checkImport(t, s, importKinds[int(kind)%len(importKinds)], "xlsx", data, fuzzOptions(t, s, bits))
	})
}
