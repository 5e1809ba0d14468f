package bleve

import (
	"context"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"patentwall/search"
)

// The commonest search is a few words of two Han characters with no filter (电池, 电机 控制). Bleve
// answers it through a stack of generic searchers (a conjunction of one disjunction per word over the
// text fields' term searchers), which cost about two thirds of such a query's time. collectWords answers
// exactly those queries from the postings themselves: the same matches and the same scores as Bleve's
// tf-idf, with its query norm, field boosts, coordination factor and order of summation, so the ranking
// does not change (TestWordsScoreAsBleve compares both on every word of a catalogue). Every other query
// shape still runs through Bleve. docs/architecture.md §"Search" explains the path.

// maxWords bounds the words collectWords takes: Bleve orders a conjunction's parts by a sort that is
// stable only up to twelve of them, and its sums follow that order.
const maxWords = 12

// plainWords returns the index term of every search term when each is one term matched in every text field
// (textQuery builds a term query per field for it, with no phrase, prefix or character expansion), the
// text has no optional common words, and there are at most maxWords; ok=false otherwise.
func plainWords(an analysis.Analyzer, terms []search.Term) (words []string, ok bool) {
	if len(terms) == 0 || len(terms) > maxWords {
		return nil, false
	}
	for _, t := range terms {
		if t.Common || t.AppNo != "" {
			return nil, false
		}
		var seq []string
		if t.Han {
			seq = hanTokens(t.Text)
		} else {
			for _, tok := range an.Analyze([]byte(t.Text)) {
				seq = append(seq, string(tok.Term))
			}
		}
		// As termQueryIn: several terms make a phrase, a lone Latin word of two or more characters also
		// matches as a prefix, and a lone Han character expands over the bigram-only fields' bigrams.
		want := 1
		if t.Han {
			want = 2
		}
		if len(seq) != 1 || utf8.RuneCountInString(seq[0]) != want {
			return nil, false
		}
		words = append(words, seq[0])
	}
	return words, true
}

// fieldTerm is one word in one text field: a term searcher of Bleve's.
type fieldTerm struct {
	field  int // in textFields
	count  uint64
	idf    float64
	weight float64 // Bleve's queryWeight: boost × idf × query norm
	lists  []segment.PostingsList
}

// score is Bleve's tf-idf score of a posting (search/scorer.TermQueryScorer), computed in its order.
func (t *fieldTerm) score(freq uint64, norm float64) float64 {
	s := math.Sqrt(float64(freq)) * norm * t.idf
	if t.weight != 1.0 {
		s = s * t.weight
	}
	return s
}

// wordTerms is one word in every text field, ordered as Bleve's disjunction orders its searchers.
type wordTerms struct {
	fields []fieldTerm
	count  uint64
}

// head is the current posting of one field term's iterator in one segment.
type head struct {
	it   segment.PostingsIterator
	doc  uint64
	freq uint64
	norm float64
	done bool
}

func (h *head) set(p segment.Posting, err error) error {
	if err != nil {
		return err
	}
	if p == nil {
		h.done = true
		return nil
	}
	// The iterator reuses its posting: copy what the score needs.
	h.doc, h.freq, h.norm = p.Number(), p.Frequency(), p.Norm()
	return nil
}

// scored is a candidate document of one segment and its score so far.
type scored struct {
	doc   uint64
	score float64
}

// collectWords collects the documents that contain every word in some text field into p, scored as
// Bleve scores textQuery's conjunction of per-word disjunctions of term queries.
func collectWords(ctx context.Context, is *scorch.IndexSnapshot, cols *snapshotColumns, words []string, p *part) error {
	segs := is.Segments()
	docTotal, err := is.DocCount()
	if err != nil {
		return fmt.Errorf("search/bleve: %w", err)
	}
	dicts := make([][]segment.TermDictionary, len(textFields))
	for f, tf := range textFields {
		dicts[f] = make([]segment.TermDictionary, len(segs))
		for i, s := range segs {
			if dicts[f][i], err = s.Segment().Dictionary(tf.name); err != nil {
				return fmt.Errorf("search/bleve: %w", err)
			}
		}
	}
	ws := make([]wordTerms, len(words))
	for w, word := range words {
		ws[w].fields = make([]fieldTerm, len(textFields))
		for f := range textFields {
			ft := &ws[w].fields[f]
			ft.field, ft.lists = f, make([]segment.PostingsList, len(segs))
			for i, s := range segs {
				pl, err := dicts[f][i].PostingsList([]byte(word), s.Deleted(), nil)
				if err != nil {
					return fmt.Errorf("search/bleve: %w", err)
				}
				ft.lists[i] = pl
				ft.count += pl.Count()
			}
			ft.idf = 1.0 + math.Log(float64(docTotal)/float64(ft.count+1.0))
			ws[w].count += ft.count
		}
		// A disjunction and a conjunction order their searchers by count with sort.Sort, which is an
		// insertion sort (stable) for up to twelve of them.
		slices.SortStableFunc(ws[w].fields, func(a, b fieldTerm) int { return cmpCount(a.count, b.count) })
	}
	slices.SortStableFunc(ws, func(a, b wordTerms) int { return cmpCount(a.count, b.count) })
	// The conjunction's query norm, set on every term searcher below it.
	var sumOfSquares float64
	for _, w := range ws {
		var sum float64
		for _, ft := range w.fields {
			bi := textFields[ft.field].boost * ft.idf
			sum += bi * bi
		}
		sumOfSquares += sum
	}
	norm := 1.0 / math.Sqrt(sumOfSquares)
	for w := range ws {
		for f := range ws[w].fields {
			ft := &ws[w].fields[f]
			ft.weight = textFields[ft.field].boost * ft.idf * norm
		}
	}

	heads := make([]head, len(textFields))
	var cands, next []scored
	for i := range segs {
		cands = cands[:0]
		for w := range ws {
			for f := range ws[w].fields {
				ft := &ws[w].fields[f]
				heads[f] = head{it: ft.lists[i].Iterator(true, true, false, nil)}
				if w == 0 {
					if err := heads[f].set(heads[f].it.Next()); err != nil {
						return fmt.Errorf("search/bleve: %w", err)
					}
				}
			}
			if w == 0 {
				if cands, err = firstWord(ctx, ws[0].fields, heads, cands); err != nil {
					return err
				}
			} else {
				if next, err = nextWord(ws[w].fields, heads, cands, next[:0]); err != nil {
					return err
				}
				cands, next = next, cands
			}
			if len(cands) == 0 {
				break
			}
		}
		c := cols.segs[i]
		for _, d := range cands {
			if p.total%checkEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			p.total++
			if p.counts != nil {
				for _, t := range c.terms[c.termOff[d.doc]:c.termOff[d.doc+1]] {
					p.counts[t]++
				}
			}
			h := hitRef{seg: i, local: d.doc, score: d.score, id: c.id[d.doc], listed: c.listed[d.doc], fee: c.fee[d.doc]}
			p.top.offer(&h)
		}
	}
	return nil
}

func cmpCount(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// firstWord appends every document of the segment that has the word in some field, with the word's
// disjunction score: the sum of the matching fields' scores in the disjunction's order, times the
// fraction of fields that match.
func firstWord(ctx context.Context, fields []fieldTerm, heads []head, out []scored) ([]scored, error) {
	total := float64(len(fields))
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		doc, any := uint64(math.MaxUint64), false
		for f := range heads {
			if !heads[f].done && heads[f].doc < doc {
				doc, any = heads[f].doc, true
			}
		}
		if !any {
			return out, nil
		}
		var sum float64
		matched := 0
		for f := range heads {
			h := &heads[f]
			if h.done || h.doc != doc {
				continue
			}
			sum += fields[f].score(h.freq, h.norm)
			matched++
			if err := h.set(h.it.Next()); err != nil {
				return nil, fmt.Errorf("search/bleve: %w", err)
			}
		}
		out = append(out, scored{doc: doc, score: sum * (float64(matched) / total)})
	}
}

// nextWord keeps the candidates that also have this word in some field, adding its disjunction score
// (the conjunction's sum, in its order). The iterators skip to each candidate.
func nextWord(fields []fieldTerm, heads []head, cands, out []scored) ([]scored, error) {
	total := float64(len(fields))
	started := make([]bool, len(heads))
	for _, c := range cands {
		var sum float64
		matched := 0
		for f := range heads {
			h := &heads[f]
			if h.done {
				continue
			}
			switch {
			case !started[f]:
				started[f] = true
				if err := h.set(h.it.Advance(c.doc)); err != nil {
					return nil, fmt.Errorf("search/bleve: %w", err)
				}
			case h.doc < c.doc:
				if err := h.set(h.it.Advance(c.doc)); err != nil {
					return nil, fmt.Errorf("search/bleve: %w", err)
				}
			}
			if !h.done && h.doc == c.doc {
				sum += fields[f].score(h.freq, h.norm)
				matched++
			}
		}
		if matched > 0 {
			out = append(out, scored{doc: c.doc, score: c.score + sum*(float64(matched)/total)})
		}
	}
	return out, nil
}
