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

// The import headers as INTERFACES.md writes them.
const (
	wantOrgHeader    = "uscc,name,kind,district,address,legal_rep,phone,email,founded_on,is_sme,operating_normally,good_credit"
	wantPatentHeader = "application_no,title,abstract,type,ipc,patentee_uscc,filing_date,grant_date,status,industry,fee_model,fee_yuan,royalty_percent,entry_fee_yuan,term_months,evaluation_report_no"
)

// interfacesDoc finds shared/INTERFACES.md above the working directory ("" when absent).
func interfacesDoc(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "shared", "INTERFACES.md")); err == nil {
			return string(b)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
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
	if doc := interfacesDoc(t); doc == "" {
		t.Log("shared/INTERFACES.md not found above the working directory: checking the copied headers only")
	} else {
		for _, h := range []string{"**orgs**: `" + wantOrgHeader + "`", "**patents**: `" + wantPatentHeader + "`"} {
			if !strings.Contains(doc, h) {
				t.Errorf("INTERFACES.md no longer says %s: update this test and WriteCSV", h)
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
