package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"patentwall/market"
)

// ErrNotReady is the error of a Deferred index whose engine has not answered yet.
var ErrNotReady = errors.New("search: the search engine is not ready")

// Deferred is an index whose engine could not be initialised when the server started (Meilisearch
// unreachable): the server starts anyway, searches fail with ErrNotReady (the site answers
// search_unavailable and browses from the database, docs/architecture.md §9.1) and the outbox keeps the
// changes. A call made at least RetryEvery after the last attempt starts a new attempt in the
// background: Init, then, when the index is new or a rebuild was interrupted, Reindex from the database;
// once it has succeeded every call goes to the index.
type Deferred struct {
	Index      Index
	Store      *market.Store
	Log        *slog.Logger
	RetryEvery time.Duration // default 5s

	mu      sync.Mutex
	ready   bool
	trying  bool
	last    time.Time
	err     error
	stop    context.CancelFunc
	stopCtx context.Context
	wg      sync.WaitGroup
}

var _ Index = (*Deferred)(nil)

// NewDeferred wraps idx, whose Init failed with err.
func NewDeferred(idx Index, store *market.Store, log *slog.Logger, err error) *Deferred {
	d := &Deferred{Index: idx, Store: store, Log: log, err: err, last: time.Now()}
	d.stopCtx, d.stop = context.WithCancel(context.Background())
	return d
}

// get returns the index when it is ready; otherwise it may start an attempt and returns ErrNotReady.
func (d *Deferred) get() (Index, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ready {
		return d.Index, nil
	}
	every := d.RetryEvery
	if every <= 0 {
		every = 5 * time.Second
	}
	if !d.trying && d.stopCtx.Err() == nil && time.Since(d.last) >= every {
		d.trying, d.last = true, time.Now()
		d.wg.Add(1)
		go d.attempt()
	}
	return nil, fmt.Errorf("%w: %w", ErrNotReady, d.err)
}

// attempt initialises the index and rebuilds it when needed.
func (d *Deferred) attempt() {
	defer d.wg.Done()
	ctx := d.stopCtx
	err := func() error {
		rebuild, err := d.Index.Init(ctx)
		if err != nil {
			return err
		}
		interrupted, err := ReindexInterrupted(ctx, d.Store)
		if err != nil {
			return err
		}
		if rebuild || interrupted {
			d.log().Info("search engine answers: rebuilding its index from the database")
			return Reindex(ctx, d.Store, d.Index, nil)
		}
		return nil
	}()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.trying = false
	if err != nil {
		d.err = err
		return
	}
	d.ready = true
	d.log().Info("search engine ready")
}

func (d *Deferred) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}

// Init reports no rebuild: the attempts rebuild themselves.
func (d *Deferred) Init(context.Context) (bool, error) { return false, nil }

func (d *Deferred) Upsert(ctx context.Context, docs []Document) error {
	idx, err := d.get()
	if err != nil {
		return err
	}
	return idx.Upsert(ctx, docs)
}

func (d *Deferred) Delete(ctx context.Context, ids []int64) error {
	idx, err := d.get()
	if err != nil {
		return err
	}
	return idx.Delete(ctx, ids)
}

func (d *Deferred) Search(ctx context.Context, q Query) (*Result, error) {
	if !q.Normalized() {
		return nil, ErrNotNormalized
	}
	idx, err := d.get()
	if err != nil {
		return nil, err
	}
	return idx.Search(ctx, q)
}

func (d *Deferred) Reset(ctx context.Context) error {
	idx, err := d.get()
	if err != nil {
		return err
	}
	return idx.Reset(ctx)
}

func (d *Deferred) Count(ctx context.Context) (int, error) {
	idx, err := d.get()
	if err != nil {
		return 0, err
	}
	return idx.Count(ctx)
}

// Ping fails until the index is ready, then asks it.
func (d *Deferred) Ping(ctx context.Context) error {
	idx, err := d.get()
	if err != nil {
		return err
	}
	return Ping(ctx, idx)
}

// Close stops a running attempt, waits for it and closes the index.
func (d *Deferred) Close() error {
	d.stop()
	d.wg.Wait()
	return d.Index.Close()
}
