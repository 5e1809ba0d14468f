package web

import "github.com/gofiber/fiber/v2"

// Viewer is the logged-in user as pages see them. The accounts middleware (routes_accounts.go) sets it
// with c.Locals("viewer", *Viewer); it is nil for anonymous visitors.
type Viewer struct {
	UserID      int64
	Name        string
	Email       string
	OrgID       int64
	OrgName     string
	OrgKind     string
	Role        string // holder | licensee | operator | bureau | admin
	OrgVerified bool
}

// ViewerOf returns the request's viewer, or nil.
func ViewerOf(c *fiber.Ctx) *Viewer {
	v, _ := c.Locals("viewer").(*Viewer)
	return v
}
