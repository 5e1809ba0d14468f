package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"patentwall/market"
	"patentwall/market/soakcheck"
)

// runner holds what the faults act on.
type runner struct {
	bin      string
	pg       *cluster
	srv      *server
	store    *market.Store // the checks' own connection to the run's database
	w        *world
	hc       *http.Client
	faults   *faultClock
	recovery time.Duration // how long a fault may take to recover from
	notes    []string
}

func (r *runner) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.notes = append(r.notes, msg)
	fmt.Fprintln(os.Stderr, "pwsoak: "+msg)
}

func (r *runner) indexDir() string { return filepath.Join(r.srv.dataDir, "index") }

// probe waits, from t0, until /healthz answers 200 and an acceptance (the probe licensee's) is
// acknowledged: the recovery time.
func (r *runner) probe(ctx context.Context, t0 time.Time) (time.Duration, bool) {
	deadline := t0.Add(r.recovery)
	pa := *r.w.a
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if healthy(ctx, r.hc, r.srv.base()) {
			pa.retryFor = time.Until(deadline)
			pa.maxBackoff = 250 * time.Millisecond
			acked, any := r.w.acceptWith(ctx, &pa, "probe_accept", 0)
			if acked {
				return time.Since(t0), true
			}
			if !any {
				r.note("the probe licensee has nothing left to accept")
				return time.Since(t0), false
			}
			continue
		}
		if !r.srv.running() {
			return time.Since(t0), false
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(t0), false
}

// retry runs fn up to three times: the checks' own pool meets the connections a Postgres restart cut.
func retry[T any](fn func() (T, error)) (T, error) {
	var (
		v   T
		err error
	)
	for i := 0; i < 3; i++ {
		if v, err = fn(); err == nil {
			return v, nil
		}
		time.Sleep(time.Second)
	}
	return v, err
}

// checkAcceptances is the exactly-once check over everything sent so far.
func (r *runner) checkAcceptances(ctx context.Context) (Check, int, int) {
	att, acks := r.w.snapshot()
	rep, err := retry(func() (*soakcheck.Report, error) { return soakcheck.Check(ctx, r.store, att, acks) })
	if err != nil {
		return Check{Name: "acceptances exactly once", Detail: err.Error()}, 0, 0
	}
	d := fmt.Sprintf("%d keys sent, %d acknowledged, %d contracts of the licensees; unacknowledged: %d complete, %d absent; "+
		"lost %d, duplicated %d, half-existing %d", rep.Attempts, rep.Acknowledged, rep.Contracts, rep.Unacknowledged, rep.Absent,
		len(rep.Lost), len(rep.Duplicated), len(rep.HalfExisting))
	for _, list := range [][]string{rep.Lost, rep.Duplicated, rep.HalfExisting} {
		for i, x := range list {
			if i == 5 {
				d += fmt.Sprintf("; … %d more", len(list)-5)
				break
			}
			d += "; " + x
		}
	}
	return Check{Name: "acceptances exactly once", OK: rep.OK(), Detail: d}, len(rep.Lost), len(rep.Duplicated)
}

// auditVerify runs `patentwall audit verify` against the run's database.
func (r *runner) auditVerify(ctx context.Context) Check {
	cmd := exec.CommandContext(ctx, r.bin, "audit", "verify")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+r.srv.dsn, "DATA_DIR="+r.srv.dataDir)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	detail := strings.TrimSpace(strings.ReplaceAll(out.String(), "\n", "; "))
	if err != nil {
		e := strings.TrimSpace(errb.String())
		if len(e) > 600 {
			e = e[:600] + "…"
		}
		return Check{Name: "audit verify", Detail: fmt.Sprintf("%v: %s %s", err, detail, e)}
	}
	return Check{Name: "audit verify", OK: true, Detail: detail}
}

// searchTotal is the total of GET /api/v1/patents (no filter): what the engine holds.
func (r *runner) searchTotal(ctx context.Context) (int, error) {
	st, b, _, err := r.w.a.attempt(ctx, http.MethodGet, "/api/v1/patents?per_page=1", "", nil)
	if err != nil {
		return 0, err
	}
	if st != 200 {
		return 0, fmt.Errorf("http %d %s", st, errorCode(b))
	}
	var s searchResp
	if err := json.Unmarshal(b, &s); err != nil {
		return 0, err
	}
	return s.Total, nil
}

// healthz reads /healthz: its status and body (docs/interfaces.md: "status", and where the server
// reports them "search" and "outbox_pending").
func (r *runner) healthz(ctx context.Context) (int, map[string]any) {
	st, b, _, err := r.w.a.attempt(ctx, http.MethodGet, "/healthz", "", nil)
	if err != nil {
		return 0, nil
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return st, m
}

// converged waits until the search outbox is empty and the engine holds as many patents as the
// database (docs/architecture.md §4).
func (r *runner) converged(ctx context.Context, timeout time.Duration) Check {
	t0 := time.Now()
	var last string
	for time.Since(t0) < timeout && ctx.Err() == nil {
		backlog, err := r.store.OutboxLen(ctx)
		n, err2 := soakcheck.PatentCount(ctx, r.store)
		total, err3 := r.searchTotal(ctx)
		_, hz := r.healthz(ctx)
		pending, reported := hz["outbox_pending"].(float64)
		hzText := "/healthz reports no outbox backlog"
		if reported {
			hzText = fmt.Sprintf("/healthz outbox_pending %.0f", pending)
		}
		switch {
		case err != nil || err2 != nil:
			last = fmt.Sprintf("database: %v %v", err, err2)
		case err3 != nil:
			last = fmt.Sprintf("search: %v", err3)
		case backlog == 0 && int64(total) == n && (!reported || pending == 0):
			return Check{Name: "index converged", OK: true, Detail: fmt.Sprintf("outbox empty (%s), %d patents indexed = %d in the database, after %.1f s",
				hzText, total, n, time.Since(t0).Seconds())}
		default:
			last = fmt.Sprintf("outbox backlog %d (%s), %d indexed, %d in the database", backlog, hzText, total, n)
		}
		time.Sleep(500 * time.Millisecond)
	}
	return Check{Name: "index converged", Detail: fmt.Sprintf("not within %s: %s", timeout, last)}
}

// afterFault runs the checks every fault ends with.
func (r *runner) afterFault(ctx context.Context, f *FaultReport) {
	c, lost, dup := r.checkAcceptances(ctx)
	f.Lost, f.Duplicated = lost, dup
	f.Checks = append(f.Checks, c, r.auditVerify(ctx), r.converged(ctx, 90*time.Second))
}

// restore brings a server that did not recover back to a plain state (Bleve, index rebuilt) so the next
// faults can run; it reports whether that worked.
func (r *runner) restore(ctx context.Context, why string) bool {
	r.note("%s: restarting the server on Bleve with its index directory removed, to go on", why)
	r.srv.stop()
	os.RemoveAll(r.indexDir())
	if err := r.srv.start(); err != nil {
		r.note("restart: %v", err)
		return false
	}
	if err := r.srv.waitHealthy(ctx, r.hc, 3*time.Minute); err != nil {
		r.note("restart: %v", err)
		return false
	}
	return true
}

// fault injects one fault, measures the recovery and runs the checks.
func (r *runner) fault(ctx context.Context, name string) FaultReport {
	f := FaultReport{Name: name, Run: true, Injected: time.Now().UTC()}
	fmt.Fprintf(os.Stderr, "pwsoak: fault %s: injecting\n", name)
	r.faults.begin(name)
	t0 := time.Now()
	var restartErr error
	switch name {
	case "kill_server":
		r.srv.kill()
		restartErr = r.srv.start()
	case "restart_postgres":
		restartErr = r.pg.restart(ctx)
	case "bleve_removed":
		if err := os.RemoveAll(r.indexDir()); err != nil {
			r.note("remove the index: %v", err)
		}
		// The running server meets the removal under load for a moment (it may go on serving from the
		// files it holds open, or answer that search is unavailable; browsing must work either way),
		// then restarts, finds no index and must rebuild it from the database.
		sleepCtx(ctx, time.Second)
		f.Checks = append(f.Checks, r.engineDownChecks(ctx, false)...)
		sleepCtx(ctx, 2*time.Second)
		alive := Check{Name: "the server outlives the removal", OK: r.srv.running(), Detail: "still running"}
		if !alive.OK {
			alive.Detail = "the server exited: " + r.srv.exitMessage()
		}
		f.Checks = append(f.Checks, alive)
		r.srv.stop()
		restartErr = r.srv.start()
	case "bleve_corrupted":
		r.srv.stop()
		n, err := corrupt(r.indexDir())
		if err != nil || n == 0 {
			r.note("corrupt the index: %d files, %v", n, err)
		}
		restartErr = r.srv.start()
	case "meili_down":
		port, err := freePort()
		if err != nil {
			restartErr = err
			break
		}
		r.srv.stop()
		restartErr = r.srv.start("MEILISEARCH_URL=http://127.0.0.1:"+fmt.Sprint(port), "MEILISEARCH_API_KEY=soak")
	}
	if restartErr != nil {
		r.note("fault %s: %v", name, restartErr)
	}
	d, ok := r.probe(ctx, t0)
	f.Recovered, f.RecoveredS = ok, float64(d.Round(100*time.Millisecond))/float64(time.Second)
	if !ok && !r.srv.running() {
		f.Exited = true
		f.Checks = append(f.Checks, Check{Name: "server up after the fault", Detail: "the server exited: " + r.srv.exitMessage()})
	}
	if name == "meili_down" {
		if ok {
			f.Checks = append(f.Checks, r.engineDownChecks(ctx, true)...)
			sleepCtx(ctx, 10*time.Second) // the load meets the engine down a while
		} else {
			f.Checks = append(f.Checks, Check{Name: "serves with the engine down", Detail: "the server did not come up with MEILISEARCH_URL at a closed port"})
		}
		r.srv.stop()
		t1 := time.Now()
		if err := r.srv.start(); err == nil {
			if d, ok := r.probe(ctx, t1); ok {
				f.Checks = append(f.Checks, Check{Name: "back on Bleve", OK: true, Detail: fmt.Sprintf("recovered after %.1f s", d.Seconds())})
			} else if r.restore(ctx, "back on Bleve failed") {
				f.Checks = append(f.Checks, Check{Name: "back on Bleve", Detail: "only after the index directory was removed"})
			}
		}
	} else if !ok && ctx.Err() == nil {
		r.restore(ctx, "fault "+name+" not recovered")
	}
	r.faults.end(3 * time.Second)
	r.afterFault(ctx, &f)
	fmt.Fprintf(os.Stderr, "pwsoak: %s\n", f.Line())
	return f
}

// engineDownChecks: with the engine unreachable, a keyword search answers 503 search_unavailable with
// its message, /healthz 200 (saying the engine is down where it reports it), and walls, supermarkets and
// category browsing answer 200 from the database. mustBeDown false (the index directory removed under a
// running server): a keyword search may also still be answered from the files the server holds open;
// then only browsing is checked.
func (r *runner) engineDownChecks(ctx context.Context, mustBeDown bool) []Check {
	word := url.QueryEscape(r.w.words[0])
	var out []Check
	down := true
	if !mustBeDown {
		st, _, _, err := r.w.a.attempt(ctx, http.MethodGet, "/api/v1/patents?q="+word, "", nil)
		if err == nil && st == 200 {
			down = false
			out = append(out, Check{Name: "keyword search", OK: true, Detail: "still answered 200 (from the index files the server holds open)"})
		}
	}
	if down {
		st, hz := r.healthz(ctx)
		hc := Check{Name: "/healthz 200 and reports the engine down", OK: st == 200 && hz["search"] == "down", Detail: fmt.Sprintf("http %d %v", st, hz)}
		if _, ok := hz["search"]; !ok && st == 200 {
			hc.OK, hc.Detail = true, fmt.Sprintf("http %d; this server's /healthz does not report the engine: %v", st, hz)
		}
		out = append(out, hc)
		for _, p := range []string{"/api/v1/patents?q=" + word, "/search?q=" + word} {
			st, b, _, err := r.w.a.attempt(ctx, http.MethodGet, p, "", nil)
			c := Check{Name: "search answers 503 search_unavailable: " + unescape(p)}
			switch {
			case err != nil:
				c.Detail = err.Error()
			case strings.HasPrefix(p, "/api/"):
				code := errorCode(b)
				c.OK = st == 503 && code == "search_unavailable"
				c.Detail = fmt.Sprintf("http %d %s", st, code)
			default:
				c.OK = st == 503 && bytes.Contains(b, []byte("搜索服务暂时不可用"))
				c.Detail = fmt.Sprintf("http %d", st)
			}
			out = append(out, c)
		}
	}
	ind := url.QueryEscape(r.w.industry[0])
	for _, p := range []string{"/walls/" + r.w.walls[0], "/supermarkets/" + r.w.markets[0], "/search?industry=" + ind,
		"/api/v1/patents?industry=" + ind, "/api/v1/walls/" + r.w.walls[0] + "/patents"} {
		st, _, _, err := r.w.a.attempt(ctx, http.MethodGet, p, "", nil)
		c := Check{Name: "browsing answers 200: " + unescape(p), OK: err == nil && st == 200}
		if err != nil {
			c.Detail = err.Error()
		} else {
			c.Detail = fmt.Sprintf("http %d", st)
		}
		out = append(out, c)
	}
	return out
}

func unescape(p string) string {
	if u, err := url.QueryUnescape(p); err == nil {
		return u
	}
	return p
}

// corrupt overwrites every file of the index with garbage of the same size (at least 4 KiB).
func corrupt(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		junk := make([]byte, max(info.Size(), 4096))
		rand.Read(junk)
		if err := os.WriteFile(p, junk, 0o644); err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
