package imports_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"patentwall/market"
	"patentwall/market/imports"
	"patentwall/market/markettest"
)

// catPatentFile is five patents: four publish declarations of every fee mode, one is pending.
func catPatentFile(t testing.TB) [][]string {
	return [][]string{
		catPatentRow(t, 1, map[string]string{"fee_model": "free", "term_months": "24"}),
		catPatentRow(t, 2, map[string]string{"application_no": catAppNo(t, 2021, 2, 2), "filing_date": "2021-04-01", "grant_date": "2021-12-01",
			"fee_model": "lump_sum", "fee_yuan": "5000.50", "term_months": "36", "evaluation_report_no": "PJ-1", "ipc": "H01M10/052"}),
		catPatentRow(t, 3, map[string]string{"application_no": catAppNo(t, 2022, 3, 3), "type": "design", "filing_date": "2022-01-05",
			"grant_date": "2022-06-01", "fee_model": "royalty", "royalty_percent": "5.25", "term_months": "48", "evaluation_report_no": "PJ-2", "ipc": ""}),
		catPatentRow(t, 4, map[string]string{"application_no": catAppNo(t, 2023, 1, 4), "filing_date": "2023-02-02", "grant_date": "", "status": "pending"}),
		catPatentRow(t, 5, map[string]string{"patentee_uscc": catUSCC(t, 2), "fee_model": "entry_plus_royalty", "entry_fee_yuan": "30000000",
			"royalty_percent": "3", "term_months": "60"}),
	}
}

type catState struct{ patents, decls, live, outbox int64 }

func catStateOf(t testing.TB, s *market.Store) catState {
	return catState{
		patents: catCount(t, s, &market.Patent{}, ""),
		decls:   catCount(t, s, &market.Declaration{}, ""),
		live:    catCount(t, s, &market.Declaration{}, "status = ?", market.DeclLive),
		outbox:  catCount(t, s, &market.OutboxRow{}, ""),
	}
}

func TestImportPatentsRoundTrip(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s = catStore(t, s, 2)
		ctx := context.Background()
		rows := catPatentFile(t)
		text := catCSVText(t, catPatentHeader, rows)
		var progress []int
		rep, err := imports.ImportPatents(ctx, s, catTable(t, text), imports.Options{Progress: func(done, total int) {
			if total != 5 {
				t.Errorf("progress total %d", total)
			}
			progress = append(progress, done)
		}})
		if err != nil {
			t.Fatalf("import: %v (%+v)", err, rep.Errors)
		}
		if rep.Created != 5 || rep.DeclarationsPublished != 4 || rep.Invalid != 0 || len(progress) == 0 || progress[len(progress)-1] != 5 {
			t.Fatalf("report %+v, progress %v", rep, progress)
		}
		if len(rep.Warnings) != 1 || rep.Warnings[0].Line != 6 || rep.Warnings[0].Column != "entry_fee_yuan" {
			t.Errorf("warnings %+v", rep.Warnings)
		}
		if st := catStateOf(t, s); st != (catState{patents: 5, decls: 4, live: 4, outbox: 5}) {
			t.Errorf("state %+v", st)
		}
		p1, err := s.PatentByApplicationNo(ctx, rows[0][0])
		if err != nil {
			t.Fatal(err)
		}
		if p1.Type != market.TypeInvention || p1.IPC != "G06F 16/9535;H04L 9/32" || p1.Patentee.USCC != catUSCC(t, 1) ||
			p1.Declaration == nil || p1.Declaration.FeeModel != "free" || p1.Declaration.TermMonths != 24 {
			t.Errorf("patent 1: %+v / %+v", p1.Patent, p1.Declaration)
		}
		p2, _ := s.PatentByApplicationNo(ctx, rows[1][0])
		if p2.Type != market.TypeUtilityModel || p2.Declaration.FeeFen != 500050 || p2.Declaration.EvaluationReportNo != "PJ-1" {
			t.Errorf("patent 2: %+v / %+v", p2.Patent, p2.Declaration)
		}
		p3, _ := s.PatentByApplicationNo(ctx, rows[2][0])
		if p3.Type != market.TypeDesign || p3.Declaration.RoyaltyBP != 525 || p3.Declaration.RoyaltyBase != market.RoyaltyOnNetSales {
			t.Errorf("patent 3: %+v / %+v", p3.Patent, p3.Declaration)
		}
		p5, _ := s.PatentByApplicationNo(ctx, rows[4][0])
		if p5.Declaration.EntryFeeFen != 3000000000 || p5.Declaration.Warnings == "" || p5.Patentee.USCC != catUSCC(t, 2) {
			t.Errorf("patent 5: %+v", p5.Declaration)
		}

		// The same file, 400 days later: nothing changes, even though the terms are now judged from the
		// day they were published.
		s.Now = markettest.NewClock(catNow.AddDate(0, 0, 400)).Now
		before := catStateOf(t, s)
		rep, err = imports.ImportPatents(ctx, s, catTable(t, text), imports.Options{})
		if err != nil || rep.Unchanged != 5 || rep.Created+rep.Updated != 0 || rep.DeclarationsUnchanged != 4 ||
			rep.DeclarationsPublished+rep.DeclarationsReplaced+rep.DeclarationsWithdrawn != 0 {
			t.Fatalf("re-import: %+v, %v", rep, err)
		}
		if st := catStateOf(t, s); st != before {
			t.Errorf("re-import changed the database: %+v → %+v", before, st)
		}
		again, _ := s.PatentByApplicationNo(ctx, rows[0][0])
		if !again.UpdatedAt.Equal(p1.UpdatedAt) || again.Declaration.ID != p1.Declaration.ID {
			t.Error("an unchanged row was rewritten")
		}

		// Changed terms replace, a lapse withdraws, a new title updates.
		rows[0] = catPatentRow(t, 1, map[string]string{"fee_model": "lump_sum", "fee_yuan": "100", "term_months": "24"})
		rows[1] = catPatentRow(t, 2, map[string]string{"application_no": catAppNo(t, 2021, 2, 2), "filing_date": "2021-04-01",
			"grant_date": "2021-12-01", "status": "lapsed", "ipc": "H01M10/052"})
		rows[3][1] = "一种改名后的装置"
		rep, err = imports.ImportPatents(ctx, s, catTable(t, catCSVText(t, catPatentHeader, rows)), imports.Options{})
		if err != nil {
			t.Fatalf("changes: %v %+v", err, rep.Errors)
		}
		if rep.Updated != 2 || rep.Unchanged != 3 || rep.DeclarationsPublished != 1 || rep.DeclarationsReplaced != 1 ||
			rep.DeclarationsWithdrawn != 1 || rep.DeclarationsUnchanged != 2 {
			t.Errorf("changes: %+v", rep)
		}
		if st := catStateOf(t, s); st != (catState{patents: 5, decls: 5, live: 3, outbox: before.outbox + 3}) {
			t.Errorf("state after changes %+v", st)
		}
		hist, _ := s.DeclarationHistory(ctx, p1.ID)
		if len(hist) != 2 || hist[0].FeeFen != 10000 || hist[1].Status != market.DeclReplaced {
			t.Errorf("history of patent 1: %+v", hist)
		}
	})
}

func TestImportPatentsXLSX(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s = catStore(t, s, 2)
		f := excelize.NewFile()
		defer f.Close()
		sheet := f.GetSheetName(0)
		header := make([]any, len(catPatentHeader))
		for i, h := range catPatentHeader {
			header[i] = h
		}
		if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
			t.Fatal(err)
		}
		dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range catPatentFile(t) {
			cells := make([]any, len(r))
			for j, v := range r {
				cells[j] = v
			}
			// Dates as real date cells and the lump sum as a number, as a spreadsheet user would type them.
			if i == 1 {
				cells[6], cells[11] = 44287, 5000.5 // 2021-04-01
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.SetCellStyle(sheet, "G3", "G3", dateStyle); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		tab, err := imports.Open(catFile(t, "patents.xlsx", buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := imports.ImportPatents(context.Background(), s, tab, imports.Options{})
		if err != nil || rep.Created != 5 || rep.DeclarationsPublished != 4 {
			t.Fatalf("xlsx import: %+v, %v", rep, err)
		}
		p2, _ := s.PatentByApplicationNo(context.Background(), catAppNo(t, 2021, 2, 2))
		if p2.FilingDate.String() != "2021-04-01" || p2.Declaration.FeeFen != 500050 {
			t.Errorf("patent 2 from xlsx: %+v / %+v", p2.Patent, p2.Declaration)
		}
	})
}

func TestImportPatentsErrors(t *testing.T) {
	cases := []struct {
		name string
		set  map[string]string
		want string
	}{
		{"date in the wrong format", map[string]string{"filing_date": "2020/03/01"}, "line 3: filing_date"},
		{"bad check character", map[string]string{"application_no": "wrong check"}, "line 3: application_no"},
		{"unknown patentee", map[string]string{"patentee_uscc": "91310115MA1FL8XQ4X"}, "line 3: patentee_uscc"},
		{"malformed patentee", map[string]string{"patentee_uscc": "ABC"}, "line 3: patentee_uscc"},
		{"declaration column without fee model", map[string]string{"term_months": "12"}, "line 3: term_months"},
		{"declaring a pending patent", map[string]string{"status": "pending", "grant_date": "", "fee_model": "free", "term_months": "12"}, "line 3: status"},
		{"utility model without report", map[string]string{"application_no": "", "fee_model": "free", "term_months": "12"}, "line 3: evaluation_report_no"},
		{"type conflict", map[string]string{"type": "utility_model"}, "line 3: type"},
		{"fee with three decimals", map[string]string{"fee_model": "lump_sum", "fee_yuan": "12.345", "term_months": "12"}, "line 3: fee_yuan"},
		{"paid mode without fee", map[string]string{"fee_model": "royalty", "term_months": "12"}, "line 3: royalty_percent"},
		{"term past expiry", map[string]string{"fee_model": "free", "term_months": "300"}, "line 3: term_months"},
		{"bad IPC", map[string]string{"ipc": "G06F;Z99"}, "line 3: ipc"},
		{"unknown status", map[string]string{"status": "alive"}, "line 3: status"},
		{"several problems", map[string]string{"title": "", "grant_date": "2019-01-01"}, "line 3: title;line 3: grant_date"},
	}
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s = catStore(t, s, 2)
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				set := map[string]string{}
				for k, v := range c.set {
					set[k] = v
				}
				switch set["application_no"] {
				case "":
					if _, ok := set["application_no"]; ok {
						set["application_no"] = catAppNo(t, 2020, 2, 100+i) // a utility model
					}
				case "wrong check":
					good := catAppNo(t, 2020, 1, 100+i)
					set["application_no"] = good[:13] + map[bool]string{true: "1", false: "0"}[good[13] == '0']
				}
				rows := [][]string{catPatentRow(t, 1, map[string]string{"fee_model": "free", "term_months": "12"}), catPatentRow(t, 3, set)}
				rep, err := imports.ImportPatents(context.Background(), s, catTable(t, catCSVText(t, catPatentHeader, rows)), imports.Options{})
				if !errors.Is(err, imports.ErrInvalidRows) {
					t.Fatalf("err %v", err)
				}
				if got := strings.Join(catErrLines(rep.Errors), ";"); got != c.want {
					t.Errorf("errors %q, want %q: %+v", got, c.want, rep.Errors)
				}
				for _, e := range rep.Errors {
					if e.Reason == "" || e.ReasonZH == "" || !strings.HasPrefix(e.Error(), c.want[:len("line 3: ")]) {
						t.Errorf("bad message %+v", e)
					}
				}
				if st := catStateOf(t, s); st != (catState{}) || rep.Created != 0 {
					t.Errorf("something was written: %+v, report %+v", st, rep)
				}
			})
		}
	})
}

func TestImportPatentsFileLevelErrors(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s = catStore(t, s, 1)
		ctx := context.Background()
		good := catPatentRow(t, 1, nil)
		for _, c := range []struct {
			name, text, want string
		}{
			{"unknown column", "applicant," + strings.Join(catPatentHeader, ",") + "\n", "line 1: applicant"},
			{"missing column", "application_no,title,patentee_uscc,filing_date\n", "line 1: status"},
			{"duplicate numbers", catCSVText(t, catPatentHeader, [][]string{good, catPatentRow(t, 2, nil),
				catPatentRow(t, 1, map[string]string{"application_no": "ZL " + strings.ToLower(good[0]), "fee_model": "lump_sum", "term_months": "12"})}),
				"line 4: application_no;line 4: fee_yuan"},
		} {
			rep, err := imports.ImportPatents(ctx, s, catTable(t, c.text), imports.Options{SkipInvalid: c.name != "duplicate numbers"})
			if c.name == "duplicate numbers" && !strings.Contains(rep.Errors[0].Reason, "line 2") {
				t.Errorf("%s: %q does not name the first line", c.name, rep.Errors[0].Reason)
			}
			if !errors.Is(err, imports.ErrInvalidRows) || strings.Join(catErrLines(rep.Errors), ";") != c.want {
				t.Errorf("%s: %v %+v", c.name, err, rep.Errors)
			}
		}
		if st := catStateOf(t, s); st != (catState{}) {
			t.Errorf("something was written: %+v", st)
		}
	})
}

func TestImportPatentsAllOrNothingAcrossBatches(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s = catStore(t, s, 1)
		rows := make([][]string, 800)
		for i := range rows {
			rows[i] = catPatentRow(t, i+1, map[string]string{"fee_model": "free", "term_months": "12"})
		}
		rows[700][6] = "2020-13-01" // line 702, after the first batch was written
		text := catCSVText(t, catPatentHeader, rows)
		rep, err := imports.ImportPatents(context.Background(), s, catTable(t, text), imports.Options{})
		if !errors.Is(err, imports.ErrInvalidRows) || strings.Join(catErrLines(rep.Errors), ";") != "line 702: filing_date" {
			t.Fatalf("%v %+v", err, rep.Errors)
		}
		if st := catStateOf(t, s); st != (catState{}) || rep.Created != 0 {
			t.Errorf("first batch not rolled back: %+v, report %+v", st, rep)
		}

		rep, err = imports.ImportPatents(context.Background(), s, catTable(t, text), imports.Options{SkipInvalid: true})
		if err != nil || rep.Created != 799 || rep.Invalid != 1 || len(rep.Errors) != 1 {
			t.Fatalf("skip invalid: %+v, %v", rep, err)
		}
		if st := catStateOf(t, s); st != (catState{patents: 799, decls: 799, live: 799, outbox: 799}) {
			t.Errorf("state %+v", st)
		}
	})
}

func TestImportPatentsUsesStoredState(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s = catStore(t, s, 2)
		ctx := context.Background()
		plain := [][]string{catPatentRow(t, 1, nil), catPatentRow(t, 2, nil)}
		if _, err := imports.ImportPatents(ctx, s, catTable(t, catCSVText(t, catPatentHeader, plain)), imports.Options{}); err != nil {
			t.Fatal(err)
		}
		// Patent 1's annual fees are unpaid; patent 2 is under an exclusive licence.
		if err := s.Gorm().Model(&market.Patent{}).Where("application_no = ?", plain[0][0]).Update("fees_unpaid", true).Error; err != nil {
			t.Fatal(err)
		}
		p2, _ := s.PatentByApplicationNo(ctx, plain[1][0])
		o2, _ := s.OrgByUSCC(ctx, catUSCC(t, 2))
		c := market.Contract{ContractNo: "EX-9", Kind: market.ContractSoleLicence, Source: "import", LicensorID: p2.PatenteeID,
			LicenseeID: o2.ID, Status: market.ContractFiled, CreatedAt: catNow, UpdatedAt: catNow}
		if err := s.Gorm().Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.Gorm().Create(&market.ContractPatent{ContractID: c.ID, PatentID: p2.ID}).Error; err != nil {
			t.Fatal(err)
		}
		declared := [][]string{
			catPatentRow(t, 1, map[string]string{"fee_model": "free", "term_months": "12"}),
			catPatentRow(t, 2, map[string]string{"fee_model": "free", "term_months": "12"}),
		}
		rep, err := imports.ImportPatents(ctx, s, catTable(t, catCSVText(t, catPatentHeader, declared)), imports.Options{SkipInvalid: true})
		if err != nil || strings.Join(catErrLines(rep.Errors), ";") != "line 2: application_no;line 3: application_no" {
			t.Fatalf("%v %+v", err, rep.Errors)
		}
		if !strings.Contains(rep.Errors[0].Reason, "fees") || !strings.Contains(rep.Errors[1].Reason, "EX-9") {
			t.Errorf("reasons: %q; %q", rep.Errors[0].Reason, rep.Errors[1].Reason)
		}
		if n := catCount(t, s, &market.Declaration{}, ""); n != 0 {
			t.Errorf("%d declarations", n)
		}
	})
}
