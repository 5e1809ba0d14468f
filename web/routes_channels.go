package web

import "patentwall/market"

// registerChannelRoutes adds walls and supermarkets run by operators: their API, the screen mode and
// the operator pages under /operator (docs/interfaces.md §5.8). Who may change what is market's
// (Actor.MayRunWall, Actor.MayRunSupermarket).
func registerChannelRoutes(a *App) {
	ch := &channels{App: a}
	// A publish, withdrawal or edit reaches the index through the outbox: screens show it at once.
	a.Store.OnOutboxChange(ch.invalidate)
	a.OnPatentPage(a.pinHook)
	a.AddNav(NavLink{Path: "/operator", Key: "nav.operator", Show: func(v *Viewer) bool {
		return v != nil && (v.Role == market.RoleOperator || v.Role == market.RoleBureau)
	}})

	r := a.Fiber
	r.Get("/walls/:slug", ch.wallPage)
	r.Get("/walls/:slug/screen", ch.wallScreenPage)
	r.Get("/walls/:slug/qr/:no.svg", ch.wallPatentQR)

	api := r.Group("/api/v1")
	api.Post("/walls", a.RequireToken, ch.apiCreateWall)
	api.Get("/walls/:slug", ch.apiGetWall)
	api.Put("/walls/:slug", a.RequireToken, ch.apiUpdateWall)
	api.Put("/walls/:slug/pins", a.RequireToken, ch.apiWallPatentsPut(market.WallPin))
	api.Put("/walls/:slug/excluded", a.RequireToken, ch.apiWallPatentsPut(market.WallExclude))
	api.Get("/walls/:slug/patents", ch.apiWallPatents)
	api.Get("/walls/:slug/screen", ch.apiWallScreen)
	api.Post("/supermarkets", a.RequireToken, ch.apiOpenSupermarket)
	api.Put("/supermarkets/:slug", a.RequireToken, ch.apiUpdateSupermarket)
	api.Get("/supermarkets/:slug/shelves", ch.apiGetShelves)
	api.Put("/supermarkets/:slug/shelves", a.RequireToken, ch.apiPutShelves)

	registerOperatorPages(ch)
}
