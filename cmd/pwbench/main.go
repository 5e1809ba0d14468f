// Command pwbench measures the search figures of the README (make bench runs it): search latency in
// process and over HTTP, throughput at 32 clients, import rate end to end, server RSS, and the
// Postgres baselines users would otherwise pick (ILIKE, and ILIKE over pg_trgm indexes). It drives the
// real patentwall binary.
//
//	pwbench [-patents N -reps 3 -load-seconds 10 -rows FILE] search   the search part
//	pwbench rows -part P [-pgbench FILE] FILE...                      rows of a part from Go benchmark lines
//	pwbench report -parts a,b -failed b -commit C -load-start L       bench-results/report.json and report.md
//	pwbench calibrate                                                 the reference workload's time (ms)
//
// The report's format: docs/interfaces.md §8.
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
	if len(os.Args) > 1 {
		var sub func([]string) error
		switch os.Args[1] {
		case "rows":
			sub = cmdRows
		case "report":
			sub = cmdReport
		case "calibrate":
			sub = cmdCalibrate
		}
		if sub != nil {
			if err := sub(os.Args[2:]); err != nil {
				fmt.Fprintln(os.Stderr, "pwbench:", err)
				os.Exit(1)
			}
			return
		}
	}
	var (
		bin     = flag.String("bin", "bin/patentwall", "the patentwall binary to drive")
		patents = flag.Int("patents", 100000, "catalogue size")
		orgs    = flag.Int("orgs", 2000, "holders in the catalogue")
		work    = flag.String("work", "", "working directory (default: a new temporary one, removed afterwards)")
		out     = flag.String("out", "bench-results", "where to write the results (markdown)")
		reps    = flag.Int("reps", 3, "repetitions of each measurement (min/median/max are over these)")
		loadSec = flag.Float64("load-seconds", 10, "duration of each 32-client run")
		rowsOut = flag.String("rows", "", "the rows file to write (default <out>/search.rows.json)")
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
			rows := benchSearch(r, config{bin: absBin, dir: dir, patents: *patents, orgs: *orgs, reps: *reps,
				load: time.Duration(*loadSec * float64(time.Second))})
			if *rowsOut == "" {
				*rowsOut = filepath.Join(*out, "search.rows.json")
			}
			check(os.MkdirAll(filepath.Dir(*rowsOut), 0o755))
			check(writeRows(*rowsOut, "search", rows.rows()))
			fmt.Fprintf(os.Stderr, "rows written to %s\n", *rowsOut)
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
	load          time.Duration // each 32-client run
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
