package search

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"patentwall/market"
)

// AlertBatch is how many newly offered patents one alert round percolates: the patents one digest
// announces at most.
const AlertBatch = 500

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
	idx, dispose, err := a.NewScratch(ctx)
	if err != nil {
		return 0, fmt.Errorf("search: alerts scratch index: %w", err)
	}
	defer dispose()
	if err := idx.Upsert(ctx, docs); err != nil {
		return 0, fmt.Errorf("search: alerts scratch index: %w", err)
	}
	byUser := map[int64]*market.Recipient{}
	add := func(userID, orgID, patentID int64, why string) {
		r := byUser[userID]
		if r == nil {
			r = &market.Recipient{UserID: userID, OrgID: orgID, Patents: map[int64][]string{}}
			byUser[userID] = r
		}
		r.Patents[patentID] = append(r.Patents[patentID], why)
	}
	err = a.Store.ForEachSavedSearch(ctx, 1000, func(page []market.SavedSearch) error {
		for _, ss := range page {
			q, err := ParseQueryString(ss.Query)
			if err != nil {
				continue // saved before a rule changed; the user sees it refused on the page
			}
			q.PerPage, q.Page, q.Facets, q.Highlight = MaxPerPage, 1, false, false
			if q, err = q.Normalize(); err != nil {
				continue
			}
			for page := 1; ; page++ {
				q.Page = page
				res, err := idx.Search(ctx, q)
				if err != nil {
					return err
				}
				for _, h := range res.Hits {
					if c := cands[h.ID]; c != nil && c.HolderID != ss.OrgID {
						add(ss.UserID, ss.OrgID, h.ID, "订阅“"+ss.Name+"”")
					}
				}
				if page*q.PerPage >= res.Total {
					break
				}
			}
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
	for i := range demands {
		dv := &demands[i]
		if dv.PostedBy == nil {
			continue // demands imported without a user: nobody to tell
		}
		d := DemandOf(dv)
		res, err := SearchSimilar(ctx, idx, d, nil)
		if err != nil {
			return 0, err
		}
		keys := KeyTerms(d.SimilarText())
		for _, h := range res.Hits {
			c := cands[h.ID]
			if c == nil || c.HolderID == d.OrgID {
				continue
			}
			if m := Rank(d, keys, c, -1); m.Good() {
				add(*dv.PostedBy, dv.OrgID, h.ID, "需求“"+dv.Title+"”")
			}
		}
	}
	recipients := make([]market.Recipient, 0, len(byUser))
	for _, r := range byUser {
		recipients = append(recipients, *r)
	}
	return a.Store.RecordAlerts(ctx, recipients)
}
