package web

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// Every page is checked when the views load, but a page's template set is kept only from its first
// render, built once even when requests race for it; the other pages hold none.
func TestViewsBuildAPageOnItsFirstRender(t *testing.T) {
	v, err := newViews(templateFuncs)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.pages[LangZH]) < 10 || len(v.pages[LangEN]) != len(v.pages[LangZH]) {
		t.Fatalf("pages: %d zh, %d en", len(v.pages[LangZH]), len(v.pages[LangEN]))
	}
	for lang, pages := range v.pages {
		for name, p := range pages {
			if p.t != nil {
				t.Fatalf("%s/%s built before its first render", lang, name)
			}
		}
	}
	var wg sync.WaitGroup
	outs := make([]string, 8)
	for i := range outs {
		wg.Go(func() {
			var b bytes.Buffer
			if err := v.Render(&b, "error", fiber.Map{"Lang": LangEN, "LangURL": map[string]string{"zh": "/?lang=zh", "en": "/?lang=en"}, "Path": "/patents/1", "Status": 404, "Message": "no such patent"}); err != nil {
				t.Error(err)
			}
			outs[i] = b.String()
		})
	}
	wg.Wait()
	for _, o := range outs {
		if o != outs[0] || !strings.Contains(o, "no such patent") {
			t.Fatalf("renders differ or miss the message:\n%s", o)
		}
	}
	if v.pages[LangEN]["error"].t == nil {
		t.Fatal("the rendered page was not kept")
	}
	for lang, pages := range v.pages {
		for name, p := range pages {
			if p.t != nil && (lang != LangEN || name != "error") {
				t.Fatalf("%s/%s built without being rendered", lang, name)
			}
		}
	}
	if err := v.Render(&bytes.Buffer{}, "no-such-page", fiber.Map{}); err == nil {
		t.Fatal("an unknown page rendered")
	}
	// Every page of a language is cloned from the same layouts and partials: first renders of
	// different pages at once (run with -race).
	for name, p := range v.pages[LangZH] {
		wg.Go(func() {
			if tm, err := p.template(); err != nil || tm.Lookup("content") == nil {
				t.Errorf("%s: %v", name, err)
			}
		})
	}
	wg.Wait()
}
