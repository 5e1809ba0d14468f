package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"patentwall/market"
	"patentwall/search"
	"patentwall/search/bleve"
	"patentwall/search/meili"
)

// indexDir is where the embedded (Bleve) index lives.
func (c Config) indexDir() string { return filepath.Join(c.DataDir, "index") }

// openIndex builds the configured engine (Meilisearch when MEILISEARCH_URL is set, else Bleve under
// DATA_DIR/index) and initialises it; rebuild reports a new or outdated index.
func (e *Env) openIndex(ctx context.Context) (idx search.Index, rebuild bool, err error) {
	idx = e.newIndex()
	rebuild, err = idx.Init(ctx)
	if b, ok := idx.(*bleve.Index); ok && b.Discarded != nil {
		// A corrupt or half-removed index directory: Init replaced it by an empty index (rebuild).
		e.Log.Warn("the search index could not be read; it is rebuilt from the database", "err", b.Discarded)
	}
	if errors.Is(err, search.ErrIndexInUse) {
		return nil, false, fmt.Errorf("index is in use by a running server (%s is locked): stop the server first, "+
			"or let it do the work (it drains index changes itself and rebuilds a deleted index on start): %w",
			e.Config.indexDir(), err)
	}
	if err != nil {
		return nil, false, err
	}
	return idx, rebuild, nil
}

// newIndex builds the configured engine, not yet initialised.
func (e *Env) newIndex() search.Index {
	if e.Config.MeiliURL != "" {
		return meili.New(e.Config.MeiliURL, e.Config.MeiliAPIKey)
	}
	b := bleve.New(e.Config.indexDir())
	b.Bulk = e.bulkIndex
	// Popular searches are answered from memory until the next index write (SEARCH_CACHE=off
	// measures the engine alone).
	b.CacheText = os.Getenv("SEARCH_CACHE") != "off"
	return b
}

// Index opens the search index once. A new index, or one whose schema version changed, is rebuilt
// from the database before it is returned, so callers never search a half-empty index unknowingly.
func (e *Env) Index(ctx context.Context) (search.Index, error) {
	if e.index != nil {
		return e.index, nil
	}
	store, err := e.Store(ctx)
	if err != nil {
		return nil, err
	}
	idx, rebuild, err := e.openIndex(ctx)
	if err != nil && e.startWithoutEngine && e.Config.MeiliURL != "" {
		// serve starts while Meilisearch does not answer: search is unavailable and browsing works
		// from the database until it does (docs/architecture.md §9.1); the index then initialises and,
		// if new, rebuilds itself.
		e.Log.Warn("the search engine does not answer; serving without search until it does", "err", err)
		e.index = search.NewDeferred(e.newIndex(), store, e.Log, err)
		return e.index, nil
	}
	if err != nil {
		return nil, err
	}
	interrupted, err := search.ReindexInterrupted(ctx, store)
	if err != nil {
		idx.Close()
		return nil, err
	}
	if rebuild || interrupted {
		start := time.Now()
		e.Log.Info("search index is new, its schema changed or its last rebuild was interrupted: rebuilding it from the database")
		last := time.Now()
		err := search.Reindex(ctx, store, idx, func(done, total int) {
			if time.Since(last) > 5*time.Second {
				last = time.Now()
				e.Log.Info("rebuilding search index", "done", done, "total", total)
			}
		})
		if err != nil {
			idx.Close()
			return nil, err
		}
		n, _ := idx.Count(ctx)
		e.Log.Info("search index rebuilt", "patents", n, "took", time.Since(start).Round(time.Millisecond))
	}
	e.index = idx
	return idx, nil
}

// SyncIndex brings the index up to date with the outbox after a command changed data. When a running
// server holds the (Bleve) index, it does nothing: the server's worker indexes the changes.
func (e *Env) SyncIndex(ctx context.Context) error {
	idx, err := e.Index(ctx)
	if errors.Is(err, search.ErrIndexInUse) {
		e.Log.Info("a running server holds the search index; it will index the changes")
		return nil
	}
	if err != nil {
		return err
	}
	// A large backlog (after an import) goes through the overlapped bulk path when this process holds
	// the embedded index exclusively; otherwise rows are claimed like a server's worker does.
	var n int
	if pending, _ := e.store.OutboxLen(ctx); pending > 2000 && e.Config.MeiliURL == "" {
		bar := newIndexBar(e.Stderr, int(pending))
		n, err = search.DrainExclusive(ctx, e.store, idx, func(done, total int) {
			if bar != nil {
				bar.ChangeMax(total)
				_ = bar.Set(done)
			}
		})
		if bar != nil {
			bar.Close()
		}
		if n > 0 {
			e.Log.Info("search index updated", "changes", n)
		}
		return err
	}
	w := &search.Worker{Store: e.store, Index: idx, Log: e.Log}
	n, err = w.DrainOnce(ctx)
	if n > 0 {
		e.Log.Info("search index updated", "changes", n)
	}
	return err
}

// startFeed opens the embedded index to index an import while it is written (search.Feed); nil when
// a running server holds the index (it indexes the import's outbox rows itself) or a rebuild is due.
func (e *Env) startFeed(ctx context.Context, store *market.Store) *search.Feed {
	idx, err := e.Index(ctx)
	if err != nil {
		if !errors.Is(err, search.ErrIndexInUse) {
			e.Log.Warn("the search index cannot be opened; the import's changes wait in the outbox", "err", err)
		}
		return nil
	}
	feed, err := search.StartFeed(ctx, store, idx)
	if err != nil {
		e.Log.Warn("indexing while importing is off; the import's changes wait in the outbox", "err", err)
		return nil
	}
	return feed
}

// newIndexBar draws the search-index progress of a large backlog on stderr.
func newIndexBar(w io.Writer, total int) *progressbar.ProgressBar {
	bar := newImportBar(w, total, "")
	if bar != nil {
		bar.Describe("indexing")
	}
	return bar
}
