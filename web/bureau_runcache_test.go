package web

import (
	"sync"
	"testing"

	"patentwall/bonus"
	"patentwall/market"
	"patentwall/market/markettest"
)

func readyEntry(key string, lines int) *runEntry {
	e := &runEntry{key: key, ready: make(chan struct{}), res: &bonus.RunResult{Lines: make([]bonus.Line, lines)}}
	close(e.ready)
	return e
}

// The cache keeps the most recently used runs within its line budget, the newest always.
func TestRunCacheTrim(t *testing.T) {
	rc := newRunCache(100)
	rc.entries = []*runEntry{readyEntry("d", 150), readyEntry("c", 40), readyEntry("b", 50), readyEntry("a", 5)}
	rc.trim()
	var got []string
	for _, e := range rc.entries {
		got = append(got, e.key)
	}
	if len(got) != 1 || got[0] != "d" {
		t.Fatalf("kept %v: the newest alone is over budget, so only it stays", got)
	}
	rc.entries = []*runEntry{readyEntry("c", 40), readyEntry("b", 50), readyEntry("a", 20)}
	rc.trim()
	if len(rc.entries) != 2 || rc.entries[1].key != "b" {
		t.Fatalf("kept %d entries", len(rc.entries))
	}
}

// Concurrent requests for one run share one decoding; a missing run is not remembered.
func TestRunCacheGet(t *testing.T) {
	s := markettest.SQLite(t)
	ctx := t.Context()
	info, _, err := bonus.Compute(ctx, s, bonus.CommandLine, "art22-2022", market.MustDate("2023-01-31"), false)
	if err != nil {
		t.Fatal(err)
	}
	rc := newRunCache(1000)
	var wg sync.WaitGroup
	results := make([]*bonus.RunResult, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := rc.get(ctx, s, info)
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		}()
	}
	wg.Wait()
	for _, r := range results[1:] {
		if r != results[0] || r == nil {
			t.Fatal("concurrent requests decoded the run more than once")
		}
	}
	if results[0].Round != "art22-2022" || results[0].AsOf.String() != "2023-01-31" {
		t.Fatalf("run %+v", results[0])
	}
	missing := *info
	missing.N = 99
	if _, err := rc.get(ctx, s, &missing); err == nil {
		t.Fatal("a missing run loaded")
	}
	if len(rc.entries) != 1 {
		t.Fatalf("%d entries: a failure was kept", len(rc.entries))
	}
}
