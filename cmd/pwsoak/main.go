// Command pwsoak is `make soak`: a bounded load-and-fault run against a real server on its own
// PostgreSQL cluster, loopback only (docs/interfaces.md §2.4).
//
// It initdb's a throwaway cluster on a free loopback port, builds bin/patentwall, serves the demo
// catalogue on it (Bleve under a temporary DATA_DIR), makes accounts through the API (and a bureau
// user through the CLI) and drives a mixed workload with concurrent clients: searches, category
// browsing, patent, wall and supermarket pages, acceptances with idempotency keys (repeated with the
// same key after a connection error or a 5xx), payments, confirmations, filings and one bonus run.
// While it runs it injects, one after another: SIGKILL of the server, a Postgres restart, the Bleve
// directory removed and corrupted (each followed by a restart that must rebuild from the database),
// and Meilisearch at a closed port (search must answer 503 search_unavailable, browsing 200). After
// each fault it measures the recovery (until /healthz and an acceptance succeed) and checks, in the
// database, that every acknowledged acceptance exists exactly once and nothing half-exists, that
// `patentwall audit verify` passes and that the index converges. The report (stdout,
// bench-results/soak.md and soak.json) ends with one line per fault; the exit status is 1 when
// anything failed.
//
// Environment: SOAK_DURATION (load, default 5m), SOAK_CLIENTS (16), SOAK_THINK (pause between a
// client's requests, 20ms), SOAK_DEADLINE (the whole run, 9m30s), SOAK_OUT (bench-results),
// SOAK_FAULTS (comma-separated subset), SOAK_BIN (use this server binary instead of building one),
// PG_BINDIR, PG_USER (the user Postgres runs as when pwsoak runs as root; default postgres),
// SOAK_KEEP=1 (keep the temporary folder).
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"patentwall/market"
)

var allFaults = []string{"kill_server", "restart_postgres", "bleve_removed", "bleve_corrupted", "meili_down"}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
		fmt.Fprintf(os.Stderr, "pwsoak: %s=%q is not a duration; using %s\n", name, v, def)
	}
	return def
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func main() {
	os.Exit(run())
}

func run() int {
	if len(os.Args) > 1 {
		fmt.Fprintln(os.Stderr, "usage: pwsoak (configured by SOAK_* variables; see docs/interfaces.md §2.4)")
		return 2
	}
	started := time.Now()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, envDuration("SOAK_DEADLINE", 9*time.Minute+30*time.Second))
	defer cancel()

	load := envDuration("SOAK_DURATION", 5*time.Minute)
	clients := envInt("SOAK_CLIENTS", 16)
	think := envDuration("SOAK_THINK", 20*time.Millisecond)
	outDir := os.Getenv("SOAK_OUT")
	if outDir == "" {
		outDir = "bench-results"
	}
	faults := allFaults
	if v := os.Getenv("SOAK_FAULTS"); v != "" {
		faults = strings.Split(v, ",")
	}
	for _, f := range faults {
		if !contains(allFaults, f) {
			fmt.Fprintf(os.Stderr, "pwsoak: unknown fault %q (known: %s)\n", f, strings.Join(allFaults, ", "))
			return 2
		}
	}

	tmp, err := os.MkdirTemp("", "pwsoak-")
	if err != nil {
		return fail(err)
	}
	keep := os.Getenv("SOAK_KEEP") == "1"
	defer func() {
		if keep {
			fmt.Fprintf(os.Stderr, "pwsoak: kept %s\n", tmp)
			return
		}
		os.RemoveAll(tmp)
	}()

	bin := os.Getenv("SOAK_BIN")
	if bin == "" {
		bin = filepath.Join("bin", "patentwall")
		logf("building %s", bin)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/patentwall")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fail(fmt.Errorf("go build (run pwsoak from the repository's root): %w", err))
		}
	}
	if bin, err = filepath.Abs(bin); err != nil {
		return fail(err)
	}
	commit := "unknown"
	if out, err := exec.Command("git", "describe", "--always", "--dirty").Output(); err == nil {
		commit = strings.TrimSpace(string(out))
	}

	pgPort, err := freePort()
	if err != nil {
		return fail(err)
	}
	logf("initdb in %s (port %d)", tmp, pgPort)
	pg, err := newCluster(ctx, tmp, pgPort)
	if err != nil {
		return fail(err)
	}
	if err := pg.start(ctx); err != nil {
		return fail(err)
	}
	defer func() {
		if err := pg.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pwsoak: stop postgres: %v\n", err)
		}
	}()
	if err := pg.createDB(ctx, "patentwall"); err != nil {
		return fail(err)
	}

	srvPort, err := freePort()
	if err != nil {
		return fail(err)
	}
	srv := &server{bin: bin, dataDir: filepath.Join(tmp, "data"), addr: fmt.Sprintf("127.0.0.1:%d", srvPort),
		dsn: pg.dsn("patentwall"), logPath: filepath.Join(tmp, "server.log")}
	logf("starting the server on %s (loading the demo catalogue)", srv.addr)
	if err := srv.start(); err != nil {
		return fail(err)
	}
	defer srv.stop()
	defer saveLogs(outDir, srv.logPath, pg.log)
	hc := newHTTPClient()
	if err := srv.waitHealthy(ctx, hc, 5*time.Minute); err != nil {
		return fail(err)
	}
	store, err := market.Open(srv.dsn)
	if err != nil {
		return fail(err)
	}
	defer store.Close()

	st := newStats()
	fc := &faultClock{}
	a := &api{hc: hc, base: srv.base(), st: st, faults: fc, retryFor: 90 * time.Second}
	logf("preparing accounts and patents")
	w, err := prepare(ctx, a, bin, srv.dsn, srv.dataDir, clients, 2, 30)
	if err != nil {
		return fail(err)
	}
	r := &runner{bin: bin, pg: pg, srv: srv, store: store, w: w, hc: hc, faults: fc, recovery: 90 * time.Second}
	rep := &Report{Started: started.UTC(), Clients: clients, Server: commit}
	rep.Final = append(rep.Final, r.converged(ctx, 2*time.Minute))
	rep.Final[0].Name = "index converged before the load"

	logf("load: %d clients for %s; faults: %s", clients, load, strings.Join(faults, ", "))
	loadCtx, stopLoad := context.WithCancel(ctx)
	var wg sync.WaitGroup
	loadStart := time.Now()
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.client(loadCtx, i, think)
		}()
	}
	loadEnd := loadStart.Add(load)

	// Warm up, one bonus run, then the faults spread over the rest of the load.
	warm := min(20*time.Second, load/10)
	sleepCtx(ctx, warm)
	if status, _ := a.write(ctx, "bonus_run", "POST", "/api/v1/bureau/rounds/art22-2022/runs", w.bureau, map[string]any{}); status != 201 {
		r.note("bonus run: http %d", status)
	}
	slot := (time.Until(loadEnd) - 20*time.Second) / time.Duration(len(faults))
	for i, name := range faults {
		at := loadStart.Add(warm + time.Duration(i)*slot)
		sleepCtx(ctx, time.Until(at))
		if ctx.Err() != nil || time.Now().After(loadEnd) {
			rep.Faults = append(rep.Faults, FaultReport{Name: name})
			continue
		}
		rep.Faults = append(rep.Faults, r.fault(ctx, name))
	}
	sleepCtx(ctx, time.Until(loadEnd))
	stopLoad()
	wg.Wait()
	rep.LoadSeconds = time.Since(loadStart).Seconds()
	if ctx.Err() != nil {
		r.note("the run was cut short: %v", context.Cause(ctx))
	}

	// Final checks, on a fresh context: an interrupted run still reports what it saw.
	fctx, fcancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer fcancel()
	c, lost, dup := r.checkAcceptances(fctx)
	rep.Final = append(rep.Final, c, r.auditVerify(fctx), r.converged(fctx, time.Minute))
	rep.Ops = st.report(time.Since(loadStart))
	rep.Notes = append(rep.Notes, r.notes...)
	rep.Notes = append(rep.Notes, fmt.Sprintf("at the end: lost %d, duplicated %d", lost, dup))

	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fail(err)
	}
	md, err := os.Create(filepath.Join(outDir, "soak.md"))
	if err != nil {
		return fail(err)
	}
	rep.writeMarkdown(md)
	md.Close()
	rep.writeMarkdown(os.Stdout)
	js, err := os.Create(filepath.Join(outDir, "soak.json"))
	if err != nil {
		return fail(err)
	}
	rep.writeJSON(js)
	js.Close()
	if len(rep.Failures()) > 0 {
		return 1
	}
	return 0
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pwsoak: "+format+"\n", args...)
}

func fail(err error) int {
	fmt.Fprintf(os.Stderr, "pwsoak: %v\n", err)
	return 1
}

// saveLogs copies the server's and Postgres' logs next to the report.
func saveLogs(outDir string, paths ...string) {
	os.MkdirAll(outDir, 0o755)
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		name := []string{"soak-server.log", "soak-postgres.log"}[i]
		os.WriteFile(filepath.Join(outDir, name), b, 0o644)
	}
}
