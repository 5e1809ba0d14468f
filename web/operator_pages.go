package web

// The operators' pages under /operator: their walls (rules, pins, exclusions, a preview as visitors see
// it) and supermarkets (price bands, shelves), and the "pin to my wall" action of search results and
// patent pages. Every form works without script (POST, then redirect). Who may change what is
// market's; these handlers translate forms and render.

import (
	"html/template"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
)

func registerOperatorPages(ch *channels) {
	g := ch.Fiber.Group("/operator", ch.RequireLogin, requireOperator)
	g.Get("/", ch.operatorIndex)
	g.Get("/walls/new", ch.wallNewPage)
	g.Post("/walls", ch.wallCreate)
	g.Post("/pin", ch.pinToWall)
	g.Get("/walls/:slug", ch.wallEditPage)
	g.Post("/walls/:slug", ch.wallSave)
	g.Get("/supermarkets/:slug", ch.supermarketEditPage)
	g.Post("/supermarkets/:slug", ch.supermarketSave)
	g.Post("/supermarkets/:slug/shelves", ch.shelvesSave)
}

// requireOperator lets operators and the bureau in; market checks each channel.
func requireOperator(c *fiber.Ctx) error {
	act := ActorOf(c)
	if act.Role != market.RoleOperator && !act.IsBureau() {
		return market.ErrForbidden
	}
	return c.Next()
}

// operatorIndex is /operator: the viewer's walls and supermarkets.
func (ch *channels) operatorIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	act := ActorOf(c)
	walls, err := ch.Store.WallsOf(ctx, act)
	if err != nil {
		return err
	}
	sms, err := ch.Store.SupermarketsOf(ctx, act)
	if err != nil {
		return err
	}
	data := pageData(c)
	data["Walls"], data["Supermarkets"], data["CanCreateWalls"] = walls, sms, act.CanCreateWalls()
	return ch.Render(c, fiber.StatusOK, "operator/index", data)
}

var wallFields = []string{"slug", "name", "name_en", "description", "org_uscc", "industries", "ipc", "keywords",
	"holder_kinds", "districts", "pins", "excluded"}

// listSep splits what people type into a list field: commas (either width), semicolons, new lines.
var listSep = regexp.MustCompile(`[,，;；、\n\r]+`)

func splitField(s string) []string {
	out := []string{}
	for _, v := range listSep.Split(s, -1) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func rulesOf(f *form, prefix string) market.ChannelRules {
	return market.ChannelRules{Industries: splitField(f.Get(prefix + "industries")), IPC: splitField(f.Get(prefix + "ipc")),
		Keywords: splitField(f.Get(prefix + "keywords")), HolderKinds: splitField(f.Get(prefix + "holder_kinds")),
		Districts: splitField(f.Get(prefix + "districts"))}
}

func setRules(f *form, prefix string, r market.ChannelRules) {
	f.Values[prefix+"industries"] = strings.Join(r.Industries, ", ")
	f.Values[prefix+"ipc"] = strings.Join(r.IPC, ", ")
	f.Values[prefix+"keywords"] = strings.Join(r.Keywords, ", ")
	f.Values[prefix+"holder_kinds"] = strings.Join(r.HolderKinds, ", ")
	f.Values[prefix+"districts"] = strings.Join(r.Districts, ", ")
}

// shelfIndex matches the shelf of a market field of SetShelves ("[1].title").
var shelfIndex = regexp.MustCompile(`^\[(\d+)\]`)

// fieldIndex matches the list position and the rules prefix of a market field ("rules.ipc[2]").
var fieldIndex = regexp.MustCompile(`\[\d+\]$`)

// addFormErr records market's errors on the form's fields: "rules.ipc[2]" is the form's "ipc",
// "application_nos[0]" the list being saved (listField).
func addFormErr(f *form, err error, prefix, listField string) bool {
	es := market.AsFieldErrors(err)
	if es == nil {
		return false
	}
	for _, fe := range es {
		cp := *fe
		name := fieldIndex.ReplaceAllString(strings.TrimPrefix(fe.Field, "rules."), "")
		if name == "application_nos" {
			name = listField
		}
		cp.Field = prefix + name
		f.Add(&cp)
	}
	return true
}

func (ch *channels) wallNewPage(c *fiber.Ctx) error {
	if !ActorOf(c).CanCreateWalls() {
		return market.ErrForbidden
	}
	return ch.renderWallForm(c, fiber.StatusOK, newForm(Lang(c), wallFields...), nil)
}

func (ch *channels) renderWallForm(c *fiber.Ctx, status int, f *form, w *market.WallSetup) error {
	data := pageData(c)
	data["Form"], data["Setup"], data["IsBureau"] = f, w, ActorOf(c).IsBureau()
	return ch.Render(c, status, "operator/wall", data)
}

func wallInput(f *form) market.WallInput {
	return market.WallInput{Slug: f.Get("slug"), Name: f.Get("name"), NameEN: f.Get("name_en"),
		Description: f.Values["description"], Rules: rulesOf(f, ""), OrgUSCC: f.Get("org_uscc")}
}

// wallCreate is POST /operator/walls.
func (ch *channels) wallCreate(c *fiber.Ctx) error {
	f := parseForm(c, wallFields...)
	w, err := ch.Store.CreateWall(c.UserContext(), ActorOf(c), wallInput(f))
	if err != nil {
		if !addFormErr(f, err, "", "pins") || isCode(err, market.CodeForbidden) {
			return err
		}
		return ch.renderWallForm(c, fiber.StatusUnprocessableEntity, f, nil)
	}
	ch.invalidate()
	return c.Redirect(withDone("/operator/walls/"+w.Slug, "done.saved"), fiber.StatusSeeOther)
}

// wallEditPage is /operator/walls/{slug}: the wall's form, its pins and exclusions with their state.
func (ch *channels) wallEditPage(c *fiber.Ctx) error {
	w, err := ch.Store.WallSetup(c.UserContext(), utils.CopyString(c.Params("slug")))
	if err != nil {
		return err
	}
	if err := ActorOf(c).MayRunWall(&w.Wall); err != nil {
		return err
	}
	f := newForm(Lang(c), wallFields...)
	f.Values["slug"], f.Values["name"], f.Values["name_en"], f.Values["description"] = w.Wall.Slug, w.Wall.Name, w.Wall.NameEN, w.Wall.Description
	setRules(f, "", w.Rules)
	var pins, excl []string
	for _, p := range w.Pins {
		if p.Live {
			pins = append(pins, p.ApplicationNo)
		}
	}
	for _, p := range w.Excluded {
		excl = append(excl, p.ApplicationNo)
	}
	f.Values["pins"], f.Values["excluded"] = strings.Join(pins, "\n"), strings.Join(excl, "\n")
	return ch.renderWallForm(c, fiber.StatusOK, f, w)
}

// wallSave is POST /operator/walls/{slug}: the wall's fields and rules, then its pins and exclusions
// (each its own transaction; the first refusal stops and is shown).
func (ch *channels) wallSave(c *fiber.Ctx) error {
	ctx := c.UserContext()
	act := ActorOf(c)
	slug := utils.CopyString(c.Params("slug"))
	f := parseForm(c, wallFields...)
	fail := func(err error, list string) error {
		if !addFormErr(f, err, "", list) || isCode(err, market.CodeForbidden) || isCode(err, market.CodeNotFound) {
			return err
		}
		w, lerr := ch.Store.WallSetup(ctx, slug)
		if lerr != nil {
			return lerr
		}
		return ch.renderWallForm(c, fiber.StatusUnprocessableEntity, f, w)
	}
	w, err := ch.Store.UpdateWall(ctx, act, slug, wallInput(f))
	if err != nil {
		return fail(err, "pins")
	}
	slug = w.Slug
	if err := ch.Store.SetWallPatents(ctx, act, slug, market.WallExclude, splitField(f.Get("excluded"))); err != nil {
		return fail(err, "excluded")
	}
	if err := ch.Store.SetWallPatents(ctx, act, slug, market.WallPin, splitField(f.Get("pins"))); err != nil {
		return fail(err, "pins")
	}
	ch.invalidate()
	return c.Redirect(withDone("/operator/walls/"+slug, "done.saved"), fiber.StatusSeeOther)
}

// pinToWall is POST /operator/pin {wall, application_no}: the "pin to my wall" action. It leads to the
// wall's page of pins, where the operator sees the new pin last and can reorder.
func (ch *channels) pinToWall(c *fiber.Ctx) error {
	slug := utils.CopyString(c.FormValue("wall"))
	no := utils.CopyString(c.FormValue("application_no"))
	if err := ch.Store.PinToWall(c.UserContext(), ActorOf(c), slug, no); err != nil {
		return err
	}
	ch.invalidate()
	return c.Redirect(withDone("/operator/walls/"+url.PathEscape(slug), "done.pinned"), fiber.StatusSeeOther)
}

var supermarketFields = []string{"slug", "name", "name_en", "district", "park", "agency_uscc", "max_price_yuan", "price_bands_yuan"}

func (ch *channels) renderSupermarketForm(c *fiber.Ctx, status int, f, sf *form, sm *market.SupermarketSummary, shelves int) error {
	data := pageData(c)
	data["Form"], data["Shelves"], data["SM"] = f, sf, sm
	n := make([]int, shelves+1) // the stored shelves and one empty for a new one
	for i := range n {
		n[i] = i
	}
	data["ShelfN"] = n
	return ch.Render(c, status, "operator/supermarket", data)
}

// supermarketForms fills the supermarket's form and its shelves' form from the database.
func (ch *channels) supermarketForms(c *fiber.Ctx, sm *market.SupermarketSummary) (*form, *form, int, error) {
	f := newForm(Lang(c), supermarketFields...)
	f.Values["slug"], f.Values["name"], f.Values["name_en"], f.Values["park"] = sm.Slug, sm.Name, sm.NameEN, sm.Park
	f.Values["district"], f.Values["max_price_yuan"] = sm.DistrictCode, market.Fen(sm.Ceiling()).String()
	var bands []string
	for _, b := range sm.Bands() {
		bands = append(bands, market.Fen(b).String())
	}
	f.Values["price_bands_yuan"] = strings.Join(bands, ", ")
	shelves, err := ch.Store.Shelves(c.UserContext(), &sm.Supermarket)
	if err != nil {
		return nil, nil, 0, err
	}
	sf := newForm(Lang(c), shelfFields(len(shelves)+1)...)
	for i, sh := range shelves {
		p := shelfPrefix(i)
		sf.Values[p+"key"], sf.Values[p+"title"], sf.Values[p+"position"] = sh.Key, sh.Title, strconv.Itoa(i+1)
		sf.Values[p+"pins"], sf.Values[p+"max_price_yuan"] = strings.Join(sh.Pins, "\n"), market.Fen(sh.MaxPriceFen).String()
		setRules(sf, p, sh.Rules)
	}
	sf.Values[shelfPrefix(len(shelves))+"position"] = strconv.Itoa(len(shelves) + 1)
	return f, sf, len(shelves), nil
}

func shelfPrefix(i int) string { return "s" + strconv.Itoa(i) + "." }

var shelfFieldNames = []string{"key", "title", "position", "industries", "ipc", "keywords", "holder_kinds", "districts", "pins", "max_price_yuan"}

func shelfFields(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		for _, name := range shelfFieldNames {
			out = append(out, shelfPrefix(i)+name)
		}
	}
	return out
}

// supermarketEditPage is /operator/supermarkets/{slug}.
func (ch *channels) supermarketEditPage(c *fiber.Ctx) error {
	sm, err := ch.Store.SupermarketBySlug(c.UserContext(), utils.CopyString(c.Params("slug")))
	if err != nil {
		return err
	}
	if err := ActorOf(c).MayRunSupermarket(&sm.Supermarket); err != nil {
		return err
	}
	f, sf, n, err := ch.supermarketForms(c, sm)
	if err != nil {
		return err
	}
	return ch.renderSupermarketForm(c, fiber.StatusOK, f, sf, sm, n)
}

// supermarketSave is POST /operator/supermarkets/{slug}.
func (ch *channels) supermarketSave(c *fiber.Ctx) error {
	ctx := c.UserContext()
	sm, err := ch.Store.SupermarketBySlug(ctx, utils.CopyString(c.Params("slug")))
	if err != nil {
		return err
	}
	f := parseForm(c, supermarketFields...)
	var bands []market.Numeric
	for _, b := range splitField(f.Get("price_bands_yuan")) {
		bands = append(bands, market.Numeric(b))
	}
	in := market.SupermarketInput{Slug: f.Get("slug"), Name: f.Get("name"), NameEN: f.Get("name_en"), District: f.Get("district"),
		Park: f.Get("park"), AgencyUSCC: f.Get("agency_uscc"), MaxPriceYuan: market.Numeric(f.Get("max_price_yuan")), PriceBandsYuan: bands}
	up, err := ch.Store.UpdateSupermarket(ctx, ActorOf(c), sm.Slug, in)
	if err != nil {
		if !addFormErr(f, err, "", "") || isCode(err, market.CodeForbidden) {
			return err
		}
		_, sf, n, ferr := ch.supermarketForms(c, sm)
		if ferr != nil {
			return ferr
		}
		return ch.renderSupermarketForm(c, fiber.StatusUnprocessableEntity, f, sf, sm, n)
	}
	ch.invalidate()
	return c.Redirect(withDone("/operator/supermarkets/"+up.Slug, "done.saved"), fiber.StatusSeeOther)
}

// shelvesSave is POST /operator/supermarkets/{slug}/shelves: every shelf at once, ordered by their
// position fields; a shelf with neither key nor title is left out (removed).
func (ch *channels) shelvesSave(c *fiber.Ctx) error {
	ctx := c.UserContext()
	sm, err := ch.Store.SupermarketBySlug(ctx, utils.CopyString(c.Params("slug")))
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(c.FormValue("n"))
	n = max(0, min(n, market.MaxShelves+1))
	sf := parseForm(c, shelfFields(n)...)
	type entry struct {
		pos int
		in  market.ShelfInput
	}
	var entries []entry
	for i := 0; i < n; i++ {
		p := shelfPrefix(i)
		if sf.Get(p+"key") == "" && sf.Get(p+"title") == "" {
			continue
		}
		pos, perr := strconv.Atoi(sf.Get(p + "position"))
		if perr != nil {
			pos = i + 1
		}
		entries = append(entries, entry{pos, market.ShelfInput{Key: sf.Get(p + "key"), Title: sf.Get(p + "title"),
			Rules: rulesOf(sf, p), Pins: splitField(sf.Get(p + "pins")), MaxPriceYuan: market.Numeric(sf.Get(p + "max_price_yuan"))}})
	}
	// A stable sort by position keeps the form's order among equal positions.
	for i := 1; i < len(entries); i++ {
		for j := i; j > 0 && entries[j].pos < entries[j-1].pos; j-- {
			entries[j], entries[j-1] = entries[j-1], entries[j]
		}
	}
	in := make([]market.ShelfInput, len(entries))
	for i, e := range entries {
		in[i] = e.in
	}
	if err := ch.Store.SetShelves(ctx, ActorOf(c), sm.Slug, in); err != nil {
		if !userError(err) || isCode(err, market.CodeForbidden) || isCode(err, market.CodeNotFound) {
			return err
		}
		f, _, _, ferr := ch.supermarketForms(c, sm)
		if ferr != nil {
			return ferr
		}
		// "[1].title" is the second shelf saved: name it as the form numbers its groups.
		for _, fe := range market.AsFieldErrors(err) {
			msg := fe.Message(Lang(c))
			if m := shelfIndex.FindStringSubmatch(fe.Field); m != nil {
				i, _ := strconv.Atoi(m[1])
				msg = tr(Lang(c), "op.shelf", i+1) + "：" + msg
			}
			sf.General = append(sf.General, msg)
		}
		return ch.renderSupermarketForm(c, fiber.StatusUnprocessableEntity, f, sf, sm, n-1)
	}
	ch.invalidate()
	return c.Redirect(withDone("/operator/supermarkets/"+sm.Slug, "done.saved"), fiber.StatusSeeOther)
}

// pinForms returns, for an operator who runs walls, the "pin to my wall" form of a patent (a select of
// the walls and a button), and for anyone else nothing.
func (a *App) pinForms(c *fiber.Ctx) (func(appNo string) template.HTML, error) {
	none := func(string) template.HTML { return "" }
	act := ActorOf(c)
	if act.Role != market.RoleOperator && !act.IsBureau() {
		return none, nil
	}
	walls, err := a.Store.WallsOf(c.UserContext(), act)
	if err != nil || len(walls) == 0 {
		return none, err
	}
	lang := Lang(c)
	csrf, _ := c.Locals("csrf").(string)
	return func(appNo string) template.HTML {
		var b strings.Builder
		b.WriteString(`<form method="post" action="/operator/pin" class="pin-form"><input type="hidden" name="_csrf" value="`)
		htmlText(&b, csrf)
		b.WriteString(`"><input type="hidden" name="application_no" value="`)
		htmlText(&b, appNo)
		b.WriteString(`"><label>`)
		htmlText(&b, tr(lang, "op.pin_wall"))
		b.WriteString(` <select name="wall">`)
		for _, w := range walls {
			b.WriteString(`<option value="`)
			htmlText(&b, w.Slug)
			b.WriteString(`">`)
			htmlText(&b, w.Name)
			b.WriteString(`</option>`)
		}
		b.WriteString(`</select></label> <button type="submit" class="button button-small">`)
		htmlText(&b, tr(lang, "op.pin_to"))
		b.WriteString("</button></form>\n")
		return template.HTML(b.String())
	}, nil
}

// pinHook puts the "pin to my wall" form on the patent page of a live patent.
func (a *App) pinHook(c *fiber.Ctx, pv *market.PatentView, data fiber.Map) error {
	if pv.Declaration == nil {
		return nil
	}
	pin, err := a.pinForms(c)
	if err != nil {
		return err
	}
	data["PinForm"] = pin(pv.ApplicationNo)
	return nil
}
