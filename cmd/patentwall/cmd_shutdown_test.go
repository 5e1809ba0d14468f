package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"patentwall/web"
)

// slowGateEnv names a file: a server process started with it serves GET /test/slow, which says
// "slow request entered" on stderr and answers 200 only once the file exists (a request held in flight
// for as long as the test wants).
const slowGateEnv = "PATENTWALL_TEST_SLOW_GATE"

func slowRoute(gate string) func(app *web.App) {
	return func(app *web.App) {
		app.Fiber.Get("/test/slow", func(c *fiber.Ctx) error {
			fmt.Fprintln(os.Stderr, "slow request entered")
			for {
				if _, err := os.Stat(gate); err == nil {
					return c.SendString("released")
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// process is a started server process; exited is closed when it has ended, with err its Wait's error.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error
}

// slowServer starts `patentwall serve` as its own process with the slow route, waits until it answers
// and returns its address, its log and the process.
func slowServer(t *testing.T, gate string, extraEnv ...string) (addr string, logs *syncBuffer, p *process) {
	t.Helper()
	addr = freeAddr(t)
	env := append([]string{"DATA_DIR=" + filepath.Join(t.TempDir(), "data"), "DATABASE_URL=", "MEILISEARCH_URL=",
		"LISTEN_ADDR=" + addr, "BASE_URL=http://" + addr, slowGateEnv + "=" + gate}, extraEnv...)
	logs = &syncBuffer{}
	p = &process{cmd: patentwallProcess(t, env, logs, "serve"), exited: make(chan struct{})}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs)
		}
	})
	for deadline := time.Now().Add(60 * time.Second); ; {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr, logs, p
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("serve stopped: %v\n%s", p.err, logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer\n%s", logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// awaitLog waits until the log holds want; the bound only catches a hang.
func awaitLog(t *testing.T, logs *syncBuffer, want string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(logs.String(), want); {
		if time.Now().After(deadline) {
			t.Fatalf("log never said %q", want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type answer struct {
	status int
	body   string
	err    error
}

func getAsync(url string) <-chan answer {
	ch := make(chan answer, 1)
	go func() {
		resp, err := http.Get(url)
		if err != nil {
			ch <- answer{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		ch <- answer{status: resp.StatusCode, body: string(b), err: err}
	}()
	return ch
}

// SIGTERM drains: the server stops accepting connections, a request in flight still completes with 200,
// then the process stops its background work and exits 0 (docs/interfaces.md §2.2).
func TestSIGTERMDrainsInFlightRequests(t *testing.T) {
	gate := filepath.Join(t.TempDir(), "release")
	addr, logs, p := slowServer(t, gate, "SHUTDOWN_GRACE=10m")
	slow := getAsync("http://" + addr + "/test/slow")
	awaitLog(t, logs, "slow request entered")

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	awaitLog(t, logs, "shutting down")
	// No new connections are accepted meanwhile (the listener is closed before the drain waits).
	for deadline := time.Now().Add(30 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections while draining")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case <-p.exited:
		t.Fatalf("the server exited (%v) before the request in flight finished", p.err)
	default:
	}

	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case a := <-slow:
		if a.err != nil || a.status != http.StatusOK || a.body != "released" {
			t.Errorf("request in flight: %d %q %v, want 200", a.status, a.body, a.err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the request in flight never completed")
	}
	select {
	case <-p.exited:
		if p.err != nil {
			t.Errorf("exit: %v, want status 0", p.err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the server did not exit after the drain")
	}
	out := logs.String()
	for _, want := range []string{"requests drained", "background work stopped"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if strings.Contains(out, "second signal:") {
		t.Error("one SIGTERM was taken for two")
	}
}

// A second SIGTERM during a drain that would last (a request held in flight, a grace of ten minutes)
// ends the process at once with a non-zero status and says so.
func TestSecondSIGTERMExitsAtOnce(t *testing.T) {
	gate := filepath.Join(t.TempDir(), "never")
	addr, logs, p := slowServer(t, gate, "SHUTDOWN_GRACE=10m")
	_ = getAsync("http://" + addr + "/test/slow")
	awaitLog(t, logs, "slow request entered")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	awaitLog(t, logs, "shutting down")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
		var ee *exec.ExitError
		if !errors.As(p.err, &ee) || ee.ExitCode() != exitFail {
			t.Errorf("exit: %v, want status %d", p.err, exitFail)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("a second SIGTERM did not end the process")
	}
	if out := logs.String(); !strings.Contains(out, "second signal: exiting at once") {
		t.Errorf("log does not say why it exited:\n%s", out)
	}
}
