package bleve

import (
	"fmt"
	"strings"
	"testing"

	"patentwall/search"
)

// The result cache is bounded by its estimated size as well as by its number of entries, and keeps no
// single answer larger than a sixteenth of that bound.
func TestResultCacheBytes(t *testing.T) {
	page := func(fragment int) *search.Result {
		r := &search.Result{Total: 1000, Facets: map[string]map[string]int{"type": {"invention": 3}}}
		for i := range 100 {
			r.Hits = append(r.Hits, search.Hit{ID: int64(i), ApplicationNo: "CN202310000001.1",
				Highlight: map[string]string{"title": "<mark>电池</mark>", "abstract": strings.Repeat("电", fragment)}})
		}
		return r
	}
	var c resultCache
	small := page(160)
	size := resultBytes("q0", small)
	if size < 100*160*3 {
		t.Fatalf("a 100-hit page is estimated at %d bytes, less than its abstracts", size)
	}
	for i := range 2 * maxCachedBytes / size {
		c.put(fmt.Sprintf("q%d", i), c.gen, small)
		if c.bytes > maxCachedBytes {
			t.Fatalf("after %d entries the cache holds %d bytes, over %d", i+1, c.bytes, maxCachedBytes)
		}
	}
	if got, _ := c.get(fmt.Sprintf("q%d", 2*maxCachedBytes/size-1)); got == nil {
		t.Error("the latest result is not cached")
	}
	before := c.bytes
	c.put("q0", c.gen, small) // replacing an entry counts it once
	c.put("q0", c.gen, small)
	if c.bytes > before+size {
		t.Errorf("replacing an entry grew the estimate from %d to %d", before, c.bytes)
	}
	huge := page(maxCachedBytes / 16 / 100)
	c.put("huge", c.gen, huge)
	if got, _ := c.get("huge"); got != nil {
		t.Error("a result larger than a sixteenth of the bound was cached")
	}
	c.invalidate()
	if c.bytes != 0 {
		t.Errorf("after a write the cache still counts %d bytes", c.bytes)
	}
}
