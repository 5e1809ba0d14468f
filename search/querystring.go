package search

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"patentwall/market"
)

// FieldQuery names a saved search's query string in errors.
const FieldQuery = "query"

// ParseQueryString reads a search's query string as the search page writes it (`q=电池&industry=新能源汽车`;
// lists repeated or comma-separated; max_fee_yuan in yuan) into a normalised Query: what a saved search
// keeps and the alert worker runs again. Paging and the page's language are ignored; any other
// parameter, or a malformed string, is a *QueryError naming "query" (a bad value names its parameter).
func ParseQueryString(raw string) (Query, error) {
	raw = strings.TrimPrefix(strings.TrimSpace(raw), "?")
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return Query{}, badQuery(FieldQuery, "invalid_format", "检索条件不是有效的查询字符串（如 q=电池&industry=新能源汽车）",
			"query is not a valid query string (e.g. q=battery&industry=新能源汽车)")
	}
	var q Query
	lists := map[string]*[]string{
		FieldType: &q.Types, FieldIPC: &q.IPC, FieldIndustry: &q.Industries, FieldDistrict: &q.Districts,
		FieldHolderKind: &q.HolderKinds, FieldFeeModel: &q.FeeModels, FieldPriceBand: &q.PriceBands, FieldOffer: &q.Offers,
	}
	// Keys in order, so that a string with several problems always gets the same error.
	for _, key := range slices.Sorted(maps.Keys(vals)) {
		vs := vals[key]
		if dst, ok := lists[key]; ok {
			for _, v := range vs {
				for _, part := range strings.Split(v, ",") {
					if part = strings.TrimSpace(part); part != "" {
						*dst = append(*dst, part)
					}
				}
			}
			continue
		}
		switch key {
		case FieldText, FieldSort, FieldMaxFee, FieldPage, FieldPerPage, "lang":
		default:
			// An unknown (or empty) key is named as part of "query", before any check of its values.
			return q, badQuery(FieldQuery, "unknown_parameter", fmt.Sprintf("检索条件含未知参数“%s”", clip(key)),
				fmt.Sprintf("query has an unknown parameter %q", clip(key)))
		}
		if len(vs) > 1 {
			return q, badQuery(key, "repeated", fmt.Sprintf("参数 %s 只能出现一次", key), fmt.Sprintf("parameter %s may appear only once", key))
		}
		v := strings.TrimSpace(vs[0])
		switch key {
		case FieldText:
			q.Text = v
		case FieldSort:
			q.Sort = v
		case FieldMaxFee:
			if v != "" {
				fen, fe := market.ParseYuanFen(FieldMaxFee, v)
				if fe != nil {
					return q, &QueryError{fe}
				}
				q.MaxFeeFen = &fen
			}
		}
	}
	return q.Normalize()
}

// QueryString writes a normalised query back as a canonical query string (parameters sorted), so equal
// searches are saved alike.
func QueryString(q Query) string {
	v := url.Values{}
	if q.Text != "" {
		v.Set(FieldText, q.Text)
	}
	for key, vals := range map[string][]string{
		FieldType: q.Types, FieldIPC: q.IPC, FieldIndustry: q.Industries, FieldDistrict: q.Districts,
		FieldHolderKind: q.HolderKinds, FieldFeeModel: q.FeeModels, FieldPriceBand: q.PriceBands, FieldOffer: q.Offers,
	} {
		if len(vals) > 0 {
			v.Set(key, strings.Join(vals, ","))
		}
	}
	if q.MaxFeeFen != nil {
		v.Set(FieldMaxFee, market.Fen(*q.MaxFeeFen).String())
	}
	if q.Sort != "" && q.Sort != SortRelevance && q.Sort != SortNewest {
		v.Set(FieldSort, q.Sort)
	}
	return v.Encode()
}
