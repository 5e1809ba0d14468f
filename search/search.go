// Package search is the engine-neutral patent index: the Document an engine stores, the typed Query it
// answers, the Index interface every engine implements (search/bleve, search/meili), and the outbox
// worker that keeps an index in step with the database. Engines return IDs and highlights; pages are
// rendered from the database, which stays the source of truth.
package search

import (
	"context"
	"errors"
	"time"
)

// Document is what an engine indexes for one patent.
type Document struct {
	ID            int64     `json:"id"`
	ApplicationNo string    `json:"application_no"`
	Title         string    `json:"title"`
	Abstract      string    `json:"abstract"`
	Patentee      string    `json:"patentee"`
	HolderKind    string    `json:"holder_kind"`
	District      string    `json:"district"` // district code, "" outside Shanghai
	Type          string    `json:"type"`
	IPC           []string  `json:"ipc"`            // canonical symbols, main first
	IPCSection    []string  `json:"ipc_section"`    // "G"
	IPCClass      []string  `json:"ipc_class"`      // "G06"
	IPCSubclass   []string  `json:"ipc_subclass"`   // "G06F"
	IPCMainGroup  []string  `json:"ipc_main_group"` // "G06F 16/": the main groups, for prefix filters
	IPCTitles     string    `json:"ipc_titles"`     // titles of the symbols, zh and en, for full text
	Industry      string    `json:"industry"`
	FeeModel      string    `json:"fee_model"`  // "" when no live declaration
	FeeFen        int64     `json:"fee_fen"`    // up-front amount (lump sum or entry fee); 0 free/royalty
	PriceBand     string    `json:"price_band"` // see PriceBandOf
	Offers        []string  `json:"offers"`     // "open_licence", "transfer"
	Status        string    `json:"status"`
	ListedAt      time.Time `json:"listed_at"` // declaration published, else patent created
	GrantYear     int       `json:"grant_year"`
}

// Sort orders.
const (
	SortRelevance = "relevance"
	SortNewest    = "newest"
	SortFeeAsc    = "fee_asc"
	SortFeeDesc   = "fee_desc"
)

// Facet names, as in the API's "facets" object.
const (
	FacetType       = "type"
	FacetIPCSection = "ipc_section"
	FacetIPCClass   = "ipc_class"
	FacetIndustry   = "industry"
	FacetDistrict   = "district"
	FacetFeeModel   = "fee_model"
	FacetHolderKind = "holder_kind"
	FacetPriceBand  = "price_band"
)

// AllFacets lists every facet the engines compute.
var AllFacets = []string{FacetType, FacetIPCSection, FacetIPCClass, FacetIndustry, FacetDistrict,
	FacetFeeModel, FacetHolderKind, FacetPriceBand}

// MaxPerPage bounds a page; MaxResultWindow bounds page*per_page (deep pages are refused, as
// Meilisearch's maxTotalHits would silently cut them).
const (
	MaxPerPage      = 100
	MaxResultWindow = 10000
)

// Query is a typed search request. Empty filter slices mean "any". Values inside one filter are ORed,
// different filters are ANDed. Index.Search takes only what Query.Normalize returned.
type Query struct {
	Text        string
	Types       []string
	IPC         []string // a section "G", class "G06", subclass "G06F", main group "G06F 16/" or full symbol "G06F 16/9535"
	Industries  []string
	Districts   []string
	HolderKinds []string
	FeeModels   []string // "none" selects patents without a live declaration
	PriceBands  []string
	Offers      []string
	MaxFeeFen   *int64 // up-front fee at most this (free and royalty-only count as 0)
	// ExcludeIDs leaves these patents out (a wall's pinned and excluded patents, docs/architecture.md §9).
	ExcludeIDs []int64
	Sort       string
	Page       int // 1-based
	PerPage    int
	Facets     bool
	Highlight  bool
	// Similar ranks documents by the key terms (KeyTerms) they share with this text, requiring none in
	// particular but at least one: the matching of a demand. With Text, Text still filters.
	Similar string
	// IDs limits the search to these documents (nil: all): alerts percolate new patents this way.
	IDs []int64

	normalized bool // set by Normalize
}

// Hit is one result: the patent's ID plus highlighted fragments (HTML with <mark>, already escaped).
type Hit struct {
	ID            int64
	ApplicationNo string
	Score         float64
	Highlight     map[string]string // field ("title", "abstract") -> fragment
}

// Result is one page of results with facet counts over the whole result set.
type Result struct {
	Total  int
	Hits   []Hit
	Facets map[string]map[string]int
	Took   time.Duration
}

// Index is implemented by every engine.
type Index interface {
	// Init opens or creates the index and applies its settings. It returns rebuild=true when the index
	// was created or its schema version changed, so the caller must reindex from the database.
	Init(ctx context.Context) (rebuild bool, err error)
	// Upsert adds or replaces documents (batched by the caller).
	Upsert(ctx context.Context, docs []Document) error
	// Delete removes documents by ID; unknown IDs are not an error.
	Delete(ctx context.Context, ids []int64) error
	// Search answers a query that Query.Normalize returned: its values are checked, its defaults filled
	// and its districts and IPC filters canonical, so an engine translates it without checking again. A
	// query that did not come from Normalize is refused with ErrNotNormalized.
	Search(ctx context.Context, q Query) (*Result, error)
	// Reset removes every document (used by a full reindex).
	Reset(ctx context.Context) error
	// Count returns how many documents the index holds.
	Count(ctx context.Context) (int, error)
	Close() error
}

// DeferredUpserter is implemented by engines that can acknowledge a write before it is on disk
// (search/bleve in Bulk mode): UpsertDeferred returns once the documents are searchable and calls
// durable once they are on disk, possibly from another goroutine, and never when it fails. Bulk jobs
// (DrainExclusive, Reindex) use it to keep indexing while earlier batches are written out.
type DeferredUpserter interface {
	UpsertDeferred(ctx context.Context, docs []Document, durable func()) error
}

// upsertThen is UpsertDeferred when idx has it, else Upsert followed by durable.
func upsertThen(ctx context.Context, idx Index, docs []Document, durable func()) error {
	if d, ok := idx.(DeferredUpserter); ok {
		return d.UpsertDeferred(ctx, docs, durable)
	}
	if err := idx.Upsert(ctx, docs); err != nil {
		return err
	}
	durable()
	return nil
}

// Pinger is implemented by engines that can tell cheaply whether they can answer now (search/bleve: its
// directory is still there; search/meili: the server's health endpoint). /healthz reports it.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Ping asks idx whether it can answer; an engine without Pinger is assumed to.
func Ping(ctx context.Context, idx Index) error {
	if p, ok := idx.(Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// Optimizer is implemented by engines that compact their index after a bulk load (search/bleve merges
// its segments; a search visits every one).
type Optimizer interface {
	Optimize(ctx context.Context) error
}

// Optimize compacts idx when its engine supports it.
func Optimize(ctx context.Context, idx Index) error {
	if o, ok := idx.(Optimizer); ok {
		return o.Optimize(ctx)
	}
	return nil
}

// ErrBadQuery wraps query errors the user can fix.
var ErrBadQuery = errors.New("search: bad query")

// Price bands of the up-front fee, in yuan: the supermarket's "中低价" shelves.
var PriceBands = []struct {
	Name   string
	MaxFen int64 // inclusive upper bound; -1 = unbounded
}{
	{"free", 0},
	{"lt_10k", 10_000_00},
	{"10k_50k", 50_000_00},
	{"50k_200k", 200_000_00},
	{"gt_200k", -1},
}

// PriceBandOf returns the price band of a document's up-front fee ("" when no declaration).
func PriceBandOf(feeModel string, feeFen int64) string {
	switch feeModel {
	case "":
		return ""
	case "free":
		return "free"
	}
	// Royalty-only terms have no up-front fee and fall in the lowest paid band.
	for _, b := range PriceBands[1:] {
		if b.MaxFen < 0 || feeFen <= b.MaxFen {
			return b.Name
		}
	}
	return ""
}
