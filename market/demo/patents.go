package demo

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"patentwall/market"
)

// Filing years span 2012–2025 (fewer early ones: the open-licence scheme mostly attracts younger patents).
const (
	firstFilingYear = 2012
	lastFilingYear  = 2025
)

// Patent type shares per holder kind, in ‰: invention, utility model (the rest are designs).
var typeShares = map[string][2]int{
	market.KindUniversity: {850, 130},
	market.KindInstitute:  {800, 180},
	market.KindHospital:   {550, 400},
	market.KindEnterprise: {560, 370},
}

// Fee model shares per holder kind, in FeeModels order (free, lump sum, royalty, entry + royalty).
var feeShares = map[string][]int{
	market.KindUniversity: {25, 40, 15, 20},
	market.KindInstitute:  {20, 42, 18, 20},
	market.KindHospital:   {25, 45, 12, 18},
	market.KindEnterprise: {10, 45, 25, 20},
}

// Terms on offer, in months, with their weights.
var (
	termChoices = []int{12, 24, 36, 60}
	termWeights = []int{2, 4, 3, 2}
)

func (g *gen) makePatents() {
	r := g.stream(2)
	n := g.opt.Patents
	// Every holder gets one patent of its main industry first; the rest go by weight.
	cum := make([]int, len(g.hold))
	total := 0
	for i, h := range g.hold {
		total += h.weight
		cum[i] = total
	}
	g.ds.Patents = make([]market.Patent, 0, n)
	g.ds.Declarations = make([]market.Declaration, 0, n*3/4)
	used := make(map[string]bool, n)
	for i := 0; i < n; i++ {
		var h *holder
		ind := -1
		if i < len(g.hold) {
			h = &g.hold[i]
			ind = h.primary
		} else {
			k := r.IntN(total)
			h = &g.hold[sort.SearchInts(cum, k+1)]
			ind = r.weighted(h.mix[:])
		}
		g.makePatent(r, h, ind, used)
	}
	g.pickFeatured(r)
}

// topicFor picks a topic of the industry; hospitals lean towards devices, diagnostics and (TCM
// hospitals) Chinese medicine.
func (r rng) topicFor(h *holder, kind string, ind int) *topic {
	idx := topicsOf(Industries[ind])
	if kind == market.KindHospital {
		ws := []int{1, 1, 3, 2, 1} // drugs, biotech, devices, diagnostics, TCM
		if h.tcm {
			ws[4] = 8
		}
		return &topics[idx[r.weighted(ws)]]
	}
	return &topics[idx[r.IntN(len(idx))]]
}

func (g *gen) makePatent(r rng, h *holder, ind int, used map[string]bool) {
	org := &g.ds.Orgs[h.org]
	tp := r.topicFor(h, org.Kind, ind)
	shares := typeShares[org.Kind]
	p := market.Patent{ID: int64(len(g.ds.Patents) + 1), PatenteeID: org.ID, Industry: tp.industry}
	typeDigit := byte('3')
	switch k := r.IntN(1000); {
	case k < shares[0]:
		p.Type, typeDigit = market.TypeInvention, '1'
	case k < shares[0]+shares[1]:
		p.Type, typeDigit = market.TypeUtilityModel, '2'
	default:
		p.Type = market.TypeDesign
	}

	// Filing: a year weighted towards recent ones, after the holder was founded, a month before today.
	lastDay := market.NewDate(lastFilingYear, time.December, 31)
	if limit := g.today.AddDate(0, -1, 0); limit.Before(lastDay) {
		lastDay = limit
	}
	firstYear := max(firstFilingYear, h.founded.Year()+1)
	years := []int{}
	weights := []int{}
	for y := firstYear; y <= lastDay.Year(); y++ {
		years = append(years, y)
		weights = append(weights, y-firstFilingYear+6)
	}
	y := years[r.weighted(weights)]
	from := market.NewDate(y, time.January, 1)
	if earliest := h.founded.AddDate(0, 6, 0); from.Before(earliest) {
		from = earliest
	}
	to := market.NewDate(y, time.December, 31)
	if lastDay.Before(to) {
		to = lastDay
	}
	p.FilingDate = r.dateBetween(from, to)
	p.ApplicationNo = r.applicationNo(p.FilingDate.Year(), typeDigit, used)

	// Examination: inventions take years, utility models and designs months.
	var grant market.Date
	switch p.Type {
	case market.TypeInvention:
		grant = p.FilingDate.AddDate(0, r.between(12, 36), r.IntN(28))
	case market.TypeUtilityModel:
		grant = p.FilingDate.AddDate(0, r.between(4, 11), r.IntN(28))
	default:
		grant = p.FilingDate.AddDate(0, r.between(3, 9), r.IntN(28))
	}
	expiry := market.PatentExpiry(&p)
	switch {
	case grant.After(g.today):
		p.Status = market.StatusPending
	case !g.today.Before(expiry):
		p.Status, p.GrantDate = market.StatusLapsed, grant // expired
	default:
		p.GrantDate = grant
		switch k := r.IntN(1000); {
		case k < 50:
			p.Status = market.StatusLapsed // annual fees not paid
		case k < 60:
			p.Status = market.StatusInvalidated
		default:
			p.Status = market.StatusGranted
		}
	}

	p.Title = r.title(tp, p.Type)
	p.Abstract = r.abstract(tp, p.Type, p.Title)
	if p.Type != market.TypeDesign { // designs are classified by Locarno, not IPC
		p.IPC = r.ipc(tp)
	}

	var decl *market.Declaration
	if p.Status == market.StatusGranted {
		switch k := r.IntN(1000); {
		case k < 15:
			p.FeesUnpaid = true // in the grace period: no declaration allowed
		case k < 20:
			p.PledgedNoConsent = true
		case k < 25:
			p.UnderDispute = true
		case k < 930:
			decl = g.declare(r, org, &p, expiry)
		}
		if r.chance(0.08) {
			p.TransferPriceFen = roundTo(int64(r.between(20_000, 500_000)), 1000) * 100
		}
	}
	if decl != nil {
		p.CreatedAt = decl.PublishedAt.Add(-time.Duration(r.IntN(72*3600)) * time.Second)
		if p.CreatedAt.Before(org.VerifiedAt.Add(time.Hour)) {
			p.CreatedAt = org.VerifiedAt.Add(time.Hour)
		}
		p.UpdatedAt = decl.PublishedAt
		g.ds.Declarations = append(g.ds.Declarations, *decl)
	} else {
		p.CreatedAt = r.timeBetween(org.VerifiedAt.Add(time.Hour), g.now)
		p.UpdatedAt = p.CreatedAt
	}
	g.ds.Patents = append(g.ds.Patents, p)
}

// applicationNo makes a unique, valid application number: year, type digit, a serial in the range CNIPA
// reached for that type, and the check character.
func (r rng) applicationNo(year int, typeDigit byte, used map[string]bool) string {
	lo, hi := 100_000, 1_599_999
	switch typeDigit {
	case '2':
		hi = 3_499_999
	case '3':
		lo, hi = 10_000, 899_999
	}
	for {
		digits := fmt.Sprintf("%04d%c%07d", year, typeDigit, r.between(lo, hi))
		if used[digits] {
			continue
		}
		used[digits] = true
		c, err := market.ApplicationCheckChar(digits)
		if err != nil {
			panic(err)
		}
		return digits + "." + string(c)
	}
}

// ipc returns one to three of the topic's symbols, main first; earlier symbols are likelier mains.
func (r rng) ipc(tp *topic) string {
	ws := make([]int, len(tp.ipc))
	for i := range ws {
		ws[i] = max(1, 4-i)
	}
	main := r.weighted(ws)
	out := []string{tp.ipc[main]}
	extra := 0
	if k := r.IntN(100); k < 15 {
		extra = 2
	} else if k < 55 {
		extra = 1
	}
	for _, j := range r.Perm(len(tp.ipc)) {
		if extra == 0 {
			break
		}
		if j != main {
			out = append(out, tp.ipc[j])
			extra--
		}
	}
	return strings.Join(out, ";")
}

// declare writes an open-licence declaration that obeys docs/rules.md §5: a granted, unencumbered patent;
// a term of at least twelve months that ends by the expiry even when counted from today (with six
// months to spare); an evaluation
// report for utility models and designs; the fee standard of the chosen mode. Nil when the patent has
// less than a year left.
func (g *gen) declare(r rng, org *market.Organisation, p *market.Patent, expiry market.Date) *market.Declaration {
	var terms, ws []int
	for i, m := range termChoices {
		// Six months to spare, so the terms still fit when the CSV output is imported some weeks later.
		if !g.today.AddDate(0, m+6, 0).After(expiry) {
			terms = append(terms, m)
			ws = append(ws, termWeights[i])
		}
	}
	if len(terms) == 0 {
		return nil
	}
	d := market.Declaration{ID: int64(len(g.ds.Declarations) + 1), PatentID: p.ID, Status: market.DeclLive,
		TermMonths: terms[r.weighted(ws)]}
	start := p.GrantDate.Start()
	if start.Before(g.launch) {
		start = g.launch
	}
	d.PublishedAt = r.timeBetween(start, g.now)
	published := market.DateOf(d.PublishedAt)
	d.PublishedAt = r.officeHours(published)
	if d.PublishedAt.After(g.now) {
		d.PublishedAt = g.now
	}
	small := p.Type != market.TypeInvention
	d.FeeModel = market.FeeModels[r.weighted(feeShares[org.Kind])]
	switch d.FeeModel {
	case market.FeeLumpSum:
		d.FeeFen = r.lumpSumYuan(small) * 100
	case market.FeeRoyalty:
		if r.chance(0.15) {
			d.RoyaltyBase, d.RoyaltyBP = market.RoyaltyOnProfit, int64(r.between(5, 20))*100
		} else {
			d.RoyaltyBase, d.RoyaltyBP = market.RoyaltyOnNetSales, int64(r.between(2, 16))*50
		}
	case market.FeeEntryPlusRoyalty:
		d.EntryFeeFen = roundTo(int64(r.between(3_000, 100_000)), 1000) * 100
		if small {
			d.EntryFeeFen = roundTo(int64(r.between(1_000, 20_000)), 500) * 100
		}
		if r.chance(0.1) {
			d.RoyaltyBase, d.RoyaltyBP = market.RoyaltyOnProfit, int64(r.between(3, 15))*100
		} else {
			d.RoyaltyBase, d.RoyaltyBP = market.RoyaltyOnNetSales, int64(r.between(1, 10))*50
		}
	}
	if small {
		// 专利权评价报告: requested after the grant, before the declaration.
		y := r.between(p.GrantDate.Year(), published.Year())
		d.EvaluationReportNo = fmt.Sprintf("%d-PJ-%06d", y, r.between(1, 999_999))
	}
	return &d
}

// lumpSumYuan draws a low or mid price (中低价), rounded as people price things.
func (r rng) lumpSumYuan(small bool) int64 {
	if small {
		switch k := r.IntN(100); {
		case k < 70:
			return roundTo(int64(r.between(1_000, 20_000)), 500)
		case k < 95:
			return roundTo(int64(r.between(20_000, 60_000)), 1000)
		default:
			return roundTo(int64(r.between(60_000, 150_000)), 5000)
		}
	}
	switch k := r.IntN(100); {
	case k < 12:
		return roundTo(int64(r.between(1_000, 5_000)), 100)
	case k < 67:
		return roundTo(int64(r.between(5_000, 50_000)), 500)
	case k < 97:
		return roundTo(int64(r.between(50_000, 200_000)), 5000)
	default:
		return roundTo(int64(r.between(200_000, 800_000)), 10_000)
	}
}

// pickFeatured features three declared inventions per industry.
func (g *gen) pickFeatured(r rng) {
	declared := map[int64]bool{}
	for _, d := range g.ds.Declarations {
		declared[d.PatentID] = true
	}
	for _, ind := range Industries {
		var cands []int
		for i := range g.ds.Patents {
			p := &g.ds.Patents[i]
			if p.Industry == ind && p.Type == market.TypeInvention && declared[p.ID] {
				cands = append(cands, i)
			}
		}
		for k, j := range r.Perm(len(cands)) {
			if k == 3 {
				break
			}
			g.ds.Patents[cands[j]].Featured = true
		}
	}
}
