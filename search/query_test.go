package search_test

import (
	"errors"
	"reflect"
	"testing"

	"patentwall/market"
	"patentwall/search"
)

// Normalize fills the defaults engines rely on, puts districts and IPC filters in canonical form, marks
// its result, and is idempotent.
func TestNormalizeDefaultsAndCanonicalForm(t *testing.T) {
	fee := int64(0)
	for _, c := range []struct {
		name string
		in   search.Query
		want search.Query
	}{
		{"browse", search.Query{}, search.Query{Sort: search.SortNewest, Page: 1, PerPage: search.DefaultPerPage}},
		{"text", search.Query{Text: "  电池 "}, search.Query{Text: "电池", Sort: search.SortRelevance, Page: 1, PerPage: search.DefaultPerPage}},
		{"blank text browses", search.Query{Text: "   "}, search.Query{Sort: search.SortNewest, Page: 1, PerPage: search.DefaultPerPage}},
		{"explicit sort kept", search.Query{Sort: search.SortRelevance, Page: 3, PerPage: 7},
			search.Query{Sort: search.SortRelevance, Page: 3, PerPage: 7}},
		{"canonical filters", search.Query{Districts: []string{"浦东新区", "310104"}, IPC: []string{"g", "h01", "g06f", "H01M4/525"}, MaxFeeFen: &fee},
			search.Query{Districts: []string{"310115", "310104"}, IPC: []string{"G", "H01", "G06F", "H01M 4/525"}, MaxFeeFen: &fee,
				Sort: search.SortNewest, Page: 1, PerPage: search.DefaultPerPage}},
		{"deepest page", search.Query{Page: search.MaxResultWindow / search.MaxPerPage, PerPage: search.MaxPerPage},
			search.Query{Sort: search.SortNewest, Page: search.MaxResultWindow / search.MaxPerPage, PerPage: search.MaxPerPage}},
	} {
		got, err := c.in.Normalize()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !got.Normalized() || c.in.Normalized() {
			t.Errorf("%s: Normalized() = %v on the result, %v on the input", c.name, got.Normalized(), c.in.Normalized())
		}
		want, _ := c.want.Normalize() // the same values, marked
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, want)
		}
		again, err := got.Normalize()
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("%s: not idempotent: %+v, %v", c.name, again, err)
		}
	}
}

// Every refusal is a user error naming the parameter, in both languages, with the API's codes.
func TestNormalizeRefusals(t *testing.T) {
	huge := 1 << 62
	for _, c := range []struct {
		name        string
		q           search.Query
		field, code string
	}{
		{"per page", search.Query{PerPage: search.MaxPerPage + 1}, "per_page", "out_of_range"},
		{"negative per page", search.Query{PerPage: -1}, "per_page", "out_of_range"},
		{"page 0 written out", search.Query{Page: -1}, "page", "out_of_range"},
		{"page past the window", search.Query{Page: search.MaxResultWindow/search.DefaultPerPage + 1}, "page", "out_of_range"},
		{"page that would overflow", search.Query{Page: huge, PerPage: search.MaxPerPage}, "page", "out_of_range"},
		{"sort", search.Query{Sort: "price"}, "sort", "unknown_value"},
		{"type", search.Query{Types: []string{"patent"}}, "type", "unknown_value"},
		{"district", search.Query{Districts: []string{"Beijing"}}, "district", "unknown_value"},
		{"ipc", search.Query{IPC: []string{"Z99"}}, "ipc", "invalid_format"},
		{"text utf-8", search.Query{Text: "\xff"}, "q", "invalid_utf8"},
		{"offer utf-8", search.Query{Offers: []string{"\xff"}}, "offer", "invalid_utf8"},
	} {
		_, err := c.q.Normalize()
		var fe *market.FieldError
		if !errors.Is(err, search.ErrBadQuery) || !errors.As(err, &fe) {
			t.Errorf("%s: err = %v, want a bad-query FieldError", c.name, err)
			continue
		}
		if fe.Field != c.field || fe.Code != c.code || fe.MessageZH == "" || fe.MessageEN == "" {
			t.Errorf("%s: %+v, want field %s code %s with both messages", c.name, fe, c.field, c.code)
		}
	}
}
