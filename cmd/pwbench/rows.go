package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// The rows of the benchmark report (docs/interfaces.md §8): every figure of every part
// of `make bench`, as the same record, so that runs can be compared over time.

// Target is a figure's floor or ceiling: Op is ">=" or "<=", Of says what it is held against: the
// median of the runs ("median") or the ratio to the baseline ("ratio").
type Target struct {
	Op    string  `json:"op"`
	Value float64 `json:"value"`
	Of    string  `json:"of"`
}

// Row is one figure of the report.
type Row struct {
	ID            string    `json:"id"`
	Part          string    `json:"part"`
	Name          string    `json:"name"`
	Unit          string    `json:"unit"`
	Better        string    `json:"better"` // "higher" or "lower"
	Status        string    `json:"status"` // "ok", "failed" (its part failed) or "missing" (no value found)
	Runs          []float64 `json:"runs"`
	Min           *float64  `json:"min"`
	Median        *float64  `json:"median"`
	Max           *float64  `json:"max"`
	Target        *Target   `json:"target"`
	TargetMet     *bool     `json:"target_met"`
	BaselineName  string    `json:"baseline_name"`
	BaselineRuns  []float64 `json:"baseline_runs"`
	BaselineValue *float64  `json:"baseline_value"`
	Ratio         *float64  `json:"ratio"`
	Notes         string    `json:"notes"`
}

// figure is the definition of a row: what it measures, its target, and, for the parts that print
// Go benchmark lines, where its values are found (Bench: a regexp on the benchmark name without its
// "Benchmark" prefix; Metric: the unit of the value on that line).
type figure struct {
	ID, Part, Name, Unit, Better string
	Target                       *Target

	Bench, Metric string
	// MinMedMax: the line carries one run's min-/median-/max- metrics of Metric's prefix ("min-s",
	// "median-s", "max-s" for Metric "s") over its iterations, which are the runs.
	MinMedMax bool

	BaselineName                  string
	BaselineBench, BaselineMetric string
}

func atLeast(v float64) *Target  { return &Target{Op: ">=", Value: v, Of: "median"} }
func atMost(v float64) *Target   { return &Target{Op: "<=", Value: v, Of: "median"} }
func ratioMin(v float64) *Target { return &Target{Op: ">=", Value: v, Of: "ratio"} }

// gmp matches the GOMAXPROCS suffix go test adds to benchmark names (absent when it is 1).
const gmp = `(-\d+)?$`

// figures lists every figure of the report, in the order of the table. Targets: the issues' floors
// (README "Performance").
var figures = []figure{
	// search: written by `pwbench search` itself (benchSearch), by ID.
	{ID: "search.import", Part: "search", Name: "import CSV → SQLite + Bleve, end to end", Unit: "rows/s", Better: "higher", Target: atLeast(6000)},
	{ID: "search.api.p95.off", Part: "search", Name: "search API, result cache off, one client, p95", Unit: "ms", Better: "lower", Target: atMost(10)},
	{ID: "search.api.rps.off", Part: "search", Name: "search API, result cache off, 32 clients", Unit: "req/s", Better: "higher", Target: atLeast(1000)},
	{ID: "search.page.p95.off", Part: "search", Name: "search page, result cache off, one client, p95", Unit: "ms", Better: "lower", Target: atMost(20)},
	{ID: "search.page.rps.off", Part: "search", Name: "search page, result cache off, 32 clients", Unit: "req/s", Better: "higher", Target: atLeast(600)},
	{ID: "search.api.p95.on", Part: "search", Name: "search API, result cache on, one client, p95", Unit: "ms", Better: "lower"},
	{ID: "search.api.rps.on", Part: "search", Name: "search API, result cache on, 32 clients", Unit: "req/s", Better: "higher"},
	{ID: "search.page.p95.on", Part: "search", Name: "search page, result cache on, one client, p95", Unit: "ms", Better: "lower"},
	{ID: "search.page.rps.on", Part: "search", Name: "search page, result cache on, 32 clients", Unit: "req/s", Better: "higher"},
	{ID: "search.rss.off", Part: "search", Name: "server peak RSS, result cache off", Unit: "MB", Better: "lower", Target: atMost(300)},
	{ID: "search.rss.on", Part: "search", Name: "server peak RSS, result cache on", Unit: "MB", Better: "lower", Target: atMost(300)},
	{ID: "search.bleve.p50.w1", Part: "search", Name: "Bleve in process, facets + highlight, 1 word, p50", Unit: "ms", Better: "lower", Target: atMost(3)},
	{ID: "search.bleve.p50.w2", Part: "search", Name: "Bleve in process, facets + highlight, 2 words, p50", Unit: "ms", Better: "lower", Target: atMost(3)},
	{ID: "search.bleve.p50.w3", Part: "search", Name: "Bleve in process, facets + highlight, 3 words, p50", Unit: "ms", Better: "lower", Target: atMost(3)},
	{ID: "search.bleve.p50.w4", Part: "search", Name: "Bleve in process, facets + highlight, 4 words, p50", Unit: "ms", Better: "lower", Target: atMost(3)},
	{ID: "search.bleve.p95.w1", Part: "search", Name: "Bleve in process, facets + highlight, 1 word, p95", Unit: "ms", Better: "lower", Target: atMost(10)},
	{ID: "search.bleve.p95.w2", Part: "search", Name: "Bleve in process, facets + highlight, 2 words, p95", Unit: "ms", Better: "lower", Target: atMost(10)},
	{ID: "search.bleve.p95.w3", Part: "search", Name: "Bleve in process, facets + highlight, 3 words, p95", Unit: "ms", Better: "lower", Target: atMost(10)},
	{ID: "search.bleve.p95.w4", Part: "search", Name: "Bleve in process, facets + highlight, 4 words, p95", Unit: "ms", Better: "lower", Target: atMost(10)},
	{ID: "search.vs_ilike.p50", Part: "search", Name: "Bleve in process, 1–4 words, p50, vs Postgres ILIKE", Unit: "ms", Better: "lower", Target: ratioMin(5), BaselineName: "Postgres ILIKE '%…%' with count, p50"},
	{ID: "search.vs_ilike.p95", Part: "search", Name: "Bleve in process, 1–4 words, p95, vs Postgres ILIKE", Unit: "ms", Better: "lower", BaselineName: "Postgres ILIKE '%…%' with count, p95"},
	{ID: "search.vs_trgm.p50", Part: "search", Name: "Bleve in process, 1–4 words, p50, vs Postgres pg_trgm", Unit: "ms", Better: "lower", BaselineName: "Postgres ILIKE with pg_trgm GIN indexes, p50"},
	{ID: "search.vs_trgm.p95", Part: "search", Name: "Bleve in process, 1–4 words, p95, vs Postgres pg_trgm", Unit: "ms", Better: "lower", BaselineName: "Postgres ILIKE with pg_trgm GIN indexes, p95"},

	// signing: web/e2e BenchmarkSignHTTP, market BenchmarkAcceptLicence, scripts/bench_signing_pgbench.sh.
	{ID: "signing.http.cps.32", Part: "signing", Name: "signing over HTTP, Postgres, 32 licensees", Unit: "contracts/s", Better: "higher", Target: ratioMin(0.30),
		Bench: `^SignHTTP/clients-32` + gmp, Metric: "contracts/s", BaselineName: "pgbench two-INSERT ceiling, 32 clients, same run", BaselineBench: `^SignHTTP/clients-32` + gmp, BaselineMetric: "pgbench_tps"},
	{ID: "signing.http.p99.32", Part: "signing", Name: "signing over HTTP, 32 licensees, p99", Unit: "ms", Better: "lower", Target: atMost(60),
		Bench: `^SignHTTP/clients-32` + gmp, Metric: "p99_ms"},
	{ID: "signing.http.p50.32", Part: "signing", Name: "signing over HTTP, 32 licensees, p50", Unit: "ms", Better: "lower",
		Bench: `^SignHTTP/clients-32` + gmp, Metric: "p50_ms"},
	{ID: "signing.pgbench.32", Part: "signing", Name: "pgbench two-INSERT ceiling, 32 clients (beside HTTP signing)", Unit: "tps", Better: "higher",
		Bench: `^SignHTTP/clients-32` + gmp, Metric: "pgbench_tps"},
	{ID: "signing.http.cps.1", Part: "signing", Name: "signing over HTTP, one licensee", Unit: "contracts/s", Better: "higher",
		Bench: `^SignHTTP/clients-1` + gmp, Metric: "contracts/s", BaselineName: "pgbench two-INSERT ceiling, 1 client, same run", BaselineBench: `^SignHTTP/clients-1` + gmp, BaselineMetric: "pgbench_tps"},
	{ID: "signing.service.spread", Part: "signing", Name: "signing in market (AcceptLicence), 32 licensees, spread", Unit: "contracts/s", Better: "higher",
		Bench: `^AcceptLicence/spread` + gmp, Metric: "contracts/s", BaselineName: "pgbench two-INSERT ceiling, 32 clients", BaselineBench: `^Pgbench/clients=32$`, BaselineMetric: "tps"},
	{ID: "signing.service.spread.p99", Part: "signing", Name: "signing in market, 32 licensees, spread, p99", Unit: "ms", Better: "lower",
		Bench: `^AcceptLicence/spread` + gmp, Metric: "p99_ms"},
	{ID: "signing.service.hot", Part: "signing", Name: "signing in market, 32 licensees on one declaration (hot)", Unit: "contracts/s", Better: "higher",
		Bench: `^AcceptLicence/hot` + gmp, Metric: "contracts/s", BaselineName: "pgbench two-INSERT ceiling, 32 clients", BaselineBench: `^Pgbench/clients=32$`, BaselineMetric: "tps"},
	{ID: "signing.service.serial", Part: "signing", Name: "signing in market, one licensee", Unit: "contracts/s", Better: "higher",
		Bench: `^AcceptLicence/serial-1` + gmp, Metric: "contracts/s", BaselineName: "pgbench two-INSERT ceiling, 1 client", BaselineBench: `^Pgbench/clients=1$`, BaselineMetric: "tps"},

	// bonus: bonus/benchdata prints Go benchmark lines per repetition.
	{ID: "bonus.art22.run", Part: "bonus", Name: "bonus run art22-2022 (load + evaluate)", Unit: "s", Better: "lower", Target: atMost(5),
		Bench: `^Bonus/round=art22-2022/run$`, Metric: "sec/op"},
	{ID: "bonus.art19.run", Part: "bonus", Name: "bonus run art19-2022 (load + evaluate)", Unit: "s", Better: "lower", Target: atMost(5),
		Bench: `^Bonus/round=art19-2022/run$`, Metric: "sec/op"},
	{ID: "bonus.art22.rss", Part: "bonus", Name: "bonus run art22-2022, peak RSS", Unit: "MB", Better: "lower", Target: atMost(1024),
		Bench: `^Bonus/round=art22-2022/run$`, Metric: "peak-MB"},
	{ID: "bonus.art19.rss", Part: "bonus", Name: "bonus run art19-2022, peak RSS", Unit: "MB", Better: "lower", Target: atMost(1024),
		Bench: `^Bonus/round=art19-2022/run$`, Metric: "peak-MB"},
	{ID: "bonus.art22.xlsx", Part: "bonus", Name: "XLSX export of the art22-2022 run", Unit: "s", Better: "lower", Target: atMost(30),
		Bench: `^Bonus/round=art22-2022/xlsx$`, Metric: "sec/op"},
	{ID: "bonus.art19.xlsx", Part: "bonus", Name: "XLSX export of the art19-2022 run", Unit: "s", Better: "lower", Target: atMost(30),
		Bench: `^Bonus/round=art19-2022/xlsx$`, Metric: "sec/op"},

	// channels: web BenchmarkChannels, market BenchmarkChannelStats.
	{ID: "channels.screen.rps", Part: "channels", Name: "wall screen data GET /api/v1/walls/{slug}/screen, 32 clients", Unit: "req/s", Better: "higher", Target: atLeast(3000),
		Bench: `^Channels/screen/clients=32` + gmp, Metric: "req/s"},
	{ID: "channels.page.p95", Part: "channels", Name: "wall page with rules, one client, p95", Unit: "ms", Better: "lower", Target: atMost(20),
		Bench: `^Channels/wall_page/clients=1` + gmp, Metric: "p95_ms"},
	{ID: "channels.api.p95", Part: "channels", Name: "wall patents API, one client, p95", Unit: "ms", Better: "lower",
		Bench: `^Channels/wall_api/clients=1` + gmp, Metric: "p95_ms"},
	{ID: "channels.stats.bureau", Part: "channels", Name: "channel statistics, every channel (bureau's table)", Unit: "s", Better: "lower", Target: atMost(2),
		Bench: `^ChannelStats/bureau` + gmp, Metric: "s", MinMedMax: true},
	{ID: "channels.stats.wall", Part: "channels", Name: "channel statistics, one wall with its months", Unit: "s", Better: "lower", Target: atMost(2),
		Bench: `^ChannelStats/wall` + gmp, Metric: "s", MinMedMax: true},

	// demands: search BenchmarkDemandMatches, BenchmarkAlertsBulkPublish.
	{ID: "demands.match.p95", Part: "demands", Name: "demand matches, one demand against the catalogue, p95", Unit: "ms", Better: "lower", Target: atMost(30),
		Bench: `^DemandMatches` + gmp, Metric: "p95-ms"},
	{ID: "demands.match.p50", Part: "demands", Name: "demand matches, p50", Unit: "ms", Better: "lower",
		Bench: `^DemandMatches` + gmp, Metric: "p50-ms"},
	{ID: "demands.match.cpu", Part: "demands", Name: "demand matches, CPU per demand", Unit: "ms", Better: "lower",
		Bench: `^DemandMatches` + gmp, Metric: "cpu-ms/op"},
	{ID: "demands.alerts", Part: "demands", Name: "1,000 patents published (10,000 saved searches, 2,000 demands): commit → every notification", Unit: "s", Better: "lower", Target: atMost(60),
		Bench: `^AlertsBulkPublish` + gmp, Metric: "sec/op"},
}

// parts lists the parts of make bench in their order.
func parts() []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range figures {
		if !seen[f.Part] {
			seen[f.Part] = true
			out = append(out, f.Part)
		}
	}
	return out
}

func figureByID(id string) (figure, bool) {
	for _, f := range figures {
		if f.ID == id {
			return f, true
		}
	}
	return figure{}, false
}

// sample is one measured value of a benchmark line: name without "Benchmark", unit as printed.
type sample struct {
	Name, Unit string
	Value      float64
}

// parseGoBench reads `go test -bench` output (and lines in that format printed by other programs)
// and returns every value of every benchmark line, in order. Units are kept as printed; the time per
// op is given as "sec/op" too (ns/op scaled), as benchfmt tidies it.
func parseGoBench(r io.Reader, file string) ([]sample, error) {
	var out []sample
	text, err := rejoin(r)
	if err != nil {
		return nil, err
	}
	br := benchfmt.NewReader(strings.NewReader(text), file)
	for br.Scan() {
		res, ok := br.Result().(*benchfmt.Result)
		if !ok {
			continue // syntax errors: test logs and other lines between the results
		}
		name := res.Name.String()
		for _, v := range res.Values {
			if v.OrigUnit != "" {
				out = append(out, sample{name, v.OrigUnit, v.OrigValue})
			}
			out = append(out, sample{name, v.Unit, v.Value})
		}
	}
	return out, br.Err()
}

var (
	// a benchmark's name followed by something other than its iteration count: what the benchmark
	// printed itself came between the name go test prints first and the result it prints after the run
	nameThenOutput = regexp.MustCompile(`^(Benchmark\S+)(\s*|\s+[^\s\d].*)$`)
	// a result without its name: iterations, then value-unit pairs
	bareResult = regexp.MustCompile(`^\s*\d+\t\s*[-+0-9.eE]+ \S`)
)

// rejoin puts a benchmark's result back on the line of its name when the benchmark printed to
// standard output in between (the demand benchmarks report their catalogue's set-up).
func rejoin(r io.Reader) (string, error) {
	var b strings.Builder
	pending := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if m := nameThenOutput.FindStringSubmatch(line); m != nil {
			pending = m[1]
			b.WriteString(strings.TrimSpace(m[2]) + "\n")
			continue
		}
		if pending != "" && bareResult.MatchString(line) {
			line = pending + "\t" + line
			pending = ""
		}
		b.WriteString(line + "\n")
	}
	return b.String(), sc.Err()
}

// pgbenchLine is a line of scripts/bench_signing_pgbench.sh:
//
//	pgbench_two_inserts clients=32 tps_median=8123.4 tps_min=… tps_max=… runs=3 seconds=10 tps_runs=8100.1,8123.4,8200.0
var pgbenchLine = regexp.MustCompile(`^pgbench_two_inserts clients=(\d+) .*\btps_runs=([0-9.,]+)`)

// parsePgbench returns the tps of every run as samples named "Pgbench/clients=N" with unit "tps".
func parsePgbench(r io.Reader) ([]sample, error) {
	var out []sample
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := pgbenchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		for _, s := range strings.Split(m[2], ",") {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("pgbench line %q: %w", sc.Text(), err)
			}
			out = append(out, sample{"Pgbench/clients=" + m[1], "tps", v})
		}
	}
	return out, sc.Err()
}

// values returns, in order, the values of unit on the lines whose name matches re.
func values(samples []sample, re *regexp.Regexp, unit string) []float64 {
	var out []float64
	for _, s := range samples {
		if s.Unit == unit && re.MatchString(s.Name) {
			out = append(out, s.Value)
		}
	}
	return out
}

// rowsFromSamples builds the rows of a part from the benchmark lines its programs printed.
func rowsFromSamples(part string, samples []sample) []Row {
	var rows []Row
	for _, f := range figures {
		if f.Part != part || f.Bench == "" {
			continue
		}
		re := regexp.MustCompile(f.Bench)
		var runs []float64
		if f.MinMedMax {
			for _, stat := range []string{"min-", "median-", "max-"} {
				runs = append(runs, values(samples, re, stat+f.Metric)...)
			}
			sort.Float64s(runs)
		} else {
			runs = values(samples, re, f.Metric)
		}
		var base []float64
		if f.BaselineBench != "" {
			base = values(samples, regexp.MustCompile(f.BaselineBench), f.BaselineMetric)
		}
		rows = append(rows, makeRow(f, runs, base, ""))
	}
	return rows
}

// makeRow computes a row's statistics, ratio and verdict from its runs and its baseline's runs.
func makeRow(f figure, runs, base []float64, notes string) Row {
	r := Row{ID: f.ID, Part: f.Part, Name: f.Name, Unit: f.Unit, Better: f.Better, Status: "ok", Runs: nonNil(runs),
		Target: f.Target, BaselineName: f.BaselineName, BaselineRuns: nonNil(base), Notes: notes}
	if len(runs) == 0 {
		r.Status = "missing"
		return r
	}
	lo, med, hi := stats(r.Runs)
	r.Min, r.Median, r.Max = &lo, &med, &hi
	if len(base) > 0 {
		_, b, _ := stats(r.BaselineRuns)
		r.BaselineValue = &b
		r.Ratio = ratio(f.Better, med, b)
	}
	r.TargetMet = met(f.Target, r.Median, r.Ratio)
	return r
}

// nonNil copies the values, rounded to 9 significant digits (a time in ns scaled to seconds gives
// 0.17305087000000002 otherwise), and never nil (JSON: [] rather than null).
func nonNil(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i], _ = strconv.ParseFloat(strconv.FormatFloat(x, 'g', 9, 64), 64)
	}
	return out
}

// stats is the minimum, median (the mean of the middle two for an even count) and maximum.
func stats(xs []float64) (lo, med, hi float64) {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		med = s[n/2]
	} else {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return s[0], med, s[n-1]
}

// ratio compares a figure with its baseline so that above 1 is better than the baseline: value /
// baseline when higher is better (a throughput), baseline / value when lower is (a latency: "× faster").
func ratio(better string, value, base float64) *float64 {
	var r float64
	if better == "higher" {
		if base == 0 {
			return nil
		}
		r = value / base
	} else {
		if value == 0 {
			return nil
		}
		r = base / value
	}
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return nil
	}
	return &r
}

// met says whether the target holds; nil when there is no target or nothing to hold it against.
func met(t *Target, median, ratio *float64) *bool {
	if t == nil {
		return nil
	}
	v := median
	if t.Of == "ratio" {
		v = ratio
	}
	if v == nil {
		return nil
	}
	ok := *v >= t.Value
	if t.Op == "<=" {
		ok = *v <= t.Value
	}
	return &ok
}

// rowsFile is what each part writes: bench-results/<part>.rows.json.
type rowsFile struct {
	Part string `json:"part"`
	Rows []Row  `json:"rows"`
}

func writeRows(path, part string, rows []Row) error {
	b, err := json.MarshalIndent(rowsFile{Part: part, Rows: rows}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func readRows(path string) (rowsFile, error) {
	var rf rowsFile
	b, err := os.ReadFile(path)
	if err != nil {
		return rf, err
	}
	if err := json.Unmarshal(b, &rf); err != nil {
		return rf, fmt.Errorf("%s: %w", path, err)
	}
	return rf, nil
}

// cmdRows: pwbench rows -part P -o FILE [-pgbench FILE]... FILE...: the rows of part P from the Go
// benchmark output in the files (and pgbench lines in the -pgbench files).
func cmdRows(args []string) error {
	var pg multiFlag
	set := newFlagSet("rows")
	part := set.String("part", "", "the part: "+strings.Join(parts(), ", "))
	out := set.String("o", "", "the rows file to write (default bench-results/<part>.rows.json)")
	set.Var(&pg, "pgbench", "a file of scripts/bench_signing_pgbench.sh output (repeatable)")
	if err := set.Parse(args); err != nil {
		return err
	}
	if !contains(parts(), *part) {
		return fmt.Errorf("rows: unknown part %q (%s)", *part, strings.Join(parts(), ", "))
	}
	if *out == "" {
		*out = "bench-results/" + *part + ".rows.json"
	}
	var samples []sample
	for _, name := range set.Args() {
		f, err := os.Open(name)
		if errors.Is(err, fs.ErrNotExist) { // the part failed before writing it: its rows are missing
			fmt.Fprintf(os.Stderr, "pwbench rows: %s: no such file\n", name)
			continue
		}
		if err != nil {
			return err
		}
		s, err := parseGoBench(f, name)
		f.Close()
		if err != nil {
			return err
		}
		samples = append(samples, s...)
	}
	for _, name := range pg {
		f, err := os.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(os.Stderr, "pwbench rows: %s: no such file\n", name)
			continue
		}
		if err != nil {
			return err
		}
		s, err := parsePgbench(f)
		f.Close()
		if err != nil {
			return err
		}
		samples = append(samples, s...)
	}
	rows := rowsFromSamples(*part, samples)
	if err := writeRows(*out, *part, rows); err != nil {
		return err
	}
	missing := 0
	for _, r := range rows {
		if r.Status != "ok" {
			missing++
		}
	}
	fmt.Fprintf(os.Stderr, "pwbench rows: %d rows of %s written to %s (%d without values)\n", len(rows), *part, *out, missing)
	return nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
