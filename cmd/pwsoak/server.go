package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is `patentwall serve --demo` as a child process, restarted by the faults.
type server struct {
	bin     string
	dataDir string
	addr    string // 127.0.0.1:PORT
	dsn     string
	logPath string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	extra  []string // environment of the current process (MEILISEARCH_URL for the engine fault)
}

func (s *server) base() string { return "http://" + s.addr }

// start starts the server with extra environment variables (KEY=VALUE).
func (s *server) start(extra ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return errors.New("server already running")
	}
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(logf, "\n==== pwsoak: start %s %s\n", time.Now().UTC().Format(time.RFC3339Nano), strings.Join(extra, " "))
	cmd := exec.Command(s.bin, "serve", "--demo", "--listen", s.addr)
	env := []string{}
	for _, kv := range os.Environ() {
		// The server's configuration is the run's alone.
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DATABASE_URL", "DATA_DIR", "LISTEN_ADDR", "MEILISEARCH_URL", "MEILISEARCH_API_KEY", "BASE_URL", "SMTP_ADDR", "PPROF_ADDR", "ACCEPT_LIMITS":
			continue
		}
		env = append(env, kv)
	}
	// Every client is on loopback and a licensee accepts hundreds of licences in minutes: the
	// acceptance limits (docs/interfaces.md §1) would answer most of the load with 429.
	cmd.Env = append(env, "DATABASE_URL="+s.dsn, "DATA_DIR="+s.dataDir, "BASE_URL="+s.base(), "ACCEPT_LIMITS=off")
	cmd.Env = append(cmd.Env, extra...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		logf.Close()
		close(done)
	}()
	s.cmd, s.exited, s.extra = cmd, done, extra
	return nil
}

// exitMessage is the last line the server wrote since it was last started (its reason when it exited).
func (s *server) exitMessage() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return err.Error()
	}
	text := string(b)
	if i := strings.LastIndex(text, "==== pwsoak: start"); i >= 0 {
		text = text[i:]
	}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	last := lines[len(lines)-1]
	for i, l := range lines {
		// A crash: the panic and the first frame of the project's code under it.
		if strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "fatal error:") {
			last = l
			for _, f := range lines[i+1:] {
				if strings.HasPrefix(f, "patentwall/") {
					last += " in " + strings.TrimSpace(f)
					break
				}
			}
			break
		}
	}
	if len(last) > 400 {
		last = last[:400] + "…"
	}
	return last
}

// running reports whether the process is alive.
func (s *server) running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return false
	}
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// signal sends sig and waits up to wait for the process to exit; then SIGKILL. It forgets the process.
func (s *server) signal(sig syscall.Signal, wait time.Duration) {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(sig)
	select {
	case <-exited:
	case <-time.After(wait):
		cmd.Process.Kill()
		<-exited
	}
}

// kill is the fault: SIGKILL, no shutdown at all.
func (s *server) kill() { s.signal(syscall.SIGKILL, 10*time.Second) }

// stop is a clean shutdown (SIGTERM: in-flight requests get their grace, docs/interfaces.md §2.1).
func (s *server) stop() { s.signal(syscall.SIGTERM, 30*time.Second) }

// healthy reports whether /healthz answers 200.
func healthy(ctx context.Context, hc *http.Client, base string) bool {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	resp, err := hc.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// waitHealthy waits until /healthz answers 200, the process exits or timeout passes.
func (s *server) waitHealthy(ctx context.Context, hc *http.Client, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if healthy(ctx, hc, s.base()) {
			return nil
		}
		if !s.running() {
			return fmt.Errorf("the server exited (see %s)", s.logPath)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("the server was not healthy within %s (see %s)", timeout, s.logPath)
}

// freePort returns a loopback port nothing listens on at the moment.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
