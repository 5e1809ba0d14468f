package bleve

// SetSchemaVersionForTest makes the index record (and expect) another schema version.
func (x *Index) SetSchemaVersionForTest(v string) { x.version = v }

// DropCacheForTest empties the result cache (benchmarks measure uncached browsing too).
func (x *Index) DropCacheForTest() { x.cache.invalidate() }
