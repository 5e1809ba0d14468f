// Command benchdata measures a bonus run over a million contracts on Postgres (issue 4's benchmark):
// it bulk-loads synthetic but valid-looking organisations, patents, contracts and CNIPA filings once
// (COPY), then times bonus.Run, storing the run, and the XLSX export, several times each, and prints
// min/median/max wall time and the peak RSS of each phase (VmHWM, reset between phases).
//
//	pg_virtualenv -t env go run ./bonus/benchdata            # PG* variables name the server
//	go run ./bonus/benchdata -dsn postgres://… -contracts 1000000 -runs 3
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"patentwall/bonus"
	"patentwall/market"
	"patentwall/migrations"
)

func main() {
	dsn := flag.String("dsn", defaultDSN(), "Postgres DSN (default: DATABASE_URL, else the PG* variables)")
	n := flag.Int("contracts", 1_000_000, "contracts to load")
	runs := flag.Int("runs", 3, "timed repetitions of each phase")
	round := flag.String("round", "art22-2022", "round to run")
	asOf := flag.String("as-of", "2023-12-31", "as-of day")
	flag.StringVar(&profileDir, "profile", "", "write CPU profiles of the first repetition's phases into this folder")
	flag.Parse()
	if err := run(*dsn, *n, *runs, *round, *asOf); err != nil {
		log.Fatal(err)
	}
}

var profileDir string

// profile starts a CPU profile of a phase of the first repetition (when -profile is set).
func profile(i int, name string) func() {
	if profileDir == "" || i > 0 {
		return func() {}
	}
	f, err := os.Create(filepath.Join(profileDir, name+".pprof"))
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

func defaultDSN() string {
	if v := os.Getenv("DATABASE_URL"); v != "" {
		return v
	}
	dsn := "host=" + os.Getenv("PGHOST") + " sslmode=disable dbname=" + getenv("PGDATABASE", "postgres")
	for env, key := range map[string]string{"PGPORT": "port", "PGUSER": "user", "PGPASSWORD": "password"} {
		if v := os.Getenv(env); v != "" {
			dsn += " " + key + "=" + v
		}
	}
	return dsn
}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func run(dsn string, n, runs int, roundID, asOfStr string) error {
	ctx := context.Background()
	s, err := market.Open(dsn)
	if err != nil {
		return err
	}
	defer s.Close()
	if !s.IsPostgres() {
		return errors.New("benchdata needs Postgres (set PGHOST or -dsn)")
	}
	db, _ := s.DB.DB()
	if _, err := migrations.Up(ctx, db, s.Dialect); err != nil {
		return err
	}
	var have int64
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM contracts").Scan(&have); err != nil {
		return err
	}
	if have < int64(n) {
		if have > 0 {
			return fmt.Errorf("the database holds %d contracts, fewer than %d: use an empty database", have, n)
		}
		start := time.Now()
		if err := load(ctx, db, n); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		fmt.Printf("loaded %d contracts in %.1fs\n", n, time.Since(start).Seconds())
	}
	if !resetPeak() {
		fmt.Println("warning: cannot reset the peak RSS (/proc/self/clear_refs): figures are peaks since start")
	}
	asOf, err := market.ParseDate(asOfStr)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bonus-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	var runT, saveT, xlsxT, jsonT []time.Duration
	var runRSS, saveRSS, xlsxRSS, jsonRSS []int64
	var res *bonus.RunResult
	for i := 0; i < runs; i++ {
		res = nil
		debug.FreeOSMemory() // what earlier phases left must not count against this one
		resetPeak()
		start := time.Now()
		stop := profile(i, "run")
		if res, err = bonus.Run(ctx, s, roundID, asOf); err != nil {
			return err
		}
		stop()
		runT, runRSS = append(runT, time.Since(start)), append(runRSS, peakRSS())

		resetPeak()
		start = time.Now()
		if _, err := bonus.SaveRun(ctx, s, bonus.CommandLine, res, false); err != nil {
			return err
		}
		saveT, saveRSS = append(saveT, time.Since(start)), append(saveRSS, peakRSS())

		resetPeak()
		start = time.Now()
		if err := writeFile(filepath.Join(dir, "run.json"), res.WriteJSON); err != nil {
			return err
		}
		jsonT, jsonRSS = append(jsonT, time.Since(start)), append(jsonRSS, peakRSS())

		resetPeak()
		start = time.Now()
		stop = profile(i, "xlsx")
		if err := writeFile(filepath.Join(dir, "run.xlsx"), func(w io.Writer) error { return res.WriteXLSX(w, roundID) }); err != nil {
			return err
		}
		stop()
		xlsxT, xlsxRSS = append(xlsxT, time.Since(start)), append(xlsxRSS, peakRSS())
	}
	counts := map[bonus.Status]int{}
	for _, l := range res.Lines {
		counts[l.Status]++
	}
	st, _ := os.Stat(filepath.Join(dir, "run.xlsx"))
	fmt.Printf("round %s as of %s: %d lines (%d eligible, %d held, %d ineligible), %d recipients, pays %s of %s yuan (eligible %s), xlsx %.0f MB\n",
		roundID, asOf, len(res.Lines), counts[bonus.StatusEligible], counts[bonus.StatusHeld], counts[bonus.StatusIneligible],
		len(res.Recipients), bonus.Yuan(res.TotalFen), bonus.Yuan(res.CapFen), bonus.Yuan(res.EligibleFen), float64(st.Size())/1e6)
	report("bonus.Run (load + evaluate)", runT, runRSS)
	report("store the run", saveT, saveRSS)
	report("JSON export", jsonT, jsonRSS)
	report("XLSX export", xlsxT, xlsxRSS)
	return nil
}

func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func report(what string, ts []time.Duration, rss []int64) {
	slices.Sort(ts)
	slices.Sort(rss)
	fmt.Printf("%-28s wall min/median/max %.2f / %.2f / %.2f s   peak RSS min/median/max %d / %d / %d MB\n", what,
		ts[0].Seconds(), ts[len(ts)/2].Seconds(), ts[len(ts)-1].Seconds(), rss[0]>>20, rss[len(rss)/2]>>20, rss[len(rss)-1]>>20)
}

// resetPeak resets the kernel's peak-RSS counter of this process (Linux: clear_refs 5).
func resetPeak() bool { return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil }

// peakRSS reads VmHWM, the peak resident set size since the last reset, in bytes.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// load fills the database with COPY through the pgx connection under database/sql.
func load(ctx context.Context, db *sql.DB, n int) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		g := newGenerator(n)
		steps := []struct {
			table string
			cols  []string
			rows  func() [][]any
		}{
			{"organisations", []string{"id", "uscc", "name", "kind", "district_code", "address", "legal_rep", "phone", "email",
				"founded_on", "is_sme", "sme_confirmed", "operating_normally", "good_credit", "created_at", "updated_at"}, g.orgRows},
			{"patents", []string{"id", "application_no", "type", "title", "patentee_id", "status", "industry", "created_at", "updated_at"}, g.patentRows},
			{"contracts", []string{"id", "contract_no", "kind", "source", "licensor_id", "licensee_id", "status", "fee_fen",
				"signed_on", "effective_at", "effective_on", "filing_no", "filed_on", "ended_at", "created_at", "updated_at"}, g.contractRows},
			{"contract_patents", []string{"contract_id", "patent_id"}, g.linkRows},
			{"filings", []string{"filing_no", "filed_on", "kind", "patents", "licensor_uscc", "licensee_uscc", "status",
				"cancelled_on", "imported_at"}, g.filingRows},
		}
		for _, st := range steps {
			rows := st.rows()
			if _, err := pc.CopyFrom(ctx, pgx.Identifier{st.table}, st.cols, pgx.CopyFromRows(rows)); err != nil {
				return fmt.Errorf("copy %s: %w", st.table, err)
			}
			fmt.Printf("  %-16s %9d rows\n", st.table, len(rows))
			rows = nil
		}
		for _, t := range []string{"organisations", "patents", "contracts"} {
			if _, err := pc.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT MAX(id) FROM %s))", t, t)); err != nil {
				return err
			}
		}
		_, err := pc.Exec(ctx, "ANALYZE")
		return err
	})
}

// generator makes a realistic mix: most deals are open licences between Shanghai parties, a fifth of
// licensees are not SMEs or not in Shanghai, some deals are unfiled, cancelled or outside 2022, and a
// few share contacts (related parties).
type generator struct {
	rng       *rand.Rand
	n         int
	now       time.Time
	orgs      []orgGen
	holders   []int // org index of each patent's holder
	byHolder  map[int][]int
	contracts []contractGen
}

type orgGen struct {
	uscc, kind, district string
	sme, normal, credit  bool
	founded              market.Date
	rep                  string
}

type contractGen struct {
	no                 string
	kind, status       string
	licensor, licensee int
	patents            []int
	eff                time.Time
	filingNo           string
	filed              market.Date
}

func newGenerator(n int) *generator {
	return &generator{rng: rand.New(rand.NewPCG(2022, 4)), n: n, now: time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC), byHolder: map[int][]int{}}
}

func usccFor(prefix string, serial int) string {
	body := fmt.Sprintf("%08d", serial)
	c17, _ := market.OrgCodeCheckChar(body)
	first := prefix + body + string(c17)
	c18, _ := market.USCCCheckChar(first)
	return first + string(c18)
}

func (g *generator) orgRows() [][]any {
	nOrgs := max(100, g.n/40)
	districts := market.Districts()
	var rows [][]any
	for i := 0; i < nOrgs; i++ {
		o := orgGen{kind: market.KindEnterprise, normal: g.rng.IntN(100) < 98, credit: g.rng.IntN(100) < 98,
			founded: market.NewDate(2000+g.rng.IntN(23), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28)), rep: fmt.Sprintf("代表%d", i)}
		prefix := "91"
		switch {
		case i%50 == 0:
			o.kind, prefix = market.KindUniversity, "12"
		case i%50 == 1:
			o.kind, prefix = market.KindInstitute, "12"
		case i%50 == 2:
			o.kind, prefix = market.KindHospital, "12"
		default:
			o.sme = g.rng.IntN(100) < 75
		}
		if g.rng.IntN(100) < 88 || o.kind != market.KindEnterprise {
			o.district = districts[g.rng.IntN(len(districts))].Code
		}
		if i > 0 && g.rng.IntN(200) == 0 {
			o.rep = g.orgs[i-1].rep // a related party
		}
		o.uscc = usccFor(prefix+"310000", 10_000_000+i)
		g.orgs = append(g.orgs, o)
		rows = append(rows, []any{int64(i + 1), o.uscc, fmt.Sprintf("上海样例%d有限公司", i), o.kind, o.district,
			fmt.Sprintf("上海市某区某路%d号", i), o.rep, fmt.Sprintf("021-%08d", 60000000+i), fmt.Sprintf("ip%d@example.cn", i),
			o.founded.Time(), o.sme, o.sme, o.normal, o.credit, g.now, g.now})
	}
	return rows
}

func appNo(serial int) string {
	digits := fmt.Sprintf("%04d1%07d", 2010+serial%12, serial)
	c, _ := market.ApplicationCheckChar(digits)
	return digits + "." + string(c)
}

func (g *generator) patentRows() [][]any {
	nPatents := g.n * 2 / 5
	var rows [][]any
	for i := 0; i < nPatents; i++ {
		// a third of the patents belong to universities, institutes and hospitals
		h := g.rng.IntN(len(g.orgs))
		if g.rng.IntN(3) == 0 {
			h = (h / 50) * 50 // every 50th org (and the next two) is an institution
			h += g.rng.IntN(3)
			h = min(h, len(g.orgs)-1)
		}
		g.holders = append(g.holders, h)
		g.byHolder[h] = append(g.byHolder[h], i)
		rows = append(rows, []any{int64(i + 1), appNo(i), "invention", fmt.Sprintf("一种样例装置%d", i), int64(h + 1), "granted", "人工智能", g.now, g.now})
	}
	return rows
}

func (g *generator) contractRows() [][]any {
	perm := g.rng.Perm(g.n) // contract numbers in another order than IDs
	var rows [][]any
	for i := 0; i < g.n; i++ {
		p := g.rng.IntN(len(g.holders))
		lic := g.holders[p]
		ps := []int{p}
		if k := g.rng.IntN(100); k < 15 && len(g.byHolder[lic]) > 2 {
			for len(ps) < 2+k%2 {
				q := g.byHolder[lic][g.rng.IntN(len(g.byHolder[lic]))]
				if !slices.Contains(ps, q) {
					ps = append(ps, q)
				}
			}
		}
		lee := g.rng.IntN(len(g.orgs))
		for lee == lic || g.orgs[lee].kind != market.KindEnterprise {
			lee = g.rng.IntN(len(g.orgs))
		}
		c := contractGen{no: fmt.Sprintf("PW%09d", perm[i]), licensor: lic, licensee: lee, patents: ps,
			eff: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.rng.Int64N(int64(3 * 365 * 24 * time.Hour))))}
		switch k := g.rng.IntN(100); {
		case k < 60:
			c.kind = market.ContractOpenLicence
		case k < 85:
			c.kind = market.ContractOrdinaryLicence
		case k < 90:
			c.kind = market.ContractExclusiveLicence
		default:
			c.kind = market.ContractTransfer
		}
		var ended any
		switch k := g.rng.IntN(100); {
		case k < 90:
			c.status = market.ContractEffective
		case k < 94:
			c.status = market.ContractFiled
		case k < 97:
			c.status, ended = market.ContractTerminated, c.eff.AddDate(0, 6, 0)
		case k < 99:
			c.status, ended = market.ContractCancelled, c.eff.AddDate(0, 2, 0)
		default:
			c.status = market.ContractAwaitingPayment
		}
		var filingNo, filed any = "", nil
		if g.rng.IntN(100) < 85 && c.status != market.ContractAwaitingPayment {
			c.filingNo = fmt.Sprintf("%04d31%09d", c.eff.Year(), i)
			c.filed = market.DateOf(c.eff).AddDate(0, 1, 0)
			filingNo, filed = c.filingNo, c.filed.Time()
		}
		var effAt, effOn any
		if c.status != market.ContractAwaitingPayment {
			effAt, effOn = c.eff, market.DateOf(c.eff).Time()
		}
		g.contracts = append(g.contracts, c)
		rows = append(rows, []any{int64(i + 1), c.no, c.kind, "platform", int64(lic + 1), int64(lee + 1), c.status,
			int64(g.rng.IntN(5) * 100000), market.DateOf(c.eff).AddDate(0, 0, -3).Time(), effAt, effOn, filingNo, filed, ended, g.now, g.now})
	}
	return rows
}

func (g *generator) linkRows() [][]any {
	var rows [][]any
	for i, c := range g.contracts {
		for _, p := range c.patents {
			rows = append(rows, []any{int64(i + 1), int64(p + 1)})
		}
	}
	return rows
}

func (g *generator) filingRows() [][]any {
	var rows [][]any
	for i, c := range g.contracts {
		if c.filingNo == "" {
			continue
		}
		nos := make([]string, len(c.patents))
		for k, p := range c.patents {
			nos[k] = appNo(p)
		}
		lic, lee := g.orgs[c.licensor].uscc, g.orgs[c.licensee].uscc
		status, cancelled := "effective", any(nil)
		switch k := g.rng.IntN(100); {
		case k < 3:
			status, cancelled = "cancelled", c.filed.AddDate(0, 4, 0).Time()
		case k < 5:
			lee = g.orgs[(c.licensee+1)%len(g.orgs)].uscc // CNIPA names another licensee: no match
		}
		rows = append(rows, []any{c.filingNo, c.filed.Time(), c.kind, strings.Join(nos, ";"), lic, lee, status, cancelled, g.now})
		if i%10 == 0 { // deals made elsewhere
			rows = append(rows, []any{fmt.Sprintf("EX%09d", i), c.filed.Time(), "ordinary_licence", appNo(g.n + i), usccFor("91440000", i),
				usccFor("91440000", i+1), "effective", nil, g.now})
		}
	}
	return rows
}
