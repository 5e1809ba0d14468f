package web

import (
	"github.com/gofiber/fiber/v2"

	"patentwall/market"
)

const demandsPerPage = 20

// demandsPage is the demand board: technology needs, newest first.
func (a *App) demandsPage(c *fiber.Ctx) error {
	page, err := pageParam(c, 10_000)
	if err != nil {
		return err
	}
	ds, total, err := a.Store.DemandBoard(c.UserContext(), market.DemandFilter{}, demandsPerPage, (page-1)*demandsPerPage)
	if err != nil {
		return err
	}
	return a.Render(c, fiber.StatusOK, "demands", fiber.Map{
		"Demands": ds, "Total": total, "Pager": makePager(page, demandsPerPage, total, pagedURL("/demands")),
	})
}
