package imports_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/market/imports"
	"patentwall/market/markettest"
)

var contractHeader = []string{"contract_no", "kind", "patents", "licensor_uscc", "licensee_uscc", "signed_on", "effective_on",
	"fee_yuan", "filing_no", "filed_on", "status"}

// contractStore: organisations 1–3, organisation 1 holding patents 1–3; patent 2 is declared open.
func contractStore(t *testing.T, s *market.Store) *market.Store {
	s = catStore(t, s, 3)
	rows := [][]string{catPatentRow(t, 1, nil), catPatentRow(t, 2, map[string]string{"fee_model": "free", "term_months": "24"}),
		catPatentRow(t, 3, nil)}
	if rep, err := imports.ImportPatents(context.Background(), s, catTable(t, catCSVText(t, catPatentHeader, rows)), imports.Options{}); err != nil || rep.Created != 3 {
		t.Fatalf("import patents: %+v %v", rep, err)
	}
	return s
}

func TestImportContracts(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s = contractStore(t, s)
		ctx := context.Background()
		o1, o2, o3 := catUSCC(t, 1), catUSCC(t, 2), catUSCC(t, 3)
		p1, p2, p3 := catAppNo(t, 2020, 1, 1), catAppNo(t, 2020, 1, 2), catAppNo(t, 2020, 1, 3)
		// Rows out of date order: organisation 3 licenses P2 after receiving it by transfer (line 3).
		rows := [][]string{
			{"IMP-3", "ordinary_licence", p2, o3, o2, "2022-09-01", "2022-09-05", "0", "", "", "effective"},
			{"IMP-1", "open_licence", "ZL" + p1 + " ; " + strings.ToLower(p3), o1, o2, "2022-03-01", "2022-03-02", "1234.5", "F-001", "2022-04-01", "effective"},
			{"IMP-2", "transfer", p2, o1, o3, "2022-06-01", "2022-06-10", "80000", "R-002", "2022-06-10", "effective"},
		}
		outboxBefore := catCount(t, s, &market.OutboxRow{}, "")
		rep, err := imports.ImportContracts(ctx, s, catTable(t, catCSVText(t, contractHeader, rows)), imports.Options{})
		if err != nil || rep.Created != 3 || len(rep.Errors) != 0 || rep.DeclarationsWithdrawn != 1 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		var c1 market.Contract
		if err := s.Gorm().Where("contract_no = ?", "IMP-1").Take(&c1).Error; err != nil {
			t.Fatal(err)
		}
		if c1.Source != "import" || c1.FeeFen != 123450 || c1.Status != "effective" || c1.EffectiveOn.String() != "2022-03-02" ||
			c1.FilingNo != "F-001" || c1.FiledOn.String() != "2022-04-01" || c1.SignedOn.String() != "2022-03-01" {
			t.Errorf("IMP-1 %+v", c1)
		}
		if n := catCount(t, s, &market.ContractPatent{}, "contract_id = ?", c1.ID); n != 2 {
			t.Errorf("IMP-1 covers %d patents, want 2", n)
		}
		moved, err := s.PatentByApplicationNo(ctx, p2)
		if err != nil || moved.Patentee.USCC != o3 {
			t.Fatalf("after the transfer P2 belongs to %v (%v), want organisation 3", moved, err)
		}
		if catCount(t, s, &market.OutboxRow{}, "patent_id = ?", moved.ID) == 0 {
			t.Error("the transferred patent was not queued for re-indexing")
		}
		if moved.Declaration != nil || catCount(t, s, &market.Declaration{}, "patent_id = ? AND status = ?", moved.ID, market.DeclWithdrawn) != 1 {
			t.Errorf("the assignor's declaration is still live: %+v", moved.Declaration)
		}

		// The same file again changes nothing.
		outbox := catCount(t, s, &market.OutboxRow{}, "")
		rep, err = imports.ImportContracts(ctx, s, catTable(t, catCSVText(t, contractHeader, rows)), imports.Options{})
		if err != nil || rep.Unchanged != 3 || rep.Created+rep.Updated != 0 {
			t.Fatalf("re-import: %+v %v", rep, err)
		}
		if n := catCount(t, s, &market.OutboxRow{}, ""); n != outbox || outbox <= outboxBefore {
			t.Errorf("outbox %d → %d (before the first import %d)", outbox, n, outboxBefore)
		}

		// A newer file: IMP-1 cancelled, IMP-3 filed.
		rows[1][10] = "cancelled"
		rows[0][8], rows[0][9] = "F-003", "2022-10-01"
		rep, err = imports.ImportContracts(ctx, s, catTable(t, catCSVText(t, contractHeader, rows)), imports.Options{})
		if err != nil || rep.Updated != 2 || rep.Unchanged != 1 {
			t.Fatalf("update: %+v %v", rep, err)
		}
		if err := s.Gorm().Where("contract_no = ?", "IMP-1").Take(&c1).Error; err != nil || c1.Status != "cancelled" || c1.EndedAt == nil {
			t.Errorf("IMP-1 after cancellation %+v %v", c1, err)
		}
		var c3 market.Contract
		if err := s.Gorm().Where("contract_no = ?", "IMP-3").Take(&c3).Error; err != nil || c3.FilingNo != "F-003" {
			t.Errorf("IMP-3 %+v %v", c3, err)
		}
	})
}

func TestImportContractsBadRows(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s = contractStore(t, s)
		ctx := context.Background()
		o1, o2 := catUSCC(t, 1), catUSCC(t, 2)
		p1, p2 := catAppNo(t, 2020, 1, 1), catAppNo(t, 2020, 1, 2)
		unknownOrg, unknownPatent := catUSCC(t, 99), catAppNo(t, 2020, 1, 99)
		good := []string{"OK-1", "open_licence", p1, o1, o2, "2022-03-01", "2022-03-02", "0", "", "", "effective"}
		with := func(i int, v string) []string { r := slices.Clone(good); r[i] = v; return r }
		rows := [][]string{
			good,                   // line 2
			with(3, unknownOrg),    // line 3: licensor_uscc
			with(2, unknownPatent), // line 4: patents
			{"X", "open_licence", p1, o2, catUSCC(t, 3), "2022-03-01", "2022-03-02", "0", "", "", "effective"}, // line 5: not the patentee
			with(1, "loan"),              // line 6: kind
			with(10, "filed"),            // line 7: status
			with(6, "2022-02-30"),        // line 8: effective_on
			with(7, "12.345"),            // line 9: fee_yuan
			with(0, "OK-1"),              // line 10: duplicate contract_no
			with(6, ""),                  // line 11: effective_on required
			with(2, "2020100000001.0"),   // line 12: malformed application number
			with(9, "2022-05-01"),        // line 13: filed_on without filing_no
			with(7, "-5"),                // line 14: negative fee
			with(4, o1),                  // line 15: licensee = licensor
			with(2, p2+";"+p2),           // line 16: patent listed twice
			with(4, "91310115MA1234567"), // line 17: malformed USCC
			with(0, ""),                  // line 18: contract_no required
			with(6, market.DateOf(catNow).AddDate(0, 0, 1).String()), // line 19: in the future
		}
		for i := 1; i < len(rows); i++ {
			if i != 8 { // line 10 keeps the duplicate number; the others get their own
				rows[i][0] = fmt.Sprintf("BAD-%d", i)
			}
		}
		rows[16][0] = ""
		text := catCSVText(t, contractHeader, rows)
		rep, err := imports.ImportContracts(ctx, s, catTable(t, text), imports.Options{})
		if !errors.Is(err, imports.ErrInvalidRows) {
			t.Fatalf("err %v", err)
		}
		want := []string{"line 3: licensor_uscc", "line 4: patents", "line 5: licensor_uscc", "line 6: kind", "line 7: status",
			"line 8: effective_on", "line 9: fee_yuan", "line 10: contract_no", "line 11: effective_on", "line 12: patents",
			"line 13: filing_no", "line 14: fee_yuan", "line 15: licensee_uscc", "line 16: patents", "line 17: licensee_uscc",
			"line 18: contract_no", "line 19: effective_on"}
		got := catErrLines(rep.Errors)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("missing %q in %v", w, got)
			}
		}
		for _, e := range rep.Errors {
			if e.Line == 2 {
				t.Errorf("the good row was reported: %v", e)
			}
			if e.Reason == "" || e.ReasonZH == "" {
				t.Errorf("untranslated error %+v", e)
			}
		}
		if n := catCount(t, s, &market.Contract{}, ""); n != 0 || rep.Created != 0 {
			t.Fatalf("%d contracts stored after a failed import (report %+v)", n, rep)
		}
		rep, err = imports.ImportContracts(ctx, s, catTable(t, text), imports.Options{SkipInvalid: true})
		if err != nil || rep.Created != 1 || rep.Invalid != 17 {
			t.Fatalf("skip invalid: %+v %v", rep, err)
		}
		// the same number with other parties is refused
		clash := [][]string{with(4, catUSCC(t, 3))}
		if _, err := imports.ImportContracts(ctx, s, catTable(t, catCSVText(t, contractHeader, clash)), imports.Options{}); !errors.Is(err, imports.ErrInvalidRows) {
			t.Fatalf("a changed party was accepted: %v", err)
		}
		// unknown and missing columns
		if rep, err := imports.ImportContracts(ctx, s, catTable(t, "contract_no,kind,colour\nX,open_licence,red\n"), imports.Options{}); err == nil || len(rep.Errors) == 0 {
			t.Fatalf("bad header accepted: %+v %v", rep, err)
		}
	})
}
