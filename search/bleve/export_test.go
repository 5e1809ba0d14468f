package bleve

import (
	"context"
	"math"

	"github.com/blevesearch/bleve/v2/index/scorch"

	"patentwall/search"
)

// SetSchemaVersionForTest makes the index record (and expect) another schema version.
func (x *Index) SetSchemaVersionForTest(v string) { x.version = v }

// DropCacheForTest empties the result cache (benchmarks measure uncached browsing too).
func (x *Index) DropCacheForTest() { x.cache.invalidate() }

// SplitForTest collects queries with at least `at` estimated postings in `parts` parallel parts
// (0, 0 restores the defaults).
func (x *Index) SplitForTest(at, parts int) { x.testSplitAt, x.testParts = at, parts }

// SegmentsForTest is the number of segments of the current snapshot.
func (x *Index) SegmentsForTest() int {
	idx, err := x.current()
	if err != nil {
		return -1
	}
	defer x.mu.RUnlock()
	adv, _ := idx.Advanced()
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return -1
	}
	n, err := segmentCount(s)
	if err != nil {
		return -1
	}
	return n
}

// LoadForTest sets the moving average of concurrent searches that decides whether a query may split.
func (x *Index) LoadForTest(avg float64) { x.load.avg.Store(math.Float64bits(avg)) }

// OffersAsFilterForTest makes a similar query's offers filter run through Bleve's filtering searcher
// (true) or the collector's bitmaps (false, the default).
func (x *Index) OffersAsFilterForTest(on bool) { x.testOffersAsFilter = on }

// SplitsForTest is how many queries were collected in parallel parts.
func (x *Index) SplitsForTest() int64 { return x.splits.Load() }

// SimilarKeysForTest returns the key terms a similar query for text asks the index for.
func (x *Index) SimilarKeysForTest(ctx context.Context, text string) ([]string, error) {
	idx, err := x.current()
	if err != nil {
		return nil, err
	}
	defer x.mu.RUnlock()
	adv, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return x.similarKeys(ctx, r.(*scorch.IndexSnapshot), search.KeyTerms(text))
}

// BleveOnlyForTest makes every query run through Bleve's own searchers, not wordPlan.collect.
func (x *Index) BleveOnlyForTest(on bool) { x.testBleveOnly = on }

// WordQueriesForTest is how many queries wordPlan.collect answered.
func (x *Index) WordQueriesForTest() int64 { return x.wordQueries.Load() }

// NoNarrowForTest makes wordPlan.collect skip to the rarest word's documents instead of narrowing its
// iterators to the candidates of the words' bitmaps.
func (x *Index) NoNarrowForTest(on bool) { x.testNoNarrow = on }

// NoTablesForTest makes plain-word queries read the common words from their postings instead of from
// their per-segment tables (common.go).
func (x *Index) NoTablesForTest(on bool) { x.testNoTables = on }

// TablesForTest is how many common words' tables (one per word and segment) plain-word queries were given.
func (x *Index) TablesForTest() int64 { return x.tabled.Load() }
