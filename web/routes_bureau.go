package web

// registerBureauRoutes adds the bureau's pages and API (owned by the bureau engineer).
func registerBureauRoutes(a *App) {}
