package search

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"patentwall/market"
)

// Batch is how many outbox rows (and documents) one indexing round handles.
const Batch = 500

// Worker drains the search outbox into an Index: it claims rows, reloads the patents from the
// database (the rows carry IDs only), upserts them and deletes those that no longer exist. Several
// workers (one per serve process) may run against one Postgres database: the claim uses SKIP LOCKED.
type Worker struct {
	Store *market.Store
	Index Index
	Log   *slog.Logger
	// Interval between polls when the outbox is empty (default 1s). A running worker is woken at once
	// when a transaction of Store (this process) that wrote outbox rows commits; polling finds the rows
	// that other processes write (a command-line import, another server).
	Interval time.Duration
	// BatchSize is how many outbox rows one round claims (default Batch).
	BatchSize int

	once  sync.Once
	nudge chan struct{}
}

func (w *Worker) init() {
	w.once.Do(func() { w.nudge = make(chan struct{}, 1) })
}

// Nudge asks a running worker to look at the outbox now. It never blocks. Run registers it with the
// store (market.Store.OnOutboxChange), so callers that change patents need not call it.
func (w *Worker) Nudge() {
	w.init()
	select {
	case w.nudge <- struct{}{}:
	default:
	}
}

// Run drains the outbox until ctx ends, polling every Interval and whenever the store signals a
// committed outbox change (or Nudge is called). Failures are logged and retried on the next round: the
// rows stay in the outbox. When ctx ends during a batch, that batch is finished (indexed and its rows
// deleted) before Run returns, so a shutdown leaves no work half done (docs/architecture.md §4).
func (w *Worker) Run(ctx context.Context) {
	w.init()
	// Registered before the first round, so a change committed while it runs wakes the next one.
	defer w.Store.OnOutboxChange(w.Nudge)()
	interval := w.Interval
	if interval <= 0 {
		interval = time.Second
	}
	// After a failure the wait doubles up to a minute, so a down engine is not hammered nor logged
	// every second; a success resets it (a nudge still wakes the worker at once).
	wait := interval
	for {
		n, err := w.drain(ctx, context.WithoutCancel(ctx))
		switch {
		case err != nil && ctx.Err() == nil:
			w.log().Error("search outbox: indexing failed; will retry", "err", err, "retry_in", wait)
		case n > 0:
			w.log().Debug("search outbox: indexed", "rows", n)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-w.nudge:
			t.Stop()
		}
		if err != nil {
			wait = min(2*wait, time.Minute)
		} else {
			wait = interval
		}
	}
}

// DrainOnce indexes what the outbox holds now, batch by batch, and returns how many rows it handled.
// Commands use it to bring the index up to date when no server is running.
func (w *Worker) DrainOnce(ctx context.Context) (int, error) { return w.drain(ctx, ctx) }

// drain is DrainOnce that runs each batch under ctx but starts no new batch once stop has ended.
func (w *Worker) drain(stop, ctx context.Context) (int, error) {
	size := w.BatchSize
	if size <= 0 {
		size = Batch
	}
	total := 0
	for stop.Err() == nil {
		n, err := w.Store.ClaimOutbox(ctx, size, func(ids []int64) error { return IndexPatents(ctx, w.Store, w.Index, ids) })
		total += n
		if err != nil {
			return total, err
		}
		if n < size {
			// Fewer than a full batch: the outbox was drained (rows another worker holds are its job).
			return total, nil
		}
	}
	return total, stop.Err()
}

func (w *Worker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}

// IndexPatents reloads patents from the store and upserts them; IDs the store no longer has are deleted
// from the index.
func IndexPatents(ctx context.Context, store *market.Store, idx Index, ids []int64) error {
	return indexPatentsThen(ctx, store, idx, ids, nil)
}

// indexPatentsThen is IndexPatents; with durable set, the upsert may return before its documents are
// on disk (upsertThen), and durable is called once they are.
func indexPatentsThen(ctx context.Context, store *market.Store, idx Index, ids []int64, durable func()) error {
	rows, err := store.IndexRows(ctx, ids)
	if err != nil {
		return err
	}
	found := make(map[int64]bool, len(rows))
	docs := make([]Document, len(rows))
	for i, r := range rows {
		found[r.ID] = true
		docs[i] = DocumentOf(r)
	}
	var missing []int64
	for _, id := range ids {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		if err := idx.Delete(ctx, missing); err != nil {
			return fmt.Errorf("search: delete %d patents: %w", len(missing), err)
		}
	}
	switch {
	case len(docs) > 0 && durable != nil:
		if err := upsertThen(ctx, idx, docs, durable); err != nil {
			return fmt.Errorf("search: index %d patents: %w", len(docs), err)
		}
	case len(docs) > 0:
		if err := idx.Upsert(ctx, docs); err != nil {
			return fmt.Errorf("search: index %d patents: %w", len(docs), err)
		}
	case durable != nil:
		durable() // only deletes, which Delete wrote to disk
	}
	return nil
}
