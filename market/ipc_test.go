package market_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/market/markettest"
)

// catRealData finds shared/data/real by walking up from the working directory, or PATENTWALL_REAL_DATA.
func catRealData(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("PATENTWALL_REAL_DATA"); d != "" {
		return d
	}
	dir, _ := os.Getwd()
	for dir != "" {
		if fi, err := os.Stat(filepath.Join(dir, "shared", "data", "real")); err == nil && fi.IsDir() {
			return filepath.Join(dir, "shared", "data", "real")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	t.Skip("shared/data/real not found (set PATENTWALL_REAL_DATA): skipping the real IPC scheme")
	return ""
}

// A few lines in the scheme file's own format, debris included.
const catScheme = "code\tlevel\ttitle_zh\ttitle_en_short\ttitle_en_full\tin_zh_source\tin_en_source\n" +
	"G\tsection\t物理\tPHYSICS\tPHYSICS\ty\ty\n" +
	"G06\tclass\t计算；推算或计数\tCOMPUTING; CALCULATING OR COUNTING\tCOMPUTING\ty\ty\n" +
	"A01\tsubsection_heading\t农业\tAGRICULTURE\tAGRICULTURE\ty\ty\n" +
	"A21\tclass\t焙烤；制作或处理面团的设备；焙烤用面团\t\"BAKING; DOUGHS FOR BAKING 2006.01\"\" href=\"\"#\"\" onclick=\"\"return false;\"\">\"\t\"x\"\ty\ty\n" +
	"A45F\tsubclass\t旅行或野营装备；随身携带的袋或包〔1,8〕\tTRAVELLING OR CAMP EQUIPMENT [5]\tx\ty\ty\n" +
	"C01C\tsubclass\t\tAMMONIA; CYANOGEN; COMPOUNDS THEREOF\tx\tn\ty\n" +
	"G06F16/95\tgroup\t检索\tRetrieval from the web\tx\ty\ty\n" +
	"not a code\tclass\t垃圾\tjunk\tx\ty\ty\n"

func TestImportIPCScheme(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		f := newCatFixture(t, s)
		p := f.patent(t, 1, 1)
		before := f.outbox(t, p.ID)
		n, err := s.ImportIPCScheme(f.ctx, strings.NewReader(catScheme))
		if err != nil || n != 6 {
			t.Fatalf("imported %d, %v; want 6", n, err)
		}
		if f.outbox(t, p.ID) != before+1 {
			t.Error("new titles did not queue the patents for re-indexing")
		}
		// The same file again changes nothing and queues nothing.
		if n, err := s.ImportIPCScheme(f.ctx, strings.NewReader(catScheme)); err != nil || n != 0 {
			t.Fatalf("re-import: %d, %v", n, err)
		}
		if f.outbox(t, p.ID) != before+1 {
			t.Error("an unchanged scheme queued re-indexing")
		}
		got, err := s.IPCTitles(f.ctx, []string{"G06F16/9535", "A21", "A45F", "C01C 3/08", "H04L", "Q99"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"G":            "物理|PHYSICS",
			"G06":          "计算；推算或计数|COMPUTING; CALCULATING OR COUNTING",
			"G06F 16/95":   "", // not an ancestor of 16/9535 in our terms: only section, class, subclass, main group
			"A21":          "焙烤；制作或处理面团的设备；焙烤用面团|BAKING; DOUGHS FOR BAKING",
			"A45F":         "旅行或野营装备；随身携带的袋或包|TRAVELLING OR CAMP EQUIPMENT",
			"C01C":         "|AMMONIA; CYANOGEN; COMPOUNDS THEREOF",
			"C":            "化学；冶金|Chemistry; metallurgy", // built in
			"H":            "电学|Electricity",
			"A":            "人类生活必需|Human necessities",
			"G06F 16/9535": "",
		}
		for sym, w := range want {
			tt, ok := got[sym]
			if w == "" {
				if ok {
					t.Errorf("%s: unexpected title %+v", sym, tt)
				}
				continue
			}
			if !ok || tt.TitleZH+"|"+tt.TitleEN != w {
				t.Errorf("%s: got %+v (found %v), want %s", sym, tt, ok, w)
			}
		}
		if _, ok := got["A01"]; ok {
			t.Error("a subsection heading was stored as class A01")
		}
		if _, ok := got["Q"]; ok {
			t.Error("an invalid symbol produced a title")
		}
		if got["G06"].Level != market.IPCClass || got["A45F"].Level != market.IPCSubclass || got["G"].Level != market.IPCSection {
			t.Errorf("levels: %+v %+v %+v", got["G06"], got["A45F"], got["G"])
		}
		// A main group is an ancestor of its subgroups.
		got, err = s.IPCTitles(f.ctx, []string{"G06F 16/95"})
		if err != nil || got["G06F 16/95"].TitleZH != "检索" || got["G06"].TitleZH == "" {
			t.Errorf("group lookup: %+v, %v", got, err)
		}
	})
}

func TestImportIPCSchemeRealFile(t *testing.T) {
	dir := catRealData(t)
	s := markettest.SQLite(t)
	f, err := os.Open(filepath.Join(dir, "ipc_scheme_zh_en.tsv"))
	if err != nil {
		t.Skipf("no scheme file: %v", err)
	}
	defer f.Close()
	n, err := s.ImportIPCScheme(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	if n < 780 {
		t.Errorf("imported %d titles, want about 796", n)
	}
	var all []market.IPCTitle
	if err := s.Gorm().Find(&all).Error; err != nil {
		t.Fatal(err)
	}
	// Edition markers ("〔1，8〕", "[2006.01]", "[5]") and HTML debris must go; "〔SPM〕" is part of a title.
	debris := regexp.MustCompile(`"|href=|\d{4}\.\d{2}\]?$|[〔\[][0-9,，\s]+[〕\]]$`)
	for _, tt := range all {
		if debris.MatchString(tt.TitleZH) || debris.MatchString(tt.TitleEN) {
			t.Errorf("title keeps debris: %+v", tt)
		}
	}
	got, err := s.IPCTitles(t.Context(), []string{"G06F 16/9535", "H01M"})
	if err != nil {
		t.Fatal(err)
	}
	if got["G06F"].TitleZH == "" || got["G06F"].TitleEN == "" || got["H01M"].TitleZH == "" || got["H01"].TitleZH == "" {
		t.Errorf("real titles missing: G06F %+v, H01M %+v, H01 %+v", got["G06F"], got["H01M"], got["H01"])
	}
	t.Logf("G06F: %s / %s", got["G06F"].TitleZH, got["G06F"].TitleEN)
}

// A main group is a prefix ("G06F 16/", also written "G06F16/" or "G06F 16"): rules store it canonical;
// anything else that is not a symbol is still refused, naming the entry.
func TestRulesIPCMainGroup(t *testing.T) {
	got, err := market.CheckRules(nil, "rules", market.ChannelRules{IPC: []string{"G06F 16/", "h01m10", "Ｇ０６Ｆ１６／", "G06F 16/00", "G06F 16/9535"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"G06F 16/", "H01M 10/", "G06F 16/00", "G06F 16/9535"}; !slices.Equal(got.IPC, want) {
		t.Errorf("canonical %v, want %v", got.IPC, want)
	}
	for _, bad := range []string{"G06F 16//", "G06F /", "G06F 16/x", "G06F 12345/", "16/"} {
		_, err := market.CheckRules(nil, "rules", market.ChannelRules{IPC: []string{bad}})
		if fes := market.AsFieldErrors(err); len(fes) != 1 || fes[0].Field != "rules.ipc[0]" {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if mg, ok := market.ParseIPCMainGroup("G06F 16/9535"); ok {
		t.Errorf("a full symbol read as the main group %q", mg)
	}
	if ipc, _ := market.ParseIPC("G06F 16/9535"); ipc.MainGroup() != "G06F 16/" {
		t.Errorf("main group of G06F 16/9535: %q", ipc.MainGroup())
	}
}
