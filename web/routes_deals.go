package web

import "patentwall/market"

// registerDealRoutes adds offers, intents, deals, transfer registrations, channel attribution and the
// channels' statistics (docs/interfaces.md §4, §5.9). Authorisation is market's; the page routes send
// visitors to log in first.
func registerDealRoutes(a *App) {
	r := a.Fiber
	r.Use(a.trackVia)
	a.OnPatentPage(a.offerHook)
	a.AddNav(NavLink{Path: "/intents", Key: "nav.intents", Show: func(v *Viewer) bool {
		return v != nil && v.OrgID != 0 && (v.Role == market.RoleHolder || v.Role == market.RoleLicensee)
	}})
	a.AddNav(NavLink{Path: "/operator/channels", Key: "nav.channels", Show: func(v *Viewer) bool {
		return v != nil && (v.Role == market.RoleOperator || v.Role == market.RoleBureau)
	}})

	r.Get("/patents/:no/offer", a.RequireLogin, a.offerPage)
	r.Post("/patents/:no/offer", a.RequireLogin, a.offerSave)
	r.Post("/contracts/:no/registration", a.RequireLogin, a.contractRegistration)
	it := r.Group("/intents", a.RequireLogin)
	it.Get("/", a.intentsPage)
	it.Post("/", a.intentCreate)
	it.Get("/:id", a.intentPage)
	it.Post("/:id/messages", a.intentMessage)
	it.Post("/:id/decline", a.intentClose(true))
	it.Post("/:id/withdraw", a.intentClose(false))
	it.Post("/:id/deal", a.intentDeal)
	op := r.Group("/operator/channels", a.RequireLogin)
	op.Get("/", a.channelsPage)
	op.Get("/:channel", a.channelPage)
	op.Post("/:channel/targets", a.channelTargets)
	r.Get("/bureau/channels", a.RequireLogin, a.bureauChannelsPage)

	api := r.Group("/api/v1")
	api.Put("/patents/:no/offer", a.RequireToken, a.apiPutOffer)
	api.Post("/intents", a.RequireToken, a.apiCreateIntent)
	api.Get("/intents", a.RequireToken, a.apiListIntents)
	api.Get("/intents/:id", a.RequireToken, a.apiGetIntent)
	api.Post("/intents/:id/messages", a.RequireToken, a.apiPostIntentMessage)
	api.Post("/intents/:id/decline", a.RequireToken, a.apiCloseIntent(true))
	api.Post("/intents/:id/withdraw", a.RequireToken, a.apiCloseIntent(false))
	api.Post("/intents/:id/deal", a.RequireToken, a.apiRecordDeal)
	api.Post("/contracts/:no/registration", a.RequireToken, a.apiRecordRegistration)
	api.Put("/channels/:channel/targets", a.RequireToken, a.apiPutTargets)
	api.Get("/channels/:channel/stats", a.RequireToken, a.apiChannelStats)
	api.Get("/bureau/channels", a.RequireToken, a.apiBureauChannels)
}
