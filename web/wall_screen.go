package web

// A wall's screen mode (/walls/{slug}/screen): it runs unattended at events for days. The page renders
// its first data on the server (and refreshes itself without script); web/static/screen.js rotates the
// pages, polls GET /api/v1/walls/{slug}/screen for new data and, when the server is unreachable, keeps
// showing what it has and retries. Hundreds of screens poll the same data, so it is computed once per
// wall and language and kept for screenCacheTTL, or until a wall, a shelf or the index changes
// (docs/architecture.md §9).

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/sync/singleflight"

	"patentwall/market"
)

const (
	screenItems    = 60 // patents a screen cycles through (five pages of screenPerPage)
	screenCacheTTL = 5 * time.Second
	screenPollSecs = 30 // how often a screen asks for new data
)

type screenItem struct {
	ApplicationNo string `json:"application_no"`
	Title         string `json:"title"`
	Patentee      string `json:"patentee"`
	Type          string `json:"type"`
	FeeText       string `json:"fee_text"`
	FeeModel      string `json:"fee_model"`
	Pinned        bool   `json:"pinned"`
	URL           string `json:"url"`
	QRURL         string `json:"qr_url"`
}

type screenWall struct {
	Slug    string `json:"slug"`
	Name    string `json:"name"`
	Org     string `json:"org"`
	URL     string `json:"url"`
	PerPage int    `json:"per_page"`
	Seconds int    `json:"seconds"` // per page
}

type screenData struct {
	Wall      screenWall   `json:"wall"`
	UpdatedAt time.Time    `json:"updated_at"`
	Total     int          `json:"total"`
	Items     []screenItem `json:"items"`
}

// screenCache keeps each wall's screen data (per language) as encoded JSON for a short while. gen
// counts invalidations: a value computed before one is not stored.
type screenCache struct {
	mu      sync.RWMutex
	gen     uint64
	entries map[string]screenEntry
	setups  map[string]setupEntry // walls' setups by slug, for the wall pages too
	group   singleflight.Group
}

type setupEntry struct {
	w  *market.WallSetup
	at time.Time
}

type screenEntry struct {
	data []byte // the JSON
	gz   []byte // the same, gzipped once for every screen that accepts it
	at   time.Time
}

// channels serves the walls' and supermarkets' API, screens and operator pages.
type channels struct {
	*App
	screens screenCache
}

// invalidate forgets every cached screen (a wall, a shelf or the index changed).
func (ch *channels) invalidate() {
	ch.screens.mu.Lock()
	ch.screens.gen++
	clear(ch.screens.entries)
	clear(ch.screens.setups)
	ch.screens.mu.Unlock()
}

// wallSetup is Store.WallSetup kept for screenCacheTTL (and dropped with the screens): every view of a
// wall needs it, and it changes only through invalidate's causes. The caller must not modify it.
func (ch *channels) wallSetup(ctx context.Context, slug string) (*market.WallSetup, error) {
	now := time.Now()
	ch.screens.mu.RLock()
	e, ok := ch.screens.setups[slug]
	gen := ch.screens.gen
	ch.screens.mu.RUnlock()
	if ok && now.Sub(e.at) < screenCacheTTL {
		return e.w, nil
	}
	w, err := ch.Store.WallSetup(ctx, slug)
	if err != nil {
		return nil, err
	}
	ch.screens.mu.Lock()
	if ch.screens.gen == gen {
		if ch.screens.setups == nil {
			ch.screens.setups = map[string]setupEntry{}
		}
		ch.screens.setups[slug] = setupEntry{w: w, at: now}
	}
	ch.screens.mu.Unlock()
	return w, nil
}

// screenJSON returns the encoded screen data of a wall, from the cache when fresh.
func (ch *channels) screenJSON(ctx context.Context, slug, lang string) (screenEntry, error) {
	key := lang + "\x00" + slug
	now := time.Now()
	ch.screens.mu.RLock()
	e, ok := ch.screens.entries[key]
	gen := ch.screens.gen
	ch.screens.mu.RUnlock()
	if ok && now.Sub(e.at) < screenCacheTTL {
		return e, nil
	}
	v, err, _ := ch.screens.group.Do(key, func() (any, error) {
		d, err := ch.computeScreen(ctx, slug, lang)
		if err != nil {
			return nil, err
		}
		b, err := jsonEncode(d)
		if err != nil {
			return nil, err
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression) // a valid level: no error
		if _, err := zw.Write(b); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		e := screenEntry{data: b, gz: gz.Bytes(), at: now}
		ch.screens.mu.Lock()
		if ch.screens.gen == gen {
			if ch.screens.entries == nil {
				ch.screens.entries = map[string]screenEntry{}
			}
			ch.screens.entries[key] = e
		}
		ch.screens.mu.Unlock()
		return e, nil
	})
	if err != nil {
		return screenEntry{}, err
	}
	return v.(screenEntry), nil
}

func (ch *channels) computeScreen(ctx context.Context, slug, lang string) (*screenData, error) {
	w, err := ch.wallSetup(ctx, slug)
	if err != nil {
		return nil, err
	}
	rows, total, err := ch.listChannel(ctx, wallList(w), 1, screenItems)
	if err != nil {
		return nil, err
	}
	name := w.Wall.Name
	if lang == LangEN && w.Wall.NameEN != "" {
		name = w.Wall.NameEN
	}
	via := "?via=screen:" + w.Wall.Slug
	d := &screenData{
		Wall: screenWall{Slug: w.Wall.Slug, Name: name, Org: w.Org.Name, URL: ch.BaseURL + "/walls/" + w.Wall.Slug + via,
			PerPage: screenPerPage, Seconds: screenSeconds},
		UpdatedAt: ch.Store.Now().UTC(),
		Total:     total,
		Items:     make([]screenItem, len(rows)),
	}
	for i, r := range rows {
		d.Items[i] = screenItem{ApplicationNo: r.ApplicationNo, Title: r.Title, Patentee: r.Patentee.Name,
			Type: label(lang, "type.", r.Type), FeeText: feeSummary(lang, r.Declaration), FeeModel: r.Declaration.FeeModel,
			Pinned: r.Pinned, URL: ch.BaseURL + "/patents/" + r.ApplicationNo + via,
			QRURL: "/walls/" + w.Wall.Slug + "/qr/" + r.ApplicationNo + ".svg"}
	}
	return d, nil
}

// apiWallScreen is GET /api/v1/walls/{slug}/screen.
func (ch *channels) apiWallScreen(c *fiber.Ctx) error {
	e, err := ch.screenJSON(c.UserContext(), utils.CopyString(c.Params("slug")), Lang(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Vary(fiber.HeaderAcceptEncoding)
	// Sent as compressed once: the compression middleware leaves an encoded body alone.
	if strings.Contains(c.Get(fiber.HeaderAcceptEncoding), "gzip") {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(e.gz)
	}
	return c.Send(e.data)
}

// wallScreenPage is /walls/{slug}/screen: the first page rendered on the server; the script takes over.
func (ch *channels) wallScreenPage(c *fiber.Ctx) error {
	slug := utils.CopyString(c.Params("slug"))
	page, err := pageParam(c, 10_000)
	if err != nil {
		return err
	}
	// ?poll=N asks for new data every N seconds (an event's operator may want it sooner).
	poll, err := intParam(c, "poll", screenPollSecs, 2, 3600)
	if err != nil {
		return err
	}
	var d screenData
	e, err := ch.screenJSON(c.UserContext(), slug, Lang(c))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(e.data, &d); err != nil {
		return err
	}
	pages := max(1, (len(d.Items)+screenPerPage-1)/screenPerPage)
	page = min(page, pages)
	items := d.Items[min(len(d.Items), (page-1)*screenPerPage):min(len(d.Items), page*screenPerPage)]
	next := page%pages + 1
	return ch.Render(c, fiber.StatusOK, "wall_screen", fiber.Map{
		"Screen": d, "Items": items, "Page": page, "Pages": pages,
		"Refresh": strconv.Itoa(screenSeconds) + ";url=/walls/" + slug + "/screen?page=" + strconv.Itoa(next),
		"API":     "/api/v1/walls/" + slug + "/screen", "Poll": poll,
	}, LayoutScreen)
}

// wallPatentQR is /walls/{slug}/qr/{no}.svg: the patent's page with ?via=screen:SLUG as a QR code, an
// SVG that stays sharp on a large screen. It never changes, so browsers keep it (and screens still
// show it while the server is away).
func (ch *channels) wallPatentQR(c *fiber.Ctx) error {
	slug := utils.CopyString(c.Params("slug"))
	no, err := market.NormalizeApplicationNo(utils.CopyString(c.Params("no")))
	if err != nil {
		return market.ErrNotFound
	}
	if _, _, err := ch.Store.WallBySlug(c.UserContext(), slug); err != nil {
		return err
	}
	svg, err := qrSVG(ch.BaseURL + "/patents/" + no + "?via=screen:" + slug)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	c.Set(fiber.HeaderCacheControl, "public, max-age=604800, immutable")
	return c.Send(svg)
}

// qrSVG draws a QR code as SVG: one path of unit squares, with the quiet zone the encoder adds.
func qrSVG(content string) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("web: qr code: %w", err)
	}
	bm := q.Bitmap()
	n := len(bm)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bm {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes(), nil
}
