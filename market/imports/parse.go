package imports

import (
	"fmt"
	"strings"

	"patentwall/market"
)

// Cell parsers: each returns the value or a FieldError whose messages become the LineError's reason
// (the caller knows the column: row.Error(column, fe)).

// ParseBool accepts true/false/1/0/是/否 (any case: spreadsheets write TRUE and FALSE).
func ParseBool(s string) (bool, *market.FieldError) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "是":
		return true, nil
	case "false", "0", "否":
		return false, nil
	}
	return false, market.NewFieldError("", "invalid_bool",
		fmt.Sprintf("“%s”不是布尔值：应为 true/false、1/0 或 是/否", strings.TrimSpace(s)),
		fmt.Sprintf("%q is not a boolean: use true/false, 1/0 or 是/否", strings.TrimSpace(s)))
}

// ParseDate accepts YYYY-MM-DD only (market.ParseDateField's messages).
func ParseDate(s string) (market.Date, *market.FieldError) { return market.ParseDateField("", s) }

// ParseYuanToFen parses yuan with at most two decimals into fen ("12.5" → 1250); no negatives, no floats.
func ParseYuanToFen(s string) (int64, *market.FieldError) { return market.ParseYuanFen("", s) }

// ParseList splits a ";"-separated list (full-width "；" too), trimming items and dropping empty ones.
func ParseList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
