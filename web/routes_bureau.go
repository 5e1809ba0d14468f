package web

import "patentwall/market"

// registerBureauRoutes adds the bureau's pages and API: transaction records, bonus rounds and runs,
// the review queue and the dashboard. Every route is for bureau users only, checked on the server:
// pages send anonymous visitors to log in and refuse others with a 403 page; the API answers 401
// without a token and 403 with someone else's. Forms carry the session's CSRF token (checked by the
// accounts middleware for every unsafe page request).
func registerBureauRoutes(a *App) {
	b := newBureau(a)
	a.AddNav(NavLink{Path: "/bureau", Key: "nav.bureau", Show: func(v *Viewer) bool {
		return v != nil && v.Role == market.RoleBureau
	}})

	r := a.Fiber
	g := r.Group("/bureau", a.RequireLogin, b.requireBureau)
	g.Get("/", b.dashboardPage)
	g.Get("/contracts", b.recordsPage)
	g.Get("/contracts/export", b.recordsExport)
	g.Get("/rounds", b.roundsPage)
	g.Get("/rounds/new", b.roundNewPage)
	g.Post("/rounds", b.roundCreate)
	g.Get("/rounds/:id", b.roundPage)
	g.Post("/rounds/:id", b.roundUpdate)
	g.Get("/rounds/:id/edit", b.roundEditPage)
	g.Get("/rounds/:id/compare", b.comparePage)
	g.Post("/rounds/:id/runs", b.runCompute)
	g.Get("/rounds/:id/runs/:n", b.runPage)
	g.Get("/rounds/:id/runs/:n/lines", b.linesPage)
	g.Get("/rounds/:id/runs/:n/export", b.runExport)
	g.Post("/rounds/:id/runs/:n/freeze", b.runFreeze)
	g.Get("/rounds/:id/runs/:n/recipients/:uscc", b.statementPage)
	g.Post("/rounds/:id/runs/:n/recipients/:uscc/reject", b.statementAction("reject"))
	g.Post("/rounds/:id/runs/:n/recipients/:uscc/disqualify", b.statementAction("disqualify"))
	g.Post("/rounds/:id/runs/:n/recipients/:uscc/recover", b.statementAction("recover"))
	g.Get("/reviews", b.reviewsPage)
	g.Post("/reviews", b.reviewDecide)

	api := r.Group("/api/v1/bureau", a.RequireToken, b.requireBureau)
	api.Get("/contracts", b.apiRecords)
	api.Get("/rounds", b.apiRounds)
	api.Get("/rounds/:id/runs", b.apiRuns)
	api.Post("/rounds/:id/runs", b.apiCompute)
	api.Get("/rounds/:id/runs/:n", b.apiRun)
}
