package web

import (
	"github.com/gofiber/fiber/v2"

	"patentwall/market"
)

// industryGroup is one industry on the home page: its count and newest open-licence patents.
type industryGroup struct {
	Industry string
	Count    int64
	Patents  []market.PatentView
}

const (
	homeLatest      = 8
	homeFeatured    = 4
	homeIndustries  = 8
	homePerIndustry = 3
)

// home is the public patent wall: the newest and featured open-licence patents, grouped by industry.
func (a *App) home(c *fiber.Ctx) error {
	ctx := c.UserContext()
	latest, err := a.Store.LatestDeclared(ctx, homeLatest)
	if err != nil {
		return err
	}
	featured, err := a.Store.Featured(ctx, homeFeatured)
	if err != nil {
		return err
	}
	counts, err := a.Store.IndustryCounts(ctx)
	if err != nil {
		return err
	}
	var total int64
	for _, ic := range counts {
		total += ic.Count
	}
	shown := counts[:min(len(counts), homeIndustries)]
	names := make([]string, len(shown))
	for i, ic := range shown {
		names[i] = ic.Industry
	}
	latestBy, err := a.Store.LatestPerIndustry(ctx, names, homePerIndustry)
	if err != nil {
		return err
	}
	groups := make([]industryGroup, len(shown))
	for i, ic := range shown {
		groups[i] = industryGroup{Industry: ic.Industry, Count: ic.Count, Patents: latestBy[ic.Industry]}
	}
	return a.Render(c, fiber.StatusOK, "home", fiber.Map{
		"Latest":     latest,
		"Featured":   featured,
		"Groups":     groups,
		"Industries": counts,
		"Total":      total,
	})
}
