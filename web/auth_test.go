package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

func TestLoginLogoutRoundTrip(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		cl := e.client()

		r := cl.get(t, "/account")
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2Faccount" {
			t.Fatalf("anonymous /account: %d %q", r.status, r.header.Get("Location"))
		}
		r = cl.submit(t, "/login", "/login", url.Values{"email": {p.holder.Email}, "password": {"wrong password!"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong password: status %d", r.status)
		}
		mustContain(t, "wrong password", r.body, "电子邮箱或密码不正确", `value="holder@uni.example.cn"`)
		if _, ok := cl.cookies["pw_session"]; ok {
			t.Fatal("a failed login set a session cookie")
		}

		cl.login(t, p.holder.Email)
		r = cl.get(t, "/account")
		if r.status != http.StatusOK {
			t.Fatalf("dashboard: %d", r.status)
		}
		mustContain(t, "dashboard", r.body, "我的账户", e.fx.uni.Name, "holder", `action="/logout"`)
		// Sessions are in the database: another app on the same store (a restart) knows the cookie.
		app2 := e.client()
		app2.cookies = cl.cookies
		if r := app2.get(t, "/account"); r.status != http.StatusOK {
			t.Fatalf("session not shared: %d", r.status)
		}

		// Logging out needs the token like every form.
		r = cl.post(t, "/logout", url.Values{})
		if r.status != http.StatusForbidden {
			t.Fatalf("logout without token: %d", r.status)
		}
		if r := cl.get(t, "/account"); r.status != http.StatusOK {
			t.Fatalf("refused logout logged out anyway: %d", r.status)
		}
		old := cl.cookies["pw_session"]
		r = cl.submit(t, "/account", "/logout", url.Values{})
		if r.status != http.StatusSeeOther {
			t.Fatalf("logout: %d", r.status)
		}
		if n := e.count(t, &market.Session{}, "user_id = ?", p.holder.ID); n != 0 {
			t.Fatalf("%d sessions left after logout", n)
		}
		// The old cookie no longer works; the user is told the session ended.
		stale := e.client()
		stale.cookies["pw_session"] = old
		r = stale.get(t, "/account")
		if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "expired=1") {
			t.Fatalf("stale session: %d %q", r.status, r.header.Get("Location"))
		}
	})
}

func TestSessionExpiryRedirectsToLoginWithMessage(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	clock := markettest.NewClock(now)
	e.store.Now = clock.Now
	cl := e.client()
	cl.login(t, p.buyer.Email)
	page := cl.get(t, "/patents/"+e.fx.vision.ApplicationNo)
	form := acceptForm(t, page.body)

	clock.Advance(market.SessionIdleTimeout + time.Minute)
	r := cl.get(t, "/account")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?expired=1&next=%2Faccount" {
		t.Fatalf("expired GET: %d %q", r.status, r.header.Get("Location"))
	}
	r = cl.get(t, r.header.Get("Location"))
	mustContain(t, "login after expiry", r.body, "您的登录已过期，请重新登录。")

	// A form posted with the expired session goes to the login page too, and changes nothing.
	cl2 := e.client()
	clock.Set(now)
	cl2.login(t, p.buyer.Email)
	page = cl2.get(t, "/patents/"+e.fx.vision.ApplicationNo)
	form = acceptForm(t, page.body)
	clock.Advance(market.SessionIdleTimeout + time.Minute)
	r = cl2.post(t, "/patents/"+e.fx.vision.ApplicationNo+"/accept", form)
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "expired=1") {
		t.Fatalf("expired POST: %d %q", r.status, r.header.Get("Location"))
	}
	if n := e.count(t, &market.Contract{}, "1 = 1"); n != 0 {
		t.Fatalf("%d contracts after an expired post", n)
	}
}

func TestCSRFForgedOrMissingIsRefusedAndChangesNothing(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		buyer, other := e.client(), e.client()
		buyer.login(t, p.buyer.Email)
		other.login(t, p.corp.Email)
		page := buyer.get(t, "/patents/"+e.fx.battery.ApplicationNo)
		form := acceptForm(t, page.body)
		target := "/patents/" + e.fx.battery.ApplicationNo + "/accept"

		missing := url.Values{}
		for k, v := range form {
			if k != "_csrf" {
				missing[k] = v
			}
		}
		forged := url.Values{}
		for k, v := range form {
			forged[k] = v
		}
		forged.Set("_csrf", csrfOf(t, other.get(t, "/account").body)) // a real token, of another session
		garbage := url.Values{}
		for k, v := range form {
			garbage[k] = v
		}
		garbage.Set("_csrf", "AAAA"+form.Get("_csrf")[4:])

		for name, f := range map[string]url.Values{"missing": missing, "other session's": forged, "altered": garbage} {
			r := buyer.post(t, target, f)
			if r.status != http.StatusForbidden {
				t.Errorf("%s token: status %d", name, r.status)
			}
			mustContain(t, name+" token", r.body, "CSRF 校验失败")
		}
		if n := e.count(t, &market.Contract{}, "1 = 1"); n != 0 {
			t.Fatalf("%d contracts after refused posts", n)
		}
		// The same form with its own token works.
		r := buyer.post(t, target, form)
		contractFromRedirect(t, r)

		// Forms for visitors (login) use a double-submit token: a post without the cookie is refused.
		anon := e.client()
		r = anon.post(t, "/login", url.Values{"email": {p.buyer.Email}, "password": {testPassword}, "_csrf": {"x"}})
		if r.status != http.StatusForbidden {
			t.Fatalf("login without the visitor token: %d", r.status)
		}
		if _, ok := anon.cookies["pw_session"]; ok {
			t.Fatal("a refused login logged in")
		}
		// An API request carries no cookie and needs no token; a cookie does not authenticate it.
		status, _ := e.jsonReq(t, http.MethodPost, "/api/v1/licences", "", map[string]string{"application_no": e.fx.vision.ApplicationNo, "idempotency_key": "k"})
		if status != http.StatusUnauthorized {
			t.Fatalf("anonymous API: %d", status)
		}
	})
}

func TestLoginIsRateLimited(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	cl := e.client()
	var last response
	for i := 0; i <= market.LoginMaxAttempts; i++ {
		last = cl.submit(t, "/login", "/login", url.Values{"email": {p.holder.Email}, "password": {"wrong password!"}})
	}
	if last.status != http.StatusTooManyRequests {
		t.Fatalf("attempt %d: status %d", market.LoginMaxAttempts+1, last.status)
	}
	mustContain(t, "rate limited", last.body, "尝试次数过多")
	// Even the right password is refused while the window lasts.
	r := cl.submit(t, "/login", "/login", url.Values{"email": {p.holder.Email}, "password": {testPassword}})
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("right password while limited: %d", r.status)
	}
	// The API's token endpoint counts the same attempts.
	status, m := e.jsonReq(t, http.MethodPost, "/api/v1/tokens", "", map[string]string{"email": p.holder.Email, "password": testPassword})
	if status != http.StatusTooManyRequests || errCode(m) != "rate_limited" {
		t.Fatalf("token while limited: %d %v", status, m)
	}
}

func TestAPITokensCreateUseRevoke(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		status, m := e.jsonReq(t, http.MethodPost, "/api/v1/tokens", "", map[string]string{"email": p.buyer.Email, "password": "nope nope nope"})
		if status != http.StatusUnauthorized || errCode(m) != "invalid_login" {
			t.Fatalf("bad password: %d %v", status, m)
		}
		status, _ = e.jsonReq(t, http.MethodPost, "/api/v1/tokens", "", nil)
		if status != http.StatusBadRequest {
			t.Fatalf("no body: %d", status)
		}
		tok := e.token(t, p.buyer)
		status, m = e.jsonReq(t, http.MethodPost, "/api/v1/licences", tok, map[string]string{"application_no": e.fx.battery.ApplicationNo, "idempotency_key": "k1"})
		if status != http.StatusCreated {
			t.Fatalf("licence with token: %d %v", status, m)
		}
		status, m = e.jsonReq(t, http.MethodPost, "/api/v1/licences", "garbage", map[string]string{"application_no": e.fx.battery.ApplicationNo, "idempotency_key": "k1"})
		if status != http.StatusUnauthorized || errCode(m) != "unauthenticated" {
			t.Fatalf("bad token: %d %v", status, m)
		}
		if status, _ = e.jsonReq(t, http.MethodDelete, "/api/v1/tokens/current", tok, nil); status != http.StatusNoContent {
			t.Fatalf("revoke: %d", status)
		}
		status, _ = e.jsonReq(t, http.MethodGet, "/api/v1/contracts/whatever", tok, nil)
		if status != http.StatusUnauthorized {
			t.Fatalf("revoked token still works: %d", status)
		}
	})
}
