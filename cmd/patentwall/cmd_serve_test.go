package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// freeAddr finds a free local port for the server under test.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe runs `patentwall serve ARGS` on a fresh data folder until the returned stop is called.
func startServe(t *testing.T, args ...string) (base string, logs *syncBuffer, stop func() error) {
	t.Helper()
	return startServeIn(t, t.TempDir(), args...)
}

// startServeIn is startServe on the data folder dir.
func startServeIn(t *testing.T, dir string, args ...string) (base string, logs *syncBuffer, stop func() error) {
	t.Helper()
	addr := freeAddr(t)
	logs = &syncBuffer{}
	env := &Env{Config: Config{DataDir: dir, ListenAddr: addr, BaseURL: "http://" + addr},
		Stdout: io.Discard, Stderr: io.Discard}
	env.Log = slog.New(slog.NewTextHandler(logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, env, args)
		env.Close()
	}()
	base = "http://" + addr
	deadline := time.Now().Add(3 * time.Minute)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped before answering: %v\n%s", err, logs)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not answer in time\n%s", logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return base, logs, func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not shut down")
			return nil
		}
	}
}

func TestServeAnswersAndShutsDownGracefully(t *testing.T) {
	base, logs, stop := startServe(t)
	for _, p := range []string{"/", "/search", "/walls", "/api/v1/patents", "/api/v1/openapi.json"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v", err)
	}
	out := logs.String()
	for _, want := range []string{"listening on http://127.0.0.1:", "shutting down", `msg="http request" method=GET path=/walls status=200`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// TestServeDemo is `make run`: the demo catalogue is loaded into the empty database and searchable.
func TestServeDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("loads and indexes the demo catalogue")
	}
	dir := t.TempDir()
	base, logs, stop := startServeIn(t, dir, "--demo")
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()
	resp, err := http.Get(base + "/api/v1/patents?per_page=1")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Total  int                       `json:"total"`
		Facets map[string]map[string]int `json:"facets"`
	}
	err = json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.Total < 2000 || len(res.Facets["district"]) < 10 {
		t.Errorf("demo catalogue: total %d, %d districts\n%s", res.Total, len(res.Facets["district"]), logs)
	}
	resp, err = http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "按产业浏览") {
		t.Errorf("home: %d", resp.StatusCode)
	}

	// The demo deals' histories are anchored by the serving process (at the latest when it stops), so
	// after a clean shutdown nothing waits for the anchorer and every chain verifies.
	stopped = true
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	env := &Env{Config: Config{DataDir: dir}, Stdout: io.Discard, Stderr: io.Discard, Log: slog.New(slog.DiscardHandler)}
	defer env.Close()
	store, err := env.Store(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := store.VerifyChains(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Pending != 0 || rep.Anchors == 0 || rep.Contracts == 0 {
		t.Errorf("after shutdown: %d contracts, %d anchors, %d pending, broken %v", rep.Contracts, rep.Anchors, rep.Pending, rep.Broken)
	}
}

// syncBuffer lets the server's goroutines and the test share the log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
