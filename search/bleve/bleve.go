// Package bleve is the embedded search engine: an on-disk Bleve (scorch) index in one directory,
// held by one process at a time. It is the single-machine default; search/meili serves several processes.
package bleve

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/numeric"
	index "github.com/blevesearch/bleve_index_api"
	bolt "go.etcd.io/bbolt"

	"patentwall/search"
)

// versionKey is the internal (non-document) key under which the index records its SchemaVersion.
var versionKey = []byte("patentwall_schema_version")

// Index is a Bleve index in Dir. It is safe for concurrent use.
type Index struct {
	Dir string
	// LockTimeout is how long Init waits for another process to release the directory (default 1s).
	LockTimeout string
	// CacheText also caches results of queries with text (popular searches), not only browsing;
	// any write empties the cache either way. Off for measuring the engine itself.
	CacheText bool
	// Discarded is why Init threw away an index it could not open (corrupt or missing files) and
	// created an empty one to be rebuilt; nil when it did not.
	Discarded error
	// Bulk is for a batch command that holds the index alone (import, reindex): Bleve acknowledges a
	// write once it is searchable and writes it to disk in the background, folding several small
	// segments into one on the way. Upsert and Delete still return only once their write is on disk;
	// UpsertDeferred returns before and reports it (docs/architecture.md §4). Set before Init.
	Bulk bool

	version string       // SchemaVersion unless a test overrides it
	mu      sync.RWMutex // write-locked only to swap idx (Init, Reset, Close)
	idx     bleve.Index
	mapping *mapping.IndexMappingImpl
	cache   resultCache
	columns *columnCache // per open index: segment IDs restart with every new index
	running atomic.Int64 // searches collecting now
	splits  atomic.Int64 // queries collected in parallel parts (tests)
	load    concurrency  // recent values of running: collect splits a query only onto idle cores
	// testSplitAt and testParts override splitPostings and the number of parallel parts (tests).
	testSplitAt, testParts int
	testBleveOnly          bool         // collect every query through Bleve's searchers (tests compare wordPlan.collect)
	wordQueries            atomic.Int64 // queries collected by wordPlan.collect (tests)
	testNoNarrow           bool         // wordPlan.collect never narrows its iterators to bitmap candidates (tests)
	testNoTables           bool         // wordPlan.collect reads common words from their postings, not their tables (tests)
	testOffersAsFilter     bool         // a similar query's offers filter runs through Bleve, not offerBitmaps (tests)
	tabled                 atomic.Int64 // common words' tables wordPlan.collect was given, over all segments (tests)
	analyzer               analysis.Analyzer
	keyword                analysis.Analyzer
	texts                  []textIndexing
}

// textIndexing is how Index.document adds a text field: the mapping's options with fastZh, which gives
// the tokens of the field's analyser in less time (analyzer.go).
type textIndexing struct {
	name     string
	options  index.FieldIndexingOptions
	analyzer analysis.Analyzer
}

var _ search.Index = (*Index)(nil)

// New returns an index stored in dir; call Init before use.
func New(dir string) *Index { return &Index{Dir: dir} }

// Init opens the index, creating it when the directory is new and recreating it when its schema version
// differs or it cannot be read (corrupt or missing files: Discarded says why); each time rebuild=true
// tells the caller to reindex from the database. A directory held by another process gives an error
// wrapping search.ErrIndexInUse.
func (x *Index) Init(ctx context.Context) (bool, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.idx != nil {
		return false, nil
	}
	m, err := newMapping()
	if err != nil {
		return false, fmt.Errorf("search/bleve: mapping: %w", err)
	}
	x.mapping = m
	x.analyzer, x.keyword = m.AnalyzerNamed(zhAnalyzer), m.AnalyzerNamed(keyword.Name)
	if x.analyzer == nil || x.keyword == nil {
		return false, errors.New("search/bleve: analyzer missing")
	}
	x.texts = textIndexings(m)
	if _, err := os.Stat(filepath.Join(x.Dir, "index_meta.json")); err == nil {
		err := x.checkIntact()
		var idx bleve.Index
		if err == nil {
			idx, err = bleve.OpenUsing(x.Dir, x.runtimeConfig())
		}
		opened := err == nil
		switch {
		case errors.Is(err, bolt.ErrTimeout):
			return false, x.openErr(err)
		case err != nil:
			// The index is derived data: one that cannot be read (corrupt or missing files) is
			// replaced by an empty one that the caller rebuilds from the database.
			if opened {
				idx.Close()
			}
			x.Discarded = x.openErr(err)
		default:
			v, err := idx.GetInternal(versionKey)
			if err == nil && string(v) == x.schemaVersion() {
				x.setIndex(idx)
				return false, nil
			}
			idx.Close()
		}
		if err := os.RemoveAll(x.Dir); err != nil {
			return false, fmt.Errorf("search/bleve: remove outdated index %s: %w", x.Dir, err)
		}
	} else if _, serr := os.Stat(filepath.Join(x.Dir, "store")); serr == nil {
		// Segments without the metadata file: what is left of an index whose metadata was lost.
		x.Discarded = fmt.Errorf("search/bleve: open %s: index_meta.json is missing", x.Dir)
		if err := os.RemoveAll(x.Dir); err != nil {
			return false, fmt.Errorf("search/bleve: remove broken index %s: %w", x.Dir, err)
		}
	}
	idx, err := x.create(ctx, m)
	if err != nil {
		return false, err
	}
	x.setIndex(idx)
	return true, nil
}

// checkIntact opens the index read-only (no persister or merger running, which LoadSnapshot would race
// with) and checks it with intact.
func (x *Index) checkIntact() error {
	cfg := x.runtimeConfig()
	cfg["read_only"] = true
	idx, err := bleve.OpenUsing(x.Dir, cfg)
	if err != nil {
		return err
	}
	err = intact(idx)
	if cerr := idx.Close(); err == nil {
		err = cerr
	}
	return err
}

// intact checks that an opened index loaded its newest snapshot: Scorch skips a snapshot whose segment
// files are corrupt or missing and silently opens an older one (often empty), which would leave the
// index short of documents that the outbox no longer lists.
func intact(idx bleve.Index) error {
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	epochs, err := s.RootBoltSnapshotEpochs()
	if err != nil || len(epochs) == 0 {
		return err
	}
	snap, err := s.LoadSnapshot(epochs[0])
	if err != nil {
		return fmt.Errorf("newest snapshot %d cannot be loaded (corrupt or missing segment files): %w", epochs[0], err)
	}
	return snap.DecRef()
}

// ErrDirGone is the error of an index whose directory was removed while it was open: searches would
// answer from what is left in memory and writes fail. A restart rebuilds it.
var ErrDirGone = errors.New("search/bleve: the index directory was removed; restart to rebuild it")

// Ping reports whether the index can answer: it is open and its directory is still there.
func (x *Index) Ping(context.Context) error {
	if _, err := x.current(); err != nil {
		return err
	}
	x.mu.RUnlock()
	return x.checkDir()
}

// checkDir fails when the index directory (its metadata file) is gone.
func (x *Index) checkDir() error {
	if _, err := os.Stat(filepath.Join(x.Dir, "index_meta.json")); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w (%s)", ErrDirGone, x.Dir)
	}
	return nil
}

func (x *Index) schemaVersion() string {
	if x.version != "" {
		return x.version
	}
	return SchemaVersion
}

func (x *Index) runtimeConfig() map[string]any {
	t := x.LockTimeout
	if t == "" {
		t = "1s"
	}
	cfg := map[string]any{"bolt_timeout": t}
	if x.Bulk {
		cfg["unsafe_batch"] = true
	}
	return cfg
}

func (x *Index) openErr(err error) error {
	if errors.Is(err, bolt.ErrTimeout) {
		return fmt.Errorf("search/bleve: open %s: %w", x.Dir, search.ErrIndexInUse)
	}
	return fmt.Errorf("search/bleve: open %s: %w", x.Dir, err)
}

// create makes a new index in Dir (which must not hold one) and records the schema version.
func (x *Index) create(ctx context.Context, m mapping.IndexMapping) (bleve.Index, error) {
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(x.Dir)), 0o755); err != nil {
		return nil, fmt.Errorf("search/bleve: create %s: %w", x.Dir, err)
	}
	idx, err := bleve.NewUsing(x.Dir, m, scorch.Name, scorch.Name, x.runtimeConfig())
	if err != nil {
		return nil, x.openErr(err)
	}
	b := idx.NewBatch()
	b.SetInternal(versionKey, []byte(x.schemaVersion()))
	if err := x.apply(ctx, idx, []*bleve.Batch{b}, nil); err != nil {
		idx.Close()
		return nil, fmt.Errorf("search/bleve: record schema version: %w", err)
	}
	return idx, nil
}

// setIndex installs an opened index (under the write lock) with empty column caches.
func (x *Index) setIndex(idx bleve.Index) {
	x.idx = idx
	x.columns = &columnCache{}
}

// current returns the open index under the read lock; release with x.mu.RUnlock.
func (x *Index) current() (bleve.Index, error) {
	x.mu.RLock()
	if x.idx == nil {
		x.mu.RUnlock()
		return nil, errors.New("search/bleve: index not initialised (call Init)")
	}
	return x.idx, nil
}

// Upsert indexes documents. Bleve builds the segment of a batch on one core after analysing it, so a
// batch of at least 2*minPart documents is cut into parallelBatches parts written at once: the callers
// (the outbox worker, an import) hand over one batch at a time and would otherwise leave a core idle.
// Each part is durable when Upsert returns; on error some parts may have been applied, which a retry
// repairs (upserts are idempotent).
func (x *Index) Upsert(ctx context.Context, docs []search.Document) error {
	return x.upsert(ctx, docs, nil)
}

// UpsertDeferred is Upsert returning as soon as the documents are searchable. In a Bulk index, durable
// is called once they are on disk, from another goroutine (never if the index is closed first, or
// while writing to disk fails: Bleve retries); otherwise it is called before UpsertDeferred returns. It
// is not called when UpsertDeferred fails.
func (x *Index) UpsertDeferred(ctx context.Context, docs []search.Document, durable func()) error {
	if durable == nil {
		durable = func() {}
	}
	return x.upsert(ctx, docs, durable)
}

func (x *Index) upsert(ctx context.Context, docs []search.Document, durable func()) error {
	idx, err := x.current()
	if err != nil {
		return err
	}
	defer x.mu.RUnlock()
	// A removed directory fails every write anyway, and Bleve may panic on the way (a nil map of the
	// lost segment state): refuse first, and turn a panic of the race that remains into an error.
	if err := x.checkDir(); err != nil {
		return err
	}
	parts := 1
	if len(docs) >= 2*minPart {
		parts = parallelBatches
	}
	batches := make([]*bleve.Batch, parts)
	for p := range batches {
		batches[p] = idx.NewBatch()
	}
	for i := range docs {
		doc, err := x.document(&docs[i])
		if err != nil {
			return fmt.Errorf("search/bleve: index %d: %w", docs[i].ID, err)
		}
		if err := batches[i*parts/len(docs)].IndexAdvanced(doc); err != nil {
			return fmt.Errorf("search/bleve: index %d: %w", docs[i].ID, err)
		}
	}
	if err := x.apply(ctx, idx, batches, durable); err != nil {
		return fmt.Errorf("search/bleve: write batch: %w", err)
	}
	return ctx.Err()
}

// apply writes batches at once. With durable nil it returns once they are on disk (or ctx ends). With
// durable set it returns once they are searchable and calls durable once they are on disk: later from
// Bleve's persister in a Bulk index, before returning otherwise (Bleve wrote them to disk already).
func (x *Index) apply(ctx context.Context, idx bleve.Index, batches []*bleve.Batch, durable func()) error {
	var onDisk chan struct{}
	if x.Bulk {
		// Bleve calls a batch's callback once a snapshot holding it is on disk (on failure it keeps
		// the callback for its retry).
		onDisk = make(chan struct{})
		var left atomic.Int64
		left.Store(int64(len(batches)))
		for _, b := range batches {
			b.SetPersistedCallback(func(err error) {
				if err == nil && left.Add(-1) == 0 {
					if durable != nil {
						durable()
					}
					close(onDisk)
				}
			})
		}
	}
	errs := make([]error, len(batches))
	var wg sync.WaitGroup
	for p, b := range batches {
		wg.Go(func() { errs[p] = safeBatch(idx, b) })
	}
	wg.Wait()
	x.cache.invalidate() // even on error: part of the batch may have been applied
	if err := errors.Join(errs...); err != nil {
		return err
	}
	switch {
	case onDisk == nil:
		if durable != nil {
			durable()
		}
	case durable == nil:
		select {
		case <-onDisk:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// safeBatch applies b, turning a panic inside Bleve (seen when the index directory disappears under a
// write) into an error, so the outbox worker retries instead of the server dying (docs/architecture.md §9.1).
func safeBatch(idx bleve.Index, b *bleve.Batch) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("search/bleve: write batch panicked: %v", r)
		}
	}()
	return idx.Batch(b)
}

// parallelBatches is how many Bleve batches one Upsert writes at once (one per core of the 2-core
// target machine); minPart is the smallest part worth a segment of its own.
const (
	parallelBatches = 2
	minPart         = 100
)

// Delete removes documents; unknown IDs are ignored.
func (x *Index) Delete(ctx context.Context, ids []int64) error {
	idx, err := x.current()
	if err != nil {
		return err
	}
	defer x.mu.RUnlock()
	if err := x.checkDir(); err != nil {
		return err
	}
	b := idx.NewBatch()
	for _, id := range ids {
		b.Delete(docID(id))
	}
	if err := x.apply(ctx, idx, []*bleve.Batch{b}, nil); err != nil {
		return fmt.Errorf("search/bleve: delete: %w", err)
	}
	return nil
}

// Reset drops every document by recreating the index (faster than deleting documents one by one).
func (x *Index) Reset(ctx context.Context) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.idx == nil {
		return errors.New("search/bleve: index not initialised (call Init)")
	}
	x.cache.invalidate()
	if err := x.idx.Close(); err != nil {
		return fmt.Errorf("search/bleve: close for reset: %w", err)
	}
	x.idx = nil
	if err := os.RemoveAll(x.Dir); err != nil {
		return fmt.Errorf("search/bleve: reset %s: %w", x.Dir, err)
	}
	m, err := newMapping()
	if err != nil {
		return err
	}
	idx, err := x.create(ctx, m)
	if err != nil {
		return err
	}
	x.setIndex(idx)
	return nil
}

// Count returns the number of documents.
func (x *Index) Count(ctx context.Context) (int, error) {
	idx, err := x.current()
	if err != nil {
		return 0, err
	}
	defer x.mu.RUnlock()
	n, err := idx.DocCount()
	return int(n), err
}

// Close releases the directory lock.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.idx == nil {
		return nil
	}
	err := x.idx.Close()
	x.idx = nil
	return err
}

func docID(id int64) string { return strconv.FormatInt(id, 10) }

// facetOptions index the facet terms (and the sort keys) with doc values that are neither compressed nor chunked. Bleve
// reads the doc values of every hit to count facets; by default they sit snappy-compressed in chunks of
// 1024 documents, so each hit in a new chunk decompressed a whole chunk, which was most of the time of a
// faceted query. The mapping cannot express these options, so the field is added by hand.
const facetOptions = index.IndexField | index.DocValues | index.SkipDVCompression | index.SkipDVChunking

// document maps a search document through the mapping, then adds the facet terms.
func (x *Index) document(d *search.Document) (*document.Document, error) {
	doc := document.NewDocument(docID(d.ID))
	if err := x.mapping.MapDocument(doc, toBleve(d)); err != nil {
		return nil, err
	}
	for _, f := range x.texts {
		if v := textValue(d, f.name); v != "" {
			doc.AddField(newZhField(f.name, []byte(v), f.options, f.analyzer))
		}
	}
	for i, t := range facetTerms(d) {
		doc.AddField(document.NewTextFieldCustom(facetsField, []uint64{uint64(i)}, []byte(t), facetOptions, x.keyword))
	}
	// Sort keys are read per hit the same way, and so is the fee for the fee ceiling (postFilter). fee_fen
	// is left out without a declaration, so fee sorts put such patents last and the fee ceiling excludes
	// them.
	doc.AddField(x.sortKey("id", d.ID))
	doc.AddField(x.sortKey("listed_at", d.ListedAt.Unix()))
	if d.HasDeclaration() {
		doc.AddField(x.sortKey("fee_fen", d.FeeFen))
	}
	return doc, nil
}

// sortKey is a number that is only sorted on or compared in the collector, never searched by range:
// one term, the full-precision prefix-coded value that the columns read from the doc values
// (columns.go). A numeric field would also index 16 coarser terms for range queries, most of them
// unique per document, which cost about a sixth of the indexing time.
func (x *Index) sortKey(field string, v int64) *document.TextField {
	term := numeric.MustNewPrefixCodedInt64(numeric.Float64ToInt64(float64(v)), 0)
	return document.NewTextFieldCustom(field, nil, term, facetOptions, x.keyword)
}

// textIndexings lists the text fields of m (textFields) with their options and a fastZh for each.
func textIndexings(m *mapping.IndexMappingImpl) []textIndexing {
	out := make([]textIndexing, len(textFields))
	for i, f := range textFields {
		out[i] = textIndexing{
			name:     f.name,
			options:  m.DefaultMapping.Properties[f.name].Fields[0].Options(),
			analyzer: newFastZh(!f.bigramsOnly),
		}
	}
	return out
}

// textValue is the value of the text field name (textFields) of d.
func textValue(d *search.Document, name string) string {
	switch name {
	case "title":
		return d.Title
	case "abstract":
		return d.Abstract
	case "patentee":
		return d.Patentee
	case "ipc_titles":
		return d.IPCTitles
	}
	panic("search/bleve: no text field " + name)
}

// toBleve flattens a document into the keyword fields of the mapping (the text, facet and sort fields
// are added by Index.document).
func toBleve(d *search.Document) map[string]any {
	m := map[string]any{
		"application_no": d.ApplicationNo,
		"ipc":            d.IPC,
		"ipc_subclass":   d.IPCSubclass,
		"ipc_main_group": d.IPCMainGroup,
		"offers":         d.Offers,
	}
	for k, v := range m {
		if s, ok := v.(string); ok && s == "" {
			delete(m, k) // an empty keyword would be a facet value of its own
		}
	}
	return m
}

// Optimize merges the index into as few segments as it can (one, below Scorch's segment size limit).
// A search visits every segment, so after a bulk load (reindex, import) this makes each query cheaper;
// later small writes add segments again, which the background merger folds in over time.
func (x *Index) Optimize(ctx context.Context) error {
	idx, err := x.current()
	if err != nil {
		return err
	}
	defer x.mu.RUnlock()
	adv, err := idx.Advanced()
	if err != nil {
		return fmt.Errorf("search/bleve: optimize: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	// A merge Bleve started in the background before may still be introduced after the forced one,
	// leaving a second segment: merge again then (rarely more than once).
	for attempt := 0; ; attempt++ {
		if err := s.ForceMerge(ctx, nil); err != nil {
			return fmt.Errorf("search/bleve: optimize: %w", err)
		}
		// The merged segment is on disk, but the snapshot that lists it is written out later: a batch
		// that returns once on disk (rewriting the schema version) waits for it, so the next open finds
		// the merged index rather than the segments before.
		b := idx.NewBatch()
		b.SetInternal(versionKey, []byte(x.schemaVersion()))
		if err := x.apply(ctx, idx, []*bleve.Batch{b}, nil); err != nil {
			return fmt.Errorf("search/bleve: optimize: %w", err)
		}
		n, err := segmentCount(s)
		if err != nil {
			return fmt.Errorf("search/bleve: optimize: %w", err)
		}
		if n <= 1 || attempt == 2 {
			return nil
		}
	}
}

// segmentCount is the number of segments of the index's current snapshot.
func segmentCount(s *scorch.Scorch) (int, error) {
	r, err := s.Reader()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return 0, fmt.Errorf("unexpected index reader %T", r)
	}
	return len(is.Segments()), nil
}

// Scratch creates an empty index in a temporary directory and returns it with a function that closes
// and removes it: the alert worker percolates each batch of new patents there (search.Alerts).
func Scratch(ctx context.Context) (search.Index, func(), error) {
	dir, err := os.MkdirTemp("", "patentwall-scratch-")
	if err != nil {
		return nil, nil, fmt.Errorf("search/bleve: scratch index: %w", err)
	}
	x := New(filepath.Join(dir, "index"))
	dispose := func() {
		x.Close()
		os.RemoveAll(dir)
	}
	if _, err := x.Init(ctx); err != nil {
		dispose()
		return nil, nil, err
	}
	return x, dispose, nil
}
