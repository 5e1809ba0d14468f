package search

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"patentwall/market"
)

// AlertBatch is how many newly offered patents one alert round percolates: the patents one digest
// announces at most (a bulk import of 1,000 patents sends one digest per user).
const AlertBatch = MaxIDs

// Alerts tells users of newly offered patents that match their saved searches or their open demands
// (docs/rules.md §10; market/alerts.go). Each round claims up to AlertBatch patents the search index
// holds already, loads them into a scratch index of their own, runs every saved search and every open
// demand against that small index, and records one notification per user (market.Store.RecordAlerts).
// Percolating a few hundred documents keeps the cost of a round proportional to the number of saved
// searches and demands, not to the catalogue.
type Alerts struct {
	Store *market.Store
	// NewScratch returns an empty index for one round and a function that disposes of it.
	NewScratch func(ctx context.Context) (Index, func(), error)
	Log        *slog.Logger
	// Interval between rounds (default 2s).
	Interval time.Duration
}

// Run percolates until ctx ends; failures are logged and retried (the rows stay).
func (a *Alerts) Run(ctx context.Context) {
	interval := a.Interval
	if interval <= 0 {
		interval = 2 * time.Second
	}
	for {
		if _, err := a.DrainOnce(ctx); err != nil && ctx.Err() == nil {
			a.log().Error("alerts: round failed; will retry", "err", err)
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (a *Alerts) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.Default()
}

// DrainOnce percolates what is waiting now and returns how many notifications it wrote.
func (a *Alerts) DrainOnce(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		wrote := 0
		n, err := a.Store.ClaimAlerts(ctx, AlertBatch, func(ids []int64) error {
			var err error
			wrote, err = a.round(ctx, ids)
			return err
		})
		total += wrote
		if err != nil {
			return total, err
		}
		if n < AlertBatch {
			return total, nil
		}
	}
	return total, ctx.Err()
}

// round percolates one batch of patents.
func (a *Alerts) round(ctx context.Context, ids []int64) (int, error) {
	// Whom to tell comes first: with no saved search and no open demand that a user posted, nobody is
	// told of anything, and the round ends without building a scratch index (after a bulk import that
	// was most of a new server's memory and CPU for a minute).
	// Users often keep the same search: each distinct query string runs once.
	byQuery := map[string][]market.SavedSearch{}
	var queries []string
	err := a.Store.ForEachSavedSearch(ctx, 1000, func(page []market.SavedSearch) error {
		for _, ss := range page {
			if _, ok := byQuery[ss.Query]; !ok {
				queries = append(queries, ss.Query)
			}
			byQuery[ss.Query] = append(byQuery[ss.Query], ss)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	demands, err := a.Store.OpenDemands(ctx)
	if err != nil {
		return 0, err
	}
	// Demands imported without a user: nobody to tell.
	demands = slices.DeleteFunc(demands, func(d market.DemandView) bool { return d.PostedBy == nil })
	if len(queries) == 0 && len(demands) == 0 {
		return 0, nil
	}
	rows, err := a.Store.IndexRows(ctx, ids)
	if err != nil {
		return 0, err
	}
	docs := make([]Document, 0, len(rows))
	cands := make(map[int64]*Candidate, len(rows))
	for _, r := range rows {
		c := CandidateOf(r)
		if !c.Offered() {
			continue // withdrawn again before the round
		}
		docs = append(docs, c.Doc)
		cands[r.ID] = &c
	}
	if len(docs) == 0 {
		return 0, nil
	}
	start := time.Now()
	idx, dispose, err := a.NewScratch(ctx)
	if err != nil {
		return 0, fmt.Errorf("search: alerts scratch index: %w", err)
	}
	defer dispose()
	if err := idx.Upsert(ctx, docs); err != nil {
		return 0, fmt.Errorf("search: alerts scratch index: %w", err)
	}
	// Saved searches and demands are percolated by a few goroutines (the scratch index is read-only
	// now); each sends what it found to the one collecting goroutine.
	type hit struct {
		userID, orgID, patentID int64
		why                     string
	}
	hits := make(chan []hit, 64)
	byUser := map[int64]*market.Recipient{}
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for hs := range hits {
			for _, h := range hs {
				r := byUser[h.userID]
				if r == nil {
					r = &market.Recipient{UserID: h.userID, OrgID: h.orgID, Patents: map[int64][]string{}}
					byUser[h.userID] = r
				}
				r.Patents[h.patentID] = append(r.Patents[h.patentID], h.why)
			}
		}
	}()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for start := 0; start < len(queries); start += 200 {
		part := queries[start:min(start+200, len(queries))]
		g.Go(func() error {
			var out []hit
			for _, raw := range part {
				ids, err := percolate(gctx, idx, raw)
				if err != nil {
					return err
				}
				for _, id := range ids {
					c := cands[id]
					for _, ss := range byQuery[raw] {
						if c != nil && c.HolderID != ss.OrgID {
							out = append(out, hit{ss.UserID, ss.OrgID, id, "订阅“" + ss.Name + "”"})
						}
					}
				}
			}
			hits <- out
			return nil
		})
	}
	for start := 0; start < len(demands); start += 200 {
		part := demands[start:min(start+200, len(demands))]
		g.Go(func() error {
			var out []hit
			for i := range part {
				dv := &part[i]
				d := DemandOf(dv)
				res, err := SearchSimilar(gctx, idx, d, nil)
				if err != nil {
					return err
				}
				keys := KeyTerms(d.SimilarText())
				for _, h := range res.Hits {
					c := cands[h.ID]
					if c == nil || c.HolderID == d.OrgID {
						continue
					}
					if m := Rank(d, keys, c, -1); m.Good() {
						out = append(out, hit{*dv.PostedBy, dv.OrgID, h.ID, "需求“" + dv.Title + "”"})
					}
				}
			}
			hits <- out
			return nil
		})
	}
	err = g.Wait()
	close(hits)
	<-collected
	a.log().Debug("alerts: percolated", "patents", len(docs), "took", time.Since(start))
	if err != nil {
		return 0, err
	}
	recipients := make([]market.Recipient, 0, len(byUser))
	for _, r := range byUser {
		recipients = append(recipients, *r)
	}
	return a.Store.RecordAlerts(ctx, recipients)
}

// percolate runs a saved search's query string against the scratch index and returns every hit's ID.
// A query saved before a rule changed is skipped (the user sees it refused on the saved-search page).
func percolate(ctx context.Context, idx Index, raw string) ([]int64, error) {
	q, err := ParseQueryString(raw)
	if err != nil {
		return nil, nil
	}
	q.PerPage, q.Page, q.Facets, q.Highlight = MaxPerPage, 1, false, false
	if q, err = q.Normalize(); err != nil {
		return nil, nil
	}
	var ids []int64
	for page := 1; ; page++ {
		q.Page = page
		res, err := idx.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if page*q.PerPage >= res.Total || len(res.Hits) == 0 {
			return ids, nil
		}
	}
}
