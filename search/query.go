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
)

// ErrIndexInUse is returned by an engine whose on-disk index another process holds (Bleve's directory
// lock): the running server owns it.
var ErrIndexInUse = errors.New("search: index is in use by another process")

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

var patentTypes = []string{market.TypeInvention, market.TypeUtilityModel, market.TypeDesign}

// Normalize fills a query's defaults (page 1, DefaultPerPage, relevance) and checks every bound and
// enumerated value, so engines can trust what they translate. District names are turned into codes and
// IPC symbols into canonical form.
func (q Query) Normalize() (Query, error) {
	if !utf8.ValidString(q.Text) {
		return q, badQuery("q", "invalid_utf8", "搜索词含有无效字符", "the search text is not valid UTF-8")
	}
	q.Text = strings.TrimSpace(q.Text)
	if n := utf8.RuneCountInString(q.Text); n > MaxTextRunes {
		return q, badQuery("q", "too_long", fmt.Sprintf("搜索词过长（%d 字），最多 %d 字", n, MaxTextRunes),
			fmt.Sprintf("the search text is too long (%d characters, at most %d)", n, MaxTextRunes))
	}
	if q.Page == 0 {
		q.Page = 1
	}
	if q.PerPage == 0 {
		q.PerPage = DefaultPerPage
	}
	if q.Page < 1 {
		return q, badQuery("page", "out_of_range", "页码必须从 1 开始", "page must be 1 or more")
	}
	if q.PerPage < 1 || q.PerPage > MaxPerPage {
		return q, badQuery("per_page", "out_of_range", fmt.Sprintf("每页条数应在 1 到 %d 之间", MaxPerPage),
			fmt.Sprintf("per_page must be between 1 and %d", MaxPerPage))
	}
	if q.Page*q.PerPage > MaxResultWindow {
		return q, badQuery("page", "out_of_range", fmt.Sprintf("页码过大：最多只能翻到第 %d 条结果，请缩小搜索范围", MaxResultWindow),
			fmt.Sprintf("page too deep: results beyond the first %d cannot be paged to; narrow the search", MaxResultWindow))
	}
	switch q.Sort {
	case "":
		q.Sort = SortRelevance
	case SortRelevance, SortNewest, SortFeeAsc, SortFeeDesc:
	default:
		return q, badQuery("sort", "invalid", "排序方式无效", "sort must be relevance, newest, fee_asc or fee_desc")
	}
	if q.MaxFeeFen != nil && *q.MaxFeeFen < 0 {
		return q, badQuery("max_fee_yuan", "out_of_range", "最高费用不能为负数", "max_fee_yuan cannot be negative")
	}
	checks := []struct {
		field string
		vals  []string
		ok    []string
	}{
		{"type", q.Types, patentTypes},
		{"holder_kind", q.HolderKinds, market.OrgKinds},
		{"fee_model", q.FeeModels, append(slices.Clone(market.FeeModels), FeeModelNone)},
		{"price_band", q.PriceBands, priceBandNames()},
		{"offer", q.Offers, []string{OfferOpenLicence, OfferTransfer}},
	}
	for _, c := range checks {
		for _, v := range c.vals {
			if !slices.Contains(c.ok, v) {
				return q, badQuery(c.field, "invalid", fmt.Sprintf("筛选条件 %s 的取值“%s”无效", c.field, v),
					fmt.Sprintf("unknown %s value %q (one of %s)", c.field, v, strings.Join(c.ok, ", ")))
			}
		}
	}
	ds := make([]string, 0, len(q.Districts))
	for _, v := range q.Districts {
		d, ok := market.LookupDistrict(v)
		if !ok {
			return q, badQuery("district", "invalid", fmt.Sprintf("区“%s”不是上海的区", v),
				fmt.Sprintf("%q is not a Shanghai district", v))
		}
		ds = append(ds, d.Code)
	}
	q.Districts = ds
	ipcs := make([]string, 0, len(q.IPC))
	for _, v := range q.IPC {
		_, canon, err := IPCFilter(v)
		if err != nil {
			return q, err
		}
		ipcs = append(ipcs, canon)
	}
	q.IPC = ipcs
	return q, nil
}

func priceBandNames() []string {
	out := make([]string, len(PriceBands))
	for i, b := range PriceBands {
		out[i] = b.Name
	}
	return out
}

// IPCFilter tells which document field an IPC filter value applies to (its level) and the value in
// canonical form: "G" → ipc_section, "G06" → ipc_class, "G06F" → ipc_subclass, "G06F 16/9535" → ipc.
func IPCFilter(v string) (field, canonical string, err error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	switch {
	case len(s) == 1 && s[0] >= 'A' && s[0] <= 'H':
		return "ipc_section", s, nil
	case len(s) == 3 && s[0] >= 'A' && s[0] <= 'H' && isDigit(s[1]) && isDigit(s[2]):
		return "ipc_class", s, nil
	}
	ipc, perr := market.ParseIPC(s)
	if perr != nil {
		return "", "", badQuery("ipc", "invalid", fmt.Sprintf("IPC 分类“%s”格式错误，应如 G、G06、G06F 或 G06F 16/9535", v),
			fmt.Sprintf("invalid IPC filter %q: expected e.g. G, G06, G06F or G06F 16/9535", v))
	}
	if ipc.Group == "" {
		return "ipc_subclass", ipc.Subclass, nil
	}
	return "ipc", ipc.String(), nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
