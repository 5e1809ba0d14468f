package web

// The bureau's bonus API (docs/interfaces.md §5.10, §6):
//   POST /api/v1/bureau/rounds/{id}/runs            compute and store a run ({"as_of", "freeze"}, both optional)
//   GET  /api/v1/bureau/rounds/{id}/runs/{n}?format= fetch a stored run as JSON, CSV or XLSX
// and, for scripts that need to find those: GET /api/v1/bureau/rounds, GET /api/v1/bureau/rounds/{id}/runs.
// A run's JSON is the engine's (the same as `patentwall bonus run`), with the run's number, whether it is
// frozen and when it was computed added in front so a client can fetch it again.

import (
	"bytes"
	"io"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"patentwall/bonus"
	"patentwall/market"
)

// skipFirst drops the first byte written (the engine's opening brace, which writeRunJSON writes itself).
type skipFirst struct {
	w       io.Writer
	skipped bool
}

func (s *skipFirst) Write(p []byte) (int, error) {
	if s.skipped || len(p) == 0 {
		return s.w.Write(p)
	}
	s.skipped = true
	n, err := s.w.Write(p[1:])
	return n + 1, err
}

// writeRunJSON writes {"n", "frozen", "computed_at", then the engine's fields …}.
func writeRunJSON(w io.Writer, info *bonus.RunInfo, res *bonus.RunResult) error {
	head := `{"n":` + strconv.Itoa(info.N) + `,"frozen":` + strconv.FormatBool(info.Frozen) +
		`,"computed_at":"` + info.CreatedAt.UTC().Format(time.RFC3339) + `",`
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	return res.WriteJSON(&skipFirst{w: w})
}

// computeRequest is the optional body of POST …/runs; query parameters of the same names work too.
type computeRequest struct {
	AsOf   string `json:"as_of"`
	Freeze bool   `json:"freeze"`
}

// apiCompute is POST /api/v1/bureau/rounds/{id}/runs: 201 with the run, Location naming it.
func (b *bureau) apiCompute(c *fiber.Ctx) error {
	var req computeRequest
	// The body is optional (as_of and freeze may come in the query string); when present it is decoded as
	// strictly as every other API body.
	if len(bytes.TrimSpace(c.Body())) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	if q := bQuery(c, "as_of"); q != "" {
		req.AsOf = q
	}
	if q := bQuery(c, "freeze"); q != "" {
		req.Freeze = q == "1" || q == "true"
	}
	asOf := b.today()
	if req.AsOf != "" {
		d, fe := market.ParseDateField("as_of", req.AsOf)
		if fe != nil {
			return fe.AsParam()
		}
		asOf = d
	}
	info, res, err := bonus.Compute(c.UserContext(), b.a.Store, ActorOf(c), bParam(c, "id"), asOf, req.Freeze)
	if err != nil {
		return err
	}
	c.Location("/api/v1/bureau/rounds/" + info.RoundID + "/runs/" + strconv.Itoa(info.N))
	c.Status(fiber.StatusCreated)
	return b.sendFile(c, formatJSON, "", false, func(w io.Writer) error { return writeRunJSON(w, info, res) })
}

// apiRun is GET /api/v1/bureau/rounds/{id}/runs/{n}?format=json|csv|xlsx.
func (b *bureau) apiRun(c *fiber.Ctx) error {
	return b.sendRun(c, formatJSON, false)
}

// roundJSON is a round as the API lists it (amounts in fen, as in runs).
type roundJSON struct {
	ID              string             `json:"id"`
	Name            string             `json:"name"`
	Rule            string             `json:"rule"`
	From            market.Date        `json:"window_from"`
	To              market.Date        `json:"window_to"`
	Basis           string             `json:"basis"`
	UnitFen         int64              `json:"unit_fen"`
	CapFen          int64              `json:"cap_fen"`
	RecipientCapFen *int64             `json:"recipient_cap_fen"`
	RequiresFiling  bool               `json:"requires_filing"`
	Flags           bonus.FlagSettings `json:"flags"`
}

// apiRounds is GET /api/v1/bureau/rounds.
func (b *bureau) apiRounds(c *fiber.Ctx) error {
	rounds, err := bonus.ListRounds(c.UserContext(), b.a.Store)
	if err != nil {
		return err
	}
	out := make([]roundJSON, len(rounds))
	for i, r := range rounds {
		out[i] = roundJSON{ID: r.ID, Name: r.Name, Rule: r.Rule, From: r.WindowFrom, To: r.WindowTo, Basis: r.Basis,
			UnitFen: r.UnitFen, CapFen: r.CapFen, RecipientCapFen: r.RecipientCapFen, RequiresFiling: r.RequiresFiling, Flags: r.Flags}
	}
	return c.JSON(fiber.Map{"rounds": out})
}

// apiRuns is GET /api/v1/bureau/rounds/{id}/runs: the stored runs without their lines, newest first.
func (b *bureau) apiRuns(c *fiber.Ctx) error {
	r, err := b.round(c)
	if err != nil {
		return err
	}
	runs, err := bonus.Runs(c.UserContext(), b.a.Store, r.ID)
	if err != nil {
		return err
	}
	if runs == nil {
		runs = []bonus.RunInfo{}
	}
	return c.JSON(fiber.Map{"round": r.ID, "runs": runs})
}
