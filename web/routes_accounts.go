package web

import "patentwall/market"

// registerAccountRoutes adds login, registration, sessions, API tokens, publishing and signing. Its
// middleware (who is asking, CSRF) is added with a.Fiber.Use before every public route, so the layout of
// every page knows the viewer; static files and /healthz are registered earlier and stay free of it.
func registerAccountRoutes(a *App) {
	r := a.Fiber
	r.Use(a.authenticate)

	a.AddNav(NavLink{Path: "/account", Key: "nav.account", Show: func(v *Viewer) bool { return v != nil }})
	a.AddNav(NavLink{Path: "/account/orgs", Key: "nav.verify", Show: func(v *Viewer) bool {
		return v != nil && (v.Role == market.RoleBureau ||
			(v.Role == market.RoleOperator && v.OrgVerified && v.OrgKind == market.KindDistrictOffice))
	}})
	a.OnPatentPage(a.acceptHook)

	r.Get("/login", a.loginPage)
	r.Post("/login", a.login)
	r.Post("/logout", a.logout)
	r.Get("/register", a.registerPage)
	r.Post("/register", a.register)
	r.Post("/patents/:no/accept", a.RequireLogin, a.acceptLicence)

	acct := r.Group("/account", a.RequireLogin)
	acct.Get("/", a.dashboardPage)
	acct.Post("/notifications/read", a.notificationsRead)
	acct.Post("/tokens/:id/revoke", a.tokenRevoke)
	acct.Get("/users", a.usersPage)
	acct.Post("/users", a.userAdd)
	acct.Get("/password", a.passwordPage)
	acct.Post("/password", a.passwordChange)
	acct.Get("/orgs", a.orgsPage)
	acct.Get("/orgs/:uscc", a.orgPage)
	acct.Post("/orgs/:uscc/verify", a.orgVerify)
	acct.Post("/orgs/:uscc/sme", a.orgSME)
	acct.Get("/patents/new", a.patentNewPage)
	acct.Post("/patents", a.patentCreate)
	acct.Get("/patents/import", a.importPage)
	acct.Post("/patents/import", a.importUpload)
	acct.Get("/patents/:no", a.patentEditPage)
	acct.Post("/patents/:no", a.patentUpdate)
	acct.Post("/patents/:no/declaration", a.declarationPublish)
	acct.Post("/patents/:no/withdraw", a.declarationWithdraw)

	ct := r.Group("/contracts", a.RequireLogin)
	ct.Get("/:no", a.contractView)
	ct.Get("/:no/print", a.contractPrint("account/contract_print"))
	ct.Get("/:no/notice", a.contractPrint("account/notice_print"))
	ct.Post("/:no/payments", a.contractPay)
	ct.Post("/:no/payments/:id/confirm", a.contractConfirm)
	ct.Post("/:no/payments/:id/reject", a.contractReject)
	ct.Post("/:no/filing", a.contractFiling)
	ct.Post("/:no/cancel", a.contractEnd(true))
	ct.Post("/:no/terminate", a.contractEnd(false))

	api := r.Group("/api/v1")
	api.Post("/tokens", a.apiCreateToken)
	api.Delete("/tokens/current", a.RequireToken, a.apiRevokeCurrentToken)
	api.Post("/register", a.apiRegister)
	api.Post("/orgs/:uscc/verify", a.RequireToken, a.apiVerifyOrg)
	api.Post("/patents", a.RequireToken, a.apiCreatePatent)
	api.Put("/patents/:no/declaration", a.RequireToken, a.apiPutDeclaration)
	api.Delete("/patents/:no/declaration", a.RequireToken, a.apiDeleteDeclaration)
	api.Post("/licences", a.RequireToken, a.apiAcceptLicence)
	api.Get("/contracts/:no", a.RequireToken, a.apiGetContract)
	api.Post("/contracts/:no/payments", a.RequireToken, a.apiRecordPayment)
	api.Post("/contracts/:no/payments/:id/confirm", a.RequireToken, a.apiConfirmPayment)
	api.Post("/contracts/:no/filing", a.RequireToken, a.apiRecordFiling)
}
