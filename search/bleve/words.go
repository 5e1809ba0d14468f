package bleve

import (
	"context"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"patentwall/search"
)

// The commonest search is a few words of two Han characters with no filter (电池, 电机 控制 装置). Bleve
// answers it through a stack of generic searchers (a conjunction of one disjunction per word over the
// text fields' term searchers), which cost about two thirds of such a query's time. planWords and
// wordPlan.collect answer exactly those queries from the postings themselves: the same matches and the
// same scores as Bleve's tf-idf, with its query norm, field boosts, coordination factors and order of
// summation, so the ranking does not change (TestWordsScoreAsBleve compares both on every two-character
// word of a catalogue's titles). Every other query shape still runs through Bleve. docs/architecture.md
// §2 step 5 describes the path.

// maxWords bounds the words wordPlan.collect takes: Bleve orders a conjunction's parts by a sort that is
// stable only up to twelve of them, and its sums follow that order.
const maxWords = 12

// plainWords returns the index terms of the required search terms and of the optional common ones when
// each is one term matched in every text field (textQuery builds a term query per field for it, with no
// phrase, prefix or character expansion) and there are at most maxWords of each; ok=false otherwise.
func plainWords(an analysis.Analyzer, terms []search.Term) (words, common []string, ok bool) {
	for _, t := range terms {
		if t.AppNo != "" {
			return nil, nil, false
		}
		seq := termTokens(an, t)
		// As termQueryIn: several terms make a phrase, a lone Latin word of two or more characters also
		// matches as a prefix, and a lone Han character expands over the bigram-only fields' bigrams.
		want := 1
		if t.Han {
			want = 2
		}
		if len(seq) != 1 || utf8.RuneCountInString(seq[0]) != want {
			return nil, nil, false
		}
		if t.Common {
			common = append(common, seq[0])
		} else {
			words = append(words, seq[0])
		}
	}
	if len(words) == 0 || len(words) > maxWords || len(common) > maxWords {
		return nil, nil, false
	}
	return words, common, true
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

// wordTerms is one word in every text field, ordered as Bleve's disjunction orders its searchers, and
// its iterators over the current segment.
type wordTerms struct {
	word   string
	fields []fieldTerm
	count  uint64
	heads  []head
}

// squares is the word's part of the query norm: Bleve's Weight() of its disjunction.
func (w *wordTerms) squares() float64 {
	var sum float64
	for _, ft := range w.fields {
		bi := textFields[ft.field].boost * ft.idf
		sum += bi * bi
	}
	return sum
}

// open starts the word's iterators over segment i; without scores they skip frequencies and norms.
func (w *wordTerms) open(i int, withScores bool) {
	for f := range w.fields {
		w.heads[f] = head{it: w.fields[f].lists[i].Iterator(withScores, withScores, false, nil)}
	}
}

// at is the word's disjunction score for doc, whose number must grow from call to call within a
// segment: the sum of the matching fields' scores in the disjunction's order, times the fraction of
// fields that match; ok=false when no field has the word.
func (w *wordTerms) at(doc uint64) (score float64, ok bool, err error) {
	var sum float64
	matched := 0
	for f := range w.heads {
		h := &w.heads[f]
		if h.done {
			continue
		}
		if !h.started || h.doc < doc {
			h.started = true
			if err := h.set(h.it.Advance(doc)); err != nil {
				return 0, false, fmt.Errorf("search/bleve: %w", err)
			}
		}
		if !h.done && h.doc == doc {
			sum += w.fields[f].score(h.freq, h.norm)
			matched++
		}
	}
	return sum * (float64(matched) / float64(len(w.fields))), matched > 0, nil
}

// head is the current posting of one field term's iterator in one segment.
type head struct {
	it      segment.PostingsIterator
	started bool
	doc     uint64
	freq    uint64
	norm    float64
	done    bool
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

// wordPlan is a plain-word query ready to collect: its words' postings lists in every segment and
// their scoring constants.
type wordPlan struct {
	segs   int
	ws, cs []wordTerms // the required words in the conjunction's order, the common words in theirs
	// tables[i][w] is common word w's table in segment i (nil: read from its postings); nil when the
	// plan has none (withTables).
	tables [][]*wordTable
}

// planWords looks up the words of a plain-word query (plainWords) in every segment and computes the
// constants of Bleve's scores: each field term's idf and query weight.
func planWords(is *scorch.IndexSnapshot, words, common []string) (*wordPlan, error) {
	segs := is.Segments()
	docTotal, err := is.DocCount()
	if err != nil {
		return nil, fmt.Errorf("search/bleve: %w", err)
	}
	dicts := make([][]segment.TermDictionary, len(textFields))
	for f, tf := range textFields {
		dicts[f] = make([]segment.TermDictionary, len(segs))
		for i, s := range segs {
			if dicts[f][i], err = s.Segment().Dictionary(tf.name); err != nil {
				return nil, fmt.Errorf("search/bleve: %w", err)
			}
		}
	}
	termsOf := func(words []string) ([]wordTerms, error) {
		ws := make([]wordTerms, len(words))
		for w, word := range words {
			ws[w].word = word
			ws[w].fields = make([]fieldTerm, len(textFields))
			for f := range textFields {
				ft := &ws[w].fields[f]
				ft.field, ft.lists = f, make([]segment.PostingsList, len(segs))
				for i, s := range segs {
					pl, err := dicts[f][i].PostingsList([]byte(word), s.Deleted(), nil)
					if err != nil {
						return nil, fmt.Errorf("search/bleve: %w", err)
					}
					ft.lists[i] = pl
					ft.count += pl.Count()
				}
				ft.idf = 1.0 + math.Log(float64(docTotal)/float64(ft.count+1.0))
				ws[w].count += ft.count
			}
			// Disjunctions and conjunctions order their searchers by count with sort.Sort, which is an
			// insertion sort (stable) for up to twelve of them.
			slices.SortStableFunc(ws[w].fields, func(a, b fieldTerm) int { return cmpCount(a.count, b.count) })
		}
		slices.SortStableFunc(ws, func(a, b wordTerms) int { return cmpCount(a.count, b.count) })
		return ws, nil
	}
	ws, err := termsOf(words)
	if err != nil {
		return nil, err
	}
	cs, err := termsOf(common)
	if err != nil {
		return nil, err
	}
	// The query norm of the root searcher, set on every term searcher below it: the conjunction's, or
	// the boolean query's over the conjunction and the common words' disjunction.
	var must, should float64
	for w := range ws {
		must += ws[w].squares()
	}
	for w := range cs {
		should += cs[w].squares()
	}
	norm := 1.0 / math.Sqrt(must+should) // should is 0 without common words
	for _, list := range [][]wordTerms{ws, cs} {
		for w := range list {
			for f := range list[w].fields {
				ft := &list[w].fields[f]
				ft.weight = textFields[ft.field].boost * ft.idf * norm
			}
		}
	}
	return &wordPlan{segs: len(segs), ws: ws, cs: cs}, nil
}

// withTables gives the plan the common words' tables of every segment of the snapshot (common.go), and
// says how many it found.
func (pl *wordPlan) withTables(is *scorch.IndexSnapshot, cols *snapshotColumns) (int, error) {
	if len(pl.cs) == 0 {
		return 0, nil
	}
	found := 0
	segs := is.Segments()
	pl.tables = make([][]*wordTable, len(segs))
	for i, s := range segs {
		pl.tables[i] = make([]*wordTable, len(pl.cs))
		for w := range pl.cs {
			t, err := cols.segs[i].tables.table(s.Segment(), pl.cs[w].word)
			if err != nil {
				return 0, err
			}
			if t != nil {
				found++
			}
			pl.tables[i][w] = t
		}
	}
	return found, nil
}

// postings is the number of postings of the required words: Bleve's worst case for the query, which
// decides whether it is collected in parts.
func (pl *wordPlan) postings() uint64 {
	var n uint64
	for _, w := range pl.ws {
		n += w.count
	}
	return n
}

// collect collects into p the documents numbered [lo, hi) that contain every required word in some
// text field, scored as Bleve scores textQuery's boolean query: the conjunction of the words'
// disjunctions over the fields' term queries, plus, where a document has some of them, the disjunction
// of the common words'. Unscored (a sort by date or fee), every score is 0, as Bleve's. Parts of one plan
// may run at once: each has its own iterators.
func (pl *wordPlan) collect(ctx context.Context, cols *snapshotColumns, narrow, withScores bool, lo, hi uint64, p *part) error {
	withHeads := func(list []wordTerms) []wordTerms {
		out := slices.Clone(list)
		for w := range out {
			out[w].heads = make([]head, len(out[w].fields))
		}
		return out
	}
	ws, cs := withHeads(pl.ws), withHeads(pl.cs)
	for i := range pl.segs {
		// The part's range of the segment's local document numbers.
		start, end := cols.starts[i], cols.starts[i]+uint64(len(cols.segs[i].id))
		if hi <= start || lo >= end {
			continue
		}
		from, to := max(lo, start)-start, min(hi, end)-start
		for w := range ws {
			ws[w].open(i, withScores)
		}
		common := len(cs) > 0 && withScores // common words only score
		var tables []*wordTable             // the common words' tables in this segment (nil: none)
		iterated := false                   // some common word is read from its postings
		if common {
			if pl.tables != nil {
				tables = pl.tables[i]
			}
			for w := range cs {
				if tables != nil && tables[w] != nil {
					clear(cs[w].heads) // no iterators: nothing to narrow
				} else {
					cs[w].open(i, withScores)
					iterated = true
				}
			}
		}
		c := cols.segs[i]
		// emit adds the common words' disjunction's score where the document has one of them, then
		// counts the document and ranks it.
		emit := func(doc uint64, score float64) error {
			if common {
				var sum float64
				matched := 0
				for w := range cs {
					var s float64
					var ok bool
					var err error
					if tables != nil && tables[w] != nil {
						s, ok = tables[w].score(&cs[w], doc)
					} else if s, ok, err = cs[w].at(doc); err != nil {
						return err
					}
					if ok {
						sum += s
						matched++
					}
				}
				if matched > 0 {
					score += sum * (float64(matched) / float64(len(cs)))
				}
			}
			if p.total%checkEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			p.total++
			if p.counts != nil {
				for _, t := range c.terms[c.termOff[doc]:c.termOff[doc+1]] {
					p.counts[t]++
				}
			}
			if withScores && p.top.outranked(score) {
				return nil
			}
			h := hitRef{seg: i, local: doc, id: c.id[doc], listed: c.listed[doc], fee: c.fee[doc]}
			if withScores {
				h.score = score
			}
			p.top.offer(&h)
			return nil
		}
		// Several words: where the segment gives the postings as bitmaps, the documents that have every
		// word are found from those, and each iterator is narrowed to them: it then decodes frequencies
		// and norms only in the blocks that hold a candidate, not for every posting up to it (which
		// Advance does). A common word is in most documents: its iterators are narrowed alike.
		if narrow && len(ws) > 1 {
			if all, ok := narrowed(ws, from, to); ok {
				if iterated {
					narrowTo(cs, all)
				}
				it := all.Iterator()
				for it.HasNext() {
					doc := uint64(it.Next())
					var sum float64
					for w := range ws {
						s, ok, err := ws[w].at(doc)
						if err != nil {
							return err
						}
						if !ok {
							return fmt.Errorf("search/bleve: document %d has every word but not %d", doc, w)
						}
						sum += s
					}
					if err := emit(doc, sum); err != nil {
						return err
					}
				}
				continue
			}
		}
		// Otherwise the rarest word's documents, as they come (a single word can match most of the
		// catalogue: they are not kept), and the other words skip to each.
		if iterated && narrow && len(ws) == 1 {
			if only, ok := wordBitmap(&ws[0]); ok {
				narrowTo(cs, only)
			}
		}
		err := firstWord(ctx, &ws[0], from, to, func(doc uint64, score float64) error {
			for w := 1; w < len(ws); w++ {
				s, ok, err := ws[w].at(doc)
				if err != nil || !ok {
					return err
				}
				score += s
			}
			return emit(doc, score)
		})
		if err != nil {
			return err
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

// wordBitmap is the set of the segment's documents that have the word in some field, when every
// iterator of the word gives its postings as a bitmap (ok=false otherwise).
func wordBitmap(w *wordTerms) (bm *roaring.Bitmap, ok bool) {
	bm = roaring.New()
	for f := range w.heads {
		o, ok := w.heads[f].it.(segment.OptimizablePostingsIterator)
		if !ok {
			return nil, false
		}
		if actual := o.ActualBitmap(); actual != nil {
			bm.Or(actual)
		} else if n, ok := o.DocNum1Hit(); ok {
			bm.Add(uint32(n))
		}
	}
	return bm, true
}

// narrowed returns the segment's documents numbered [from, to) that have every word in some field, and
// narrows the words' iterators to them, when every iterator gives its postings as a bitmap (ok=false
// otherwise).
func narrowed(ws []wordTerms, from, to uint64) (all *roaring.Bitmap, ok bool) {
	for w := range ws {
		any, ok := wordBitmap(&ws[w])
		if !ok {
			return nil, false
		}
		if all == nil {
			all = any
		} else {
			all.And(any)
		}
	}
	all.RemoveRange(0, from)
	all.RemoveRange(to, math.MaxUint32+1)
	narrowTo(ws, all)
	return all, true
}

// narrowTo narrows the words' iterators that give their postings as a bitmap to the documents in only.
func narrowTo(ws []wordTerms, only *roaring.Bitmap) {
	for w := range ws {
		for f := range ws[w].heads {
			if o, ok := ws[w].heads[f].it.(segment.OptimizablePostingsIterator); ok {
				if bm := o.ActualBitmap(); bm != nil {
					o.ReplaceActual(roaring.And(bm, only))
				}
			}
		}
	}
}

// firstWord calls fn with every document of the segment numbered [from, to) that has the word in some
// field, in order, and the word's disjunction score (see wordTerms.at), merging the fields' postings.
func firstWord(ctx context.Context, w *wordTerms, from, to uint64, fn func(doc uint64, score float64) error) error {
	heads := w.heads
	for f := range heads {
		heads[f].started = true
		if err := heads[f].set(heads[f].it.Advance(from)); err != nil {
			return fmt.Errorf("search/bleve: %w", err)
		}
	}
	total := float64(len(heads))
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		doc, any := uint64(math.MaxUint64), false
		for f := range heads {
			if !heads[f].done && heads[f].doc < doc {
				doc, any = heads[f].doc, true
			}
		}
		if !any || doc >= to {
			return nil
		}
		var sum float64
		matched := 0
		for f := range heads {
			h := &heads[f]
			if h.done || h.doc != doc {
				continue
			}
			sum += w.fields[f].score(h.freq, h.norm)
			matched++
			if err := h.set(h.it.Next()); err != nil {
				return fmt.Errorf("search/bleve: %w", err)
			}
		}
		if err := fn(doc, sum*(float64(matched)/total)); err != nil {
			return err
		}
	}
}
