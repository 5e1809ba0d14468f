package bleve

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// fastZh gives the tokens of the zh analysers of the mapping (unicode tokenizer → cjk_width → lowercase →
// porter → cjk_bigram, with or without unigrams; mapping.go) in one pass, for indexing: the chain stays
// the definition (queries and the stored mapping use it), and FuzzFastAnalyzer holds the two equal token
// for token (term, offsets, position, type).
//
// Patent text is mostly Han characters, each a word of its own that the width, lowercase and porter
// filters leave as it is; the chain still decodes each into runes and copies it twice before the bigram
// filter rejoins neighbours, and that was most of the indexing's analysis time. Here a Han character of
// the fast range (isFastHan) that is followed by a character that cannot attach to it (safeAfterHan) is
// taken as is, and its unigrams and bigrams are slices of the input. Everything between such characters
// (Latin words, numbers, punctuation, rarer scripts) goes through the chain's own tokenizer and filters,
// then through the same bigram rules. docs/architecture.md §4 ("Analysis").
type fastZh struct {
	unigrams  bool
	tokenizer analysis.Tokenizer
	filters   []analysis.TokenFilter // the per-token filters before the bigram filter
	chain     analysis.Analyzer      // the whole chain, for input that is not valid UTF-8
}

func newFastZh(unigrams bool) *fastZh {
	a := &fastZh{
		unigrams:  unigrams,
		tokenizer: unicode.NewUnicodeTokenizer(),
		filters:   []analysis.TokenFilter{cjk.NewCJKWidthFilter(), lowercase.NewLowerCaseFilter(), porter.NewPorterStemmer()},
	}
	a.chain = &analysis.DefaultAnalyzer{
		Tokenizer:    a.tokenizer,
		TokenFilters: append(append([]analysis.TokenFilter(nil), a.filters...), cjk.NewCJKBigramFilter(unigrams)),
	}
	return a
}

// fastHanFirst..fastHanLast: CJK Unified Ideographs that the tokenizer's Unicode tables know, so each
// is a word of type Ideographic on its own (TestFastHanRange checks every one).
const (
	fastHanFirst = 0x4E00
	fastHanLast  = 0x9FD5
)

// hanAt decodes a character of the fast range at b[0:3] (all are three bytes in UTF-8).
func hanAt(b []byte) bool {
	if len(b) < 3 || b[0] < 0xE4 || b[0] > 0xE9 || b[1]&0xC0 != 0x80 || b[2]&0xC0 != 0x80 {
		return false
	}
	r := rune(b[0]&0x0F)<<12 | rune(b[1]&0x3F)<<6 | rune(b[2]&0x3F)
	return r >= fastHanFirst && r <= fastHanLast
}

// quiet reports whether r is never part of a word and never attaches to its neighbour (no Extend,
// Format or ZWJ under Unicode's word boundary rules): ASCII punctuation and spaces, CJK and general
// punctuation, fullwidth punctuation. A run of them yields no token (TestQuietRunes checks each).
func quiet(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r == '_')
	case 0x3000 <= r && r <= 0x3004, 0x3008 <= r && r <= 0x3011, 0x3014 <= r && r <= 0x301F:
		return true
	case 0x2010 <= r && r <= 0x2027, 0x2030 <= r && r <= 0x205E:
		return r != 0x203F && r != 0x2040 && r != 0x2054 // connector punctuation joins words
	case 0xFF01 <= r && r <= 0xFF0F, 0xFF1A <= r && r <= 0xFF20, 0xFF3B <= r && r <= 0xFF40, 0xFF5B <= r && r <= 0xFF65:
		return r != 0xFF3F // fullwidth low line joins words
	}
	return false
}

// safeAfterHan reports whether the character at b (if any) cannot attach to a Han character before it.
func safeAfterHan(b []byte) bool {
	if len(b) == 0 || b[0] < utf8.RuneSelf || hanAt(b) {
		return true
	}
	r, _ := utf8.DecodeRune(b)
	return quiet(r)
}

// Analyze implements analysis.Analyzer.
func (a *fastZh) Analyze(input []byte) analysis.TokenStream {
	if !utf8.Valid(input) {
		// An invalid byte changes how the tokenizer reads what follows it.
		return a.chain.Analyze(input)
	}
	// n Han characters give up to n output tokens, or 2n with unigrams: one slab holds them.
	outCap := len(input)/3 + 4
	if a.unigrams {
		outCap *= 2
	}
	bg := bigrams{unigrams: a.unigrams, input: input, outPos: 1,
		out: make(analysis.TokenStream, 0, outCap), slab: make([]analysis.Token, 0, outCap)}
	rest := 0 // start of the bytes not yet tokenized
	for i := 0; i < len(input); {
		c := input[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		if hanAt(input[i:]) && safeAfterHan(input[i+3:]) {
			if rest < i {
				a.slow(&bg, input, rest, i)
			}
			bg.char(char{term: input[i : i+3], start: i, end: i + 3})
			i += 3
			rest = i
			continue
		}
		_, n := utf8.DecodeRune(input[i:])
		i += n
	}
	if rest < len(input) {
		a.slow(&bg, input, rest, len(input))
	}
	return bg.finish()
}

// slow tokenizes input[from:to] with the chain's tokenizer and per-token filters and hands the words on.
// A run of quiet characters has no words.
func (a *fastZh) slow(bg *bigrams, input []byte, from, to int) {
	words := false
	for i := from; i < to; {
		r, n := utf8.DecodeRune(input[i:to])
		if !quiet(r) {
			words = true
			break
		}
		i += n
	}
	if !words {
		return
	}
	toks := a.tokenizer.Tokenize(input[from:to])
	for _, t := range toks {
		t.Start += from
		t.End += from
	}
	for _, f := range a.filters {
		toks = f.Filter(toks)
	}
	for _, t := range toks {
		bg.add(t)
	}
}

// bigrams is cjk.CJKBigramFilter's algorithm (a ring of two characters, output positions, a flush at a
// gap or at a token of another type) fed one token at a time, with its tokens allocated in a slab and,
// for the fast characters, its terms sliced from the input.
type bigrams struct {
	unigrams bool
	input    []byte
	slots    [2]char // the filter's ring; cur is where it points
	cur      int
	items    int
	outPos   int
	out      analysis.TokenStream
	slab     []analysis.Token
}

// token returns a new token in the slab (a new slab when full: earlier pointers stay valid).
func (b *bigrams) token(t analysis.Token) *analysis.Token {
	if len(b.slab) == cap(b.slab) {
		b.slab = make([]analysis.Token, 0, max(16, cap(b.slab)))
	}
	b.slab = append(b.slab, t)
	return &b.slab[len(b.slab)-1]
}

// add takes a token of the chain's tokenizer and per-token filters. An Ideographic one is cut into its
// characters, with offsets counted from its start in its filtered term, as the filter does.
func (b *bigrams) add(tok *analysis.Token) {
	if tok.Type != analysis.Ideographic {
		b.flush()
		tok.Position = b.outPos
		b.out = append(b.out, tok)
		b.outPos++
		return
	}
	for sofar := 0; sofar < len(tok.Term); {
		_, n := utf8.DecodeRune(tok.Term[sofar:])
		b.char(char{term: tok.Term[sofar : sofar+n], start: tok.Start + sofar, end: tok.Start + sofar + n})
		sofar += n
	}
}

// char is one character as the filter cuts an Ideographic word: its term and offsets.
type char struct {
	term       []byte
	start, end int
}

// char adds one character.
func (b *bigrams) char(t char) {
	if b.items > 0 && t.start != b.slots[b.cur].end {
		b.flush()
	}
	b.cur ^= 1
	b.slots[b.cur] = t
	if b.items < 2 {
		b.items++
	}
	if b.items < 2 {
		return
	}
	prev := b.slots[b.cur^1]
	if b.unigrams {
		b.unigram(prev)
	}
	b.out = append(b.out, b.token(analysis.Token{Type: analysis.Double, Term: b.join(prev, t), Position: b.outPos, Start: prev.start, End: t.end}))
	b.outPos++
	if b.unigrams {
		b.items-- // the filter drops the character it output as a unigram
	}
}

// join is prev's term followed by curr's: a slice of the input when both are slices of it next to each
// other, a copy otherwise.
func (b *bigrams) join(prev, curr char) []byte {
	if prev.end == curr.start && prev.start >= 0 && curr.end <= len(b.input) &&
		sameBytes(prev.term, b.input[prev.start:prev.end]) && sameBytes(curr.term, b.input[curr.start:curr.end]) {
		return b.input[prev.start:curr.end:curr.end]
	}
	j := make([]byte, 0, len(prev.term)+len(curr.term))
	return append(append(j, prev.term...), curr.term...)
}

// sameBytes reports whether a and b are the same memory (not merely equal bytes).
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

// flush is the filter's flush: a lone buffered character becomes a unigram.
func (b *bigrams) flush() {
	if b.items == 1 {
		b.unigram(b.slots[b.cur])
		b.outPos++
	}
	b.slots[b.cur] = char{}
	b.items = 0
}

func (b *bigrams) unigram(t char) {
	b.out = append(b.out, b.token(analysis.Token{Type: analysis.Single, Term: t.term, Position: b.outPos, Start: t.start, End: t.end}))
}

// finish is the filter's end of input: a trailing lone character becomes a unigram.
func (b *bigrams) finish() analysis.TokenStream {
	if b.items == 1 {
		b.unigram(b.slots[b.cur])
	}
	return b.out
}
