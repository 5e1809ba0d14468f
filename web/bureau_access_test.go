package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Every bureau page and API route is for bureau users only: anonymous visitors are sent to log in
// (pages) or get a 401 (API); holders, licensees, operators and admins get a 403; nothing changes.
func TestBureauAccess(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	e.bureauWorld(t)
	bc := e.bureauClient(t, p)
	// a stored run, so run pages exist
	r := bc.postForm(t, "/bureau/rounds/art22-2022", "/bureau/rounds/art22-2022/runs", url.Values{"as_of": {"2023-03-01"}})
	mustStatus(t, "compute", r, http.StatusSeeOther)

	pages := []string{"/bureau", "/bureau/contracts", "/bureau/contracts/export?format=csv", "/bureau/rounds",
		"/bureau/rounds/new", "/bureau/rounds/art22-2022", "/bureau/rounds/art22-2022/edit", "/bureau/rounds/art22-2022/compare",
		"/bureau/rounds/art22-2022/runs/1", "/bureau/rounds/art22-2022/runs/1/lines",
		"/bureau/rounds/art22-2022/runs/1/export?format=xlsx", "/bureau/rounds/art22-2022/runs/1/recipients/" + validUSCC("91", 201),
		"/bureau/reviews"}
	for _, path := range pages {
		r := bc.get(t, path)
		mustStatus(t, "bureau GET "+path, r, http.StatusOK)
	}

	anon := e.client()
	for _, path := range pages {
		r := anon.get(t, path)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login?next=") {
			t.Errorf("anonymous GET %s: %d %q", path, r.status, r.header.Get("Location"))
		}
	}
	others := map[string]string{"holder": p.holder.Email, "licensee": p.corp.Email, "operator": p.operator.Email, "admin": p.admin.Email}
	for who, email := range others {
		cl := e.client()
		cl.login(t, email)
		for _, path := range pages {
			r := cl.get(t, path)
			if r.status != http.StatusForbidden {
				t.Errorf("%s GET %s: status %d, want 403", who, path, r.status)
			}
		}
		// forms posted with the user's own valid CSRF token are refused too, and change nothing
		page := cl.get(t, "/account")
		tok := csrfOf(t, page.body)
		posts := map[string]url.Values{
			"/bureau/rounds": {"id": {"x-" + who}, "rule": {"licensor_open_licence"}, "window_from": {"2030-01-01"},
				"window_to": {"2030-12-31"}, "unit_yuan": {"1"}, "cap_yuan": {"10"}},
			"/bureau/rounds/art22-2022/runs":          {"as_of": {"2023-03-01"}},
			"/bureau/rounds/art22-2022/runs/1/freeze": {"confirm": {"1"}},
			"/bureau/reviews":                         {"round": {"art22-2022"}, "contract_no": {c2}, "decision": {"approve"}, "note": {"ok"}},
		}
		for path, form := range posts {
			form.Set("_csrf", tok)
			if r := cl.post(t, path, form); r.status != http.StatusForbidden {
				t.Errorf("%s POST %s: status %d, want 403", who, path, r.status)
			}
		}
	}
	var rounds, runs, reviews int64
	e.store.Gorm().Table("bonus_rounds").Count(&rounds)
	e.store.Gorm().Table("bonus_runs").Count(&runs)
	e.store.Gorm().Table("flag_reviews").Count(&reviews)
	if rounds != 2 || runs != 1 || reviews != 0 {
		t.Fatalf("refused requests changed data: %d rounds, %d runs, %d reviews", rounds, runs, reviews)
	}
	var frozen int64
	e.store.Gorm().Table("bonus_runs").Where("frozen = ?", true).Count(&frozen)
	if frozen != 0 {
		t.Fatal("a refused freeze froze the run")
	}

	// The API: no token 401, someone else's token 403, the bureau's 2xx.
	api := []struct{ method, path string }{
		{http.MethodGet, "/api/v1/bureau/contracts"}, {http.MethodGet, "/api/v1/bureau/rounds"},
		{http.MethodGet, "/api/v1/bureau/rounds/art22-2022/runs"}, {http.MethodPost, "/api/v1/bureau/rounds/art22-2022/runs"},
		{http.MethodGet, "/api/v1/bureau/rounds/art22-2022/runs/1"},
	}
	tokens := map[string]string{"holder": e.token(t, p.holder), "licensee": e.token(t, p.corp), "operator": e.token(t, p.operator),
		"admin": e.token(t, p.admin)}
	bt := e.token(t, p.bureau)
	for _, a := range api {
		status, m := e.jsonReq(t, a.method, a.path, "", nil)
		if status != http.StatusUnauthorized || errCode(m) != "unauthenticated" {
			t.Errorf("anonymous %s %s: %d %v", a.method, a.path, status, m)
		}
		for who, tok := range tokens {
			status, m := e.jsonReq(t, a.method, a.path, tok, nil)
			if status != http.StatusForbidden || errCode(m) != "forbidden" {
				t.Errorf("%s %s %s: %d %v", who, a.method, a.path, status, m)
			}
		}
		r := e.bearer(t, a.method, a.path, bt, "")
		if r.status != http.StatusOK && r.status != http.StatusCreated {
			t.Errorf("bureau %s %s: %d %.300s", a.method, a.path, r.status, r.body)
		}
	}
	e.store.Gorm().Table("bonus_runs").Count(&runs)
	if runs != 2 { // the page's run and the bureau's API run
		t.Fatalf("%d runs stored, want 2", runs)
	}
}

// The navigation shows the bureau entry to bureau users only.
func TestBureauNav(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	bc := e.bureauClient(t, p)
	mustContain(t, "bureau nav", bc.get(t, "/").body, `href="/bureau"`)
	hc := e.client()
	hc.login(t, p.holder.Email)
	mustNotContain(t, "holder nav", hc.get(t, "/").body, `href="/bureau"`)
	mustNotContain(t, "anonymous nav", e.get(t, "/").body, `href="/bureau"`)
}
