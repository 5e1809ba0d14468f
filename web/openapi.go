package web

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPISpec describes every path of the API (docs/interfaces.md §5), including those other parts of the
// app serve.
//
//go:embed openapi.json
var openAPISpec []byte

// openAPI is GET /api/v1/openapi.json.
func (a *App) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(openAPISpec)
}
