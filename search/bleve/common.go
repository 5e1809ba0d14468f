package bleve

import (
	"fmt"
	"math"
	"sync"

	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A common word (装置, 方法, 一种 …; search.IsCommonWord) is in most documents and in many queries, where
// it only adds to the score of the documents that have the other words. Reading its score for one
// candidate from the postings means walking the word's postings list up to the candidate: the segment
// format keeps frequencies and norms in order, with no way to jump to a document's. So the first plain-
// word query that scores a common word in a segment decodes that word's postings there once into flat
// arrays by local document number (its frequency in each text field), beside the segment's columns and
// dropped with them; later queries read a candidate's frequency and norm with two array lookups. There
// are few common words of two Han characters (about a dozen), so this costs at most about 60 bytes per
// document. docs/architecture.md §2 step 5.

// wordTable is a common word's postings in one segment: by text field (textFields order), by local
// document number, its frequency (0: not in that field) and the field's norm.
type wordTable struct {
	freq [][]uint8
	norm [][]float32 // the segment's norms (segTables.norm), shared by its words' tables
}

// score is the word's disjunction score for doc, as wordTerms.at computes it from the postings: the
// matching fields' scores summed in w's order of fields, times the fraction of fields that match.
func (t *wordTable) score(w *wordTerms, doc uint64) (score float64, ok bool) {
	var sum float64
	matched := 0
	for f := range w.fields {
		ft := &w.fields[f]
		if freq := t.freq[ft.field][doc]; freq != 0 {
			sum += ft.score(uint64(freq), float64(t.norm[ft.field][doc]))
			matched++
		}
	}
	return sum * (float64(matched) / float64(len(w.fields))), matched > 0
}

// segTables are the common words' tables of one segment, made on first use.
type segTables struct {
	mu     sync.Mutex
	tables map[string]*wordTable // nil value: the word cannot be tabled here (see build)
	// norm[f][doc] is the norm of text field f in document doc (0: not read yet). A field's norm
	// depends on its length alone, the same for every word in it: build checks that, and writes a slot
	// only while it is 0, so a published table's slots never change under its readers.
	norm [][]float32
}

// table returns the word's table in the segment, building it on first use; nil when it cannot be
// tabled (a frequency above 255, or norms that differ between words), when the caller reads the
// postings instead.
func (s *segTables) table(seg segment.Segment, word string) (*wordTable, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tables[word]; ok {
		return t, nil
	}
	t, err := s.build(seg, word)
	if err != nil {
		return nil, err
	}
	if s.tables == nil {
		s.tables = map[string]*wordTable{}
	}
	s.tables[word] = t
	return t, nil
}

// build decodes the word's postings in every text field of the segment, deleted documents included
// (a candidate is never one: candidates come from the required words' postings, which exclude them).
// It holds s.mu.
func (s *segTables) build(seg segment.Segment, word string) (*wordTable, error) {
	n := seg.Count()
	if s.norm == nil {
		s.norm = make([][]float32, len(textFields))
		for f := range s.norm {
			s.norm[f] = make([]float32, n)
		}
	}
	t := &wordTable{freq: make([][]uint8, len(textFields)), norm: s.norm}
	for f, tf := range textFields {
		t.freq[f] = make([]uint8, n)
		dict, err := seg.Dictionary(tf.name)
		if err != nil {
			return nil, fmt.Errorf("search/bleve: %w", err)
		}
		pl, err := dict.PostingsList([]byte(word), nil, nil)
		if err != nil {
			return nil, fmt.Errorf("search/bleve: %w", err)
		}
		it := pl.Iterator(true, true, false, nil)
		for {
			p, err := it.Next()
			if err != nil {
				return nil, fmt.Errorf("search/bleve: %w", err)
			}
			if p == nil {
				break
			}
			doc, freq := p.Number(), p.Frequency()
			// Norm is a float32 widened (zap's Posting.Norm): kept as float32, it reads back exactly.
			norm := float32(p.Norm())
			if doc >= n || freq == 0 || freq > math.MaxUint8 || float64(norm) != p.Norm() || norm == 0 {
				return nil, nil
			}
			switch slot := &s.norm[f][doc]; *slot {
			case 0:
				*slot = norm
			case norm:
			default:
				return nil, nil
			}
			t.freq[f][doc] = uint8(freq)
		}
	}
	return t, nil
}
