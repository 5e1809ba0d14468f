package web

// Who is asking: the session cookie for pages, a bearer token for /api/v1, and the CSRF check on every
// unsafe page request. Sessions live in the database (market.SessionUser), so a restart logs nobody out
// and several servers share them. The API never looks at cookies, so it needs no CSRF token.

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/unicode/norm"

	"patentwall/market"
)

const (
	// sessionCookie carries the session token (its SHA-256 is the sessions row's id).
	sessionCookie = "pw_session"
	// anonCSRFCookie carries the double-submit token of forms shown to visitors who are not logged in
	// (login, registration); logged-in forms use the session's synchroniser token instead.
	anonCSRFCookie = "pw_csrf"
	// csrfField is the hidden form field (or the X-CSRF-Token header) with the token.
	csrfField = "_csrf"
)

// Locals keys set by authenticate.
const (
	localAuth           = "auth"
	localActor          = "actor"
	localSessionExpired = "session_expired"
)

// authenticate resolves the request's user: a bearer token under /api/, the session cookie elsewhere.
// Unsafe page requests must then carry a valid CSRF token. Nothing is written for anonymous visitors
// without cookies, so public pages cost no extra query.
func (a *App) authenticate(c *fiber.Ctx) error {
	if isAPI(c) {
		return a.authenticateAPI(c)
	}
	if tok := c.Cookies(sessionCookie); tok != "" {
		au, err := a.Store.SessionUser(c.UserContext(), tok)
		switch {
		case err == nil:
			a.setAuth(c, au)
			c.Locals("csrf", market.CSRFToken(au.CSRFSecret))
		case errors.Is(err, market.ErrUnauth):
			// Expired, logged out elsewhere, or the user was disabled: forget the cookie, and let pages
			// that need a login say why the user has to log in again.
			c.Locals(localSessionExpired, true)
			a.clearSessionCookie(c)
		default:
			return err
		}
	}
	if isUnsafe(c.Method()) {
		if done, err := a.checkCSRF(c); done || err != nil {
			return err
		}
	}
	return c.Next()
}

func isUnsafe(method string) bool {
	switch method {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions, fiber.MethodTrace:
		return false
	}
	return true
}

// anonFormPaths take a POST from visitors who are not logged in; their forms carry the double-submit token.
var anonFormPaths = map[string]bool{"/login": true, "/register": true}

var errCSRF = &market.FieldError{Code: codeCSRFFailed,
	MessageZH: "表单已过期或来源无法确认（CSRF 校验失败），操作未执行。请返回上一页，刷新后重新提交。",
	MessageEN: "This form has expired or its origin could not be confirmed (CSRF check failed); nothing was done. Go back, reload the page and submit again."}

// checkCSRF refuses an unsafe page request without the right token (403, nothing done). A request whose
// session just expired is sent to the login page instead (done is true: the response is written): the
// form was probably genuine but stale.
func (a *App) checkCSRF(c *fiber.Ctx) (done bool, err error) {
	sent := c.Get("X-CSRF-Token")
	if sent == "" {
		sent = postedValue(c, csrfField)
	}
	if au := authOf(c); au != nil {
		if market.ValidCSRF(au.CSRFSecret, sent) {
			return false, nil
		}
		return true, errCSRF
	}
	if expired, _ := c.Locals(localSessionExpired).(bool); expired && !anonFormPaths[c.Path()] {
		return true, c.Redirect(loginURL(refererPath(c), true), fiber.StatusSeeOther)
	}
	ck := c.Cookies(anonCSRFCookie)
	if ck != "" && sent != "" && subtle.ConstantTimeCompare([]byte(ck), []byte(sent)) == 1 {
		return false, nil
	}
	return true, errCSRF
}

// postedValue reads a field of a url-encoded or multipart body (never the query string, so a token
// cannot leak through URLs and logs).
func postedValue(c *fiber.Ctx, name string) string {
	if v := c.Request().PostArgs().Peek(name); len(v) > 0 {
		return string(v)
	}
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		if mf, err := c.MultipartForm(); err == nil {
			if v := mf.Value[name]; len(v) > 0 {
				return v[0]
			}
		}
	}
	return ""
}

// anonCSRF returns the visitor's double-submit token, setting the cookie when there is none yet. Pages
// with forms for visitors (login, registration) call it before rendering.
func (a *App) anonCSRF(c *fiber.Ctx) string {
	if tok, ok := c.Locals("csrf").(string); ok && tok != "" {
		return tok
	}
	tok := c.Cookies(anonCSRFCookie)
	if len(tok) < 32 {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		tok = base64.RawURLEncoding.EncodeToString(b)
		c.Cookie(&fiber.Cookie{Name: anonCSRFCookie, Value: tok, Path: "/", HTTPOnly: true,
			Secure: a.SecureCookies, SameSite: fiber.CookieSameSiteLaxMode})
	}
	c.Locals("csrf", tok)
	return tok
}

// authenticateAPI resolves "Authorization: Bearer TOKEN". No header means anonymous; a bad or revoked
// token is a 401 at once, so a client never mistakes its failure for anonymous access.
func (a *App) authenticateAPI(c *fiber.Ctx) error {
	h := strings.TrimSpace(c.Get(fiber.HeaderAuthorization))
	if h == "" {
		return c.Next()
	}
	scheme, tok, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return errBadToken
	}
	au, err := a.Store.TokenUser(c.UserContext(), strings.TrimSpace(tok))
	if errors.Is(err, market.ErrUnauth) {
		return errBadToken
	}
	if err != nil {
		return err
	}
	a.setAuth(c, au)
	return c.Next()
}

var errBadToken = &market.FieldError{Code: market.CodeUnauthenticated, Field: "Authorization",
	MessageZH: "访问令牌无效或已撤销", MessageEN: "the access token is invalid or revoked"}

func (a *App) setAuth(c *fiber.Ctx, au *market.Auth) {
	c.Locals(localAuth, au)
	c.Locals(localActor, au.Actor)
	v := &Viewer{UserID: au.User.ID, Name: au.User.Name, Email: au.User.Email, Role: au.User.Role}
	if o := au.Org; o != nil {
		v.OrgID, v.OrgName, v.OrgKind, v.OrgVerified = o.ID, o.Name, o.Kind, o.Verified()
	}
	c.Locals("viewer", v)
}

// authOf returns the request's session or token, nil for anonymous requests.
func authOf(c *fiber.Ctx) *market.Auth {
	au, _ := c.Locals(localAuth).(*market.Auth)
	return au
}

// ActorOf returns who performs the request (the zero Actor for anonymous visitors). Other parts of the
// app (the bureau pages) use it for their authorisation checks.
func ActorOf(c *fiber.Ctx) market.Actor {
	act, _ := c.Locals(localActor).(market.Actor)
	return act
}

// RequireLogin is route middleware for pages: anonymous visitors are sent to the login page (told
// when their session expired) and come back afterwards.
func (a *App) RequireLogin(c *fiber.Ctx) error {
	if authOf(c) != nil {
		return c.Next()
	}
	expired, _ := c.Locals(localSessionExpired).(bool)
	next := c.OriginalURL()
	if c.Method() != fiber.MethodGet {
		next = refererPath(c)
	}
	return c.Redirect(loginURL(next, expired), fiber.StatusSeeOther)
}

// RequireToken is route middleware for the API: anonymous requests get a 401.
func (a *App) RequireToken(c *fiber.Ctx) error {
	if authOf(c) == nil {
		return market.ErrUnauth
	}
	return c.Next()
}

func loginURL(next string, expired bool) string {
	v := url.Values{}
	if next = safeNext(next); next != "" && next != "/" {
		v.Set("next", next)
	}
	if expired {
		v.Set("expired", "1")
	}
	if len(v) == 0 {
		return "/login"
	}
	return "/login?" + v.Encode()
}

// safeNext keeps only a same-origin path, so ?next= cannot send a user to another site after login
// ("" otherwise; callers then use their default). Browsers drop tabs and newlines anywhere in a URL, read
// a backslash as a slash, and take "//host" as another site, so next must be printable ASCII without a
// backslash, parse with no scheme, host or user, and start with exactly one "/"; the same holds after
// percent-decoding (repeatedly: a value may have been encoded twice) and after NFKC (fullwidth "／"), and
// the decoded form must carry no control or format character (bidi overrides included).
func safeNext(next string) string {
	if next == "" || len(next) > 2048 || !localPathForm(next) {
		return ""
	}
	for _, b := range []byte(next) {
		if b <= ' ' || b >= 0x7f || b == '\\' {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return ""
	}
	dec := next
	for range 3 {
		d, err := url.PathUnescape(dec)
		if err != nil {
			return ""
		}
		if d == dec {
			break
		}
		dec = d
	}
	for _, s := range []string{dec, norm.NFKC.String(dec)} {
		if !localPathForm(s) || strings.ContainsRune(s, '\\') || !utf8.ValidString(s) ||
			strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0 {
			return ""
		}
	}
	return next
}

// localPathForm reports whether s starts with one "/" not followed by another slash or a backslash.
func localPathForm(s string) bool {
	return len(s) > 0 && s[0] == '/' && (len(s) == 1 || (s[1] != '/' && s[1] != '\\'))
}

// refererPath is the local path of the Referer ("" when absent or foreign): where to come back to after
// a form post that could not be handled.
func refererPath(c *fiber.Ctx) string {
	u, err := url.Parse(c.Get(fiber.HeaderReferer))
	if err != nil || u.Path == "" || (u.Host != "" && u.Host != c.Hostname()) {
		return ""
	}
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

func (a *App) setSessionCookie(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: token, Path: "/", HTTPOnly: true, Secure: a.SecureCookies,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Now().Add(market.SessionMaxAge)})
}

func (a *App) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: "", Path: "/", HTTPOnly: true, Secure: a.SecureCookies,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(1, 0), MaxAge: -1})
}
