package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/helmet"

	"patentwall/search"
)

// logRequests logs one structured line per request. It renders errors itself (through the app's error
// handler) so the logged status is the one the client gets.
func (a *App) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := a.handleError(c, err); herr != nil {
			a.Log.Error("error handler failed", "err", herr)
			c.Status(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	a.Log.LogAttrs(c.UserContext(), level, "http request",
		slog.String("method", c.Method()),
		slog.String("path", c.Path()),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
		slog.Int("bytes", len(c.Response().Body())),
	)
	return nil
}

// recoverPanics turns a panic in a handler into a 500 with the stack in the log, not a dead connection.
func (a *App) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			a.Log.Error("panic in handler", "path", c.Path(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("web: panic: %v", r)
		}
	}()
	return c.Next()
}

// csp allows only this origin: no inline scripts or styles (templates use classes), images also as
// data: URLs. The big-screen page refreshes with <meta http-equiv="refresh">, which CSP does not govern.
const csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"

func newHelmet() fiber.Handler {
	return helmet.New(helmet.Config{
		ContentSecurityPolicy: csp,
		// require-corp (helmet's default) gains nothing for a site without cross-origin isolation needs
		// and would break images embedded from elsewhere in user content later.
		CrossOriginEmbedderPolicy: "unsafe-none",
		ReferrerPolicy:            "strict-origin-when-cross-origin",
		PermissionPolicy:          "camera=(), microphone=(), geolocation=()",
	})
}

// hstsValue asks browsers to use HTTPS only, for a year, subdomains included.
const hstsValue = "max-age=31536000; includeSubDomains"

// hsts sends Strict-Transport-Security when the site is served over HTTPS (SECURE_COOKIES). Helmet's own
// HSTS looks at the request's protocol, which is http behind a TLS-terminating proxy.
func (a *App) hsts(c *fiber.Ctx) error {
	if a.SecureCookies {
		c.Set(fiber.HeaderStrictTransportSecurity, hstsValue)
	}
	return c.Next()
}

// noStore forbids caching every API answer and every response to a request with a session cookie, so
// a shared computer's browser cache or a proxy keeps no page or data meant for one user. Static files
// and /healthz are registered before it and stay cacheable.
func noStore(c *fiber.Ctx) error {
	err := c.Next()
	if isAPI(c) || authOf(c) != nil || c.Cookies(sessionCookie) != "" {
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return err
}

// staticFS is the embedded static folder; staticVersion changes when any static file does, so
// URLs can be cached by browsers and still update on deploy.
var (
	staticFS, _   = fs.Sub(assets, "static")
	staticVersion = hashFS(staticFS)
)

func staticHandler() fiber.Handler {
	return filesystem.New(filesystem.Config{Root: http.FS(staticFS), MaxAge: 7 * 24 * 3600})
}

func hashFS(fsys fs.FS) string {
	h := sha256.New()
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, _ := fs.ReadFile(fsys, p)
		h.Write([]byte(p))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:10]
}

// healthz answers load balancers and the soak test (docs/interfaces.md §5.10): 200 when the database
// answers, 503 otherwise; the body also tells whether the search engine answers ("search": "ok" or
// "down"; browsing goes on from the database meanwhile, so the status stays 200 with "status":
// "degraded") and how many changes wait in the search outbox ("outbox_pending": 0 once the index has
// converged to the database). Two cheap queries and a ping of the engine.
func (a *App) healthz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := a.Store.Ping(ctx); err != nil {
		a.Log.Error("health check failed", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "db": "down"})
	}
	out := fiber.Map{"status": "ok", "db": "ok", "search": "ok"}
	if err := search.Ping(ctx, a.Index); err != nil {
		out["status"], out["search"] = "degraded", "down"
	}
	n, err := a.Store.OutboxLen(ctx)
	if err != nil {
		a.Log.Error("health check: count the search outbox", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "db": "down"})
	}
	out["outbox_pending"] = n
	return c.JSON(out)
}
