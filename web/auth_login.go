package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"patentwall/market"
)

// LoginMaxPerIP bounds login attempts (and API token requests) from one address per market.LoginWindow,
// across every e-mail address; market.Authenticate separately counts failures per address and account
// (market.LoginMaxAttempts) and per account (market.LoginMaxPerAccount). The counters live in the
// database, so several servers count together. Behind a reverse proxy the address is the proxy's unless
// it is listed in TrustedProxies; then it is the nearest untrusted X-Forwarded-For entry (clientIP).
var LoginMaxPerIP = 300

// loginAllowedFrom counts one attempt from the client's address and puts the address in the request's
// context, where market.Authenticate (also behind Store.CreateAPIToken) reads it.
func (a *App) loginAllowedFrom(c *fiber.Ctx) error {
	ip := a.clientIP(c)
	c.SetUserContext(market.WithClientAddr(c.UserContext(), ip))
	return a.Store.AllowAttempt(c.UserContext(), "login-ip:"+ip, LoginMaxPerIP, market.LoginWindow)
}

// RegisterMaxPerIP bounds registrations (page and API, accepted or not) from one address per
// RegisterWindow, counted in the database like logins.
var (
	RegisterMaxPerIP = 20
	RegisterWindow   = time.Hour
)

// registerAllowedFrom counts one registration attempt from the client's address.
func (a *App) registerAllowedFrom(c *fiber.Ctx) error {
	return a.Store.AllowAttempt(c.UserContext(), "register-ip:"+a.clientIP(c), RegisterMaxPerIP, RegisterWindow)
}

var loginFields = []string{"email", "password", "next"}

// loginPage is GET /login.
func (a *App) loginPage(c *fiber.Ctx) error {
	next := safeNext(c.Query("next"))
	if authOf(c) != nil {
		return c.Redirect(orDefault(next, "/account"), fiber.StatusSeeOther)
	}
	f := newForm(Lang(c), loginFields...)
	f.Values["next"] = next
	return a.renderLogin(c, fiber.StatusOK, f)
}

func (a *App) renderLogin(c *fiber.Ctx, status int, f *form) error {
	a.anonCSRF(c)
	data := pageData(c)
	data["Form"] = f
	data["Expired"] = c.Query("expired") == "1"
	return a.Render(c, status, "account/login", data)
}

// login is POST /login: check the password (rate-limited per address and per e-mail), start a session,
// and go back where the user came from.
func (a *App) login(c *fiber.Ctx) error {
	f := parseForm(c, loginFields...)
	next := safeNext(f.Get("next"))
	err := a.loginAllowedFrom(c)
	var u *market.User
	if err == nil {
		u, err = a.Store.Authenticate(c.UserContext(), f.Get("email"), f.Values["password"])
	}
	if err != nil {
		if !f.AddErr(err) {
			return err
		}
		f.Values["password"] = ""
		return a.renderLogin(c, formRefusedStatus(c, err), f)
	}
	tok, err := a.Store.CreateSession(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	a.setSessionCookie(c, tok)
	return c.Redirect(orDefault(next, "/account"), fiber.StatusSeeOther)
}

// logout is POST /logout: end the session (CSRF-checked like every form, so no other site can log a
// user out).
func (a *App) logout(c *fiber.Ctx) error {
	if tok := c.Cookies(sessionCookie); tok != "" {
		if err := a.Store.DeleteSession(c.UserContext(), tok); err != nil {
			return err
		}
	}
	a.clearSessionCookie(c)
	return c.Redirect(withDone("/login", "done.logged_out"), fiber.StatusSeeOther)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
