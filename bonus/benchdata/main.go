// Command benchdata measures a bonus run over a million contracts on Postgres (the README's bonus figures):
// it bulk-loads synthetic but valid-looking organisations, patents, contracts and CNIPA filings once
// (COPY), then times bonus.Run, storing the run, and the XLSX export, several times each, and prints
// min/median/max wall time and the peak RSS of each phase (VmHWM, reset between phases). Each
// repetition of the run and of the XLSX export is also printed as a Go benchmark line
// (BenchmarkBonus/round=…/run and …/xlsx), which make bench's report reads.
//
//	pg_virtualenv -t env go run ./bonus/benchdata                        # art22-2022, 1M contracts
//	pg_virtualenv -t env sh -c 'go run ./bonus/benchdata && go run ./bonus/benchdata -round art19-2022'
//	go run ./bonus/benchdata -dsn postgres://… -contracts 1000000 -runs 3
//
// Without -dsn or DATABASE_URL it uses (and creates) the database bonus_bench on the PG* server and
// loads it once; later invocations reuse the data.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"patentwall/bonus"
	"patentwall/market"
	"patentwall/migrations"
)

func main() {
	dsn := flag.String("dsn", "", "Postgres DSN (default: DATABASE_URL, else database bonus_bench on the PG* server, created if missing)")
	n := flag.Int("contracts", 1_000_000, "contracts to load")
	runs := flag.Int("runs", 3, "timed repetitions of each phase")
	round := flag.String("round", "art22-2022", "round to run")
	asOf := flag.String("as-of", "2023-12-31", "as-of day")
	flag.StringVar(&profileDir, "profile", "", "write CPU profiles of the first repetition's phases into this folder")
	flag.Parse()
	if *dsn == "" {
		var err error
		if *dsn, err = benchDSN(); err != nil {
			log.Fatal(err)
		}
	}
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

// benchDSN is DATABASE_URL, or a database of its own on the PG* server, so that other benchmarks of
// the same `make bench` (which add contracts of their own) neither disturb it nor are disturbed.
func benchDSN() (string, error) {
	if v := os.Getenv("DATABASE_URL"); v != "" {
		return v, nil
	}
	if os.Getenv("PGHOST") == "" {
		return "", errors.New("set PGHOST (pg_virtualenv does) or DATABASE_URL, or pass -dsn")
	}
	dsn := func(db string) string {
		s := "host=" + os.Getenv("PGHOST") + " sslmode=disable dbname=" + db
		for env, key := range map[string]string{"PGPORT": "port", "PGUSER": "user", "PGPASSWORD": "password"} {
			if v := os.Getenv(env); v != "" {
				s += " " + key + "=" + v
			}
		}
		return s
	}
	admin, err := market.Open(dsn(getenv("PGDATABASE", "postgres")))
	if err != nil {
		return "", err
	}
	defer admin.Close()
	var n int64
	if err := admin.Gorm().Raw("SELECT COUNT(*) FROM pg_database WHERE datname = 'bonus_bench'").Scan(&n).Error; err != nil {
		return "", err
	}
	if n == 0 {
		if err := admin.Gorm().Exec("CREATE DATABASE bonus_bench").Error; err != nil {
			return "", err
		}
	}
	return dsn("bonus_bench"), nil
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
	db, _ := s.Gorm().DB()
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

	var runT, saveT, xlsxT, jsonT, runCPU, xlsxCPU []time.Duration
	var runRSS, saveRSS, xlsxRSS, jsonRSS []int64
	var res *bonus.RunResult
	for i := 0; i < runs; i++ {
		res = nil
		debug.FreeOSMemory() // what earlier phases left must not count against this one
		resetPeak()
		start, cpu0 := time.Now(), cpuTime()
		stop := profile(i, "run")
		if res, err = bonus.Run(ctx, s, roundID, asOf); err != nil {
			return err
		}
		stop()
		runT, runRSS, runCPU = append(runT, time.Since(start)), append(runRSS, peakRSS()), append(runCPU, cpuTime()-cpu0)

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
		start, cpu0 = time.Now(), cpuTime()
		stop = profile(i, "xlsx")
		if err := writeFile(filepath.Join(dir, "run.xlsx"), func(w io.Writer) error { return res.WriteXLSX(w, roundID) }); err != nil {
			return err
		}
		stop()
		xlsxT, xlsxRSS, xlsxCPU = append(xlsxT, time.Since(start)), append(xlsxRSS, peakRSS()), append(xlsxCPU, cpuTime()-cpu0)
		// The repetition in Go's benchmark format, for make bench's report (pwbench rows -part bonus).
		fmt.Printf("BenchmarkBonus/round=%s/run 1 %d ns/op %d peak-MB %.3f cpu-s %d contracts\n", roundID,
			runT[i].Nanoseconds(), runRSS[i]>>20, runCPU[i].Seconds(), n)
		fmt.Printf("BenchmarkBonus/round=%s/xlsx 1 %d ns/op %d peak-MB %.3f cpu-s\n", roundID,
			xlsxT[i].Nanoseconds(), xlsxRSS[i]>>20, xlsxCPU[i].Seconds())
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
	// the targets (the run time and the export on their medians, the memory on its peak): a run ≤ 5 s
	// and ≤ 1 GB, its XLSX export ≤ 30 s; make bench's report judges the same figures (cmd/pwbench)
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	fmt.Printf("targets: run ≤ 5 s %s, run ≤ 1 GB RSS %s, XLSX ≤ 30 s %s\n", verdict(runT[len(runT)/2] <= 5*time.Second),
		verdict(runRSS[len(runRSS)-1] <= 1<<30), verdict(xlsxT[len(xlsxT)/2] <= 30*time.Second))
	slices.Sort(runCPU)
	slices.Sort(xlsxCPU)
	fmt.Printf("CPU time of this process (all threads): Run median %.2f s, XLSX median %.2f s; load average %s\n",
		runCPU[len(runCPU)/2].Seconds(), xlsxCPU[len(xlsxCPU)/2].Seconds(), loadAvg())
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

// cpuTime is the CPU time this process used so far (user and system, all threads).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAvg is the machine's load average: other work on the machine stretches wall times.
func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
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
