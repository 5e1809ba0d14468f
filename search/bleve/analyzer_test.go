package bleve

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"

	"patentwall/search"
	"patentwall/search/searchtest"
)

// chains returns the mapping's analysers (the definition fastZh must equal): with unigrams, bigrams only.
func chains(t testing.TB) (analysis.Analyzer, analysis.Analyzer) {
	t.Helper()
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	uni, bi := m.AnalyzerNamed(zhAnalyzer), m.AnalyzerNamed(zhBigramsOnly)
	if uni == nil || bi == nil {
		t.Fatal("analyzer missing")
	}
	return uni, bi
}

func tokenString(ts analysis.TokenStream) string {
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "%q@%d[%d:%d]%d/%v ", t.Term, t.Position, t.Start, t.End, t.Type, t.KeyWord)
	}
	return b.String()
}

// sameTokens fails unless the fast analyser gives the chain's tokens for text (each on its own copy).
func sameTokens(t testing.TB, chain analysis.Analyzer, fast *fastZh, text []byte) {
	t.Helper()
	want := tokenString(chain.Analyze(append([]byte(nil), text...)))
	got := tokenString(fast.Analyze(append([]byte(nil), text...)))
	if got != want {
		t.Fatalf("unigrams=%v, text %q:\nchain %s\nfast  %s", fast.unigrams, text, want, got)
	}
}

// alphabet holds the characters whose word boundaries, widths and cases need care, for the fuzzer to
// combine: fast and other Han characters, kana (full- and halfwidth, with sound marks), Latin letters and
// digits with the punctuation that joins them, fullwidth forms, combining marks, joiners, emoji and
// regional indicators, and case mappings that change a character's length.
var alphabet = []rune(
	"电池锂中国\u9fcc\u9fcd\u3400\U00020000\uf900々\u3031\u303b\u302a" +
		"カタｶﾞﾟひー한" +
		"aBsy19.,_ -'\n\r\t" +
		"，。、（）：；．＇＿Ａｚ１\u3000" +
		"\u0301\u200d\u200b\ufe0f\u00ad😀\U0001F1E8\U0001F1F3" +
		"ΣςȺİ\u2018\u2019\u2024\u2027…—")

// spell maps each byte to a character of the alphabet.
func spell(data []byte) []byte {
	var b []byte
	for _, c := range data {
		b = utf8.AppendRune(b, alphabet[int(c)%len(alphabet)])
	}
	return b
}

// FuzzFastAnalyzer holds fastZh equal to the mapping's chain, both with and without unigrams, on the
// fuzzed bytes as they are (any UTF-8, valid or not) and spelled in the alphabet above.
func FuzzFastAnalyzer(f *testing.F) {
	for _, s := range []string{
		"", "电池", "锂电池正极材料", "一种用于医药物流的无人化物料输送线，涉及智能制造技术领域。",
		"电池，电机", "5G通信基站", "Li-ion battery 锂离子电池 batteries", "3.14mm的钢板", "PCB板",
		"カタカナ电池", "ｶﾞｿﾘﾝ车", "电\u0301池", "电\u200d池", "ＡＢＣ电池１２３", "电池ΣΑΣ", "Ⱥ电",
	} {
		f.Add([]byte(s))
	}
	uni, bi := chains(f)
	fastUni, fastBi := newFastZh(true), newFastZh(false)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, text := range [][]byte{data, spell(data)} {
			sameTokens(t, uni, fastUni, text)
			sameTokens(t, bi, fastBi, text)
		}
	})
}

// TestFastAnalyzerCorpus compares the two on every text field of a synthetic corpus built from real
// titles (when the real data is at hand), which is the text an import indexes.
func TestFastAnalyzerCorpus(t *testing.T) {
	real := searchtest.RealTitlesIfPresent()
	uni, bi := chains(t)
	fastUni, fastBi := newFastZh(true), newFastZh(false)
	for _, d := range searchtest.Synthesize(real, 3000, 7).Docs {
		for _, s := range []string{d.Title, d.Abstract, d.Patentee, d.IPCTitles} {
			sameTokens(t, uni, fastUni, []byte(s))
			sameTokens(t, bi, fastBi, []byte(s))
		}
	}
}

// TestDocumentTextFields checks that Index.document adds each text field as the mapping would (name,
// options, analysed length, terms with their frequencies and locations, and the value stored, as it is
// after the analysis): zhField (field.go) in place of Bleve's document.TextField.
func TestDocumentTextFields(t *testing.T) {
	x := New(t.TempDir())
	if _, err := x.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	dump := func(doc *document.Document) string {
		var lines []string
		doc.VisitFields(func(f index.Field) {
			if !slices.ContainsFunc(textFields, func(tf textField) bool { return tf.name == f.Name() }) {
				return
			}
			f.Analyze()
			line := fmt.Sprintf("%s %v %d %d %c %d %q:", f.Name(), f.Options(), len(f.ArrayPositions()), f.AnalyzedLength(),
				f.EncodedFieldType(), f.NumPlainTextBytes(), f.Value())
			var terms []string
			for term, tf := range f.AnalyzedTokenFrequencies() {
				s := fmt.Sprintf("%q=%d", term, tf.Frequency())
				for _, l := range tf.Locations {
					s += fmt.Sprintf(" %d[%d:%d]%d", l.Position, l.Start, l.End, len(l.ArrayPositions))
				}
				terms = append(terms, s)
			}
			slices.Sort(terms)
			lines = append(lines, line+strings.Join(terms, ","))
		})
		slices.Sort(lines)
		return strings.Join(lines, "\n")
	}
	n := 0
	docs := searchtest.Synthesize(nil, 300, 3).Docs
	// Latin, fullwidth and repeated terms: the slow path of fastZh, whose filters must not change the
	// stored value.
	docs = append(docs, search.Document{ID: 1 << 40, Title: "ABC Batteries 锂电池 ＡＢＣ电池电池 Ⱥ电",
		Abstract: "Lithium-ion BATTERIES charge 锂离子电池，电池电池。", Patentee: "上海ＸＹＺ有限公司",
		IPCTitles: "H01M；ELECTRIC Batteries"})
	for _, d := range docs {
		got, err := x.document(&d)
		if err != nil {
			t.Fatal(err)
		}
		want := document.NewDocument(docID(d.ID))
		m := toBleve(&d)
		for _, f := range textFields {
			if v := textValue(&d, f.name); v != "" {
				m[f.name] = v
				n++
			}
		}
		if err := x.mapping.MapDocument(want, m); err != nil {
			t.Fatal(err)
		}
		if g, w := dump(got), dump(want); g != w {
			t.Fatalf("document %d:\ngot  %s\nwant %s", d.ID, g, w)
		}
	}
	if n < 900 {
		t.Fatalf("only %d text fields compared", n)
	}
}

// TestFastHanRange checks the fast range: each character in it is one Ideographic word of the
// tokenizer and comes out of the chain as it went in, and the next character is not (the range ends
// where the tokenizer's tables do).
func TestFastHanRange(t *testing.T) {
	tok := unicode.NewUnicodeTokenizer()
	uni, _ := chains(t)
	for r := rune(fastHanFirst); r <= fastHanLast+1; r++ {
		s := []byte(string(r))
		words := tok.Tokenize(s)
		isWord := len(words) == 1 && words[0].Type == analysis.Ideographic && string(words[0].Term) == string(s)
		if r > fastHanLast {
			if isWord {
				t.Errorf("U+%04X after the fast range is an Ideographic word too: widen the range", r)
			}
			continue
		}
		if !isWord || !hanAt(s) {
			t.Fatalf("U+%04X: tokenizer gives %s", r, tokenString(words))
		}
		if got := tokenString(uni.Analyze(s)); got != fmt.Sprintf("%q@1[0:3]%d/false ", s, analysis.Single) {
			t.Fatalf("U+%04X: chain gives %s", r, got)
		}
	}
}

// TestQuietRunes checks every quiet character: alone or after a Han character it is no word and joins
// none.
func TestQuietRunes(t *testing.T) {
	tok := unicode.NewUnicodeTokenizer()
	n := 0
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !quiet(r) {
			continue
		}
		n++
		if words := tok.Tokenize([]byte(string(r))); len(words) != 0 {
			t.Errorf("U+%04X is quiet but a word: %s", r, tokenString(words))
		}
		if words := tok.Tokenize([]byte("电" + string(r))); len(words) != 1 || words[0].End != 3 {
			t.Errorf("U+%04X is quiet but joins the Han character before it: %s", r, tokenString(words))
		}
	}
	if n < 150 {
		t.Fatalf("only %d quiet characters", n)
	}
}

// BenchmarkAnalyzer compares the chain and fastZh on the abstracts and titles of a synthetic corpus.
func BenchmarkAnalyzer(b *testing.B) {
	real := searchtest.RealTitlesIfPresent()
	docs := searchtest.Synthesize(real, 2000, 7).Docs
	uni, bi := chains(b)
	for _, c := range []struct {
		name    string
		uni, bi analysis.Analyzer
	}{{"chain", uni, bi}, {"fast", newFastZh(true), newFastZh(false)}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				for i := range docs {
					c.uni.Analyze([]byte(docs[i].Title))
					c.bi.Analyze([]byte(docs[i].Abstract))
				}
			}
		})
	}
}

// BenchmarkTextFields compares Bleve's document.TextField and zhField analysing every text field of a
// synthetic corpus (tokens and their frequencies, as a batch does before building its segment).
func BenchmarkTextFields(b *testing.B) {
	x := New(b.TempDir())
	if _, err := x.Init(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	docs := searchtest.Synthesize(searchtest.RealTitlesIfPresent(), 2000, 7).Docs
	for _, c := range []struct {
		name  string
		field func(t textIndexing, v []byte) index.Field
	}{
		{"bleve", func(t textIndexing, v []byte) index.Field {
			return document.NewTextFieldCustom(t.name, nil, v, t.options, t.analyzer)
		}},
		{"zhField", func(t textIndexing, v []byte) index.Field { return newZhField(t.name, v, t.options, t.analyzer) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for i := range docs {
					for _, t := range x.texts {
						if v := textValue(&docs[i], t.name); v != "" {
							c.field(t, []byte(v)).Analyze()
						}
					}
				}
			}
		})
	}
}
