package bleve

import (
	"strconv"
	"strings"

	"patentwall/market"
	"patentwall/search"
)

// Facet counts come from one multi-valued doc-values field whose terms are compact codes: a letter
// for the facet, then the value, with the values of closed lists replaced by "#index". Bleve reads
// (and decompresses) the doc values of every hit to count facets, which dominated the time of broad
// queries; short terms in one field cut that several-fold.

var facetLetter = map[string]byte{
	search.FacetType: 't', search.FacetIPCSection: 's', search.FacetIPCClass: 'c', search.FacetIndustry: 'i',
	search.FacetDistrict: 'd', search.FacetFeeModel: 'f', search.FacetHolderKind: 'k', search.FacetPriceBand: 'b',
}

var letterFacet = func() map[byte]string {
	m := map[byte]string{}
	for f, l := range facetLetter {
		m[l] = f
	}
	return m
}()

// closedValues are the facets whose values come from fixed lists.
var closedValues = map[string][]string{
	search.FacetType:       {market.TypeInvention, market.TypeUtilityModel, market.TypeDesign},
	search.FacetFeeModel:   append([]string{search.FeeModelNone}, market.FeeModels...),
	search.FacetHolderKind: market.OrgKinds,
	search.FacetPriceBand:  priceBandNames(),
}

func priceBandNames() []string {
	out := make([]string, len(search.PriceBands))
	for i, b := range search.PriceBands {
		out[i] = b.Name
	}
	return out
}

// facetTerm encodes one facet value.
func facetTerm(facet, v string) string {
	for i, c := range closedValues[facet] {
		if c == v {
			return string(facetLetter[facet]) + "#" + strconv.Itoa(i)
		}
	}
	return string(facetLetter[facet]) + v
}

// parseFacetTerm decodes a term written by facetTerm.
func parseFacetTerm(term string) (facet, value string, ok bool) {
	if term == "" {
		return "", "", false
	}
	facet, ok = letterFacet[term[0]]
	if !ok {
		return "", "", false
	}
	value = term[1:]
	if rest, isCode := strings.CutPrefix(value, "#"); isCode {
		i, err := strconv.Atoi(rest)
		if list := closedValues[facet]; err == nil && i >= 0 && i < len(list) {
			return facet, list[i], true
		}
	}
	return facet, value, true
}

// facetTerms lists the facet terms of a document.
func facetTerms(d *search.Document) []string {
	var out []string
	add := func(facet string, vals ...string) {
		for _, v := range vals {
			if v != "" {
				out = append(out, facetTerm(facet, v))
			}
		}
	}
	add(search.FacetType, d.Type)
	add(search.FacetIPCSection, d.IPCSection...)
	add(search.FacetIPCClass, d.IPCClass...)
	add(search.FacetIndustry, d.Industry)
	add(search.FacetDistrict, d.District)
	add(search.FacetFeeModel, d.IndexedFeeModel())
	add(search.FacetHolderKind, d.HolderKind)
	add(search.FacetPriceBand, d.PriceBand)
	return out
}
