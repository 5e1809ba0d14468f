package search_test

// Fuzz targets of the search query's validation (docs/interfaces.md §5.3): Normalize never panics, is
// idempotent (normalising a normalised query changes nothing), and refuses bad input with a QueryError
// naming the parameter; a saved search's query string has one canonical form.

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/search"
)

// checkQueryError fails unless err is a QueryError (errors.Is ErrBadQuery) carrying a complete
// FieldError that names a parameter.
func checkQueryError(t *testing.T, what string, err error) {
	t.Helper()
	var fe *market.FieldError
	if !errors.Is(err, search.ErrBadQuery) || !errors.As(err, &fe) {
		t.Fatalf("%s: error %T %v is not a QueryError", what, err, err)
	}
	if fe.Field == "" || fe.Code == "" || fe.MessageZH == "" || fe.MessageEN == "" {
		t.Fatalf("%s: incomplete error %+v", what, fe)
	}
}

// checkNormalized: normalising q again changes nothing.
func checkNormalized(t *testing.T, what string, q search.Query) {
	t.Helper()
	if !q.Normalized() {
		t.Fatalf("%s: Normalize returned a query not marked normalised", what)
	}
	again, err := q.Normalize()
	if err != nil {
		t.Fatalf("%s: normalising %+v again fails: %v", what, q, err)
	}
	if !reflect.DeepEqual(again, q) {
		t.Fatalf("%s: Normalize is not idempotent:\n once  %+v\n twice %+v", what, q, again)
	}
}

// checkQueryString: the canonical query string of a parsed query parses to a query with the same
// canonical string.
func checkQueryString(t *testing.T, what string, q search.Query) {
	t.Helper()
	qs := search.QueryString(q)
	back, err := search.ParseQueryString(qs)
	if err != nil {
		t.Fatalf("%s: canonical query string %q is refused: %v", what, qs, err)
	}
	if again := search.QueryString(back); again != qs {
		t.Fatalf("%s: %q → %q", what, qs, again)
	}
	checkNormalized(t, what+" (reparsed)", back)
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

func FuzzQueryNormalize(f *testing.F) {
	f.Add("锂电池", "", "invention|utility_model", "G06F 16/9535|h01m|G|G06", "新能源|人工智能", "浦东新区|310104|xuhui",
		"enterprise|university", "free|none", "", "open_licence", "", int64(500000), 2, 20)
	f.Add("", "需要电池热管理方案", "", "", "", "", "", "", "", "", "relevance", int64(-1), 0, 0)
	f.Add("  spaced  ", "", "design", "G06F16/9535(2019.01)I", "", "Pudong New Area", "", "lump_sum", "", "transfer", "fee_asc", int64(0), 1, 100)
	f.Add("x", "y", "", "", "", "", "", "", "", "", "", int64(0), 0, 0)
	f.Add("\xff", "", "patent", "Z99", "\x00", "火星区", "person", "cheap", "tiny", "gift", "oldest", int64(-5), -1, 10000)
	f.Add(strings.Repeat("长", 201), "", "", "", strings.Repeat("x", 65), "", "", "", "", "", "newest", int64(1), 1<<30, 1)
	f.Fuzz(func(t *testing.T, text, similar, types, ipc, industries, districts, kinds, fees, bands, offers, sort string,
		maxFee int64, page, perPage int) {
		q := search.Query{Text: text, Similar: similar, Types: split(types), IPC: split(ipc), Industries: split(industries),
			Districts: split(districts), HolderKinds: split(kinds), FeeModels: split(fees), PriceBands: split(bands),
			Offers: split(offers), Sort: sort, Page: page, PerPage: perPage, Facets: page%2 == 0}
		if maxFee != -1 {
			q.MaxFeeFen = &maxFee
		}
		n, err := q.Normalize()
		if err != nil {
			checkQueryError(t, "Normalize", err)
			return
		}
		checkNormalized(t, "Normalize", n)
		for _, d := range n.Districts {
			if len(d) != 6 || !strings.HasPrefix(d, "310") {
				t.Fatalf("district %q of a normalised query is not a Shanghai district code", d)
			}
		}
		for _, v := range n.IPC {
			if field, canon, err := search.IPCFilter(v); err != nil || canon != v || field != search.IPCField(v) {
				t.Fatalf("IPC filter %q of a normalised query is not canonical: %q %q %v", v, field, canon, err)
			}
		}
	})
}

func FuzzParseQueryString(f *testing.F) {
	for _, s := range []string{
		"q=电池&industry=新能源汽车", "?q=%E7%94%B5%E6%B1%A0&type=invention,design&ipc=G06F+16%2F9535&district=浦东新区",
		"max_fee_yuan=12000.50&sort=fee_desc&page=3&per_page=50&lang=en", "fee_model=none&fee_model=free&offer=transfer",
		"q=a&q=b", "max_fee_yuan=-1", "max_fee_yuan=1e3", "colour=red", "%zz", "q=%ff", "industry=,,a,,b,",
		"holder_kind=university&price_band=free", "", "&&&=", "q=" + strings.Repeat("x", 201),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := search.ParseQueryString(raw)
		if err != nil {
			checkQueryError(t, "ParseQueryString", err)
			return
		}
		checkNormalized(t, "ParseQueryString", q)
		checkQueryString(t, "ParseQueryString", q)
	})
}
