package web

// A stored run's lines never change once saved (freezing only marks the run), so the pages that page
// through a run's lines, statements and comparisons decode it once and keep it: a run of a million lines
// is tens of megabytes decoded and takes a noticeable moment to read back. The cache holds the most
// recently used runs up to a total number of lines, and concurrent requests for the same run share one
// decoding.

import (
	"context"
	"strconv"
	"sync"

	"patentwall/bonus"
	"patentwall/market"
)

// runCacheLines bounds the lines kept decoded across all cached runs (about 100 bytes each).
const runCacheLines = 2_500_000

type runCache struct {
	mu       sync.Mutex
	entries  []*runEntry // most recently used first
	maxLines int
}

type runEntry struct {
	key   string
	ready chan struct{} // closed when res/err are set
	res   *bonus.RunResult
	err   error
}

func newRunCache(maxLines int) *runCache { return &runCache{maxLines: maxLines} }

// runKey names a stored run. The store's row id is part of it, so a run number reused after a
// database was reset (tests, a restored backup) is not confused with the old one.
func runKey(info *bonus.RunInfo) string {
	return info.RoundID + "\x00" + strconv.Itoa(info.N) + "\x00" + strconv.FormatInt(info.ID, 10) + "\x00" + info.InputHash
}

// get returns the run's lines, decoding the stored run on first use.
func (rc *runCache) get(ctx context.Context, s *market.Store, info *bonus.RunInfo) (*bonus.RunResult, error) {
	key := runKey(info)
	rc.mu.Lock()
	for i, e := range rc.entries {
		if e.key == key {
			copy(rc.entries[1:i+1], rc.entries[:i])
			rc.entries[0] = e
			rc.mu.Unlock()
			select {
			case <-e.ready:
				return e.res, e.err
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	e := &runEntry{key: key, ready: make(chan struct{})}
	rc.entries = append([]*runEntry{e}, rc.entries...)
	rc.mu.Unlock()

	_, res, err := bonus.LoadRun(context.WithoutCancel(ctx), s, info.RoundID, info.N)
	e.res, e.err = res, err
	close(e.ready)

	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err != nil { // do not keep failures: the next request tries again
		rc.drop(e)
		return nil, err
	}
	rc.trim()
	return res, nil
}

func (rc *runCache) drop(e *runEntry) {
	for i, x := range rc.entries {
		if x == e {
			rc.entries = append(rc.entries[:i], rc.entries[i+1:]...)
			return
		}
	}
}

// trim evicts the least recently used decoded runs beyond the line budget; the newest always stays.
func (rc *runCache) trim() {
	total := 0
	for i, e := range rc.entries {
		select {
		case <-e.ready:
		default:
			continue // still loading: its size is not known yet
		}
		if e.res != nil {
			total += len(e.res.Lines)
		}
		if i > 0 && total > rc.maxLines {
			rc.entries = append(rc.entries[:i], rc.entries[i+1:]...)
			rc.trim()
			return
		}
	}
}
