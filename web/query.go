package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"patentwall/market"
	"patentwall/search"
)

// Search parameters and the filters they feed (docs/interfaces.md §5.3, GET /api/v1/patents): the names
// search.Query.Normalize gives in its errors. price_band is the filter of the search page's price facet.
const (
	paramQ          = search.FieldText
	paramType       = search.FieldType
	paramIPC        = search.FieldIPC
	paramIndustry   = search.FieldIndustry
	paramDistrict   = search.FieldDistrict
	paramHolderKind = search.FieldHolderKind
	paramFeeModel   = search.FieldFeeModel
	paramPriceBand  = search.FieldPriceBand
	paramMaxFee     = search.FieldMaxFee
	paramOffer      = search.FieldOffer
	paramSort       = search.FieldSort
	paramPage       = search.FieldPage
	paramPerPage    = search.FieldPerPage
)

const defaultPerPage = search.DefaultPerPage

// filterParams are the multi-valued filters, in the order the search page lists them.
var filterParams = []string{paramType, paramIPC, paramIndustry, paramDistrict, paramHolderKind,
	paramFeeModel, paramPriceBand, paramOffer}

// The values pages offer, in their order (search.Query.Normalize checks them).
var (
	patentTypes  = search.PatentTypes
	sortOrders   = search.SortOrders
	offerKinds   = search.OfferKinds
	feeModelNone = search.FeeModelNone
)

func priceBandNames() []string { return search.PriceBandNames() }

// badParam is a query-string error: 400 with the parameter's name.
func badParam(field, code, zh, en string) error {
	return market.NewParamError(field, code, zh, en)
}

// queryValues returns every value of key in the query string (repeated keys and comma-separated lists
// both work), copied out of Fiber's buffers, without empty ones.
func queryValues(c *fiber.Ctx, key string) []string {
	var out []string
	for _, raw := range c.Context().QueryArgs().PeekMulti(key) {
		for _, v := range strings.Split(string(raw), ",") { // string(raw) copies
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// queryOne returns the single value of key ("" when absent).
func queryOne(c *fiber.Ctx, key string) (string, error) {
	raws := c.Context().QueryArgs().PeekMulti(key)
	if len(raws) > 1 {
		return "", badParam(key, "repeated", fmt.Sprintf("参数 %s 只能出现一次", key),
			fmt.Sprintf("parameter %s may appear only once", key))
	}
	if len(raws) == 0 {
		return "", nil
	}
	return strings.TrimSpace(string(raws[0])), nil
}

// parseSearchQuery reads the search parameters shared by the search page and GET /api/v1/patents into
// a search.Query and normalises it. This reads only the URL's syntax (lists, numbers, amounts); what
// values are allowed is search.Query.Normalize's to say. Every problem is a 400 naming the parameter.
func parseSearchQuery(c *fiber.Ctx) (search.Query, error) {
	q := search.Query{Facets: true, Highlight: true}
	var err error
	if q.Text, err = queryOne(c, paramQ); err != nil {
		return q, err
	}
	for _, key := range filterParams {
		*filterValues(&q, key) = queryValues(c, key)
	}
	if s, err := queryOne(c, paramMaxFee); err != nil {
		return q, err
	} else if s != "" {
		fen, err := parseMaxFee(s)
		if err != nil {
			return q, err
		}
		q.MaxFeeFen = &fen
	}
	if q.Sort, err = queryOne(c, paramSort); err != nil {
		return q, err
	}
	if q.Page, err = queryNumber(c, paramPage); err != nil {
		return q, err
	}
	if q.PerPage, err = queryNumber(c, paramPerPage); err != nil {
		return q, err
	}
	return q.Normalize()
}

// queryNumber reads a search query's whole number; absent is 0, the query's default. A 0 written in
// the URL is passed on as -1, so Normalize refuses it as out of range rather than taking the default.
func queryNumber(c *fiber.Ctx, key string) (int, error) {
	s, err := queryOne(c, key)
	if err != nil || s == "" {
		return 0, err
	}
	n, err := wholeNumber(key, s)
	if err == nil && n == 0 {
		n = -1
	}
	return n, err
}

// intParam reads a whole number between min and max, def when absent (the showcase pages' ?page=).
func intParam(c *fiber.Ctx, key string, def, min, max int) (int, error) {
	s, err := queryOne(c, key)
	if err != nil || s == "" {
		return def, err
	}
	n, err := wholeNumber(key, s)
	if err != nil {
		return 0, err
	}
	if n < min || n > max {
		return 0, badParam(key, "out_of_range", fmt.Sprintf("参数 %s 应在 %d 到 %d 之间", key, min, max),
			fmt.Sprintf("%s must be between %d and %d", key, min, max))
	}
	return n, nil
}

func wholeNumber(key, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, badParam(key, "not_a_number", fmt.Sprintf("参数 %s 应为整数", key), fmt.Sprintf("%s must be a whole number", key))
	}
	return n, nil
}

// parseMaxFee reads max_fee_yuan: yuan with at most two decimals; the search box also takes thousands
// separators ("12,000.50").
func parseMaxFee(s string) (int64, error) {
	fen, fe := market.ParseYuanFen(paramMaxFee, strings.ReplaceAll(s, ",", ""))
	if fe != nil {
		return 0, badParam(paramMaxFee, "invalid_amount",
			"最高费用应为不小于 0 的金额（元），最多两位小数，如 5000 或 12000.50",
			"max_fee_yuan must be an amount in yuan ≥ 0 with at most two decimals, e.g. 5000 or 12000.50")
	}
	return fen, nil
}

// searchURL builds a /search (or other path) URL from a query, so the page's links (facets, removing a
// filter, pagination, sorting) all round-trip through parseSearchQuery.
func searchURL(path string, q search.Query) string {
	v := url.Values{}
	if q.Text != "" {
		v.Set(paramQ, q.Text)
	}
	add := func(key string, vals []string) {
		for _, x := range vals {
			v.Add(key, x)
		}
	}
	add(paramType, q.Types)
	add(paramIPC, q.IPC)
	add(paramIndustry, q.Industries)
	add(paramDistrict, q.Districts)
	add(paramHolderKind, q.HolderKinds)
	add(paramFeeModel, q.FeeModels)
	add(paramPriceBand, q.PriceBands)
	add(paramOffer, q.Offers)
	if q.MaxFeeFen != nil {
		v.Set(paramMaxFee, yuanPlain(*q.MaxFeeFen))
	}
	if q.Sort != "" && !(q.Sort == search.SortRelevance && q.Text != "") && !(q.Sort == search.SortNewest && q.Text == "") {
		v.Set(paramSort, q.Sort)
	}
	if q.Page > 1 {
		v.Set(paramPage, strconv.Itoa(q.Page))
	}
	if q.PerPage != 0 && q.PerPage != defaultPerPage {
		v.Set(paramPerPage, strconv.Itoa(q.PerPage))
	}
	if s := v.Encode(); s != "" {
		return path + "?" + s
	}
	return path
}

// filterValues returns a pointer to the query's slice for a filter parameter.
func filterValues(q *search.Query, key string) *[]string {
	switch key {
	case paramType:
		return &q.Types
	case paramIPC:
		return &q.IPC
	case paramIndustry:
		return &q.Industries
	case paramDistrict:
		return &q.Districts
	case paramHolderKind:
		return &q.HolderKinds
	case paramFeeModel:
		return &q.FeeModels
	case paramPriceBand:
		return &q.PriceBands
	case paramOffer:
		return &q.Offers
	}
	return nil
}

// cloneQuery deep-copies the filter slices so a link builder can change one without touching the rest.
func cloneQuery(q search.Query) search.Query {
	for _, key := range filterParams {
		p := filterValues(&q, key)
		*p = slices.Clone(*p)
	}
	return q
}
