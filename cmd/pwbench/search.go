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

func benchSearch(r *report, c config) {
	ctx := context.Background()
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

	// Import end to end (database + search index) through the CLI, SQLite + Bleve.
	lite := filepath.Join(c.dir, "lite")
	env := append(os.Environ(), "DATA_DIR="+lite, "DATABASE_URL=", "MEILISEARCH_URL=")
	run(env, c.bin, "import", "orgs", filepath.Join(csvDir, "orgs.csv"))
	start := time.Now()
	run(env, c.bin, "import", "patents", filepath.Join(csvDir, "patents.csv"))
	took := time.Since(start)
	r.f("\n### Import (CLI, CSV → SQLite + Bleve index, end to end)\n")
	r.f("| rows | seconds | rows/s | target |\n|---|---|---|---|")
	r.f("| %d | %.1f | %.0f | ≥ 3,000 |", c.patents, took.Seconds(), float64(c.patents)/took.Seconds())

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
	for _, mode := range []struct{ name, env string }{{"result cache on (default)", ""}, {"result cache off: every request searches the index", "SEARCH_CACHE=off"}} {
		e := append([]string(nil), env...)
		if mode.env != "" {
			e = append(e, mode.env)
		}
		benchHTTP(r, c, e, mode.name, all)
	}

	// In process: the Bleve backend itself, with every facet and highlighting.
	idx := bleve.New(filepath.Join(lite, "index"))
	_, err = idx.Init(ctx)
	check(err)
	bleveP50 := map[int]float64{}
	r.f("\n### Bleve backend in process, facets + highlight (ms; min/median/max over %d runs of 50 queries per class)\n", c.reps)
	r.f("| words | p50 min | p50 median | p50 max | p95 min | p95 median | p95 max | mean hits | target |\n|---|---|---|---|---|---|---|---|---|")
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
		}
		a, b, cc := mmm(p50s)
		d, e, f := mmm(p95s)
		bleveP50[w] = b
		r.f("| %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %d | p50 ≤ 3, p95 ≤ 10 |", w, a, b, cc, d, e, f, hits/(c.reps*len(qs[w])))
	}
	idx.Close()

	// The baseline: the same queries as LIKE/ILIKE with a count on Postgres, same data.
	if os.Getenv("PGHOST") == "" {
		r.f("\n(Postgres baseline skipped: PGHOST is not set; make bench runs inside a throwaway cluster.)")
		return
	}
	pg := openBenchPostgres("pwbench_search")
	defer pg.Close()
	_, err = demo.Load(ctx, pg, demo.Options{Seed: demo.DefaultSeed, Orgs: c.orgs, Patents: c.patents, Now: time.Now()})
	check(err)
	sqlbaseline.Analyze(ctx, pg)
	r.f("\n### Baseline: Postgres `ILIKE '%%…%%'` with count, same data and queries (ms; min/median/max over %d runs)\n", c.reps)
	r.f("| words | p50 min | p50 median | p50 max | p95 median | Bleve p50 median | ratio (PG / Bleve) |\n|---|---|---|---|---|---|---|")
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
		}
		a, b, cc := mmm(p50s)
		_, e, _ := mmm(p95s)
		r.f("| %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f× |", w, a, b, cc, e, bleveP50[w], b/max(bleveP50[w], 0.001))
	}
}

// benchHTTP starts the real server on the imported data and measures it over HTTP.
func benchHTTP(r *report, c config, env []string, mode string, all []string) {
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
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
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
		r.f("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | p95 ≤ 20 |", name, a, b, cc, d, e, f)
	}
	r.f("\n### HTTP, 32 concurrent clients, %s, 10 s each (requests/s; min/median/max over %d runs)\n", mode, c.reps)
	r.f("| endpoint | req/s min | req/s median | req/s max | p95 ms (median run) | errors | target |\n|---|---|---|---|---|---|---|")
	for _, name := range []string{"search page", "API"} {
		var rates, p95 []float64
		var errs int64
		for i := 0; i < c.reps; i++ {
			rate, lat, e := load(client, 32, 10*time.Second, all, paths[name])
			rates = append(rates, rate)
			p95 = append(p95, ms(quantile(lat, .95)))
			errs += e
		}
		a, b, cc := mmm(rates)
		_, p, _ := mmm(p95)
		r.f("| %s | %.0f | %.0f | %.0f | %.1f | %d | ≥ 600 req/s |", name, a, b, cc, p, errs)
	}
	m := procMem(srv.Process.Pid)
	r.f("\n### Server memory with the %d-patent catalogue, after the runs above (%s)\n", c.patents, mode)
	r.f("| RSS now | peak RSS (VmHWM) | of which anonymous (heap) | of which file-backed (mmapped index pages) | target |\n|---|---|---|---|---|")
	r.f("| %d MB | %d MB | %d MB | %d MB | ≤ 300 MB |", m["VmRSS"]>>10, m["VmHWM"]>>10, m["RssAnon"]>>10, m["RssFile"]>>10)
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
}

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
func get(c *http.Client, u string) error {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept-Encoding", "gzip") // set by hand: the transport then leaves the body compressed
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: status %d", u, resp.StatusCode)
	}
	return nil
}

// load runs n clients for d, each cycling through the queries; returns requests/s and latencies.
func load(c *http.Client, n int, d time.Duration, qs []string, path func(string) string) (float64, []time.Duration, int64) {
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
