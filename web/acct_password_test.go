package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A user changes their password from the account pages: each mistake is shown on its field with the
// form kept (passwords never echoed), the change ends the user's other sessions but not this one, and
// only the new password logs in afterwards.
func TestPasswordChange(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		cl, other := e.client(), e.client()
		cl.login(t, p.buyer.Email)
		other.login(t, p.buyer.Email)
		if r := cl.get(t, "/account"); !strings.Contains(r.body, `href="/account/password"`) {
			t.Fatalf("dashboard has no link to the password form")
		}
		page := cl.get(t, "/account/password")
		mustContain(t, "form", page.body, "修改密码", `name="password.current"`, `autocomplete="current-password"`,
			`name="password.new"`, `name="password.confirm"`, `autocomplete="new-password"`)

		const next = "a brand new secret"
		for _, tc := range []struct {
			name        string
			form        url.Values
			want        string
			invalidName string
		}{
			{"wrong current", url.Values{"password.current": {"not my password"}, "password.new": {next}, "password.confirm": {next}},
				"当前密码不正确", "password.current"},
			{"too short", url.Values{"password.current": {testPassword}, "password.new": {"short"}, "password.confirm": {"short"}},
				"密码至少", "password.new"},
			{"mismatch", url.Values{"password.current": {testPassword}, "password.new": {next}, "password.confirm": {next + "!"}},
				"两次输入的新密码不一致", "password.confirm"},
		} {
			r := cl.submit(t, "/account/password", "/account/password", tc.form)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("%s: status %d", tc.name, r.status)
			}
			mustContain(t, tc.name, r.body, tc.want, `id="f-`+tc.invalidName+`" name="`+tc.invalidName+`" type="password" required aria-invalid="true"`)
			if strings.Contains(r.body, testPassword) || strings.Contains(r.body, next) {
				t.Errorf("%s: a password is echoed in the page", tc.name)
			}
		}

		r := cl.submit(t, "/account/password", "/account/password", url.Values{
			"password.current": {testPassword}, "password.new": {next}, "password.confirm": {next}})
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/account") {
			t.Fatalf("change: status %d location %q: %.300s", r.status, r.header.Get("Location"), r.body)
		}
		if r := cl.get(t, r.header.Get("Location")); r.status != http.StatusOK || !strings.Contains(r.body, "密码已修改") {
			t.Errorf("after the change: status %d, no confirmation", r.status)
		}
		if r := other.get(t, "/account"); r.status != http.StatusSeeOther {
			t.Errorf("the other session still opens /account: status %d", r.status)
		}
		fresh := e.client()
		if r := fresh.submit(t, "/login", "/login", url.Values{"email": {p.buyer.Email}, "password": {testPassword}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("old password: status %d", r.status)
		}
		if r := fresh.submit(t, "/login", "/login", url.Values{"email": {p.buyer.Email}, "password": {next}}); r.status != http.StatusSeeOther {
			t.Errorf("new password: status %d", r.status)
		}
		// Without a session the form is behind the login.
		if r := e.client().get(t, "/account/password"); r.status != http.StatusSeeOther {
			t.Errorf("anonymous: status %d", r.status)
		}
	})
}
