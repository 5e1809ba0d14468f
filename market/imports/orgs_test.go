package imports_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/market/imports"
	"patentwall/market/markettest"
)

func TestImportOrgsRoundTrip(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s = catStore(t, s, 0)
		ctx := context.Background()
		warned := catUSCC(t, 3)
		warned = warned[:17] + map[bool]string{true: "1", false: "0"}[warned[17] == '0']
		rows := [][]string{catOrgRow(t, 1), catOrgRow(t, 2), catOrgRow(t, 3)}
		rows[1][2], rows[1][3], rows[1][9], rows[1][10], rows[1][11] = "高校", "", "否", "0", "false"
		rows[2][0] = warned
		text := catCSVText(t, catOrgHeader, rows)
		rep, err := imports.ImportOrgs(ctx, s, catTable(t, text), imports.Options{})
		if err != nil || rep.Created != 3 || rep.Rows != 3 || len(rep.Errors) != 0 {
			t.Fatalf("import: %+v, %v", rep, err)
		}
		if len(rep.Warnings) != 1 || rep.Warnings[0].Line != 4 || rep.Warnings[0].Column != "uscc" || rep.Warnings[0].ReasonZH == "" {
			t.Errorf("warnings %+v", rep.Warnings)
		}
		o1, err := s.OrgByUSCC(ctx, catUSCC(t, 1))
		if err != nil {
			t.Fatal(err)
		}
		if !o1.Verified() || !o1.IsSME || !o1.SMEConfirmed || !o1.OperatingNormally || !o1.GoodCredit || o1.DistrictCode != "310115" ||
			o1.FactsSource != "import" || o1.FactsAsOf.String() != "2025-06-15" || o1.FoundedOn.String() != "2010-05-06" {
			t.Errorf("org 1: %+v", o1)
		}
		o2, _ := s.OrgByUSCC(ctx, catUSCC(t, 2))
		if o2.Kind != market.KindUniversity || o2.InShanghai() || o2.IsSME || o2.OperatingNormally || o2.GoodCredit {
			t.Errorf("org 2: %+v", o2)
		}
		o3, _ := s.OrgByUSCC(ctx, warned)
		if o3 == nil || o3.USCCWarning == "" {
			t.Errorf("org 3 lost its warning: %+v", o3)
		}

		// The same file again: nothing changes.
		s.Now = markettest.NewClock(catNow.AddDate(0, 1, 0)).Now
		rep, err = imports.ImportOrgs(ctx, s, catTable(t, text), imports.Options{})
		if err != nil || rep.Unchanged != 3 || rep.Created+rep.Updated != 0 {
			t.Fatalf("re-import: %+v, %v", rep, err)
		}
		again, _ := s.OrgByUSCC(ctx, catUSCC(t, 1))
		if !again.UpdatedAt.Equal(o1.UpdatedAt) || again.FactsAsOf != o1.FactsAsOf {
			t.Errorf("unchanged row rewritten: %v → %v", o1.UpdatedAt, again.UpdatedAt)
		}

		// A file with fewer columns updates only those.
		rep, err = imports.ImportOrgs(ctx, s, catTable(t, "uscc,name,kind\n"+catUSCC(t, 1)+",新名字,enterprise\n"), imports.Options{})
		if err != nil || rep.Updated != 1 {
			t.Fatalf("partial: %+v, %v", rep, err)
		}
		again, _ = s.OrgByUSCC(ctx, catUSCC(t, 1))
		if again.Name != "新名字" || again.DistrictCode != "310115" || !again.IsSME || again.Email != "ip1@example.cn" {
			t.Errorf("partial update: %+v", again)
		}
	})
}

func TestImportOrgsErrors(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s = catStore(t, s, 0)
		ctx := context.Background()
		bad := func(col int, v string) []string { r := catOrgRow(t, 10+col); r[col] = v; return r }
		rows := [][]string{
			catOrgRow(t, 1),
			bad(2, "club"),         // line 3 kind
			bad(3, "海淀区"),          // line 4 district
			bad(9, "maybe"),        // line 5 is_sme
			bad(8, "2010/05/06"),   // line 6 founded_on
			bad(7, "not-an-email"), // line 7 email
			bad(1, ""),             // line 8 name
			bad(0, "123"),          // line 9 uscc
			catOrgRow(t, 1),        // line 10 duplicate of line 2
			catOrgRow(t, 2),
		}
		text := catCSVText(t, catOrgHeader, rows)
		want := "line 3: kind;line 4: district;line 5: is_sme;line 6: founded_on;line 7: email;line 8: name;line 9: uscc;line 10: uscc"

		rep, err := imports.ImportOrgs(ctx, s, catTable(t, text), imports.Options{})
		if !errors.Is(err, imports.ErrInvalidRows) {
			t.Fatalf("err %v", err)
		}
		if got := strings.Join(catErrLines(rep.Errors), ";"); got != want {
			t.Errorf("errors %q\nwant   %q", got, want)
		}
		if rep.Invalid != 8 || rep.Created != 0 || catCount(t, s, &market.Organisation{}, "") != 0 {
			t.Errorf("all-or-nothing broken: %+v, %d orgs", rep, catCount(t, s, &market.Organisation{}, ""))
		}
		if !strings.Contains(rep.Errors[8-1].Reason, "line 2") {
			t.Errorf("duplicate does not name the first line: %+v", rep.Errors[7])
		}

		rep, err = imports.ImportOrgs(ctx, s, catTable(t, text), imports.Options{SkipInvalid: true})
		if err != nil || rep.Created != 2 || rep.Invalid != 8 || len(rep.Errors) != 8 {
			t.Fatalf("skip invalid: %+v, %v", rep, err)
		}
		if n := catCount(t, s, &market.Organisation{}, ""); n != 2 {
			t.Errorf("%d orgs stored, want 2", n)
		}

		// A wrong header imports nothing either.
		rep, err = imports.ImportOrgs(ctx, s, catTable(t, "uscc,name,kind,colour\n"), imports.Options{SkipInvalid: true})
		if !errors.Is(err, imports.ErrInvalidRows) || strings.Join(catErrLines(rep.Errors), ";") != "line 1: colour" {
			t.Errorf("header: %+v, %v", rep.Errors, err)
		}
	})
}
