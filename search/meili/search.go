package meili

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"patentwall/search"
)

// abstractRunes is the length of a highlighted abstract fragment.
const abstractRunes = 160

// maxQueryWords is how many words of a query Meilisearch reads; it ignores the rest.
const maxQueryWords = 10

// similarAttributes are the attributes a similar text is matched on: what a patent is about.
var similarAttributes = []string{"title", "title_cjk", "abstract", "abstract_cjk", "ipc_titles", "ipc_titles_cjk"}

// Search answers a normalised query in page mode (exact totals up to maxTotalHits).
func (x *Index) Search(ctx context.Context, q search.Query) (*search.Result, error) {
	if !q.Normalized() {
		return nil, search.ErrNotNormalized
	}
	if err := x.ready(); err != nil {
		return nil, err
	}
	start := time.Now()
	terms := search.ParseText(q.Text)
	req := buildRequest(q, terms)
	res, err := x.idx.Search(ctx, req.Query, req)
	if err != nil {
		if hasCode(err, meilisearch.APIErrCodeInvalidSearchFilter) {
			return nil, fmt.Errorf("%w: %v", search.ErrBadQuery, err)
		}
		return nil, fmt.Errorf("search/meili: search: %w", err)
	}
	return parseResponse(res, q, terms, start)
}

// buildRequest translates a normalised query. Text: each Han run becomes a quoted phrase of its characters
// (matched on the *_cjk attributes), Latin words and application numbers stay words; with
// matchingStrategy "all" every one must match. Common words are left out when anything else is asked:
// Meilisearch cannot make single words optional, and required they would only narrow nothing.
func buildRequest(q search.Query, terms []search.Term) *meilisearch.SearchRequest {
	var words []string
	for _, t := range terms {
		if t.Common {
			continue
		}
		switch {
		case t.AppNo != "":
			words = append(words, `"`+t.AppNo+`"`)
		case t.Han:
			words = append(words, phrase(t.Text))
		default:
			words = append(words, strings.ReplaceAll(t.Text, `"`, ""))
		}
	}
	strategy := meilisearch.All
	var searchOn []string
	if q.Similar != "" {
		// A similar text's key terms rank and none is required: Meilisearch drops the rarest-last
		// ("frequency") until documents match. Only its first 10 words count, so the key terms go in
		// order of first appearance (the demand's title first), and no more than it reads are sent. As
		// on Bleve, the patentee's name and the application number are not searched
		// (docs/architecture.md §4.2).
		strategy = meilisearch.Frequency
		searchOn = similarAttributes
		keys := search.KeyTerms(q.Similar)
		for _, k := range keys[:min(len(keys), maxQueryWords)] {
			if search.HasHan(k) {
				words = append(words, phrase(k))
			} else {
				words = append(words, strings.ReplaceAll(k, `"`, ""))
			}
		}
	}
	perPage := int64(q.PerPage)
	req := &meilisearch.SearchRequest{
		Query:                strings.Join(words, " "),
		HitsPerPage:          &perPage,
		Page:                 int64(q.Page),
		MatchingStrategy:     strategy,
		AttributesToRetrieve: []string{"id", "application_no"},
		Filter:               filterString(q),
		Sort:                 sortOf(q.Sort, len(words) == 0),
		AttributesToSearchOn: searchOn,
	}
	if req.Filter == "" {
		req.Filter = nil
	}
	if q.Highlight {
		req.AttributesToRetrieve = append(req.AttributesToRetrieve, "title", "abstract")
	}
	if q.Facets {
		req.Facets = search.AllFacets
	}
	if search.HasHan(q.Text) || search.HasHan(q.Similar) {
		req.Locales = []string{"zho"}
	}
	return req
}

// sortOf maps the sort; the id breaks ties. Relevance without text lists the newest first.
func sortOf(sort string, noText bool) []string {
	switch {
	case sort == search.SortNewest, sort == search.SortRelevance && noText:
		return []string{"listed_at:desc", "id:desc"}
	case sort == search.SortFeeAsc:
		return []string{"fee_fen:asc", "listed_at:desc", "id:desc"}
	case sort == search.SortFeeDesc:
		return []string{"fee_fen:desc", "listed_at:desc", "id:desc"}
	}
	return nil
}

// filterString builds the filter expression from typed values only; every string is quoted and escaped,
// so no user input can change the expression's structure.
func filterString(q search.Query) string {
	var parts []string
	in := func(field string, vals []string) {
		if len(vals) == 0 {
			return
		}
		quoted := make([]string, len(vals))
		for i, v := range vals {
			quoted[i] = quote(v)
		}
		parts = append(parts, field+" IN ["+strings.Join(quoted, ", ")+"]")
	}
	in("type", q.Types)
	if len(q.IPC) > 0 {
		var alts []string
		for _, v := range q.IPC {
			alts = append(alts, search.IPCField(v)+" = "+quote(v))
		}
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
	}
	in("industry", q.Industries)
	in("district", q.Districts)
	in("holder_kind", q.HolderKinds)
	in("fee_model", q.FeeModels)
	in("price_band", q.PriceBands)
	in("offers", q.Offers)
	if q.IDs != nil {
		ids := make([]string, len(q.IDs))
		for i, id := range q.IDs {
			ids[i] = strconv.FormatInt(id, 10)
		}
		parts = append(parts, "id IN ["+strings.Join(ids, ", ")+"]")
	}
	if q.MaxFeeFen != nil {
		parts = append(parts, "fee_fen <= "+strconv.FormatInt(*q.MaxFeeFen, 10))
	}
	if len(q.ExcludeIDs) > 0 {
		ids := make([]string, len(q.ExcludeIDs))
		for i, id := range q.ExcludeIDs {
			ids[i] = strconv.FormatInt(id, 10)
		}
		parts = append(parts, "id NOT IN ["+strings.Join(ids, ", ")+"]")
	}
	return strings.Join(parts, " AND ")
}

// quote writes a Meilisearch filter string literal: double quotes, with \ and " escaped by a backslash.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// hit is the part of a Meilisearch hit we read; _formatted is ignored on purpose: Meilisearch does not
// HTML-escape it, and on Chinese it marks jieba words rather than the characters the query matched.
type hit struct {
	ID            int64  `json:"id"`
	ApplicationNo string `json:"application_no"`
	Title         string `json:"title"`
	Abstract      string `json:"abstract"`
}

func parseResponse(res *meilisearch.SearchResponse, q search.Query, terms []search.Term, start time.Time) (*search.Result, error) {
	out := &search.Result{Total: int(res.TotalHits), Hits: make([]search.Hit, 0, len(res.Hits))}
	for _, raw := range res.Hits {
		var h hit
		if err := raw.DecodeInto(&h); err != nil {
			return nil, fmt.Errorf("search/meili: malformed hit: %w", err)
		}
		sh := search.Hit{ID: h.ID, ApplicationNo: h.ApplicationNo}
		if q.Highlight {
			sh.Highlight = map[string]string{"title": search.Mark(h.Title, terms, 0)}
			if len(terms) > 0 && h.Abstract != "" {
				sh.Highlight["abstract"] = search.Mark(h.Abstract, terms, abstractRunes)
			}
		}
		out.Hits = append(out.Hits, sh)
	}
	if q.Facets {
		dist := map[string]map[string]int{}
		if len(res.FacetDistribution) > 0 {
			if err := json.Unmarshal(res.FacetDistribution, &dist); err != nil {
				return nil, fmt.Errorf("search/meili: malformed facetDistribution: %w", err)
			}
		}
		out.Facets = make(map[string]map[string]int, len(search.AllFacets))
		for _, f := range search.AllFacets {
			counts := map[string]int{}
			for v, n := range dist[f] {
				if v != "" {
					counts[v] = n
				}
			}
			out.Facets[f] = counts
		}
	}
	out.Took = time.Since(start)
	return out, nil
}
