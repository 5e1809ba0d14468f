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

// An owner's import (a holder's upload): other organisations' patents are line errors, with the file's
// line numbers, beside the importer's own; without SkipInvalid nothing is written.
func TestImportPatentsOwner(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s = catStore(t, s, 2)
		ctx := context.Background()
		owner, err := s.OrgByUSCC(ctx, catUSCC(t, 1))
		if err != nil {
			t.Fatal(err)
		}
		// Organisation 2's patent, imported by the bureau (no owner).
		theirs := catPatentRow(t, 9, map[string]string{"patentee_uscc": catUSCC(t, 2)})
		if _, err := imports.ImportPatents(ctx, s, catTable(t, catCSVText(t, catPatentHeader, [][]string{theirs})), imports.Options{}); err != nil {
			t.Fatal(err)
		}
		rows := [][]string{
			catPatentRow(t, 1, nil), // line 2: its own, good
			catPatentRow(t, 2, map[string]string{"patentee_uscc": catUSCC(t, 2)}), // line 3: names another patentee
			catPatentRow(t, 9, nil),                                                         // line 4: organisation 2's patent
			catPatentRow(t, 4, map[string]string{"status": "bogus"}),                        // line 5: the importer's error
			catPatentRow(t, 5, map[string]string{"fee_model": "free", "term_months": "24"}), // line 6: its own, good
		}
		text := catCSVText(t, catPatentHeader, rows)
		wantErrs := []string{"line 3: patentee_uscc", "line 4: application_no", "line 5: status"}
		before := catStateOf(t, s)

		rep, err := imports.ImportPatents(ctx, s, catTable(t, text), imports.Options{Owner: owner})
		if !errors.Is(err, imports.ErrInvalidRows) {
			t.Fatalf("without skipping: %v", err)
		}
		if got := catErrLines(rep.Errors); !slices.Equal(got, wantErrs) || rep.Rows != 5 || rep.Invalid != 3 ||
			rep.Created+rep.Updated+rep.Unchanged+rep.DeclarationsPublished != 0 {
			t.Errorf("without skipping: %+v, errors %v", rep, got)
		}
		if st := catStateOf(t, s); st != before {
			t.Errorf("a refused import wrote: %+v → %+v", before, st)
		}

		rep, err = imports.ImportPatents(ctx, s, catTable(t, text), imports.Options{Owner: owner, SkipInvalid: true})
		if err != nil {
			t.Fatalf("skipping: %v", err)
		}
		if got := catErrLines(rep.Errors); !slices.Equal(got, wantErrs) || rep.Rows != 5 || rep.Invalid != 3 ||
			rep.Created != 2 || rep.DeclarationsPublished != 1 {
			t.Errorf("skipping: %+v, errors %v", rep, got)
		}
		for _, r := range []struct {
			row   []string
			owner string
		}{{rows[0], catUSCC(t, 1)}, {rows[4], catUSCC(t, 1)}, {theirs, catUSCC(t, 2)}} {
			p, err := s.PatentByApplicationNo(ctx, r.row[0])
			if err != nil || p.Patentee.USCC != r.owner {
				t.Errorf("%s: %+v %v, want patentee %s", r.row[0], p, err, r.owner)
			}
		}
		if _, err := s.PatentByApplicationNo(ctx, rows[1][0]); err == nil {
			t.Error("the row naming another patentee was imported")
		}

		// A file of its own patents imports as without an owner.
		rep, err = imports.ImportPatents(ctx, s, catTable(t, catCSVText(t, catPatentHeader, [][]string{rows[0], rows[4]})), imports.Options{Owner: owner})
		if err != nil || rep.Unchanged != 2 || rep.Invalid != 0 || len(rep.Errors) != 0 {
			t.Errorf("own file: %+v %v", rep, err)
		}
	})
}
