package bleve

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	bsearch "github.com/blevesearch/bleve/v2/search"

	"patentwall/search"
)

// fragmentRunes is the length of a highlighted abstract fragment.
const fragmentRunes = 160

// facetValues bounds the distinct facet terms counted: all of them in practice (IPC classes have ~130
// values, the district|industry terms a few hundred, the closed combinations at most 3*5*9*5).
const facetValues = 10000

// Search answers a query; see search.Query for the semantics.
func (x *Index) Search(ctx context.Context, sq search.Query) (*search.Result, error) {
	q, err := sq.Normalize()
	if err != nil {
		return nil, err
	}
	idx, err := x.current()
	if err != nil {
		return nil, err
	}
	defer x.mu.RUnlock()
	start := time.Now()
	key := cacheKey(q, x.CacheText)
	var gen uint64
	if key != "" {
		var cached *search.Result
		if cached, gen = x.cache.get(key); cached != nil {
			cached.Took = time.Since(start)
			return cached, nil
		}
	}

	terms := search.ParseText(q.Text)
	text := textQuery(x.analyzer, terms)
	var root query.Query
	filter := filterQuery(q)
	switch {
	case text == nil && filter == nil:
		root = bleve.NewMatchAllQuery()
	case filter == nil:
		root = text
	default:
		b := bleve.NewBooleanQuery()
		if text != nil {
			b.AddMust(text)
		}
		b.AddFilter(filter)
		root = b
	}

	req := bleve.NewSearchRequestOptions(root, q.PerPage, (q.Page-1)*q.PerPage, false)
	req.Fields = []string{"application_no"}
	order := sortOrder(q.Sort, text == nil)
	req.SortByCustom(order)
	if _, byScore := order[0].(*bsearch.SortScore); !byScore {
		// Another order ignores the score, so it is not computed (tf-idf for every hit of a broad query).
		req.Score = "none"
	}
	if q.Facets {
		req.AddFacet(facetsField, bleve.NewFacetRequest(facetsField, facetValues))
	}
	if q.Highlight {
		// Marked from the stored text by search.Mark rather than by Bleve's highlighter: that one makes the
		// search collect term locations for every hit, not just the page, which cost more than the rest of
		// a broad query.
		req.Fields = append(req.Fields, "title", "abstract")
	}
	res, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search/bleve: search: %w", err)
	}

	out := &search.Result{Total: int(res.Total), Hits: make([]search.Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		id, err := strconv.ParseInt(h.ID, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("search/bleve: bad document id %q", h.ID)
		}
		hit := search.Hit{ID: id, Score: h.Score}
		hit.ApplicationNo, _ = h.Fields["application_no"].(string)
		if q.Highlight {
			title, _ := h.Fields["title"].(string)
			hit.Highlight = map[string]string{"title": search.Mark(title, terms, 0)}
			if abstract, _ := h.Fields["abstract"].(string); abstract != "" && len(terms) > 0 {
				hit.Highlight["abstract"] = search.Mark(abstract, terms, fragmentRunes)
			}
		}
		out.Hits = append(out.Hits, hit)
	}
	if q.Facets {
		out.Facets = make(map[string]map[string]int, len(search.AllFacets))
		for _, name := range search.AllFacets {
			out.Facets[name] = map[string]int{}
		}
		if fr := res.Facets[facetsField]; fr != nil {
			for _, t := range fr.Terms.Terms() {
				countFacetTerm(out.Facets, t.Term, t.Count)
			}
		}
	}
	out.Took = time.Since(start)
	if key != "" {
		x.cache.put(key, gen, out)
	}
	return out, nil
}

// sortOrder translates the sort; the document ID breaks ties so pages never overlap. Relevance without
// text has no scores to rank by, so it lists the newest first.
func sortOrder(sort string, noText bool) bsearch.SortOrder {
	id := &bsearch.SortField{Field: "id", Type: bsearch.SortFieldAsNumber, Desc: true}
	listed := &bsearch.SortField{Field: "listed_at", Type: bsearch.SortFieldAsNumber, Desc: true}
	fee := func(desc bool) *bsearch.SortField {
		return &bsearch.SortField{Field: "fee_fen", Type: bsearch.SortFieldAsNumber, Desc: desc, Missing: bsearch.SortFieldMissingLast}
	}
	switch {
	case sort == search.SortNewest, sort == search.SortRelevance && noText:
		return bsearch.SortOrder{listed, id}
	case sort == search.SortFeeAsc:
		return bsearch.SortOrder{fee(false), listed, id}
	case sort == search.SortFeeDesc:
		return bsearch.SortOrder{fee(true), listed, id}
	}
	// Score only: a tie-breaker field would be read from doc values for every hit, doubling the cost of a
	// broad query; equal scores keep the index order, which is stable between pages of one snapshot.
	return bsearch.SortOrder{&bsearch.SortScore{Desc: true}}
}
