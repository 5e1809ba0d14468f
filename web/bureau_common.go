package web

// What every bureau page and API handler shares: the bureau-only check, loading a round and a run,
// page data with the section tabs, and file downloads.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/bonus"
	"patentwall/market"
)

// bureau holds the bureau section's state beside the App.
type bureau struct {
	a     *App
	runs  *runCache
	stats *statsCache
	inds  *statsCache // industries offered by the records filter
}

func newBureau(a *App) *bureau {
	return &bureau{a: a, runs: newRunCache(runCacheLines), stats: newStatsCache(), inds: newStatsCache()}
}

// requireBureau refuses everyone but bureau users: pages run it after RequireLogin (anonymous visitors
// are sent to log in), the API after RequireToken (401). Everyone else gets a 403 page or JSON error.
func (b *bureau) requireBureau(c *fiber.Ctx) error {
	if !ActorOf(c).IsBureau() {
		return market.ErrForbidden
	}
	return c.Next()
}

// bureauTabs are the bureau section's own navigation.
var bureauTabs = []struct{ Path, Key string }{
	{"/bureau", "bureau.tab.dashboard"},
	{"/bureau/contracts", "bureau.tab.records"},
	{"/bureau/rounds", "bureau.tab.rounds"},
	{"/bureau/reviews", "bureau.tab.reviews"},
}

// pageData starts a bureau page's data: the flash message and which tab is current.
func (b *bureau) pageData(c *fiber.Ctx, tab string) fiber.Map {
	data := pageData(c)
	data["Tabs"] = bureauTabs
	data["Tab"] = tab
	return data
}

// bParam copies a route parameter (Fiber reuses its buffers after the handler returns).
func bParam(c *fiber.Ctx, name string) string { return utils.CopyString(c.Params(name)) }

// bQuery copies a trimmed query parameter.
func bQuery(c *fiber.Ctx, name string) string {
	return strings.TrimSpace(utils.CopyString(c.Query(name)))
}

// bPage reads ?page= (1 when absent or nonsense; pages past the end show nothing, not an error).
func bPage(c *fiber.Ctx) int {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, 1_000_000)
}

// round loads the round named by the :id parameter.
func (b *bureau) round(c *fiber.Ctx) (*bonus.Round, error) {
	return bonus.GetRound(c.UserContext(), b.a.Store, bParam(c, "id"))
}

// runInfo finds run n of a round among its stored runs (market.ErrNotFound when absent).
func (b *bureau) runInfo(ctx context.Context, roundID string, n int) (*bonus.RunInfo, error) {
	infos, err := bonus.Runs(ctx, b.a.Store, roundID)
	if err != nil {
		return nil, err
	}
	for i := range infos {
		if infos[i].N == n {
			return &infos[i], nil
		}
	}
	return nil, market.ErrNotFound
}

// run loads the round and run named by the :id and :n parameters, with the run's lines.
func (b *bureau) run(c *fiber.Ctx) (*bonus.Round, *bonus.RunInfo, *bonus.RunResult, error) {
	r, err := b.round(c)
	if err != nil {
		return nil, nil, nil, err
	}
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 {
		return nil, nil, nil, market.ErrNotFound
	}
	info, err := b.runInfo(c.UserContext(), r.ID, n)
	if err != nil {
		return nil, nil, nil, err
	}
	res, err := b.runs.get(c.UserContext(), b.a.Store, info)
	if err != nil {
		return nil, nil, nil, err
	}
	return r, info, res, nil
}

// Download formats.
const (
	formatJSON = "json"
	formatCSV  = "csv"
	formatXLSX = "xlsx"
)

var contentTypes = map[string]string{
	formatJSON: fiber.MIMEApplicationJSONCharsetUTF8,
	formatCSV:  "text/csv; charset=utf-8",
	formatXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// parseFormat reads ?format= (def when absent); anything else is a 400 naming the field.
func parseFormat(c *fiber.Ctx, def string) (string, error) {
	f := strings.ToLower(bQuery(c, "format"))
	if f == "" {
		return def, nil
	}
	if _, ok := contentTypes[f]; !ok {
		return "", market.NewParamError("format", "invalid",
			"文件格式应为 json、csv 或 xlsx", "format must be json, csv or xlsx")
	}
	return f, nil
}

// sendFile streams a download. write runs after the handler returned, while the response is sent, so
// it must not touch c; an error there can only be logged (the status is already out).
func (b *bureau) sendFile(c *fiber.Ctx, format, filename string, attach bool, write func(w io.Writer) error) error {
	c.Set(fiber.HeaderContentType, contentTypes[format])
	if attach {
		c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, filename))
	}
	c.Set(fiber.HeaderCacheControl, "no-store") // records of the bureau: never kept by shared caches
	log, path := b.a.Log, c.Path()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := write(w); err != nil {
			log.Error("download failed", "path", path, "err", err)
			return
		}
		if err := w.Flush(); err != nil {
			log.Warn("download interrupted", "path", path, "err", err)
		}
	})
	return nil
}

// fileSafe keeps letters, digits and -_. of a name part of a download's file name (round IDs are
// already so; this guards the header against anything else).
func fileSafe(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if r < 0x80 && (r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// today is the bureau's calendar day (Shanghai).
func (b *bureau) today() market.Date { return market.DateOf(b.a.Store.Now()) }
