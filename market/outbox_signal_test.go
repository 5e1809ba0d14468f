package market_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"patentwall/market"
	"patentwall/market/markettest"
)

// listen registers an outbox listener that counts its calls and hands each one to the returned channel
// without blocking (as the worker's Nudge does).
func listen(t *testing.T, s *market.Store) (*atomic.Int64, <-chan struct{}) {
	t.Helper()
	var n atomic.Int64
	ch := make(chan struct{}, 1)
	t.Cleanup(s.OnOutboxChange(func() {
		n.Add(1)
		select {
		case ch <- struct{}{}:
		default:
		}
	}))
	return &n, ch
}

// A committed transaction that wrote outbox rows wakes a waiting listener; one that wrote none does not.
func TestOutboxSignalAfterCommit(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ids := seedPatents(t, s, 2)
		n, ch := listen(t, s)
		woken := make(chan struct{})
		go func() {
			<-ch
			close(woken)
		}()
		err := s.Tx(ctx, func(tx *gorm.DB) error {
			if err := market.EnqueueIndex(tx, t0, ids...); err != nil {
				return err
			}
			if n.Load() != 0 {
				t.Error("signalled before the commit")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-woken:
		case <-time.After(30 * time.Second): // guards against hanging only: the signal is synchronous
			t.Fatal("a committed outbox change did not wake the listener")
		}
		if got := n.Load(); got != 1 {
			t.Fatalf("one transaction signalled %d times", got)
		}
		if err := s.Tx(ctx, func(tx *gorm.DB) error {
			return tx.Model(&market.Patent{}).Where("id = ?", ids[0]).Update("title", "x").Error
		}); err != nil {
			t.Fatal(err)
		}
		if got := n.Load(); got != 1 {
			t.Fatalf("a transaction without outbox rows signalled (%d calls)", got)
		}
	})
}

// A rolled back transaction signals nothing, whether fn failed or the commit did not happen.
func TestOutboxNoSignalOnRollback(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ids := seedPatents(t, s, 1)
		n, _ := listen(t, s)
		boom := errors.New("boom")
		err := s.Tx(ctx, func(tx *gorm.DB) error {
			if err := market.EnqueueIndex(tx, t0, ids...); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx returned %v", err)
		}
		// A bound copy's savepoint succeeded, the outer transaction failed.
		err = s.Tx(ctx, func(tx *gorm.DB) error {
			if err := s.Bound(tx, nil).Tx(ctx, func(tx *gorm.DB) error { return market.EnqueueIndex(tx, t0, ids...) }); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx returned %v", err)
		}
		if got := n.Load(); got != 0 {
			t.Fatalf("rolled back transactions signalled %d times", got)
		}
		if l, _ := s.OutboxLen(ctx); l != 0 {
			t.Fatalf("rolled back outbox rows stayed: %d", l)
		}
	})
}

// Rows written in a savepoint (a nested Transaction or a Bound copy's Tx, as the holder's import runs)
// signal once, after the outermost transaction commits.
func TestOutboxSignalAfterOuterCommit(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ids := seedPatents(t, s, 2)
		n, _ := listen(t, s)
		err := s.Tx(ctx, func(tx *gorm.DB) error {
			bound := s.Bound(tx, nil)
			// The savepoint's context is the caller's, not the transaction's: the copy carries the mark.
			if err := bound.Tx(context.Background(), func(tx *gorm.DB) error { return market.EnqueueIndex(tx, t0, ids[0]) }); err != nil {
				return err
			}
			if err := bound.Tx(ctx, func(tx *gorm.DB) error {
				return tx.Transaction(func(tx *gorm.DB) error { return market.EnqueueIndex(tx, t0, ids[1]) })
			}); err != nil {
				return err
			}
			if got := n.Load(); got != 0 {
				t.Errorf("savepoints signalled %d times before the outer commit", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := n.Load(); got != 1 {
			t.Fatalf("outer commit signalled %d times, want 1", got)
		}
		// Only the savepoint wrote rows: the outer commit still signals.
		err = s.Tx(ctx, func(tx *gorm.DB) error {
			return tx.Transaction(func(tx *gorm.DB) error { return market.EnqueueIndex(tx, t0, ids[0]) })
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := n.Load(); got != 2 {
			t.Fatalf("a nested transaction's rows: %d signals in all, want 2", got)
		}
		// A store bound to a transaction that Store.Tx did not open cannot know when it commits: it
		// never signals (the worker's polling finds the rows), in particular not before the commit.
		err = s.Gorm().WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return s.Bound(tx, nil).Tx(ctx, func(tx *gorm.DB) error { return market.EnqueueIndex(tx, t0, ids[1]) })
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := n.Load(); got != 2 {
			t.Fatalf("a foreign transaction signalled (%d signals in all)", got)
		}
	})
}

// Every listener hears each commit; a removed one no longer does; with none, a commit is a no-op.
func TestOutboxListeners(t *testing.T) {
	s := markettest.SQLite(t)
	ctx := context.Background()
	ids := seedPatents(t, s, 1)
	enqueue(t, s, ids...) // nobody listens yet
	var a, b atomic.Int64
	removeA := s.OnOutboxChange(func() { a.Add(1) })
	removeB := s.OnOutboxChange(func() { b.Add(1) })
	enqueue(t, s, ids...)
	removeA()
	enqueue(t, s, ids...)
	removeB()
	enqueue(t, s, ids...)
	if a.Load() != 1 || b.Load() != 2 {
		t.Fatalf("listener calls: a=%d b=%d, want 1 and 2", a.Load(), b.Load())
	}
	if l, _ := s.OutboxLen(ctx); l != 4 {
		t.Fatalf("outbox holds %d rows, want 4", l)
	}
}

// The IPC scheme import queues every patent with its own INSERT: it signals too, and only when it did.
func TestImportIPCSchemeSignals(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		f := newCatFixture(t, s)
		f.patent(t, 1, 1)
		n, _ := listen(t, s)
		if _, err := s.ImportIPCScheme(f.ctx, strings.NewReader(catScheme)); err != nil {
			t.Fatal(err)
		}
		if got := n.Load(); got != 1 {
			t.Fatalf("changed scheme: %d signals, want 1", got)
		}
		if _, err := s.ImportIPCScheme(f.ctx, strings.NewReader(catScheme)); err != nil {
			t.Fatal(err)
		}
		if got := n.Load(); got != 1 {
			t.Fatalf("unchanged scheme signalled (%d signals in all)", got)
		}
	})
}
