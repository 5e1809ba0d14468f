package bleve

import (
	"regexp"
	"strings"

	"patentwall/market"
	"patentwall/search"
)

// Facet counts come from the doc values of facetsField, which Bleve reads for every hit: that was most of
// the time of a broad query, in proportion to the terms per document. So the single-valued facets share
// terms, and a document has only:
//
//	a<t><f><k><b>         the closed facets (type, fee model, holder kind, price band): each value's digit
//	                      in closedValues, '-' when empty
//	b<district>|<industry> the open single-valued facets
//	c<class>, d<class>    one per IPC class: c for the first class of its section (so it also counts
//	                      the section), d for the others
//	s<section>            a section none of the classes is in (not expected, but kept countable)
//
// Counting splits the combined terms again (a few hundred distinct ones at most). Filters on these facets
// match the same terms, by regular expression over the field's term dictionary.

// closedFacets are the facets packed into the "a" term, in order; their lists have fewer than ten values.
var closedFacets = []string{search.FacetType, search.FacetFeeModel, search.FacetHolderKind, search.FacetPriceBand}

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

// closedDigit is the digit of a closed facet's value, '-' for an empty (or unknown) one.
func closedDigit(facet, v string) byte {
	for i, c := range closedValues[facet] {
		if c == v {
			return byte('0' + i)
		}
	}
	return '-'
}

// facetTerms lists the facet terms of a document.
func facetTerms(d *search.Document) []string {
	closed := []byte{'a'}
	for _, f := range closedFacets {
		var v string
		switch f {
		case search.FacetType:
			v = d.Type
		case search.FacetFeeModel:
			v = d.IndexedFeeModel()
		case search.FacetHolderKind:
			v = d.HolderKind
		case search.FacetPriceBand:
			v = d.PriceBand
		}
		closed = append(closed, closedDigit(f, v))
	}
	out := []string{string(closed), "b" + d.District + "|" + d.Industry}
	sections := map[string]bool{}
	for _, v := range d.IPCClass {
		if v == "" {
			continue
		}
		if sections[v[:1]] {
			out = append(out, "d"+v)
			continue
		}
		sections[v[:1]] = true
		out = append(out, "c"+v)
	}
	for _, v := range d.IPCSection {
		if !sections[v] {
			out = append(out, "s"+v)
		}
	}
	return out
}

// countFacetTerm adds the count of one facet term to the counts of the facets it holds.
func countFacetTerm(out map[string]map[string]int, term string, n int) {
	if term == "" {
		return
	}
	switch rest := term[1:]; term[0] {
	case 's':
		out[search.FacetIPCSection][rest] += n
	case 'c':
		out[search.FacetIPCClass][rest] += n
		out[search.FacetIPCSection][rest[:min(1, len(rest))]] += n
	case 'd':
		out[search.FacetIPCClass][rest] += n
	case 'a':
		for i, f := range closedFacets {
			if i >= len(rest) {
				return
			}
			if d := int(rest[i]) - '0'; d >= 0 && d < len(closedValues[f]) {
				out[f][closedValues[f][d]] += n
			}
		}
	case 'b':
		district, industry, _ := strings.Cut(rest, "|")
		if district != "" {
			out[search.FacetDistrict][district] += n
		}
		if industry != "" {
			out[search.FacetIndustry][industry] += n
		}
	}
}

// closedFilter is the regular expression of the "a" terms that satisfy the filters on closed facets
// (vals[i] filters closedFacets[i]; empty means any), "" when there is no such filter.
func closedFilter(vals [][]string) string {
	var b strings.Builder
	b.WriteByte('a')
	filtered := false
	for i, f := range closedFacets {
		if len(vals[i]) == 0 {
			b.WriteByte('.')
			continue
		}
		filtered = true
		var digits []byte
		for _, v := range vals[i] {
			if d := closedDigit(f, v); d != '-' {
				digits = append(digits, d)
			}
		}
		if len(digits) == 0 {
			digits = []byte{'!'} // unknown values only (Normalize refuses them): no term has '!'
		}
		b.WriteByte('[')
		b.Write(digits)
		b.WriteByte(']')
	}
	if !filtered {
		return ""
	}
	return b.String()
}

// openFilter is the regular expression of the "b" terms with one of the districts and one of the
// industries (empty means any), "" when both are empty.
func openFilter(districts, industries []string) string {
	if len(districts) == 0 && len(industries) == 0 {
		return ""
	}
	alt := func(vals []string, anyValue string) string {
		if len(vals) == 0 {
			return anyValue
		}
		q := make([]string, len(vals))
		for i, v := range vals {
			q[i] = regexp.QuoteMeta(v)
		}
		return "(" + strings.Join(q, "|") + ")"
	}
	return "b" + alt(districts, "[^|]*") + `\|` + alt(industries, ".*")
}

// sectionFilter and classFilter are the regular expressions of the terms of documents in an IPC section
// or class.
func sectionFilter(section string) string {
	q := regexp.QuoteMeta(section)
	return "c" + q + ".*|s" + q
}

func classFilter(class string) string { return "[cd]" + regexp.QuoteMeta(class) }
