// Package searchtest is the one suite every search engine must pass (Run), plus a quality measurement
// over real Chinese patent titles (Quality). Engines call them from their own tests with a constructor.
package searchtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/search"
)

// NewIndex returns a fresh, empty, not yet initialised index; it registers its own cleanup.
type NewIndex func(t *testing.T) search.Index

// open initialises an index and loads docs into it.
func open(t *testing.T, newIndex NewIndex, ds []search.Document) search.Index {
	t.Helper()
	ctx := context.Background()
	idx := newIndex(t)
	if _, err := idx.Init(ctx); err != nil {
		t.Fatalf("Init: %v", err)
	}
	if err := idx.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if len(ds) > 0 {
		if err := idx.Upsert(ctx, ds); err != nil {
			t.Fatalf("Upsert: %v", err)
		}
	}
	return idx
}

// Normalized returns q normalised, as every caller of Index.Search must pass it; a refused query fails
// the test.
func Normalized(t testing.TB, q search.Query) search.Query {
	t.Helper()
	n, err := q.Normalize()
	if err != nil {
		t.Fatalf("Normalize(%+v): %v", q, err)
	}
	return n
}

func mustSearch(t *testing.T, idx search.Index, q search.Query) *search.Result {
	t.Helper()
	res, err := idx.Search(context.Background(), Normalized(t, q))
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

func ids(res *search.Result) []int64 {
	out := make([]int64, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

func sorted(v []int64) []int64 {
	v = slices.Clone(v)
	slices.Sort(v)
	return v
}

// all fetches every hit of a query (the suite's corpus is small: one page of MaxPerPage).
func all(t *testing.T, idx search.Index, q search.Query) []int64 {
	t.Helper()
	q.PerPage = search.MaxPerPage
	res := mustSearch(t, idx, q)
	if res.Total != len(res.Hits) {
		t.Fatalf("%q: total %d but %d hits on one page", q.Text, res.Total, len(res.Hits))
	}
	return ids(res)
}

// Run runs the shared suite against an engine.
func Run(t *testing.T, newIndex NewIndex) {
	ds := docs()
	idx := open(t, newIndex, ds)
	t.Run("count", func(t *testing.T) {
		n, err := idx.Count(context.Background())
		if err != nil || n != len(ds) {
			t.Fatalf("Count = %d, %v; want %d", n, err, len(ds))
		}
	})
	t.Run("empty query lists all, newest first", func(t *testing.T) { testEmptyQuery(t, idx, ds) })
	t.Run("chinese", func(t *testing.T) { testChinese(t, idx, ds) })
	t.Run("english", func(t *testing.T) { testEnglish(t, idx) })
	t.Run("filters", func(t *testing.T) { testFilters(t, idx, ds) })
	t.Run("facets", func(t *testing.T) { testFacets(t, idx, ds) })
	t.Run("sort", func(t *testing.T) { testSort(t, idx, ds) })
	t.Run("pagination", func(t *testing.T) { testPagination(t, idx, ds) })
	t.Run("exclude ids", func(t *testing.T) { testExclude(t, idx, ds) })
	t.Run("highlight", func(t *testing.T) { testHighlight(t, idx) })
	t.Run("bad queries", func(t *testing.T) { testBadQueries(t, idx) })
	t.Run("similar text and ID lists", func(t *testing.T) { testSimilar(t, idx) })
	t.Run("upsert, delete, reset", func(t *testing.T) { testMutations(t, newIndex) })
}

func byListedDesc(ds []search.Document) []int64 {
	c := slices.Clone(ds)
	sort.SliceStable(c, func(i, j int) bool {
		if !c[i].ListedAt.Equal(c[j].ListedAt) {
			return c[i].ListedAt.After(c[j].ListedAt)
		}
		return c[i].ID > c[j].ID
	})
	out := make([]int64, len(c))
	for i, d := range c {
		out[i] = d.ID
	}
	return out
}

// testExclude: ExcludeIDs leaves those patents out, with and without text and filters, and the total
// counts only what is left.
func testExclude(t *testing.T, idx search.Index, ds []search.Document) {
	every := byListedDesc(ds)
	drop := []int64{every[0], every[2], every[len(every)-1]}
	got := all(t, idx, search.Query{ExcludeIDs: drop})
	want := slices.DeleteFunc(slices.Clone(every), func(id int64) bool { return slices.Contains(drop, id) })
	if !slices.Equal(got, want) {
		t.Fatalf("exclude %v: got %v, want %v", drop, got, want)
	}
	withText := all(t, idx, search.Query{Text: "电池"})
	if len(withText) < 2 {
		t.Fatalf("fixture: %d hits for 电池", len(withText))
	}
	got = all(t, idx, search.Query{Text: "电池", ExcludeIDs: withText[:1]})
	if !slices.Equal(sorted(got), sorted(withText[1:])) {
		t.Fatalf("text and exclude: got %v, want %v", got, withText[1:])
	}
}

func testEmptyQuery(t *testing.T, idx search.Index, ds []search.Document) {
	got := all(t, idx, search.Query{})
	if want := byListedDesc(ds); !slices.Equal(got, want) {
		t.Fatalf("empty query: got %v, want %v", got, want)
	}
	res := mustSearch(t, idx, search.Query{})
	if res.Total != len(ds) || len(res.Hits) != search.DefaultPerPage && len(res.Hits) != len(ds) {
		t.Fatalf("default page: total %d, %d hits", res.Total, len(res.Hits))
	}
	for _, h := range res.Hits {
		if h.ApplicationNo == "" {
			t.Fatalf("hit %d has no application number", h.ID)
		}
	}
}

func testChinese(t *testing.T, idx search.Index, ds []search.Document) {
	cases := []struct {
		text     string
		mustHave []int64 // spelled out, so the oracle cannot hide a mistake
		mustNot  []int64
	}{
		{"电", []int64{1, 2, 10}, []int64{3, 5}}, // one character finds 锂电池, 电池, 电动机
		{"池", []int64{1, 2}, nil},               // the last character of a run too
		{"电池", []int64{1, 2}, []int64{10}},      // two characters find 锂电池
		{"锂电池", []int64{1}, []int64{2}},         // 锂电池 is not found by 电池 alone
		{"无人机", []int64{3, 14}, nil},            // title and abstract
		{"图像识别", []int64{4}, nil},
		{"中药", []int64{5}, nil},
		{"光伏", []int64{9}, nil},
		{"芯片", []int64{12}, nil},
		{"传感器", []int64{8}, nil},
		{"机器人", []int64{11}, nil},
		{"上海交通大学", []int64{1}, nil},                       // patentee name
		{"图像或视频识别", []int64{4, 7}, nil},                   // IPC title
		{"锂电池 正极", []int64{1}, nil},                       // two words: AND
		{"电池 无人机", nil, []int64{1, 2, 3, 14}},             // AND: nothing has both
		{"电池 方法", []int64{1, 2}, nil},                     // 方法 is common: does not narrow or drown
		{"一种电池", []int64{1, 2}, nil},                      // leading 一种 dropped
		{"方法", []int64{1, 3, 4, 14, 15}, []int64{12, 13}}, // only common words: still a query
		{"一种 装置", []int64{9, 10, 16}, nil},
		{"锂电池，正极！", []int64{1}, nil}, // punctuation separates
		{"量子纠缠", nil, ds2ids(ds)},
	}
	for _, c := range cases {
		want := expectHan(ds, c.text, nil)
		got := sorted(all(t, idx, search.Query{Text: c.text}))
		if !slices.Equal(got, want) {
			t.Errorf("%q: got %v, want %v", c.text, got, want)
		}
		for _, id := range c.mustHave {
			if !slices.Contains(got, id) {
				t.Errorf("%q: missing %d", c.text, id)
			}
		}
		for _, id := range c.mustNot {
			if slices.Contains(got, id) {
				t.Errorf("%q: must not find %d", c.text, id)
			}
		}
	}
	// Common words rank: with 方法 the patent that has both words comes first.
	if got := all(t, idx, search.Query{Text: "电池 方法"}); len(got) == 0 || got[0] != 1 {
		t.Errorf("电池 方法: %v, want 1 first", got)
	}
	// The application number finds its patent, in any accepted spelling.
	for _, text := range []string{"202010566088.9", "ZL202010566088.9"} {
		if got := all(t, idx, search.Query{Text: text}); !slices.Equal(got, []int64{1}) {
			t.Errorf("%q: got %v, want [1]", text, got)
		}
	}
}

func ds2ids(ds []search.Document) []int64 {
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

func testEnglish(t *testing.T, idx search.Index) {
	cases := []struct {
		text string
		want []int64
	}{
		{"lithium", []int64{6}},
		{"Lithium battery", []int64{6}},
		{"separator", []int64{6}},
		{"image recognition", []int64{4, 7}},
		{"IMAGE", []int64{4, 7}},
		{"method for image recognition", []int64{4, 7}}, // method, for: common
		{"neural network", []int64{7}},
		{"autonomous battery", nil},
		{"5G", []int64{13}},
		{"5g", []int64{13}},
		{"5G基站", []int64{13}},
		{"5G 锂电池", nil},
	}
	for _, c := range cases {
		if got := sorted(all(t, idx, search.Query{Text: c.text})); !slices.Equal(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.text, got, c.want)
		}
	}
}

func testFilters(t *testing.T, idx search.Index, ds []search.Document) {
	fee := func(v int64) *int64 { return &v }
	has := func(list []string, v string) bool { return slices.Contains(list, v) }
	hasPrefix := func(list []string, p string) bool {
		return slices.ContainsFunc(list, func(v string) bool { return strings.HasPrefix(v, p) })
	}
	cases := []struct {
		name string
		q    search.Query
		keep func(d search.Document) bool
	}{
		{"type", search.Query{Types: []string{"utility_model"}}, func(d search.Document) bool { return d.Type == "utility_model" }},
		{"two types", search.Query{Types: []string{"utility_model", "design"}}, func(d search.Document) bool { return d.Type != "invention" }},
		{"ipc section", search.Query{IPC: []string{"H"}}, func(d search.Document) bool { return has(d.IPCSection, "H") }},
		{"ipc class", search.Query{IPC: []string{"H01"}}, func(d search.Document) bool { return has(d.IPCClass, "H01") }},
		{"ipc subclass", search.Query{IPC: []string{"h01m"}}, func(d search.Document) bool { return has(d.IPCSubclass, "H01M") }},
		{"ipc symbol", search.Query{IPC: []string{"H01M4/525"}}, func(d search.Document) bool { return has(d.IPC, "H01M 4/525") }},
		// A main group selects every group under it: H01M 4/525, not H01M 50/40; G06V 20/56, not G06V 10/82.
		{"ipc main group", search.Query{IPC: []string{"H01M 4/"}}, func(d search.Document) bool { return hasPrefix(d.IPC, "H01M 4/") }},
		{"ipc main group unspaced", search.Query{IPC: []string{"g06v20"}}, func(d search.Document) bool { return hasPrefix(d.IPC, "G06V 20/") }},
		{"ipc mixed levels", search.Query{IPC: []string{"A", "G06V"}}, func(d search.Document) bool {
			return has(d.IPCSection, "A") || has(d.IPCSubclass, "G06V")
		}},
		{"industry", search.Query{Industries: []string{"新能源"}}, func(d search.Document) bool { return d.Industry == "新能源" }},
		{"district code", search.Query{Districts: []string{"310104"}}, func(d search.Document) bool { return d.District == "310104" }},
		{"district name", search.Query{Districts: []string{"浦东新区", "徐汇"}}, func(d search.Document) bool {
			return d.District == "310115" || d.District == "310104"
		}},
		{"holder kind", search.Query{HolderKinds: []string{"institute"}}, func(d search.Document) bool { return d.HolderKind == "institute" }},
		{"fee model", search.Query{FeeModels: []string{"free", "royalty"}}, func(d search.Document) bool {
			return d.FeeModel == "free" || d.FeeModel == "royalty"
		}},
		{"no declaration", search.Query{FeeModels: []string{search.FeeModelNone}}, func(d search.Document) bool { return d.FeeModel == "" }},
		{"price band", search.Query{PriceBands: []string{"lt_10k", "50k_200k"}}, func(d search.Document) bool {
			return d.PriceBand == "lt_10k" || d.PriceBand == "50k_200k"
		}},
		{"offer transfer", search.Query{Offers: []string{search.OfferTransfer}}, func(d search.Document) bool { return has(d.Offers, search.OfferTransfer) }},
		{"max fee", search.Query{MaxFeeFen: fee(20_000_00)}, func(d search.Document) bool { return d.FeeModel != "" && d.FeeFen <= 20_000_00 }},
		{"max fee zero", search.Query{MaxFeeFen: fee(0)}, func(d search.Document) bool { return d.FeeModel != "" && d.FeeFen == 0 }},
		{"filters AND", search.Query{Industries: []string{"人工智能", "汽车"}, Types: []string{"invention"}, Districts: []string{"310115"}},
			func(d search.Document) bool {
				return (d.Industry == "人工智能" || d.Industry == "汽车") && d.Type == "invention" && d.District == "310115"
			}},
		{"text and filter", search.Query{Text: "电池", Types: []string{"invention"}}, nil},
		{"text and ipc", search.Query{Text: "方法", IPC: []string{"G"}}, nil},
		// The fee ceiling with text (a plain word, which otherwise takes the engines' shortest path), with
		// another filter, and with offers.
		{"text and max fee", search.Query{Text: "电池", MaxFeeFen: fee(20_000_00)}, nil},
		{"max fee and type", search.Query{MaxFeeFen: fee(20_000_00), Types: []string{"invention"}}, func(d search.Document) bool {
			return d.FeeModel != "" && d.FeeFen <= 20_000_00 && d.Type == "invention"
		}},
		{"max fee and offer", search.Query{MaxFeeFen: fee(20_000_00), Offers: []string{search.OfferOpenLicence}}, func(d search.Document) bool {
			return d.FeeModel != "" && d.FeeFen <= 20_000_00 && has(d.Offers, search.OfferOpenLicence)
		}},
		{"unknown industry", search.Query{Industries: []string{"不存在"}}, func(search.Document) bool { return false }},
	}
	for _, c := range cases {
		var want []int64
		if c.keep == nil {
			want = expectHan(ds, c.q.Text, func(d search.Document) bool {
				if len(c.q.Types) > 0 && !slices.Contains(c.q.Types, d.Type) {
					return false
				}
				if c.q.MaxFeeFen != nil && (d.FeeModel == "" || d.FeeFen > *c.q.MaxFeeFen) {
					return false
				}
				return len(c.q.IPC) == 0 || has(d.IPCSection, c.q.IPC[0])
			})
		} else {
			for _, d := range ds {
				if c.keep(d) {
					want = append(want, d.ID)
				}
			}
		}
		got := sorted(all(t, idx, c.q))
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", c.name, got, want)
		}
		if len(want) == 0 && c.name != "unknown industry" {
			t.Errorf("%s: the case selects nothing and proves little", c.name)
		}
	}
}

// facetOracle counts facet values over the documents with the given IDs.
func facetOracle(ds []search.Document, keep []int64) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, f := range search.AllFacets {
		out[f] = map[string]int{}
	}
	inc := func(f, v string) {
		if v != "" {
			out[f][v]++
		}
	}
	for _, d := range ds {
		if !slices.Contains(keep, d.ID) {
			continue
		}
		inc(search.FacetType, d.Type)
		for _, v := range d.IPCSection {
			inc(search.FacetIPCSection, v)
		}
		for _, v := range d.IPCClass {
			inc(search.FacetIPCClass, v)
		}
		inc(search.FacetIndustry, d.Industry)
		inc(search.FacetDistrict, d.District)
		inc(search.FacetFeeModel, d.IndexedFeeModel())
		inc(search.FacetHolderKind, d.HolderKind)
		inc(search.FacetPriceBand, d.PriceBand)
	}
	return out
}

func testFacets(t *testing.T, idx search.Index, ds []search.Document) {
	for _, q := range []search.Query{
		{Facets: true},
		{Text: "电", Facets: true},
		{Text: "方法", Facets: true, Types: []string{"invention"}},
		{Facets: true, Industries: []string{"新能源"}, PerPage: 1, Page: 2},
	} {
		res := mustSearch(t, idx, q)
		q2 := q
		q2.Facets, q2.Page = false, 1
		want := facetOracle(ds, all(t, idx, q2))
		for _, f := range search.AllFacets {
			if got := res.Facets[f]; fmt.Sprint(got) != fmt.Sprint(want[f]) {
				t.Errorf("query %+v facet %s: got %v, want %v", q, f, got, want[f])
			}
		}
	}
	if res := mustSearch(t, idx, search.Query{Text: "电"}); len(res.Facets) != 0 {
		t.Errorf("facets computed without being asked: %v", res.Facets)
	}
}

func testSort(t *testing.T, idx search.Index, ds []search.Document) {
	if got, want := all(t, idx, search.Query{Sort: search.SortNewest, Text: "方法"}),
		filterIDs(byListedDesc(ds), expectHan(ds, "方法", nil)); !slices.Equal(got, want) {
		t.Errorf("newest: got %v, want %v", got, want)
	}
	byID := map[int64]search.Document{}
	for _, d := range ds {
		byID[d.ID] = d
	}
	for _, s := range []string{search.SortFeeAsc, search.SortFeeDesc} {
		got := all(t, idx, search.Query{Sort: s})
		if len(got) != len(ds) {
			t.Fatalf("%s: %d hits", s, len(got))
		}
		seenUndeclared := false
		for i, id := range got {
			d := byID[id]
			if d.FeeModel == "" {
				seenUndeclared = true
				continue
			}
			if seenUndeclared {
				t.Errorf("%s: %v: patents without a declaration must come last", s, got)
				break
			}
			if i > 0 && byID[got[i-1]].FeeModel != "" {
				prev := byID[got[i-1]].FeeFen
				if s == search.SortFeeAsc && prev > d.FeeFen || s == search.SortFeeDesc && prev < d.FeeFen {
					t.Errorf("%s: %v not ordered by fee", s, got)
					break
				}
			}
		}
	}
	// Relevance: a title match outranks an abstract-only match.
	if got := all(t, idx, search.Query{Text: "无人机"}); len(got) != 2 || got[0] != 3 {
		t.Errorf("relevance 无人机: got %v, want the title match 3 first", got)
	}
}

func filterIDs(order, keep []int64) []int64 {
	var out []int64
	for _, id := range order {
		if slices.Contains(keep, id) {
			out = append(out, id)
		}
	}
	return out
}

func testPagination(t *testing.T, idx search.Index, ds []search.Document) {
	order := byListedDesc(ds)
	p2 := mustSearch(t, idx, search.Query{PerPage: 3, Page: 2})
	if p2.Total != len(ds) || !slices.Equal(ids(p2), order[3:6]) {
		t.Errorf("page 2 of 3: total %d ids %v, want %v", p2.Total, ids(p2), order[3:6])
	}
	last := (len(ds) + 2) / 3
	pl := mustSearch(t, idx, search.Query{PerPage: 3, Page: last})
	if !slices.Equal(ids(pl), order[(last-1)*3:]) {
		t.Errorf("last page: %v, want %v", ids(pl), order[(last-1)*3:])
	}
	beyond := mustSearch(t, idx, search.Query{PerPage: 3, Page: last + 1})
	if len(beyond.Hits) != 0 || beyond.Total != len(ds) {
		t.Errorf("page past the end: %d hits, total %d", len(beyond.Hits), beyond.Total)
	}
	tp := mustSearch(t, idx, search.Query{Text: "电", PerPage: 1, Page: 2})
	if tp.Total != len(expectHan(ds, "电", nil)) || len(tp.Hits) != 1 {
		t.Errorf("text page 2: total %d, %d hits", tp.Total, len(tp.Hits))
	}
}

func testHighlight(t *testing.T, idx search.Index) {
	res := mustSearch(t, idx, search.Query{Text: "传感器", Highlight: true})
	if len(res.Hits) != 1 {
		t.Fatalf("传感器: %d hits", len(res.Hits))
	}
	title := res.Hits[0].Highlight["title"]
	if !strings.Contains(title, "<mark>传感器</mark>") || !strings.Contains(title, "&lt;script&gt;") || strings.Contains(title, "<script>") {
		t.Errorf("title highlight %q: want <mark>传感器</mark> and the script tag escaped", title)
	}
	abs := res.Hits[0].Highlight["abstract"]
	if !strings.Contains(abs, "<mark>传感器</mark>") || strings.Contains(abs, "<b>") || !strings.Contains(abs, "&amp;") {
		t.Errorf("abstract highlight %q: want a mark and escaped HTML", abs)
	}
	// The bigrams of a three-character query overlap: one mark around the whole word.
	res = mustSearch(t, idx, search.Query{Text: "锂电池", Highlight: true})
	if len(res.Hits) != 1 || !strings.Contains(res.Hits[0].Highlight["title"], "<mark>锂电池</mark>") {
		t.Errorf("锂电池 highlight: %+v", res.Hits)
	}
	res = mustSearch(t, idx, search.Query{Text: "separator", Highlight: true})
	if len(res.Hits) != 1 || !strings.Contains(strings.ToLower(res.Hits[0].Highlight["title"]), "<mark>separator</mark>") {
		t.Errorf("separator highlight: %+v", res.Hits)
	}
	// Without text there is nothing to mark, but the title still comes escaped.
	res = mustSearch(t, idx, search.Query{Highlight: true, Types: []string{"utility_model"}, PerPage: search.MaxPerPage})
	for _, h := range res.Hits {
		if h.ID == 8 && !strings.HasPrefix(h.Highlight["title"], "&lt;script&gt;") {
			t.Errorf("unhighlighted title %q not escaped", h.Highlight["title"])
		}
	}
	if res := mustSearch(t, idx, search.Query{Text: "传感器"}); len(res.Hits) == 1 && len(res.Hits[0].Highlight) != 0 {
		t.Errorf("highlight computed without being asked")
	}
}

// testBadQueries: Normalize refuses every bad parameter with a user error naming it, and the engine
// refuses a query that skipped Normalize (it would otherwise trust it) without asking its index.
func testBadQueries(t *testing.T, idx search.Index) {
	negative := int64(-1)
	for name, c := range map[string]struct {
		q     search.Query
		field string
	}{
		"page too deep":      {search.Query{Page: search.MaxResultWindow/search.MaxPerPage + 1, PerPage: search.MaxPerPage}, "page"},
		"per page too large": {search.Query{PerPage: search.MaxPerPage + 1}, "per_page"},
		"negative page":      {search.Query{Page: -1}, "page"},
		"sort":               {search.Query{Sort: "price"}, "sort"},
		"type":               {search.Query{Types: []string{"patent"}}, "type"},
		"ipc":                {search.Query{IPC: []string{"Z99"}}, "ipc"},
		"district":           {search.Query{Districts: []string{"Beijing"}}, "district"},
		"fee model":          {search.Query{FeeModels: []string{"cheap"}}, "fee_model"},
		"holder kind":        {search.Query{HolderKinds: []string{"person"}}, "holder_kind"},
		"price band":         {search.Query{PriceBands: []string{"1k"}}, "price_band"},
		"offer":              {search.Query{Offers: []string{"sale"}}, "offer"},
		"too long":           {search.Query{Text: strings.Repeat("电池", search.MaxTextRunes)}, "q"},
		"broken utf-8":       {search.Query{Text: "电\xff池"}, "q"},
		"industry utf-8":     {search.Query{Industries: []string{"新\xff"}}, "industry"},
		"industry too long":  {search.Query{Industries: []string{strings.Repeat("新", search.MaxValueRunes+1)}}, "industry"},
		"too many values":    {search.Query{Industries: make([]string, search.MaxFilterValues+1)}, "industry"},
		"negative max fee":   {search.Query{MaxFeeFen: &negative}, "max_fee_yuan"},
	} {
		_, err := c.q.Normalize()
		var fe *market.FieldError
		if !errors.Is(err, search.ErrBadQuery) || !errors.As(err, &fe) || fe.Field != c.field || fe.MessageZH == "" || fe.MessageEN == "" {
			t.Errorf("%s: err = %v, want ErrBadQuery naming %s in zh and en", name, err, c.field)
		}
		if _, err := idx.Search(context.Background(), c.q); !errors.Is(err, search.ErrNotNormalized) {
			t.Errorf("%s: unnormalised query: err = %v, want ErrNotNormalized", name, err)
		}
	}
	if _, err := idx.Search(context.Background(), search.Query{Text: "电池"}); !errors.Is(err, search.ErrNotNormalized) {
		t.Errorf("valid but unnormalised query: err = %v, want ErrNotNormalized", err)
	}
}

func testMutations(t *testing.T, newIndex NewIndex) {
	ctx := context.Background()
	ds := docs()
	idx := open(t, newIndex, ds)
	// Browsing results may be cached by an engine: every write must show at once.
	browse := search.Query{Facets: true, PerPage: search.MaxPerPage}
	if res := mustSearch(t, idx, browse); res.Total != len(ds) || res.Facets[search.FacetType]["invention"] == 0 {
		t.Fatalf("browse before writes: %+v", res)
	}
	// Upsert replaces: the old title no longer matches, the new one does.
	d := ds[0]
	d.Title = "一种钠离子电池负极材料"
	d.Abstract = ""
	if err := idx.Upsert(ctx, []search.Document{d}); err != nil {
		t.Fatal(err)
	}
	if got := all(t, idx, search.Query{Text: "锂电池"}); len(got) != 0 {
		t.Errorf("after replace, 锂电池 still finds %v", got)
	}
	if got := all(t, idx, search.Query{Text: "钠离子"}); !slices.Equal(got, []int64{1}) {
		t.Errorf("after replace, 钠离子 finds %v", got)
	}
	if n, _ := idx.Count(ctx); n != len(ds) {
		t.Errorf("count after replace = %d, want %d", n, len(ds))
	}
	// Delete: known and unknown IDs.
	if err := idx.Delete(ctx, []int64{1, 2, 99999}); err != nil {
		t.Fatal(err)
	}
	if got := all(t, idx, search.Query{Text: "电池"}); slices.Contains(got, 1) || slices.Contains(got, 2) {
		t.Errorf("deleted documents still found: %v", got)
	}
	if n, _ := idx.Count(ctx); n != len(ds)-2 {
		t.Errorf("count after delete = %d, want %d", n, len(ds)-2)
	}
	res := mustSearch(t, idx, browse)
	if res.Total != len(ds)-2 || slices.Contains(ids(res), 1) || res.Facets[search.FacetType]["utility_model"] != 4 {
		t.Errorf("browse after delete: total %d ids %v facets %v", res.Total, ids(res), res.Facets[search.FacetType])
	}
	// Reset empties the index, which keeps working.
	if err := idx.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := idx.Count(ctx); n != 0 {
		t.Errorf("count after reset = %d", n)
	}
	if res := mustSearch(t, idx, search.Query{Facets: true}); res.Total != 0 || len(res.Hits) != 0 {
		t.Errorf("after reset: %+v", res)
	}
	if err := idx.Upsert(ctx, ds[2:3]); err != nil {
		t.Fatal(err)
	}
	if got := all(t, idx, search.Query{Text: "无人机"}); !slices.Equal(got, []int64{3}) {
		t.Errorf("after reset and upsert: %v", got)
	}
}

// testSimilar: a demand in its poster's words finds the patents that share its key terms, none of which
// is required, best first; an ID list limits any query to those documents.
func testSimilar(t *testing.T, idx search.Index) {
	res := mustSearch(t, idx, search.Query{Similar: "我们工厂的芯片发热严重，希望改进封装结构让散热更好", PerPage: 5})
	if got := ids(res); len(got) == 0 || got[0] != 12 {
		t.Errorf("chip cooling demand: %v, want 12 first", got)
	}
	res = mustSearch(t, idx, search.Query{Similar: "需要给电动汽车的电池做管理，监测电压", PerPage: 5})
	if got := ids(res); len(got) == 0 || got[0] != 2 {
		t.Errorf("battery management demand: %v, want 2 first", got)
	}
	// Nothing shared: nothing found (only the demander's boilerplate is in common with anything).
	if res := mustSearch(t, idx, search.Query{Similar: "我们需要相关技术", PerPage: 5}); res.Total != 0 {
		t.Errorf("boilerplate-only demand found %v", ids(res))
	}
	// IDs restrict, with and without text.
	if got := sorted(all(t, idx, search.Query{IDs: []int64{3, 12, 99}})); !slices.Equal(got, []int64{3, 12}) {
		t.Errorf("ids: %v", got)
	}
	if got := all(t, idx, search.Query{Similar: "芯片封装散热", IDs: []int64{3, 4}}); len(got) != 0 {
		t.Errorf("similar within ids: %v", got)
	}
	if got := all(t, idx, search.Query{IDs: []int64{}}); len(got) != 0 {
		t.Errorf("empty id list: %v", got)
	}
}
