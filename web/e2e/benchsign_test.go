package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"patentwall/market"
	"patentwall/market/markettest"
	"patentwall/search/bleve"
	"patentwall/web"
)

// BenchmarkSignHTTP measures signing through the HTTP API on Postgres, as clients see it: N verified
// licensees (each with an API token) POST /api/v1/licences as fast as they can for
// PATENTWALL_BENCH_SECONDS (default 10) against the real server (Fiber on a 127.0.0.1 listener,
// market.Open on the Postgres the PG* variables name). It reports contracts/s and the p50/p99 latency
// of one acceptance, then checks that every 201 is exactly one contract row, that no (declaration,
// licensee) pair has two contracts and that no contract was lost, and that the histories verify.
// Beside it, the raw Postgres ceiling of the same server: pgbench with a two-INSERT transaction at the
// same client count (scripts/bench_signing_pgbench.sh), and the ratio.
//
//	pg_virtualenv -t env PATENTWALL_REQUIRE_PG=1 go test -run '^$' -bench BenchmarkSignHTTP -benchtime 1x ./web/e2e/
//
// Each sub-benchmark runs once for the whole duration (b.N is not used: the run is time-bound, so a
// larger -benchtime changes nothing). Add -cpuprofile to see where the time goes (server and clients
// share the process).
func BenchmarkSignHTTP(b *testing.B) {
	for _, clients := range []int{32, 1} {
		b.Run(fmt.Sprintf("clients-%d", clients), func(b *testing.B) { benchSign(b, clients) })
	}
}

const benchHolders = 16

// benchPool is the number of declarations: each licensee walks the whole pool from its own offset and
// accepts each declaration once, so the pool bounds the contracts one licensee can sign in a run.
func benchPool() int {
	if v, err := strconv.Atoi(os.Getenv("PATENTWALL_BENCH_POOL")); err == nil && v > 0 {
		return v
	}
	return 8000
}

func benchDuration() time.Duration {
	if v, err := strconv.ParseFloat(os.Getenv("PATENTWALL_BENCH_SECONDS"), 64); err == nil && v > 0 {
		return time.Duration(v * float64(time.Second))
	}
	return 10 * time.Second
}

type benchWorld struct {
	store     *market.Store
	base      string
	tokens    []string // one per licensee
	appNos    []string // the pool of declared patents
	licensees []int64
	// postmaster is the Postgres server's main process, when it runs on this machine (0 otherwise).
	postmaster int
}

func benchSetup(b *testing.B, clients int) *benchWorld {
	b.Helper()
	ctx := context.Background()
	store := markettest.Postgres(b)
	w := &benchWorld{store: store}
	now := time.Now().UTC()
	verified := now.Add(-time.Hour)
	var orgs []market.Organisation
	for i := range benchHolders + clients {
		kind, prefix := market.KindUniversity, "12"
		if i >= benchHolders {
			kind, prefix = market.KindEnterprise, "91"
		}
		orgs = append(orgs, market.Organisation{USCC: validUSCC(prefix, 900000+i), Name: fmt.Sprintf("基准测试机构%d", i), Kind: kind,
			DistrictCode: "310104", Address: "上海市徐汇区测试路 1 号", LegalRep: "测试", OperatingNormally: true, GoodCredit: true,
			IsSME: kind == market.KindEnterprise, VerifiedAt: &verified, CreatedAt: now, UpdatedAt: now})
	}
	if err := store.Gorm().CreateInBatches(orgs, 200).Error; err != nil {
		b.Fatal(err)
	}
	for _, o := range orgs[benchHolders:] {
		orgID := o.ID
		u := market.User{OrgID: &orgID, Email: fmt.Sprintf("bench%d@bench.example.cn", o.ID), Name: "bench", PasswordHash: "-",
			Role: market.RoleLicensee, CreatedAt: now}
		if err := store.Gorm().Create(&u).Error; err != nil {
			b.Fatal(err)
		}
		act, err := store.Actor(ctx, u.ID)
		if err != nil {
			b.Fatal(err)
		}
		tok, _, err := store.CreateAPITokenFor(ctx, act, "bench")
		if err != nil {
			b.Fatal(err)
		}
		w.tokens = append(w.tokens, tok)
		w.licensees = append(w.licensees, o.ID)
	}
	pool := benchPool()
	ps := make([]market.Patent, pool)
	for i := range ps {
		ps[i] = market.Patent{ApplicationNo: appNo(2019, '1', 3000000+i), Type: market.TypeInvention, Title: fmt.Sprintf("一种基准测试装置%d", i),
			PatenteeID: orgs[i%benchHolders].ID, FilingDate: market.MustDate("2019-06-10"), GrantDate: market.MustDate("2021-05-20"),
			Status: market.StatusGranted, CreatedAt: now, UpdatedAt: now}
	}
	if err := store.Gorm().CreateInBatches(ps, 500).Error; err != nil {
		b.Fatal(err)
	}
	ds := make([]market.Declaration, pool)
	for i, p := range ps {
		// Half free (effective at once), half lump sum (awaiting payment): both paths of the insert.
		ds[i] = market.Declaration{PatentID: p.ID, FeeModel: market.FeeFree, TermMonths: 36, Status: market.DeclLive, PublishedAt: now}
		if i%2 == 1 {
			ds[i].FeeModel, ds[i].FeeFen = market.FeeLumpSum, 50_000_00
		}
		w.appNos = append(w.appNos, p.ApplicationNo)
	}
	if err := store.Gorm().CreateInBatches(ds, 500).Error; err != nil {
		b.Fatal(err)
	}
	// Statistics for the tables set up here, and not for the contract tables: analysed while empty, they
	// would make Postgres plan the foreign-key checks of the contract's events and patent link as scans
	// of a one-page contracts table, plans a backend keeps until the next analysis, which autovacuum
	// only makes a minute later, while the run grows the table by tens of thousands of rows. A
	// marketplace in use has its contracts analysed; never analysed, they are planned as such.
	if err := store.Gorm().Exec("ANALYZE organisations, users, api_tokens, patents, declarations").Error; err != nil {
		b.Fatal(err)
	}
	var backend int
	if err := store.Gorm().Raw("SELECT pg_backend_pid()").Row().Scan(&backend); err == nil {
		w.postmaster = parentPID(backend)
	}

	idx := bleve.New(filepath.Join(b.TempDir(), "index"))
	if _, err := idx.Init(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { idx.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	w.base = "http://" + ln.Addr().String()
	// The acceptance limits (docs/interfaces.md §5.2) stay on and are counted on every request, sized so
	// they never refuse here: per organisation at the pool (a licensee accepts each declaration once), and
	// no count per address, as every licensee connects from 127.0.0.1.
	app, err := web.New(web.Deps{Store: store, Index: idx, BaseURL: w.base,
		AcceptLimits: web.ActionLimits{PerOrg: pool, PerAddr: -1}})
	if err != nil {
		b.Fatal(err)
	}
	go app.Fiber.Listener(ln)
	b.Cleanup(func() { app.Fiber.ShutdownWithTimeout(5 * time.Second) })
	return w
}

type signResult struct {
	contractNo string
	latency    time.Duration
}

func benchSign(b *testing.B, clients int) {
	w := benchSetup(b, clients)
	pool := len(w.appNos)
	bc := newBenchClient(w, clients)
	// Warm up: one request per client opens its connection and the server's pool.
	for i := range clients {
		if _, status, err := bc.acceptOnce(i, pool-1-i, "warm", true); err != nil || status != http.StatusCreated {
			b.Fatalf("warm-up: %d %v", status, err)
		}
	}
	dur := benchDuration()
	results := make([][]signResult, clients)
	var (
		failures atomic.Int64
		firstErr sync.Once
		wg       sync.WaitGroup
	)
	b.ResetTimer()
	cpu0, pg0 := readCPU(), serverCPU(w.postmaster)
	start := time.Now()
	deadline := start.Add(dur)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Licensee c walks the pool from its own offset, so concurrent acceptances touch different rows.
			for k := 0; k < pool-clients && time.Now().Before(deadline); k++ {
				p := (k + c*pool/clients) % (pool - clients)
				t0 := time.Now()
				no, status, err := bc.acceptOnce(c, p, strconv.Itoa(k), false)
				lat := time.Since(t0)
				if err != nil || status != http.StatusCreated {
					failures.Add(1)
					firstErr.Do(func() { b.Errorf("client %d: status %d: %v", c, status, err) })
					continue
				}
				results[c] = append(results[c], signResult{contractNo: no, latency: lat})
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1, pg1 := readCPU(), serverCPU(w.postmaster)
	b.StopTimer()

	var lats []time.Duration
	seen := map[string]bool{}
	for _, rs := range results {
		for _, r := range rs {
			if seen[r.contractNo] {
				b.Errorf("contract %s answered twice with 201", r.contractNo)
			}
			seen[r.contractNo] = true
			lats = append(lats, r.latency)
		}
	}
	if len(lats) == 0 {
		b.Fatal("no contract signed")
	}
	slices.Sort(lats)
	rate := float64(len(lats)) / elapsed.Seconds()
	p50, p99 := lats[len(lats)/2], lats[min(len(lats)-1, len(lats)*99/100)]
	b.ReportMetric(rate, "contracts/s")
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99_ms")
	b.ReportMetric(0, "ns/op") // one time-bound run: contracts/s says it

	// Every 201 is exactly one row, no pair has two contracts, nothing else was written.
	var row struct{ N, Numbers, Pairs int64 }
	w.store.Gorm().Raw(`SELECT count(*) AS n, count(DISTINCT contract_no) AS numbers,
		count(DISTINCT (declaration_id, licensee_id)) AS pairs FROM contracts`).Scan(&row)
	want := int64(len(lats) + clients) // the warm-up contracts too
	if failures.Load() != 0 || row.N != want || row.Numbers != row.N || row.Pairs != row.N {
		b.Fatalf("%d answered 201 (+%d warm-up), %d failed; database: %d contracts, %d numbers, %d pairs",
			len(lats), clients, failures.Load(), row.N, row.Numbers, row.Pairs)
	}
	var nos []string
	w.store.Gorm().Model(&market.Contract{}).Pluck("contract_no", &nos)
	inDB := map[string]bool{}
	for _, n := range nos {
		inDB[n] = true
	}
	for n := range seen {
		if !inDB[n] {
			b.Fatalf("contract %s was answered 201 but is not in the database", n)
		}
	}
	rep, err := w.store.VerifyChains(context.Background())
	if err != nil || !rep.OK() || int64(rep.Contracts) != row.N {
		b.Fatalf("audit: %+v %v", rep, err)
	}
	b.Logf("clients=%d contracts=%d in %.1fs: %.0f contracts/s, p50 %.1f ms, p99 %.1f ms", clients, len(lats), elapsed.Seconds(),
		rate, float64(p50.Microseconds())/1000, float64(p99.Microseconds())/1000)
	if cpu0.ok && cpu1.ok {
		// Where the machine's CPU went during the run: this process (server and clients) and the rest
		// (Postgres, mostly). Both share the same cores, so it says what limits the rate.
		self := (cpu1.self - cpu0.self).Seconds()
		busy, total := cpu1.busy-cpu0.busy, cpu1.total-cpu0.total
		b.Logf("CPU during the run: %d cores %.0f%% busy; this process (server and clients) %.1f core-s (%.2f ms per contract); Postgres and everything else on the machine %.1f core-s",
			runtime.NumCPU(), 100*busy/total, self, 1000*self/float64(len(lats)),
			busy/total*float64(runtime.NumCPU())*elapsed.Seconds()-self)
		b.ReportMetric(1000*self/float64(len(lats)), "proc_ms/contract")
	}
	if pg0 > 0 && pg1 > pg0 {
		// The Postgres server's own processes, measured apart from whatever else runs on the machine.
		pg := (pg1 - pg0).Seconds()
		b.Logf("CPU of the Postgres server's processes: %.1f core-s (%.2f ms per contract)", pg, 1000*pg/float64(len(lats)))
		b.ReportMetric(1000*pg/float64(len(lats)), "pg_ms/contract")
	}

	if ceiling, ok := pgbenchCeiling(b, clients); ok {
		b.ReportMetric(ceiling, "pgbench_tps")
		b.ReportMetric(rate/ceiling, "ratio")
		b.Logf("raw Postgres ceiling (pgbench, two INSERTs, %d clients): %.0f tps; HTTP signing / ceiling = %.2f", clients, ceiling, rate/ceiling)
	}
}

// benchClient is the licensees' HTTP client: fasthttp's, whose requests and responses are reused, so
// that the load generator, which shares the machine (and this process) with the server and Postgres,
// takes as little of it as it can, as pgbench's client does beside the ceiling.
type benchClient struct {
	hc   *fasthttp.HostClient
	w    *benchWorld
	auth []string // "Bearer <token>" per licensee
}

func newBenchClient(w *benchWorld, clients int) *benchClient {
	bc := &benchClient{w: w, hc: &fasthttp.HostClient{Addr: strings.TrimPrefix(w.base, "http://"), MaxConns: clients * 2,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}}
	for _, t := range w.tokens {
		bc.auth = append(bc.auth, "Bearer "+t)
	}
	return bc
}

// acceptOnce posts one acceptance as licensee c for pool patent p and reads the contract number from
// the answer (decoding all of it when decode is set: contractNoOf).
func (bc *benchClient) acceptOnce(c, p int, key string, decode bool) (string, int, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	body, _ := json.Marshal(acceptBody{ApplicationNo: bc.w.appNos[p], IdempotencyKey: "bench-" + strconv.Itoa(c) + "-" + key})
	req.SetRequestURI(bc.w.base + "/api/v1/licences")
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	req.Header.Set("Authorization", bc.auth[c])
	req.SetBodyRaw(body)
	if err := bc.hc.Do(req, resp); err != nil {
		return "", 0, err
	}
	no, err := contractNoOf(resp.Body(), decode)
	if err != nil {
		return "", resp.StatusCode(), err
	}
	return no, resp.StatusCode(), nil
}

// contractNoOf reads "contract_no" from an acceptance's answer. With decode false it only finds the
// field in the compact JSON the server writes (docs/interfaces.md §5.6), without decoding the rest:
// the answer, terms included, is a few kilobytes, and the load generator shares the machine with what
// it measures. The warm-up decodes in full; after the run every number is checked in the database.
func contractNoOf(body []byte, decode bool) (string, error) {
	if decode {
		var out struct {
			ContractNo string `json:"contract_no"`
		}
		if err := json.Unmarshal(body, &out); err != nil || out.ContractNo == "" {
			return "", fmt.Errorf("answer %q: %v", body, err)
		}
		return out.ContractNo, nil
	}
	const field = `"contract_no":"`
	i := bytes.Index(body, []byte(field))
	if i < 0 {
		return "", fmt.Errorf("answer without contract_no: %q", body)
	}
	rest := body[i+len(field):]
	j := bytes.IndexByte(rest, '"')
	if j <= 0 {
		return "", fmt.Errorf("answer with a broken contract_no: %q", body)
	}
	return string(rest[:j]), nil
}

type acceptBody struct {
	ApplicationNo  string `json:"application_no"`
	IdempotencyKey string `json:"idempotency_key"`
}

var tpsRe = regexp.MustCompile(`clients=(\d+) tps_median=([0-9.]+)`)

// pgbenchCeiling runs scripts/bench_signing_pgbench.sh for the client count against the same server
// (PG* variables), once for PATENTWALL_BENCH_SECONDS. ok is false when pgbench is missing or
// PATENTWALL_BENCH_PGBENCH=0.
func pgbenchCeiling(b *testing.B, clients int) (float64, bool) {
	if os.Getenv("PATENTWALL_BENCH_PGBENCH") == "0" {
		return 0, false
	}
	if _, err := exec.LookPath("pgbench"); err != nil {
		b.Log("pgbench not found: no raw Postgres ceiling")
		return 0, false
	}
	script := ""
	for dir, _ := os.Getwd(); ; dir = filepath.Dir(dir) {
		if p := filepath.Join(dir, "scripts", "bench_signing_pgbench.sh"); fileExists(p) {
			script = p
			break
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	if script == "" {
		b.Log("scripts/bench_signing_pgbench.sh not found: no raw Postgres ceiling")
		return 0, false
	}
	secs := strconv.Itoa(max(1, int(benchDuration().Seconds())))
	cmd := exec.Command(script)
	cmd.Env = append(os.Environ(), "BENCH_CLIENTS="+strconv.Itoa(clients), "BENCH_RUNS=1", "BENCH_SECONDS="+secs)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Logf("pgbench failed: %v\n%s", err, out)
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if m := tpsRe.FindStringSubmatch(sc.Text()); m != nil && m[1] == strconv.Itoa(clients) {
			v, _ := strconv.ParseFloat(m[2], 64)
			return v, v > 0
		}
	}
	b.Logf("pgbench output not understood:\n%s", out)
	return 0, false
}

// cpuSample is this process's CPU time and the machine's busy and total jiffies (Linux /proc/stat).
type cpuSample struct {
	self        time.Duration
	busy, total float64
	ok          bool
}

func readCPU() cpuSample {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return cpuSample{}
	}
	s := cpuSample{self: time.Duration(ru.Utime.Nano() + ru.Stime.Nano())}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return s
	}
	for i, v := range f[1:] {
		x, _ := strconv.ParseFloat(v, 64)
		s.total += x
		if i != 3 && i != 4 { // idle, iowait
			s.busy += x
		}
	}
	s.ok = true
	return s
}

// parentPID is the parent of a process on this machine (0 when unknown): for a Postgres backend, the
// postmaster.
func parentPID(pid int) int {
	f := procStat(pid)
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// procStat is /proc/PID/stat from the state field on (the command name may hold spaces), or nil.
func procStat(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

// serverCPU is the CPU time of a Postgres server on this machine: the postmaster, its live children
// (backends, WAL writer, checkpointer …) and its children that ended. 0 when postmaster is 0 or gone.
func serverCPU(postmaster int) time.Duration {
	if postmaster <= 0 {
		return 0
	}
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	sum := func(f []string, fields ...int) (t time.Duration) {
		for _, i := range fields {
			if i < len(f) {
				v, _ := strconv.ParseInt(f[i], 10, 64)
				t += time.Duration(v) * tick
			}
		}
		return t
	}
	// Fields after the command name: state is 0, ppid 1, utime 11, stime 12, cutime 13, cstime 14.
	pm := procStat(postmaster)
	if pm == nil {
		return 0
	}
	total := sum(pm, 11, 12, 13, 14)
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := procStat(pid); len(f) > 14 && f[1] == strconv.Itoa(postmaster) {
			total += sum(f, 11, 12)
		}
	}
	return total
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
