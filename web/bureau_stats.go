package web

// The dashboard's figures are computed by the store (market.Store.DealStats); they are kept here for a
// short while because the dashboard is the bureau's landing page.

import (
	"sync"
	"time"

	"patentwall/market"
)

// statsTTL is how long dashboard figures are reused: deals do not need to show up within the second.
const statsTTL = 30 * time.Second

type statsCache struct {
	mu      sync.Mutex
	entries map[string]statsEntry
}

type statsEntry struct {
	at  time.Time
	val any
}

func newStatsCache() *statsCache { return &statsCache{entries: map[string]statsEntry{}} }

// get returns the cached value of key or computes it (errors are not cached).
func (sc *statsCache) get(key string, compute func() (any, error)) (any, error) {
	sc.mu.Lock()
	e, ok := sc.entries[key]
	sc.mu.Unlock()
	if ok && time.Since(e.at) < statsTTL {
		return e.val, nil
	}
	v, err := compute()
	if err != nil {
		return nil, err
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for k, old := range sc.entries { // a handful of periods at most; drop the stale ones
		if time.Since(old.at) >= statsTTL {
			delete(sc.entries, k)
		}
	}
	sc.entries[key] = statsEntry{at: time.Now(), val: v}
	return v, nil
}

// firstOfMonth is the first day of d's month.
func firstOfMonth(d market.Date) market.Date {
	t := d.Time()
	return market.NewDate(t.Year(), t.Month(), 1)
}
