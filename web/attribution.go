package web

// Channel attribution on the pages (docs/rules.md §10.5): a page opened with ?via=CHANNEL (a wall's or
// supermarket's link, a screen's QR code) counts a visit and is remembered as the visitor's last
// channel: for a signed-in organisation in the database, for an anonymous visitor in a cookie that is
// carried over to the organisation at sign-in. Views are counted per visitor: the organisation, or an
// anonymous visitor's random cookie.

import (
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
)

const (
	viaCookie     = "pw_via"     // CHANNEL|unix seconds of the last channel visit of an anonymous visitor
	visitorCookie = "pw_visitor" // a random key counting an anonymous visitor's views once a day
)

// trackVia records ?via= on page views and carries an anonymous visit over once the visitor signs in.
// Requests without either cost nothing.
func (a *App) trackVia(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodGet || isAPI(c) {
		return c.Next()
	}
	act := ActorOf(c)
	if ck := c.Cookies(viaCookie); ck != "" && act.OrgID != 0 {
		ch, secs, _ := strings.Cut(ck, "|")
		if n, err := strconv.ParseInt(secs, 10, 64); err == nil {
			if err := a.Store.TouchChannel(c.UserContext(), act.OrgID, ch, time.Unix(n, 0)); err != nil {
				return err
			}
		}
		a.setCookie(c, viaCookie, "", -1)
	}
	via := strings.TrimSpace(c.Query("via"))
	if via == "" {
		return c.Next()
	}
	if _, fe := market.ParseChannel("via", via); fe != nil {
		return c.Next() // a mangled link still shows its page
	}
	via = utils.CopyString(via)
	ctx, now := c.UserContext(), a.Store.Now()
	visitor := ""
	if act.OrgID != 0 {
		visitor = "org:" + strconv.FormatInt(act.OrgID, 10)
		if err := a.Store.TouchChannel(ctx, act.OrgID, via, now); err != nil {
			return err
		}
	} else {
		visitor = c.Cookies(visitorCookie)
		if len(visitor) != 22 {
			b := make([]byte, 16)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			visitor = base64.RawURLEncoding.EncodeToString(b)
			a.setCookie(c, visitorCookie, visitor, 365*24*3600)
		}
		visitor = "v:" + visitor
		a.setCookie(c, viaCookie, via+"|"+strconv.FormatInt(now.Unix(), 10), int(market.AttributionWindow/time.Second))
	}
	var patentID int64
	if no, ok := strings.CutPrefix(c.Path(), "/patents/"); ok && !strings.Contains(no, "/") {
		id, err := a.Store.PatentIDByNo(ctx, no)
		if err != nil {
			return err
		}
		patentID = id
	}
	if err := a.Store.RecordVisit(ctx, via, visitor, patentID); err != nil {
		return err
	}
	return c.Next()
}

func (a *App) setCookie(c *fiber.Ctx, name, value string, maxAge int) {
	c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HTTPOnly: true,
		Secure: a.SecureCookies, SameSite: fiber.CookieSameSiteLaxMode})
}
