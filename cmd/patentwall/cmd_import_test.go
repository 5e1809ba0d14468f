package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/demo"
	"patentwall/search"
	"patentwall/search/bleve"
)

// importRun runs `patentwall ARGS` on a fresh data folder and returns exit status, stdout and stderr.
func importRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func importWrite(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DATA_DIR", filepath.Join(dir, "data"))
	t.Setenv("DATABASE_URL", "")
	t.Setenv("LC_ALL", "C")
	orgs := importWrite(t, dir, "orgs.csv", "uscc,name,kind,district\n914403001922038216,上海测试大学,university,杨浦区\n")
	patents := importWrite(t, dir, "patents.csv",
		"application_no,title,patentee_uscc,filing_date,grant_date,status,fee_model,term_months\n"+
			"202010566088.9,一种电池,914403001922038216,2020-06-19,2022-01-04,granted,free,24\n"+
			"201811564288.X,一种装置,914403001922038216,2018/12/20,2020-01-01,granted,,\n")

	if code, out, errs := importRun(t, "import", "orgs", orgs); code != 0 || !strings.Contains(out, "1 created") {
		t.Fatalf("orgs: %d %q %q", code, out, errs)
	}
	code, out, errs := importRun(t, "import", "patents", patents)
	if code != 1 || out != "" || !strings.Contains(errs, "line 3: filing_date: ") {
		t.Fatalf("bad file: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	countPatents := func() int64 {
		s, err := market.Open(filepath.Join(dir, "data", "patentwall.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var n int64
		if err := s.Gorm().Model(&market.Patent{}).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := countPatents(); n != 0 {
		t.Fatalf("%d patents written by a failed import", n)
	}
	code, out, errs = importRun(t, "import", "patents", patents, "--skip-invalid")
	if code != 0 || !strings.Contains(out, "1 created") || !strings.Contains(errs, "line 3: filing_date: ") {
		t.Fatalf("skip invalid: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if n := countPatents(); n != 1 {
		t.Fatalf("%d patents after --skip-invalid", n)
	}

	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"import"}, 2},
		{[]string{"import", "patents"}, 2},
		{[]string{"import", "widgets", patents}, 2},
		{[]string{"import", "patents", patents, "--force"}, 2},
		{[]string{"import", "patents", filepath.Join(dir, "x.txt")}, 2},
		{[]string{"import", "patents", filepath.Join(dir, "missing.csv")}, 1},
	} {
		if code, _, errs := importRun(t, c.args...); code != c.code {
			t.Errorf("%v: exit %d, want %d (%s)", c.args, code, c.code, errs)
		}
	}
	// A patents file given as contracts or filings: wrong header, reported on line 1, exit 1.
	for _, kind := range []string{"contracts", "filings"} {
		if code, _, errs := importRun(t, "import", kind, patents); code != 1 || !strings.Contains(errs, "line 1: ") {
			t.Errorf("%s: exit %d, %q", kind, code, errs)
		}
	}
	ipc := importWrite(t, dir, "ipc.tsv", "code\tlevel\ttitle_zh\ttitle_en_short\nH01M\tsubclass\t用于直接转变化学能为电能的方法或装置\tPROCESSES OR MEANS FOR THE DIRECT CONVERSION OF CHEMICAL INTO ELECTRICAL ENERGY\n")
	if code, out, errs := importRun(t, "import", "ipc", ipc); code != 0 || !strings.Contains(out, "1 added or changed") {
		t.Errorf("ipc: exit %d, %q, %q", code, out, errs)
	}
}

// A large patent import is indexed while it is written: afterwards the index holds every patent, the
// outbox is empty and no rebuild is due; a second run of the same file changes nothing.
func TestImportLargeFileIndexedWhileWritten(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	t.Setenv("DATA_DIR", data)
	t.Setenv("DATABASE_URL", "")
	t.Setenv("MEILISEARCH_URL", "")
	t.Setenv("LC_ALL", "C")
	ds := demo.Generate(demo.Options{Seed: demo.DefaultSeed, Orgs: 20, Patents: progressThreshold + 500, Now: time.Now()})
	var orgsCSV, patentsCSV bytes.Buffer
	if err := demo.WriteCSV(ds, &orgsCSV, &patentsCSV); err != nil {
		t.Fatal(err)
	}
	orgs := importWrite(t, dir, "orgs.csv", orgsCSV.String())
	patents := importWrite(t, dir, "patents.csv", patentsCSV.String())
	if code, out, errs := importRun(t, "import", "orgs", orgs); code != 0 {
		t.Fatalf("orgs: %d %q %q", code, out, errs)
	}
	for range 2 {
		if code, out, errs := importRun(t, "import", "patents", patents); code != 0 {
			t.Fatalf("patents: %d %q %q", code, out, errs)
		}
	}
	ctx := context.Background()
	s, err := market.Open(filepath.Join(data, "patentwall.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.OutboxLen(ctx); err != nil || n != 0 {
		t.Fatalf("outbox after the imports: %d rows (%v)", n, err)
	}
	if again, err := search.ReindexInterrupted(ctx, s); err != nil || again {
		t.Fatalf("rebuild due after the imports: %v %v", again, err)
	}
	var patentsInDB int64
	if err := s.Gorm().Model(&market.Patent{}).Count(&patentsInDB).Error; err != nil {
		t.Fatal(err)
	}
	idx := bleve.New(filepath.Join(data, "index"))
	if rebuild, err := idx.Init(ctx); err != nil || rebuild {
		t.Fatalf("open index: rebuild=%v err=%v", rebuild, err)
	}
	defer idx.Close()
	if n, err := idx.Count(ctx); err != nil || int64(n) != patentsInDB || n < progressThreshold+500 {
		t.Fatalf("index holds %d documents (%v), the database %d patents", n, err, patentsInDB)
	}
}
