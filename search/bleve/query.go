package bleve

import (
	"regexp"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"patentwall/search"
)

// textQuery translates the search text: every non-common term must match in some text field (AND across
// terms), common terms only add to the score. nil means "no text": match everything.
func textQuery(an analysis.Analyzer, terms []search.Term) query.Query {
	if len(terms) == 0 {
		return nil
	}
	var must, should []query.Query
	for _, t := range terms {
		q := termQuery(an, t)
		if q == nil {
			continue
		}
		if t.Common {
			should = append(should, q)
		} else {
			must = append(must, q)
		}
	}
	if len(must) == 0 {
		// Only punctuation or the like: nothing can match.
		return bleve.NewMatchNoneQuery()
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(must...)
	if len(should) > 0 {
		b.AddShould(should...)
		b.SetMinShould(0)
	}
	return b
}

// similarQuery ranks by the key terms of a similar text: any one of them matches, each adds its weight
// (the engine's tf-idf over the text fields), and the more of them a document has, the higher it ranks.
func similarQuery(an analysis.Analyzer, keys []string) query.Query {
	alts := make([]query.Query, 0, len(keys))
	for _, k := range keys {
		if q := termQueryIn(an, search.Term{Text: k, Han: search.HasHan(k)}, similarTextFields); q != nil {
			alts = append(alts, q)
		}
	}
	if len(alts) == 0 {
		return bleve.NewMatchNoneQuery()
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// withSimilar combines a text query (nil: none) with a similar query: the text filters, the similar
// text ranks.
func withSimilar(text, similar query.Query) query.Query {
	if text == nil {
		return similar
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(text, similar)
	return b
}

// termQuery matches one term in any text field (or, for an application number, that field).
func termQuery(an analysis.Analyzer, t search.Term) query.Query {
	return termQueryIn(an, t, textFields)
}

// termQueryIn matches one term in any of fields (or, for an application number, that field).
func termQueryIn(an analysis.Analyzer, t search.Term, fields []textField) query.Query {
	if t.AppNo != "" {
		q := bleve.NewTermQuery(t.AppNo)
		q.SetField("application_no")
		return q
	}
	seq := termTokens(an, t)
	if len(seq) == 0 {
		return nil
	}
	// A lone Latin word also matches as a prefix: Chinese titles glue codes to words (5G → 5GC, 5GBBU).
	prefix := !t.Han && len(seq) == 1 && len([]rune(seq[0])) >= 2
	alts := make([]query.Query, 0, 2*len(fields))
	for _, f := range fields {
		switch {
		case f.bigramsOnly && t.Han && len(seq) == 1 && utf8.RuneCountInString(seq[0]) == 1:
			alts = append(alts, charQuery(f.name, seq[0], f.boost))
		default:
			alts = append(alts, fieldSeq(f.name, seq, f.boost, f.positions))
		}
		if prefix {
			p := bleve.NewPrefixQuery(seq[0])
			p.SetField(f.name)
			p.SetBoost(f.boost / 2)
			alts = append(alts, p)
		}
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// termTokens gives the index terms that a term must match in sequence: hanTokens for a Han run, the
// analyser's tokens otherwise.
func termTokens(an analysis.Analyzer, t search.Term) []string {
	if t.Han {
		return hanTokens(t.Text)
	}
	var seq []string
	for _, tok := range an.Analyze([]byte(t.Text)) {
		seq = append(seq, string(tok.Term))
	}
	return seq
}

// hanTokens gives the index terms that a run of Han characters must match in sequence: the character
// itself for a single one (matched by the unigrams), otherwise its overlapping bigrams, which as a phrase
// require the whole run to appear contiguously (锂电池 → 锂电 电池).
func hanTokens(run string) []string {
	rs := []rune(run)
	if len(rs) == 1 {
		return []string{run}
	}
	out := make([]string, 0, len(rs)-1)
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}

// charQuery finds one Han character in a field indexed without unigrams: the bigrams that start with it
// (and the character itself, which the bigram filter keeps when it stands alone) or end with it.
func charQuery(field, char string, boost float64) query.Query {
	starts := bleve.NewPrefixQuery(char)
	starts.SetField(field)
	ends := bleve.NewRegexpQuery("." + regexp.QuoteMeta(char))
	ends.SetField(field)
	q := bleve.NewDisjunctionQuery(starts, ends)
	q.SetBoost(boost)
	return q
}

// fieldSeq matches a sequence of index terms in one field: as a phrase where the field keeps positions,
// otherwise all of them anywhere in the field.
func fieldSeq(field string, seq []string, boost float64, positions bool) query.Query {
	if len(seq) == 1 {
		q := bleve.NewTermQuery(seq[0])
		q.SetField(field)
		q.SetBoost(boost)
		return q
	}
	if !positions {
		all := make([]query.Query, len(seq))
		for i, t := range seq {
			tq := bleve.NewTermQuery(t)
			tq.SetField(field)
			all[i] = tq
		}
		q := bleve.NewConjunctionQuery(all...)
		q.SetBoost(boost)
		return q
	}
	q := bleve.NewPhraseQuery(seq, field)
	q.SetBoost(boost)
	return q
}

// filterQuery ANDs the filters (values inside one filter are ORed); nil when there are none. The fee
// ceiling (MaxFeeFen) is not among them: the collector tests it from the fee column (postFilter).
func filterQuery(q search.Query) query.Query {
	var parts []query.Query
	anyOf := func(field string, terms []string) {
		if len(terms) == 0 {
			return
		}
		alts := make([]query.Query, len(terms))
		for i, v := range terms {
			t := bleve.NewTermQuery(v)
			t.SetField(field)
			alts[i] = t
		}
		parts = append(parts, bleve.NewDisjunctionQuery(alts...))
	}
	// Filters on a facet match its terms in the facets field (see facets.go).
	regexpOf := func(re string) {
		if re != "" {
			r := bleve.NewRegexpQuery(re)
			r.SetField(facetsField)
			parts = append(parts, r)
		}
	}
	regexpOf(closedFilter([][]string{q.Types, q.FeeModels, q.HolderKinds, q.PriceBands}))
	regexpOf(openFilter(q.Districts, q.Industries))
	anyOf("offers", q.Offers)
	if len(q.IPC) > 0 {
		alts := make([]query.Query, 0, len(q.IPC))
		for _, canon := range q.IPC {
			switch field := search.IPCField(canon); field {
			case "ipc_section", "ipc_class":
				re := classFilter(canon)
				if field == "ipc_section" {
					re = sectionFilter(canon)
				}
				r := bleve.NewRegexpQuery(re)
				r.SetField(facetsField)
				alts = append(alts, r)
			default:
				t := bleve.NewTermQuery(canon)
				t.SetField(field)
				alts = append(alts, t)
			}
		}
		parts = append(parts, bleve.NewDisjunctionQuery(alts...))
	}
	if q.IDs != nil {
		ids := make([]string, len(q.IDs))
		for i, id := range q.IDs {
			ids[i] = docID(id)
		}
		parts = append(parts, bleve.NewDocIDQuery(ids))
	}
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return parts[0]
	}
	return bleve.NewConjunctionQuery(parts...)
}
