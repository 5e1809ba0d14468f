package search

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Mark highlights the terms in text for HTML: every occurrence of a Han term, and every Latin term at the
// start of a word (case-insensitive), is wrapped in <mark>…</mark>; everything else is HTML-escaped.
// With maxRunes > 0 a longer text is cropped to a window around the first match, with "…" where cut.
// Engines whose own highlighting is unusable (Meilisearch does not escape, and marks jieba words rather
// than the characters a Chinese query matched) use it.
func Mark(text string, terms []Term, maxRunes int) string {
	lower := asciiLower(text)
	type span struct{ start, end int }
	var spans []span
	for _, t := range terms {
		needle := t.Text
		if t.AppNo != "" {
			needle = t.AppNo
		}
		needle = asciiLower(needle)
		if needle == "" {
			continue
		}
		for from := 0; ; {
			i := strings.Index(lower[from:], needle)
			if i < 0 {
				break
			}
			i += from
			if t.Han || t.AppNo != "" || wordStart(lower, i) {
				spans = append(spans, span{i, i + len(needle)})
			}
			from = i + len(needle)
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	merged := spans[:0]
	for _, s := range spans {
		if n := len(merged); n > 0 && s.start <= merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, s.end)
			continue
		}
		merged = append(merged, s)
	}
	from, to := 0, len(text)
	if maxRunes > 0 && utf8.RuneCountInString(text) > maxRunes {
		first := 0
		if len(merged) > 0 {
			first = merged[0].start
		}
		from = backRunes(text, first, maxRunes/4)
		to = forwardRunes(text, from, maxRunes)
	}
	var b strings.Builder
	b.Grow(to - from + 13*len(merged) + 8)
	if from > 0 {
		b.WriteString("…")
	}
	pos := from
	for _, s := range merged {
		if s.start < pos || s.end > to {
			continue
		}
		escapeTo(&b, text[pos:s.start])
		b.WriteString("<mark>")
		escapeTo(&b, text[s.start:s.end])
		b.WriteString("</mark>")
		pos = s.end
	}
	escapeTo(&b, text[pos:to])
	if to < len(text) {
		b.WriteString("…")
	}
	return b.String()
}

// escapeTo writes s escaped as html.EscapeString escapes it, without an intermediate string.
func escapeTo(b *strings.Builder, s string) {
	for {
		i := strings.IndexAny(s, `&'<>"`)
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		switch s[i] {
		case '&':
			b.WriteString("&amp;")
		case '\'':
			b.WriteString("&#39;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		}
		s = s[i+1:]
	}
}

// asciiLower lowercases ASCII letters only, so byte offsets stay those of the original text.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// wordStart reports whether byte i of s starts a Latin word (not preceded by a letter or digit).
func wordStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
}

func backRunes(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

func forwardRunes(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}
