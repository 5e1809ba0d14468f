package web

// FuzzSearchQueryParams: the web layer's reading of a search's query string (parseSearchQuery, shared
// by /search and GET /api/v1/patents) never panics; what it refuses is a 400 naming the parameter; what
// it accepts is normalised, and the page's own links (searchURL) read back to the same query.

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"patentwall/search"
)

func FuzzSearchQueryParams(f *testing.F) {
	for _, s := range []string{
		"q=电池&industry=新能源汽车", "q=%E7%94%B5%E6%B1%A0&type=invention,design&ipc=G06F+16%2F9535&district=浦东新区",
		"max_fee_yuan=12,000.50&sort=fee_desc&page=3&per_page=50&lang=en", "fee_model=none&fee_model=free&offer=transfer",
		"q=a&q=b", "page=0", "page=-1", "per_page=1000", "page=99999999999999999999", "max_fee_yuan=-1", "max_fee_yuan=1e3",
		"sort=relevance", "sort=newest&q=x", "district=xuhui,310115", "ipc=g06f&ipc=H04L9/32", "q=%ff", "industry=,,a,,b,",
		"holder_kind=university&price_band=free", "", "&&&=", "q=" + strings.Repeat("长", 201), "type=%00",
	} {
		f.Add(s)
	}
	app := fiber.New()
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := parseWith(app, raw)
		if err != nil {
			status, fe, ok := classify(err)
			if !ok || status != fiber.StatusBadRequest || fe.Field == "" || fe.Code == "" || fe.MessageZH == "" || fe.MessageEN == "" {
				t.Fatalf("%q: refused with %d %+v (ok %v), want a 400 naming the parameter", raw, status, fe, ok)
			}
			return
		}
		if !q.Normalized() {
			t.Fatalf("%q: accepted query is not normalised", raw)
		}
		if again, err := q.Normalize(); err != nil || !reflect.DeepEqual(again, q) {
			t.Fatalf("%q: normalising again gives %+v, %v", raw, again, err)
		}
		link := searchURL("/search", q)
		_, qs, _ := strings.Cut(link, "?")
		back, err := parseWith(app, qs)
		if err != nil || !reflect.DeepEqual(back, q) {
			t.Fatalf("%q → %+v\n link %q → %+v, %v", raw, q, link, back, err)
		}
	})
}

// parseWith runs parseSearchQuery on a request with the given query string.
func parseWith(app *fiber.App, raw string) (search.Query, error) {
	c := app.AcquireCtx(&fasthttp.RequestCtx{})
	defer app.ReleaseCtx(c)
	c.Request().URI().SetQueryString(raw)
	return parseSearchQuery(c)
}
