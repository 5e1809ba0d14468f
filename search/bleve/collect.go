package bleve

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/metrics"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	bsearch "github.com/blevesearch/bleve/v2/search"

	"patentwall/search"
)

// hitRef is one matching document as the collector ranks it.
type hitRef struct {
	seg    int
	local  uint64
	score  float64
	id     int64
	listed int64
	fee    int64
}

// rank is an order of hits. Every order ends on the patent ID, newest first, so that it is total and
// pages never overlap.
type rank uint8

const (
	byScore rank = iota
	byListed
	byFeeAsc
	byFeeDesc
)

// rankOf is the order of a sort, and whether it needs scores. Relevance without text has no scores to
// rank by, so it lists the newest first.
func rankOf(sortName string, noText bool) (rank, bool) {
	switch {
	case sortName == search.SortNewest, sortName == search.SortRelevance && noText:
		return byListed, false
	case sortName == search.SortFeeAsc:
		return byFeeAsc, false
	case sortName == search.SortFeeDesc:
		return byFeeDesc, false
	}
	return byScore, true
}

// before reports whether a ranks before b.
func (r rank) before(a, b *hitRef) bool {
	switch r {
	case byScore:
		if a.score != b.score {
			return a.score > b.score
		}
	case byFeeAsc, byFeeDesc:
		if a.fee != b.fee {
			switch {
			case a.fee == noFee:
				return false // without a fee: last either way
			case b.fee == noFee:
				return true
			}
			return (a.fee < b.fee) != (r == byFeeDesc)
		}
		fallthrough
	case byListed:
		if a.listed != b.listed {
			return a.listed > b.listed
		}
	}
	return a.id > b.id
}

// topK keeps the k hits that rank first: a heap whose root is the one that ranks last.
type topK struct {
	k    int
	rank rank
	h    []hitRef
}

func (t *topK) offer(x *hitRef) {
	if len(t.h) < t.k {
		t.h = append(t.h, *x)
		for i := len(t.h) - 1; i > 0; {
			p := (i - 1) / 2
			if !t.rank.before(&t.h[p], &t.h[i]) {
				break
			}
			t.h[p], t.h[i] = t.h[i], t.h[p]
			i = p
		}
		return
	}
	if t.k == 0 || !t.rank.before(x, &t.h[0]) {
		return
	}
	t.h[0] = *x
	for i := 0; ; {
		last, l, r := i, 2*i+1, 2*i+2
		if l < len(t.h) && t.rank.before(&t.h[last], &t.h[l]) {
			last = l
		}
		if r < len(t.h) && t.rank.before(&t.h[last], &t.h[r]) {
			last = r
		}
		if last == i {
			return
		}
		t.h[i], t.h[last] = t.h[last], t.h[i]
		i = last
	}
}

// outranked reports whether a hit of this score cannot be kept, ranked by score: k hits are kept and the
// last of them scores higher. offer would refuse it; this spares reading the hit's columns (the ID, date
// and fee of a document far from the last one read, in arrays of the whole segment), which cost more
// than the rest of counting a broad query's match.
func (t *topK) outranked(score float64) bool {
	return t.rank == byScore && (t.k == 0 || len(t.h) == t.k && score < t.h[0].score)
}

// sorted returns the kept hits in rank order.
func (t *topK) sorted() []hitRef {
	slices.SortFunc(t.h, func(a, b hitRef) int {
		switch {
		case t.rank.before(&a, &b):
			return -1
		case t.rank.before(&b, &a):
			return 1
		}
		return 0
	})
	return t.h
}

// collected is what one pass over the matches gives.
type collected struct {
	total  int
	hits   []hitRef // the requested page, in order
	counts []int    // by facet term number; nil without facets
	terms  []string // the facet terms numbered
}

// checkEvery is how many matches are collected between checks of the context.
const checkEvery = 1024

// splitPostings is the estimated number of postings (Bleve's worst case for the query) from which a
// query is collected in parallel parts, each over its own range of document numbers: a one-word query
// can match most of the catalogue, and on an idle machine the second core then halves its latency.
const splitPostings = 16384

// part is what one pass over a range of document numbers gives.
type part struct {
	total  int
	counts []int
	top    topK
}

// collect runs a query on one snapshot: it counts every match, counts its facet terms when facets is
// set, and keeps the hits of the page [from, from+size) in the order rank gives. Plain words (see
// plainWords) are collected from the postings (wordPlan.collect), scored as q would be; q runs through
// Bleve otherwise. With offers (not with words), only the matches that have one of them count (see
// offersOnly); with a fee ceiling maxFee (not with words), only those with a fee of at most it (see
// postFilter).
func (x *Index) collect(ctx context.Context, is *scorch.IndexSnapshot, m mapping.IndexMapping, q query.Query,
	words, common, offers []string, maxFee *int64, rank rank, scored, facets bool, from, size int) (*collected, error) {
	cols, err := x.columns.columnsOf(is)
	if err != nil {
		return nil, err
	}
	post := postFilter{maxFee: maxFee}
	if words != nil && maxFee != nil {
		return nil, errors.New("search/bleve: plain words with a fee ceiling")
	}
	if offers != nil {
		if words != nil {
			return nil, errors.New("search/bleve: plain words with an offers filter")
		}
		if post.offers, err = offerBitmaps(is, offers); err != nil {
			return nil, err
		}
	}
	out := &collected{}
	if facets {
		out.terms = x.columns.dict.snapshot()
	}
	opts := bsearch.SearcherOptions{Score: "none"}
	if scored {
		opts.Score = ""
	}
	var first bsearch.Searcher
	var plan *wordPlan
	var postings uint64
	if words != nil {
		if plan, err = planWords(is, words, common); err != nil {
			return nil, err
		}
		if scored && !x.testNoTables {
			n, err := plan.withTables(is, cols)
			if err != nil {
				return nil, err
			}
			x.tabled.Add(int64(n))
		}
		postings = plan.postings()
		x.wordQueries.Add(1)
	} else {
		if first, err = q.Searcher(ctx, is, m, opts); err != nil {
			return nil, fmt.Errorf("search/bleve: %w", err)
		}
		defer first.Close()
		postings = first.Count()
	}
	docs := cols.docs()
	// Parts only pay off on idle cores: they cost about a quarter more CPU in all, so under load, when
	// recent searches overlapped, a query runs in one part.
	idle := x.load.observe(x.running.Add(1)) < 1.5
	defer x.running.Add(-1)
	n := 1
	if at := x.splitAt(); idle && postings >= at && docs >= 2*at && (x.testParts > 0 || !runQueued()) {
		n = min(runtime.GOMAXPROCS(0), maxParts)
		if x.testParts > 0 {
			n = x.testParts
		}
		n = max(n, 1)
	}
	if n > 1 {
		x.splits.Add(1)
	}
	parts := make([]part, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := docs*uint64(p)/uint64(n), docs*uint64(p+1)/uint64(n)
		parts[p] = part{top: topK{k: from + size, rank: rank}}
		if facets {
			parts[p].counts = make([]int, len(out.terms))
		}
		if p == 0 {
			continue // run below, on this goroutine
		}
		wg.Go(func() {
			if plan != nil {
				errs[p] = plan.collect(ctx, cols, !x.testNoNarrow, scored, lo, hi, &parts[p])
				return
			}
			s, err := q.Searcher(ctx, is, m, opts)
			if err != nil {
				errs[p] = fmt.Errorf("search/bleve: %w", err)
				return
			}
			defer s.Close()
			errs[p] = collectRange(ctx, s, is, cols, post, lo, hi, &parts[p])
		})
	}
	if plan != nil {
		errs[0] = plan.collect(ctx, cols, !x.testNoNarrow, scored, 0, docs/uint64(n), &parts[0])
	} else {
		errs[0] = collectRange(ctx, first, is, cols, post, 0, docs/uint64(n), &parts[0])
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	top := &parts[0].top
	out.total, out.counts = parts[0].total, parts[0].counts
	for _, p := range parts[1:] {
		out.total += p.total
		for t, c := range p.counts {
			out.counts[t] += c
		}
		for i := range p.top.h {
			top.offer(&p.top.h[i])
		}
	}
	hits := top.sorted()
	if from < len(hits) {
		out.hits = hits[from:]
	}
	return out, nil
}

func (x *Index) splitAt() uint64 {
	if x.testSplitAt > 0 {
		return uint64(x.testSplitAt)
	}
	return splitPostings
}

// concurrency is a moving average of how many searches were running when each recent one started.
type concurrency struct{ avg atomic.Uint64 } // float64 bits

// observe adds a sample (about the last eight count) and returns the new average.
func (c *concurrency) observe(running int64) float64 {
	for {
		old := c.avg.Load()
		v := math.Float64frombits(old)
		if old == 0 {
			v = 1
		}
		v += (float64(running) - v) / 8
		if c.avg.CompareAndSwap(old, math.Float64bits(v)) {
			return v
		}
	}
}

// runQueued reports whether goroutines of this process wait for a core: then the other parts of a split
// would only queue behind them (the searches' own average above misses the rest of a request's work, such
// as its database query and encoding, which kept both cores busy while searches seldom overlapped).
func runQueued() bool {
	s := []metrics.Sample{{Name: "/sched/goroutines/runnable:goroutines"}}
	metrics.Read(s)
	return s[0].Value.Kind() == metrics.KindUint64 && s[0].Value.Uint64() > 0
}

// maxParts bounds the parallel parts of one query.
const maxParts = 4

// docs is the number of document numbers of the snapshot (deleted ones included).
func (c *snapshotColumns) docs() uint64 {
	if len(c.segs) == 0 {
		return 0
	}
	last := len(c.segs) - 1
	return c.starts[last] + uint64(len(c.segs[last].id))
}

// postFilter is what the collector itself filters out of a searcher's matches: the offers (one bitmap
// per segment; nil: none, see offersOnly) and the fee ceiling (the query's MaxFeeFen; nil: none). The
// ceiling is tested from the fee column rather than by a range query: a range query needs a numeric
// field, which indexes 16 terms per value (coarser prefixes for ranges), a tenth of a document's
// postings; the fee is indexed as one term, like the sort keys (Index.document).
type postFilter struct {
	offers []*roaring.Bitmap
	maxFee *int64
}

// keeps reports whether the local document of segment seg, whose columns are c, passes the filter.
func (f postFilter) keeps(seg int, c *segColumns, local uint64) bool {
	if f.offers != nil && !f.offers[seg].Contains(uint32(local)) {
		return false
	}
	return f.maxFee == nil || c.fee[local] != noFee && c.fee[local] <= *f.maxFee
}

// collectRange collects the matches with document numbers in [lo, hi) that post keeps into p.
func collectRange(ctx context.Context, s bsearch.Searcher, is *scorch.IndexSnapshot, cols *snapshotColumns, post postFilter,
	lo, hi uint64, p *part) error {
	sctx := &bsearch.SearchContext{
		DocumentMatchPool: bsearch.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0),
		IndexReader:       is,
	}
	var dm *bsearch.DocumentMatch
	var err error
	if lo == 0 {
		dm, err = s.Next(sctx)
	} else {
		dm, err = s.Advance(sctx, index.NewIndexInternalID(nil, lo))
	}
	seg, segEnd := -1, uint64(0)
	var c *segColumns
	for ; err == nil && dm != nil; dm, err = s.Next(sctx) {
		g := dm.IndexInternalID.Value()
		if g >= hi {
			break
		}
		if seg < 0 || g < cols.starts[seg] || g >= segEnd {
			// Matches come in document-number order, so this is rare: once per segment.
			seg = sort.Search(len(cols.starts), func(i int) bool { return cols.starts[i] > g }) - 1
			c = cols.segs[seg]
			segEnd = cols.starts[seg] + uint64(len(c.id))
		}
		local := g - cols.starts[seg]
		if !post.keeps(seg, c, local) {
			sctx.DocumentMatchPool.Put(dm)
			continue
		}
		if p.total%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		p.total++
		if p.counts != nil {
			for _, t := range c.terms[c.termOff[local]:c.termOff[local+1]] {
				p.counts[t]++
			}
		}
		if !p.top.outranked(dm.Score) {
			h := hitRef{seg: seg, local: local, score: dm.Score, id: c.id[local], listed: c.listed[local], fee: c.fee[local]}
			p.top.offer(&h)
		}
		sctx.DocumentMatchPool.Put(dm)
	}
	if err != nil {
		return fmt.Errorf("search/bleve: %w", err)
	}
	return nil
}
