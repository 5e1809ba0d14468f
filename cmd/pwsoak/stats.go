package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"time"
)

// opSetup names the preparation's requests, which the report leaves out.
const opSetup = "setup"

// stats collects every HTTP attempt of the workload: latencies of the answered ones, errors by kind,
// split into those during an injected fault (expected) and those outside (which should not happen).
type stats struct {
	mu  sync.Mutex
	ops map[string]*opStats
}

type opStats struct {
	lats    []time.Duration
	retries int
	// errFault: "fault/kind" → count; errOutside: kind → count.
	errFault   map[string]int
	errOutside map[string]int
}

func newStats() *stats { return &stats{ops: map[string]*opStats{}} }

func (s *stats) op(name string) *opStats {
	o := s.ops[name]
	if o == nil {
		o = &opStats{errFault: map[string]int{}, errOutside: map[string]int{}}
		s.ops[name] = o
	}
	return o
}

// ok records an answered attempt.
func (s *stats) ok(name string, lat time.Duration) {
	s.mu.Lock()
	s.op(name).lats = append(s.op(name).lats, lat)
	s.mu.Unlock()
}

// fail records a failed attempt of kind (e.g. "connection refused", "http 503 search_unavailable");
// fault names the fault it happened during, or is "".
func (s *stats) fail(name, kind, fault string) {
	s.mu.Lock()
	o := s.op(name)
	if fault != "" {
		o.errFault[fault+"/"+kind]++
	} else {
		o.errOutside[kind]++
	}
	s.mu.Unlock()
}

// retry counts a repeated request (same idempotency key).
func (s *stats) retry(name string) {
	s.mu.Lock()
	s.op(name).retries++
	s.mu.Unlock()
}

// percentile is the nearest-rank percentile (p in 0..1) of sorted durations; 0 for none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}

// OpReport is one operation's line of the report.
type OpReport struct {
	Op            string         `json:"op"`
	Count         int            `json:"count"` // answered attempts
	PerSecond     float64        `json:"per_second"`
	P50ms         float64        `json:"p50_ms"`
	P95ms         float64        `json:"p95_ms"`
	P99ms         float64        `json:"p99_ms"`
	MaxMs         float64        `json:"max_ms"`
	Retries       int            `json:"retries"`
	ErrorsFault   map[string]int `json:"errors_during_faults"`
	ErrorsOutside map[string]int `json:"errors_outside_faults"`
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }

// report summarises the operations over the load's duration, sorted by name.
func (s *stats) report(elapsed time.Duration) []OpReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.ops))
	for n := range s.ops {
		if n != opSetup {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := make([]OpReport, 0, len(names))
	for _, n := range names {
		o := s.ops[n]
		l := append([]time.Duration(nil), o.lats...)
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		r := OpReport{Op: n, Count: len(l), P50ms: ms(percentile(l, .50)), P95ms: ms(percentile(l, .95)),
			P99ms: ms(percentile(l, .99)), Retries: o.retries, ErrorsFault: copyMap(o.errFault), ErrorsOutside: copyMap(o.errOutside)}
		if len(l) > 0 {
			r.MaxMs = ms(l[len(l)-1])
		}
		if elapsed > 0 {
			r.PerSecond = math.Round(float64(len(l))/elapsed.Seconds()*10) / 10
		}
		out = append(out, r)
	}
	return out
}

func copyMap(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// Check is one verification after a fault (or at the end).
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// FaultReport is one injected fault and what was found after it.
type FaultReport struct {
	Name       string    `json:"name"`
	Injected   time.Time `json:"injected"`
	Run        bool      `json:"run"` // false: skipped (the run's time was up)
	Recovered  bool      `json:"recovered"`
	Exited     bool      `json:"server_exited"` // not recovered: the server exited (did not start)
	RecoveredS float64   `json:"recovered_after_s"`
	Lost       int       `json:"lost"`
	Duplicated int       `json:"duplicated"`
	Checks     []Check   `json:"checks"`
}

// OK reports whether the fault was recovered from and every check passed.
func (f *FaultReport) OK() bool {
	if !f.Run || !f.Recovered || f.Lost > 0 || f.Duplicated > 0 {
		return false
	}
	for _, c := range f.Checks {
		if !c.OK {
			return false
		}
	}
	return true
}

// Line is the fault's last line of the report.
func (f *FaultReport) Line() string {
	switch {
	case !f.Run:
		return fmt.Sprintf("fault %s: not injected (the run ended first)", f.Name)
	case !f.Recovered && f.Exited:
		return fmt.Sprintf("fault %s: injected, not recovered (the server exited after %.1f s), lost %d, duplicated %d", f.Name, f.RecoveredS, f.Lost, f.Duplicated)
	case !f.Recovered:
		return fmt.Sprintf("fault %s: injected, not recovered after %.1f s, lost %d, duplicated %d", f.Name, f.RecoveredS, f.Lost, f.Duplicated)
	}
	return fmt.Sprintf("fault %s: injected, recovered after %.1f s, lost %d, duplicated %d", f.Name, f.RecoveredS, f.Lost, f.Duplicated)
}

// Report is the whole run: soak.json, and soak.md through writeMarkdown.
type Report struct {
	Started     time.Time     `json:"started"`
	LoadSeconds float64       `json:"load_seconds"`
	Clients     int           `json:"clients"`
	Server      string        `json:"server"` // the commit the server was built from
	Ops         []OpReport    `json:"ops"`
	Faults      []FaultReport `json:"faults"`
	Final       []Check       `json:"final_checks"`
	Notes       []string      `json:"notes"`
}

// ErrorsOutside is the number of failed attempts outside any fault.
func (r *Report) ErrorsOutside() int {
	n := 0
	for _, o := range r.Ops {
		n += sum(o.ErrorsOutside)
	}
	return n
}

// Failures lists why the run failed; empty when it passed.
func (r *Report) Failures() []string {
	var out []string
	for i := range r.Faults {
		f := &r.Faults[i]
		if f.OK() {
			continue
		}
		why := []string{}
		if !f.Run {
			why = append(why, "not injected")
		} else if !f.Recovered {
			why = append(why, "not recovered")
		}
		if f.Lost > 0 {
			why = append(why, fmt.Sprintf("%d lost", f.Lost))
		}
		if f.Duplicated > 0 {
			why = append(why, fmt.Sprintf("%d duplicated", f.Duplicated))
		}
		for _, c := range f.Checks {
			if !c.OK {
				why = append(why, c.Name)
			}
		}
		out = append(out, fmt.Sprintf("fault %s: %s", f.Name, strings.Join(why, ", ")))
	}
	for _, c := range r.Final {
		if !c.OK {
			out = append(out, "final check "+c.Name+": "+c.Detail)
		}
	}
	if n := r.ErrorsOutside(); n > 0 {
		out = append(out, fmt.Sprintf("%d errors outside the faults", n))
	}
	return out
}

func sortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// writeMarkdown writes the report as soak.md (and the same text on stdout); it ends with one line per
// fault.
func (r *Report) writeMarkdown(w io.Writer) {
	fmt.Fprintf(w, "# Soak run %s\n\n", r.Started.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "Load %.0f s, %d clients, server built from %s.\n\n", r.LoadSeconds, r.Clients, r.Server)
	fmt.Fprintln(w, "| op | answered | per s | p50 ms | p95 ms | p99 ms | max ms | retries | errors in faults | errors outside |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	for _, o := range r.Ops {
		fmt.Fprintf(w, "| %s | %d | %.1f | %.2f | %.2f | %.2f | %.2f | %d | %d | %d |\n", o.Op, o.Count, o.PerSecond,
			o.P50ms, o.P95ms, o.P99ms, o.MaxMs, o.Retries, sum(o.ErrorsFault), sum(o.ErrorsOutside))
	}
	fmt.Fprintln(w, "\n## Errors outside faults (should be none)")
	any := false
	for _, o := range r.Ops {
		for _, k := range sortedKeys(o.ErrorsOutside) {
			fmt.Fprintf(w, "- %s: %s × %d\n", o.Op, k, o.ErrorsOutside[k])
			any = true
		}
	}
	if !any {
		fmt.Fprintln(w, "- none")
	}
	fmt.Fprintln(w, "\n## Errors during faults (expected)")
	any = false
	for _, o := range r.Ops {
		for _, k := range sortedKeys(o.ErrorsFault) {
			fmt.Fprintf(w, "- %s: %s × %d\n", o.Op, k, o.ErrorsFault[k])
			any = true
		}
	}
	if !any {
		fmt.Fprintln(w, "- none")
	}
	fmt.Fprintln(w, "\n## Checks")
	for _, f := range r.Faults {
		for _, c := range f.Checks {
			fmt.Fprintf(w, "- %s · %s: %s — %s\n", f.Name, c.Name, okWord(c.OK), c.Detail)
		}
	}
	for _, c := range r.Final {
		fmt.Fprintf(w, "- final · %s: %s — %s\n", c.Name, okWord(c.OK), c.Detail)
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w, "\n## Notes")
		for _, n := range r.Notes {
			fmt.Fprintln(w, "- "+n)
		}
	}
	if f := r.Failures(); len(f) > 0 {
		fmt.Fprintln(w, "\n## FAILED")
		for _, x := range f {
			fmt.Fprintln(w, "- "+x)
		}
	} else {
		fmt.Fprintln(w, "\n## PASSED")
	}
	fmt.Fprintln(w)
	for i := range r.Faults {
		fmt.Fprintln(w, r.Faults[i].Line())
	}
}

func okWord(ok bool) string {
	if ok {
		return "ok"
	}
	return "FAILED"
}

func (r *Report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
