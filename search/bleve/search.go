package bleve

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"

	"patentwall/search"
)

// fragmentRunes is the length of a highlighted abstract fragment.
const fragmentRunes = 160

// Search answers a normalised query; see search.Query for the semantics.
func (x *Index) Search(ctx context.Context, q search.Query) (*search.Result, error) {
	if !q.Normalized() {
		return nil, search.ErrNotNormalized
	}
	if err := x.checkDir(); err != nil {
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

	adv, err := idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("search/bleve: %w", err)
	}
	reader, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("search/bleve: %w", err)
	}
	defer reader.Close()
	is, ok := reader.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("search/bleve: unexpected index reader %T", reader)
	}

	terms := search.ParseText(q.Text)
	text := textQuery(x.analyzer, terms)
	if q.Similar != "" {
		keys := search.KeyTerms(q.Similar)
		asked, err := x.similarKeys(ctx, is, keys)
		if err != nil {
			return nil, fmt.Errorf("search/bleve: %w", err)
		}
		text = withSimilar(text, similarQuery(x.analyzer, asked))
		for _, k := range keys {
			terms = append(terms, search.Term{Text: k, Han: search.HasHan(k)})
		}
	}
	var root query.Query
	filter := filterQuery(q)
	// A similar text filtered by offers alone (a demand's matches) is filtered in the collector.
	var offers []string
	if q.Similar != "" && !x.testOffersAsFilter {
		if offers = offersOnly(q); offers != nil {
			filter = nil
		}
	}
	switch {
	case text == nil && filter == nil && len(q.ExcludeIDs) == 0:
		root = bleve.NewMatchAllQuery()
	case filter == nil && len(q.ExcludeIDs) == 0:
		root = text
	default:
		b := bleve.NewBooleanQuery()
		if text != nil {
			b.AddMust(text)
		} else {
			b.AddMust(bleve.NewMatchAllQuery())
		}
		if filter != nil {
			b.AddFilter(filter)
		}
		if len(q.ExcludeIDs) > 0 {
			ids := make([]string, len(q.ExcludeIDs))
			for i, id := range q.ExcludeIDs {
				ids[i] = docID(id)
			}
			b.AddMustNot(bleve.NewDocIDQuery(ids))
		}
		root = b
	}

	var words, common []string
	if q.Similar == "" && filter == nil && q.MaxFeeFen == nil && len(q.ExcludeIDs) == 0 && !x.testBleveOnly {
		words, common, _ = plainWords(x.analyzer, terms)
	}
	rank, scored := rankOf(q.Sort, text == nil)
	res, err := x.collect(ctx, is, x.mapping, root, words, common, offers, q.MaxFeeFen, rank, scored, q.Facets, (q.Page-1)*q.PerPage, q.PerPage)
	if err != nil {
		return nil, err
	}

	out := &search.Result{Total: res.total, Hits: make([]search.Hit, 0, len(res.hits))}
	segs := is.Segments()
	for _, h := range res.hits {
		hit := search.Hit{ID: h.id, Score: h.score}
		var title, abstract string
		err := segs[h.seg].VisitDocument(h.local, func(field string, _ byte, value []byte, _ []uint64) bool {
			switch field {
			case "application_no":
				hit.ApplicationNo = string(value)
			case "title":
				title = string(value)
			case "abstract":
				abstract = string(value)
			}
			return true
		})
		if err != nil {
			return nil, fmt.Errorf("search/bleve: load hit %d: %w", h.id, err)
		}
		// Marked from the stored text by search.Mark rather than by Bleve's highlighter, which would
		// make the search collect term locations for every hit, not just the page.
		if q.Highlight {
			hit.Highlight = map[string]string{"title": search.Mark(title, terms, 0)}
			if abstract != "" && len(terms) > 0 {
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
		for t, n := range res.counts {
			if n > 0 {
				countFacetTerm(out.Facets, res.terms[t], n)
			}
		}
	}
	out.Took = time.Since(start)
	if key != "" {
		x.cache.put(key, gen, out)
	}
	return out, nil
}
