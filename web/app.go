// Package web is the marketplace's HTTP face: server-rendered pages (zh-CN first, English on request)
// and the JSON API under /api/v1, on Fiber v2. Handlers parse and validate, call market and search,
// and render; the domain rules live in market.
package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"

	"patentwall/market"
	"patentwall/search"
)

// MaxUploadBytes is the largest file a user may upload (CSV/XLSX imports). The request body limit adds
// room for the multipart envelope and the other form fields.
const MaxUploadBytes = 50 << 20

// bodyLimit is the server's limit, which only the upload route reaches: web/bodylimit.go gives every
// other route a small one, checked on the declared length before the body is read.
const bodyLimit = MaxUploadBytes + 1<<20

// Deps is what the web app needs from the rest of the program.
type Deps struct {
	Store   *market.Store
	Index   search.Index
	BaseURL string // public URL for permalinks, QR codes and notices, without trailing slash
	Log     *slog.Logger
	// SecureCookies marks cookies Secure (set when the site is served over HTTPS).
	SecureCookies bool
	// TrustedProxies are the load balancers whose X-Forwarded-For names the client (IP or CIDR); empty
	// means clients connect directly, so per-IP limits see the real address either way.
	TrustedProxies []string
	// AcceptLimits and IntentLimits bound open-licence acceptances and intents per organisation and
	// client address (web/action_limits.go); zero fields take DefaultAcceptLimits and DefaultIntentLimits.
	AcceptLimits ActionLimits
	IntentLimits ActionLimits
}

// App is the Fiber app with its dependencies; handlers are its methods.
type App struct {
	Fiber *fiber.App
	Deps
	views *views
	nav   []NavLink
	// patentHooks add data to the patent page (e.g. the accept form's state for the viewer).
	patentHooks []PatentPageHook
	// trusted is TrustedProxies parsed, for clientIP.
	trusted []netip.Prefix
}

// PatentPageHook adds entries to the patent page's data before it renders; the "accept" template reads
// them. An error is handled like a handler's.
type PatentPageHook func(c *fiber.Ctx, pv *market.PatentView, data fiber.Map) error

// OnPatentPage registers a hook for the patent page.
func (a *App) OnPatentPage(h PatentPageHook) { a.patentHooks = append(a.patentHooks, h) }

// New builds the app and its routes; it does not listen.
func New(deps Deps) (*App, error) {
	if deps.Store == nil || deps.Index == nil {
		return nil, errors.New("web: Store and Index are required")
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	deps.BaseURL = strings.TrimRight(deps.BaseURL, "/")
	if deps.BaseURL == "" {
		deps.BaseURL = "http://localhost:8080"
	}
	trusted, err := trustedNets(deps.TrustedProxies)
	if err != nil {
		return nil, err
	}
	a := &App{Deps: deps, trusted: trusted}
	if a.views, err = newViews(templateFuncs); err != nil {
		return nil, err
	}
	a.Fiber = fiber.New(fiber.Config{
		AppName:               "patentwall",
		Views:                 a.views,
		ErrorHandler:          a.handleError,
		BodyLimit:             bodyLimit,
		ReadTimeout:           60 * time.Second, // a 50 MB upload on a slow line
		WriteTimeout:          120 * time.Second,
		IdleTimeout:           120 * time.Second,
		ReadBufferSize:        16 << 10, // long cookies and query strings
		DisableStartupMessage: true,
		JSONEncoder:           jsonEncode,
		// /API/v1/… must not reach the API's routes while isAPI (and so the API's cookie rules) sees a
		// page path.
		CaseSensitive: true,
		// Behind a load balancer, c.IP() must be the client, not the balancer, or the per-IP login
		// limit becomes one global limit. Only listed proxies are believed. The rate limits read the
		// client's address through clientIP (web/clientip.go), which also ignores what the client itself
		// wrote into the header.
		EnableTrustedProxyCheck: len(deps.TrustedProxies) > 0,
		TrustedProxies:          deps.TrustedProxies,
		ProxyHeader:             proxyHeader(deps.TrustedProxies),
	})
	a.limitBodies()
	// Logging is outermost so it sees the final status, including that of a recovered panic.
	a.Fiber.Use(a.logRequests, a.recoverPanics, newHelmet(), a.hsts,
		compress.New(compress.Config{Level: compress.LevelBestSpeed, Next: smallAPIAnswer}), a.detectLang)
	a.routes()
	return a, nil
}

// smallAPIAnswer skips compression for the API's writes: they answer with one object (a contract, a
// payment, an error) of a kilobyte or two, which gzip shrinks by a few hundred bytes for more CPU on both
// sides than sending them costs. Reads (search results, lists) stay compressed.
func smallAPIAnswer(c *fiber.Ctx) bool {
	return isAPI(c) && c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead
}

func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}

// jsonEncode is encoding/json without HTML escaping: highlights carry <mark> and API clients should
// see it as written. The API is served as application/json, never sniffed as HTML (nosniff).
// The encoding buffer is reused (a search answer grew a fresh one through doublings from 64 bytes); the
// answer is one copy of exactly its size, which Fiber keeps as the body.
func jsonEncode(v any) ([]byte, error) {
	var out []byte
	err := encodeJSON(v, func(b []byte) { out = bytes.Clone(b) })
	return out, err
}

// sendJSON answers v as c.JSON does, encoding into a reused buffer that the response body copies (into
// its own reused buffer): the search API's answers are tens of kilobytes each.
func sendJSON(c *fiber.Ctx, v any) error {
	return encodeJSON(v, func(b []byte) {
		c.Response().SetBody(b)
		c.Response().Header.SetContentType(fiber.MIMEApplicationJSON)
	})
}

// encodeJSON encodes v and hands the encoding to use, which must not keep it.
func encodeJSON(v any, use func([]byte)) error {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // a rare huge answer is not kept
			buf.Reset()
			jsonBuffers.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	use(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return nil
}

var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// NavLink is an entry of the header navigation; other parts of the app add theirs while registering
// routes (e.g. the dashboard for logged-in users, the bureau console for bureau staff).
type NavLink struct {
	Path string
	Key  string // message catalogue key of the label
	// Show decides per viewer (nil viewer = anonymous); nil Show = always.
	Show func(v *Viewer) bool
}

// AddNav appends a header navigation link.
func (a *App) AddNav(l NavLink) { a.nav = append(a.nav, l) }

func (a *App) routes() {
	r := a.Fiber
	r.Use("/static", staticHandler())
	r.Get("/healthz", a.healthz)
	r.Use(noStore)

	// The accounts and bureau parts come first: middleware they add with a.Fiber.Use (sessions, the
	// viewer, CSRF) then also runs for every route registered after them, the public pages included,
	// so the layout knows who is logged in. Static files and /healthz stay free of it.
	registerAccountRoutes(a)
	registerBureauRoutes(a)
	registerChannelRoutes(a)
	registerDealRoutes(a)
	registerDemandRoutes(a)

	r.Get("/", a.home)
	r.Get("/search", a.searchPage)
	r.Get("/patents/:no/qr.png", a.patentQR)
	r.Get("/patents/:no", a.patentPage)
	r.Get("/walls", a.wallsPage)
	r.Get("/walls/:slug/qr.png", a.wallQR)
	r.Get("/supermarkets", a.supermarketsPage)
	r.Get("/supermarkets/:slug", a.supermarketPage)

	api := r.Group("/api/v1")
	api.Get("/openapi.json", a.openAPI)
	api.Get("/patents", a.apiSearch)
	api.Get("/patents/:no", a.apiPatentGet)
}

// Render renders page name (templates/pages/<name>.html) with data plus what every page needs: Lang,
// Viewer, CSRF, the language-switch URLs, the navigation. layout is optional (LayoutMain).
func (a *App) Render(c *fiber.Ctx, status int, name string, data fiber.Map, layout ...string) error {
	if data == nil {
		data = fiber.Map{}
	}
	lang := Lang(c)
	v := ViewerOf(c)
	data["Lang"] = lang
	data["Viewer"] = v
	data["Path"] = c.Path()
	data["BaseURL"] = a.BaseURL
	if tok, ok := c.Locals("csrf").(string); ok {
		data["CSRF"] = tok
	}
	data["LangURL"] = map[string]string{LangZH: langURL(c, LangZH), LangEN: langURL(c, LangEN)}
	var nav []NavLink
	for _, l := range a.nav {
		if l.Show == nil || l.Show(v) {
			nav = append(nav, l)
		}
	}
	data["Nav"] = nav
	if v != nil && v.OrgID != 0 {
		// The bell in the header (docs/rules.md §10).
		n, err := a.Store.UnreadCount(c.UserContext(), ActorOf(c))
		if err != nil {
			return err
		}
		data["Unread"] = n
	}
	c.Status(status)
	if err := c.Render(name, data, layout...); err != nil {
		return fmt.Errorf("web: page %s: %w", name, err)
	}
	return nil
}
