package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"patentwall/bonus"
	"patentwall/market"
	"patentwall/market/markettest"
	"patentwall/search/bleve"
	"patentwall/web"
)

// benchRunLines is the size of the stored run the page benchmarks read (PATENTWALL_BENCH_RUN_LINES
// is not worth a knob: the target figure is a million).
const benchRunLines = 1_000_000

// syntheticRun is a stored-run-shaped result: a million lines over a thousand recipients, most
// ineligible, some held, in the engine's (contract, patent) order.
func syntheticRun(n int) *bonus.RunResult {
	res := &bonus.RunResult{Round: "art22-2022", AsOf: market.MustDate("2023-12-31"), InputHash: fmt.Sprintf("%064d", 0),
		CapFen: 30000000, Names: map[string]string{}}
	lines := make([]bonus.Line, n)
	paid := map[string]*bonus.Recipient{}
	for i := range lines {
		rec := fmt.Sprintf("9131011500000%05d", i%1000)
		lee := fmt.Sprintf("9131010400000%05d", i%5000)
		res.Names[rec], res.Names[lee] = "受奖单位"+strconv.Itoa(i%1000), "被许可方"+strconv.Itoa(i%5000)
		l := bonus.Line{ContractNo: fmt.Sprintf("KF%08d-%06d", 20220101+i%28, i), RecipientUSCC: rec, LicenseeUSCC: lee}
		switch {
		case i%10 == 0:
			l.Status, l.AmountFen = bonus.StatusEligible, 30
			r := paid[rec]
			if r == nil {
				r = &bonus.Recipient{USCC: rec, Name: res.Names[rec]}
				paid[rec] = r
			}
			r.AmountFen += l.AmountFen
			r.Lines++
			res.TotalFen += l.AmountFen
		case i%97 == 0:
			l.Status, l.Flags = bonus.StatusHeld, bonus.Flags(bonus.FlagBurst)
		default:
			l.Status, l.Reasons = bonus.StatusIneligible, bonus.Reasons(bonus.ReasonNotFiled|bonus.ReasonOutsideWindow)
		}
		lines[i] = l
	}
	// the engine's order: by contract number
	slices.SortFunc(lines, func(x, y bonus.Line) int { return strings.Compare(x.ContractNo, y.ContractNo) })
	res.Lines = lines
	res.EligibleFen = res.TotalFen
	for _, r := range paid {
		res.Recipients = append(res.Recipients, *r)
	}
	return res
}

// BenchmarkBureauRunPages: the pages over a stored run of a million lines. "cold" is the first request
// of a fresh server (the run is read back and decoded), the others are served from the decoded run.
func BenchmarkBureauRunPages(b *testing.B) {
	s := markettest.SQLite(b)
	e := &env{store: s}
	s.Now = func() time.Time { return now }
	res := syntheticRun(benchRunLines)
	info, err := bonus.SaveRun(b.Context(), s, bonus.CommandLine, res, false)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := bonus.SaveRun(b.Context(), s, bonus.CommandLine, res, false); err != nil { // a second run to compare with
		b.Fatal(err)
	}
	res = nil
	idx := bleve.New(filepath.Join(b.TempDir(), "index"))
	if _, err := idx.Init(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { idx.Close() })
	newApp := func() *web.App {
		app, err := web.New(web.Deps{Store: s, Index: idx})
		if err != nil {
			b.Fatal(err)
		}
		return app
	}
	e.app = newApp()
	u := market.User{Email: "bench@sipa.example.cn", Name: "bench", PasswordHash: "x", Role: market.RoleBureau, CreatedAt: now}
	if err := s.Gorm().Create(&u).Error; err != nil {
		b.Fatal(err)
	}
	tok, err := s.CreateSession(b.Context(), u.ID)
	if err != nil {
		b.Fatal(err)
	}
	cookie := &http.Cookie{Name: "pw_session", Value: tok}
	get := func(app *web.App, path string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(cookie)
		resp, err := app.Fiber.Test(req, -1)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	base := "/bureau/rounds/art22-2022/runs/" + strconv.Itoa(info.N)
	b.Run("cold_lines_page", func(b *testing.B) {
		for b.Loop() {
			get(newApp(), base+"/lines")
		}
	})
	get(e.app, base+"/lines")
	for name, path := range map[string]string{
		"lines_page_1":           base + "/lines",
		"lines_page_10000":       base + "/lines?page=10000",
		"lines_held_last_page":   base + "/lines?status=held&page=187",
		"lines_search":           base + "/lines?q=KF20220105-00099",
		"run_summary":            base,
		"recipient_statement":    base + "/recipients/913101150000000007",
		"export_csv_1M_lines":    base + "/export?format=csv",
		"review_queue_all_held":  "/bureau/reviews",
		"compare_with_itself_1M": "/bureau/rounds/art22-2022/compare?a=1&b=1",
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				get(e.app, path)
			}
		})
	}
}
