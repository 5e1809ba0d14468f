// Command pwbench measures the search figures of the README (make bench runs it): search latency in
// process and over HTTP, throughput at 32 clients, import rate end to end, server RSS, and the
// Postgres LIKE baseline users would otherwise pick. It drives the real patentwall binary.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	var (
		bin     = flag.String("bin", "bin/patentwall", "the patentwall binary to drive")
		patents = flag.Int("patents", 100000, "catalogue size")
		orgs    = flag.Int("orgs", 2000, "holders in the catalogue")
		work    = flag.String("work", "", "working directory (default: a new temporary one, removed afterwards)")
		out     = flag.String("out", "bench-results", "where to write the results (markdown)")
		reps    = flag.Int("reps", 3, "repetitions of each latency measurement (min/median/max are over these)")
	)
	flag.Parse()
	what := flag.Args()
	if len(what) == 0 {
		what = []string{"search"}
	}
	dir := *work
	if dir == "" {
		d, err := os.MkdirTemp("", "pwbench-")
		check(err)
		defer os.RemoveAll(d)
		dir = d
	}
	absBin, err := filepath.Abs(*bin)
	check(err)
	r := &report{}
	for _, w := range what {
		switch w {
		case "search":
			benchSearch(r, config{bin: absBin, dir: dir, patents: *patents, orgs: *orgs, reps: *reps})
		default:
			fmt.Fprintf(os.Stderr, "pwbench: unknown benchmark %q (search)\n", w)
			os.Exit(2)
		}
	}
	check(os.MkdirAll(*out, 0o755))
	name := filepath.Join(*out, strings.Join(what, "-")+".md")
	check(os.WriteFile(name, []byte(r.String()), 0o644))
	fmt.Print(r.String())
	fmt.Fprintf(os.Stderr, "results written to %s\n", name)
}

type config struct {
	bin           string
	dir           string
	patents, orgs int
	reps          int
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "pwbench:", err)
		os.Exit(1)
	}
}

// report collects markdown lines.
type report struct{ b strings.Builder }

func (r *report) f(format string, a ...any) {
	fmt.Fprintf(&r.b, format+"\n", a...)
	fmt.Fprintf(os.Stderr, format+"\n", a...)
}
func (r *report) String() string { return r.b.String() }

// quantile of sorted durations.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(q * float64(len(s)-1))
	return s[i]
}

// mmm is min/median/max of repeated measurements.
func mmm(xs []float64) (lo, med, hi float64) {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[0], s[len(s)/2], s[len(s)-1]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
