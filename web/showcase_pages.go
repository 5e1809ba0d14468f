package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
	"patentwall/search"
)

const (
	wallPerPage   = 24
	screenPerPage = 12
	screenSeconds = 30 // how long the big screen shows one page before moving on
	shelfSize     = 8
	wallDemands   = 6
)

// pageParam reads ?page= for the showcase pages (1-based; out of range is a 400).
func pageParam(c *fiber.Ctx, max int) (int, error) {
	return intParam(c, paramPage, 1, 1, max)
}

// makePager builds a pagination bar whose links come from at(n).
func makePager(page, perPage int, total int64, at func(n int) string) pager {
	pages := int((total + int64(perPage) - 1) / int64(perPage))
	p := pager{Page: page, Pages: pages}
	if pages <= 1 {
		return p
	}
	if page > 1 {
		p.PrevURL = at(min(page-1, pages))
	}
	if page < pages {
		p.NextURL = at(page + 1)
	}
	last := 0
	for n := 1; n <= pages; n++ {
		if n == 1 || n == pages || (n >= page-2 && n <= page+2) {
			p.Links = append(p.Links, pageLink{N: n, URL: at(n), Current: n == page, Gap: last != 0 && n > last+1})
			last = n
		}
	}
	return p
}

func pagedURL(path string) func(n int) string {
	return func(n int) string {
		if n <= 1 {
			return path
		}
		return path + "?page=" + strconv.Itoa(n)
	}
}

// wallsPage lists the patent walls.
func (a *App) wallsPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	walls, err := a.Store.Walls(ctx)
	if err != nil {
		return err
	}
	for i := range walls {
		w, err := a.Store.WallSetup(ctx, walls[i].Slug)
		if err != nil {
			return err
		}
		_, n, err := a.listChannel(ctx, wallList(w), 1, 1)
		if err != nil {
			return err
		}
		walls[i].Patents = int64(n)
	}
	return a.Render(c, fiber.StatusOK, "walls", fiber.Map{"Walls": walls})
}

// wallPage shows one wall as visitors see it: its pinned patents, then what its rules select (through
// the search engine, channel_listing.go), and its industry's open demands. Links carry ?via=wall:SLUG.
func (ch *channels) wallPage(c *fiber.Ctx) error {
	a := ch.App
	ctx := c.UserContext()
	w, err := ch.wallSetup(ctx, utils.CopyString(c.Params("slug")))
	if err != nil {
		return err
	}
	page, err := pageParam(c, search.MaxResultWindow/wallPerPage)
	if err != nil {
		return err
	}
	rows, total, err := a.listChannel(ctx, wallList(w), page, wallPerPage)
	if err != nil {
		return err
	}
	// The demands of the wall's industry: a wall of one industry by its rules shows that one's.
	dw := w.Wall
	if dw.Industry == "" && len(w.Rules.Industries) == 1 {
		dw.Industry = w.Rules.Industries[0]
	}
	demands, err := a.Store.WallDemands(ctx, &dw, wallDemands)
	if err != nil {
		return err
	}
	path := "/walls/" + w.Wall.Slug
	return a.Render(c, fiber.StatusOK, "wall", fiber.Map{
		"Wall": &w.Wall, "Org": &w.Org, "Rules": w.Rules, "Rows": rows, "Total": total, "Demands": demands,
		"CanRun":    ActorOf(c).MayRunWall(&w.Wall) == nil,
		"Via":       "wall:" + w.Wall.Slug,
		"Pager":     makePager(page, wallPerPage, int64(total), pagedURL(path)),
		"Permalink": a.BaseURL + path,
	})
}

// wallQR is the wall's permalink as a QR code (shown on the big screen).
func (a *App) wallQR(c *fiber.Ctx) error {
	w, _, err := a.Store.WallBySlug(c.UserContext(), utils.CopyString(c.Params("slug")))
	if err != nil {
		return err
	}
	return qrPNG(c, a.BaseURL+"/walls/"+w.Slug, 320)
}

// supermarketsPage lists the district patent supermarkets.
func (a *App) supermarketsPage(c *fiber.Ctx) error {
	sms, err := a.Store.Supermarkets(c.UserContext())
	if err != nil {
		return err
	}
	return a.Render(c, fiber.StatusOK, "supermarkets", fiber.Map{"Supermarkets": sms})
}

// shelfBands are the supermarket's licence shelves: its own price bands (upper bounds in fen, named by
// their bound), or else the search price bands, as fee ranges.
func shelfBands(sm *market.Supermarket) []market.ShelfBand {
	if own := sm.Bands(); len(own) > 0 {
		out := []market.ShelfBand{{Name: "free", Free: true}}
		lower := int64(-1)
		for _, b := range own {
			out = append(out, market.ShelfBand{Name: "le:" + strconv.FormatInt(b, 10), MinFen: lower, MaxFen: b})
			lower = b
		}
		return append(out, market.ShelfBand{Name: "gt:" + strconv.FormatInt(lower, 10), MinFen: lower, MaxFen: -1})
	}
	out := make([]market.ShelfBand, 0, len(search.PriceBands))
	lower := int64(-1)
	for _, b := range search.PriceBands {
		if b.Name == "free" {
			out = append(out, market.ShelfBand{Name: b.Name, Free: true})
			continue
		}
		out = append(out, market.ShelfBand{Name: b.Name, MinFen: lower, MaxFen: b.MaxFen})
		lower = b.MaxFen
	}
	return out
}

// shelfView is a shelf with the link to see all of it in search; Label names a supermarket's own band.
type shelfView struct {
	market.Shelf
	MoreURL string
	Label   string
}

// stockedView is a shelf the agency stocked, with what it shows.
type stockedView struct {
	market.ShelfView
	Rows  []channelRow
	Total int
}

// supermarketPage shows one supermarket's shelves: low- and mid-price licence offers by price band and
// the transfer offers.
func (a *App) supermarketPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	sm, err := a.Store.SupermarketBySlug(ctx, utils.CopyString(c.Params("slug")))
	if err != nil {
		return err
	}
	shelves, local, err := a.Store.SupermarketShelves(ctx, &sm.Supermarket, shelfBands(&sm.Supermarket), shelfSize)
	if err != nil {
		return err
	}
	lang := Lang(c)
	views := make([]shelfView, len(shelves))
	for i, sh := range shelves {
		q := search.Query{}
		if local {
			q.Districts = []string{sm.DistrictCode}
		}
		label := ""
		switch {
		case sh.Band == "transfer":
			q.Offers = []string{search.OfferTransfer}
		case strings.HasPrefix(sh.Band, "le:"), strings.HasPrefix(sh.Band, "gt:"):
			q.Offers = []string{search.OfferOpenLicence}
			max := sh.MaxFen
			q.MaxFeeFen = &max
			label = tr(lang, "sm.band_upto", money(lang, sh.MaxFen))
			if strings.HasPrefix(sh.Band, "gt:") {
				label = tr(lang, "sm.band_above", money(lang, sh.MinFen))
			}
		default:
			q.Offers = []string{search.OfferOpenLicence}
			q.PriceBands = []string{sh.Band}
		}
		views[i] = shelfView{Shelf: sh, MoreURL: searchURL("/search", q), Label: label}
	}
	stocked, err := a.Shelves(ctx, &sm.Supermarket)
	if err != nil {
		return err
	}
	// The open demands posted to this supermarket, as a wall shows its industry's.
	demands, err := a.Store.SupermarketDemands(ctx, &sm.Supermarket, wallDemands)
	if err != nil {
		return err
	}
	return a.Render(c, fiber.StatusOK, "supermarket", fiber.Map{
		"SM": sm, "Shelves": views, "Stocked": stocked, "Local": local, "Ceiling": sm.Ceiling(),
		"Via": "supermarket:" + sm.Slug, "Demands": demands,
		"DemandsURL": "/demands?" + url.Values{"channel": {"supermarket:" + sm.Slug}}.Encode(),
	})
}

// Shelves lists a supermarket's stocked shelves with what each shows (pins first, then its rules).
func (a *App) Shelves(ctx context.Context, sm *market.Supermarket) ([]stockedView, error) {
	shelves, err := a.Store.Shelves(ctx, sm)
	if err != nil {
		return nil, err
	}
	out := make([]stockedView, len(shelves))
	for i := range shelves {
		l, err := a.shelfList(ctx, &shelves[i])
		if err != nil {
			return nil, err
		}
		out[i].ShelfView = shelves[i]
		if out[i].Rows, out[i].Total, err = a.listChannel(ctx, l, 1, shelfSize); err != nil {
			return nil, err
		}
	}
	return out, nil
}
