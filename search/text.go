package search

import (
	"strings"
	"unicode"

	"patentwall/market"
)

// Term is one word of the user's search text, as every engine must treat it: all non-common terms are
// required (AND); a Han run must match as a contiguous sequence (锂电池 does not match a text that has only
// 电池); common words only rank unless the text has nothing else.
type Term struct {
	Text   string // a run of Han characters, or a run of letters/digits (original case)
	Han    bool
	Common bool   // boilerplate such as 一种/方法/装置/系统: optional when other terms exist
	AppNo  string // canonical application number when the word is one
}

// commonZH are words found in a large share of Chinese patent titles ("一种…装置及其方法"): required, they
// would not narrow anything, and as scoring terms they would only add noise.
var commonZH = map[string]bool{
	"一种": true, "方法": true, "装置": true, "系统": true, "设备": true, "及其": true, "用于": true,
	"基于": true, "的": true, "及": true, "和": true, "与": true, "或": true, "以及": true, "其": true,
	"一种用于": true, "具有": true, "使用": true,
}

var commonEN = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "for": true, "and": true, "or": true, "with": true,
	"in": true, "on": true, "to": true, "by": true, "based": true, "method": true, "methods": true,
	"system": true, "systems": true, "device": true, "devices": true, "apparatus": true,
}

// IsCommonWord reports whether a word is boilerplate (see Term.Common).
func IsCommonWord(w string) bool { return commonZH[w] || commonEN[strings.ToLower(w)] }

// ParseText splits search text into terms: whitespace separates words, a word that is an application
// number stays whole, any other word is cut into runs of Han characters and runs of letters/digits
// (punctuation separates). A leading 一种 ("a kind of", the start of most titles) is dropped from a run.
// At most MaxWords terms are kept. When every term is common, all become required.
func ParseText(text string) []Term {
	var out []Term
	seen := map[string]bool{}
	add := func(t Term) {
		key := strings.ToLower(t.Text)
		if t.Text == "" || seen[key] || len(out) >= MaxWords {
			return
		}
		seen[key] = true
		t.Common = t.AppNo == "" && IsCommonWord(t.Text)
		out = append(out, t)
	}
	for _, field := range strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || r == '\u3000' }) {
		if canon, err := market.NormalizeApplicationNo(field); err == nil && hasDigits(field, 8) {
			add(Term{Text: field, AppNo: canon})
			continue
		}
		for _, run := range splitRuns(field) {
			if run.Han && run.Text != "一种" {
				if rest, ok := strings.CutPrefix(run.Text, "一种"); ok {
					run.Text = rest
				}
			}
			add(run)
		}
	}
	common := 0
	for _, t := range out {
		if t.Common {
			common++
		}
	}
	if common == len(out) {
		for i := range out {
			out[i].Common = false
		}
	}
	return out
}

// splitRuns cuts a word into runs of Han characters and runs of letters/digits.
func splitRuns(s string) []Term {
	var out []Term
	var b strings.Builder
	han := false
	flush := func() {
		if b.Len() > 0 {
			out = append(out, Term{Text: b.String(), Han: han})
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			if !han {
				flush()
			}
			han = true
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if han {
				flush()
			}
			han = false
			b.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return out
}

func hasDigits(s string, n int) bool {
	c := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			c++
		}
	}
	return c >= n
}

// HasHan reports whether s contains a Han character (engines pass a Chinese locale then).
func HasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
