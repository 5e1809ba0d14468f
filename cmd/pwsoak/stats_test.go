package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 200; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{.50, 100 * time.Millisecond}, {.95, 190 * time.Millisecond}, {.99, 198 * time.Millisecond}, {1, 200 * time.Millisecond}, {0, time.Millisecond}} {
		if got := percentile(d, c.p); got != c.want {
			t.Errorf("p%.0f of 1..200 ms: %v, want %v", c.p*100, got, c.want)
		}
	}
	if got := percentile([]time.Duration{7 * time.Millisecond}, .99); got != 7*time.Millisecond {
		t.Errorf("one sample: %v", got)
	}
	if got := percentile(nil, .5); got != 0 {
		t.Errorf("no samples: %v", got)
	}
}

func TestReportArithmetic(t *testing.T) {
	s := newStats()
	// Recorded out of order: the report sorts.
	for _, ms := range []int{40, 10, 30, 20} {
		s.ok("accept", time.Duration(ms)*time.Millisecond)
	}
	s.ok(opSetup, time.Second)
	s.fail("accept", "connection refused", "kill_server")
	s.fail("accept", "connection refused", "kill_server")
	s.retry("accept")
	s.fail("search_api", "http 500 internal", "")
	ops := s.report(2 * time.Second)
	if len(ops) != 2 || ops[0].Op != "accept" || ops[1].Op != "search_api" {
		t.Fatalf("ops: %+v", ops)
	}
	a := ops[0]
	if a.Count != 4 || a.PerSecond != 2 || a.P50ms != 20 || a.P95ms != 40 || a.P99ms != 40 || a.MaxMs != 40 || a.Retries != 1 ||
		a.ErrorsFault["kill_server/connection refused"] != 2 || len(a.ErrorsOutside) != 0 {
		t.Fatalf("accept: %+v", a)
	}
	if ops[1].Count != 0 || ops[1].ErrorsOutside["http 500 internal"] != 1 {
		t.Fatalf("search_api: %+v", ops[1])
	}

	rep := &Report{Ops: ops, Faults: []FaultReport{
		{Name: "kill_server", Run: true, Recovered: true, RecoveredS: 1.25, Checks: []Check{{Name: "audit verify", OK: true}}},
		{Name: "restart_postgres", Run: true, Recovered: true, RecoveredS: 3, Lost: 1},
		{Name: "meili_down"},
	}}
	if rep.ErrorsOutside() != 1 {
		t.Fatalf("errors outside: %d", rep.ErrorsOutside())
	}
	fails := strings.Join(rep.Failures(), "\n")
	for _, want := range []string{"fault restart_postgres: 1 lost", "fault meili_down: not injected", "1 errors outside the faults"} {
		if !strings.Contains(fails, want) {
			t.Errorf("failures %q lack %q", fails, want)
		}
	}
	if strings.Contains(fails, "kill_server") {
		t.Errorf("a passed fault is listed as failed: %q", fails)
	}
	var b bytes.Buffer
	rep.writeMarkdown(&b)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	tail := strings.Join(lines[len(lines)-3:], "\n")
	want := "fault kill_server: injected, recovered after 1.2 s, lost 0, duplicated 0\n" +
		"fault restart_postgres: injected, recovered after 3.0 s, lost 1, duplicated 0\n" +
		"fault meili_down: not injected (the run ended first)"
	if tail != want {
		t.Fatalf("the report ends with\n%s\nwant\n%s", tail, want)
	}
	if !strings.Contains(b.String(), "| accept | 4 | 2.0 | 20.00 | 40.00 | 40.00 | 40.00 | 1 | 2 | 0 |") || !strings.Contains(b.String(), "## FAILED") {
		t.Fatalf("report:\n%s", b.String())
	}
}

func TestFaultClock(t *testing.T) {
	var f faultClock
	if f.current() != "" {
		t.Fatal("a fault before any")
	}
	f.begin("kill_server")
	if f.current() != "kill_server" {
		t.Fatal("no fault while it lasts")
	}
	f.end(time.Hour)
	if f.current() != "kill_server" {
		t.Fatal("the grace after recovery is not the fault's")
	}
	f.end(-time.Second)
	if f.current() != "" {
		t.Fatal("a fault after its grace")
	}
}

func TestCorruptOverwritesEveryFile(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"index_meta.json": `{"storage":"scorch"}`, "store/root.bolt": strings.Repeat("b", 5000)}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n, err := corrupt(dir)
	if err != nil || n != 2 {
		t.Fatalf("corrupt: %d files, %v", n, err)
	}
	for name, content := range files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) == content || len(b) < len(content) || len(b) < 4096 {
			t.Errorf("%s: not overwritten with garbage of at least its size (%d bytes)", name, len(b))
		}
	}
}

func TestExitMessage(t *testing.T) {
	log := filepath.Join(t.TempDir(), "server.log")
	text := "==== pwsoak: start 1\npanic: old crash\n==== pwsoak: start 2\nlevel=INFO msg=x\n" +
		"panic: assignment to entry in nil map [recovered, repanicked]\n\ngoroutine 7 [running]:\n" +
		"github.com/blevesearch/zapx/v17.(*invertedIndexCache).insertLOCKED(...)\n" +
		"patentwall/search/bleve.(*Index).Upsert.func1()\n\t/src/search/bleve/bleve.go:254 +0x3f\n"
	if err := os.WriteFile(log, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &server{logPath: log}
	want := "panic: assignment to entry in nil map [recovered, repanicked] in patentwall/search/bleve.(*Index).Upsert.func1()"
	if got := s.exitMessage(); got != want {
		t.Fatalf("exit message %q, want %q", got, want)
	}
	os.WriteFile(log, []byte("==== pwsoak: start 3\npatentwall serve: search/meili: unreachable\n"), 0o644)
	if got := s.exitMessage(); got != "patentwall serve: search/meili: unreachable" {
		t.Fatalf("exit message %q", got)
	}
}
