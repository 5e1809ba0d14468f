package meili

import (
	"github.com/meilisearch/meilisearch-go"

	"patentwall/search"
)

// SchemaVersion is part of the index uid (patents_v3): a change of settings or document shape gets a new
// index, which Init reports as rebuild=true, while processes still on the old version keep theirs.
// v3: id is filterable (Query.ExcludeIDs). v4: ipc_main_group (main-group prefix filters).
const SchemaVersion = "v4"

// searchable lists the searched attributes, most important first (the attribute ranking rule uses the
// order). Each Chinese text has a *_cjk shadow with its Han characters separated by spaces: Meilisearch
// segments Chinese with jieba, so 电池 would not find the word 锂电池 and 电 would not find 电池; a
// quoted phrase of single characters over the shadow matches any contiguous substring, as Bleve does.
var searchable = []string{"title", "title_cjk", "abstract", "abstract_cjk", "patentee", "patentee_cjk",
	"ipc_titles", "ipc_titles_cjk", "application_no"}

// filterable lists every attribute a filter or facet uses.
var filterable = []string{"id", "type", "ipc", "ipc_section", "ipc_class", "ipc_subclass", "ipc_main_group", "industry", "district",
	"holder_kind", "fee_model", "price_band", "offers", "status", "fee_fen", "listed_at"}

// maxFacetValues bounds the values per facet; IPC classes (~130) are the most numerous.
const maxFacetValues = 200

// indexSettings are applied when the index is created, before any document (a later settings change
// re-indexes everything). Every field of the structs without omitempty is set on purpose: a zero there
// would be sent and taken literally (typo word sizes of 0, maxTotalHits of 0).
func indexSettings() *meilisearch.Settings {
	return &meilisearch.Settings{
		// sort first: an explicit sort (newest, fee) must order the whole result, not only break ties.
		RankingRules:         []string{"sort", "words", "typo", "proximity", "attribute", "exactness"},
		SearchableAttributes: searchable,
		DisplayedAttributes:  []string{"id", "application_no", "title", "abstract"},
		FilterableAttributes: filterable,
		SortableAttributes:   []string{"listed_at", "fee_fen", "id"},
		LocalizedAttributes: []*meilisearch.LocalizedAttributes{
			{AttributePatterns: []string{"*_cjk"}, Locales: []string{"zho"}},
			// Mixed texts: Han-only strings would otherwise be taken for Japanese.
			{AttributePatterns: []string{"title", "abstract", "patentee", "ipc_titles"}, Locales: []string{"zho", "eng"}},
		},
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
			DisableOnWords:      []string{},
			DisableOnAttributes: []string{"application_no", "ipc", "title_cjk", "abstract_cjk", "patentee_cjk", "ipc_titles_cjk"},
			DisableOnNumbers:    true,
		},
		Pagination: &meilisearch.Pagination{MaxTotalHits: search.MaxResultWindow},
		Faceting: &meilisearch.Faceting{
			MaxValuesPerFacet: maxFacetValues,
			SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeCount},
		},
	}
}
