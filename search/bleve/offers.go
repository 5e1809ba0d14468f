package bleve

import (
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"patentwall/search"
)

// A demand's matches (docs/architecture.md §4.2) ask for the documents with an offer among those of a
// similar text. As a Bleve filter, that advanced a disjunction of the offers' term searchers to each of
// the similar query's matches, through a boolean and a conjunction searcher around the similar query:
// about a tenth of a match's time. When the offers are a query's only filter, collectRange tests each
// match against a bitmap per segment of the documents with one of the offers instead; the similar query
// then runs alone, with the same matches and the same scores (TestOfferBitmapsAsFilter).

// offersOnly returns the offers a query is filtered by when they are its only filter (nil otherwise):
// those a collector can test from offerBitmaps.
func offersOnly(q search.Query) []string {
	if len(q.Offers) == 0 || len(q.ExcludeIDs) > 0 {
		return nil
	}
	rest := q
	rest.Offers = nil
	if filterQuery(rest) != nil {
		return nil
	}
	return q.Offers
}

// offerBitmaps returns, for each segment of the snapshot, the documents that have one of the offers
// (deleted ones included: the searcher skips those).
func offerBitmaps(is *scorch.IndexSnapshot, offers []string) ([]*roaring.Bitmap, error) {
	segs := is.Segments()
	out := make([]*roaring.Bitmap, len(segs))
	for i, s := range segs {
		dict, err := s.Segment().Dictionary("offers")
		if err != nil {
			return nil, fmt.Errorf("search/bleve: offers of segment %d: %w", i, err)
		}
		bm := roaring.New()
		for _, o := range offers {
			pl, err := dict.PostingsList([]byte(o), nil, nil)
			if err != nil {
				return nil, fmt.Errorf("search/bleve: offers of segment %d: %w", i, err)
			}
			if err := addPostings(bm, pl.Iterator(false, false, false, nil)); err != nil {
				return nil, err
			}
		}
		out[i] = bm
	}
	return out, nil
}

// addPostings adds a postings iterator's documents to bm: its bitmap when it has one, one by one otherwise.
func addPostings(bm *roaring.Bitmap, it segment.PostingsIterator) error {
	if o, ok := it.(segment.OptimizablePostingsIterator); ok {
		if actual := o.ActualBitmap(); actual != nil {
			bm.Or(actual)
			return nil
		}
		if n, ok := o.DocNum1Hit(); ok {
			bm.Add(uint32(n))
			return nil
		}
	}
	for {
		p, err := it.Next()
		if err != nil {
			return fmt.Errorf("search/bleve: read offers: %w", err)
		}
		if p == nil {
			return nil
		}
		bm.Add(uint32(p.Number()))
	}
}
