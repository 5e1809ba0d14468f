package demo_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/market/demo"
	"patentwall/market/imports"
	"patentwall/market/markettest"
)

// The headers WriteCSV writes: every column is one the importers document (docs/interfaces.md §3.2, §3.3).
const (
	wantOrgHeader    = "uscc,name,kind,district,address,legal_rep,phone,email,founded_on,is_sme,operating_normally,good_credit"
	wantPatentHeader = "application_no,title,abstract,type,ipc,patentee_uscc,filing_date,grant_date,status,industry,fee_model,fee_yuan,royalty_percent,entry_fee_yuan,term_months,evaluation_report_no"
)

// docSection returns the text of the section of docs/interfaces.md that starts with heading, up to the
// next heading of the same level.
func docSection(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "interfaces.md"))
	if err != nil {
		t.Fatalf("read the interfaces document: %v", err)
	}
	doc := string(b)
	i := strings.Index(doc, heading)
	if i < 0 {
		t.Fatalf("docs/interfaces.md has no section %q", heading)
	}
	rest := doc[i+len(heading):]
	if j := strings.Index(rest, "\n### "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func writeCSV(t *testing.T, ds *demo.Dataset) (orgs, patents []byte) {
	t.Helper()
	var ob, pb bytes.Buffer
	if err := demo.WriteCSV(ds, &ob, &pb); err != nil {
		t.Fatal(err)
	}
	return ob.Bytes(), pb.Bytes()
}

func TestWriteCSVHeadersAndCells(t *testing.T) {
	for _, f := range []struct{ heading, header string }{
		{"### §3.2 orgs", wantOrgHeader}, {"### §3.3 patents", wantPatentHeader}} {
		sec := docSection(t, f.heading)
		documented := map[string]bool{}
		for _, m := range regexp.MustCompile("`([a-z_,]+)`").FindAllStringSubmatch(sec, -1) {
			for _, col := range strings.Split(m[1], ",") {
				documented[col] = true
			}
		}
		for _, col := range strings.Split(f.header, ",") {
			if !documented[col] {
				t.Errorf("docs/interfaces.md %s does not list the column %q that WriteCSV writes", f.heading, col)
			}
		}
	}
	ds := generate(t, demo.Options{Seed: 9, Orgs: 40, Patents: 600})
	orgs, patents := writeCSV(t, ds)
	money := regexp.MustCompile(`^\d+\.\d{2}$`)
	for _, f := range []struct {
		name   string
		data   []byte
		header string
		rows   int
	}{{"orgs.csv", orgs, wantOrgHeader, len(ds.Orgs)}, {"patents.csv", patents, wantPatentHeader, len(ds.Patents)}} {
		recs, err := csv.NewReader(bytes.NewReader(f.data)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if got := strings.Join(recs[0], ","); got != f.header {
			t.Errorf("%s header\n got %s\nwant %s", f.name, got, f.header)
		}
		if len(recs)-1 != f.rows {
			t.Errorf("%s: %d rows, want %d", f.name, len(recs)-1, f.rows)
		}
		if f.name != "patents.csv" {
			continue
		}
		for _, rec := range recs[1:] {
			for _, col := range []int{11, 12, 13} { // fee_yuan, royalty_percent, entry_fee_yuan
				if rec[col] != "" && !money.MatchString(rec[col]) {
					t.Errorf("%s: %s = %q, want two decimals", rec[0], recs[0][col], rec[col])
				}
			}
			if rec[10] == "" && strings.Join(rec[11:], "") != "" {
				t.Errorf("%s: declaration columns without a fee model: %v", rec[0], rec[10:])
			}
		}
	}
}

// TestWriteCSVImports feeds the files to the real importers: every row is accepted, without warnings, and
// the catalogue that results matches the dataset.
func TestWriteCSVImports(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		s.Now = markettest.NewClock(testNow).Now
		ds := generate(t, demo.Options{Seed: 11, Orgs: 30, Patents: 400})
		orgs, patents := writeCSV(t, ds)
		for _, f := range []struct {
			name string
			data []byte
			run  func(context.Context, *market.Store, *imports.Table, imports.Options) (imports.Report, error)
			want int
		}{{"orgs", orgs, imports.ImportOrgs, len(ds.Orgs)}, {"patents", patents, imports.ImportPatents, len(ds.Patents)}} {
			tab, err := imports.Read(bytes.NewReader(f.data), ".csv")
			if err != nil {
				t.Fatalf("read %s: %v", f.name, err)
			}
			rep, err := f.run(ctx, s, tab, imports.Options{})
			if err != nil || rep.Created != f.want || len(rep.Warnings) > 0 {
				t.Fatalf("import %s: %s; err %v; errors %v; warnings %v", f.name, rep.Summary(), err,
					rep.Errors[:min(len(rep.Errors), 5)], rep.Warnings[:min(len(rep.Warnings), 5)])
			}
			if f.name == "patents" && rep.DeclarationsPublished != len(ds.Declarations) {
				t.Errorf("%d declarations published, want %d", rep.DeclarationsPublished, len(ds.Declarations))
			}
		}
		for _, d := range ds.Declarations[:min(len(ds.Declarations), 50)] {
			p := ds.Patent(d.PatentID)
			v, err := s.PatentByApplicationNo(ctx, p.ApplicationNo)
			if err != nil || v.Declaration == nil {
				t.Fatalf("%s: %v, declaration %v", p.ApplicationNo, err, v)
			}
			want := d
			if want.RoyaltyBase == market.RoyaltyOnProfit {
				want.RoyaltyBase = market.RoyaltyOnNetSales // the CSV format has no royalty base
			}
			if !market.SameTerms(v.Declaration, &want) || v.Title != p.Title || v.Patentee.USCC != ds.Org(p.PatenteeID).USCC {
				t.Errorf("%s imported as %+v / %+v, want %+v", p.ApplicationNo, v.Patent, *v.Declaration, want)
			}
		}
	})
}
