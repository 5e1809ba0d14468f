package bleve

import (
	"encoding/json"
	"slices"
	"sync"
	"unsafe"

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
	// bytes estimates the memory the cached results hold (resultBytes); with maxCachedBytes it bounds the
	// cache by size, since an entry is a few kilobytes for a 20-hit page and ten times that for 100 hits
	// with highlights.
	bytes int
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

// maxCached and maxCachedBytes bound the cache; reaching either empties it (a popular search is back
// after its next request). At 100,000 patents 200 searches with facets and highlights, 20 hits each,
// hold about 4 MB.
const (
	maxCached      = 1024
	maxCachedBytes = 32 << 20
)

// resultBytes estimates the memory a cached result holds, its key included: strings' bytes plus the
// headers and map overheads around them (approximate, and on the high side).
func resultBytes(key string, r *search.Result) int {
	n := 128 + len(key) + len(r.Hits)*int(unsafe.Sizeof(search.Hit{}))
	const mapBytes, slotBytes = 320, 40 // a small map's header and first group; each further entry
	for _, h := range r.Hits {
		n += len(h.ApplicationNo)
		if h.Highlight != nil {
			n += mapBytes
			for k, v := range h.Highlight {
				n += slotBytes + len(k) + len(v)
			}
		}
	}
	for name, counts := range r.Facets {
		n += mapBytes + slotBytes + len(name)
		for v := range counts {
			n += slotBytes + len(v)
		}
	}
	return n
}

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
	size := resultBytes(key, r)
	if size > maxCachedBytes/16 {
		return // one huge answer would crowd out many popular ones
	}
	if old, ok := c.m[key]; ok {
		c.bytes -= resultBytes(key, old)
	}
	if c.m == nil || len(c.m) >= maxCached || c.bytes+size > maxCachedBytes {
		c.m = map[string]*search.Result{}
		c.bytes = 0
	}
	cp := *r
	cp.Hits = slices.Clone(r.Hits)
	c.m[key] = &cp
	c.bytes += size
}

// invalidate forgets every result; call it after each write.
func (c *resultCache) invalidate() {
	c.mu.Lock()
	c.gen++
	c.m = nil
	c.bytes = 0
	c.df = nil
	c.mu.Unlock()
}
