package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/web"
)

// appWith replaces e's app by one built with deps changed by mod; trusted makes the test connection's
// address (0.0.0.0) and 10.0.0.0/8 trusted proxies, so X-Forwarded-For names the client.
func appWith(t *testing.T, e *env, trusted bool, mod func(d *web.Deps)) {
	t.Helper()
	d := web.Deps{Store: e.store, Index: e.index, BaseURL: "https://patents.example.cn/"}
	if trusted {
		d.TrustedProxies = []string{"0.0.0.0", "10.0.0.0/8"}
	}
	if mod != nil {
		mod(&d)
	}
	app, err := web.New(d)
	if err != nil {
		t.Fatal(err)
	}
	e.app = app
}

// apiAs sends a JSON request with an optional token and an X-Forwarded-For header (empty: none).
func apiAs(t *testing.T, e *env, method, target, token, xff string, body any) (int, map[string]any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, target, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	r := e.do(t, req)
	m := map[string]any{}
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("%s %s: %v in %q", method, target, err, r.body)
	}
	return r.status, m
}

// mustRetryAfter asserts that a 429 answer says when to try again: whole seconds within (0, window].
func mustRetryAfter(t *testing.T, what string, h http.Header, window time.Duration) {
	t.Helper()
	v := h.Get("Retry-After")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || time.Duration(n)*time.Second > window {
		t.Errorf("%s: Retry-After %q, want 1..%d seconds", what, v, int(window/time.Second))
	}
}

// forged is a different made-up client address for each attempt.
func forged(i int) string { return fmt.Sprintf("203.0.%d.%d", 113+i/250, 1+i%250) }

// limitCase is one rate-limited action: attempt sends the i-th attempt from X-Forwarded-For xff (as
// the buyer, with the buyer's token tok, where it needs a user).
type limitCase struct {
	name    string
	limit   int // attempts allowed from one address
	mod     func(d *web.Deps)
	attempt func(t *testing.T, e *env, tok string, i int, xff string) (int, map[string]any)
}

func limitCases() []limitCase {
	return []limitCase{
		{name: "login", limit: market.LoginMaxAttempts, attempt: func(t *testing.T, e *env, tok string, i int, xff string) (int, map[string]any) {
			return apiAs(t, e, http.MethodPost, "/api/v1/tokens", "", xff, map[string]string{"email": "holder@uni.example.cn", "password": fmt.Sprint("guess ", i)})
		}},
		{name: "registration", limit: web.RegisterMaxPerIP, attempt: func(t *testing.T, e *env, tok string, i int, xff string) (int, map[string]any) {
			return apiAs(t, e, http.MethodPost, "/api/v1/register", "", xff, map[string]any{"org": map[string]string{"kind": "enterprise"}})
		}},
		{name: "acceptance", limit: 3, mod: func(d *web.Deps) { d.AcceptLimits = web.ActionLimits{PerOrg: -1, PerAddr: 3} },
			attempt: func(t *testing.T, e *env, tok string, i int, xff string) (int, map[string]any) {
				return apiAs(t, e, http.MethodPost, "/api/v1/licences", tok, xff,
					map[string]string{"application_no": e.fx.bulk[i].ApplicationNo, "idempotency_key": fmt.Sprint("limit-", i)})
			}},
		{name: "intents", limit: 3, mod: func(d *web.Deps) { d.IntentLimits = web.ActionLimits{PerAddr: 3} },
			attempt: func(t *testing.T, e *env, tok string, i int, xff string) (int, map[string]any) {
				// One intent, then conflicts (an open one exists): attempts count whatever their outcome.
				return apiAs(t, e, http.MethodPost, "/api/v1/intents", tok, xff,
					map[string]string{"application_no": e.fx.design.ApplicationNo, "kind": market.ContractTransfer})
			}},
	}
}

// Every per-address limit (login, registration, acceptance, intents) holds against a client that
// changes its X-Forwarded-For on every attempt when no proxy is trusted: the 429 comes at the same
// attempt as without the header. When TRUSTED_PROXIES names the sender, the header names the client
// and each new address starts its own count; but what the client wrote to the left of the address a
// trusted proxy appended (or to the left of a chain of trusted proxies) is never believed.
func TestRateLimitsIgnoreForgedForwardedFor(t *testing.T) {
	modes := []struct {
		name    string
		trusted bool
		xff     func(i int) string
		limited bool // the attempt after the limit is refused
	}{
		{"no trusted proxy, forged header", false, forged, true},
		{"trusted proxy, a new client each time", true, forged, false},
		{"trusted proxy appending the client to a forged header", true, func(i int) string { return forged(i) + ", 198.51.100.50" }, true},
		{"forged header through two trusted proxies", true, func(i int) string { return forged(i) + ",198.51.100.51, 10.1.2.3" }, true},
		{"trusted proxy, one client", true, func(int) string { return "198.51.100.77" }, true},
	}
	for _, lc := range limitCases() {
		t.Run(lc.name, func(t *testing.T) {
			e := sqliteEnv(t)
			p := e.people(t)
			tok := e.token(t, p.buyer)
			// Each mode counts under its own client address, so they share the database.
			for _, mode := range modes {
				appWith(t, e, mode.trusted, lc.mod)
				for i := 0; i <= lc.limit; i++ {
					status, m := lc.attempt(t, e, tok, i, mode.xff(i))
					limited := status == http.StatusTooManyRequests
					switch {
					case i < lc.limit && limited:
						t.Fatalf("%s: attempt %d of %d refused: %d %v", mode.name, i+1, lc.limit, status, m)
					case i == lc.limit && mode.limited && (!limited || errCode(m) != market.CodeRateLimited):
						t.Fatalf("%s: attempt %d: %d %v; want 429 rate_limited", mode.name, i+1, status, m)
					case i == lc.limit && !mode.limited && limited:
						t.Fatalf("%s: attempt %d from a new address: 429 %v", mode.name, i+1, m)
					}
				}
			}
		})
	}
}

// Acceptances are limited per organisation too, from any address, on the API and the patent page
// alike; the refusal is 429 rate_limited in both languages and signs nothing. On both databases.
func TestAcceptanceLimitPerOrganisation(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		buyer, corp := e.token(t, p.buyer), e.token(t, p.corp)
		appWith(t, e, true, func(d *web.Deps) { d.AcceptLimits = web.ActionLimits{PerOrg: 2, PerAddr: -1} })
		accept := func(i int, tok, query string) (int, map[string]any) {
			return apiAs(t, e, http.MethodPost, "/api/v1/licences"+query, tok, forged(i),
				map[string]string{"application_no": e.fx.bulk[i].ApplicationNo, "idempotency_key": fmt.Sprint("org-", i)})
		}
		for i := range 2 {
			if status, m := accept(i, buyer, ""); status != http.StatusCreated {
				t.Fatalf("acceptance %d: %d %v", i+1, status, m)
			}
		}
		status, m := accept(2, buyer, "")
		msg, _ := m["error"].(map[string]any)["message"].(string)
		if status != http.StatusTooManyRequests || errCode(m) != market.CodeRateLimited || !strings.Contains(msg, "尝试次数过多") {
			t.Fatalf("third acceptance: %d %v; want 429 rate_limited in Chinese", status, m)
		}
		status, m = accept(3, buyer, "?lang=en")
		msg, _ = m["error"].(map[string]any)["message"].(string)
		if status != http.StatusTooManyRequests || !strings.Contains(msg, "too many attempts") {
			t.Fatalf("fourth acceptance in English: %d %v", status, m)
		}
		req := httptest.NewRequest(http.MethodPost, "/api/v1/licences", strings.NewReader(
			`{"application_no":"`+e.fx.bulk[4].ApplicationNo+`","idempotency_key":"org-4"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+buyer)
		if r := e.do(t, req); r.status != http.StatusTooManyRequests {
			t.Fatalf("fifth acceptance: %d %s", r.status, r.body)
		} else {
			// The window (an hour) began with the first acceptance, moments ago.
			mustRetryAfter(t, "API acceptance", r.header, time.Hour)
			if n, _ := strconv.Atoi(r.header.Get("Retry-After")); n < 3000 {
				t.Errorf("Retry-After %d s; the hour's window began moments ago", n)
			}
		}
		if n := e.count(t, &market.Contract{}, "licensee_id = ?", p.buyerOrg.ID); n != 2 {
			t.Fatalf("%d contracts for the throttled organisation; want 2", n)
		}

		// The page form of the same organisation is refused too, with the reason on the page.
		cl := e.client()
		cl.ip = "198.51.100.20"
		cl.login(t, p.buyer.Email)
		page := cl.get(t, "/patents/"+e.fx.bulk[5].ApplicationNo)
		r := cl.post(t, "/patents/"+e.fx.bulk[5].ApplicationNo+"/accept", acceptForm(t, page.body))
		if r.status != http.StatusTooManyRequests {
			t.Fatalf("page acceptance beyond the limit: %d %.300s", r.status, r.body)
		}
		mustContain(t, "throttled accept page", r.body, "尝试次数过多")
		mustRetryAfter(t, "page acceptance", r.header, time.Hour)
		if n := e.count(t, &market.Contract{}, "licensee_id = ?", p.buyerOrg.ID); n != 2 {
			t.Fatalf("%d contracts after the page attempt; want 2", n)
		}

		// Another organisation is not affected.
		if status, m := accept(6, corp, ""); status != http.StatusCreated {
			t.Fatalf("another organisation's acceptance: %d %v", status, m)
		}
	})
}

// The page forms of acceptance and intents count with the API's: a client throttled on the API is
// throttled on the page from the same address, even with a forged X-Forwarded-For.
func TestPageFormsShareTheAddressLimits(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	tok := e.token(t, p.buyer)
	appWith(t, e, false, func(d *web.Deps) {
		d.AcceptLimits = web.ActionLimits{PerOrg: -1, PerAddr: 1}
		d.IntentLimits = web.ActionLimits{PerAddr: 1}
	})
	if status, m := apiAs(t, e, http.MethodPost, "/api/v1/licences", tok, "", map[string]string{
		"application_no": e.fx.bulk[0].ApplicationNo, "idempotency_key": "page-1"}); status != http.StatusCreated {
		t.Fatalf("API acceptance: %d %v", status, m)
	}
	if status, m := apiAs(t, e, http.MethodPost, "/api/v1/intents", tok, "", map[string]string{
		"application_no": e.fx.design.ApplicationNo, "kind": market.ContractTransfer}); status != http.StatusCreated {
		t.Fatalf("API intent: %d %v", status, m)
	}
	cl := e.client()
	cl.login(t, p.buyer.Email)
	cl.ip = "192.0.2.55" // forged: no proxy is trusted
	page := cl.get(t, "/patents/"+e.fx.bulk[1].ApplicationNo)
	if r := cl.post(t, "/patents/"+e.fx.bulk[1].ApplicationNo+"/accept", acceptForm(t, page.body)); r.status != http.StatusTooManyRequests {
		t.Fatalf("page acceptance: %d %.300s", r.status, r.body)
	}
	r := cl.submit(t, "/patents/"+e.fx.design.ApplicationNo, "/intents", url.Values{
		"application_no": {e.fx.design.ApplicationNo}, "kind": {market.ContractTransfer}, "message": {"想谈谈"}})
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("page intent: %d %.300s", r.status, r.body)
	}
	mustContain(t, "throttled intent page", r.body, "尝试次数过多")
	mustRetryAfter(t, "page intent", r.header, time.Hour)
	if n := e.count(t, &market.Contract{}, "licensee_id = ?", p.buyerOrg.ID); n != 1 {
		t.Fatalf("%d contracts; want 1", n)
	}
	if n := e.count(t, &market.Intent{}, "buyer_id = ?", p.buyerOrg.ID); n != 1 {
		t.Fatalf("%d intents; want 1", n)
	}
}

// A TRUSTED_PROXIES entry that is no address or prefix stops the app from starting: ignored, it would
// leave the proxy untrusted and put every client behind it under one per-address count.
func TestTrustedProxiesMustParse(t *testing.T) {
	e := sqliteEnv(t)
	for _, bad := range [][]string{{"lb.internal"}, {"10.0.0.0/8", "10.0.0.0/33"}, {"0.0.0.0", ""}} {
		if _, err := web.New(web.Deps{Store: e.store, Index: e.index, TrustedProxies: bad}); err == nil {
			t.Errorf("TrustedProxies %q accepted", bad)
		}
	}
	for _, good := range [][]string{{"10.0.0.1"}, {"10.0.0.0/8", "fd00::/8", "::1"}, {" 192.0.2.1 "}} {
		if _, err := web.New(web.Deps{Store: e.store, Index: e.index, TrustedProxies: good}); err != nil {
			t.Errorf("TrustedProxies %q: %v", good, err)
		}
	}
}
