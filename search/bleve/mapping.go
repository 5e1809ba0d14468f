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
const SchemaVersion = "pw-bleve-8"

const (
	zhAnalyzer = "pw_zh"
	zhBigram   = "pw_zh_bigram"
)

// Text fields searched by every query, and their weights (title matches count most).
var textFields = []struct {
	name  string
	boost float64
	store bool // stored fields can be highlighted
}{
	{"title", 4, true},
	{"abstract", 1, true},
	{"patentee", 2, false},
	{"ipc_titles", 0.5, false},
}

// facetsField holds every facet value of a document, encoded by facetTerm.
const facetsField = "facets"

// Keyword fields for filters (one term per value, no analysis).
var keywordFields = []string{"type", "ipc", "ipc_section", "ipc_class", "ipc_subclass", "industry",
	"district", "holder_kind", "fee_model", "price_band", "offers", "status"}

// newMapping builds the index mapping. Chinese text is cut into overlapping bigrams plus unigrams
// (unicode tokenizer → cjk_width → lowercase → porter → cjk_bigram with output_unigram): unigrams let a
// one-character query such as 电 find 电池, bigrams keep longer queries precise without a dictionary.
// Porter stems Latin words (batteries → batteri) and leaves Han characters alone; it runs before the
// bigram filter, which only rejoins Han characters.
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
	m.DefaultAnalyzer = zhAnalyzer

	doc := bleve.NewDocumentStaticMapping()
	for _, f := range textFields {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = zhAnalyzer
		fm.Store = f.store
		fm.IncludeTermVectors = true // phrase queries and highlighting need positions
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
