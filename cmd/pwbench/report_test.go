package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestStats(t *testing.T) {
	for _, c := range []struct {
		in          []float64
		lo, med, hi float64
	}{
		{[]float64{3, 1, 2}, 1, 2, 3},
		{[]float64{5}, 5, 5, 5},
		{[]float64{4, 1, 3, 2}, 1, 2.5, 4}, // even: the mean of the middle two
		{[]float64{7.5, 7.5, 1}, 1, 7.5, 7.5},
	} {
		in := slices.Clone(c.in)
		lo, med, hi := stats(c.in)
		if lo != c.lo || med != c.med || hi != c.hi {
			t.Errorf("stats(%v) = %v %v %v, want %v %v %v", c.in, lo, med, hi, c.lo, c.med, c.hi)
		}
		if !slices.Equal(in, c.in) {
			t.Errorf("stats changed its input: %v", c.in)
		}
	}
}

func TestMakeRow(t *testing.T) {
	higher := figure{ID: "x.rate", Part: "x", Name: "rate", Unit: "req/s", Better: "higher", Target: atLeast(1000)}
	lower := figure{ID: "x.p95", Part: "x", Name: "p95", Unit: "ms", Better: "lower", Target: atMost(10)}
	for _, c := range []struct {
		name       string
		f          figure
		runs, base []float64
		median     float64
		ratio      float64 // 0: none
		met        *bool
	}{
		{"higher, met", higher, []float64{900, 1100, 1200}, nil, 1100, 0, ptr(true)},
		{"higher, missed", higher, []float64{999, 800, 1500}, nil, 999, 0, ptr(false)},
		{"lower, met at the bound", lower, []float64{10, 9, 30}, nil, 10, 0, ptr(true)},
		{"lower, missed", lower, []float64{11, 12, 9}, nil, 11, 0, ptr(false)},
		{"no target", figure{ID: "x.y", Better: "lower"}, []float64{1, 2, 3}, nil, 2, 0, nil},
		// A throughput against its ceiling: value / baseline; the target on the ratio.
		{"ratio target met", figure{ID: "s", Better: "higher", Target: ratioMin(0.30)}, []float64{300, 320, 310}, []float64{1000, 900, 1100}, 310, 0.31, ptr(true)},
		{"ratio target missed", figure{ID: "s", Better: "higher", Target: ratioMin(0.30)}, []float64{100, 120, 110}, []float64{1000, 900, 1100}, 110, 0.11, ptr(false)},
		{"ratio target without baseline", figure{ID: "s", Better: "higher", Target: ratioMin(0.30)}, []float64{100}, nil, 100, 0, nil},
		// A latency against a slower baseline: baseline / value, "× faster".
		{"latency ratio", figure{ID: "l", Better: "lower"}, []float64{2, 4, 3}, []float64{300, 330, 200}, 3, 100, nil},
	} {
		r := makeRow(c.f, c.runs, c.base, "")
		if r.Status != "ok" || r.Median == nil || *r.Median != c.median {
			t.Errorf("%s: status %s median %v, want %v", c.name, r.Status, r.Median, c.median)
			continue
		}
		if !slices.Equal(r.Runs, c.runs) {
			t.Errorf("%s: runs %v, want %v in order", c.name, r.Runs, c.runs)
		}
		if c.ratio == 0 && r.Ratio != nil || c.ratio != 0 && (r.Ratio == nil || !near(*r.Ratio, c.ratio)) {
			t.Errorf("%s: ratio %v, want %v", c.name, deref(r.Ratio), c.ratio)
		}
		if (c.met == nil) != (r.TargetMet == nil) || c.met != nil && *c.met != *r.TargetMet {
			t.Errorf("%s: target_met %v, want %v", c.name, deref(r.TargetMet), deref(c.met))
		}
	}
	r := makeRow(lower, nil, nil, "")
	if r.Status != "missing" || r.Median != nil || r.TargetMet != nil || r.Runs == nil {
		t.Errorf("no runs: %+v", r)
	}
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// near: equal but for rounding (ns/op scaled to seconds; rows keep 9 significant digits).
func near(a, b float64) bool { return math.Abs(a-b) <= 1e-8*math.Max(1, math.Abs(b)) }

func nearAll(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !near(a[i], b[i]) {
			return false
		}
	}
	return true
}

// The figures are the report's stable keys: unique IDs, a known part and direction, each Go benchmark
// regexp valid.
func TestFigures(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range figures {
		if seen[f.ID] {
			t.Errorf("figure %s twice", f.ID)
		}
		seen[f.ID] = true
		if !strings.HasPrefix(f.ID, f.Part+".") || (f.Better != "higher" && f.Better != "lower") || f.Name == "" || f.Unit == "" {
			t.Errorf("figure %+v", f)
		}
		if (f.Part == "search") != (f.Bench == "") {
			t.Errorf("%s: only the search part has no benchmark lines", f.ID)
		}
		if f.Target != nil && f.Target.Of == "ratio" && f.BaselineName == "" {
			t.Errorf("%s: a ratio target without a baseline", f.ID)
		}
	}
	if got := parts(); !slices.Equal(got, []string{"search", "signing", "bonus", "channels", "demands"}) {
		t.Errorf("parts %v", got)
	}
}

// rowsOf parses testdata files (real output of each part's programs, trimmed) into the part's rows.
func rowsOf(t *testing.T, part string, pgbench []string, files ...string) map[string]Row {
	t.Helper()
	var samples []sample
	for _, name := range files {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		s, err := parseGoBench(f, name)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		samples = append(samples, s...)
	}
	for _, name := range pgbench {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		s, err := parsePgbench(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		samples = append(samples, s...)
	}
	out := map[string]Row{}
	for _, r := range rowsFromSamples(part, samples) {
		if r.Part != part {
			t.Errorf("row %s of part %s", r.ID, r.Part)
		}
		out[r.ID] = r
	}
	return out
}

func wantRuns(t *testing.T, rows map[string]Row, id string, runs ...float64) Row {
	t.Helper()
	r, ok := rows[id]
	if !ok {
		t.Fatalf("no row %s", id)
	}
	if !nearAll(r.Runs, runs) {
		t.Errorf("%s: runs %v, want %v", id, r.Runs, runs)
	}
	return r
}

func wantBase(t *testing.T, r Row, runs ...float64) {
	t.Helper()
	if !nearAll(r.BaselineRuns, runs) {
		t.Errorf("%s: baseline runs %v, want %v", r.ID, r.BaselineRuns, runs)
	}
}

// testdata/signing-*.txt: a smoke run's output (BENCH_SECONDS=2, BENCH_CONTRACTS=300) on a busy machine.
func TestRowsSigning(t *testing.T) {
	rows := rowsOf(t, "signing", []string{"signing-pgbench.txt"}, "signing-service.txt", "signing-http.txt")
	r := wantRuns(t, rows, "signing.http.cps.32", 337.2, 166.0, 359.4)
	wantBase(t, r, 2983, 2694, 3112)
	if r.Ratio == nil || !near(*r.Ratio, 337.2/2983) || r.TargetMet == nil || *r.TargetMet {
		t.Errorf("signing ratio %v met %v: want %.4f, not met", deref(r.Ratio), deref(r.TargetMet), 337.2/2983)
	}
	wantRuns(t, rows, "signing.http.p99.32", 446.6, 529.0, 345.9)
	wantRuns(t, rows, "signing.http.p50.32", 72.51, 157.7, 46.26)
	wantRuns(t, rows, "signing.pgbench.32", 2983, 2694, 3112)
	wantBase(t, wantRuns(t, rows, "signing.http.cps.1", 193.2, 190.0, 384.7), 205.9, 3001, 3248)
	// market: the pgbench script's runs are the baseline, per client count
	wantBase(t, wantRuns(t, rows, "signing.service.spread", 418.3, 334.0, 241.9), 4768.146434, 3036.780810, 2084.220287)
	wantRuns(t, rows, "signing.service.spread.p99", 292.1, 243.1, 336.2)
	wantRuns(t, rows, "signing.service.hot", 394.5, 407.6, 448.5)
	wantBase(t, wantRuns(t, rows, "signing.service.serial", 386.0, 683.6, 387.1), 3027.809358, 3550.933418, 2032.518266)
}

// testdata/channels.txt, channel-stats.txt: a smoke run's output (3,000 patents, 5,000 contracts).
func TestRowsChannels(t *testing.T) {
	rows := rowsOf(t, "channels", nil, "channels.txt", "channel-stats.txt")
	r := wantRuns(t, rows, "channels.screen.rps", 3426, 7532, 4954)
	if r.TargetMet == nil || !*r.TargetMet {
		t.Errorf("screen: met %v", deref(r.TargetMet))
	}
	wantRuns(t, rows, "channels.page.p95", 17.90, 11.65, 9.351)
	wantRuns(t, rows, "channels.api.p95", 3.688, 1.293, 1.096)
	// one go test run of 3 iterations: its min, median and max are the runs
	r = wantRuns(t, rows, "channels.stats.bureau", 0.005829, 0.01997, 0.03094)
	if !near(*r.Median, 0.01997) || !*r.TargetMet {
		t.Errorf("bureau: %+v", r)
	}
	wantRuns(t, rows, "channels.stats.wall", 0.007867, 0.009481, 0.01485)
}

// testdata/demand-*.txt: a smoke run's output (3,000 patents, 50 demands per run).
func TestRowsDemands(t *testing.T) {
	rows := rowsOf(t, "demands", nil, "demand-matches.txt", "demand-alerts.txt")
	r := wantRuns(t, rows, "demands.match.p95", 69.71, 11.56, 33.22)
	if r.TargetMet == nil || *r.TargetMet {
		t.Errorf("match p95 met %v, want false (median 33.22 > 30)", deref(r.TargetMet))
	}
	wantRuns(t, rows, "demands.match.p50", 9.095, 6.995, 9.760)
	wantRuns(t, rows, "demands.match.cpu", 11.23, 6.789, 7.063)
	// ns/op of one op (1,000 patents published), in seconds
	wantRuns(t, rows, "demands.alerts", 106.431090071, 75.570322639, 42.068699458) // the last two split from their names
}

// testdata/bonus-*.txt: bonus/benchdata's output, 20,000 contracts.
func TestRowsBonus(t *testing.T) {
	rows := rowsOf(t, "bonus", nil, "bonus-art22.txt", "bonus-art19.txt")
	wantRuns(t, rows, "bonus.art22.run", 0.187552715, 0.185381493, 0.17305087)
	wantRuns(t, rows, "bonus.art19.run", 0.247649027, 0.139577277, 0.103101992)
	wantRuns(t, rows, "bonus.art22.rss", 41, 40, 38)
	wantRuns(t, rows, "bonus.art19.rss", 36, 38, 40)
	wantRuns(t, rows, "bonus.art22.xlsx", 0.457471708, 0.45864891, 0.429561081)
	wantRuns(t, rows, "bonus.art19.xlsx", 0.669744107, 0.6816685, 0.387890581)
	if r := rows["bonus.art22.run"]; !near(*r.Median, 0.185381493) || !*r.TargetMet {
		t.Errorf("art22: median %v met %v", *r.Median, deref(r.TargetMet))
	}
}

// A part whose output lacks a figure gives that row as missing, not a zero.
func TestRowsMissing(t *testing.T) {
	rows := rowsOf(t, "demands", nil, "demand-matches.txt")
	if r := rows["demands.alerts"]; r.Status != "missing" || r.Median != nil || len(r.Runs) != 0 {
		t.Errorf("alerts without output: %+v", r)
	}
}

func TestParsePgbench(t *testing.T) {
	s, err := parsePgbench(strings.NewReader("noise\npgbench_two_inserts clients=1 tps_median=2.0 tps_min=1.0 tps_max=3.0 runs=3 seconds=1 tps_runs=3.0,1.0,2.0\n" +
		"pgbench_two_inserts clients=32 tps_median=5.0 runs=1 seconds=1\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []sample{{"Pgbench/clients=1", "tps", 3}, {"Pgbench/clients=1", "tps", 1}, {"Pgbench/clients=1", "tps", 2}}
	if !slices.Equal(s, want) { // a line without tps_runs (an older script) gives nothing rather than a median as a run
		t.Errorf("samples %v, want %v", s, want)
	}
}

func TestMerge(t *testing.T) {
	files := map[string][]Row{
		"bonus": {makeRow(mustFigure(t, "bonus.art22.run"), []float64{4, 5, 6}, nil, ""),
			{ID: "bonus.future", Part: "bonus", Name: "a row of a newer pwbench", Status: "ok"}},
		"channels": {makeRow(mustFigure(t, "channels.screen.rps"), []float64{3000, 3100, 2900}, nil, "")},
	}
	ps, rows := merge([]string{"bonus", "channels"}, []string{"channels"}, files)
	if !slices.Equal(ps, []PartStatus{{"bonus", "ok"}, {"channels", "failed"}}) {
		t.Errorf("parts %v", ps)
	}
	var ids []string
	byID := map[string]Row{}
	for _, r := range rows {
		ids = append(ids, r.ID)
		byID[r.ID] = r
		if r.Part != "bonus" && r.Part != "channels" {
			t.Errorf("row %s of a part that did not run", r.ID)
		}
	}
	// every figure of the parts that ran, in the figures' order, then the unknown row
	var want []string
	for _, f := range figures {
		if f.Part == "bonus" {
			want = append(want, f.ID)
		}
	}
	want = append(want, "bonus.future")
	for _, f := range figures {
		if f.Part == "channels" {
			want = append(want, f.ID)
		}
	}
	if !slices.Equal(ids, want) {
		t.Errorf("rows %v, want %v", ids, want)
	}
	if r := byID["bonus.art22.run"]; r.Status != "ok" || *r.Median != 5 {
		t.Errorf("art22: %+v", r)
	}
	if r := byID["bonus.art19.run"]; r.Status != "missing" {
		t.Errorf("art19 not delivered: %+v", r)
	}
	for _, id := range []string{"channels.screen.rps", "channels.stats.wall"} {
		if r := byID[id]; r.Status != "failed" {
			t.Errorf("%s of a failed part: %+v", id, r)
		}
	}
	if r := byID["channels.screen.rps"]; r.Median == nil || *r.Median != 3000 {
		t.Errorf("a failed part keeps the values it measured: %+v", r)
	}
}

func mustFigure(t *testing.T, id string) figure {
	t.Helper()
	f, ok := figureByID(id)
	if !ok {
		t.Fatalf("no figure %s", id)
	}
	return f
}

func TestMarkdownAndJSON(t *testing.T) {
	rep := Report{Schema: "patentwall-bench", SchemaVersion: SchemaVersion, Date: "2026-12-05T08:00:00Z", Commit: "abc123",
		Machine: Machine{Cores: 2, GoVersion: "go1.26", OS: "linux/amd64", LoadStart: []float64{0.5, 1, 2}, LoadEnd: []float64{},
			CPUModel: "AMD EPYC", ReferenceMS: []float64{201.5, 312.25}},
		Settings: map[string]string{"BENCH_PATENTS": "3000"},
		Parts:    []PartStatus{{"signing", "ok"}, {"channels", "failed"}},
		Rows: []Row{
			makeRow(mustFigure(t, "signing.http.cps.32"), []float64{1115.4, 1153.2, 1171}, []float64{8306.5, 8544.1, 8572.3}, ""),
			makeRow(mustFigure(t, "signing.http.p99.32"), []float64{79.3, 85.1, 87.2}, nil, "a note"),
			makeRow(mustFigure(t, "channels.stats.wall"), nil, nil, ""),
		},
	}
	rep.Rows[2].Status = "failed"
	md := markdown(rep)
	for _, want := range []string{
		"| figure | min / median / max | target | met | baseline | ratio |",
		"| signing: signing over HTTP, Postgres, 32 licensees | 1,115 / 1,153 / 1,171 contracts/s | ratio ≥ 0.3 | **no** | pgbench two-INSERT ceiling, 32 clients, same run: 8,544 | 0.135× |",
		"| signing: signing over HTTP, 32 licensees, p99 | 79.3 / 85.1 / 87.2 ms | ≤ 60 ms | **no** | — | — |",
		"| channels: channel statistics, one wall with its months | failed | ≤ 2 s | — | — | — |",
		"**Part channels failed**",
		"settings BENCH_PATENTS=3000",
		"2 cores (AMD EPYC)",
		"load average 0.50 1.00 2.00 at the start, ? at the end; reference workload 202 ms at the start, 312 ms at the end",
		"- signing over HTTP, 32 licensees, p99 (signing.http.p99.32): a note",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	// The JSON keeps every field of a row, null where there is no value.
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		SchemaVersion int              `json:"schema_version"`
		Machine       map[string]any   `json:"machine"`
		Rows          []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.SchemaVersion != 1 || len(back.Rows) != 3 {
		t.Fatalf("%s", b)
	}
	if ref, ok := back.Machine["reference_ms"].([]any); !ok || len(ref) != 2 || ref[1] != 312.25 || back.Machine["cpu_model"] != "AMD EPYC" {
		t.Errorf("machine %v", back.Machine)
	}
	for _, k := range []string{"id", "part", "name", "unit", "better", "status", "runs", "min", "median", "max", "target", "target_met",
		"baseline_name", "baseline_value", "ratio", "notes"} {
		if _, ok := back.Rows[2][k]; !ok {
			t.Errorf("row without %q: %v", k, back.Rows[2])
		}
	}
	if back.Rows[2]["median"] != nil || back.Rows[0]["target"].(map[string]any)["of"] != "ratio" {
		t.Errorf("rows %v", back.Rows)
	}
}

// The reference workload is the same work on every run: its checksum does not change, and it takes time.
func TestReferenceWork(t *testing.T) {
	if a, b := referenceWork(), referenceWork(); a != b || a == 0 {
		t.Errorf("checksums %d and %d", a, b)
	}
	if ms := referenceMillis(); ms <= 0 {
		t.Errorf("reference time %v ms", ms)
	}
}

func TestNum(t *testing.T) {
	for v, want := range map[float64]string{8306.5: "8,306", 1234567: "1,234,567", 250.4: "250", 85.14: "85.1", 4.956: "4.96", 0.1372: "0.137", 0: "0.00", -1500: "-1,500"} {
		if got := num(v); got != want {
			t.Errorf("num(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestParseLoad(t *testing.T) {
	if got := parseLoad("0.52 1.10 2.00 3/456 7890\n"); !slices.Equal(got, []float64{0.52, 1.1, 2}) {
		t.Errorf("load %v", got)
	}
	if got := parseLoad(""); got == nil || len(got) != 0 {
		t.Errorf("empty load %v", got)
	}
}

// A benchmark that prints during its run splits go test's line: the name, its own output, then the
// result on a line of its own.
func TestParseGoBenchSplitLine(t *testing.T) {
	in := "BenchmarkAlertsBulkPublish-2   \t      1\t17600000000 ns/op\t  2000 notifications/op\n" +
		"BenchmarkAlertsBulkPublish-2   \tcatalogue of 5000 patents loaded and indexed in 18s\n" +
		"--- BENCH: BenchmarkAlertsBulkPublish-2\n    demands_bench_test.go:292: indexing 1.84s\n" +
		"       1\t18400000000 ns/op\t  1990 notifications/op\n" +
		"BenchmarkDemandMatches-2\n" + // as -v prints it when the benchmark starts
		"      50\t  20135389 ns/op\t        69.71 p95-ms\n"
	s, err := parseGoBench(strings.NewReader(in), "x")
	if err != nil {
		t.Fatal(err)
	}
	got := values(s, regexp.MustCompile(`^AlertsBulkPublish`+gmp), "sec/op")
	if !nearAll(got, []float64{17.6, 18.4}) {
		t.Errorf("alerts %v, want [17.6 18.4]", got)
	}
	if got := values(s, regexp.MustCompile(`^DemandMatches`+gmp), "p95-ms"); !nearAll(got, []float64{69.71}) {
		t.Errorf("matches %v", got)
	}
	if got := values(s, regexp.MustCompile(`.`), "notifications/op"); !nearAll(got, []float64{2000, 1990}) {
		t.Errorf("notifications %v", got)
	}
}
