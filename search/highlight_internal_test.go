package search

import (
	"html"
	"strings"
	"testing"
)

// escapeTo must escape as html.EscapeString does (Mark's output is compared with other engines').
func TestEscapeTo(t *testing.T) {
	for _, s := range []string{"", "电池", `a<b>&'"c`, "&amp;", "<<>>", `"'`, "x&", "ÄÖ<mark>"} {
		var b strings.Builder
		escapeTo(&b, s)
		if got, want := b.String(), html.EscapeString(s); got != want {
			t.Errorf("escapeTo(%q) = %q, want %q", s, got, want)
		}
	}
}
