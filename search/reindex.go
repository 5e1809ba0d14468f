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
// (may be nil) is called as batches reach the disk, with the patents done and the total. Loading from
// the database and indexing overlap, two batches are indexed at once (Bleve builds one segment per batch
// on one core), and an engine that can (DeferredUpserter) goes on with the next batches while earlier
// ones are written out; the rebuild is done once every batch is on disk.
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
	done := 0
	indexInParallel(g, gctx, batches, func(docs []Document, durable func()) error {
		return upsertThen(gctx, idx, docs, durable)
	}, func(docs []Document) error {
		done += len(docs)
		if progress != nil {
			progress(done, max(done, int(total)))
		}
		return nil
	})
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
// indexing (two batches at once), and deletes each batch's rows once it is on disk; an engine that can
// (DeferredUpserter) goes on with the next batches meanwhile. It does not claim rows, so it is only for
// a process that holds the index exclusively (the embedded Bleve index is locked by one process), e.g. a
// command run after a large import; a crash leaves the rows of the batches not yet on disk for later.
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
	done := 0
	indexInParallel(g, gctx, batches, func(b batch, durable func()) error {
		return indexPatentsThen(gctx, store, idx, b.ids, durable)
	}, func(b batch) error {
		if err := store.DeleteOutboxRange(gctx, b.lo, b.hi); err != nil {
			return err
		}
		done += b.rows
		if progress != nil {
			progress(done, max(done, int(total)))
		}
		return nil
	})
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

// indexInParallel starts, in g, two goroutines that write the batches received from batches (write
// calls durable once its batch is on disk: upsertThen) and one that calls onDisk for each batch on
// disk, in one goroutine. They end once batches is closed and every batch written was reported on
// disk, or when gctx ends.
func indexInParallel[T any](g *errgroup.Group, gctx context.Context, batches <-chan T,
	write func(b T, durable func()) error, onDisk func(T) error) {
	q := newDurableQueue[T]()
	written := make(chan struct{})
	var writers sync.WaitGroup
	for range 2 {
		writers.Add(1)
		g.Go(func() error {
			defer writers.Done()
			for b := range batches {
				q.add()
				if err := write(b, func() { q.done(b) }); err != nil {
					return err
				}
			}
			return nil
		})
	}
	go func() { writers.Wait(); close(written) }()
	g.Go(func() error { return q.drain(gctx, written, onDisk) })
}

// durableQueue hands the batches an engine reports on disk (from its own goroutine, in any order) to
// one consumer.
type durableQueue[T any] struct {
	mu      sync.Mutex
	pending int // added and not yet consumed
	ready   []T
	wake    chan struct{}
}

func newDurableQueue[T any]() *durableQueue[T] {
	return &durableQueue[T]{wake: make(chan struct{}, 1)}
}

// add counts a batch about to be written; call it before the write.
func (q *durableQueue[T]) add() {
	q.mu.Lock()
	q.pending++
	q.mu.Unlock()
}

// done reports a batch on disk; it never blocks.
func (q *durableQueue[T]) done(v T) {
	q.mu.Lock()
	q.ready = append(q.ready, v)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// drain calls fn for each batch on disk, until closed is closed (no more add) and every batch added
// was consumed, or ctx ends.
func (q *durableQueue[T]) drain(ctx context.Context, closed <-chan struct{}, fn func(T) error) error {
	finished := false
	for {
		q.mu.Lock()
		ready := q.ready
		q.ready = nil
		q.pending -= len(ready)
		left := q.pending
		q.mu.Unlock()
		for _, v := range ready {
			if err := fn(v); err != nil {
				return err
			}
		}
		if finished && left == 0 {
			return nil
		}
		if len(ready) > 0 {
			continue
		}
		select {
		case <-q.wake:
		case <-closed:
			finished, closed = true, nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
