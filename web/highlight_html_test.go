package web

import (
	"strings"
	"testing"
)

// onlyMarkTags must agree with its definition: no '<' or '>' left once the tags are removed.
func TestOnlyMarkTags(t *testing.T) {
	tags := strings.NewReplacer("<mark>", "", "</mark>", "")
	for _, s := range []string{"", "电池", "<mark>电池</mark>", "a &lt; b <mark>x</mark>", "<b>x</b>", "<mark>",
		"</mark", "<ma<mark>rk>", "<<mark>mark>", "</mark>>", "x<mark></mark><", "<mark><mark>a</mark></mark>",
		"</mar<mark>k>", ">", "<", "<mark>a</mark>b<mark>c</mark>"} {
		want := !strings.ContainsAny(tags.Replace(s), "<>")
		if got := onlyMarkTags(s); got != want {
			t.Errorf("onlyMarkTags(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzOnlyMarkTags(f *testing.F) {
	tags := strings.NewReplacer("<mark>", "", "</mark>", "")
	for _, s := range []string{"<mark>a</mark>", "<ma<mark>rk>", "a<b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := onlyMarkTags(s), !strings.ContainsAny(tags.Replace(s), "<>"); got != want {
			t.Errorf("onlyMarkTags(%q) = %v, want %v", s, got, want)
		}
	})
}
