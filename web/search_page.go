package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"patentwall/market"
	"patentwall/search"
)

// resultRow is one search result: the patent as the database has it, and the engine's highlights.
type resultRow struct {
	market.PatentView
	Highlight map[string]string
	HTML      template.HTML // the row as the search page shows it (resultRowHTML)
	Extra     template.HTML // appended inside the row (an operator's "pin to my wall" form)
}

// facetValue is one checkbox of a facet.
type facetValue struct {
	ID      string // of the checkbox, for its label
	Value   string
	Label   string
	Count   int
	Checked bool
}

// facetGroup is one fieldset of the facet sidebar; Param is the query parameter its checkboxes set.
type facetGroup struct {
	Name   string
	Param  string
	Label  string
	Values []facetValue
	Items  template.HTML // the values' checkboxes (checkboxItems)
	More   int           // values left out of a long list
}

// activeFilter is a chip above the results that removes one filter value.
type activeFilter struct {
	Label     string
	RemoveURL string
}

type option struct {
	Value    string
	Label    string
	Selected bool
}

// facetParam maps the engine's facet names to the query parameter that filters on them.
var facetParam = map[string]string{
	search.FacetType:       paramType,
	search.FacetIPCSection: paramIPC,
	search.FacetIPCClass:   paramIPC,
	search.FacetIndustry:   paramIndustry,
	search.FacetDistrict:   paramDistrict,
	search.FacetHolderKind: paramHolderKind,
	search.FacetFeeModel:   paramFeeModel,
	search.FacetPriceBand:  paramPriceBand,
}

// facetOrder is the sidebar's order; facetLimit bounds long lists (the checked values always show).
var facetOrder = []string{search.FacetType, search.FacetFeeModel, search.FacetPriceBand, search.FacetIndustry,
	search.FacetIPCSection, search.FacetIPCClass, search.FacetDistrict, search.FacetHolderKind}

const facetLimit = 12

// runSearch answers a parsed query with the rows loaded from the database in the engine's order. When
// the engine fails, browsing without text is answered from the database (fromDB: no facets, no
// highlights) and anything else with market.ErrSearchUnavailable (docs/architecture.md §9.1).
func (a *App) runSearch(ctx context.Context, q search.Query) (res *search.Result, rows []resultRow, fromDB bool, err error) {
	res, err = a.Index.Search(ctx, q)
	if engineFailed(ctx, err) {
		a.Log.Warn("search engine failed", "err", err)
		res, err = a.browseFromDB(ctx, q)
		fromDB = true
	}
	if err != nil {
		return nil, nil, false, err
	}
	if err := pastLastPage(q, res.Total); err != nil {
		return nil, nil, false, err
	}
	ids := make([]int64, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	views, err := a.Store.PatentsByIDs(ctx, ids)
	if err != nil {
		return nil, nil, false, err
	}
	hl := make(map[int64]map[string]string, len(res.Hits))
	for _, h := range res.Hits {
		hl[h.ID] = h.Highlight
	}
	rows = make([]resultRow, len(views))
	for i, v := range views {
		rows[i] = resultRow{PatentView: v, Highlight: hl[v.ID]}
	}
	return res, rows, fromDB, nil
}

// browseFromDB answers a browsing query (no text; industry, IPC, district, holder kind, type and fee
// limit filters over the open-licence offers, newest first) from the database while the engine is down.
// Any other query needs the engine: market.ErrSearchUnavailable.
func (a *App) browseFromDB(ctx context.Context, q search.Query) (*search.Result, error) {
	if q.Text != "" || q.Similar != "" || q.IDs != nil || len(q.FeeModels)+len(q.PriceBands) > 0 ||
		(q.Sort != search.SortNewest && q.Sort != search.SortRelevance) ||
		slices.ContainsFunc(q.Offers, func(o string) bool { return o != search.OfferOpenLicence }) {
		return nil, market.ErrSearchUnavailable
	}
	f := market.OfferFilter{Industries: q.Industries, IPC: q.IPC, HolderKinds: q.HolderKinds, Districts: q.Districts,
		Types: q.Types, MaxFeeFen: q.MaxFeeFen, ExcludeIDs: q.ExcludeIDs}
	ids, total, err := a.Store.BrowseOffers(ctx, f, (q.Page-1)*q.PerPage, q.PerPage)
	if err != nil {
		return nil, err
	}
	res := &search.Result{Total: int(total), Hits: make([]search.Hit, len(ids))}
	for i, id := range ids {
		res.Hits[i] = search.Hit{ID: id}
	}
	return res, nil
}

// pastLastPage refuses a page after the last one: a stale link or a typo deserves an answer, not an
// empty list that looks like "no results".
func pastLastPage(q search.Query, total int) error {
	shown := min(total, search.MaxResultWindow)
	if q.Page <= 1 || (q.Page-1)*q.PerPage < shown {
		return nil
	}
	last := max(1, (shown+q.PerPage-1)/q.PerPage)
	return badParam(paramPage, "out_of_range",
		fmt.Sprintf("第 %d 页不存在：共 %d 条结果，最后一页是第 %d 页", q.Page, total, last),
		fmt.Sprintf("page %d does not exist: %d results, the last page is %d", q.Page, total, last))
}

// searchPage is /search: the query box, facets, results and pagination. A bad query string shows its
// message on the page with status 400.
func (a *App) searchPage(c *fiber.Ctx) error {
	lang := Lang(c)
	data := fiber.Map{"Sorts": sortOptions(lang, search.SortRelevance)}
	q, err := parseSearchQuery(c)
	if err != nil {
		return a.searchError(c, data, err)
	}
	data["Query"] = q
	data["Sorts"] = sortOptions(lang, q.Sort)
	data["Offers"] = checkboxItems("offer", offerOptions(lang, q.Offers), false)
	res, rows, fromDB, err := a.runSearch(c.UserContext(), q)
	if err != nil {
		return a.searchError(c, data, err)
	}
	data["FromDB"] = fromDB
	titles, err := a.ipcTitles(c.UserContext(), res.Facets[search.FacetIPCClass])
	if err != nil {
		return err
	}
	data["Total"] = res.Total
	data["Took"] = res.Took
	pin, err := a.pinForms(c)
	if err != nil {
		return err
	}
	for i := range rows {
		if rows[i].Declaration != nil {
			rows[i].Extra = pin(rows[i].ApplicationNo)
		}
		rows[i].HTML = resultRowHTML(lang, &rows[i])
	}
	data["Rows"] = rows
	data["Start"] = (q.Page-1)*q.PerPage + 1
	if !fromDB { // without the engine there are no counts: the filter chips above the results remain
		data["Facets"] = facetGroups(lang, q, res.Facets, titles)
	}
	data["Active"] = activeFilters(lang, q, titles)
	data["Pager"] = newPager(q, res.Total)
	data["ClearURL"] = searchURL("/search", search.Query{Text: q.Text, Sort: q.Sort})
	return a.Render(c, fiber.StatusOK, "search", data)
}

// searchError renders the search page with a user error's message, or passes internal errors on.
func (a *App) searchError(c *fiber.Ctx, data fiber.Map, err error) error {
	status, fe, ok := classifyFor(c, err)
	unavailable := ok && fe.Code == market.CodeSearchUnavailable
	if !ok || (status >= 500 && !unavailable) {
		return err
	}
	if unavailable {
		// Show where browsing still works: the categories (from the database), walls and supermarkets.
		counts, err := a.Store.IndustryCounts(c.UserContext())
		if err != nil {
			return err
		}
		data["Unavailable"] = true
		data["Industries"] = counts
	}
	// Keep what the user typed in the box so they can correct it.
	if _, has := data["Query"]; !has {
		text, _ := queryOne(c, paramQ)
		data["Query"] = search.Query{Text: text}
	}
	data["Error"] = fe
	data["ErrorMessage"] = fe.Message(Lang(c))
	return a.Render(c, status, "search", data)
}

// ipcTitles loads the titles of facet values (IPC classes) for the sidebar's labels.
func (a *App) ipcTitles(ctx context.Context, counts map[string]int) (map[string]market.IPCTitle, error) {
	syms := make([]string, 0, len(counts))
	for s := range counts {
		syms = append(syms, s)
	}
	return a.lookupIPCTitles(ctx, syms)
}

func sortOptions(lang, current string) []option {
	out := make([]option, len(sortOrders))
	for i, s := range sortOrders {
		out[i] = option{Value: s, Label: tr(lang, "sort."+s), Selected: s == current}
	}
	return out
}

func offerOptions(lang string, checked []string) []facetValue {
	out := make([]facetValue, len(offerKinds))
	for i, o := range offerKinds {
		out[i] = facetValue{ID: "f-offer-" + strconv.Itoa(i), Value: o, Label: tr(lang, "offer."+o), Checked: slices.Contains(checked, o)}
	}
	return out
}

// facetLabel is how a facet value reads in the sidebar and the active-filter chips.
func facetLabel(lang, facet, value string, titles map[string]market.IPCTitle) string {
	switch facet {
	case search.FacetType:
		return label(lang, "type.", value)
	case search.FacetIPCSection:
		return value + " " + label(lang, "ipc.", value)
	case search.FacetIPCClass:
		if t := ipcTitle(lang, titles, value); t != "" {
			return value + " " + t
		}
		return value
	case search.FacetIndustry:
		return industryName(lang, value)
	case search.FacetDistrict:
		return districtName(lang, value)
	case search.FacetHolderKind:
		return label(lang, "kind.", value)
	case search.FacetFeeModel:
		return label(lang, "fee.", value)
	case search.FacetPriceBand:
		return label(lang, "band.", value)
	}
	return value
}

// enumOrder gives facets over fixed enumerations their natural order; the others sort by count.
var enumOrder = map[string][]string{
	search.FacetType:       patentTypes,
	search.FacetFeeModel:   append(slices.Clone(market.FeeModels), feeModelNone),
	search.FacetPriceBand:  priceBandNames(),
	search.FacetHolderKind: market.OrgKinds,
}

func facetGroups(lang string, q search.Query, facets map[string]map[string]int, titles map[string]market.IPCTitle) []facetGroup {
	var out []facetGroup
	for _, name := range facetOrder {
		param := facetParam[name]
		checked := *filterValues(&q, param)
		counts := facets[name]
		g := facetGroup{Name: name, Param: param, Label: tr(lang, "facet."+name)}
		seen := map[string]bool{}
		for v, n := range counts {
			if v == "" {
				continue // patents without a value (e.g. outside Shanghai) are not a filter choice
			}
			seen[v] = true
			g.Values = append(g.Values, facetValue{Value: v, Count: n, Checked: slices.Contains(checked, v)})
		}
		// A checked value the result no longer counts stays visible so it can be unchecked.
		for _, v := range checked {
			if !seen[v] && belongsToFacet(name, v) {
				g.Values = append(g.Values, facetValue{Value: v, Checked: true})
			}
		}
		if order, ok := enumOrder[name]; ok {
			slices.SortFunc(g.Values, func(x, y facetValue) int {
				return cmp.Compare(slices.Index(order, x.Value), slices.Index(order, y.Value))
			})
		} else if name == search.FacetIPCSection {
			slices.SortFunc(g.Values, func(x, y facetValue) int { return cmp.Compare(x.Value, y.Value) })
		} else {
			slices.SortFunc(g.Values, func(x, y facetValue) int {
				if x.Checked != y.Checked {
					if x.Checked {
						return -1
					}
					return 1
				}
				return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Value, y.Value))
			})
		}
		if len(g.Values) > facetLimit {
			g.More = len(g.Values) - facetLimit
			g.Values = g.Values[:facetLimit]
		}
		for i := range g.Values {
			g.Values[i].ID = "f-" + name + "-" + strconv.Itoa(i)
			g.Values[i].Label = facetLabel(lang, name, g.Values[i].Value, titles)
		}
		if len(g.Values) > 0 {
			g.Items = checkboxItems(param, g.Values, true)
			out = append(out, g)
		}
	}
	return out
}

// belongsToFacet tells which of the two IPC facets a checked ipc value belongs to.
func belongsToFacet(facet, v string) bool {
	switch facet {
	case search.FacetIPCSection:
		return len(v) == 1
	case search.FacetIPCClass:
		return len(v) == 3
	}
	return true
}

// activeFilters lists one removable chip per filter value.
func activeFilters(lang string, q search.Query, titles map[string]market.IPCTitle) []activeFilter {
	var out []activeFilter
	for _, param := range filterParams {
		for _, v := range *filterValues(&q, param) {
			nq := cloneQuery(q)
			p := filterValues(&nq, param)
			*p = slices.DeleteFunc(*p, func(x string) bool { return x == v })
			nq.Page = 1
			out = append(out, activeFilter{
				Label:     tr(lang, "param."+param) + ": " + paramValueLabel(lang, param, v, titles),
				RemoveURL: searchURL("/search", nq),
			})
		}
	}
	if q.MaxFeeFen != nil {
		nq := cloneQuery(q)
		nq.MaxFeeFen, nq.Page = nil, 1
		out = append(out, activeFilter{
			Label:     tr(lang, "param."+paramMaxFee) + ": " + money(lang, *q.MaxFeeFen),
			RemoveURL: searchURL("/search", nq),
		})
	}
	return out
}

func paramValueLabel(lang, param, v string, titles map[string]market.IPCTitle) string {
	switch param {
	case paramIPC:
		switch len(v) {
		case 1:
			return facetLabel(lang, search.FacetIPCSection, v, titles)
		case 3:
			return facetLabel(lang, search.FacetIPCClass, v, titles)
		}
		return v
	case paramOffer:
		return label(lang, "offer.", v)
	}
	for facet, p := range facetParam {
		if p == param && facet != search.FacetIPCClass && facet != search.FacetIPCSection {
			return facetLabel(lang, facet, v, titles)
		}
	}
	return v
}

// pager is the pagination bar.
type pager struct {
	Page, Pages int
	PrevURL     string
	NextURL     string
	Links       []pageLink
}

type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool // an ellipsis before this link
}

func newPager(q search.Query, total int) pager {
	shown := min(total, search.MaxResultWindow)
	return makePager(q.Page, q.PerPage, int64(shown), func(n int) string {
		nq := q
		nq.Page = n
		return searchURL("/search", nq)
	})
}

// lookupIPCTitles asks the store for the titles of symbols and their ancestors; an unknown symbol
// simply has none.
func (a *App) lookupIPCTitles(ctx context.Context, syms []string) (map[string]market.IPCTitle, error) {
	if len(syms) == 0 {
		return map[string]market.IPCTitle{}, nil
	}
	titles, err := a.Store.IPCTitles(ctx, syms)
	if err != nil && !errors.Is(err, market.ErrNotFound) {
		return nil, err
	}
	if titles == nil {
		titles = map[string]market.IPCTitle{}
	}
	return titles, nil
}
