package search_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
	"patentwall/search"
)

func TestReindex(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ids := seed(t, s, 2500)
		idx := newRecorder()
		idx.docs[999999] = search.Document{ID: 999999} // stale: gone after the reset
		var calls [][2]int
		err := search.Reindex(context.Background(), s, idx, func(done, total int) { calls = append(calls, [2]int{done, total}) })
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := idx.Count(context.Background()); n != len(ids) || idx.resets != 1 {
			t.Fatalf("after reindex: %d docs, %d resets", n, idx.resets)
		}
		// Batches are indexed two at a time, so they may finish in either order.
		if len(calls) != 3 || calls[0] != [2]int{0, 2500} || calls[2] != [2]int{2500, 2500} ||
			calls[1][0] != search.ReindexBatch && calls[1][0] != 2500-search.ReindexBatch {
			t.Fatalf("progress %v", calls)
		}
		if again, err := search.ReindexInterrupted(context.Background(), s); err != nil || again {
			t.Fatalf("finished reindex reported as interrupted: %v %v", again, err)
		}
		// A rebuild that fails half-way is reported, so the next start redoes it.
		idx.fail = errors.New("disk full")
		if err := search.Reindex(context.Background(), s, idx, nil); err == nil {
			t.Fatal("failing reindex returned nil")
		}
		if again, err := search.ReindexInterrupted(context.Background(), s); err != nil || !again {
			t.Fatalf("interrupted reindex not reported: %v %v", again, err)
		}
	})
}

// A command holding the index drains a large backlog in bulk: every patent indexed, every row gone,
// and an engine failure leaves the rows of the failed batches for later.
func TestDrainExclusive(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ids := seed(t, s, 3)
		backlog := make([]int64, 3000) // more than one bulk batch, with repeats of the same patents
		for i := range backlog {
			backlog[i] = ids[i%3]
		}
		enqueue(t, s, backlog...)
		idx := newRecorder()
		idx.fail = errors.New("engine unreachable")
		if _, err := search.DrainExclusive(ctx, s, idx, nil); err == nil {
			t.Fatal("failing engine: no error")
		}
		if l, _ := s.OutboxLen(ctx); l != 3000 {
			t.Fatalf("outbox after failure: %d rows, want 3000", l)
		}
		idx.fail = nil
		var last int
		n, err := search.DrainExclusive(ctx, s, idx, func(done, total int) { last = done })
		if err != nil || n != 3000 || last != 3000 {
			t.Fatalf("drain: n=%d last progress %d err=%v", n, last, err)
		}
		if l, _ := s.OutboxLen(ctx); l != 0 {
			t.Fatalf("outbox after drain: %d rows", l)
		}
		for _, id := range ids {
			if idx.upserts[id] == 0 {
				t.Errorf("patent %d not indexed", id)
			}
		}
	})
}

// deferredRecorder acknowledges upserts at once and reports them on disk only when the test releases
// them, as a Bulk Bleve index does from its persister.
type deferredRecorder struct {
	*recorder
	mu      sync.Mutex
	pending []func()
	writes  int
}

func (d *deferredRecorder) UpsertDeferred(ctx context.Context, docs []search.Document, durable func()) error {
	if err := d.Upsert(ctx, docs); err != nil {
		return err
	}
	d.mu.Lock()
	d.pending = append(d.pending, durable)
	d.writes++
	d.mu.Unlock()
	return nil
}

// waitWrites waits (at most 10 s) until n writes were acknowledged in all.
func (d *deferredRecorder) waitWrites(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		d.mu.Lock()
		w := d.writes
		d.mu.Unlock()
		if w >= n {
			return
		}
	}
	t.Fatalf("fewer than %d writes acknowledged: the job did not go on while earlier ones were not on disk", n)
}

// release reports every write so far on disk, from another goroutine.
func (d *deferredRecorder) release() int {
	d.mu.Lock()
	fns := d.pending
	d.pending = nil
	d.mu.Unlock()
	go func() {
		for _, fn := range fns {
			fn()
		}
	}()
	return len(fns)
}

// With an engine that writes to disk after acknowledging, the bulk drain keeps going, deletes each
// batch's outbox rows only once the engine reports it on disk, and returns only when all are; a
// rebuild is not done before then either.
func TestBulkJobsWaitForDisk(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ids := seed(t, s, 5000)
		backlog := append(append([]int64{}, ids...), ids[:1000]...)
		enqueue(t, s, backlog...)
		idx := &deferredRecorder{recorder: newRecorder()}
		type result struct {
			n   int
			err error
		}
		res := make(chan result, 1)
		go func() {
			n, err := search.DrainExclusive(ctx, s, idx, nil)
			res <- result{n, err}
		}()
		// Every batch (6,000 rows: three) is indexed before any is on disk: nothing is deleted and the
		// drain waits.
		idx.waitWrites(t, 3)
		select {
		case r := <-res:
			t.Fatalf("drain returned before its batches were on disk: %d %v", r.n, r.err)
		case <-time.After(50 * time.Millisecond):
		}
		if l, _ := s.OutboxLen(ctx); l != int64(len(backlog)) {
			t.Fatalf("outbox rows deleted before on disk: %d left, want %d", l, len(backlog))
		}
		if idx.release() == 0 {
			t.Fatal("no deferred writes")
		}
		r := <-res
		if r.err != nil || r.n != len(backlog) {
			t.Fatalf("drain: n=%d err=%v, want %d", r.n, r.err, len(backlog))
		}
		if l, _ := s.OutboxLen(ctx); l != 0 {
			t.Fatalf("outbox after drain: %d rows", l)
		}

		// Reindex: not recorded as done until every batch is on disk.
		done := make(chan error, 1)
		go func() { done <- search.Reindex(ctx, s, idx, nil) }()
		idx.waitWrites(t, 3+3) // 5,000 patents: three more batches
		select {
		case err := <-done:
			t.Fatalf("reindex returned before its batches were on disk: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		if again, _ := search.ReindexInterrupted(ctx, s); !again {
			t.Fatal("reindex recorded as done before its batches were on disk")
		}
		idx.release()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if again, _ := search.ReindexInterrupted(ctx, s); again {
			t.Fatal("finished reindex reported as interrupted")
		}
	})
}
