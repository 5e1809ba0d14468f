package bleve

import (
	"encoding/json"
	"slices"
	"sync"

	"patentwall/search"
)

// resultCache keeps the results of queries without text (browsing: the whole catalogue or a few
// filters, newest first, with facets) and, when enabled, of keyword queries too. Broad queries visit
// every matching document to count facets and sort, which is tens of milliseconds at 100,000 patents,
// yet their answer changes only when the index does; any write empties the cache. Searches follow a
// steep popularity curve, so a few hundred entries serve most of the traffic.
type resultCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]*search.Result
	// df holds the document frequencies of similar texts' key terms (similarKeys), which repeat from
	// one demand to the next; like the results, they are forgotten on every write.
	df map[string]uint64
}

// maxDF bounds the cached document frequencies.
const maxDF = 1 << 16

// docFreq returns a cached document frequency and the generation to pass to putDocFreq.
func (c *resultCache) docFreq(term string) (uint64, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.df[term]
	return n, ok, c.gen
}

// putDocFreq stores a document frequency read at generation gen, unless a write happened since.
func (c *resultCache) putDocFreq(term string, gen, n uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.df == nil || len(c.df) >= maxDF {
		c.df = map[string]uint64{}
	}
	c.df[term] = n
}

const maxCached = 1024

// cacheKey returns the key of a normalised query, or "" when it must not be cached.
func cacheKey(q search.Query, withText bool) string {
	if (q.Text != "" && !withText) || q.Similar != "" || q.IDs != nil {
		// Similar texts and ID lists (demands, alerts) are one-off queries.
		return ""
	}
	b, err := json.Marshal(q)
	if err != nil {
		return ""
	}
	return string(b)
}

// get returns a copy of a cached result and the generation to pass to put.
func (c *resultCache) get(key string) (*search.Result, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.m[key]; ok {
		cp := *r
		cp.Hits = slices.Clone(r.Hits)
		return &cp, c.gen
	}
	return nil, c.gen
}

// put stores a result computed at generation gen, unless a write happened since.
func (c *resultCache) put(key string, gen uint64, r *search.Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) >= maxCached {
		c.m = map[string]*search.Result{}
	}
	cp := *r
	cp.Hits = slices.Clone(r.Hits)
	c.m[key] = &cp
}

// invalidate forgets every result; call it after each write.
func (c *resultCache) invalidate() {
	c.mu.Lock()
	c.gen++
	c.m = nil
	c.df = nil
	c.mu.Unlock()
}
