package imports_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"patentwall/market"
	"patentwall/market/imports"
)

func TestReadCSV(t *testing.T) {
	text := "\uFEFFUSCC, Name ,kind,,\r\n" +
		"a1, 甲 ,university,,\r\n" +
		"a2,\"乙\n第二行\",hospital,,\r\n" +
		"\r\n" +
		",,,,\r\n" +
		"a3,丙,bank\r\n"
	tab, err := imports.Read(strings.NewReader(text), ".CSV")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tab.Header, ",") != "uscc,name,kind" || tab.Format != "csv" {
		t.Fatalf("header %q, format %s", tab.Header, tab.Format)
	}
	var got []string
	for _, r := range tab.Rows() {
		got = append(got, strings.Join([]string{strconv.Itoa(r.Line), r.Get("uscc"), r.Get("name"), r.Get("kind"), r.Get("missing")}, "|"))
	}
	want := []string{"2|a1|甲|university|", "3|a2|乙\n第二行|hospital|", "7|a3|丙|bank|"}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("rows %q, want %q", got, want)
	}
	if !tab.Has("name") || tab.Has("district") || !tab.Rows()[0].Has("kind") {
		t.Error("Has is wrong")
	}
}

func TestReadErrors(t *testing.T) {
	cases := []struct {
		name, ext, text string
		want            string // "line N: COLUMN" list, or "file/CODE"
	}{
		{"broken UTF-8", "csv", "uscc,name\nA,甲\nB,\xd2\xd2\nC,丙\n\xff,x\n", "line 3: ;line 5: "},
		{"UTF-16", "csv", "\xff\xfeu\x00s\x00", "file/bad_encoding"},
		{"stray quote", "csv", "uscc,name\nA,甲\nB,a\"b\n", "line 3: "},
		{"unclosed quote", "csv", "uscc,name\nA,\"甲\n", "line 2: "},
		{"value beyond the header", "csv", "uscc,name\nA,甲,extra\n", "line 2: "},
		{"value under an unnamed column", "csv", "uscc,,name\nA,x,甲\n", "line 2: "},
		{"duplicate column", "csv", "uscc,name,USCC\nA,甲,B\n", "line 1: uscc"},
		{"empty", "csv", "", "file/empty"},
		{"only blank lines", "csv", "\n\n", "file/empty"},
		{"not a spreadsheet", "xlsx", "uscc,name\n", "file/bad_format"},
		{"unsupported type", "txt", "uscc\n", "file/unsupported_type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := imports.Read(strings.NewReader(c.text), c.ext)
			if err == nil {
				t.Fatal("no error")
			}
			if les := imports.IsLineErrors(err); les != nil {
				if got := strings.Join(catErrLines(les), ";"); got != c.want {
					t.Errorf("got %q, want %q", got, c.want)
				}
				for _, e := range les {
					if e.Reason == "" || e.ReasonZH == "" {
						t.Errorf("reason missing: %+v", e)
					}
				}
				return
			}
			fes := market.AsFieldErrors(err)
			if len(fes) != 1 || fes[0].Field+"/"+fes[0].Code != c.want || fes[0].MessageZH == "" {
				t.Errorf("got %v, want %s", err, c.want)
			}
		})
	}
}

// endless is an endless reader of commas, cheap to produce in any size.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ','
	}
	return len(p), nil
}

func TestReadRefusesLargeFiles(t *testing.T) {
	if _, err := imports.Read(io.LimitReader(endless{}, imports.MaxFileSize+1), "csv"); !errors.Is(err, imports.ErrTooLarge) {
		t.Errorf("Read of 50 MB + 1: %v", err)
	}
	// Open (the command line's local files) refuses by size before reading, at its own larger
	// limit: a sparse file costs no disk.
	path := filepath.Join(t.TempDir(), "big.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(imports.MaxLocalFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var fe *market.FieldError
	if _, err := imports.Open(path); !errors.As(err, &fe) || fe.Code != "too_large" || fe.Field != "file" {
		t.Errorf("Open of 1 GB + 1: %v", err)
	}
}

func TestExpect(t *testing.T) {
	tab := catTable(t, "USCC,name,colour\nA,B,C\n")
	err := tab.Expect([]string{"uscc", "name", "kind"}, []string{"district"})
	les := imports.IsLineErrors(err)
	if got := strings.Join(catErrLines(les), ";"); got != "line 1: colour;line 1: kind" {
		t.Fatalf("got %q (%v)", got, err)
	}
	if !strings.HasPrefix(les[0].Error(), "line 1: colour: unknown column") || !strings.HasPrefix(les[1].Error(), "line 1: kind: required column") {
		t.Errorf("messages: %q; %q", les[0].Error(), les[1].Error())
	}
	if err := catTable(t, "name,uscc,kind\n").Expect([]string{"uscc", "name", "kind"}, nil); err != nil {
		t.Errorf("any column order: %v", err)
	}
}

func TestReadXLSX(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetRow(sheet, "A1", &[]any{"uscc", "founded_on", "fee_yuan", "is_sme", "name"}))
	must(f.SetSheetRow(sheet, "A2", &[]any{"A1", 44260, 12.5, true, " 甲 "}))
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	must(f.SetCellStyle(sheet, "B2", "B2", dateStyle))
	must(f.SetSheetRow(sheet, "A4", &[]any{"A2", "2021-03-06", "7", "否", "乙"}))
	_, err = f.NewSheet("Other")
	must(err)
	must(f.SetSheetRow("Other", "A1", &[]any{"ignored"}))
	var buf strings.Builder
	must(f.Write(&buf))
	path := catFile(t, "orgs.xlsx", []byte(buf.String()))

	tab, err := imports.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Format != "xlsx" || strings.Join(tab.Header, ",") != "uscc,founded_on,fee_yuan,is_sme,name" {
		t.Fatalf("header %q", tab.Header)
	}
	rows := tab.Rows()
	if len(rows) != 2 || rows[0].Line != 2 || rows[1].Line != 4 {
		t.Fatalf("rows %+v", rows)
	}
	r := rows[0]
	if r.Get("founded_on") != "2021-03-05" || r.Get("fee_yuan") != "12.5" || r.Get("name") != "甲" {
		t.Errorf("row 2: %q %q %q %q", r.Get("founded_on"), r.Get("fee_yuan"), r.Get("is_sme"), r.Get("name"))
	}
	if v, fe := imports.ParseBool(r.Get("is_sme")); fe != nil || !v {
		t.Errorf("boolean cell %q: %v", r.Get("is_sme"), fe)
	}
	if fen, fe := imports.ParseYuanToFen(r.Get("fee_yuan")); fe != nil || fen != 1250 {
		t.Errorf("number cell: %d %v", fen, fe)
	}
}

func TestParsers(t *testing.T) {
	for in, want := range map[string]bool{"true": true, "TRUE": true, "1": true, "是": true, " false ": false, "0": false, "否": false, "FALSE": false} {
		if got, fe := imports.ParseBool(in); fe != nil || got != want {
			t.Errorf("ParseBool(%q) = %v, %v", in, got, fe)
		}
	}
	for _, in := range []string{"", "yes", "2", "对"} {
		if _, fe := imports.ParseBool(in); fe == nil || fe.MessageZH == "" || fe.MessageEN == "" {
			t.Errorf("ParseBool(%q) accepted", in)
		}
	}
	if d, fe := imports.ParseDate("2021-03-05"); fe != nil || d.String() != "2021-03-05" {
		t.Errorf("ParseDate: %v %v", d, fe)
	}
	for _, in := range []string{"2021/03/05", "2021-3-5", "05-03-2021", "2021-02-30", "44260", ""} {
		if _, fe := imports.ParseDate(in); fe == nil || fe.Code != "invalid_date" {
			t.Errorf("ParseDate(%q) accepted", in)
		}
	}
	for in, want := range map[string]int64{"12.5": 1250, "0": 0, "3": 300, "0.07": 7} {
		if got, fe := imports.ParseYuanToFen(in); fe != nil || got != want {
			t.Errorf("ParseYuanToFen(%q) = %d, %v", in, got, fe)
		}
	}
	for _, in := range []string{"-1", "1.234", "1e2", "1,5", "abc"} {
		if _, fe := imports.ParseYuanToFen(in); fe == nil {
			t.Errorf("ParseYuanToFen(%q) accepted", in)
		}
	}
	if got := imports.ParseList(" A ;B；; C ;"); strings.Join(got, "|") != "A|B|C" {
		t.Errorf("ParseList: %q", got)
	}
	if got := imports.ParseList(""); len(got) != 0 {
		t.Errorf("ParseList of nothing: %q", got)
	}
}
