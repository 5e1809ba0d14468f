package bleve_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"patentwall/search"
	"patentwall/search/bleve"
	"patentwall/search/searchtest"
)

// segmentedIndex indexes docs in batches of batch documents, which makes many segments, then indexes
// replaced once more, which leaves deleted documents behind; the index is closed when the test ends.
func segmentedIndex(t *testing.T, docs []search.Document, batch int, replaced []search.Document) *bleve.Index {
	t.Helper()
	ctx := context.Background()
	idx := bleve.New(filepath.Join(t.TempDir(), "index"))
	t.Cleanup(func() { idx.Close() })
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(docs); i += batch {
		if err := idx.Upsert(ctx, docs[i:min(i+batch, len(docs))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := idx.Upsert(ctx, replaced); err != nil {
		t.Fatal(err)
	}
	if n := idx.SegmentsForTest(); n < 2 {
		t.Fatalf("%d segments, want several for this test", n)
	}
	return idx
}

// A query collected in parallel parts over ranges of document numbers, and after the segments are
// merged into one, must answer exactly as one pass over the original segments does: same total, same
// facet counts, same hits in the same order on every page and for every sort.
func TestPartsAndMergeAnswerAlike(t *testing.T) {
	ctx := context.Background()
	c := searchtest.Synthesize(nil, 3000, 11)
	idx := segmentedIndex(t, c.Docs, 150, c.Docs[:200])

	var queries []search.Query
	// Words of the titles: the first two characters of a few, single and in pairs.
	word := func(i int) string { return string([]rune(c.Docs[i].Title)[:2]) }
	texts := []string{"", word(0), word(1), word(2), word(3) + " " + word(4), string([]rune(word(5))[:1])}
	for _, text := range texts {
		for _, sort := range []string{search.SortRelevance, search.SortNewest, search.SortFeeAsc, search.SortFeeDesc} {
			for _, page := range []int{1, 3} {
				queries = append(queries, search.Query{Text: text, Sort: sort, Page: page, PerPage: 7, Facets: true})
			}
		}
	}
	queries = append(queries, search.Query{Text: word(0), Industries: []string{c.Docs[0].Industry}, Facets: true})

	run := func() []*search.Result {
		var out []*search.Result
		for _, q := range queries {
			idx.DropCacheForTest()
			res, err := idx.Search(ctx, searchtest.Normalized(t, q))
			if err != nil {
				t.Fatal(err)
			}
			res.Took = 0
			out = append(out, res)
		}
		return out
	}
	idx.BleveOnlyForTest(true) // parts of Bleve's searchers (words_test.go compares wordPlan.collect's)
	idx.SplitForTest(1<<62, 0) // never split
	want := run()
	nonEmpty := 0
	for _, r := range want {
		if len(r.Hits) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < len(want)/2 {
		t.Fatalf("only %d of %d queries have hits on their page: the comparison would prove little", nonEmpty, len(want))
	}
	compare := func(what string, got []*search.Result) {
		t.Helper()
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s: query %+v:\n got  %s\n want %s", what, queries[i], brief(got[i]), brief(want[i]))
			}
		}
	}
	for _, parts := range []int{2, 3} {
		idx.SplitForTest(1, parts)
		compare(fmt.Sprintf("%d parts", parts), run())
	}

	idx.SplitForTest(1<<62, 0)
	if err := idx.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	if n := idx.SegmentsForTest(); n != 1 {
		t.Errorf("after Optimize: %d segments, want 1", n)
	}
	compare("merged", run())
}

func brief(r *search.Result) string {
	ids := make([]int64, len(r.Hits))
	for i, h := range r.Hits {
		ids[i] = h.ID
	}
	return fmt.Sprintf("total %d ids %v types %v", r.Total, ids, r.Facets[search.FacetType])
}

// A broad query is split over idle cores only: a lone search splits, one that starts while recent
// searches overlapped (the engine's moving average of concurrent searches) does not.
func TestSplitOnlyWhenIdle(t *testing.T) {
	ctx := context.Background()
	c := searchtest.Synthesize(nil, 500, 5)
	idx := bleve.New(filepath.Join(t.TempDir(), "index"))
	defer idx.Close()
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := idx.Upsert(ctx, c.Docs); err != nil {
		t.Fatal(err)
	}
	idx.SplitForTest(1, 2)
	word := string([]rune(c.Docs[0].Title)[:2])
	for _, bleveOnly := range []bool{false, true} { // the word collected from the postings, then by Bleve
		idx.BleveOnlyForTest(bleveOnly)
		for _, tc := range []struct {
			name  string
			load  float64 // recent concurrent searches
			split bool
		}{
			{"searches one at a time", 1, true},
			{"five searches at a time", 5, false},
			{"one at a time again", 1, true},
		} {
			idx.LoadForTest(tc.load)
			before := idx.SplitsForTest()
			if _, err := idx.Search(ctx, searchtest.Normalized(t, search.Query{Text: word, Facets: true})); err != nil {
				t.Fatal(err)
			}
			if split := idx.SplitsForTest() > before; split != tc.split {
				t.Errorf("Bleve only %v, %s: split %v, want %v", bleveOnly, tc.name, split, tc.split)
			}
		}
	}
}
