package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"patentwall/web"
)

// lockedBuffer is a log sink safe for the app's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Registering, logging in (right and wrong), changing the password, making and using API tokens and
// failing on a closed database write their log lines at the most verbose level; none of them holds a
// password, a token, a session cookie or a CSRF token.
func TestSecretsAreNeverLogged(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	var logs lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	prev := slog.Default()
	slog.SetDefault(logger)
	t.Cleanup(func() { slog.SetDefault(prev) })
	appWith(t, e, false, func(d *web.Deps) { d.Log = logger })

	secrets := map[string]string{}
	const (
		pagePassword = "Page-register-4711 horse"
		apiPassword  = "Api-register-0815 battery"
		wrongGuess   = "Wrong-guess-9911 staple"
		newPassword  = "Changed-password-2718 lamp"
	)
	for name, v := range map[string]string{"page registration password": pagePassword, "API registration password": apiPassword,
		"wrong password": wrongGuess, "new password": newPassword, "fixture password": testPassword} {
		secrets[name] = v
	}
	cookies := func(what string, cl *client) {
		for k, v := range cl.cookies {
			secrets[what+" cookie "+k] = v
		}
	}

	// Registration on the page and in the API.
	reg := e.client()
	form := registration(validUSCC("91", 4711), "new@log.example.cn")
	form.Set("user.password", pagePassword)
	if r := reg.submit(t, "/register", "/register", form); r.status != http.StatusSeeOther {
		t.Fatalf("page registration: %d %.300s", r.status, r.body)
	}
	cookies("registered", reg)
	secrets["registered CSRF"] = csrfOf(t, reg.get(t, "/account").body)
	status, m := e.jsonReq(t, http.MethodPost, "/api/v1/register", "", map[string]any{
		"org":  map[string]string{"uscc": validUSCC("91", 4712), "name": "日志测试科技有限公司", "kind": "enterprise", "district": "浦东新区", "address": "上海市浦东新区 1 号", "legal_rep": "赵六"},
		"user": map[string]string{"name": "赵六", "email": "api@log.example.cn", "password": apiPassword},
	})
	if status != http.StatusCreated {
		t.Fatalf("API registration: %d %v", status, m)
	}

	// Logins: a wrong password on the page and in the API, then the right one.
	cl := e.client()
	secrets["visitor CSRF"] = csrfOf(t, cl.get(t, "/login").body)
	cookies("visitor", cl)
	if r := cl.submit(t, "/login", "/login", url.Values{"email": {p.buyer.Email}, "password": {wrongGuess}}); r.status == http.StatusSeeOther {
		t.Fatal("a wrong password logged in")
	}
	if status, _ := e.jsonReq(t, http.MethodPost, "/api/v1/tokens", "", map[string]string{"email": p.buyer.Email, "password": wrongGuess}); status != http.StatusUnauthorized {
		t.Fatalf("API login with a wrong password: %d", status)
	}
	cl.login(t, p.buyer.Email)
	cookies("logged-in", cl)
	secrets["session CSRF"] = csrfOf(t, cl.get(t, "/account").body)

	// API tokens: made, used, revoked, used again; a made-up one.
	tok := e.token(t, p.buyer)
	secrets["API token"] = tok
	if r := e.bearer(t, http.MethodGet, "/api/v1/intents", tok, ""); r.status != http.StatusOK {
		t.Fatalf("using the token: %d %.200s", r.status, r.body)
	}
	if r := e.bearer(t, http.MethodDelete, "/api/v1/tokens/current", tok, ""); r.status != http.StatusNoContent {
		t.Fatalf("revoking the token: %d", r.status)
	}
	if r := e.bearer(t, http.MethodGet, "/api/v1/intents", tok, ""); r.status != http.StatusUnauthorized {
		t.Fatalf("a revoked token: %d", r.status)
	}
	secrets["made-up token"] = "pwt_" + strings.Repeat("Zq9", 14)
	e.bearer(t, http.MethodGet, "/api/v1/intents", secrets["made-up token"], "")

	// The password changed on the page.
	if r := cl.submit(t, "/account/password", "/account/password", url.Values{
		"password.current": {testPassword}, "password.new": {newPassword}, "password.confirm": {newPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("password change: %d %.300s", r.status, r.body)
	}
	cookies("after the change", cl)

	// Internal errors while secrets are in the request: the database closed under the app.
	late := e.client()
	late.login(t, p.corp.Email)
	csrf := csrfOf(t, late.get(t, "/account/password").body)
	cookies("late", late)
	secrets["late CSRF"] = csrf
	secrets["late token"] = e.token(t, p.corp)
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	late.post(t, "/account/password", url.Values{"_csrf": {csrf}, "password.current": {testPassword}, "password.new": {newPassword}, "password.confirm": {newPassword}})
	e.jsonReq(t, http.MethodPost, "/api/v1/tokens", "", map[string]string{"email": p.corp.Email, "password": wrongGuess})
	e.bearer(t, http.MethodGet, "/api/v1/intents", secrets["late token"], "")

	out := logs.String()
	// The capture works: every request was logged, the failures at error level.
	for _, want := range []string{`"path":"/register"`, `"path":"/api/v1/register"`, `"path":"/login"`, `"path":"/api/v1/tokens"`,
		`"path":"/account/password"`, `"path":"/api/v1/intents"`, `"level":"ERROR"`, `"msg":"internal error"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the log has no %s", want)
		}
	}
	for name, v := range secrets {
		if len(v) < 8 {
			t.Fatalf("%s is too short to look for: %q", name, v)
		}
		// As sent in a JSON body or header, and as a form encodes it.
		if strings.Contains(out, v) || strings.Contains(out, url.QueryEscape(v)) {
			t.Errorf("the log holds the %s", name)
		}
	}
	if len(secrets) < 12 {
		t.Fatalf("only %d secrets collected: %v", len(secrets), secrets)
	}
}
