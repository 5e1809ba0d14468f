package bleve_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"

	"patentwall/search"
	"patentwall/search/searchtest"
)

// A similar text filtered by offers alone (a demand's matches) is filtered by the collector's bitmaps
// of the documents with an offer instead of Bleve's filtering searcher. Both must answer alike: the
// same totals, facet counts, hits and order, and scores to 1e-12 of their value (see below), for every
// kind of offer, on many segments with replaced documents, in parallel parts, and merged into one
// segment; and the filter must matter (documents without the offers asked for match the similar text
// too).
func TestOfferBitmapsAsFilter(t *testing.T) {
	ctx := context.Background()
	c := searchtest.Synthesize(searchtest.RealTitlesIfPresent(), 3000, 23)
	for i := range c.Docs {
		switch d := &c.Docs[i]; {
		case i%7 == 0:
			d.Offers = []string{search.OfferTransfer}
		case i%5 == 0:
			d.Offers = append(d.Offers, search.OfferTransfer)
		}
	}
	idx := segmentedIndex(t, c.Docs, 300, c.Docs[200:500])

	// Demands worded from the catalogue's own titles and abstracts, each asked for every offer kind.
	offerSets := [][]string{search.OfferKinds, {search.OfferOpenLicence}, {search.OfferTransfer}}
	var queries []search.Query
	for i := 0; i < 120; i++ {
		d := c.Docs[(i*37)%len(c.Docs)]
		text := "寻求" + d.Title + "相关技术"
		if i%3 == 0 {
			text += "，" + c.Docs[(i*53+11)%len(c.Docs)].Abstract
		}
		q := search.Query{Similar: text, Offers: offerSets[i%len(offerSets)], PerPage: search.MatchCandidates}
		switch i % 4 {
		case 1:
			q.Facets = true
		case 2:
			q.Page = 2
			q.PerPage = 10
		}
		queries = append(queries, q)
	}

	run := func(asFilter bool, qs []search.Query) []*search.Result {
		idx.OffersAsFilterForTest(asFilter)
		defer idx.OffersAsFilterForTest(false)
		out := make([]*search.Result, len(qs))
		for i, q := range qs {
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
	// The filter matters: without it most demands match documents the offers leave out.
	unfiltered := make([]search.Query, len(queries))
	for i, q := range queries {
		q.Offers = nil
		unfiltered[i] = q
	}
	wider := 0
	for i, r := range run(false, unfiltered) {
		if r.Total > 0 && queries[i].Page <= 1 {
			if f := run(false, queries[i:i+1])[0]; r.Total > f.Total {
				wider++
			}
		}
	}
	if wider < len(queries)/2 {
		t.Fatalf("only %d of %d demands match more without their offers filter: the comparison would prove little", wider, len(queries))
	}

	// Bleve's own scores of a disjunction change in their last bits with the searchers around it (its
	// heap of term searchers sums a document's fields in the order they were advanced to it): the same
	// query through the filtering, boolean and conjunction searchers, or split into parts, differs by an
	// ulp or two. So scores must agree to 1e-12 of their value, and hits in the same order except where
	// two hits' scores are that close. The hit tied with a page's first or last one may be on the page
	// before or after it: there a different hit of the same score is all that can be checked.
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b)) }
	same := func(got, want *search.Result, q search.Query) bool {
		if got.Total != want.Total || !reflect.DeepEqual(got.Facets, want.Facets) || len(got.Hits) != len(want.Hits) {
			return false
		}
		first := max(q.Page-1, 0) * q.PerPage // of the page's hits, in the whole ranking
		for i := range got.Hits {
			g, w := got.Hits[i], want.Hits[i]
			if !close(g.Score, w.Score) {
				return false
			}
			tied := i+1 < len(got.Hits) && close(w.Score, want.Hits[i+1].Score) ||
				i > 0 && close(w.Score, want.Hits[i-1].Score)
			edge := i == 0 && first > 0 || i == len(got.Hits)-1 && first+len(got.Hits) < got.Total
			if g.ID != w.ID && !tied && !edge {
				return false
			}
		}
		return true
	}
	var want []*search.Result
	compare := func(what string) {
		t.Helper()
		got := run(false, queries)
		hits, diffs, exact := 0, 0, 0
		for i := range want {
			hits += len(want[i].Hits)
			if reflect.DeepEqual(got[i], want[i]) {
				exact++
			} else if !same(got[i], want[i], queries[i]) {
				if diffs++; diffs <= 5 {
					t.Errorf("%s: demand %d (offers %v, page %d):\n got  %s %v\n want %s %v", what, i, queries[i].Offers,
						queries[i].Page, brief(got[i]), scores(got[i]), brief(want[i]), scores(want[i]))
				}
			}
		}
		if diffs > 0 {
			t.Errorf("%s: %d of %d demands differ", what, diffs, len(queries))
		}
		if hits < len(queries)*5 {
			t.Fatalf("%s: only %d hits in all: the comparison would prove little", what, hits)
		}
		t.Logf("%s: %d of %d demands alike bit for bit", what, exact, len(queries))
	}
	want = run(true, queries)
	compare("segments")
	for _, parts := range []int{2, 3} {
		idx.SplitForTest(1, parts)
		compare(fmt.Sprintf("segments, %d parts", parts))
	}
	idx.SplitForTest(1<<62, 0) // never split
	if err := idx.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	want = run(true, queries)
	compare("merged")
	idx.SplitForTest(1, 2)
	compare("merged, 2 parts")
}

// TestFeeCeilingWithSimilarAndOffers checks the fee ceiling where the collector also filters by offers
// (a demand's matches under a budget): the matches are those of the same query without the ceiling whose
// patent has a declaration and a fee of at most it, with the same scores.
func TestFeeCeilingWithSimilarAndOffers(t *testing.T) {
	ctx := context.Background()
	c := searchtest.Synthesize(searchtest.RealTitlesIfPresent(), 3000, 29)
	for i := range c.Docs {
		if i%5 == 0 {
			c.Docs[i].Offers = append(c.Docs[i].Offers, search.OfferTransfer)
		}
	}
	byID := map[int64]*search.Document{}
	for i := range c.Docs {
		byID[c.Docs[i].ID] = &c.Docs[i]
	}
	idx := segmentedIndex(t, c.Docs, 300, c.Docs[200:500])
	ceiling := int64(20_000_00)
	all := func(q search.Query) map[int64]float64 {
		out := map[int64]float64{}
		for q.Page = 1; ; q.Page++ {
			res, err := idx.Search(ctx, searchtest.Normalized(t, q))
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				out[h.ID] = h.Score
			}
			if len(res.Hits) < q.PerPage {
				if len(out) != res.Total {
					t.Fatalf("%d hits over the pages, total %d", len(out), res.Total)
				}
				return out
			}
		}
	}
	capped, dropped := 0, 0
	for i := 0; i < 30; i++ {
		d := c.Docs[(i*41)%len(c.Docs)]
		q := search.Query{Similar: "寻求" + d.Title + "相关技术", Offers: []string{search.OfferOpenLicence}, PerPage: 100}
		if i%2 == 1 {
			q.Offers = search.OfferKinds
		}
		wide := all(q)
		q.MaxFeeFen = &ceiling
		got := all(q)
		for id, score := range wide {
			doc := byID[id]
			in := doc.HasDeclaration() && doc.FeeFen <= ceiling
			s, ok := got[id]
			switch {
			case in && !ok:
				t.Errorf("demand %d: patent %d (fee %d) is missing under the ceiling", i, id, doc.FeeFen)
			case !in && ok:
				t.Errorf("demand %d: patent %d (fee %d, declaration %v) is above the ceiling", i, id, doc.FeeFen, doc.HasDeclaration())
			case ok && math.Abs(s-score) > 1e-12*math.Abs(score):
				t.Errorf("demand %d: patent %d scores %v under the ceiling, %v without", i, id, s, score)
			}
			if !in {
				dropped++
			}
		}
		if len(got) > len(wide) {
			t.Errorf("demand %d: %d matches under the ceiling, %d without", i, len(got), len(wide))
		}
		capped += len(got)
	}
	if capped == 0 || dropped == 0 {
		t.Fatalf("%d matches kept and %d dropped by the ceiling: the test proves little", capped, dropped)
	}
}
