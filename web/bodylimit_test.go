package web_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// vmRSS is the process's resident set in bytes (Linux).
func vmRSS(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Skip("no VmRSS in /proc/self/status")
	return 0
}

// Ten anonymous connections declaring a 50 MB body to POST /api/v1/tokens and sending a few bytes are
// refused with 413 at once, and the server reserves no memory for the declared bodies.
func TestDeclaredBodySizeIsRefusedBeforeReading(t *testing.T) {
	e := sqliteEnv(t)
	addr := listen(t, e)

	runtime.GC()
	debug.FreeOSMemory()
	before := vmRSS(t)
	var peak int64
	stop := make(chan struct{})
	var sampled sync.WaitGroup
	sampled.Add(1)
	go func() {
		defer sampled.Done()
		for {
			if r := vmRSS(t); r > peak {
				peak = r
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()

	const conns = 10
	type answer struct {
		status int
		body   string
		err    error
	}
	answers := make([]answer, conns)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				answers[i].err = err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			fmt.Fprintf(c, "POST /api/v1/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"+
				"Content-Length: %d\r\n\r\n{\"email\":", 50<<20)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				answers[i].err = err
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			answers[i] = answer{status: resp.StatusCode, body: string(b)}
			// Hold the connection a moment, so memory reserved for it would still be counted.
			time.Sleep(300 * time.Millisecond)
		}()
	}
	wg.Wait()
	close(stop)
	sampled.Wait()

	for i, a := range answers {
		if a.err != nil {
			t.Errorf("connection %d: no answer: %v", i, a.err)
			continue
		}
		var m struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal([]byte(a.body), &m)
		if a.status != http.StatusRequestEntityTooLarge || m.Error.Code != "request_too_large" || !strings.Contains(m.Error.Message, "64 KB") {
			t.Errorf("connection %d: %d %s; want 413 request_too_large naming 64 KB", i, a.status, a.body)
		}
	}
	if grown := peak - before; grown > 50<<20 {
		t.Errorf("RSS grew by %d MB for %d connections declaring 50 MB each; want ≤ 50 MB", grown>>20, conns)
	} else {
		t.Logf("RSS grew by %.1f MB", float64(grown)/(1<<20))
	}
}

// listen serves the app on a real listener (app.Test cannot show a 413 that fasthttp writes itself).
func listen(t *testing.T, e *env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.app.Fiber.Listener(ln)
	t.Cleanup(func() { e.app.Fiber.Shutdown() })
	return ln.Addr().String()
}

// rawPost sends a POST declaring a body of declared bytes but sending only body, and reads the answer.
func rawPost(t *testing.T, addr, path string, header map[string]string, declared int, body string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n", path, declared)
	for k, v := range header {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	b.WriteString("\r\n" + body)
	if _, err := io.WriteString(c, b.String()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("POST %s declaring %d bytes: no answer: %v", path, declared, err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(rb)
}

// The upload route still takes files of several MB, other routes their ordinary bodies; a body above a
// route's limit is a 413 before it is read.
func TestBodyLimitsPerRoute(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	addr := listen(t, e)
	cl := e.client()
	cl.login(t, p.holder.Email)

	// A small file imports as before.
	csv := "application_no,title,patentee_uscc,filing_date,grant_date,status,fee_model,term_months\n" +
		appNo(2020, '1', 333331) + ",小文件导入," + e.fx.uni.USCC + ",2020-01-02,2021-05-06,granted,free,24\n"
	if r := cl.upload(t, "patents.csv", csv, false); r.status != http.StatusOK {
		t.Fatalf("small upload: %d %.300s", r.status, r.body)
	}
	// 6 MB reaches the handler, which reads it (and refuses the file type).
	big := strings.Repeat("x", 6<<20)
	if r := cl.upload(t, "patents.txt", big, false); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "不支持的文件类型") {
		t.Fatalf("6 MB upload: %d %.300s", r.status, r.body)
	}
	// A declared length above the upload limit is refused with the upload message.
	session := "pw_session=" + cl.cookies["pw_session"]
	status, body := rawPost(t, addr, "/account/patents/import",
		map[string]string{"Content-Type": "multipart/form-data; boundary=xyz", "Cookie": session}, 52<<20, "--xyz\r\n")
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "50 MB") {
		t.Fatalf("declared 52 MB upload: %d %.300s", status, body)
	}
	// The upload limit is for multipart bodies with a session only.
	status, body = rawPost(t, addr, "/account/patents/import",
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Cookie": session}, 5<<20, "a=b")
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "256 KB") {
		t.Fatalf("declared 5 MB url-encoded import: %d %.300s", status, body)
	}
	status, body = rawPost(t, addr, "/account/patents/import",
		map[string]string{"Content-Type": "multipart/form-data; boundary=xyz"}, 5<<20, "--xyz\r\n")
	if status != http.StatusRequestEntityTooLarge {
		t.Fatalf("declared 5 MB import without a session: %d %.300s", status, body)
	}

	// JSON: 100 KB is too much for a token request, not for a patent (whose abstract may be long).
	pad := strings.Repeat("a", 100<<10)
	status, body = rawPost(t, addr, "/api/v1/tokens", map[string]string{"Content-Type": "application/json"},
		len(pad)+14, `{"email":"`+pad+`"}`)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"request_too_large"`) {
		t.Fatalf("100 KB token request: %d %.300s", status, body)
	}
	st, m := e.jsonReq(t, http.MethodPost, "/api/v1/patents", "", map[string]string{"abstract": pad})
	if st != http.StatusUnauthorized {
		t.Fatalf("100 KB patent without a token: %d %v; want 401 (read, then refused)", st, m)
	}
	// A page form above the limit gets the error page with 413.
	status, body = rawPost(t, addr, "/account/password",
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Cookie": session}, 100<<10, "current=x")
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "64 KB") {
		t.Fatalf("100 KB form: %d %.300s", status, body)
	}
}
