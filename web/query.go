package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"patentwall/market"
	"patentwall/search"
)

// Query-string limits.
const (
	maxQueryRunes   = search.MaxTextRunes
	maxValueRunes   = 64 // one filter value (an industry name, an IPC symbol)
	maxValuesPerKey = 20
	defaultPerPage  = search.DefaultPerPage
)

// Search parameters and the filters they feed (docs/interfaces.md §5.3, GET /api/v1/patents).
// price_band is the filter of the search page's price facet.
const (
	paramQ          = "q"
	paramType       = "type"
	paramIPC        = "ipc"
	paramIndustry   = "industry"
	paramDistrict   = "district"
	paramHolderKind = "holder_kind"
	paramFeeModel   = "fee_model"
	paramPriceBand  = "price_band"
	paramMaxFee     = "max_fee_yuan"
	paramOffer      = "offer"
	paramSort       = "sort"
	paramPage       = "page"
	paramPerPage    = "per_page"
)

// filterParams are the multi-valued filters, in the order the search page lists them.
var filterParams = []string{paramType, paramIPC, paramIndustry, paramDistrict, paramHolderKind,
	paramFeeModel, paramPriceBand, paramOffer}

var (
	patentTypes = []string{market.TypeInvention, market.TypeUtilityModel, market.TypeDesign}
	sortOrders  = []string{search.SortRelevance, search.SortNewest, search.SortFeeAsc, search.SortFeeDesc}
	offerKinds  = []string{search.OfferOpenLicence, search.OfferTransfer}
	// feeModelNone selects patents without a live declaration.
	feeModelNone = search.FeeModelNone
)

func priceBandNames() []string {
	out := make([]string, len(search.PriceBands))
	for i, b := range search.PriceBands {
		out[i] = b.Name
	}
	return out
}

// badParam is a query-string error: 400 with the parameter's name.
func badParam(field, code, zh, en string) error {
	return market.NewParamError(field, code, zh, en)
}

// queryValues returns every value of key in the query string (repeated keys and comma-separated lists
// both work), copied out of Fiber's buffers, without empty ones. Broken UTF-8 is refused.
func queryValues(c *fiber.Ctx, key string) ([]string, error) {
	var out []string
	for _, raw := range c.Context().QueryArgs().PeekMulti(key) {
		if !utf8.Valid(raw) {
			return nil, badParam(key, "invalid_utf8", fmt.Sprintf("参数 %s 不是有效的 UTF-8 文本", key),
				fmt.Sprintf("parameter %s is not valid UTF-8", key))
		}
		for _, v := range strings.Split(string(raw), ",") { // string(raw) copies
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	if len(out) > maxValuesPerKey {
		return nil, badParam(key, "too_many_values", fmt.Sprintf("参数 %s 的取值过多（最多 %d 个）", key, maxValuesPerKey),
			fmt.Sprintf("too many values for %s (at most %d)", key, maxValuesPerKey))
	}
	return out, nil
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
	if !utf8.Valid(raws[0]) {
		return "", badParam(key, "invalid_utf8", fmt.Sprintf("参数 %s 不是有效的 UTF-8 文本", key),
			fmt.Sprintf("parameter %s is not valid UTF-8", key))
	}
	return strings.TrimSpace(string(raws[0])), nil
}

// oneOf checks every value against the allowed set.
func oneOf(key string, values, allowed []string) error {
	for _, v := range values {
		if !slices.Contains(allowed, v) {
			return badParam(key, "unknown_value",
				fmt.Sprintf("参数 %s 的取值“%s”无效，可选：%s", key, clip(v), strings.Join(allowed, "、")),
				fmt.Sprintf("unknown value %q for %s; allowed: %s", clip(v), key, strings.Join(allowed, ", ")))
		}
	}
	return nil
}

// clip shortens a value quoted back in an error message.
func clip(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// parseSearchQuery reads the search parameters shared by the search page and GET /api/v1/patents into
// a search.Query. Every problem is a 400 naming the parameter.
func parseSearchQuery(c *fiber.Ctx) (search.Query, error) {
	q := search.Query{Page: 1, PerPage: defaultPerPage, Facets: true, Highlight: true}
	var err error
	if q.Text, err = queryOne(c, paramQ); err != nil {
		return q, err
	}
	if n := utf8.RuneCountInString(q.Text); n > maxQueryRunes {
		return q, badParam(paramQ, "too_long", fmt.Sprintf("检索词过长：%d 个字符，最多 %d 个", n, maxQueryRunes),
			fmt.Sprintf("query too long: %d characters, at most %d", n, maxQueryRunes))
	}
	vals := map[string][]string{}
	for _, key := range filterParams {
		if vals[key], err = queryValues(c, key); err != nil {
			return q, err
		}
		for _, v := range vals[key] {
			if utf8.RuneCountInString(v) > maxValueRunes {
				return q, badParam(key, "too_long", fmt.Sprintf("参数 %s 的取值过长", key),
					fmt.Sprintf("value of %s is too long", key))
			}
		}
	}
	checks := []struct {
		key     string
		allowed []string
	}{
		{paramType, patentTypes},
		{paramHolderKind, market.OrgKinds},
		{paramFeeModel, append(slices.Clone(market.FeeModels), feeModelNone)},
		{paramPriceBand, priceBandNames()},
		{paramOffer, offerKinds},
	}
	for _, ch := range checks {
		if err := oneOf(ch.key, vals[ch.key], ch.allowed); err != nil {
			return q, err
		}
	}
	q.Types, q.HolderKinds, q.FeeModels = vals[paramType], vals[paramHolderKind], vals[paramFeeModel]
	q.PriceBands, q.Offers, q.Industries = vals[paramPriceBand], vals[paramOffer], vals[paramIndustry]
	for _, v := range vals[paramIPC] {
		sym, err := canonicalIPCFilter(v)
		if err != nil {
			return q, err
		}
		q.IPC = append(q.IPC, sym)
	}
	for _, v := range vals[paramDistrict] {
		d, ok := market.LookupDistrict(v)
		if !ok {
			return q, badParam(paramDistrict, "unknown_value",
				fmt.Sprintf("“%s”不是上海市的区（可填区名或代码，如 浦东新区 或 310115）", clip(v)),
				fmt.Sprintf("%q is not a Shanghai district (use a name or code, e.g. Pudong or 310115)", clip(v)))
		}
		q.Districts = append(q.Districts, d.Code)
	}
	if s, err := queryOne(c, paramMaxFee); err != nil {
		return q, err
	} else if s != "" {
		fen, err := parseYuan(s)
		if err != nil {
			return q, badParam(paramMaxFee, "invalid_amount",
				"最高费用应为不小于 0 的金额（元），最多两位小数，如 5000 或 12000.50",
				"max_fee_yuan must be an amount in yuan ≥ 0 with at most two decimals, e.g. 5000 or 12000.50")
		}
		q.MaxFeeFen = &fen
	}
	if q.Sort, err = queryOne(c, paramSort); err != nil {
		return q, err
	}
	if q.Sort == "" {
		q.Sort = search.SortRelevance
		if q.Text == "" {
			q.Sort = search.SortNewest
		}
	} else if err := oneOf(paramSort, []string{q.Sort}, sortOrders); err != nil {
		return q, err
	}
	if q.Page, err = intParam(c, paramPage, 1, 1, search.MaxResultWindow); err != nil {
		return q, err
	}
	if q.PerPage, err = intParam(c, paramPerPage, defaultPerPage, 1, search.MaxPerPage); err != nil {
		return q, err
	}
	if q.Page*q.PerPage > search.MaxResultWindow {
		return q, badParam(paramPage, "out_of_range",
			fmt.Sprintf("页码过大：只能浏览前 %d 条结果，请缩小检索范围", search.MaxResultWindow),
			fmt.Sprintf("page out of range: only the first %d results can be paged through; narrow the search", search.MaxResultWindow))
	}
	// The engines' own check is the last word, so the page, the API and the engines agree on what is valid.
	return q.Normalize()
}

func intParam(c *fiber.Ctx, key string, def, min, max int) (int, error) {
	s, err := queryOne(c, key)
	if err != nil || s == "" {
		return def, err
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, badParam(key, "not_a_number", fmt.Sprintf("参数 %s 应为整数", key), fmt.Sprintf("%s must be a whole number", key))
	}
	if n < min || n > max {
		return 0, badParam(key, "out_of_range", fmt.Sprintf("参数 %s 应在 %d 到 %d 之间", key, min, max),
			fmt.Sprintf("%s must be between %d and %d", key, min, max))
	}
	return n, nil
}

// canonicalIPCFilter accepts an IPC section ("G"), class ("G06"), subclass or full symbol.
func canonicalIPCFilter(v string) (string, error) {
	u := strings.ToUpper(strings.TrimSpace(v))
	switch {
	case len(u) == 1 && u[0] >= 'A' && u[0] <= 'H':
		return u, nil
	case len(u) == 3 && u[0] >= 'A' && u[0] <= 'H' && isDigit(u[1]) && isDigit(u[2]):
		return u, nil
	}
	ipc, err := market.ParseIPC(v)
	if err != nil {
		return "", badParam(paramIPC, "invalid_format",
			fmt.Sprintf("IPC 分类“%s”格式错误，可填部（G）、大类（G06）、小类（G06F）或组（G06F 16/9535）", clip(v)),
			fmt.Sprintf("invalid IPC %q: use a section (G), class (G06), subclass (G06F) or group (G06F 16/9535)", clip(v)))
	}
	return ipc.String(), nil
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// parseYuan parses a non-negative yuan amount with at most two decimals into fen, without floats.
func parseYuan(s string) (int64, error) {
	whole, frac, hasDot := strings.Cut(strings.ReplaceAll(s, ",", ""), ".")
	if whole == "" || !allDigits(whole) || len(whole) > 13 || (hasDot && (len(frac) == 0 || len(frac) > 2 || !allDigits(frac))) {
		return 0, fmt.Errorf("not an amount: %q", s)
	}
	y, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, err
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return y*100 + f, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
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
