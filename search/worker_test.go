package search_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"patentwall/market"
	"patentwall/market/markettest"
	"patentwall/search"
)

// recorder is a fake Index that counts what it is asked to do.
type recorder struct {
	mu        sync.Mutex
	optimized int // Optimize calls
	upserts   map[int64]int
	docs      map[int64]search.Document
	deletes   []int64
	resets    int
	fail      error         // returned by Upsert when set
	delay     time.Duration // widens the window in which two workers overlap
	// upserted, when set, receives the ID of every document upserted (the test must read them).
	upserted chan int64
}

func newRecorder() *recorder {
	return &recorder{upserts: map[int64]int{}, docs: map[int64]search.Document{}}
}

func (r *recorder) Init(context.Context) (bool, error) { return false, nil }
func (r *recorder) Upsert(_ context.Context, docs []search.Document) error {
	time.Sleep(r.delay)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	for _, d := range docs {
		r.upserts[d.ID]++
		r.docs[d.ID] = d
	}
	if r.upserted != nil {
		for _, d := range docs {
			r.upserted <- d.ID
		}
	}
	return nil
}
func (r *recorder) Delete(_ context.Context, ids []int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.deletes = append(r.deletes, ids...)
	for _, id := range ids {
		delete(r.docs, id)
	}
	return nil
}
func (r *recorder) Search(context.Context, search.Query) (*search.Result, error) { return nil, nil }
func (r *recorder) Optimize(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.optimized++
	return nil
}
func (r *recorder) Reset(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resets++
	r.docs = map[int64]search.Document{}
	return nil
}
func (r *recorder) Count(context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.docs), nil
}
func (r *recorder) Close() error { return nil }

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

// seed inserts an organisation and n patents (patent i+1 of them has a live lump-sum declaration when
// i is even) and returns their IDs; it enqueues nothing.
func seed(t *testing.T, s *market.Store, n int) []int64 {
	t.Helper()
	db := s.Gorm().WithContext(context.Background())
	org := market.Organisation{USCC: "914403001922038216", Name: "上海电池研究所", Kind: market.KindInstitute,
		DistrictCode: "310112", CreatedAt: t0, UpdatedAt: t0}
	if err := db.Create(&org).Error; err != nil {
		t.Fatal(err)
	}
	ps := make([]market.Patent, n)
	for i := range ps {
		ps[i] = market.Patent{ApplicationNo: fmt.Sprintf("2021%08d.0", i), Type: market.TypeInvention,
			Title: fmt.Sprintf("一种锂电池%d", i), PatenteeID: org.ID, Status: market.StatusGranted,
			IPC: "H01M 10/052;G06F", Industry: "新能源", GrantDate: market.NewDate(2022, 5, 1),
			CreatedAt: t0, UpdatedAt: t0}
	}
	if err := db.CreateInBatches(ps, 200).Error; err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, n)
	var decls []market.Declaration
	for i, p := range ps {
		ids[i] = p.ID
		if i%2 == 0 {
			decls = append(decls, market.Declaration{PatentID: p.ID, FeeModel: market.FeeLumpSum, FeeFen: 30_000_00,
				TermMonths: 24, Status: market.DeclLive, PublishedAt: t0.Add(time.Hour)})
		}
	}
	if len(decls) > 0 {
		if err := db.CreateInBatches(decls, 200).Error; err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

func enqueue(t *testing.T, s *market.Store, ids ...int64) {
	t.Helper()
	if err := s.Tx(context.Background(), func(tx *gorm.DB) error { return market.EnqueueIndex(tx, t0, ids...) }); err != nil {
		t.Fatal(err)
	}
}

func TestWorkerDrainsAndRetries(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ids := seed(t, s, 3)
		enqueue(t, s, ids[0], ids[1], 987654) // 987654 does not exist: it is deleted from the index
		idx := newRecorder()
		w := &search.Worker{Store: s, Index: idx}

		// A failing engine (a crash between claim and index) leaves every row for a retry.
		idx.fail = errors.New("engine unreachable")
		if n, err := w.DrainOnce(ctx); err == nil || n != 0 {
			t.Fatalf("failing drain: n=%d err=%v", n, err)
		}
		if l, _ := s.OutboxLen(ctx); l != 3 {
			t.Fatalf("outbox after failure: %d rows, want 3", l)
		}
		idx.fail = nil
		n, err := w.DrainOnce(ctx)
		if err != nil || n != 3 {
			t.Fatalf("retry: n=%d err=%v", n, err)
		}
		if l, _ := s.OutboxLen(ctx); l != 0 {
			t.Fatalf("outbox after drain: %d rows", l)
		}
		// The failed round may already have deleted the missing patent: deleting is idempotent.
		if dels := slices.Compact(slices.Clone(idx.deletes)); idx.upserts[ids[0]] != 1 || idx.upserts[ids[1]] != 1 || !slices.Equal(dels, []int64{987654}) {
			t.Fatalf("upserts %v deletes %v", idx.upserts, idx.deletes)
		}
		d := idx.docs[ids[0]]
		if d.Patentee != "上海电池研究所" || d.HolderKind != market.KindInstitute || d.District != "310112" ||
			d.FeeModel != market.FeeLumpSum || d.FeeFen != 30_000_00 || d.PriceBand != "10k_50k" ||
			!slices.Equal(d.Offers, []string{search.OfferOpenLicence}) || !d.ListedAt.Equal(t0.Add(time.Hour)) ||
			!slices.Equal(d.IPC, []string{"H01M 10/052", "G06F"}) || !slices.Equal(d.IPCSection, []string{"H", "G"}) ||
			!slices.Equal(d.IPCClass, []string{"H01", "G06"}) || !slices.Equal(d.IPCMainGroup, []string{"H01M 10/"}) || d.GrantYear != 2022 || d.IPCTitles != "H01M 10/052；G06F" {
			t.Errorf("document with declaration: %+v", d)
		}
		if d := idx.docs[ids[1]]; d.FeeModel != "" || d.PriceBand != "" || len(d.Offers) != 0 || !d.ListedAt.Equal(t0) {
			t.Errorf("document without declaration: %+v", d)
		}
	})
}

// Several serve processes drain one Postgres outbox: SKIP LOCKED must hand each row to one worker.
func TestWorkersNeverIndexARowTwice(t *testing.T) {
	s := markettest.Postgres(t)
	ctx := context.Background()
	ids := seed(t, s, 400)
	enqueue(t, s, ids...)
	idx := newRecorder()
	idx.delay = 2 * time.Millisecond
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &search.Worker{Store: s, Index: idx, BatchSize: 15}
			for {
				if _, err := w.DrainOnce(ctx); err != nil {
					errs <- err
					return
				}
				if l, err := s.OutboxLen(ctx); err != nil || l == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(idx.upserts) != len(ids) {
		t.Fatalf("%d patents indexed, want %d", len(idx.upserts), len(ids))
	}
	for id, n := range idx.upserts {
		if n != 1 {
			t.Errorf("patent %d indexed %d times", id, n)
		}
	}
}

func TestWorkerRunNudge(t *testing.T) {
	s := markettest.SQLite(t)
	ids := seed(t, s, 2)
	idx := newRecorder()
	w := &search.Worker{Store: s, Index: idx, Interval: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	// Written outside Store.Tx, as another process would: the store does not signal, only the nudge
	// wakes the worker.
	if err := market.EnqueueIndex(s.Gorm(), t0, ids...); err != nil {
		t.Fatal(err)
	}
	w.Nudge()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if n, _ := idx.Count(ctx); n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a nudge did not wake the worker")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}

// awaitIndexed reads upserted IDs until id arrives; the timeout only guards against hanging.
func awaitIndexed(t *testing.T, upserted <-chan int64, id int64, what string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case got := <-upserted:
			if got == id {
				return
			}
		case <-timeout:
			t.Fatalf("%s: patent %d was not indexed", what, id)
		}
	}
}

// A running worker indexes a declaration as soon as it is published: the store wakes it after the
// commit, with no Nudge call and no poll (the interval is an hour).
func TestWorkerWokenByStore(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ids := seed(t, s, 2) // the second patent has no declaration
		rows, err := s.IndexRows(ctx, ids[1:])
		if err != nil || len(rows) != 1 {
			t.Fatalf("load patent: %v %v", rows, err)
		}
		p := rows[0]
		// A holder can publish: a verified patentee, an application number with its check character.
		if err := s.Gorm().Model(&market.Organisation{}).Where("id = ?", p.PatenteeID).Update("verified_at", t0).Error; err != nil {
			t.Fatal(err)
		}
		check, err := market.ApplicationCheckChar("202110000001")
		if err != nil {
			t.Fatal(err)
		}
		appNo := "202110000001." + string(check)
		if err := s.Gorm().Model(&market.Patent{}).Where("id = ?", p.ID).Update("application_no", appNo).Error; err != nil {
			t.Fatal(err)
		}
		orgID := p.PatenteeID
		holder := market.User{OrgID: &orgID, Email: "holder@example.com", Name: "holder", Role: market.RoleHolder, CreatedAt: t0}
		if err := s.Gorm().Create(&holder).Error; err != nil {
			t.Fatal(err)
		}
		act, err := s.Actor(ctx, holder.ID)
		if err != nil {
			t.Fatal(err)
		}
		idx := newRecorder()
		idx.upserted = make(chan int64, 16)
		w := &search.Worker{Store: s, Index: idx, Interval: time.Hour}
		// A row already waiting is indexed by the first round, which shows that the worker is running
		// (and listening: it registers before that round).
		enqueue(t, s, ids[0])
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { w.Run(runCtx); close(done) }()
		defer func() { cancel(); <-done }()
		awaitIndexed(t, idx.upserted, ids[0], "first round")

		if _, err := s.PublishDeclaration(ctx, act, appNo,
			market.DeclarationInput{FeeModel: "free", TermMonths: "12"}); err != nil {
			t.Fatal(err)
		}
		awaitIndexed(t, idx.upserted, ids[1], "published declaration")
		idx.mu.Lock()
		doc := idx.docs[ids[1]]
		idx.mu.Unlock()
		if doc.FeeModel != market.FeeFree {
			t.Fatalf("indexed document has fee model %q, want the published %q", doc.FeeModel, market.FeeFree)
		}
	})
}

// Rows that another process writes (no signal reaches this one) are found by polling.
func TestWorkerPollsForOtherWriters(t *testing.T) {
	s := markettest.SQLite(t)
	ids := seed(t, s, 1)
	idx := newRecorder()
	idx.upserted = make(chan int64, 16)
	w := &search.Worker{Store: s, Index: idx, Interval: 20 * time.Millisecond}
	write := func() { // outside Store.Tx, as another process writes
		t.Helper()
		if err := market.EnqueueIndex(s.Gorm(), t0, ids...); err != nil {
			t.Fatal(err)
		}
	}
	write()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	awaitIndexed(t, idx.upserted, ids[0], "first round")
	write() // the worker is past its first round now: only a poll finds this row
	awaitIndexed(t, idx.upserted, ids[0], "polling")
}

// gated is a recorder whose Upsert waits for release after telling entered that it started.
type gated struct {
	*recorder
	entered chan struct{}
	release chan struct{}
}

func (g *gated) Upsert(ctx context.Context, docs []search.Document) error {
	g.entered <- struct{}{}
	<-g.release
	return g.recorder.Upsert(ctx, docs)
}

// Stopping a worker in the middle of a batch (a shutdown) lets that batch finish, indexed and its rows
// removed, and starts no other.
func TestWorkerFinishesBatchOnStop(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ids := seed(t, s, 4)
		enqueue(t, s, ids...)
		idx := &gated{recorder: newRecorder(), entered: make(chan struct{}, 1), release: make(chan struct{})}
		w := &search.Worker{Store: s, Index: idx, BatchSize: 2, Interval: time.Hour}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { w.Run(ctx); close(done) }()
		select {
		case <-idx.entered:
		case <-time.After(30 * time.Second):
			t.Fatal("the worker did not start a batch")
		}
		cancel() // the shutdown arrives while the batch is being indexed
		close(idx.release)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("the worker did not stop")
		}
		if n, _ := idx.Count(context.Background()); n != 2 {
			t.Errorf("%d documents indexed, want the first batch's 2", n)
		}
		if l, err := s.OutboxLen(context.Background()); err != nil || l != 2 {
			t.Errorf("outbox after stop: %d rows (%v), want the second batch's 2", l, err)
		}
	})
}

// flaky fails its first failures upserts, then works: an engine that comes back.
type flaky struct {
	*recorder
	mu       sync.Mutex
	failures int
	calls    int
}

func (f *flaky) Upsert(ctx context.Context, docs []search.Document) error {
	f.mu.Lock()
	f.calls++
	fail := f.calls <= f.failures
	f.mu.Unlock()
	if fail {
		return errors.New("engine unreachable")
	}
	return f.recorder.Upsert(ctx, docs)
}

// While the engine fails, a running worker keeps the rows and retries on its own (backing off, with no
// nudge); once the engine is back it drains the outbox.
func TestWorkerRetriesUntilEngineRecovers(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ids := seed(t, s, 3)
		idx := &flaky{recorder: newRecorder(), failures: 4}
		w := &search.Worker{Store: s, Index: idx, Interval: 5 * time.Millisecond}
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { w.Run(runCtx); close(done) }()
		defer func() { cancel(); <-done }()
		enqueue(t, s, ids...)
		deadline := time.Now().Add(60 * time.Second)
		for {
			l, err := s.OutboxLen(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if l == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("outbox still holds %d rows after the engine recovered", l)
			}
			time.Sleep(10 * time.Millisecond)
		}
		idx.mu.Lock()
		calls := idx.calls
		idx.mu.Unlock()
		if calls <= idx.failures {
			t.Errorf("%d upserts, want more than the %d failures", calls, idx.failures)
		}
		if n, _ := idx.Count(ctx); n != 3 {
			t.Errorf("%d documents indexed, want 3", n)
		}
	})
}

// unready fails Init until up is set, then reports a new index.
type unready struct {
	*recorder
	mu    sync.Mutex
	up    bool
	inits int
}

func (u *unready) Init(context.Context) (bool, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.inits++
	if !u.up {
		return false, errors.New("dial tcp 127.0.0.1:1: connection refused")
	}
	return true, nil
}

// A server started while its engine was unreachable: searches fail with ErrNotReady and the worker keeps
// the changes; once the engine answers, a later call initialises it, rebuilds the new index from the
// database, and the worker drains the outbox into it.
func TestDeferredIndexComesUp(t *testing.T) {
	s := markettest.SQLite(t)
	ctx := context.Background()
	ids := seed(t, s, 3)
	engine := &unready{recorder: newRecorder()}
	d := search.NewDeferred(engine, s, nil, errors.New("connection refused"))
	d.RetryEvery = time.Millisecond
	defer d.Close()
	q, err := search.Query{}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Search(ctx, q); !errors.Is(err, search.ErrNotReady) {
		t.Fatalf("search before the engine answers: %v, want ErrNotReady", err)
	}
	if err := search.Ping(ctx, d); err == nil {
		t.Fatal("ping before the engine answers succeeded")
	}
	enqueue(t, s, ids[0])
	w := &search.Worker{Store: s, Index: d}
	if _, err := w.DrainOnce(ctx); err == nil {
		t.Fatal("drain into an unready engine succeeded")
	}
	if l, _ := s.OutboxLen(ctx); l != 1 {
		t.Fatalf("outbox: %d rows, want 1 kept", l)
	}

	engine.mu.Lock()
	engine.up = true
	engine.mu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for search.Ping(ctx, d) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the engine never became ready")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The new index was rebuilt from the database: every patent, not only the queued one.
	if n, err := d.Count(ctx); err != nil || n != 3 {
		t.Fatalf("after the rebuild: %d documents, %v", n, err)
	}
	if _, err := w.DrainOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.OutboxLen(ctx); l != 0 {
		t.Fatalf("outbox after the engine came up: %d rows", l)
	}
}
