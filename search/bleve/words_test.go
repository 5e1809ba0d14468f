package bleve_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode"

	"patentwall/search"
	"patentwall/search/bleve"
	"patentwall/search/searchtest"
)

// Queries of plain words are collected from the postings (wordPlan.collect) instead of through Bleve's
// searchers. They must answer exactly as Bleve does: the same total and facet counts, the same hits in
// the same order, and bit for bit the same scores, for every two-character word of the titles alone and
// with others of its title and with common words, on an index of many segments with replaced (deleted)
// documents (both ways of intersecting the words, common words from their tables and from their
// postings) and on the same index merged into one segment.
func TestWordsScoreAsBleve(t *testing.T) {
	ctx := context.Background()
	c := searchtest.Synthesize(searchtest.RealTitlesIfPresent(), 4000, 17)
	idx := segmentedIndex(t, c.Docs, 300, c.Docs[100:400])

	// Every run of two Han characters in the first titles (a word the index has), alone, and 2–4 of
	// one title's words together (as users combine them: most such queries have answers).
	hanWords := func(title string) []string {
		var out []string
		rs := []rune(title)
		for i := 0; i+1 < len(rs); i++ {
			w := string(rs[i : i+2])
			if unicode.Is(unicode.Han, rs[i]) && unicode.Is(unicode.Han, rs[i+1]) && !search.IsCommonWord(w) {
				out = append(out, w)
			}
		}
		return out
	}
	seen := map[string]bool{}
	var words []string
	for _, d := range c.Docs[:400] {
		for _, w := range hanWords(d.Title) {
			if !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	if len(words) < 100 {
		t.Fatalf("only %d words", len(words))
	}
	r := rand.New(rand.NewPCG(3, 4))
	var queries []search.Query
	for _, w := range words {
		queries = append(queries, search.Query{Text: w, Facets: true})
	}
	for i := 0; len(queries) < len(words)+600; i++ {
		ws := hanWords(c.Docs[r.IntN(len(c.Docs))].Title)
		r.Shuffle(len(ws), func(a, b int) { ws[a], ws[b] = ws[b], ws[a] })
		if n := 2 + i%3; len(ws) >= n {
			queries = append(queries, search.Query{Text: strings.Join(ws[:n], " "), Facets: true, Page: 1 + i%2})
		}
	}
	// Common words only add to the score of the documents that have them.
	for i, w := range words[:200] {
		common := []string{"装置", "方法", "系统", "设备"}[i%4]
		text := w + " " + common
		if i%3 == 0 {
			text = "用于 " + text + " " + words[(i+7)%len(words)]
		}
		queries = append(queries, search.Query{Text: text, Facets: true})
	}
	// Sorted by date or fee, unscored, with every kind of text.
	for i, s := range []string{search.SortNewest, search.SortFeeAsc, search.SortFeeDesc} {
		for _, text := range []string{words[i], words[i] + " " + words[i+10], words[i] + " 装置"} {
			queries = append(queries, search.Query{Text: text, Sort: s, Facets: true}, search.Query{Text: text, Sort: s, Page: 2})
		}
	}
	queries = append(queries, search.Query{Text: "g " + words[1]}, search.Query{Text: words[2] + " " + words[2]})

	run := func(bleveOnly bool) []*search.Result {
		idx.BleveOnlyForTest(bleveOnly)
		defer idx.BleveOnlyForTest(false)
		out := make([]*search.Result, len(queries))
		for i, q := range queries {
			idx.DropCacheForTest()
			res, err := idx.Search(ctx, searchtest.Normalized(t, q))
			if err != nil {
				t.Fatal(err)
			}
			res.Took = 0
			out[i] = res
		}
		return out
	}
	// Bleve's answers depend only on the index, not on how the other path is set: they are computed once
	// for the segments and once merged.
	var want []*search.Result
	compare := func(what string) {
		t.Helper()
		before := idx.WordQueriesForTest()
		got := run(false)
		if n := idx.WordQueriesForTest() - before; n != int64(len(queries)) {
			t.Fatalf("%s: %d of %d queries were collected from the postings", what, n, len(queries))
		}
		hits, diffs := 0, 0
		for i := range want {
			hits += len(want[i].Hits)
			if !reflect.DeepEqual(got[i], want[i]) {
				if diffs++; diffs <= 5 {
					t.Errorf("%s: query %q page %d:\n got  %s %v\n want %s %v", what, queries[i].Text, queries[i].Page,
						brief(got[i]), scores(got[i]), brief(want[i]), scores(want[i]))
				}
			}
		}
		if diffs > 0 {
			t.Errorf("%s: %d of %d queries differ", what, diffs, len(queries))
		}
		if hits < len(queries)*5 {
			t.Fatalf("%s: only %d hits in all: the comparison would prove little", what, hits)
		}
	}
	tabled := idx.TablesForTest()
	want = run(true)
	compare("segments")
	if idx.TablesForTest() == tabled {
		t.Fatal("no common word was scored from its tables")
	}
	idx.NoNarrowForTest(true)
	compare("segments, skipping to the rarest word's documents")
	idx.NoTablesForTest(true)
	compare("segments, skipping, common words from their postings")
	idx.NoNarrowForTest(false)
	compare("segments, common words from their postings")
	idx.NoTablesForTest(false)
	for _, parts := range []int{2, 3} {
		idx.SplitForTest(1, parts)
		before := idx.SplitsForTest()
		compare(fmt.Sprintf("segments, %d parts", parts))
		if n := idx.SplitsForTest() - before; n < int64(len(queries)) {
			t.Fatalf("%d parts: only %d queries were split", parts, n)
		}
	}
	idx.SplitForTest(1<<62, 0) // never split
	if err := idx.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	want = run(true)
	compare("merged")
	idx.NoTablesForTest(true)
	compare("merged, common words from their postings")
	idx.NoTablesForTest(false)
	idx.SplitForTest(1, 3)
	compare("merged, 3 parts")
}

func scores(r *search.Result) []float64 {
	out := make([]float64, len(r.Hits))
	for i, h := range r.Hits {
		out[i] = h.Score
	}
	return out
}

// Common words' tables are made by the first query that scores the word in a segment, while other
// queries may be reading the tables of other words of the same segment (they share its norms): queries
// run at once on a fresh index answer as the same queries run one by one through Bleve.
func TestCommonTablesConcurrently(t *testing.T) {
	ctx := context.Background()
	c := searchtest.Synthesize(nil, 3000, 5)
	idx := bleve.New(filepath.Join(t.TempDir(), "index"))
	defer idx.Close()
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(c.Docs); i += 1000 {
		if err := idx.Upsert(ctx, c.Docs[i:min(i+1000, len(c.Docs))]); err != nil {
			t.Fatal(err)
		}
	}
	var queries []search.Query
	for i, d := range c.Docs[:64] {
		rs := []rune(d.Title)
		for j := 0; j+1 < len(rs); j++ {
			w := string(rs[j : j+2])
			if unicode.Is(unicode.Han, rs[j]) && unicode.Is(unicode.Han, rs[j+1]) && !search.IsCommonWord(w) {
				common := []string{"装置", "方法", "系统", "设备", "一种", "用于", "基于", "具有"}[i%8]
				queries = append(queries, searchtest.Normalized(t, search.Query{Text: w + " " + common, Facets: true}))
				break
			}
		}
	}
	idx.BleveOnlyForTest(true)
	want := make([]*search.Result, len(queries))
	for i, q := range queries {
		res, err := idx.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		res.Took, want[i] = 0, res
	}
	idx.BleveOnlyForTest(false)
	idx.DropCacheForTest()
	if hits := func() (n int) {
		for _, r := range want {
			n += len(r.Hits)
		}
		return n
	}(); len(queries) < 40 || hits < 2*len(queries) {
		t.Fatalf("%d queries with %d hits in all: the comparison would prove little", len(queries), hits)
	}
	got := make([]*search.Result, len(queries))
	errs := make([]error, len(queries))
	var wg sync.WaitGroup
	for i, q := range queries {
		wg.Go(func() {
			res, err := idx.Search(ctx, q)
			if err == nil {
				res.Took = 0
			}
			got[i], errs[i] = res, err
		})
	}
	wg.Wait()
	if idx.TablesForTest() == 0 {
		t.Fatal("no common word was scored from its tables")
	}
	for i := range queries {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("query %q:\n got  %s %v\n want %s %v", queries[i].Text, brief(got[i]), scores(got[i]), brief(want[i]), scores(want[i]))
		}
	}
}
