package imports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/imports"
	"patentwall/market/markettest"
)

// Helpers for the catalogue import tests (orgs, patents); other import tests may use them too.

// catNow is noon in Shanghai on the tests' "today".
var catNow = time.Date(2025, 6, 15, 4, 0, 0, 0, time.UTC)

// catAppNo builds a valid application number from a year, a type digit and a serial.
func catAppNo(t testing.TB, year, typ, serial int) string {
	t.Helper()
	digits := fmt.Sprintf("%04d%d%07d", year, typ, serial)
	c, err := market.ApplicationCheckChar(digits)
	if err != nil {
		t.Fatal(err)
	}
	return digits + "." + string(c)
}

// catUSCC builds a Shanghai enterprise USCC passing both checks.
func catUSCC(t testing.TB, n int) string {
	t.Helper()
	body := fmt.Sprintf("%08d", n)
	c17, err := market.OrgCodeCheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	first17 := "91310115" + body + string(c17)
	c18, err := market.USCCCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c18)
}

// catCSVText renders a header and rows as CSV.
func catCSVText(t testing.TB, header []string, rows [][]string) string {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(header); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// catTable parses CSV text, failing the test on a read error.
func catTable(t testing.TB, text string) *imports.Table {
	t.Helper()
	tab, err := imports.Read(strings.NewReader(text), "csv")
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return tab
}

// catFile writes content into the test's temporary folder.
func catFile(t testing.TB, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var catOrgHeader = []string{"uscc", "name", "kind", "district", "address", "legal_rep", "phone", "email", "founded_on",
	"is_sme", "operating_normally", "good_credit"}

// catOrgRow is a valid organisation row for number n.
func catOrgRow(t testing.TB, n int) []string {
	return []string{catUSCC(t, n), fmt.Sprintf("上海测试机构%d有限公司", n), "enterprise", "浦东新区", "上海市浦东新区张江路 1 号",
		"张三", "021-6439 2000", fmt.Sprintf("ip%d@example.cn", n), "2010-05-06", "是", "1", "true"}
}

// catStore opens a store on the test clock with n organisations imported.
func catStore(t testing.TB, s *market.Store, n int) *market.Store {
	t.Helper()
	s.Now = markettest.NewClock(catNow).Now
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = catOrgRow(t, i+1)
	}
	if n > 0 {
		rep, err := imports.ImportOrgs(context.Background(), s, catTable(t, catCSVText(t, catOrgHeader, rows)), imports.Options{})
		if err != nil || rep.Created != n {
			t.Fatalf("import orgs: %+v, %v", rep, err)
		}
	}
	return s
}

var catPatentHeader = []string{"application_no", "title", "abstract", "type", "ipc", "patentee_uscc", "filing_date", "grant_date",
	"status", "industry", "fee_model", "fee_yuan", "royalty_percent", "entry_fee_yuan", "term_months", "evaluation_report_no"}

// catPatentRow is a granted invention of organisation 1 without a declaration, with fields overridden.
func catPatentRow(t testing.TB, serial int, set map[string]string) []string {
	t.Helper()
	v := map[string]string{
		"application_no": catAppNo(t, 2020, 1, serial), "title": fmt.Sprintf("一种测试装置 %d", serial),
		"abstract": "本发明公开了一种测试装置。", "ipc": "G06F 16/9535;H04L9/32", "patentee_uscc": catUSCC(t, 1),
		"filing_date": "2020-03-01", "grant_date": "2021-09-01", "status": "granted", "industry": "人工智能",
	}
	for k, x := range set {
		if !containsString(catPatentHeader, k) {
			t.Fatalf("unknown column %s", k)
		}
		v[k] = x
	}
	row := make([]string, len(catPatentHeader))
	for i, h := range catPatentHeader {
		row[i] = v[h]
	}
	return row
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// catCount counts rows of a model.
func catCount(t testing.TB, s *market.Store, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := s.Gorm().Model(model)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// catErrLines renders a report's errors as "line N: COLUMN" prefixes.
func catErrLines(es []imports.LineError) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = fmt.Sprintf("line %d: %s", e.Line, e.Column)
	}
	return out
}
