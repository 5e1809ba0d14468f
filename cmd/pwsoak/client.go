package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"
)

// faultClock says which fault is going on: from its injection until its recovery and a grace after it
// (requests in flight across the recovery), errors are expected and listed under that fault.
type faultClock struct {
	mu    sync.Mutex
	name  string
	until time.Time // zero while the fault lasts
}

func (f *faultClock) begin(name string) {
	f.mu.Lock()
	f.name, f.until = name, time.Time{}
	f.mu.Unlock()
}

func (f *faultClock) end(grace time.Duration) {
	f.mu.Lock()
	f.until = time.Now().Add(grace)
	f.mu.Unlock()
}

func (f *faultClock) current() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.name == "" || (!f.until.IsZero() && time.Now().After(f.until)) {
		return ""
	}
	return f.name
}

// api is the workload's HTTP side: every attempt is timed and recorded.
type api struct {
	hc       *http.Client
	base     string
	st       *stats
	faults   *faultClock
	retryFor time.Duration // how long a write is repeated (same key) before the client gives up
	// maxBackoff is the longest pause between two attempts of a write (default 2 s).
	maxBackoff time.Duration
}

func newHTTPClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 128, MaxIdleConnsPerHost: 128, IdleConnTimeout: 30 * time.Second,
		DialContext: (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
	}}
}

// apiError is the error body of docs/interfaces.md §5.1.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func errorCode(body []byte) string {
	var e apiError
	if json.Unmarshal(body, &e) == nil {
		return e.Error.Code
	}
	return ""
}

// errKind names a failed attempt for the report.
func errKind(status int, body []byte, err error) string {
	if err != nil {
		var ne net.Error
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			return "connection refused"
		case errors.Is(err, syscall.ECONNRESET):
			return "connection reset"
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return "connection closed (EOF)"
		case errors.As(err, &ne) && ne.Timeout():
			return "timeout"
		}
		return "transport: " + err.Error()
	}
	if code := errorCode(body); code != "" {
		return fmt.Sprintf("http %d %s", status, code)
	}
	return fmt.Sprintf("http %d", status)
}

// attempt sends one request. body is JSON-encoded when not nil.
func (a *api) attempt(ctx context.Context, method, path, token string, body any) (int, []byte, time.Duration, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return 0, nil, 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	t0 := time.Now()
	resp, err := a.hc.Do(req)
	if err != nil {
		return 0, nil, time.Since(t0), err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, b, time.Since(t0), err
}

// read sends a request once and records it: 2xx is answered, anything else an error.
func (a *api) read(ctx context.Context, op, path string) (int, []byte) {
	fault := a.faults.current()
	status, b, lat, err := a.attempt(ctx, http.MethodGet, path, "", nil)
	if ctx.Err() != nil {
		return 0, nil // the run is ending: not the server's failure
	}
	if err == nil && status/100 == 2 {
		a.st.ok(op, lat)
		return status, b
	}
	if fault == "" {
		fault = a.faults.current()
	}
	a.st.fail(op, errKind(status, b, err), fault)
	return status, b
}

// retryable: the outcome is unknown or the server could not do it now, so a client repeats the request
// (with the same idempotency key).
func retryable(status int, err error) bool {
	return err != nil || status >= 500
}

// write sends a request that is safe to repeat until it gets an answer that is not retryable or
// retryFor passes, and records every attempt. It returns the last status and body; status 0 means no
// answer at all (the client gave up).
func (a *api) write(ctx context.Context, op, method, path, token string, body any) (int, []byte) {
	return a.writeOr(ctx, op, method, path, token, body, "")
}

// writeOr is write for a request without an idempotency key whose repeat is refused with doneCode
// when the first attempt took effect (creating a patent: already_exists): that refusal after a retry
// is the success the lost answer would have been.
func (a *api) writeOr(ctx context.Context, op, method, path, token string, body any, doneCode string) (int, []byte) {
	giveUp := time.Now().Add(a.retryFor)
	backoff := 100 * time.Millisecond
	for i := 0; ; i++ {
		if i > 0 {
			a.st.retry(op)
		}
		fault := a.faults.current()
		status, b, lat, err := a.attempt(ctx, method, path, token, body)
		if ctx.Err() != nil {
			return 0, nil
		}
		if fault == "" {
			fault = a.faults.current()
		}
		if err == nil && (status/100 == 2 || (i > 0 && doneCode != "" && status/100 == 4 && errorCode(b) == doneCode)) {
			a.st.ok(op, lat)
			return status, b
		}
		a.st.fail(op, errKind(status, b, err), fault)
		if !retryable(status, err) || time.Now().After(giveUp) {
			if err != nil {
				return 0, nil
			}
			return status, b
		}
		select {
		case <-ctx.Done():
			return 0, nil
		case <-time.After(backoff):
		}
		limit := a.maxBackoff
		if limit == 0 {
			limit = 2 * time.Second
		}
		backoff = min(backoff*2, limit)
	}
}

// mustJSON is for setup calls, which must succeed.
func (a *api) setup(ctx context.Context, method, path, token string, body any, want ...int) ([]byte, error) {
	status, b := a.write(ctx, opSetup, method, path, token, body)
	for _, w := range want {
		if status == w {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%s %s: %d %s", method, path, status, strings.TrimSpace(string(b)))
}
