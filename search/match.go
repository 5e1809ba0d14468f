package search

// Matching a demand (技术需求) to live offers, with the reasons a person would check (docs/rules.md §10).
// The engine finds the candidates (Query.Similar over the offers); Rank then re-ranks them by a
// weighted sum a person can follow:
//
//	score = 0.45·coverage   share of the demand's key terms found in the patent's text
//	      + 0.25·relevance  the engine's score relative to the best candidate's (its term weighting)
//	      + 0.12 same IPC main group as the demand (0.08 same subclass)
//	      + 0.08 same industry
//	      + 0.05 free, or the up-front price within the budget
//	      + 0.03 holder in the demander's district
//	      + 0.02 held by a university, institute or hospital (the seed's supply side)
//
// Where no engine ranked the candidates (a patent's own demands, alerts on new patents) relevance is the
// coverage, so a patent matches a demand there when it would score at least MinMatchScore.

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"patentwall/market"
)

// Re-ranking weights (see the file comment).
const (
	wCoverage    = 0.45
	wRelevance   = 0.25
	wIPCGroup    = 0.12
	wIPCSubclass = 0.08
	wIndustry    = 0.08
	wPrice       = 0.05
	wDistrict    = 0.03
	wHolder      = 0.02
)

// MatchCandidates is how many of the engine's best hits are re-ranked.
const MatchCandidates = 40

// MinMatchScore is the score from which a patent counts as matching a demand where no engine ranked it
// (a patent's demands, alerts): a third of the key terms and one more reason, or most of the key terms.
const MinMatchScore = 0.3

// Reason codes of a match (docs/interfaces.md).
const (
	ReasonText         = "text"
	ReasonIPC          = "ipc"
	ReasonIndustry     = "industry"
	ReasonWithinBudget = "within_budget"
	ReasonFree         = "free"
	ReasonSameDistrict = "same_district"
	ReasonHolderKind   = "holder_kind"
)

// Reason is one reason a patent matches a demand, in Chinese and English.
type Reason struct {
	Code string
	ZH   string
	EN   string
}

// Text returns the reason in the language ("zh" or "en").
func (r Reason) Text(lang string) string {
	if lang == "en" {
		return r.EN
	}
	return r.ZH
}

// Demand is what matching reads of a demand.
type Demand struct {
	ID           int64
	OrgID        int64
	Title        string
	Description  string
	Industry     string
	IPC          string
	BudgetMaxFen int64
	District     string // the demander's district code
}

// DemandOf takes a stored demand.
func DemandOf(d *market.DemandView) Demand {
	return Demand{ID: d.ID, OrgID: d.OrgID, Title: d.Title, Description: d.Description, Industry: d.Industry,
		IPC: d.IPC, BudgetMaxFen: d.BudgetMaxFen, District: d.OrgDistrict}
}

// SimilarText is the text a demand is matched by: its title, then its description.
func (d Demand) SimilarText() string { return d.Title + "\n" + d.Description }

// Candidate is a patent that may match: its document, the holder's organisation, its prices.
type Candidate struct {
	Doc         Document
	HolderID    int64
	UpfrontFen  int64 // up-front fee of the live declaration (Declaration.AmountDueFen)
	Free        bool  // live free declaration
	Licence     bool  // has a live declaration
	TransferFen int64 // asking price of a transfer offer, 0 none
}

// CandidateOf builds a candidate from a stored patent.
func CandidateOf(r market.IndexRow) Candidate {
	c := Candidate{Doc: DocumentOf(r), HolderID: r.PatenteeID, TransferFen: r.TransferPriceFen}
	if r.Declaration != nil {
		c.Licence = true
		c.Free = r.Declaration.FeeModel == market.FeeFree
		c.UpfrontFen = r.Declaration.AmountDueFen()
	}
	return c
}

// Offered reports whether the patent has a live offer a demander can take up.
func (c *Candidate) Offered() bool {
	return c.Licence || (c.TransferFen > 0 && c.Doc.Status == market.StatusGranted)
}

// Match is one ranked candidate with its reasons.
type Match struct {
	PatentID      int64
	ApplicationNo string
	Title         string
	Score         float64
	Coverage      float64
	Terms         []string // the key terms shared, longest stretches
	Reasons       []Reason
}

// Good reports whether the match counts where no engine ranked it (a patent's demands, alerts, the
// analysis): a key term in common and a score of at least MinMatchScore.
func (m *Match) Good() bool { return len(m.Terms) > 0 && m.Score >= MinMatchScore }

// HighlightedTitle is the title as HTML with the shared key terms marked.
func (m *Match) HighlightedTitle() string {
	terms := make([]Term, len(m.Terms))
	for i, t := range m.Terms {
		terms[i] = Term{Text: t, Han: HasHan(t)}
	}
	return Mark(m.Title, terms, 0)
}

// Rank scores one candidate for a demand whose key terms are keys; rel is the engine's relative score
// (0..1), or a negative number when no engine ranked it (then the coverage stands in).
func Rank(d Demand, keys []string, c *Candidate, rel float64) Match {
	return prepare(d, keys).rank(c, rel)
}

// prepared is what Rank reads of a demand, worked out once per demand rather than once per candidate:
// its key terms, the pieces of its text, its IPC symbol and its district's names.
type prepared struct {
	d         Demand
	keys      []string
	pieces    similarPieces
	ipc       market.IPC
	ipcOK     bool
	wantGroup string
	// districtZH and districtEN name the demander's district (its code when unknown).
	districtZH, districtEN string
}

func prepare(d Demand, keys []string) *prepared {
	p := &prepared{d: d, keys: keys, pieces: similarPiecesOf(d.SimilarText())}
	if want, err := market.ParseIPC(d.IPC); d.IPC != "" && err == nil {
		p.ipc, p.ipcOK = want, true
		p.wantGroup, _, _ = strings.Cut(want.Group, "/")
	}
	p.districtZH, p.districtEN = d.District, d.District
	if dist, ok := market.LookupDistrict(d.District); d.District != "" && ok {
		p.districtZH, p.districtEN = dist.NameZH, dist.NameEN
	}
	return p
}

// rank is Rank for a prepared demand.
func (p *prepared) rank(c *Candidate, rel float64) Match {
	d := p.d
	doc := &c.Doc
	m := Match{PatentID: doc.ID, ApplicationNo: doc.ApplicationNo, Title: doc.Title}
	m.Terms, m.Coverage = p.pieces.shared(p.keys, doc.Title+"\n"+doc.Abstract+"\n"+doc.IPCTitles)
	if rel < 0 {
		rel = m.Coverage
	}
	m.Score = wCoverage*m.Coverage + wRelevance*rel
	if len(m.Terms) > 0 {
		m.Reasons = append(m.Reasons, Reason{ReasonText, "共同关键词：" + strings.Join(m.Terms, "、"),
			"shared key terms: " + strings.Join(m.Terms, ", ")})
	}
	if p.ipcOK {
		want, wantGroup := p.ipc, p.wantGroup
		bestW, best := 0.0, ""
		for _, sym := range doc.IPC {
			got, err := market.ParseIPC(sym)
			if err != nil || got.Subclass != want.Subclass {
				continue
			}
			gotGroup, _, _ := strings.Cut(got.Group, "/")
			if wantGroup != "" && gotGroup == wantGroup && bestW < wIPCGroup {
				bestW, best = wIPCGroup, want.Subclass+" "+wantGroup
			} else if bestW < wIPCSubclass {
				bestW, best = wIPCSubclass, want.Subclass
			}
		}
		if best != "" {
			m.Score += bestW
			m.Reasons = append(m.Reasons, Reason{ReasonIPC, "同属 IPC " + best, "same IPC " + best})
		}
	}
	if d.Industry != "" && doc.Industry == d.Industry {
		m.Score += wIndustry
		m.Reasons = append(m.Reasons, Reason{ReasonIndustry, "同属" + d.Industry + "行业", "same industry: " + d.Industry})
	}
	switch {
	case c.Free:
		m.Score += wPrice
		m.Reasons = append(m.Reasons, Reason{ReasonFree, "免费开放许可", "free open licence"})
	case d.BudgetMaxFen > 0 && c.Licence && c.UpfrontFen <= d.BudgetMaxFen:
		m.Score += wPrice
		m.Reasons = append(m.Reasons, Reason{ReasonWithinBudget,
			fmt.Sprintf("许可费 %s 在预算内", market.Fen(c.UpfrontFen).Display("zh")),
			fmt.Sprintf("licence fee %s within budget", market.Fen(c.UpfrontFen).Display("en"))})
	case d.BudgetMaxFen > 0 && c.TransferFen > 0 && c.TransferFen <= d.BudgetMaxFen:
		m.Score += wPrice
		m.Reasons = append(m.Reasons, Reason{ReasonWithinBudget,
			fmt.Sprintf("转让价 %s 在预算内", market.Fen(c.TransferFen).Display("zh")),
			fmt.Sprintf("transfer price %s within budget", market.Fen(c.TransferFen).Display("en"))})
	}
	if d.District != "" && doc.District == d.District {
		m.Score += wDistrict
		m.Reasons = append(m.Reasons, Reason{ReasonSameDistrict, "同在" + p.districtZH, "same district: " + p.districtEN})
	}
	if market.IsInstitution(doc.HolderKind) {
		m.Score += wHolder
		m.Reasons = append(m.Reasons, Reason{ReasonHolderKind, "高校院所专利（" + doc.Patentee + "）",
			"held by a university, institute or hospital (" + doc.Patentee + ")"})
	}
	return m
}

// sortMatches orders best first, ties by patent ID.
func sortMatches(ms []Match) {
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Score != ms[j].Score {
			return ms[i].Score > ms[j].Score
		}
		return ms[i].PatentID < ms[j].PatentID
	})
}

// Matches returns a demand's best live offers, at most limit: the engine's MatchCandidates best hits
// over the offers, re-ranked by Rank. The demander's own patents are left out.
func Matches(ctx context.Context, idx Index, store *market.Store, d Demand, limit int) ([]Match, error) {
	res, err := SearchSimilar(ctx, idx, d, nil)
	if err != nil {
		return nil, err
	}
	if len(res.Hits) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	rows, err := store.MatchRows(ctx, ids)
	if err != nil {
		return nil, err
	}
	cands := make(map[int64]*Candidate, len(rows))
	for _, r := range rows {
		c := CandidateOf(r)
		cands[r.ID] = &c
	}
	return RankHits(d, res.Hits, cands, limit), nil
}

// SearchSimilar asks the engine for a demand's MatchCandidates best offers (among ids when not nil).
func SearchSimilar(ctx context.Context, idx Index, d Demand, ids []int64) (*Result, error) {
	q, err := Query{Similar: d.SimilarText(), Offers: OfferKinds, PerPage: MatchCandidates, IDs: ids}.Normalize()
	if err != nil {
		return nil, err
	}
	res, err := idx.Search(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("search: match demand %d: %w", d.ID, err)
	}
	return res, nil
}

// RankHits re-ranks an engine's hits for a demand by Rank, best first, at most limit. cands holds the
// candidates by patent ID; a hit without one, without a live offer, of the demander's own organisation
// or sharing no key term is left out.
func RankHits(d Demand, hits []Hit, cands map[int64]*Candidate, limit int) []Match {
	if len(hits) == 0 {
		return nil
	}
	p := prepare(d, KeyTerms(d.SimilarText()))
	top := hits[0].Score
	out := make([]Match, 0, len(hits))
	for i, h := range hits {
		c := cands[h.ID]
		if c == nil || (d.OrgID != 0 && c.HolderID == d.OrgID) || !c.Offered() {
			continue
		}
		rel := 1 - float64(i)/float64(len(hits)) // an engine without scores: its order
		if top > 0 {
			rel = h.Score / top
		}
		if m := p.rank(c, rel); len(m.Terms) > 0 {
			out = append(out, m)
		}
	}
	sortMatches(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// DemandsFor returns the open demands a patent matches (score at least MinMatchScore), best first: what
// its holder sees beside the patent. The patent's own organisation's demands are left out.
func DemandsFor(c *Candidate, demands []market.DemandView) []DemandMatch {
	var out []DemandMatch
	for i := range demands {
		d := DemandOf(&demands[i])
		if d.OrgID == c.HolderID {
			continue
		}
		m := Rank(d, KeyTerms(d.SimilarText()), c, -1)
		if m.Good() {
			out = append(out, DemandMatch{Demand: &demands[i], Match: m})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Demand.ID < out[j].Demand.ID
	})
	return out
}

// DemandMatch is a demand a patent matches, with the match's score and reasons.
type DemandMatch struct {
	Demand *market.DemandView
	Match
}

// HolderMatch is an open demand one of a holder's patents matches.
type HolderMatch struct {
	Demand *market.DemandView
	Match
}

// HolderDemands returns the open demands a holder's offered patents match (score at least
// MinMatchScore), best first, at most limit: for each open demand the engine looks among the holder's
// patents only (Query.IDs), then Rank judges each hit as DemandsFor does.
func HolderDemands(ctx context.Context, idx Index, store *market.Store, holderID int64, limit int) ([]HolderMatch, error) {
	ids, err := store.OfferedPatentIDs(ctx, holderID, MaxIDs)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	rows, err := store.MatchRows(ctx, ids)
	if err != nil {
		return nil, err
	}
	cands := make(map[int64]*Candidate, len(rows))
	for _, r := range rows {
		c := CandidateOf(r)
		cands[r.ID] = &c
	}
	demands, err := store.OpenDemands(ctx)
	if err != nil {
		return nil, err
	}
	var out []HolderMatch
	for i := range demands {
		d := DemandOf(&demands[i])
		if d.OrgID == holderID {
			continue
		}
		res, err := SearchSimilar(ctx, idx, d, ids)
		if err != nil {
			return nil, err
		}
		p := prepare(d, KeyTerms(d.SimilarText()))
		for _, h := range res.Hits {
			if c := cands[h.ID]; c != nil {
				if m := p.rank(c, -1); m.Good() {
					out = append(out, HolderMatch{Demand: &demands[i], Match: m})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Demand.ID < out[j].Demand.ID
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
