package web

import (
	"github.com/gofiber/fiber/v2"

	"patentwall/market"
	"patentwall/search"
)

// holderDashboardDemands bounds the demands the holder's dashboard lists.
const holderDashboardDemands = 10

// registerDemandRoutes adds the demand board, matches, saved searches and notifications (pages and
// API). It runs after registerAccountRoutes, whose middleware tells who is asking.
func registerDemandRoutes(a *App) {
	r := a.Fiber
	isOperator := func(v *Viewer) bool {
		return v != nil && (v.Role == market.RoleOperator || v.Role == market.RoleBureau)
	}
	a.AddNav(NavLink{Path: "/operator/demands", Key: "nav.moderation", Show: isOperator})
	a.OnPatentPage(a.patentDemandsHook)

	r.Get("/demands", a.demandsPage)
	r.Get("/demands/new", a.RequireLogin, a.demandNewPage)
	r.Post("/demands", a.RequireLogin, a.demandCreate)
	r.Get("/demands/:id", a.demandPage)
	r.Get("/demands/:id/edit", a.RequireLogin, a.demandEditPage)
	r.Post("/demands/:id", a.RequireLogin, a.demandUpdate)
	r.Post("/demands/:id/moderate", a.RequireLogin, a.demandModerate)
	r.Post("/demands/:id/close", a.RequireLogin, a.demandClose)
	r.Get("/operator/demands", a.RequireLogin, a.moderationPage)
	r.Get("/operator/demands/analysis", a.RequireLogin, a.analysisPage)
	r.Get("/notifications", a.RequireLogin, a.notificationsPage)
	r.Post("/notifications/read", a.RequireLogin, a.notificationsMarkRead)
	r.Get("/saved-searches", a.RequireLogin, a.savedSearchesPage)
	r.Post("/saved-searches", a.RequireLogin, a.savedSearchCreate)
	r.Post("/saved-searches/:id/delete", a.RequireLogin, a.savedSearchDelete)

	api := r.Group("/api/v1")
	api.Get("/demands", a.apiDemands)
	api.Post("/demands", a.RequireToken, a.apiDemandCreate)
	api.Get("/demands/:id", a.apiDemandGet)
	api.Put("/demands/:id", a.RequireToken, a.apiDemandUpdate)
	api.Post("/demands/:id/moderate", a.RequireToken, a.apiDemandModerate)
	api.Post("/demands/:id/close", a.RequireToken, a.apiDemandClose)
	api.Get("/demands/:id/matches", a.apiDemandMatches)
	api.Get("/patents/:no/demands", a.RequireToken, a.apiPatentDemands)
	api.Post("/saved-searches", a.RequireToken, a.apiSavedSearchCreate)
	api.Get("/saved-searches", a.RequireToken, a.apiSavedSearches)
	api.Delete("/saved-searches/:id", a.RequireToken, a.apiSavedSearchDelete)
	api.Get("/notifications", a.RequireToken, a.apiNotifications)
	api.Post("/notifications/read", a.RequireToken, a.apiNotificationsRead)
}

// patentDemandsHook shows the patent's holder the open demands the patent matches.
func (a *App) patentDemandsHook(c *fiber.Ctx, pv *market.PatentView, data fiber.Map) error {
	act := ActorOf(c)
	if act.OrgID == 0 || act.OrgID != pv.PatenteeID {
		return nil
	}
	dms, err := a.patentDemands(c, pv)
	if err != nil {
		return err
	}
	data["HolderDemands"] = dms
	data["ShowHolderDemands"] = true
	return nil
}

// dashboardDemands adds to the dashboard the open demands the holder's patents match, and the user's
// own demands.
func (a *App) dashboardDemands(c *fiber.Ctx, data fiber.Map) error {
	ctx, act := c.UserContext(), ActorOf(c)
	if act.OrgID == 0 {
		return nil
	}
	own, err := a.Store.OrgDemands(ctx, act)
	if err != nil {
		return err
	}
	data["OwnDemands"] = own
	if !act.CanPublish() {
		return nil
	}
	hm, err := search.HolderDemands(ctx, a.Index, a.Store, act.OrgID, holderDashboardDemands)
	if engineFailed(ctx, err) {
		// The dashboard stays usable while the engine is down, without the demands matching the holder.
		a.Log.Warn("search engine failed: dashboard shown without matching demands", "err", err)
		hm, err = nil, nil
	}
	if err != nil {
		return err
	}
	data["DemandMatches"] = hm
	return nil
}
