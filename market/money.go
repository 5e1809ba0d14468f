package market

// Money and the other numbers users type: amounts are integer fen (分) from the text to the database
// and back, never a float. Every parser and formatter of an amount lives here, with its messages.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Fen is an amount of money in fen (分, a hundredth of a yuan). The model's amount fields and columns
// (…Fen, …_fen) stay plain int64 fen, which templates, SQL and the bonus codecs read directly; text
// goes to and from them through Fen: ParseYuan / ParseYuanFen in, Fen(x).String() and friends out.
type Fen int64

// MaxYuanDigits bounds the integer part of a typed amount: 13 digits of yuan (10^13 yuan) still fit
// int64 fen with room, so sums of many amounts cannot overflow.
const MaxYuanDigits = 13

// ParseYuan parses an amount in yuan with at most two decimals ("12.5" → 1250 fen). It accepts
// full-width digits and surrounding spaces, nothing else: no sign, no exponent, no thousands
// separator, so every accepted text has one obvious meaning. field names the input in the error.
func ParseYuan(field, s string) (Fen, *FieldError) {
	v, why := parseHundredths(s)
	if why != "" {
		return 0, yuanError(field, why, strings.TrimSpace(s))
	}
	return Fen(v), nil
}

// ParseSignedYuan is ParseYuan with an optional leading minus sign, for settings whose validation
// explains a negative amount itself (a bonus round's unit and caps) together with its other problems.
func ParseSignedYuan(field, s string) (Fen, *FieldError) {
	t := strings.TrimSpace(halfWidth(s))
	if rest, neg := strings.CutPrefix(t, "-"); neg {
		v, why := parseHundredths(rest)
		if why != "" {
			return 0, yuanError(field, why, strings.TrimSpace(s))
		}
		return -Fen(v), nil
	}
	return ParseYuan(field, s)
}

// ParseYuanFen is ParseYuan for callers that keep fen in an int64.
func ParseYuanFen(field, s string) (int64, *FieldError) {
	v, fe := ParseYuan(field, s)
	return int64(v), fe
}

func yuanError(field, why, orig string) *FieldError {
	switch why {
	case "empty":
		return NewFieldError(field, "required", "请填写金额（元）", "amount in yuan is required")
	case "negative":
		return NewFieldError(field, "negative", fmt.Sprintf("金额“%s”不能为负数", orig),
			fmt.Sprintf("amount %q must not be negative", orig))
	case "decimals":
		return NewFieldError(field, "too_many_decimals", fmt.Sprintf("金额“%s”最多保留两位小数（分）", orig),
			fmt.Sprintf("amount %q has more than two decimals (fen)", orig))
	case "too_large":
		return NewFieldError(field, "too_large", fmt.Sprintf("金额“%s”过大", orig),
			fmt.Sprintf("amount %q is too large", orig))
	}
	return NewFieldError(field, "invalid_format",
		fmt.Sprintf("金额“%s”格式错误：应为以元为单位的数字，最多两位小数，如 12.50（不带符号、逗号）", orig),
		fmt.Sprintf("amount %q must be a number of yuan with at most two decimals, e.g. 12.50 (no sign or separators)", orig))
}

// AppendYuan appends the amount in yuan with two decimals ("-12.05", "3000.00"), the form ParseYuan
// and ParseSignedYuan read back.
func (f Fen) AppendYuan(b []byte) []byte {
	u := uint64(f)
	if f < 0 {
		b = append(b, '-')
		u = uint64(-(f + 1)) + 1 // also right for math.MinInt64
	}
	b = strconv.AppendUint(b, u/100, 10)
	return append(b, '.', byte('0'+u%100/10), byte('0'+u%10))
}

// String formats the amount in yuan with two decimals and no separators ("1234.50", "-0.05"): forms,
// query strings, CSV and the command line.
func (f Fen) String() string {
	var buf [24]byte
	return string(f.AppendYuan(buf[:0]))
}

// Grouped formats the amount in yuan with thousands separators and two decimals ("1,234.50"), as
// documents and pages show it.
func (f Fen) Grouped() string {
	var buf [32]byte
	plain := f.AppendYuan(buf[:0])
	b := make([]byte, 0, len(plain)+len(plain)/3)
	if plain[0] == '-' {
		b, plain = append(b, '-'), plain[1:]
	}
	whole := len(plain) - 3 // digits before ".xx"
	for i := 0; i < whole; i++ {
		if i > 0 && (whole-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, plain[i])
	}
	return string(append(b, plain[whole:]...))
}

// Display shows the amount the way readers of each language expect: "1,234.50 元" in Chinese,
// "¥1,234.50" (and "-¥1,234.50") in English ("en").
func (f Fen) Display(lang string) string {
	if lang != "en" {
		return f.Grouped() + " 元"
	}
	g := f.Grouped()
	if rest, neg := strings.CutPrefix(g, "-"); neg {
		return "-¥" + rest
	}
	return "¥" + g
}

// Numeric is a decimal number exactly as the user wrote it: a JSON number or string, a CSV cell. It is
// parsed into fen or basis points by ParseYuan / ParsePercentBP, so money never passes through a float.
type Numeric string

// UnmarshalJSON keeps a JSON number's literal text (12.5 stays "12.5") and accepts strings and null.
func (n *Numeric) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	switch {
	case s == "null":
		*n = ""
	case strings.HasPrefix(s, `"`):
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*n = Numeric(v)
	default:
		*n = Numeric(s)
	}
	return nil
}

// MarshalJSON writes the text as a JSON string, or null when empty.
func (n Numeric) MarshalJSON() ([]byte, error) {
	if n == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(n))
}

// Blank reports whether nothing was given.
func (n Numeric) Blank() bool { return strings.TrimSpace(string(n)) == "" }

// optional parses n unless it is blank (zero then, without an error).
func optional[T any](field string, n Numeric, parse func(field, s string) (T, *FieldError)) (T, *FieldError) {
	if n.Blank() {
		var zero T
		return zero, nil
	}
	return parse(field, string(n))
}

// parseHundredths parses a non-negative decimal with at most two decimals ("12", "12.5", "12.50") into
// hundredths (1250), or says why it cannot: empty, negative, format, decimals, too_large.
func parseHundredths(s string) (int64, string) {
	s = strings.TrimSpace(halfWidth(s))
	if s == "" {
		return 0, "empty"
	}
	if s[0] == '-' {
		return 0, "negative"
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || !allDigits(intPart) || (hasDot && (frac == "" || !allDigits(frac))) {
		return 0, "format"
	}
	if len(frac) > 2 {
		return 0, "decimals"
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > MaxYuanDigits {
		return 0, "too_large"
	}
	var v int64
	for i := 0; i < len(intPart); i++ {
		v = v*10 + int64(intPart[i]-'0')
	}
	frac += strings.Repeat("0", 2-len(frac))
	v = v*100 + int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	return v, ""
}

// ParsePercentBP parses a percentage with at most two decimals into basis points ("5.25" → 525).
func ParsePercentBP(field string, s string) (int64, *FieldError) {
	v, why := parseHundredths(s)
	if why == "" {
		return v, nil
	}
	orig := strings.TrimSpace(s)
	switch why {
	case "empty":
		return 0, NewFieldError(field, "required", "请填写百分比", "percentage is required")
	case "negative":
		return 0, NewFieldError(field, "negative", fmt.Sprintf("百分比“%s”不能为负数", orig),
			fmt.Sprintf("percentage %q must not be negative", orig))
	case "decimals":
		return 0, NewFieldError(field, "too_many_decimals", fmt.Sprintf("百分比“%s”最多保留两位小数", orig),
			fmt.Sprintf("percentage %q has more than two decimals", orig))
	}
	return 0, NewFieldError(field, "invalid_format",
		fmt.Sprintf("百分比“%s”格式错误：应为数字，最多两位小数，如 5.25（不带 %% 号）", orig),
		fmt.Sprintf("percentage %q must be a number with at most two decimals, e.g. 5.25 (no %% sign)", orig))
}

// PercentText formats basis points as a percentage with two decimals, without the sign: 550 → "5.50".
func PercentText(bp int64) string { return Fen(bp).String() }

// PercentShort formats basis points as a percentage without trailing zeros or the sign: 550 → "5.5",
// 2000 → "20".
func PercentShort(bp int64) string {
	return strings.TrimSuffix(strings.TrimRight(PercentText(bp), "0"), ".")
}

// parseCount parses a small non-negative whole number such as a term in months.
func parseCount(field string, s string) (int, *FieldError) {
	t := strings.TrimSpace(halfWidth(s))
	if t == "" {
		return 0, NewFieldError(field, "required", "请填写此项", "this value is required")
	}
	if !allDigits(t) || len(strings.TrimLeft(t, "0")) > 6 {
		return 0, NewFieldError(field, "invalid_format", fmt.Sprintf("“%s”应为整数", t),
			fmt.Sprintf("%q must be a whole number", t))
	}
	n := 0
	for i := 0; i < len(t); i++ {
		n = n*10 + int(t[i]-'0')
	}
	return n, nil
}
