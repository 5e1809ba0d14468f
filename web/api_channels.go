package web

// The API of walls and supermarkets run by operators (docs/interfaces.md §5.8). The rules, the
// permissions and the validation are market's; this file translates and lists.

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
	"patentwall/search"
)

// apiListed is a pinned or excluded patent as the wall's operators see it.
type apiListed struct {
	ApplicationNo string `json:"application_no"`
	Title         string `json:"title"`
	Status        string `json:"status"` // live | withdrawn
}

type apiWall struct {
	Slug        string              `json:"slug"`
	Name        string              `json:"name"`
	NameEN      string              `json:"name_en"`
	Description string              `json:"description"`
	Rules       market.ChannelRules `json:"rules"`
	OrgUSCC     string              `json:"org_uscc"`
	OrgName     string              `json:"org_name"`
	URL         string              `json:"url"`
	Pins        []apiListed         `json:"pins"`
	Excluded    []apiListed         `json:"excluded,omitempty"` // to its operators only
}

func listed(ls []market.WallListed) []apiListed {
	out := make([]apiListed, len(ls))
	for i, l := range ls {
		out[i] = apiListed{ApplicationNo: l.ApplicationNo, Title: l.Title, Status: "live"}
		if !l.Live {
			out[i].Status = "withdrawn"
		}
	}
	return out
}

func (a *App) toAPIWall(act market.Actor, w *market.WallSetup) apiWall {
	out := apiWall{Slug: w.Wall.Slug, Name: w.Wall.Name, NameEN: w.Wall.NameEN, Description: w.Wall.Description,
		Rules: w.Rules, OrgUSCC: w.Org.USCC, OrgName: w.Org.Name, URL: a.BaseURL + "/walls/" + w.Wall.Slug + "?via=wall:" + w.Wall.Slug,
		Pins: listed(w.Pins)}
	if act.MayRunWall(&w.Wall) == nil {
		out.Excluded = listed(w.Excluded)
	}
	return out
}

// sendWall answers with the wall as it now is.
func (ch *channels) sendWall(c *fiber.Ctx, status int, slug string) error {
	ch.invalidate()
	w, err := ch.Store.WallSetup(c.UserContext(), slug)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(ch.toAPIWall(ActorOf(c), w))
}

// apiCreateWall is POST /api/v1/walls.
func (ch *channels) apiCreateWall(c *fiber.Ctx) error {
	var in market.WallInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	w, err := ch.Store.CreateWall(c.UserContext(), ActorOf(c), in)
	if err != nil {
		return ch.apiFail(c, err)
	}
	return ch.sendWall(c, fiber.StatusCreated, w.Slug)
}

// apiUpdateWall is PUT /api/v1/walls/{slug}.
func (ch *channels) apiUpdateWall(c *fiber.Ctx) error {
	var in market.WallInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	w, err := ch.Store.UpdateWall(c.UserContext(), ActorOf(c), utils.CopyString(c.Params("slug")), in)
	if err != nil {
		return ch.apiFail(c, err)
	}
	return ch.sendWall(c, fiber.StatusOK, w.Slug)
}

type apiPatentList struct {
	ApplicationNos []string `json:"application_nos"`
}

// apiWallPatentsPut is PUT /api/v1/walls/{slug}/pins and /excluded.
func (ch *channels) apiWallPatentsPut(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in apiPatentList
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		slug := utils.CopyString(c.Params("slug"))
		if err := ch.Store.SetWallPatents(c.UserContext(), ActorOf(c), slug, kind, in.ApplicationNos); err != nil {
			return ch.apiFail(c, err)
		}
		return ch.sendWall(c, fiber.StatusOK, slug)
	}
}

// apiGetWall is GET /api/v1/walls/{slug}: the wall, its rules and pins (and exclusions for its operators).
func (ch *channels) apiGetWall(c *fiber.Ctx) error {
	w, err := ch.Store.WallSetup(c.UserContext(), utils.CopyString(c.Params("slug")))
	if err != nil {
		return err
	}
	return c.JSON(ch.toAPIWall(ActorOf(c), w))
}

type apiWallHit struct {
	apiPatent
	Pinned bool `json:"pinned"`
}

type apiWallPatents struct {
	Total   int          `json:"total"`
	Page    int          `json:"page"`
	PerPage int          `json:"per_page"`
	Hits    []apiWallHit `json:"hits"`
}

// apiWallPatents is GET /api/v1/walls/{slug}/patents: what the wall shows now.
func (ch *channels) apiWallPatents(c *fiber.Ctx) error {
	ctx := c.UserContext()
	w, err := ch.wallSetup(ctx, utils.CopyString(c.Params("slug")))
	if err != nil {
		return err
	}
	page, err := intParam(c, paramPage, 1, 1, search.MaxResultWindow)
	if err != nil {
		return err
	}
	perPage, err := intParam(c, paramPerPage, search.DefaultPerPage, 1, search.MaxPerPage)
	if err != nil {
		return err
	}
	rows, total, err := ch.listChannel(ctx, wallList(w), page, perPage)
	if err != nil {
		return err
	}
	out := apiWallPatents{Total: total, Page: page, PerPage: perPage, Hits: make([]apiWallHit, len(rows))}
	for i := range rows {
		out.Hits[i] = apiWallHit{apiPatent: ch.toAPIPatent(&rows[i].PatentView, false), Pinned: rows[i].Pinned}
		out.Hits[i].URL += "?via=wall:" + w.Wall.Slug
	}
	return c.JSON(out)
}

type apiSupermarket struct {
	Slug           string   `json:"slug"`
	Name           string   `json:"name"`
	NameEN         string   `json:"name_en"`
	District       string   `json:"district"`
	Park           string   `json:"park"`
	OfficeUSCC     string   `json:"office_uscc"`
	AgencyUSCC     string   `json:"agency_uscc"`
	MaxPriceYuan   string   `json:"max_price_yuan"`
	PriceBandsYuan []string `json:"price_bands_yuan"`
	URL            string   `json:"url"`
}

func (ch *channels) sendSupermarket(c *fiber.Ctx, status int, slug string) error {
	ch.invalidate()
	ctx := c.UserContext()
	sm, err := ch.Store.SupermarketBySlug(ctx, slug)
	if err != nil {
		return err
	}
	out := apiSupermarket{Slug: sm.Slug, Name: sm.Name, NameEN: sm.NameEN, District: sm.DistrictCode, Park: sm.Park,
		MaxPriceYuan: market.Fen(sm.Ceiling()).String(), PriceBandsYuan: []string{},
		URL: ch.BaseURL + "/supermarkets/" + sm.Slug + "?via=supermarket:" + sm.Slug}
	for _, b := range sm.Bands() {
		out.PriceBandsYuan = append(out.PriceBandsYuan, market.Fen(b).String())
	}
	office, err := ch.Store.OrgByID(ctx, sm.OfficeID)
	if err != nil {
		return err
	}
	out.OfficeUSCC = office.USCC
	if sm.AgencyID != nil {
		agency, err := ch.Store.OrgByID(ctx, *sm.AgencyID)
		if err != nil {
			return err
		}
		out.AgencyUSCC = agency.USCC
	}
	return c.Status(status).JSON(out)
}

// apiOpenSupermarket is POST /api/v1/supermarkets.
func (ch *channels) apiOpenSupermarket(c *fiber.Ctx) error {
	var in market.SupermarketInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	sm, err := ch.Store.OpenSupermarket(c.UserContext(), ActorOf(c), in)
	if err != nil {
		return ch.apiFail(c, err)
	}
	return ch.sendSupermarket(c, fiber.StatusCreated, sm.Slug)
}

// apiUpdateSupermarket is PUT /api/v1/supermarkets/{slug}.
func (ch *channels) apiUpdateSupermarket(c *fiber.Ctx) error {
	var in market.SupermarketInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	sm, err := ch.Store.UpdateSupermarket(c.UserContext(), ActorOf(c), utils.CopyString(c.Params("slug")), in)
	if err != nil {
		return ch.apiFail(c, err)
	}
	return ch.sendSupermarket(c, fiber.StatusOK, sm.Slug)
}

type apiShelf struct {
	Key          string              `json:"key"`
	Title        string              `json:"title"`
	Rules        market.ChannelRules `json:"rules"`
	Pins         []string            `json:"pins"`
	MaxPriceYuan string              `json:"max_price_yuan"`
}

// apiGetShelves is GET /api/v1/supermarkets/{slug}/shelves: the shelves in order.
func (ch *channels) apiGetShelves(c *fiber.Ctx) error {
	ctx := c.UserContext()
	sm, err := ch.Store.SupermarketBySlug(ctx, utils.CopyString(c.Params("slug")))
	if err != nil {
		return err
	}
	shelves, err := ch.Store.Shelves(ctx, &sm.Supermarket)
	if err != nil {
		return err
	}
	out := make([]apiShelf, len(shelves))
	for i, sh := range shelves {
		out[i] = apiShelf{Key: sh.Key, Title: sh.Title, Rules: sh.Rules, Pins: sh.Pins, MaxPriceYuan: market.Fen(sh.MaxPriceFen).String()}
	}
	return c.JSON(out)
}

// apiPutShelves is PUT /api/v1/supermarkets/{slug}/shelves: replace the shelves.
func (ch *channels) apiPutShelves(c *fiber.Ctx) error {
	var in []market.ShelfInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := ch.Store.SetShelves(c.UserContext(), ActorOf(c), utils.CopyString(c.Params("slug")), in); err != nil {
		return ch.apiFail(c, err)
	}
	ch.invalidate()
	return ch.apiGetShelves(c)
}
