package search_test

import (
	"context"
	"errors"
	"testing"

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
