package web

import (
	"strconv"

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
	walls, err := a.Store.Walls(c.UserContext())
	if err != nil {
		return err
	}
	return a.Render(c, fiber.StatusOK, "walls", fiber.Map{"Walls": walls})
}

// wallPage shows one wall: its patents (featured first) and its industry's open demands.
func (a *App) wallPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	w, org, err := a.Store.WallBySlug(ctx, utils.CopyString(c.Params("slug")))
	if err != nil {
		return err
	}
	page, err := pageParam(c, 10_000)
	if err != nil {
		return err
	}
	ps, total, err := a.Store.WallPatents(ctx, w, wallPerPage, (page-1)*wallPerPage)
	if err != nil {
		return err
	}
	demands, err := a.Store.WallDemands(ctx, w, wallDemands)
	if err != nil {
		return err
	}
	path := "/walls/" + w.Slug
	return a.Render(c, fiber.StatusOK, "wall", fiber.Map{
		"Wall": w, "Org": org, "Patents": ps, "Total": total, "Demands": demands,
		"Pager":     makePager(page, wallPerPage, total, pagedURL(path)),
		"Permalink": a.BaseURL + path,
	})
}

// wallScreen is the wall's big-screen display for events: a few patents at a time in large type; the
// page refreshes itself (a meta refresh, no script) and moves on to the next page, then starts over.
func (a *App) wallScreen(c *fiber.Ctx) error {
	ctx := c.UserContext()
	w, org, err := a.Store.WallBySlug(ctx, utils.CopyString(c.Params("slug")))
	if err != nil {
		return err
	}
	page, err := pageParam(c, 10_000)
	if err != nil {
		return err
	}
	ps, total, err := a.Store.WallPatents(ctx, w, screenPerPage, (page-1)*screenPerPage)
	if err != nil {
		return err
	}
	pages := max(1, int((total+screenPerPage-1)/screenPerPage))
	next := page + 1
	if next > pages {
		next = 1
	}
	path := "/walls/" + w.Slug
	return a.Render(c, fiber.StatusOK, "wall_screen", fiber.Map{
		"Wall": w, "Org": org, "Patents": ps, "Total": total, "Page": min(page, pages), "Pages": pages,
		"Refresh":   strconv.Itoa(screenSeconds) + ";url=" + path + "/screen?page=" + strconv.Itoa(next),
		"Permalink": a.BaseURL + path,
		"Now":       a.Store.Now(),
	}, LayoutScreen)
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

// shelfBands are the supermarket's licence shelves: the search price bands as fee ranges.
func shelfBands() []market.ShelfBand {
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

// shelfView is a shelf with the link to see all of it in search.
type shelfView struct {
	market.Shelf
	MoreURL string
}

// supermarketPage shows one supermarket's shelves: low- and mid-price licence offers by price band and
// the transfer offers.
func (a *App) supermarketPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	sm, err := a.Store.SupermarketBySlug(ctx, utils.CopyString(c.Params("slug")))
	if err != nil {
		return err
	}
	shelves, local, err := a.Store.SupermarketShelves(ctx, &sm.Supermarket, shelfBands(), shelfSize)
	if err != nil {
		return err
	}
	views := make([]shelfView, len(shelves))
	for i, sh := range shelves {
		q := search.Query{}
		if local {
			q.Districts = []string{sm.DistrictCode}
		}
		if sh.Band == "transfer" {
			q.Offers = []string{search.OfferTransfer}
		} else {
			q.Offers = []string{search.OfferOpenLicence}
			q.PriceBands = []string{sh.Band}
		}
		views[i] = shelfView{Shelf: sh, MoreURL: searchURL("/search", q)}
	}
	return a.Render(c, fiber.StatusOK, "supermarket", fiber.Map{
		"SM": sm, "Shelves": views, "Local": local, "Ceiling": sm.Ceiling(),
	})
}
