package web

// What a wall or a supermarket shelf shows: its pinned patents first, in order, then the live
// open-licence patents its rules select, newest first, through the search engine (docs/architecture.md
// §9), or from the database while the engine fails (§9.1). The rows are loaded from the database, which
// drops a patent whose declaration was withdrawn even before the index has caught up.

import (
	"context"
	"errors"
	"strings"

	"patentwall/market"
	"patentwall/search"
)

// channelRow is one patent of a channel's listing.
type channelRow struct {
	market.PatentView
	Pinned bool
}

// channelList is what a channel shows: its pins (live ones, in order), what is hidden from the rule
// matches (pins and exclusions), its rules and an optional price limit.
type channelList struct {
	Rules     market.ChannelRules
	Pins      []int64
	Hidden    []int64
	MaxFeeFen *int64
}

// ruleQuery is the search query of a channel's rules: the same filters as the search page's.
func (l channelList) ruleQuery(page, perPage int) (search.Query, error) {
	return search.Query{
		Text:        strings.Join(l.Rules.Keywords, " "),
		IPC:         l.Rules.IPC,
		Industries:  l.Rules.Industries,
		Districts:   l.Rules.Districts,
		HolderKinds: l.Rules.HolderKinds,
		Offers:      []string{search.OfferOpenLicence},
		MaxFeeFen:   l.MaxFeeFen,
		ExcludeIDs:  l.Hidden,
		Sort:        search.SortNewest,
		Page:        page,
		PerPage:     perPage,
	}.Normalize()
}

// listChannel returns one page (1-based) of a channel's listing and its total.
func (a *App) listChannel(ctx context.Context, l channelList, page, perPage int) ([]channelRow, int, error) {
	offset := (page - 1) * perPage
	var ids []int64
	if offset < len(l.Pins) {
		ids = append(ids, l.Pins[offset:min(len(l.Pins), offset+perPage)]...)
	}
	// The rule matches start after the pins: engine offset e, read from the engine's pages of perPage.
	e := max(0, offset-len(l.Pins))
	need := perPage - len(ids)
	first := e/perPage + 1
	q, err := l.ruleQuery(first, perPage)
	if err != nil {
		return nil, 0, err
	}
	res, err := a.Index.Search(ctx, q)
	if engineFailed(ctx, err) {
		a.Log.Warn("search engine failed: listing the channel from the database", "err", err)
		return a.listChannelSQL(ctx, l, page, perPage)
	}
	if err != nil {
		return nil, 0, err
	}
	total := len(l.Pins) + res.Total
	hits := res.Hits
	if skip := e % perPage; need > 0 && skip > 0 && len(hits) == perPage {
		q2, err := l.ruleQuery(first+1, perPage)
		if err != nil {
			return nil, 0, err
		}
		more, err := a.Index.Search(ctx, q2)
		if engineFailed(ctx, err) {
			a.Log.Warn("search engine failed: listing the channel from the database", "err", err)
			return a.listChannelSQL(ctx, l, page, perPage)
		}
		if err != nil {
			return nil, 0, err
		}
		hits = append(hits, more.Hits...)
	}
	if skip := e % perPage; skip < len(hits) {
		hits = hits[skip:]
	} else {
		hits = nil
	}
	for _, h := range hits {
		if len(ids) >= perPage || need <= 0 {
			break
		}
		ids = append(ids, h.ID)
		need--
	}
	return a.channelRows(ctx, l, ids, total)
}

// listChannelSQL is listChannel from the database (market.Store.BrowseOffers), for when the search
// engine fails: the same pins, rules and order, except that keywords match as substrings
// (docs/architecture.md §9.1).
func (a *App) listChannelSQL(ctx context.Context, l channelList, page, perPage int) ([]channelRow, int, error) {
	offset := (page - 1) * perPage
	var ids []int64
	if offset < len(l.Pins) {
		ids = append(ids, l.Pins[offset:min(len(l.Pins), offset+perPage)]...)
	}
	f := market.RulesFilter(l.Rules, l.Hidden)
	f.MaxFeeFen = l.MaxFeeFen
	matched, n, err := a.Store.BrowseOffers(ctx, f, max(0, offset-len(l.Pins)), perPage-len(ids))
	if err != nil {
		return nil, 0, err
	}
	return a.channelRows(ctx, l, append(ids, matched...), len(l.Pins)+int(n))
}

// channelRows loads a listing's page from the database, marking the pins; a patent whose declaration was
// withdrawn since the index saw it is left out (and from the total).
func (a *App) channelRows(ctx context.Context, l channelList, ids []int64, total int) ([]channelRow, int, error) {
	views, err := a.Store.PatentsByIDs(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	pinned := make(map[int64]bool, len(l.Pins))
	for _, id := range l.Pins {
		pinned[id] = true
	}
	rows := make([]channelRow, 0, len(views))
	for _, v := range views {
		if v.Declaration == nil { // withdrawn since the index saw it
			total--
			continue
		}
		rows = append(rows, channelRow{PatentView: v, Pinned: pinned[v.ID]})
	}
	return rows, total, nil
}

// engineFailed reports an error of the search engine itself (unreachable, its index gone or broken), not
// a query it refused nor a request that was cancelled.
func engineFailed(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() == nil && !errors.Is(err, search.ErrBadQuery) &&
		!errors.Is(err, search.ErrNotNormalized) && len(market.AsFieldErrors(err)) == 0
}

// orUnavailable turns a failure of the search engine into market.ErrSearchUnavailable (503), logging
// the cause; other errors pass unchanged.
func (a *App) orUnavailable(ctx context.Context, err error) error {
	if engineFailed(ctx, err) {
		a.Log.Warn("search engine failed", "err", err)
		return market.ErrSearchUnavailable
	}
	return err
}

// wallList is a wall's listing setup.
func wallList(w *market.WallSetup) channelList {
	return channelList{Rules: w.Rules, Pins: w.LivePinIDs(), Hidden: w.HiddenIDs()}
}

// shelfList is a supermarket shelf's listing setup: its pins and rules under its price limit.
func (a *App) shelfList(ctx context.Context, sh *market.ShelfView) (channelList, error) {
	pins, err := a.Store.PatentIDsOf(ctx, sh.Pins)
	if err != nil {
		return channelList{}, err
	}
	max := sh.MaxPriceFen
	return channelList{Rules: sh.Rules, Pins: pins, Hidden: pins, MaxFeeFen: &max}, nil
}
