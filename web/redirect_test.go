package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// A hostile ?next= never takes a user off-site after login: the login form drops it, the POST ignores
// it, and a logged-in visit of /login?next=… goes to the local default.
func TestLoginNextOpenRedirectGoesToLocalDefault(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	for _, next := range []string{"/\t/evil.example/x", "/%09/evil.example/x", "/%2F/evil.example/x",
		"/\\evil.example", "//evil.example", "/%5Cevil.example", "/\uff0f/evil.example"} {
		cl := e.client()
		page := "/login?next=" + url.QueryEscape(next)
		r := cl.submit(t, page, "/login", url.Values{"email": {p.holder.Email}, "password": {testPassword}, "next": {next}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
			t.Errorf("login with next=%q: status %d, Location %q; want 303 to /account", next, r.status, r.header.Get("Location"))
		}
		r = cl.get(t, page)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
			t.Errorf("logged-in GET %s: status %d, Location %q; want 303 to /account", page, r.status, r.header.Get("Location"))
		}
	}
	// A local next still works.
	cl := e.client()
	r := cl.submit(t, "/login?next=%2Faccount%2Fpassword", "/login",
		url.Values{"email": {p.holder.Email}, "password": {testPassword}, "next": {"/account/password"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/password" {
		t.Fatalf("local next: status %d, Location %q", r.status, r.header.Get("Location"))
	}
}
