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

// Control and bidirectional-text characters in an import's free text are line errors naming the column,
// like any other invalid value, and nothing is written.
func TestImportRejectsControlCharacters(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s = catStore(t, s, 1)
		ctx := context.Background()
		orgRow := func(n, col int, v string) []string { r := catOrgRow(t, n); r[col] = v; return r }
		rows := [][]string{
			catOrgRow(t, 20),
			orgRow(21, 1, "上海\u202E司公限有技科"), // line 3 name: right-to-left override
			orgRow(22, 4, "上海市\x00浦东新区"),    // line 4 address: NUL
			orgRow(23, 5, "张\u2066三"),       // line 5 legal_rep: isolate
		}
		rep, err := imports.ImportOrgs(ctx, s, catTable(t, catCSVText(t, catOrgHeader, rows)), imports.Options{})
		if !errors.Is(err, imports.ErrInvalidRows) {
			t.Fatalf("orgs: %v", err)
		}
		if got, want := strings.Join(catErrLines(rep.Errors), ";"), "line 3: name;line 4: address;line 5: legal_rep"; got != want {
			t.Errorf("orgs errors %q, want %q: %+v", got, want, rep.Errors)
		}
		for _, e := range rep.Errors {
			if !strings.Contains(e.Reason, "not allowed") || !strings.Contains(e.ReasonZH, "不允许") {
				t.Errorf("message %+v", e)
			}
		}
		if n := catCount(t, s, &market.Organisation{}, ""); n != 1 {
			t.Errorf("%d organisations after a refused import", n)
		}

		patents := [][]string{
			catPatentRow(t, 1, nil),
			catPatentRow(t, 2, map[string]string{"title": "一种\u202E置装试测"}),            // line 3
			catPatentRow(t, 3, map[string]string{"abstract": "本发明\x00公开了一种装置。"}),      // line 4
			catPatentRow(t, 4, map[string]string{"abstract": "第一段。\n\t第二段。\r\n第三段。"}), // fine: multi-line
			catPatentRow(t, 5, map[string]string{"title": "一种测试\t装置"}),                // line 8 (the abstract above spans three lines): tab in a one-line field
		}
		rep, err = imports.ImportPatents(ctx, s, catTable(t, catCSVText(t, catPatentHeader, patents)), imports.Options{})
		if !errors.Is(err, imports.ErrInvalidRows) {
			t.Fatalf("patents: %v", err)
		}
		if got, want := strings.Join(catErrLines(rep.Errors), ";"), "line 3: title;line 4: abstract;line 8: title"; got != want {
			t.Errorf("patent errors %q, want %q: %+v", got, want, rep.Errors)
		}
		if st := catStateOf(t, s); st != (catState{}) {
			t.Errorf("something was written: %+v", st)
		}
	})
}
