package search

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"

	"patentwall/market"
)

// ReindexBatch is how many patents a full rebuild loads and indexes at once: larger batches make fewer,
// larger index segments, which Bleve builds and merges faster.
const ReindexBatch = 2000

// Reindex empties the index and rebuilds it from every patent in the database, in batches; progress
// (may be nil) is called after each batch with the patents done and the total. Loading from the database
// and indexing overlap, and two batches are indexed at once (Bleve builds one segment per batch on one
// core).
func Reindex(ctx context.Context, store *market.Store, idx Index, progress func(done, total int)) error {
	total, err := store.CountPatents(ctx)
	if err != nil {
		return fmt.Errorf("search: reindex: %w", err)
	}
	// Recorded first, so a rebuild that dies half-way is redone at the next start (ReindexInterrupted):
	// the half-filled index itself looks healthy.
	if err := store.SetMeta(ctx, reindexKey, "running"); err != nil {
		return fmt.Errorf("search: reindex: %w", err)
	}
	if err := idx.Reset(ctx); err != nil {
		return fmt.Errorf("search: reindex: reset: %w", err)
	}
	if progress != nil {
		progress(0, int(total))
	}
	g, gctx := errgroup.WithContext(ctx)
	batches := make(chan []Document, 2)
	var (
		mu   sync.Mutex
		done int
	)
	for range 2 {
		g.Go(func() error {
			for docs := range batches {
				if err := idx.Upsert(gctx, docs); err != nil {
					return err
				}
				mu.Lock()
				done += len(docs)
				if progress != nil {
					progress(done, max(done, int(total)))
				}
				mu.Unlock()
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(batches)
		return store.ForEachPatentID(gctx, ReindexBatch, func(ids []int64) error {
			rows, err := store.IndexRows(gctx, ids)
			if err != nil {
				return err
			}
			docs := make([]Document, len(rows))
			for i, r := range rows {
				docs[i] = DocumentOf(r)
			}
			select {
			case batches <- docs:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	})
	if err := g.Wait(); err != nil {
		return fmt.Errorf("search: reindex: %w", err)
	}
	if err := Optimize(ctx, idx); err != nil {
		return fmt.Errorf("search: reindex: %w", err)
	}
	if err := store.SetMeta(ctx, reindexKey, "done"); err != nil {
		return fmt.Errorf("search: reindex: %w", err)
	}
	return nil
}

// reindexKey is the meta row that tracks a full rebuild.
const reindexKey = "search_reindex"

// ReindexInterrupted reports whether the last full rebuild started but never finished.
func ReindexInterrupted(ctx context.Context, store *market.Store) (bool, error) {
	v, err := store.GetMeta(ctx, reindexKey)
	if err != nil {
		return false, fmt.Errorf("search: read reindex state: %w", err)
	}
	return v == "running", nil
}

// DrainExclusive indexes every outbox row present when it starts, overlapping the database reads with
// indexing (two batches at once), and deletes each batch's rows once it is indexed. It does not claim
// rows, so it is only for a process that holds the index exclusively (the embedded Bleve index is
// locked by one process), e.g. a command run after a large import; a crash leaves the rest for later.
func DrainExclusive(ctx context.Context, store *market.Store, idx Index, progress func(done, total int)) (int, error) {
	maxID, err := store.OutboxMaxID(ctx)
	if err != nil || maxID == 0 {
		return 0, err
	}
	total, err := store.OutboxLen(ctx)
	if err != nil {
		return 0, err
	}
	type batch struct {
		lo, hi int64
		rows   int
		ids    []int64
	}
	g, gctx := errgroup.WithContext(ctx)
	batches := make(chan batch, 2)
	var (
		mu   sync.Mutex
		done int
	)
	for range 2 {
		g.Go(func() error {
			for b := range batches {
				if err := IndexPatents(gctx, store, idx, b.ids); err != nil {
					return err
				}
				if err := store.DeleteOutboxRange(gctx, b.lo, b.hi); err != nil {
					return err
				}
				mu.Lock()
				done += b.rows
				if progress != nil {
					progress(done, max(done, int(total)))
				}
				mu.Unlock()
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(batches)
		for after := int64(0); ; {
			rows, err := store.OutboxPage(gctx, after, maxID, ReindexBatch)
			if err != nil || len(rows) == 0 {
				return err
			}
			seen := make(map[int64]bool, len(rows))
			b := batch{lo: rows[0].ID, hi: rows[len(rows)-1].ID, rows: len(rows)}
			for _, r := range rows {
				if !seen[r.PatentID] {
					seen[r.PatentID] = true
					b.ids = append(b.ids, r.PatentID)
				}
			}
			after = b.hi
			select {
			case batches <- b:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
	})
	if err := g.Wait(); err != nil {
		return done, fmt.Errorf("search: drain outbox: %w", err)
	}
	if err := Optimize(ctx, idx); err != nil {
		return done, fmt.Errorf("search: drain outbox: %w", err)
	}
	return done, nil
}
