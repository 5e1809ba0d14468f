package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/web"
)

// Routing is case-sensitive: /API/v1/… is no API route, so a session cookie can never act through it
// (the API reads bearer tokens only, and isAPI only knows /api/).
func TestUpperCaseAPIPathIsNoRoute(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	cl := e.client()
	cl.login(t, p.buyer.Email)
	page := cl.get(t, "/patents/"+e.fx.vision.ApplicationNo)
	csrf := csrfOf(t, page.body)
	body := `{"application_no":"` + e.fx.vision.ApplicationNo + `","idempotency_key":"k-upper-1"}`
	for _, withCSRF := range []bool{false, true} {
		req := httptest.NewRequest(http.MethodPost, "/API/v1/licences", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if withCSRF {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		// Without a token the page middleware's CSRF check refuses it first (403); with one, no route.
		want := http.StatusNotFound
		if !withCSRF {
			want = http.StatusForbidden
		}
		if r := cl.do(t, req); r.status != want {
			t.Errorf("POST /API/v1/licences with a session (CSRF %v): %d %.200s; want %d", withCSRF, r.status, r.body, want)
		}
	}
	for _, path := range []string{"/API/v1/openapi.json", "/Api/v1/patents", "/api/V1/patents"} {
		if r := cl.get(t, path); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d; want 404", path, r.status)
		}
	}
	if n := e.count(t, &market.Contract{}, "1 = 1"); n != 0 {
		t.Fatalf("%d contracts made through /API/v1/licences", n)
	}
	// The real API still ignores the cookie.
	req := httptest.NewRequest(http.MethodPost, "/api/v1/licences", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if r := cl.do(t, req); r.status != http.StatusUnauthorized {
		t.Errorf("POST /api/v1/licences with only a session: %d; want 401", r.status)
	}
}

// Every API answer and every response to a logged-in user carries Cache-Control: no-store; public pages
// for visitors and static files stay cacheable.
func TestNoStoreForAPIAndSessions(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	tok := e.token(t, p.buyer)
	noStore := func(r response) bool { return strings.Contains(r.header.Get("Cache-Control"), "no-store") }

	anon := e.client()
	for _, path := range []string{"/", "/search?q=x", "/login"} {
		if r := anon.get(t, path); noStore(r) {
			t.Errorf("anonymous %s: Cache-Control %q", path, r.header.Get("Cache-Control"))
		}
	}
	for _, path := range []string{"/api/v1/patents", "/api/v1/patents/" + e.fx.vision.ApplicationNo, "/api/v1/nothing"} {
		if r := anon.get(t, path); !noStore(r) {
			t.Errorf("anonymous %s: Cache-Control %q; want no-store", path, r.header.Get("Cache-Control"))
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/api/v1/patents", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if r := e.do(t, req); r.status != http.StatusOK || !noStore(r) {
		t.Errorf("API with a token: %d, Cache-Control %q; want no-store", r.status, r.header.Get("Cache-Control"))
	}

	cl := e.client()
	cl.login(t, p.buyer.Email)
	for _, path := range []string{"/", "/account", "/patents/" + e.fx.vision.ApplicationNo, "/account/nothing", "/login"} {
		if r := cl.get(t, path); !noStore(r) {
			t.Errorf("logged in %s: %d, Cache-Control %q; want no-store", path, r.status, r.header.Get("Cache-Control"))
		}
	}
	css := regexp.MustCompile(`href="(/static/[^"]+\.css[^"]*)"`).FindStringSubmatch(cl.get(t, "/").body)
	if css == nil {
		t.Fatal("no stylesheet on the home page")
	}
	if r := cl.get(t, css[1]); r.status != http.StatusOK || noStore(r) {
		t.Errorf("static file with a session: %d, Cache-Control %q; want cacheable", r.status, r.header.Get("Cache-Control"))
	}
}

// Strict-Transport-Security is sent when the site runs with Secure cookies (HTTPS), never otherwise.
func TestHSTSOnlyWithSecureCookies(t *testing.T) {
	e := sqliteEnv(t)
	secure, err := web.New(web.Deps{Store: e.store, Index: e.index, SecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/api/v1/patents", "/login", "/nothing"} {
		if h := e.get(t, path).header.Get("Strict-Transport-Security"); h != "" {
			t.Errorf("%s without SECURE_COOKIES: HSTS %q", path, h)
		}
		resp, err := secure.Fiber.Test(httptest.NewRequest(http.MethodGet, path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if h := resp.Header.Get("Strict-Transport-Security"); h != "max-age=31536000; includeSubDomains" {
			t.Errorf("%s with SECURE_COOKIES: HSTS %q", path, h)
		}
	}
}

// The API's JSON decoding is strict: trailing data, unknown members, null, an empty body and a non-object
// are each a 400 bad_json saying what was wrong, in the request's language.
func TestStrictJSONBodies(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	send := func(target, body string) (int, map[string]any) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		r := e.do(t, req)
		m := map[string]any{}
		if err := json.Unmarshal([]byte(r.body), &m); err != nil {
			t.Fatalf("%s %q: %v in %q", target, body, err, r.body)
		}
		return r.status, m
	}
	good := `{"email":"` + p.buyer.Email + `","password":"` + testPassword + `"}`
	for _, c := range []struct{ body, field, zh, en string }{
		{good + ` {"x":1}`, "", "多余内容", "more data after the JSON value"},
		{good + `garbage`, "", "多余内容", "more data after the JSON value"},
		{`{"email":"` + p.buyer.Email + `","pasword":"x"}`, "pasword", `未知字段 "pasword"`, `unknown field "pasword"`},
		{`null`, "", "请求体为 null", "the body is null"},
		{``, "", "请求体为空", "the body is empty"},
		{`  `, "", "请求体为空", "the body is empty"},
		{`[1]`, "", "应为 JSON 对象", "expected a JSON object"},
		{`{"email": 5}`, "email", "字段 email 的类型不对", "field email has the wrong type"},
		{`{"email": "a"`, "", "JSON 不完整", "the JSON ends too early"},
		{`{"email" "a"}`, "", "不是有效的 JSON", "not valid JSON"},
	} {
		status, m := send("/api/v1/tokens", c.body)
		msg, _ := m["error"].(map[string]any)["message"].(string)
		if status != http.StatusBadRequest || errCode(m) != "bad_json" || errField(m) != c.field || !strings.Contains(msg, c.zh) {
			t.Errorf("%q: %d %v; want 400 bad_json, field %q, message with %q", c.body, status, m, c.field, c.zh)
		}
		_, m = send("/api/v1/tokens?lang=en", c.body)
		if msg, _ := m["error"].(map[string]any)["message"].(string); !strings.Contains(msg, c.en) {
			t.Errorf("%q in English: %q; want %q", c.body, msg, c.en)
		}
	}
	if status, m := send("/api/v1/tokens", "\n"+good+"\n"); status != http.StatusCreated {
		t.Fatalf("good token request: %d %v", status, m)
	}
}

// Every request member web/openapi.json documents is accepted by the strict decoder: a body with all of
// them (zero values) may be refused for its values, never as bad_json.
func TestDocumentedRequestFieldsAreAccepted(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	tokens := map[string]string{
		"/patents":  e.token(t, p.holder),
		"/licences": e.token(t, p.buyer),
		"/contract": e.token(t, p.buyer),
		"/bureau/":  e.token(t, p.bureau),
	}
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	var sample func(s map[string]any) any
	sample = func(s map[string]any) any {
		if ref, ok := s["$ref"].(string); ok {
			return sample(schemas[ref[strings.LastIndex(ref, "/")+1:]].(map[string]any))
		}
		for _, k := range []string{"oneOf", "anyOf", "allOf"} {
			if alts, ok := s[k].([]any); ok && len(alts) > 0 {
				return sample(alts[0].(map[string]any))
			}
		}
		typ := s["type"]
		if l, ok := typ.([]any); ok {
			typ = l[0]
		}
		if props, ok := s["properties"].(map[string]any); ok || typ == "object" {
			out := map[string]any{}
			for k, v := range props {
				out[k] = sample(v.(map[string]any))
			}
			return out
		}
		switch typ {
		case "boolean":
			return false
		case "integer", "number":
			return 0
		case "array":
			return []any{}
		}
		return ""
	}
	params := regexp.MustCompile(`\{[^}]+\}`)
	n := 0
	for path, ops := range doc["paths"].(map[string]any) {
		for method, op := range ops.(map[string]any) {
			rb, ok := op.(map[string]any)["requestBody"].(map[string]any)
			if !ok {
				continue
			}
			js, ok := rb["content"].(map[string]any)["application/json"].(map[string]any)
			if !ok {
				continue
			}
			body := sample(js["schema"].(map[string]any))
			target := "/api/v1" + params.ReplaceAllStringFunc(path, func(p string) string {
				if p == "{application_no}" {
					return e.fx.vision.ApplicationNo
				}
				return "1"
			})
			tok := ""
			for prefix, t := range tokens {
				if strings.HasPrefix(path, prefix) {
					tok = t
				}
			}
			status, m := e.jsonReq(t, strings.ToUpper(method), target, tok, body)
			if errCode(m) == "bad_json" || status == http.StatusRequestEntityTooLarge {
				t.Errorf("%s %s with every documented member %v: %d %v", strings.ToUpper(method), path, body, status, m)
			}
			n++
		}
	}
	if n < 7 {
		t.Fatalf("only %d request bodies found in openapi.json", n)
	}
}
