package search

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"patentwall/market"
)

// Defaults and bounds of a query that the engines share.
const (
	DefaultPerPage = 20
	// MaxTextRunes bounds the free text: longer input is a user error, not something to truncate silently.
	MaxTextRunes = 200
	// MaxWords bounds the words that count (Meilisearch reads only the first 10 anyway).
	MaxWords = 10
	// MaxValueRunes bounds one filter value (an industry name, an IPC symbol).
	MaxValueRunes = 64
	// MaxFilterValues bounds the values of one filter.
	MaxFilterValues = 20
	// MaxExcludeIDs bounds Query.ExcludeIDs: a wall's pins and exclusions (market.MaxPins + market.MaxExcluded).
	MaxExcludeIDs = market.MaxPins + market.MaxExcluded
)

// ErrIndexInUse is returned by an engine whose on-disk index another process holds (Bleve's directory
// lock): the running server owns it.
var ErrIndexInUse = errors.New("search: index is in use by another process")

// ErrNotNormalized is returned by an engine given a query that did not come from Query.Normalize: a
// programming error, not a user's.
var ErrNotNormalized = errors.New("search: query not normalised (call Query.Normalize first)")

// QueryError is a user-fixable query problem: errors.Is(err, ErrBadQuery) holds and errors.As gives the
// *market.FieldError with its zh/en message.
type QueryError struct{ *market.FieldError }

// Unwrap makes both ErrBadQuery and the FieldError reachable.
func (e *QueryError) Unwrap() []error { return []error{ErrBadQuery, e.FieldError} }

func badQuery(field, code, zh, en string) error {
	return &QueryError{market.NewFieldError(field, code, zh, en)}
}

// Offer kinds of Document.Offers.
const (
	OfferOpenLicence = "open_licence"
	OfferTransfer    = "transfer"
)

// FeeModelNone is the filter value (and indexed fee_model) of patents without a live declaration.
const FeeModelNone = "none"

// The closed sets a filter or the sort takes its values from, in the order pages list them.
var (
	PatentTypes = []string{market.TypeInvention, market.TypeUtilityModel, market.TypeDesign}
	SortOrders  = []string{SortRelevance, SortNewest, SortFeeAsc, SortFeeDesc}
	OfferKinds  = []string{OfferOpenLicence, OfferTransfer}
	// FeeModelValues are the declaration fee models and FeeModelNone.
	FeeModelValues = append(slices.Clone(market.FeeModels), FeeModelNone)
)

// Names of a query's parameters in errors: those of GET /api/v1/patents (docs/interfaces.md), so a
// FieldError names what the user typed.
const (
	FieldText       = "q"
	FieldType       = "type"
	FieldIPC        = "ipc"
	FieldIndustry   = "industry"
	FieldDistrict   = "district"
	FieldHolderKind = "holder_kind"
	FieldFeeModel   = "fee_model"
	FieldPriceBand  = "price_band"
	FieldOffer      = "offer"
	FieldMaxFee     = "max_fee_yuan"
	FieldSort       = "sort"
	FieldPage       = "page"
	FieldPerPage    = "per_page"
	FieldSimilar    = "similar"
	FieldIDs        = "ids"
)

// MaxIDs bounds Query.IDs.
const MaxIDs = 1000

// Normalize is the one validator of a query: every caller (the web handlers, commands, benchmarks,
// tests) calls it before Index.Search, and engines trust what it returns. It fills the defaults (page
// 1, DefaultPerPage, relevance with text and newest without), trims the text, checks every bound and
// enumerated value, turns district names into codes and IPC filters into canonical form. A bad value
// is a *QueryError naming the parameter (see the Field constants), with zh and en messages.
// A zero Page or PerPage means the default; a caller that read an explicit 0 passes a negative number.
func (q Query) Normalize() (Query, error) {
	if !utf8.ValidString(q.Text) {
		return q, errInvalidUTF8(FieldText)
	}
	q.Text = strings.TrimSpace(q.Text)
	if n := utf8.RuneCountInString(q.Text); n > MaxTextRunes {
		return q, badQuery(FieldText, "too_long", fmt.Sprintf("检索词过长：%d 个字符，最多 %d 个", n, MaxTextRunes),
			fmt.Sprintf("query too long: %d characters, at most %d", n, MaxTextRunes))
	}
	if !utf8.ValidString(q.Similar) {
		return q, errInvalidUTF8(FieldSimilar)
	}
	q.Similar = strings.TrimSpace(q.Similar)
	if n := utf8.RuneCountInString(q.Similar); n > MaxSimilarRunes {
		return q, badQuery(FieldSimilar, "too_long", fmt.Sprintf("匹配文本过长：%d 个字符，最多 %d 个", n, MaxSimilarRunes),
			fmt.Sprintf("similar text too long: %d characters, at most %d", n, MaxSimilarRunes))
	}
	if q.Similar != "" && q.Text != "" {
		return q, badQuery(FieldSimilar, "exclusive", "匹配文本与检索词不能同时使用", "similar and q cannot be combined")
	}
	if len(q.IDs) > MaxIDs {
		return q, badQuery(FieldIDs, "too_many_values", fmt.Sprintf("最多限定 %d 件专利", MaxIDs),
			fmt.Sprintf("at most %d documents", MaxIDs))
	}
	filters := []struct {
		field string
		vals  []string
		ok    []string // nil: any value
	}{
		{FieldType, q.Types, PatentTypes},
		{FieldIPC, q.IPC, nil},
		{FieldIndustry, q.Industries, nil},
		{FieldDistrict, q.Districts, nil},
		{FieldHolderKind, q.HolderKinds, market.OrgKinds},
		{FieldFeeModel, q.FeeModels, FeeModelValues},
		{FieldPriceBand, q.PriceBands, PriceBandNames()},
		{FieldOffer, q.Offers, OfferKinds},
	}
	for _, f := range filters {
		if len(f.vals) > MaxFilterValues {
			return q, badQuery(f.field, "too_many_values", fmt.Sprintf("参数 %s 的取值过多（最多 %d 个）", f.field, MaxFilterValues),
				fmt.Sprintf("too many values for %s (at most %d)", f.field, MaxFilterValues))
		}
		for _, v := range f.vals {
			if !utf8.ValidString(v) {
				return q, errInvalidUTF8(f.field)
			}
			if utf8.RuneCountInString(v) > MaxValueRunes {
				return q, badQuery(f.field, "too_long", fmt.Sprintf("参数 %s 的取值过长（最多 %d 个字符）", f.field, MaxValueRunes),
					fmt.Sprintf("value of %s is too long (at most %d characters)", f.field, MaxValueRunes))
			}
			if f.ok != nil && !slices.Contains(f.ok, v) {
				return q, errUnknownValue(f.field, v, f.ok)
			}
		}
	}
	if q.Districts != nil {
		ds := make([]string, 0, len(q.Districts))
		for _, v := range q.Districts {
			d, ok := market.LookupDistrict(v)
			if !ok {
				return q, badQuery(FieldDistrict, "unknown_value",
					fmt.Sprintf("“%s”不是上海市的区（可填区名或代码，如 浦东新区 或 310115）", clip(v)),
					fmt.Sprintf("%q is not a Shanghai district (use a name or code, e.g. Pudong or 310115)", clip(v)))
			}
			ds = append(ds, d.Code)
		}
		q.Districts = ds
	}
	if q.IPC != nil {
		ipcs := make([]string, 0, len(q.IPC))
		for _, v := range q.IPC {
			_, canon, err := IPCFilter(v)
			if err != nil {
				return q, err
			}
			ipcs = append(ipcs, canon)
		}
		q.IPC = ipcs
	}
	if len(q.ExcludeIDs) > MaxExcludeIDs {
		return q, badQuery("exclude", "too_many_values", fmt.Sprintf("最多排除 %d 件专利", MaxExcludeIDs),
			fmt.Sprintf("at most %d patents can be left out", MaxExcludeIDs))
	}
	if q.MaxFeeFen != nil && *q.MaxFeeFen < 0 {
		return q, badQuery(FieldMaxFee, "out_of_range", "最高费用不能为负数", "max_fee_yuan cannot be negative")
	}
	switch {
	case q.Sort == "" && q.Text == "" && q.Similar == "":
		q.Sort = SortNewest
	case q.Sort == "":
		q.Sort = SortRelevance
	case !slices.Contains(SortOrders, q.Sort):
		return q, errUnknownValue(FieldSort, q.Sort, SortOrders)
	}
	if q.PerPage == 0 {
		q.PerPage = DefaultPerPage
	}
	if q.PerPage < 1 || q.PerPage > MaxPerPage {
		return q, errOutOfRange(FieldPerPage, MaxPerPage)
	}
	if q.Page == 0 {
		q.Page = 1
	}
	// Page times PerPage is bounded by MaxResultWindow (compared by division: no overflow).
	if q.Page < 1 {
		return q, errOutOfRange(FieldPage, MaxResultWindow/q.PerPage)
	}
	if q.Page > MaxResultWindow/q.PerPage {
		return q, badQuery(FieldPage, "out_of_range",
			fmt.Sprintf("页码过大：只能浏览前 %d 条结果，请缩小检索范围", MaxResultWindow),
			fmt.Sprintf("page out of range: only the first %d results can be paged through; narrow the search", MaxResultWindow))
	}
	q.normalized = true
	return q, nil
}

// Normalized reports whether q is what Normalize returned (engines refuse other queries).
func (q Query) Normalized() bool { return q.normalized }

func errInvalidUTF8(field string) error {
	return badQuery(field, "invalid_utf8", fmt.Sprintf("参数 %s 不是有效的 UTF-8 文本", field),
		fmt.Sprintf("parameter %s is not valid UTF-8", field))
}

func errUnknownValue(field, v string, allowed []string) error {
	return badQuery(field, "unknown_value",
		fmt.Sprintf("参数 %s 的取值“%s”无效，可选：%s", field, clip(v), strings.Join(allowed, "、")),
		fmt.Sprintf("unknown value %q for %s; allowed: %s", clip(v), field, strings.Join(allowed, ", ")))
}

func errOutOfRange(field string, max int) error {
	return badQuery(field, "out_of_range", fmt.Sprintf("参数 %s 应在 1 到 %d 之间", field, max),
		fmt.Sprintf("%s must be between 1 and %d", field, max))
}

// clip shortens a value quoted back in an error message.
func clip(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// PriceBandNames lists the names of PriceBands in order.
func PriceBandNames() []string {
	out := make([]string, len(PriceBands))
	for i, b := range PriceBands {
		out[i] = b.Name
	}
	return out
}

// IPCFilter tells which document field an IPC filter value applies to (its level) and the value in
// canonical form: "G" → ipc_section, "G06" → ipc_class, "G06F" → ipc_subclass, "G06F 16/" (a main group:
// every group under it) → ipc_main_group, "G06F 16/9535" → ipc.
func IPCFilter(v string) (field, canonical string, err error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	switch {
	case len(s) == 1 && s[0] >= 'A' && s[0] <= 'H':
		return "ipc_section", s, nil
	case len(s) == 3 && s[0] >= 'A' && s[0] <= 'H' && isDigit(s[1]) && isDigit(s[2]):
		return "ipc_class", s, nil
	}
	if mg, ok := market.ParseIPCMainGroup(s); ok {
		return "ipc_main_group", mg, nil
	}
	ipc, perr := market.ParseIPC(s)
	if perr != nil {
		return "", "", badQuery(FieldIPC, "invalid_format",
			fmt.Sprintf("IPC 分类“%s”格式错误，可填部（G）、大类（G06）、小类（G06F）、大组（G06F 16/）或组（G06F 16/9535）", clip(v)),
			fmt.Sprintf("invalid IPC %q: use a section (G), class (G06), subclass (G06F), main group (G06F 16/) or group (G06F 16/9535)", clip(v)))
	}
	if ipc.Group == "" {
		return "ipc_subclass", ipc.Subclass, nil
	}
	return "ipc", ipc.String(), nil
}

// IPCField is the document field an IPC filter value of a normalised query applies to (see IPCFilter).
func IPCField(canonical string) string {
	switch {
	case len(canonical) == 1:
		return "ipc_section"
	case len(canonical) == 3:
		return "ipc_class"
	case len(canonical) == 4:
		return "ipc_subclass"
	case strings.HasSuffix(canonical, "/"):
		return "ipc_main_group"
	}
	return "ipc"
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
