package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"patentwall/market"
)

// testMainEnv makes the test binary act as the patentwall command (TestMain), so tests can run real
// processes of it side by side, as an operator does.
const testMainEnv = "PATENTWALL_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(testMainEnv) == "1" {
		if gate := os.Getenv(slowGateEnv); gate != "" {
			testServeHook = slowRoute(gate)
		}
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// patentwallProcess starts `patentwall ARGS` as a separate process of the test binary with the
// environment env; its output goes to out.
func patentwallProcess(t *testing.T, env []string, out io.Writer, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), testMainEnv+"=1"), env...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// A CLI import writing thousands of rows and a running server share one SQLite file: the server's
// write requests wait for the import's transaction (BEGIN IMMEDIATE, busy timeout) instead of
// answering 500 with SQLITE_BUSY, and the import does not fail because of them either.
func TestServerWritesWaitForConcurrentImport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two processes and imports thousands of rows")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	env := []string{"DATA_DIR=" + data, "DATABASE_URL=", "MEILISEARCH_URL=", "LC_ALL=C"}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}

	// A verified university holding n patents, each with a live free declaration.
	const n = 2500
	const holderUSCC = "914403001922038216"
	orgs := importWrite(t, dir, "orgs.csv", "uscc,name,kind,district\n"+holderUSCC+",上海测试大学,university,杨浦区\n")
	appNos := make([]string, n)
	patentsCSV := func(title string) string {
		var b strings.Builder
		b.WriteString("application_no,title,patentee_uscc,filing_date,grant_date,status,fee_model,term_months\n")
		for i := range n {
			fmt.Fprintf(&b, "%s,%s%d,%s,2020-06-19,2022-01-04,granted,free,24\n", appNos[i], title, i, holderUSCC)
		}
		return b.String()
	}
	for i := range n {
		digits := fmt.Sprintf("20201%07d", i+1)
		c, err := market.ApplicationCheckChar(digits)
		if err != nil {
			t.Fatal(err)
		}
		appNos[i] = digits + "." + string(c)
	}
	first := importWrite(t, dir, "patents.csv", patentsCSV("一种电池"))
	changed := importWrite(t, dir, "changed.csv", patentsCSV("一种改进的电池"))
	if code, out, errs := importRun(t, "import", "orgs", orgs); code != 0 {
		t.Fatalf("orgs: %d %q %q", code, out, errs)
	}
	if code, out, errs := importRun(t, "import", "patents", first); code != 0 {
		t.Fatalf("patents: %d %q %q", code, out, errs)
	}

	// A verified enterprise whose user takes the licences.
	s, err := market.Open(filepath.Join(data, "patentwall.db"))
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf("%08d", 4242)
	c17, _ := market.OrgCodeCheckChar(body)
	first17 := "91310000" + body + string(c17)
	c18, _ := market.USCCCheckChar(first17)
	org, _, err := s.Register(t.Context(), market.RegisterInput{
		Org: market.OrgRecord{USCC: first17 + string(c18), Name: "上海测试科技有限公司", Kind: market.KindEnterprise, District: "浦东新区",
			Address: "上海市浦东新区张江路1号", LegalRep: "李四", Phone: "021-5080 1234", Email: "office@example.cn", FoundedOn: "2015-06-01"},
		SME:  market.SMEFigures{Industry: "software_it", Employees: "120", RevenueYuan: "35000000", AssetsYuan: "20000000.50", Year: "2024"},
		User: market.UserInput{Name: "王五", Email: "licensee@example.cn", Password: "correct horse battery"},
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := s.Gorm().Model(&market.Organisation{}).Where("id = ?", org.ID).Update("verified_at", now).Error; err != nil {
		t.Fatal(err)
	}
	s.Close()

	// The server, as its own process.
	addr := freeAddr(t)
	serverLog := &syncBuffer{}
	server := patentwallProcess(t, []string{"LISTEN_ADDR=" + addr, "BASE_URL=http://" + addr}, serverLog, "serve")
	serverDone := make(chan error, 1)
	go func() { serverDone <- server.Wait() }()
	defer func() {
		server.Process.Signal(syscall.SIGTERM)
		select {
		case <-serverDone:
		case <-time.After(20 * time.Second):
			server.Process.Kill()
			<-serverDone
		}
		if t.Failed() {
			t.Logf("server log:\n%s", serverLog)
		}
	}()
	base := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-serverDone:
			serverDone <- err
			t.Fatalf("serve stopped: %v\n%s", err, serverLog)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer\n%s", serverLog)
		}
		time.Sleep(50 * time.Millisecond)
	}
	post := func(path, token string, in any) (int, string) {
		b, _ := json.Marshal(in)
		req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	status, out := post("/api/v1/tokens", "", map[string]string{"email": "licensee@example.cn", "password": "correct horse battery"})
	var tok struct{ Token string }
	if status != http.StatusCreated || json.Unmarshal([]byte(out), &tok) != nil || tok.Token == "" {
		t.Fatalf("token: %d %s", status, out)
	}

	// The import changes every patent's title in one transaction, in its own process; meanwhile the
	// licensee takes licences, one request every 10 ms (at least 20) until the import has finished.
	importLog := &syncBuffer{}
	imp := patentwallProcess(t, nil, importLog, "import", "patents", changed)
	importDone := make(chan error, 1)
	go func() { importDone <- imp.Wait() }()
	type answer struct {
		status   int
		body     string
		overlaps bool
	}
	var (
		mu      sync.Mutex
		answers []answer
		wg      sync.WaitGroup
	)
	var importErr error
	running := true
	tick := time.NewTicker(10 * time.Millisecond)
	for i := 0; i < 100 && (running || i < 20); i++ {
		if running {
			select {
			case importErr = <-importDone:
				running = false
			default:
			}
		}
		wg.Add(1)
		go func(appNo string, overlaps bool) {
			defer wg.Done()
			st, body := post("/api/v1/licences", tok.Token, map[string]string{"application_no": appNo, "idempotency_key": "k-" + appNo})
			mu.Lock()
			answers = append(answers, answer{st, body, overlaps})
			mu.Unlock()
		}(appNos[i], running)
		<-tick.C
	}
	tick.Stop()
	wg.Wait()
	if running {
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
		defer cancel()
		select {
		case importErr = <-importDone:
		case <-ctx.Done():
			imp.Process.Kill()
			t.Fatalf("import did not finish\n%s", importLog)
		}
	}
	if importErr != nil || !strings.Contains(importLog.String(), fmt.Sprintf("%d updated", n)) {
		t.Errorf("import: %v\n%s", importErr, importLog)
	}
	overlapping := 0
	for _, a := range answers {
		if a.overlaps {
			overlapping++
		}
		if a.status != http.StatusCreated && a.status != http.StatusOK {
			t.Errorf("POST /api/v1/licences: %d %s", a.status, a.body)
		}
	}
	t.Logf("%d licence requests, %d sent while the import ran", len(answers), overlapping)
	if overlapping == 0 {
		t.Error("no request was sent while the import ran")
	}
}
