package bleve

import (
	"fmt"
	"math"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A broad query matches thousands of documents, and every one of them is counted in the facets and
// ranked by the sort. Bleve's collector reads each hit's doc values for that, through a visitor
// callback per term and string-keyed maps: most of the time of a one-word query. Segments are
// immutable, so what a search needs of every document is read from the doc values once per segment
// into flat arrays (columns) indexed by the segment-local document number, and a search then counts
// and ranks with array lookups (collect.go). A merge makes new segments, whose columns are built by the
// first search that meets them; columns of segments gone from the index are dropped.

// noFee marks a document without a declaration in segColumns.fee (fee sorts put it last).
const noFee = math.MinInt64

// segColumns are the per-document values of one segment, by local document number.
type segColumns struct {
	id      []int64   // the patent ID (0: none, e.g. a document deleted before the columns were read)
	listed  []int64   // listed_at, Unix seconds
	fee     []int64   // fee_fen, noFee without a declaration
	termOff []uint32  // the facet terms of document n are terms[termOff[n]:termOff[n+1]]
	terms   []uint32  // facet term numbers in facetDict
	tables  segTables // the common words' postings, made on first use (common.go)
}

// facetDict numbers the distinct facet terms (a few hundred), shared by every segment's columns.
type facetDict struct {
	mu    sync.RWMutex
	ids   map[string]uint32
	terms []string
}

func (d *facetDict) id(term []byte) uint32 {
	d.mu.RLock()
	n, ok := d.ids[string(term)]
	d.mu.RUnlock()
	if ok {
		return n
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if n, ok := d.ids[string(term)]; ok {
		return n
	}
	if d.ids == nil {
		d.ids = map[string]uint32{}
	}
	n = uint32(len(d.terms))
	d.ids[string(term)] = n
	d.terms = append(d.terms, string(term))
	return n
}

// snapshot returns the terms numbered so far (a prefix of every later snapshot).
func (d *facetDict) snapshot() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.terms[:len(d.terms):len(d.terms)]
}

// columnCache holds the columns of the segments of recent snapshots, by segment ID (a segment keeps
// its ID when it is persisted; a merge makes a new one).
type columnCache struct {
	dict facetDict
	mu   sync.Mutex
	segs map[uint64]*columnEntry
}

type columnEntry struct {
	once sync.Once
	cols *segColumns
	err  error
}

// snapshotColumns are the columns of every segment of one snapshot, with the global document number
// each segment starts at.
type snapshotColumns struct {
	segs   []*segColumns
	starts []uint64
}

// columnsOf returns the columns of a snapshot's segments, reading those not seen before.
func (c *columnCache) columnsOf(is *scorch.IndexSnapshot) (*snapshotColumns, error) {
	segs := is.Segments()
	out := &snapshotColumns{segs: make([]*segColumns, len(segs)), starts: make([]uint64, len(segs))}
	entries := make([]*columnEntry, len(segs))
	c.mu.Lock()
	if c.segs == nil {
		c.segs = map[uint64]*columnEntry{}
	}
	live := make(map[uint64]bool, len(segs))
	for i, s := range segs {
		live[s.Id()] = true
		e := c.segs[s.Id()]
		if e == nil {
			e = &columnEntry{}
			c.segs[s.Id()] = e
		}
		entries[i] = e
	}
	// Forget merged-away segments once a newer snapshot no longer has them. A search still running on
	// an older snapshot keeps its own references.
	if len(c.segs) > 2*len(segs)+8 {
		for id := range c.segs {
			if !live[id] {
				delete(c.segs, id)
			}
		}
	}
	c.mu.Unlock()
	var start uint64
	for i, s := range segs {
		e := entries[i]
		e.once.Do(func() { e.cols, e.err = c.read(s.Segment()) })
		if e.err != nil {
			c.mu.Lock()
			delete(c.segs, s.Id()) // let a later search retry
			c.mu.Unlock()
			return nil, e.err
		}
		out.segs[i], out.starts[i] = e.cols, start
		start += s.Segment().Count()
	}
	return out, nil
}

// columnFields are the doc-value fields the columns are read from (see Index.document).
var columnFields = []string{facetsField, "id", "listed_at", "fee_fen"}

// read builds the columns of one segment from its doc values.
func (c *columnCache) read(seg segment.Segment) (*segColumns, error) {
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return nil, fmt.Errorf("search/bleve: segment type %T has no doc values", seg)
	}
	n := seg.Count()
	cols := &segColumns{
		id:      make([]int64, n),
		listed:  make([]int64, n),
		fee:     make([]int64, n),
		termOff: make([]uint32, n+1),
		terms:   make([]uint32, 0, 4*n),
	}
	var doc uint64
	visit := func(field string, term []byte) {
		switch field {
		case facetsField:
			cols.terms = append(cols.terms, c.dict.id(term))
		case "id":
			cols.id[doc] = decodeInt(term, cols.id[doc])
		case "listed_at":
			cols.listed[doc] = decodeInt(term, cols.listed[doc])
		case "fee_fen":
			cols.fee[doc] = decodeInt(term, cols.fee[doc])
		}
	}
	var state segment.DocVisitState
	var err error
	for doc = 0; doc < n; doc++ {
		cols.fee[doc] = noFee
		if state, err = dv.VisitDocValues(doc, columnFields, index.DocValueVisitor(visit), state); err != nil {
			return nil, fmt.Errorf("search/bleve: read doc values: %w", err)
		}
		cols.termOff[doc+1] = uint32(len(cols.terms))
	}
	return cols, nil
}

// decodeInt reads a full-precision prefix-coded number (numeric fields also hold coarser terms for
// range queries, which are skipped); keep is returned for any other term.
func decodeInt(term []byte, keep int64) int64 {
	p := numeric.PrefixCoded(term)
	if shift, err := p.Shift(); err != nil || shift != 0 {
		return keep
	}
	i, err := p.Int64()
	if err != nil {
		return keep
	}
	return int64(numeric.Int64ToFloat64(i))
}
