package web

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Languages: Simplified Chinese first; English on request (?lang=en, remembered in a cookie).
const (
	LangZH = "zh"
	LangEN = "en"
)

// Langs lists the supported languages.
var Langs = []string{LangZH, LangEN}

const langCookie = "lang"

// msg is one catalogue entry in both languages.
type msg struct{ zh, en string }

// catalogue holds every UI string. Parts of the app add their own in init() with addMessages, in a file
// of their own (messages_*.go); a test checks every key used by a template exists in both languages.
var catalogue = map[string]msg{}

// addMessages adds entries; a key defined twice is a programming error.
func addMessages(m map[string]msg) {
	for k, v := range m {
		if _, dup := catalogue[k]; dup {
			panic("web: message " + k + " defined twice")
		}
		catalogue[k] = v
	}
}

// tr translates key into lang; extra arguments fill the message's fmt verbs. A missing key shows as
// the key itself so the gap is visible (and the catalogue test fails).
func tr(lang, key string, args ...any) string {
	m, ok := catalogue[key]
	if !ok {
		return key
	}
	s := m.zh
	if lang == LangEN {
		s = m.en
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// T translates key into the request's language.
func T(c *fiber.Ctx, key string, args ...any) string { return tr(Lang(c), key, args...) }

// normLang maps "en", "en-US", "EN" to LangEN and "zh", "zh-CN" to LangZH; anything else to "".
func normLang(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case strings.HasPrefix(s, "en"):
		return LangEN
	case strings.HasPrefix(s, "zh"):
		return LangZH
	}
	return ""
}

// Lang returns the request's language. It works before detectLang ran too (the error handler can be
// called by Fiber for requests that never reached the middleware).
func Lang(c *fiber.Ctx) string {
	if l, ok := c.Locals("lang").(string); ok {
		return l
	}
	return resolveLang(c)
}

func resolveLang(c *fiber.Ctx) string {
	if l := normLang(string(c.Context().QueryArgs().Peek("lang"))); l != "" {
		return l
	}
	if l := normLang(c.Cookies(langCookie)); l != "" {
		return l
	}
	// Pages are Chinese unless asked otherwise; API clients get what they accept.
	if isAPI(c) {
		if l := normLang(c.Get(fiber.HeaderAcceptLanguage)); l != "" {
			return l
		}
	}
	return LangZH
}

// detectLang sets c.Locals("lang") and remembers an explicit ?lang= choice in a cookie.
func (a *App) detectLang(c *fiber.Ctx) error {
	lang := resolveLang(c)
	if q := normLang(string(c.Context().QueryArgs().Peek("lang"))); q != "" && q != normLang(c.Cookies(langCookie)) && !isAPI(c) {
		c.Cookie(&fiber.Cookie{Name: langCookie, Value: q, Path: "/", Expires: time.Now().AddDate(1, 0, 0),
			HTTPOnly: true, Secure: a.SecureCookies, SameSite: fiber.CookieSameSiteLaxMode})
	}
	c.Locals("lang", lang)
	return c.Next()
}

// langURL is the current URL with lang set, for the language switch.
func langURL(c *fiber.Ctx, lang string) string {
	v, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		v = url.Values{}
	}
	v.Set("lang", lang)
	return c.Path() + "?" + v.Encode()
}

// htmlLang is the value of <html lang>.
func htmlLang(lang string) string {
	if lang == LangEN {
		return "en"
	}
	return "zh-CN"
}
