package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// getJSONMap answers GET url as status and decoded JSON object.
func getJSONMap(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return resp.StatusCode, m
}

// The search index is derived data: a corrupt index at start is rebuilt from the database (serve and
// reindex), and an index directory removed under a running server makes search answer 503
// search_unavailable (the health check says search is down) until a restart rebuilds it.
func TestServeSurvivesBrokenIndex(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	t.Setenv("DATA_DIR", data)
	t.Setenv("DATABASE_URL", "")
	t.Setenv("MEILISEARCH_URL", "")
	orgs := importWrite(t, dir, "orgs.csv", "uscc,name,kind,district\n914403001922038216,上海测试大学,university,杨浦区\n")
	patents := importWrite(t, dir, "patents.csv",
		"application_no,title,patentee_uscc,filing_date,grant_date,status,fee_model,term_months\n"+
			"202010566088.9,一种电池,914403001922038216,2020-06-19,2022-01-04,granted,free,24\n")
	for _, args := range [][]string{{"import", "orgs", orgs}, {"import", "patents", patents}} {
		if code, out, errs := importRun(t, args...); code != 0 {
			t.Fatalf("%v: %d %q %q", args, code, out, errs)
		}
	}
	found := func(base string) float64 {
		t.Helper()
		status, m := getJSONMap(t, base+"/api/v1/patents?q=电池")
		if status != http.StatusOK {
			t.Fatalf("search: %d %v", status, m)
		}
		return m["total"].(float64)
	}
	garble := func() {
		t.Helper()
		zaps, _ := filepath.Glob(filepath.Join(data, "index", "store", "*.zap"))
		if len(zaps) == 0 {
			t.Fatal("the index has no segment files")
		}
		for _, z := range zaps {
			b, err := os.ReadFile(z)
			if err != nil {
				t.Fatal(err)
			}
			for i := range b {
				b[i] ^= 0x5a
			}
			if err := os.WriteFile(z, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	base, _, stop := startServeIn(t, data)
	if n := found(base); n != 1 {
		t.Fatalf("first start: %v hits, want 1", n)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// Corrupt segments at start: serve rebuilds the index and finds the patent again.
	garble()
	base, logs, stop := startServeIn(t, data)
	if !strings.Contains(logs.String(), "could not be read") {
		t.Errorf("the rebuild is not logged:\n%s", logs)
	}
	if n := found(base); n != 1 {
		t.Errorf("after a corrupt index: %v hits, want 1", n)
	}
	if status, m := getJSONMap(t, base+"/healthz"); status != http.StatusOK || m["search"] != "ok" || m["outbox_pending"] != 0.0 {
		t.Errorf("healthz: %d %v", status, m)
	}

	// The directory removed while serving: search is unavailable, browsing is not, health says so.
	if err := os.RemoveAll(filepath.Join(data, "index")); err != nil {
		t.Fatal(err)
	}
	status, m := getJSONMap(t, base+"/api/v1/patents?q=电池")
	if e, _ := m["error"].(map[string]any); status != http.StatusServiceUnavailable || e["code"] != "search_unavailable" {
		t.Errorf("search without an index: %d %v", status, m)
	}
	status, m = getJSONMap(t, base+"/api/v1/patents?industry=新能源")
	if status != http.StatusOK || m["source"] != "database" {
		t.Errorf("browsing without an index: %d %v", status, m)
	}
	if status, m := getJSONMap(t, base+"/healthz"); status != http.StatusOK || m["search"] != "down" || m["status"] != "degraded" {
		t.Errorf("healthz without an index: %d %v", status, m)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// The next start rebuilds it.
	base, _, stop = startServeIn(t, data)
	if n := found(base); n != 1 {
		t.Errorf("after a removed index: %v hits, want 1", n)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// reindex on a corrupt index rebuilds it too, instead of failing.
	garble()
	if code, out, errs := importRun(t, "reindex"); code != 0 || !strings.Contains(out, "reindexed 1 patents") {
		t.Errorf("reindex of a corrupt index: %d %q %q", code, out, errs)
	}
}

// serve starts while Meilisearch does not answer (its port is closed): the site serves, search answers
// 503 search_unavailable, browsing works from the database, the health check says search is down, and
// SIGTERM still ends it cleanly.
func TestServeStartsWithoutMeilisearch(t *testing.T) {
	closed := freeAddr(t) // nothing listens there
	addr, logs, p := slowServer(t, filepath.Join(t.TempDir(), "unused"), "MEILISEARCH_URL=http://"+closed)
	base := "http://" + addr
	if !strings.Contains(logs.String(), "serving without search") {
		t.Errorf("the degraded start is not logged:\n%s", logs)
	}
	if status, m := getJSONMap(t, base+"/healthz"); status != http.StatusOK || m["search"] != "down" || m["db"] != "ok" {
		t.Errorf("healthz: %d %v", status, m)
	}
	status, m := getJSONMap(t, base+"/api/v1/patents?q=电池")
	if e, _ := m["error"].(map[string]any); status != http.StatusServiceUnavailable || e["code"] != "search_unavailable" {
		t.Errorf("search: %d %v", status, m)
	}
	if status, m := getJSONMap(t, base+"/api/v1/patents?industry=新能源"); status != http.StatusOK || m["source"] != "database" {
		t.Errorf("browsing: %d %v", status, m)
	}
	for _, u := range []string{"/", "/walls", "/supermarkets", "/search?industry=新能源"} {
		resp, err := http.Get(base + u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", u, resp.StatusCode)
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
		if p.err != nil {
			t.Errorf("exit: %v, want 0", p.err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop")
	}
}
