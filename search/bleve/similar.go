package bleve

import (
	"context"
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2/index/scorch"

	"patentwall/search"
)

// A similar text (a demand) asks for documents sharing any of its key terms, so the engine visits every
// posting of every term it asks for: a bigram such as 电池 or 材料 is in a large share of the catalogue,
// weighs little (its idf is low) and costs the most. The query therefore takes the key terms the index
// finds most discriminative, as "more like this" engines do (docs/architecture.md §4.2): those
// of the rarest, a Han term the index does not hold at all left out (it could match nothing), at most
// maxSimilarTerms, and none found in more than maxSimilarShare of the documents unless that would leave
// fewer than minSimilarTerms. Rank still judges the candidates by all the key terms.
const (
	maxSimilarTerms = search.MaxSimilarQueryTerms
	minSimilarTerms = 4
	maxSimilarShare = 0.10
)

// similarTextFields are the text fields a similar text is matched in: what a patent is about. The
// patentee's name is left out: a demand's words in a holder's name (科技, 大学) say nothing of the need.
var similarTextFields = func() []textField {
	var out []textField
	for _, f := range textFields {
		if f.name != "patentee" {
			out = append(out, f)
		}
	}
	return out
}()

// similarFields are the text fields whose postings count for a key term's document frequency.
var similarFields = []string{"title", "abstract"}

// similarKeys picks the key terms a similar query asks for (see above), in their original order.
func (x *Index) similarKeys(ctx context.Context, is *scorch.IndexSnapshot, keys []string) ([]string, error) {
	docs, err := is.DocCount()
	if err != nil {
		return nil, err
	}
	type keyDF struct {
		pos int
		df  uint64
	}
	cands := make([]keyDF, 0, len(keys))
	for i, k := range keys {
		han := search.HasHan(k)
		var terms []string
		if han {
			terms = hanTokens(k)
		} else {
			for _, tok := range x.analyzer.Analyze([]byte(k)) {
				terms = append(terms, string(tok.Term))
			}
		}
		if len(terms) != 1 {
			cands = append(cands, keyDF{i, 0}) // not a single index term: kept, ranked as rare
			continue
		}
		df, ok, gen := x.cache.docFreq(terms[0])
		if !ok {
			for _, f := range similarFields {
				r, err := is.TermFieldReader(ctx, []byte(terms[0]), f, false, false, false)
				if err != nil {
					return nil, err
				}
				df = max(df, r.Count())
				r.Close()
			}
			x.cache.putDocFreq(terms[0], gen, df)
		}
		if df == 0 && han {
			continue // matches nothing
		}
		cands = append(cands, keyDF{i, df})
	}
	slices.SortStableFunc(cands, func(a, b keyDF) int {
		switch {
		case a.df < b.df:
			return -1
		case a.df > b.df:
			return 1
		}
		return 0
	})
	limit := uint64(math.Ceil(maxSimilarShare * float64(docs)))
	n := 0
	for n < len(cands) && n < maxSimilarTerms && (n < minSimilarTerms || cands[n].df <= limit) {
		n++
	}
	cands = cands[:n]
	slices.SortFunc(cands, func(a, b keyDF) int { return a.pos - b.pos })
	out := make([]string, len(cands))
	for i, c := range cands {
		out[i] = keys[c.pos]
	}
	return out, nil
}
