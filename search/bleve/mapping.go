package bleve

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
)

// SchemaVersion names the mapping and analysis below. Change it whenever either changes: Init then
// drops the index and asks the caller for a full reindex.
const SchemaVersion = "pw-bleve-12"

const (
	zhAnalyzer    = "pw_zh"
	zhBigram      = "pw_zh_bigram"
	zhBigramsOnly = "pw_zh_bigrams_only"
)

// Text fields searched by every query, and their weights (title matches count most).
var textFields = []textField{
	{"title", 4, true, false, true},
	{"abstract", 1, true, true, false},
	{"patentee", 2, false, true, false},
	{"ipc_titles", 0.5, false, true, false},
}

type textField struct {
	name  string
	boost float64
	store bool // stored fields can be highlighted
	// bigramsOnly fields are indexed without the unigrams of Han runs (a lone Han character is still kept
	// by the bigram filter): the abstract is most of a patent's text, and its unigrams were a third of the
	// indexing time; the patentee's and IPC titles' unigrams were a third of those fields' terms. A
	// one-character query expands over the field's bigrams instead (charQuery), and these fields'
	// dictionaries are small. Only the title keeps unigrams.
	bigramsOnly bool
	// positions are kept only for the title, where a word of three or more characters must match as a
	// phrase of its bigrams (锂电池 = 锂电 电池 in sequence). In the other fields the bigrams need only all
	// occur: positions of the abstract were a quarter of the index, which is mapped into memory, and
	// reading them made every query that matched the abstract slower.
	positions bool
}

// facetsField holds every facet value of a document, packed by facetTerms (facets.go).
const facetsField = "facets"

// Keyword fields for the filters that are not facets (one term per value, no analysis). Filters on a
// facet (type, industry, district, …) match the facet's term in facetsField instead: a keyword field of
// their own would index every value twice, and each field costs in every segment built and merged.
var keywordFields = []string{"ipc", "ipc_subclass", "ipc_main_group", "offers"}

// newMapping builds the index mapping. Chinese text is cut into overlapping bigrams plus unigrams
// (unicode tokenizer → cjk_width → lowercase → porter → cjk_bigram with output_unigram): unigrams let a
// one-character query such as 电 find 电池, bigrams keep longer queries precise without a dictionary.
// The other text fields get bigrams only (see textFields). Porter stems Latin words (batteries → batteri) and
// leaves Han characters alone; it runs before the bigram filter, which only rejoins Han characters.
func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	if err := m.AddCustomTokenFilter(zhBigram, map[string]any{
		"type":           cjk.BigramName,
		"output_unigram": true, // the constructor reads this key, not "outputUnigram"
	}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer(zhAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{cjk.WidthName, lowercase.Name, porter.Name, zhBigram},
	}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer(zhBigramsOnly, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{cjk.WidthName, lowercase.Name, porter.Name, cjk.BigramName},
	}); err != nil {
		return nil, err
	}
	m.DefaultAnalyzer = zhAnalyzer

	doc := bleve.NewDocumentStaticMapping()
	for _, f := range textFields {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = zhAnalyzer
		if f.bigramsOnly {
			fm.Analyzer = zhBigramsOnly
		}
		fm.Store = f.store
		fm.IncludeTermVectors = f.positions // phrase queries need them
		fm.IncludeInAll = false
		fm.DocValues = false
		doc.AddFieldMappingsAt(f.name, fm)
	}
	// Filter fields need only the inverted index; the facets field is added outside the mapping
	// (Index.document) with options the mapping cannot express.
	for _, name := range append([]string{"application_no"}, keywordFields...) {
		fm := bleve.NewKeywordFieldMapping()
		fm.Analyzer = keyword.Name
		fm.Store = name == "application_no"
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		fm.DocValues = false
		doc.AddFieldMappingsAt(name, fm)
	}
	// No composite _all field: every query names its fields, and building _all cost ~10% of indexing.
	doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())
	m.DefaultMapping = doc
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m, nil
}
