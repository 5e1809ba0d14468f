package search

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"

	"patentwall/market"
)

// Feed indexes patents while the transaction that writes them is still open (a large import run by a
// command that holds the index alone), so that indexing overlaps the database work instead of following
// it (docs/architecture.md §4). The index then holds writes the database may never commit, so a Feed
// first marks the index as being rebuilt (the marker of Reindex): a crash before Finish makes the next
// start rebuild it from the database. Finish either drops the outbox rows of what it indexed (the
// transaction committed) or re-indexes those patents from the database (it rolled back), then clears
// the marker.
type Feed struct {
	store *market.Store
	idx   Index

	mu      sync.Mutex
	fed     map[int64]bool // patents handed to the index
	pending []Document     // waiting for a full batch

	batches chan []Document
	g       *errgroup.Group
	gctx    context.Context
	done    int // documents on disk, counted by the drain goroutine
	total   int // documents handed to the index
	// progress, when set by Finish, is called as documents reach the disk.
	progress func(done, total int)
}

// StartFeed starts indexing in the background. It refuses (ErrFeedRefused) when a rebuild is already
// pending: the caller then leaves the import's changes to the outbox as usual.
func StartFeed(ctx context.Context, store *market.Store, idx Index) (*Feed, error) {
	if again, err := ReindexInterrupted(ctx, store); err != nil || again {
		return nil, errors.Join(ErrFeedRefused, err)
	}
	if err := store.SetMeta(ctx, reindexKey, "running"); err != nil {
		return nil, fmt.Errorf("search: feed: %w", err)
	}
	f := &Feed{store: store, idx: idx, fed: map[int64]bool{}, batches: make(chan []Document, 4)}
	f.g, f.gctx = errgroup.WithContext(ctx)
	indexInParallel(f.g, f.gctx, f.batches, func(docs []Document, durable func()) error {
		return upsertThen(f.gctx, idx, docs, durable)
	}, func(docs []Document) error {
		f.mu.Lock()
		f.done += len(docs)
		done, total, progress := f.done, f.total, f.progress
		f.mu.Unlock()
		if progress != nil {
			progress(done, total)
		}
		return nil
	})
	return f, nil
}

// feedBatch is how many documents a Feed indexes at once (in two parallel parts, see
// bleve.Index.Upsert). Measured on the 100,000-patent import: 1,000 was slightly faster than a
// rebuild's 2,000 and used less memory; 5,000 was a fifth slower.
const feedBatch = 1000

// ErrFeedRefused: the index awaits a rebuild, so nothing may be fed to it.
var ErrFeedRefused = errors.New("search: the index awaits a rebuild")

// Add hands over rows read inside the writing transaction (market.IndexRowsIn): the Written hook of an
// import (imports.Options). It blocks while the index is several batches behind, and fails once the
// indexing has failed.
func (f *Feed) Add(rows []market.IndexRow) error {
	f.mu.Lock()
	for _, r := range rows {
		f.fed[r.ID] = true
		f.pending = append(f.pending, DocumentOf(r))
	}
	f.total += len(rows)
	var full []Document
	if len(f.pending) >= feedBatch {
		full, f.pending = f.pending, nil
	}
	f.mu.Unlock()
	if full == nil {
		return nil
	}
	return f.send(full)
}

func (f *Feed) send(docs []Document) error {
	select {
	case f.batches <- docs:
		return nil
	case <-f.gctx.Done():
		// Not f.g.Wait: the other indexer waits for batches until Finish closes them.
		return fmt.Errorf("search: feed: indexing stopped: %w", context.Cause(f.gctx))
	}
}

// Finish waits until everything fed is on disk (progress, when set, is told as it gets there). With
// committed, the outbox rows of the fed patents (up to the newest row now) are deleted (the index holds
// what they ask for) and the index is optimised (Optimize). Otherwise, or when indexing failed, the fed
// patents are indexed again from the database, which drops those never committed. Either way the rebuild marker is cleared once the index
// matches the database; when Finish fails it stays, and the next start rebuilds the index.
func (f *Feed) Finish(ctx context.Context, committed bool, progress func(done, total int)) error {
	f.mu.Lock()
	rest := f.pending
	f.pending = nil
	f.progress = progress
	done, total := f.done, f.total
	f.mu.Unlock()
	if progress != nil {
		progress(done, total)
	}
	var err error
	if len(rest) > 0 {
		err = f.send(rest)
	}
	close(f.batches)
	if werr := f.g.Wait(); err == nil && werr != nil {
		err = fmt.Errorf("search: feed: %w", werr)
	}
	if err != nil || !committed {
		// What the index holds may differ from the database: index the fed patents again from it
		// (IndexPatents deletes the IDs the database does not have); their outbox rows, if committed,
		// stay for the worker, which does no harm.
		ids := make([]int64, 0, len(f.fed))
		for id := range f.fed {
			ids = append(ids, id)
		}
		for start := 0; start < len(ids); start += ReindexBatch {
			if rerr := IndexPatents(ctx, f.store, f.idx, ids[start:min(start+ReindexBatch, len(ids))]); rerr != nil {
				return errors.Join(err, fmt.Errorf("search: feed: repair: %w", rerr))
			}
		}
	} else {
		// Both run at once: the merge of Optimize is single-threaded and the deletes are database work.
		// As after a bulk drain, one segment makes every later query cheaper.
		var g errgroup.Group
		g.Go(func() error {
			maxID, err := f.store.OutboxMaxID(ctx)
			if err != nil {
				return err
			}
			return dropOutboxRows(ctx, f.store, maxID, f.fed)
		})
		g.Go(func() error { return Optimize(ctx, f.idx) })
		if err := g.Wait(); err != nil {
			return fmt.Errorf("search: feed: %w", err)
		}
	}
	if err := f.store.SetMeta(ctx, reindexKey, "done"); err != nil {
		return fmt.Errorf("search: feed: %w", err)
	}
	return nil
}

// dropOutboxRows deletes the outbox rows up to maxID whose patents are in fed, a run of consecutive
// rows at a time; rows of other patents stay for the worker.
func dropOutboxRows(ctx context.Context, store *market.Store, maxID int64, fed map[int64]bool) error {
	var lo, hi int64 // the current run of rows to delete; lo == 0: none
	flush := func() error {
		if lo == 0 {
			return nil
		}
		err := store.DeleteOutboxRange(ctx, lo, hi)
		lo = 0
		return err
	}
	for after := int64(0); ; {
		rows, err := store.OutboxPage(ctx, after, maxID, 5000)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return flush()
		}
		for _, r := range rows {
			if !fed[r.PatentID] {
				if err := flush(); err != nil {
					return err
				}
				continue
			}
			if lo == 0 {
				lo = r.ID
			}
			hi = r.ID
		}
		after = rows[len(rows)-1].ID
	}
}
