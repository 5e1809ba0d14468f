package bleve

import (
	"github.com/blevesearch/bleve/v2/analysis"
	index "github.com/blevesearch/bleve_index_api"
)

// zhField is a text field of the mapping's text fields (textFields) as Index.document adds it. Bleve's
// document.TextField with the same name, options, analyser and value gives the same tokens and token
// frequencies (TestDocumentTextFields), but builds them with a map that grows from empty and one
// allocation per distinct term, its key and its location list: in a profile of the 100,000-patent
// import that counting took 2.4 s, against 1.3 s for the analysis itself (an abstract has about a hundred
// distinct terms). zhField sizes the map from the token count, allocates the terms' records (and, for a
// field with term vectors, their locations) in one slab each, and takes the map's keys from one copy of
// the value. docs/architecture.md §4 ("Analysis").
type zhField struct {
	name     string
	options  index.FieldIndexingOptions
	analyzer analysis.Analyzer
	value    []byte
	length   int
	freqs    index.TokenFrequencies
}

func newZhField(name string, value []byte, options index.FieldIndexingOptions, analyzer analysis.Analyzer) *zhField {
	return &zhField{name: name, options: options, analyzer: analyzer, value: value}
}

func (f *zhField) Name() string                        { return f.name }
func (f *zhField) ArrayPositions() []uint64            { return nil }
func (f *zhField) Options() index.FieldIndexingOptions { return f.options }
func (f *zhField) Value() []byte                       { return f.value }
func (f *zhField) NumPlainTextBytes() uint64           { return uint64(len(f.value)) }
func (f *zhField) EncodedFieldType() byte              { return 't' } // as document.TextField
func (f *zhField) AnalyzedLength() int                 { return f.length }

func (f *zhField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

// Size estimates the memory the field holds; Bleve only adds it up for its statistics.
func (f *zhField) Size() int {
	const perTerm = 96 // a map entry, its key and its TokenFreq
	return 64 + len(f.name) + len(f.value) + len(f.freqs)*perTerm
}

// Analyze counts the analyser's tokens per term, as analysis.TokenFrequency does.
func (f *zhField) Analyze() {
	value := f.value
	if f.options.IsStored() {
		// As document.TextField: a token filter may rewrite its input in place, and the stored value
		// must stay as it was.
		value = append([]byte(nil), value...)
	}
	// The map's keys are substrings of one copy of the value where a term is the value's own bytes (a
	// fast-path token), instead of one allocation per distinct term.
	text := string(value)
	tokens := f.analyzer.Analyze(value)
	f.length = len(tokens)
	freqs := make(index.TokenFrequencies, len(tokens))
	slab := make([]index.TokenFreq, 0, len(tokens)) // never grows: the records' addresses stay
	var (
		locs    []index.TokenLocation
		locRefs []*index.TokenLocation // locRefs[i] = &locs[i]: a term's first location list is locRefs[i:i+1]
	)
	if f.options.IncludeTermVectors() {
		locs = make([]index.TokenLocation, len(tokens))
		locRefs = make([]*index.TokenLocation, len(tokens))
	}
	count := !f.options.SkipFreqNorm()
	for i, tok := range tokens {
		tf, ok := freqs[string(tok.Term)]
		if !ok {
			slab = append(slab, index.TokenFreq{Term: tok.Term})
			tf = &slab[len(slab)-1]
			if 0 <= tok.Start && tok.Start <= tok.End && tok.End <= len(text) && text[tok.Start:tok.End] == string(tok.Term) {
				freqs[text[tok.Start:tok.End]] = tf
			} else {
				freqs[string(tok.Term)] = tf // a term the filters rewrote (case, width, stem)
			}
		}
		if locs != nil {
			locs[i] = index.TokenLocation{Start: tok.Start, End: tok.End, Position: tok.Position}
			locRefs[i] = &locs[i]
			if tf.Locations == nil {
				tf.Locations = locRefs[i : i+1 : i+1] // a term's next location copies it (append)
			} else {
				tf.Locations = append(tf.Locations, &locs[i])
			}
		}
		if count {
			tf.SetFrequency(tf.Frequency() + 1)
		}
	}
	f.freqs = freqs
}
