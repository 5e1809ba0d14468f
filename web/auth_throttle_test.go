package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/web"
)

// proxiedEnv is env behind a trusted proxy: the test connection's address (0.0.0.0) is trusted, so a
// client's ip field (sent as X-Forwarded-For) is the client address the app sees.
func proxiedEnv(t *testing.T, e *env) *env {
	t.Helper()
	app, err := web.New(web.Deps{Store: e.store, Index: e.index, BaseURL: "https://patents.example.cn/", TrustedProxies: []string{"0.0.0.0"}})
	if err != nil {
		t.Fatal(err)
	}
	e.app = app
	return e
}

func (e *env) clientAt(ip string) *client {
	cl := e.client()
	cl.ip = ip
	return cl
}

// apiFrom sends a JSON API request from a client address.
func (cl *client) apiFrom(t *testing.T, target string, body any) (int, map[string]any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	r := cl.do(t, req)
	m := map[string]any{}
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("POST %s: %v in %q", target, err, r.body)
	}
	return r.status, m
}

// An anonymous attacker failing an account's logins from one address is locked out of that account
// at that address only: the owner, from another address, still logs in on the page and gets API tokens.
func TestLoginFailuresCountPerAddressAndAccount(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e = proxiedEnv(t, e)
		p := e.people(t)
		attacker := e.clientAt("203.0.113.7")
		var last response
		for i := 0; i <= market.LoginMaxAttempts; i++ {
			last = attacker.submit(t, "/login", "/login", url.Values{"email": {p.holder.Email}, "password": {fmt.Sprint("guess ", i)}})
		}
		if last.status != http.StatusTooManyRequests {
			t.Fatalf("attacker's attempt %d: %d", market.LoginMaxAttempts+1, last.status)
		}
		mustRetryAfter(t, "login page", last.header, market.LoginWindow)
		if status, m := attacker.apiFrom(t, "/api/v1/tokens", map[string]string{"email": p.holder.Email, "password": testPassword}); status != http.StatusTooManyRequests || errCode(m) != "rate_limited" {
			t.Fatalf("attacker's token request: %d %v", status, m)
		}

		owner := e.clientAt("198.51.100.2")
		owner.login(t, p.holder.Email)
		if status, m := e.clientAt("198.51.100.3").apiFrom(t, "/api/v1/tokens", map[string]string{"email": p.holder.Email, "password": testPassword}); status != http.StatusCreated {
			t.Fatalf("owner's token request from another address: %d %v", status, m)
		}
	})
}

// Registration, on the page and in the API, is limited per client address.
func TestRegistrationIsThrottledPerAddress(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e = proxiedEnv(t, e)
		flood := e.clientAt("203.0.113.9")
		bad := map[string]any{"org": map[string]string{"kind": "enterprise"}}
		for i := range web.RegisterMaxPerIP {
			if status, m := flood.apiFrom(t, "/api/v1/register", bad); status != http.StatusUnprocessableEntity {
				t.Fatalf("registration %d: %d %v", i+1, status, m)
			}
		}
		if status, m := flood.apiFrom(t, "/api/v1/register", bad); status != http.StatusTooManyRequests || errCode(m) != "rate_limited" {
			t.Fatalf("API registration beyond the limit: %d %v", status, m)
		}
		r := flood.submit(t, "/register", "/register", registration(validUSCC("91", 901), "flood@example.cn"))
		if r.status != http.StatusTooManyRequests {
			t.Fatalf("page registration beyond the limit: %d", r.status)
		}
		mustContain(t, "rate limited", r.body, "尝试次数过多")
		mustRetryAfter(t, "registration page", r.header, web.RegisterWindow)
		if n := e.count(t, &market.User{}, "email = ?", "flood@example.cn"); n != 0 {
			t.Fatal("a throttled registration was stored")
		}

		// Another address registers.
		other := e.clientAt("198.51.100.9")
		r = other.submit(t, "/register", "/register", registration(validUSCC("91", 902), "fresh@example.cn"))
		if r.status != http.StatusSeeOther {
			t.Fatalf("registration from another address: %d %.300s", r.status, r.body)
		}
	})
}
