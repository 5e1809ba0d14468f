package market

import (
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// The store wakes the search worker itself: every write of search-outbox rows goes through a
// transaction that Store.Tx opened, EnqueueIndex marks that transaction, and the outermost Tx calls the
// listeners after the commit. Handlers have nothing to remember. Only this process is signalled; the
// worker still polls for rows written by other processes (a command-line import). A savepoint rolled
// back inside a committed transaction may leave a signal with nothing new to index: harmless, the worker
// finds an empty outbox. See docs/architecture.md for the outbox as a whole.

// outboxMark records that one outermost transaction wrote outbox rows. It travels in the transaction's
// context, which GORM hands to every statement and savepoint of the transaction.
type outboxMark struct{ enqueued atomic.Bool }

type outboxMarkKey struct{}

// markOf returns the outbox mark of a transaction opened by Store.Tx (nil for any other).
func markOf(tx *gorm.DB) *outboxMark {
	if tx == nil || tx.Statement == nil || tx.Statement.Context == nil {
		return nil
	}
	m, _ := tx.Statement.Context.Value(outboxMarkKey{}).(*outboxMark)
	return m
}

// noteEnqueued marks tx's transaction as having written outbox rows, so its commit signals the
// listeners. Outside a Store.Tx it does nothing (the worker's polling finds the rows).
func noteEnqueued(tx *gorm.DB) {
	if m := markOf(tx); m != nil {
		m.enqueued.Store(true)
	}
}

// outboxSignal is the set of functions called after an outbox change commits.
type outboxSignal struct {
	mu   sync.Mutex
	next int
	fns  map[int]func()
}

func (o *outboxSignal) add(fn func()) (remove func()) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fns == nil {
		o.fns = map[int]func(){}
	}
	id := o.next
	o.next++
	o.fns[id] = fn
	return func() {
		o.mu.Lock()
		delete(o.fns, id)
		o.mu.Unlock()
	}
}

func (o *outboxSignal) signal() {
	o.mu.Lock()
	fns := make([]func(), 0, len(o.fns))
	for _, fn := range o.fns {
		fns = append(fns, fn)
	}
	o.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// OnOutboxChange registers fn to be called after each transaction of this store (or of its Bound
// copies) that wrote search-outbox rows has committed, once per outermost transaction; the returned
// function unregisters it. fn runs in the committing goroutine, so it must return at once (a
// non-blocking channel send). With no listener, as in a command that runs no worker, a commit signals
// nobody.
func (s *Store) OnOutboxChange(fn func()) (remove func()) {
	return s.outbox.add(fn)
}
