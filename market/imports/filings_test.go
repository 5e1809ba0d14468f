package imports_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"patentwall/market"
	"patentwall/market/imports"
	"patentwall/market/markettest"
)

var filingHeader = []string{"filing_no", "filed_on", "kind", "patents", "licensor_uscc", "licensee_uscc", "status", "cancelled_on"}

func TestImportFilings(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s = contractStore(t, s)
		ctx := context.Background()
		o1, o2 := catUSCC(t, 1), catUSCC(t, 2)
		p1 := catAppNo(t, 2020, 1, 1)
		contracts := [][]string{{"IMP-1", "open_licence", p1, o1, o2, "2022-03-01", "2022-03-02", "0", "F-001", "2022-04-01", "effective"}}
		if _, err := imports.ImportContracts(ctx, s, catTable(t, catCSVText(t, contractHeader, contracts)), imports.Options{}); err != nil {
			t.Fatal(err)
		}
		// F-001 is IMP-1's filing; F-900 is a deal made elsewhere, between parties and on a patent the
		// platform does not know.
		elsewhere := catAppNo(t, 2019, 2, 77)
		rows := [][]string{
			{"F-001", "2022-04-01", "open_licence", "ZL" + p1, o1, o2, "effective", ""},
			{"F-900", "2022-05-01", "transfer", elsewhere, catUSCC(t, 500), catUSCC(t, 501), "effective", ""},
		}
		rep, err := imports.ImportFilings(ctx, s, catTable(t, catCSVText(t, filingHeader, rows)), imports.Options{})
		if err != nil || rep.Created != 2 || len(rep.Errors) != 0 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		if len(rep.Warnings) != 1 || rep.Warnings[0].Line != 3 || rep.Warnings[0].Column != "filing_no" {
			t.Errorf("unmatched warnings %+v, want line 3 only", rep.Warnings)
		}
		un, err := imports.UnmatchedFilings(ctx, s)
		if err != nil || len(un) != 1 || un[0].FilingNo != "F-900" || un[0].Patents != elsewhere {
			t.Fatalf("unmatched %+v %v", un, err)
		}
		var f market.Filing
		if err := s.Gorm().Where("filing_no = ?", "F-001").Take(&f).Error; err != nil || f.Patents != p1 || f.LicensorUSCC != o1 || f.FiledOn.String() != "2022-04-01" {
			t.Fatalf("F-001 %+v %v", f, err)
		}

		rep, err = imports.ImportFilings(ctx, s, catTable(t, catCSVText(t, filingHeader, rows)), imports.Options{})
		if err != nil || rep.Unchanged != 2 || rep.Created+rep.Updated != 0 {
			t.Fatalf("re-import: %+v %v", rep, err)
		}
		// a newer list: F-001 cancelled since
		rows[0][6], rows[0][7] = "cancelled", "2022-11-30"
		rep, err = imports.ImportFilings(ctx, s, catTable(t, catCSVText(t, filingHeader, rows)), imports.Options{})
		if err != nil || rep.Updated != 1 || rep.Unchanged != 1 {
			t.Fatalf("newer list: %+v %v", rep, err)
		}
		if err := s.Gorm().Where("filing_no = ?", "F-001").Take(&f).Error; err != nil || f.Status != "cancelled" || f.CancelledOn.String() != "2022-11-30" {
			t.Fatalf("F-001 after cancellation %+v %v", f, err)
		}
	})
}

func TestImportFilingsBadRows(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s = catStore(t, s, 0)
		ctx := context.Background()
		o1, o2, p1 := catUSCC(t, 1), catUSCC(t, 2), catAppNo(t, 2020, 1, 1)
		good := []string{"F-1", "2022-04-01", "ordinary_licence", p1, o1, o2, "effective", ""}
		with := func(no string, i int, v string) []string { r := slices.Clone(good); r[0], r[i] = no, v; return r }
		rows := [][]string{
			good,                            // line 2
			with("F-2", 6, "revoked"),       // line 3: status
			with("F-3", 7, "2022-05-01"),    // line 4: cancelled_on on an effective filing
			with("F-4", 1, ""),              // line 5: filed_on required
			with("F-5", 3, "2020100000001"), // line 6: patents
			with("F-6", 2, "pledge"),        // line 7: kind
			with("F-1", 1, "2022-04-02"),    // line 8: duplicate filing_no
			with("F-8", 4, "ABC"),           // line 9: licensor_uscc
			with("F-9", 1, "2022/04/01"),    // line 10: filed_on
			{"F-10", "2022-04-01", "transfer", p1, o1, o2, "cancelled", "2022-03-01"}, // line 11: cancelled before filed
		}
		text := catCSVText(t, filingHeader, rows)
		rep, err := imports.ImportFilings(ctx, s, catTable(t, text), imports.Options{})
		if !errors.Is(err, imports.ErrInvalidRows) {
			t.Fatalf("err %v", err)
		}
		want := []string{"line 3: status", "line 4: cancelled_on", "line 5: filed_on", "line 6: patents", "line 7: kind",
			"line 8: filing_no", "line 9: licensor_uscc", "line 10: filed_on", "line 11: cancelled_on"}
		if got := catErrLines(rep.Errors); !slices.Equal(got, want) {
			t.Errorf("errors %v, want %v", got, want)
		}
		if n := catCount(t, s, &market.Filing{}, ""); n != 0 {
			t.Fatalf("%d filings stored after a failed import", n)
		}
		rep, err = imports.ImportFilings(ctx, s, catTable(t, text), imports.Options{SkipInvalid: true})
		if err != nil || rep.Created != 1 || rep.Invalid != 9 {
			t.Fatalf("skip invalid: %+v %v", rep, err)
		}
	})
}
