package market

// Free text typed by users (titles, abstracts, names, addresses, notes, reasons) is checked once here:
// no control characters and no bidirectional-text controls, which could hide or reorder what a reader
// of a page, a contract or an export sees (docs/rules.md §1).

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// isBidiControl reports the Unicode bidirectional formatting characters: the embeddings and overrides
// U+202A–U+202E, the isolates U+2066–U+2069, the marks U+200E/U+200F and the Arabic letter mark U+061C.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// CheckText checks a free-text field: it must be valid UTF-8 and hold no control character (tab, line
// feed and carriage return are allowed when multiline, e.g. an abstract or a note) and no bidirectional
// control. zhName and enName name the field in the message. It returns nil when the text is fine.
func CheckText(field, zhName, enName, v string, multiline bool) *FieldError {
	pos := 0
	for i, r := range v {
		pos++
		bad := false
		switch {
		case r == utf8.RuneError && !validRuneAt(v, i):
			bad = true
		case multiline && (r == '\t' || r == '\n' || r == '\r'):
		case unicode.IsControl(r), isBidiControl(r):
			bad = true
		}
		if bad {
			what := fmt.Sprintf("U+%04X", r)
			if r == utf8.RuneError {
				what = "invalid UTF-8"
			}
			return &FieldError{Field: field, Code: CodeInvalidCharacters,
				MessageZH: fmt.Sprintf("%s含有不允许的字符（第 %d 个字符 %s）：不能包含控制字符或双向文本控制字符", zhName, pos, what),
				MessageEN: fmt.Sprintf("%s contains a character that is not allowed (%s at character %d): no control or bidirectional-text control characters", enName, what, pos)}
		}
	}
	return nil
}

// validRuneAt reports whether the RuneError at byte i of v is really U+FFFD written out, not a bad byte.
func validRuneAt(v string, i int) bool {
	_, size := utf8.DecodeRuneInString(v[i:])
	return size == 3
}
