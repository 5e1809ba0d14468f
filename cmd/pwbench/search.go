package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"

	"github.com/valyala/fasthttp"

	"patentwall/market"
	"patentwall/market/demo"
	"patentwall/market/markettest"
	"patentwall/search"
	"patentwall/search/bleve"
	"patentwall/search/sqlbaseline"
)

// queries builds n Chinese keyword queries of `words` words each from the catalogue's own titles:
// runs of two Han characters taken from one title, so every query has answers, as users' do.
func queries(ds *demo.Dataset, words, n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, uint64(words)))
	var out []string
	for len(out) < n {
		title := []rune(ds.Patents[r.IntN(len(ds.Patents))].Title)
		var parts []string
		used := map[string]bool{}
		for tries := 0; len(parts) < words && tries < 50; tries++ {
			i := r.IntN(max(1, len(title)-1))
			if i+2 > len(title) || !unicode.Is(unicode.Han, title[i]) || !unicode.Is(unicode.Han, title[i+1]) {
				continue
			}
			w := string(title[i : i+2])
			if used[w] || w == "一种" {
				continue
			}
			used[w] = true
			parts = append(parts, w)
		}
		if len(parts) == words {
			out = append(out, strings.Join(parts, " "))
		}
	}
	return out
}

// searchRows collects the search part's runs by figure ID (figures in rows.go).
type searchRows struct {
	runs, base map[string][]float64
	notes      map[string]string
}

func newSearchRows() *searchRows {
	return &searchRows{runs: map[string][]float64{}, base: map[string][]float64{}, notes: map[string]string{}}
}

func (s *searchRows) add(id string, v float64)     { s.runs[id] = append(s.runs[id], v) }
func (s *searchRows) note(id, n string)            { s.notes[id] = joinNotes(s.notes[id], n) }
func (s *searchRows) addBase(id string, v float64) { s.base[id] = append(s.base[id], v) }

func (s *searchRows) rows() []Row {
	var out []Row
	for _, f := range figures {
		if f.Part == "search" {
			out = append(out, makeRow(f, s.runs[f.ID], s.base[f.ID], s.notes[f.ID]))
		}
	}
	return out
}

func benchSearch(r *report, c config) *searchRows {
	ctx := context.Background()
	rows := newSearchRows()
	r.f("## Search, import and HTTP (issue 2)\n")
	r.f("catalogue: %d generated patents from %d holders (demo generator, seed 1); %s", c.patents, c.orgs, time.Now().UTC().Format(time.RFC3339))
	ds := demo.Generate(demo.Options{Seed: demo.DefaultSeed, Orgs: c.orgs, Patents: c.patents, Now: time.Now()})
	csvDir := filepath.Join(c.dir, "csv")
	check(os.MkdirAll(csvDir, 0o755))
	of, err := os.Create(filepath.Join(csvDir, "orgs.csv"))
	check(err)
	pf, err := os.Create(filepath.Join(csvDir, "patents.csv"))
	check(err)
	check(demo.WriteCSV(ds, of, pf))
	of.Close()
	pf.Close()

	// Import end to end (database + search index) through the CLI, SQLite + Bleve, c.reps times into
	// fresh data directories; the last one is served below.
	var lite string
	var env []string
	r.f("\n### Import (CLI, CSV → SQLite + Bleve index, end to end; %d runs)\n", c.reps)
	r.f("| run | rows | seconds | rows/s | target |\n|---|---|---|---|---|")
	for i := 1; i <= c.reps; i++ {
		if lite != "" {
			os.RemoveAll(lite)
		}
		lite = filepath.Join(c.dir, fmt.Sprintf("lite-%d", i))
		env = append(os.Environ(), "DATA_DIR="+lite, "DATABASE_URL=", "MEILISEARCH_URL=")
		run(env, c.bin, "import", "orgs", filepath.Join(csvDir, "orgs.csv"))
		start := time.Now()
		run(env, c.bin, "import", "patents", filepath.Join(csvDir, "patents.csv"))
		took := time.Since(start)
		rows.add("search.import", float64(c.patents)/took.Seconds())
		r.f("| %d | %d | %.1f | %.0f | ≥ 6,000 |", i, c.patents, took.Seconds(), float64(c.patents)/took.Seconds())
	}
	rows.note("search.import", fmt.Sprintf("%d patents", c.patents))

	qs := map[int][]string{}
	for w := 1; w <= 4; w++ {
		qs[w] = queries(ds, w, 50, 7)
	}
	var all []string
	for w := 1; w <= 4; w++ {
		all = append(all, qs[w]...)
	}
	// HTTP: the real server on that data, as shipped (popular searches cached until the next index
	// write) and with the cache off (every request runs the engine).
	for _, mode := range []struct{ name, env, id string }{{"result cache on (default)", "", "on"}, {"result cache off: every request searches the index", "SEARCH_CACHE=off", "off"}} {
		e := append([]string(nil), env...)
		if mode.env != "" {
			e = append(e, mode.env)
		}
		benchHTTP(r, c, e, mode.name, mode.id, all, rows)
	}

	// In process: the Bleve backend itself, with every facet and highlighting.
	idx := bleve.New(filepath.Join(lite, "index"))
	_, err = idx.Init(ctx)
	check(err)
	r.f("\n### Bleve backend in process, facets + highlight (ms; min/median/max over %d runs of 50 queries per class)\n", c.reps)
	r.f("| words | p50 min | p50 median | p50 max | p95 min | p95 median | p95 max | mean hits | target |\n|---|---|---|---|---|---|---|---|---|")
	allLat := make([][]time.Duration, c.reps) // per run, every query of 1–4 words
	for w := 1; w <= 4; w++ {
		var p50s, p95s []float64
		var hits int
		for i := 0; i < c.reps; i++ {
			var lat []time.Duration
			for _, q := range qs[w] {
				t0 := time.Now()
				nq, err := search.Query{Text: q, Facets: true, Highlight: true, Page: 1, PerPage: 20}.Normalize()
				check(err)
				res, err := idx.Search(ctx, nq)
				lat = append(lat, time.Since(t0))
				check(err)
				hits += res.Total
			}
			p50s = append(p50s, ms(quantile(lat, .5)))
			p95s = append(p95s, ms(quantile(lat, .95)))
			allLat[i] = append(allLat[i], lat...)
			rows.add(fmt.Sprintf("search.bleve.p50.w%d", w), ms(quantile(lat, .5)))
			rows.add(fmt.Sprintf("search.bleve.p95.w%d", w), ms(quantile(lat, .95)))
		}
		a, b, cc := mmm(p50s)
		d, e, f := mmm(p95s)
		r.f("| %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %d | p50 ≤ 3, p95 ≤ 10 |", w, a, b, cc, d, e, f, hits/(c.reps*len(qs[w])))
	}
	idx.Close()
	for _, lat := range allLat {
		for _, b := range []string{"ilike", "trgm"} {
			rows.add("search.vs_"+b+".p50", ms(quantile(lat, .5)))
			rows.add("search.vs_"+b+".p95", ms(quantile(lat, .95)))
		}
	}

	// The baselines: the same queries as ILIKE with a count on Postgres, same data; then the same
	// again once pg_trgm's GIN indexes are on the searched columns.
	if os.Getenv("PGHOST") == "" {
		r.f("\n(Postgres baselines skipped: PGHOST is not set; make bench runs inside a throwaway cluster.)")
		for _, id := range []string{"search.vs_ilike.p50", "search.vs_ilike.p95", "search.vs_trgm.p50", "search.vs_trgm.p95"} {
			rows.note(id, "no Postgres (PGHOST unset): no baseline")
		}
		return rows
	}
	pg := openBenchPostgres("pwbench_search")
	defer pg.Close()
	_, err = demo.Load(ctx, pg, demo.Options{Seed: demo.DefaultSeed, Orgs: c.orgs, Patents: c.patents, Now: time.Now()})
	check(err)
	check(sqlbaseline.Analyze(ctx, pg))
	pgBaseline(r, c, pg, qs, "ilike", "Postgres `ILIKE '%…%'` with count", rows)
	if err := sqlbaseline.Trigram(ctx, pg); err != nil {
		r.f("\n(pg_trgm baseline skipped: %v)", err)
		for _, id := range []string{"search.vs_trgm.p50", "search.vs_trgm.p95"} {
			rows.note(id, "pg_trgm unavailable: "+err.Error())
		}
		return rows
	}
	check(sqlbaseline.Analyze(ctx, pg))
	rows.note("search.vs_trgm.p50", "every query word is two Han characters, and ILIKE '%ab%' holds no whole trigram: "+
		"the planner cannot use the trigram indexes for it and scans the table as without them (three-character words do use them)")
	pgBaseline(r, c, pg, qs, "trgm", "the same ILIKE with pg_trgm GIN indexes on title and abstract", rows)
	return rows
}

// pgBaseline times the queries on Postgres c.reps times: per word class for the markdown, and over all
// of them as the baseline of the search.vs_<name> rows.
func pgBaseline(r *report, c config, pg *market.Store, qs map[int][]string, name, what string, rows *searchRows) {
	ctx := context.Background()
	r.f("\n### Baseline: %s, same data and queries (ms; min/median/max over %d runs)\n", what, c.reps)
	r.f("| words | p50 min | p50 median | p50 max | p95 median |\n|---|---|---|---|---|")
	allLat := make([][]time.Duration, c.reps)
	var byWords []string
	for w := 1; w <= 4; w++ {
		var p50s, p95s []float64
		for i := 0; i < c.reps; i++ {
			var lat []time.Duration
			for _, q := range qs[w] {
				t0 := time.Now()
				_, _, err := sqlbaseline.Search(ctx, pg, q, 20)
				lat = append(lat, time.Since(t0))
				check(err)
			}
			p50s = append(p50s, ms(quantile(lat, .5)))
			p95s = append(p95s, ms(quantile(lat, .95)))
			allLat[i] = append(allLat[i], lat...)
		}
		a, b, cc := mmm(p50s)
		_, e, _ := mmm(p95s)
		byWords = append(byWords, fmt.Sprintf("%.1f", b))
		r.f("| %d | %.2f | %.2f | %.2f | %.2f |", w, a, b, cc, e)
	}
	for _, lat := range allLat {
		rows.addBase("search.vs_"+name+".p50", ms(quantile(lat, .5)))
		rows.addBase("search.vs_"+name+".p95", ms(quantile(lat, .95)))
	}
	rows.note("search.vs_"+name+".p50", "baseline p50 by words 1 / 2 / 3 / 4 (medians): "+strings.Join(byWords, " / ")+" ms")
}

// benchHTTP starts the real server on the imported data and measures it over HTTP.
func benchHTTP(r *report, c config, env []string, mode, id string, all []string, rows *searchRows) {
	addr := "127.0.0.1:18181"
	srv := exec.Command(c.bin, "serve", "--listen", addr)
	srv.Env = env
	srv.Stdout, srv.Stderr = io.Discard, io.Discard
	check(srv.Start())
	waitHealthy("http://" + addr + "/healthz")
	paths := map[string]func(q string) string{
		"search page": func(q string) string { return "http://" + addr + "/search?q=" + url.QueryEscape(q) },
		"API":         func(q string) string { return "http://" + addr + "/api/v1/patents?q=" + url.QueryEscape(q) },
	}
	// fasthttp's client, whose requests and responses are reused: the load generator shares the two
	// cores with the server, and net/http's client took about a twentieth of them at 32 clients.
	client := &fasthttp.HostClient{Addr: addr, MaxConns: 64, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	for _, q := range all[:40] { // warm caches and the Go runtime
		get(client, paths["API"](q))
	}
	r.f("\n### HTTP, one client, %s (p50 / p95 ms over 200 queries of 1–4 words; min/median/max over %d runs)\n", mode, c.reps)
	r.f("| endpoint | p50 min | p50 median | p50 max | p95 min | p95 median | p95 max | target |\n|---|---|---|---|---|---|---|---|")
	for _, name := range []string{"search page", "API"} {
		var p50s, p95s []float64
		for i := 0; i < c.reps; i++ {
			var lat []time.Duration
			for _, q := range all {
				t0 := time.Now()
				get(client, paths[name](q))
				lat = append(lat, time.Since(t0))
			}
			p50s = append(p50s, ms(quantile(lat, .5)))
			p95s = append(p95s, ms(quantile(lat, .95)))
		}
		a, b, cc := mmm(p50s)
		d, e, f := mmm(p95s)
		r.f("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %s |", name, a, b, cc, d, e, f, targetOf(figureIDs[name]+".p95."+id))
		rows.runs[figureIDs[name]+".p95."+id] = p95s
	}
	r.f("\n### HTTP, 32 concurrent clients, %s, %s each (requests/s; min/median/max over %d runs)\n", mode, c.load, c.reps)
	r.f("| endpoint | req/s min | req/s median | req/s max | p95 ms (median run) | errors | target |\n|---|---|---|---|---|---|---|")
	for _, name := range []string{"search page", "API"} {
		var rates, p95 []float64
		var errs int64
		for i := 0; i < c.reps; i++ {
			rate, lat, e := load(client, 32, c.load, all, paths[name])
			rates = append(rates, rate)
			p95 = append(p95, ms(quantile(lat, .95)))
			errs += e
		}
		a, b, cc := mmm(rates)
		_, p, _ := mmm(p95)
		r.f("| %s | %.0f | %.0f | %.0f | %.1f | %d | %s |", name, a, b, cc, p, errs, targetOf(figureIDs[name]+".rps."+id))
		rid := figureIDs[name] + ".rps." + id
		rows.runs[rid] = rates
		if errs > 0 {
			rows.note(rid, fmt.Sprintf("%d requests failed", errs))
		}
	}
	m := procMem(srv.Process.Pid)
	r.f("\n### Server memory with the %d-patent catalogue, after the runs above (%s)\n", c.patents, mode)
	r.f("| RSS now | peak RSS (VmHWM) | of which anonymous (heap) | of which file-backed (mmapped index pages) | target |\n|---|---|---|---|---|")
	r.f("| %d MB | %d MB | %d MB | %d MB | ≤ 300 MB |", m["VmRSS"]>>10, m["VmHWM"]>>10, m["RssAnon"]>>10, m["RssFile"]>>10)
	if hwm, ok := m["VmHWM"]; ok {
		rows.add("search.rss."+id, float64(hwm>>10))
		rows.note("search.rss."+id, fmt.Sprintf("one reading after the HTTP runs: peak of the server process, of which anonymous %d MB, file-backed %d MB now", m["RssAnon"]>>10, m["RssFile"]>>10))
	}
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
}

// targetOf is the target of a figure as the report states it ("—": none).
func targetOf(id string) string {
	for _, f := range figures {
		if f.ID == id {
			return targetText(Row{Target: f.Target, Unit: f.Unit})
		}
	}
	return "—"
}

// figureIDs names the HTTP endpoints in the figures' IDs.
var figureIDs = map[string]string{"search page": "search.page", "API": "search.api"}

// openBenchPostgres creates (or recreates) a database on the cluster named by the PG* variables.
func openBenchPostgres(name string) *market.Store {
	base := fmt.Sprintf("host=%s port=%s user=%s password=%s sslmode=disable", os.Getenv("PGHOST"), getenvOr("PGPORT", "5432"), getenvOr("PGUSER", "postgres"), os.Getenv("PGPASSWORD"))
	s, err := markettest.RecreatePostgres(context.Background(), base+" dbname="+getenvOr("PGDATABASE", "postgres"), name, base+" dbname="+name)
	check(err)
	return s
}

func getenvOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func run(env []string, bin string, args ...string) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout = os.Stderr
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, stderr.String())
		check(fmt.Errorf("%s %s: %w", bin, strings.Join(args, " "), err))
	}
}

func waitHealthy(u string) {
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	check(fmt.Errorf("server at %s did not become healthy", u))
}

// get fetches u as a browser would, asking for gzip, which the server compresses for; the compressed
// body is read but not inflated: a browser does that on its own machine, and here the load generator
// shares the server's two cores, so inflating would count against the server (about a tenth of the
// search page's throughput).
func get(c *fasthttp.HostClient, u string) error {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(u)
	req.Header.Set("Accept-Encoding", "gzip") // as browsers do; the body is read, not decompressed
	if err := c.Do(req, resp); err != nil {
		return err
	}
	if resp.StatusCode() != 200 {
		return fmt.Errorf("%s: status %d", u, resp.StatusCode())
	}
	return nil
}

// load runs n clients for d, each cycling through the queries; returns requests/s and latencies.
func load(c *fasthttp.HostClient, n int, d time.Duration, qs []string, path func(string) string) (float64, []time.Duration, int64) {
	var (
		mu    sync.Mutex
		lat   []time.Duration
		errs  atomic.Int64
		count atomic.Int64
		wg    sync.WaitGroup
	)
	stop := time.Now().Add(d)
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var mine []time.Duration
			for k := i; time.Now().Before(stop); k++ {
				t0 := time.Now()
				if err := get(c, path(qs[k%len(qs)])); err != nil {
					errs.Add(1)
				}
				mine = append(mine, time.Since(t0))
				count.Add(1)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	return float64(count.Load()) / time.Since(start).Seconds(), lat, errs.Load()
}

// procMem reads a process's memory figures (kB) from /proc: VmRSS, VmHWM, RssAnon, RssFile.
func procMem(pid int) map[string]int64 {
	out := map[string]int64{}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var v int64
		for _, k := range []string{"VmRSS", "VmHWM", "RssAnon", "RssFile"} {
			if n, _ := fmt.Sscanf(sc.Text(), k+": %d kB", &v); n == 1 {
				out[k] = v
			}
		}
	}
	return out
}
