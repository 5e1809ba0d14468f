package web

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
	"patentwall/search"
)

// apiDeclaration is a live declaration in JSON. Money is given both as an exact decimal number of
// yuan (the API's request unit) and as integer fen; rates both as percent and basis points.
type apiDeclaration struct {
	FeeModel           string      `json:"fee_model"`
	FeeYuan            json.Number `json:"fee_yuan"`
	FeeFen             int64       `json:"fee_fen"`
	RoyaltyPercent     json.Number `json:"royalty_percent"`
	RoyaltyBP          int64       `json:"royalty_bp"`
	RoyaltyBase        string      `json:"royalty_base"`
	EntryFeeYuan       json.Number `json:"entry_fee_yuan"`
	EntryFeeFen        int64       `json:"entry_fee_fen"`
	AmountDueYuan      json.Number `json:"amount_due_yuan"`
	TermMonths         int         `json:"term_months"`
	TermStartsOn       string      `json:"term_starts_on"`
	TermEndsOn         string      `json:"term_ends_on"` // last day of the term
	EvaluationReportNo string      `json:"evaluation_report_no"`
	Status             string      `json:"status"`
	PublishedAt        time.Time   `json:"published_at"`
	Warnings           []string    `json:"warnings"`
}

// apiPatent is a patent in JSON; search hits carry the same fields (less the abstract) plus highlights.
type apiPatent struct {
	ApplicationNo     string          `json:"application_no"`
	PatentNo          string          `json:"patent_no"`
	Title             string          `json:"title"`
	Abstract          string          `json:"abstract,omitempty"`
	Type              string          `json:"type"`
	Status            string          `json:"status"`
	IPC               []string        `json:"ipc"`
	FilingDate        string          `json:"filing_date"`
	GrantDate         string          `json:"grant_date"`
	ExpiresOn         string          `json:"expires_on"` // last day in force
	Industry          string          `json:"industry"`
	Patentee          string          `json:"patentee"`
	PatenteeUSCC      string          `json:"patentee_uscc"`
	HolderKind        string          `json:"holder_kind"`
	District          string          `json:"district"` // code, "" outside Shanghai
	TransferPriceYuan *json.Number    `json:"transfer_price_yuan"`
	URL               string          `json:"url"`
	Declaration       *apiDeclaration `json:"declaration"`
}

type apiHit struct {
	apiPatent
	// Highlight is the best fragment (title, else abstract) as escaped HTML with <mark>; "" when none.
	Highlight  string            `json:"highlight"`
	Highlights map[string]string `json:"highlights"`
}

type apiSearchResponse struct {
	Total   int                       `json:"total"`
	Page    int                       `json:"page"`
	PerPage int                       `json:"per_page"`
	Hits    []apiHit                  `json:"hits"`
	Facets  map[string]map[string]int `json:"facets"`
	// Source is "database" when the engine was down and the browsing query was answered from the
	// database (no facets, no highlights: docs/interfaces.md §5.3); absent otherwise.
	Source string `json:"source,omitempty"`
}

func yuanNumber(fen int64) json.Number { return json.Number(market.Fen(fen).String()) }

func percentNumber(bp int64) json.Number { return json.Number(market.PercentText(bp)) }

func (a *App) toAPIPatent(v *market.PatentView, withAbstract bool) apiPatent {
	p := apiPatent{
		ApplicationNo: v.ApplicationNo,
		PatentNo:      market.PatentNumber(v.ApplicationNo),
		Title:         v.Title,
		Type:          v.Type,
		Status:        v.Status,
		IPC:           splitList(v.IPC),
		FilingDate:    v.FilingDate.String(),
		GrantDate:     v.GrantDate.String(),
		ExpiresOn:     lastDay(market.PatentExpiry(&v.Patent)).String(),
		Industry:      v.Industry,
		Patentee:      v.Patentee.Name,
		PatenteeUSCC:  v.Patentee.USCC,
		HolderKind:    v.Patentee.Kind,
		District:      v.Patentee.DistrictCode,
		URL:           a.BaseURL + "/patents/" + v.ApplicationNo,
	}
	if p.IPC == nil {
		p.IPC = []string{}
	}
	if withAbstract {
		p.Abstract = v.Abstract
	}
	if v.TransferPriceFen > 0 {
		n := yuanNumber(v.TransferPriceFen)
		p.TransferPriceYuan = &n
	}
	if d := v.Declaration; d != nil {
		start := market.DateOf(d.PublishedAt)
		ad := &apiDeclaration{
			FeeModel: d.FeeModel, FeeYuan: yuanNumber(d.FeeFen), FeeFen: d.FeeFen,
			RoyaltyPercent: percentNumber(d.RoyaltyBP), RoyaltyBP: d.RoyaltyBP, RoyaltyBase: d.RoyaltyBase,
			EntryFeeYuan: yuanNumber(d.EntryFeeFen), EntryFeeFen: d.EntryFeeFen,
			AmountDueYuan: yuanNumber(d.AmountDueFen()), TermMonths: d.TermMonths,
			TermStartsOn: start.String(), TermEndsOn: lastDay(start.AddDate(0, d.TermMonths, 0)).String(),
			EvaluationReportNo: d.EvaluationReportNo, Status: d.Status, PublishedAt: d.PublishedAt.UTC(),
			Warnings: []string{},
		}
		for _, w := range strings.Split(d.Warnings, "\n") {
			if w = strings.TrimSpace(w); w != "" {
				ad.Warnings = append(ad.Warnings, w)
			}
		}
		p.Declaration = ad
	}
	return p
}

// requiredFacets are the facet keys docs/interfaces.md §5.3 promises; they are present (maybe empty) in every
// response so clients need not check.
var requiredFacets = []string{search.FacetType, search.FacetIPCSection, search.FacetIndustry,
	search.FacetDistrict, search.FacetFeeModel, search.FacetHolderKind}

// apiSearch is GET /api/v1/patents.
func (a *App) apiSearch(c *fiber.Ctx) error {
	q, err := parseSearchQuery(c)
	if err != nil {
		return err
	}
	res, rows, fromDB, err := a.runSearch(c.UserContext(), q)
	if err != nil {
		return err
	}
	out := apiSearchResponse{Total: res.Total, Page: q.Page, PerPage: q.PerPage, Hits: make([]apiHit, len(rows)),
		Facets: map[string]map[string]int{}}
	if fromDB {
		out.Source = "database"
	}
	for i := range rows {
		h := apiHit{apiPatent: a.toAPIPatent(&rows[i].PatentView, false), Highlights: map[string]string{}}
		for field, frag := range rows[i].Highlight {
			h.Highlights[field] = string(highlightHTML(frag))
		}
		h.Highlight = h.Highlights["title"]
		if h.Highlight == "" {
			h.Highlight = h.Highlights["abstract"]
		}
		out.Hits[i] = h
	}
	for name, counts := range res.Facets {
		out.Facets[name] = counts
	}
	for _, name := range requiredFacets {
		if out.Facets[name] == nil {
			out.Facets[name] = map[string]int{}
		}
	}
	return sendJSON(c, out)
}

// apiPatentGet is GET /api/v1/patents/{application_no}: one patent with its current declaration.
func (a *App) apiPatentGet(c *fiber.Ctx) error {
	pv, err := a.Store.PatentByApplicationNo(c.UserContext(), utils.CopyString(c.Params("no")))
	if err != nil {
		return err
	}
	return c.JSON(a.toAPIPatent(pv, true))
}
