package market

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// errCode returns the FieldError code of err ("" for nil), failing the test for any other error type.
func errCode(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FieldError", err, err)
	}
	if fe.MessageZH == "" || fe.MessageEN == "" || fe.Field == "" {
		t.Errorf("incomplete FieldError %+v", fe)
	}
	return fe.Code
}

// withCheck appends the correct check character, so tests can reach the checks after the check digit.
func withCheck(t *testing.T, digits string) string {
	t.Helper()
	c, err := ApplicationCheckChar(digits)
	if err != nil {
		t.Fatal(err)
	}
	return digits + "." + string(c)
}

// Real numbers from public pages.
var realAppNos = []string{"202010566088.9", "201510958772.0", "202510942578.7", "200510096239.4",
	"202322865413.3", "201811564288.X", "90101673.X"}

func TestNormalizeApplicationNo(t *testing.T) {
	tests := []struct{ in, want, code string }{
		{"202010566088.9", "202010566088.9", ""},
		{"201811564288.X", "201811564288.X", ""},
		{"201811564288.x", "201811564288.X", ""},
		{"90101673.X", "90101673.X", ""},
		{"ZL202010566088.9", "202010566088.9", ""},
		{"zl202010566088.9", "202010566088.9", ""},
		{"CN 202010566088.9", "202010566088.9", ""},
		{" 2020 1056 6088.9 ", "202010566088.9", ""},
		{"CN2020105660889", "202010566088.9", ""}, // dot-less database form
		{"２０２０１０５６６０８８．９", "202010566088.9", ""},
		{"ＺＬ２０１８１１５６４２８８．ｘ", "201811564288.X", ""},
		{"202010566088。9", "202010566088.9", ""},
		{"９０１０１６７３.X", "90101673.X", ""},

		{"202010566088.8", "", "bad_check_digit"},
		{"201811564288.0", "", "bad_check_digit"},
		{"90101673.1", "", "bad_check_digit"},
		{"89103229.2", "", "bad_check_digit"}, // a made-up example that circulates: its check digit is wrong
		{"", "", "required"},
		{"ZL", "", "required"},
		{"202010566088", "", "invalid_format"},  // no check character
		{"20201056608.9", "", "invalid_format"}, // 11 digits
		{"2020105660888.9", "", "invalid_format"},
		{"202010566088.99", "", "invalid_format"},
		{"202010566088.A", "", "invalid_format"},
		{"2020105660A8.9", "", "invalid_format"},
		{"US202010566088.9", "", "invalid_format"},
		{withCheck(t, "199910566088"), "", "invalid_format"}, // 12-digit form did not exist before 2003
		{withCheck(t, "50101673"), "", "invalid_format"},     // 8-digit form ended in 2003
		{withCheck(t, "202050566088"), "", "unknown_type"},
		{withCheck(t, "90401673"), "", "unknown_type"},
	}
	for _, tc := range tests {
		got, err := NormalizeApplicationNo(tc.in)
		if code := errCode(t, err); got != tc.want || code != tc.code {
			t.Errorf("NormalizeApplicationNo(%q) = %q, %v; want %q, code %q", tc.in, got, err, tc.want, tc.code)
		}
	}
	for _, s := range realAppNos {
		if got, err := NormalizeApplicationNo(s); err != nil || got != s {
			t.Errorf("real number %q: got %q, %v", s, got, err)
		}
	}
}

func TestApplicationCheckMessage(t *testing.T) {
	_, err := NormalizeApplicationNo("202010566088.8")
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "application_no" || !strings.Contains(fe.MessageZH, "应为 9") {
		t.Errorf("got %+v", fe)
	}
}

// Mod 11 with non-zero, pairwise different neighbouring weights must catch every single-digit error and every
// swap of adjacent digits; this guards the weight table against typos.
func TestApplicationCheckCatchesTypos(t *testing.T) {
	for _, s := range realAppNos {
		digits, check := s[:len(s)-2], s[len(s)-1:]
		for i := range len(digits) {
			for d := byte('0'); d <= '9'; d++ {
				if d == digits[i] {
					continue
				}
				bad := digits[:i] + string(d) + digits[i+1:] + "." + check
				if _, err := NormalizeApplicationNo(bad); err == nil {
					t.Errorf("%s accepted (typo of %s)", bad, s)
				}
			}
			if i+1 < len(digits) && digits[i] != digits[i+1] {
				b := []byte(digits)
				b[i], b[i+1] = b[i+1], b[i]
				if _, err := NormalizeApplicationNo(string(b) + "." + check); err == nil {
					t.Errorf("%s.%s accepted (swap in %s)", b, check, s)
				}
			}
		}
	}
}

func TestApplicationCheckChar(t *testing.T) {
	tests := []struct {
		in   string
		want byte
		code string
	}{
		{"202010566088", '9', ""},
		{"201811564288", 'X', ""},
		{"90101673", 'X', ""},
		{"2020105660", 0, "invalid_format"},
		{"20201056608A", 0, "invalid_format"},
		{"", 0, "invalid_format"},
	}
	for _, tc := range tests {
		got, err := ApplicationCheckChar(tc.in)
		if code := errCode(t, err); got != tc.want || code != tc.code {
			t.Errorf("ApplicationCheckChar(%q) = %q, %v; want %q, code %q", tc.in, got, err, tc.want, tc.code)
		}
	}
}

func TestTypeFromApplicationNo(t *testing.T) {
	tests := []struct{ in, want, code string }{
		{"202010566088.9", TypeInvention, ""},
		{"202322865413.3", TypeUtilityModel, ""},
		{"202330123456.1", TypeDesign, ""},
		{"202180012345.6", TypeInvention, ""},
		{"202190012345.6", TypeUtilityModel, ""},
		{"90101673.X", TypeInvention, ""},
		{"90201673.X", TypeUtilityModel, ""},
		{"90301673.X", TypeDesign, ""},
		{"ZL201811564288.X", TypeInvention, ""},
		{"202050566088.1", "", "unknown_type"},
		{"90001673.X", "", "unknown_type"},
		{"abc", "", "invalid_format"},
	}
	for _, tc := range tests {
		got, err := TypeFromApplicationNo(tc.in)
		if code := errCode(t, err); got != tc.want || code != tc.code {
			t.Errorf("TypeFromApplicationNo(%q) = %q, %v; want %q, code %q", tc.in, got, err, tc.want, tc.code)
		}
	}
	if got := PatentNumber("202010566088.9"); got != "ZL202010566088.9" {
		t.Errorf("PatentNumber = %q", got)
	}
}

// ---------------------------------------------------------------------------------------------------------

// makeUSCC builds a code that passes both checks from its first 16 characters.
func makeUSCC(t *testing.T, first16 string) string {
	t.Helper()
	c17, err := OrgCodeCheckChar(first16[8:16])
	if err != nil {
		t.Fatal(err)
	}
	c18, err := USCCCheckChar(first16 + string(c17))
	if err != nil {
		t.Fatal(err)
	}
	return first16 + string(c17) + string(c18)
}

func TestValidateUSCC(t *testing.T) {
	huawei := "914403001922038216"
	// Character 17 wrong but character 18 recomputed: only the organisation-code check fails.
	orgBad := huawei[:16] + "7"
	c18, _ := USCCCheckChar(orgBad)
	orgBad += string(c18)

	tests := []struct {
		in, want string
		warn     bool   // a warning is expected
		warnHas  string // ... and it mentions this
		code     string
	}{
		{"914403001922038216", "914403001922038216", false, "", ""},
		{"91330100799655058B", "91330100799655058B", false, "", ""},
		{"91330100799655058b", "91330100799655058B", false, "", ""},
		{" 9144 0300 1922 0382 16 ", "914403001922038216", false, "", ""},
		{"９１３３０１００７９９６５５０５８Ｂ", "91330100799655058B", false, "", ""},
		{makeUSCC(t, "91310115MA1K3ABC"), makeUSCC(t, "91310115MA1K3ABC"), false, "", ""},

		{"914403001922038217", "914403001922038217", true, "第 18 位（校验位）应为 6", ""},
		{"91330100799655058C", "91330100799655058C", true, "应为 B", ""},
		{orgBad, orgBad, true, "第 17 位（组织机构代码校验位）应为 1", ""},

		{"", "", false, "", "required"},
		{"91440300192203821", "", false, "", "invalid_format"},   // 17 chars
		{"9144030019220382166", "", false, "", "invalid_format"}, // 19 chars
		{"91440300192203821I", "", false, "", "invalid_format"},
		{"91440300192203821O", "", false, "", "invalid_format"},
		{"91440300192203821Z", "", false, "", "invalid_format"},
		{"91440300192203821S", "", false, "", "invalid_format"},
		{"91440300192203821V", "", false, "", "invalid_format"},
		{"9144030019220382-6", "", false, "", "invalid_format"},
		{"91440300192203821码", "", false, "", "invalid_format"},
		{"9144A3001922038216", "", false, "", "invalid_format"}, // region code must be digits
	}
	for _, tc := range tests {
		got, warn, err := ValidateUSCC(tc.in)
		if code := errCode(t, err); got != tc.want || code != tc.code || (warn != "") != tc.warn ||
			!strings.Contains(warn, tc.warnHas) {
			t.Errorf("ValidateUSCC(%q) = %q, %q, %v; want %q, warning %v (%q), code %q",
				tc.in, got, warn, err, tc.want, tc.warn, tc.warnHas, tc.code)
		}
	}
}

// Powers of 3 mod 31 are never 0, so any single-character substitution must change the check character.
func TestUSCCCheckCatchesTypos(t *testing.T) {
	for _, s := range []string{"914403001922038216", "91330100799655058B"} {
		for i := range 17 {
			for _, c := range []byte(usccChars) {
				if c == s[i] || (i >= 2 && i < 8 && (c < '0' || c > '9')) {
					continue
				}
				bad := s[:i] + string(c) + s[i+1:]
				if _, warn, err := ValidateUSCC(bad); err != nil || warn == "" {
					t.Fatalf("%s (typo of %s): warning %q, err %v", bad, s, warn, err)
				}
			}
		}
	}
}

func TestUSCCHelpers(t *testing.T) {
	if c, err := OrgCodeCheckChar("19220382"); err != nil || c != '1' {
		t.Errorf("OrgCodeCheckChar(19220382) = %q, %v", c, err)
	}
	if c, err := OrgCodeCheckChar("79965505"); err != nil || c != '8' {
		t.Errorf("OrgCodeCheckChar(79965505) = %q, %v", c, err)
	}
	if c, err := USCCCheckChar("91330100799655058"); err != nil || c != 'B' {
		t.Errorf("USCCCheckChar = %q, %v", c, err)
	}
	for _, bad := range []string{"9133010079965505", "9133010079965505I"} {
		if _, err := USCCCheckChar(bad); errCode(t, err) != "invalid_format" {
			t.Errorf("USCCCheckChar(%q) err = %v", bad, err)
		}
	}
	if _, err := OrgCodeCheckChar("7996550-"); errCode(t, err) != "invalid_format" {
		t.Errorf("OrgCodeCheckChar accepted '-': %v", err)
	}
	sh := makeUSCC(t, "1231000042500611")
	tests := []struct {
		in, region string
		shanghai   bool
	}{
		{"914403001922038216", "440300", false},
		{"91330100799655058B", "330100", false},
		{sh, "310000", true},
		{"short", "", false},
	}
	for _, tc := range tests {
		if r, s := USCCRegion(tc.in), USCCIsShanghai(tc.in); r != tc.region || s != tc.shanghai {
			t.Errorf("%q: region %q shanghai %v; want %q %v", tc.in, r, s, tc.region, tc.shanghai)
		}
	}
}

// ---------------------------------------------------------------------------------------------------------

func TestParseIPC(t *testing.T) {
	tests := []struct {
		in   string
		want IPC
		str  string
		ok   bool
	}{
		{"H04L 9/32", IPC{"H", "H04", "H04L", "9/32"}, "H04L 9/32", true},
		{"G06F16/9535", IPC{"G", "G06", "G06F", "16/9535"}, "G06F 16/9535", true},
		{"G06F", IPC{"G", "G06", "G06F", ""}, "G06F", true},
		{"A61K 31/00", IPC{"A", "A61", "A61K", "31/00"}, "A61K 31/00", true},
		{"a61k31/495", IPC{"A", "A61", "A61K", "31/495"}, "A61K 31/495", true},
		{"G06F  16 / 9535", IPC{"G", "G06", "G06F", "16/9535"}, "G06F 16/9535", true},
		{"G06F16／9535", IPC{"G", "G06", "G06F", "16/9535"}, "G06F 16/9535", true},
		{"Ｇ０６Ｎ　３／０４", IPC{"G", "G06", "G06N", "3/04"}, "G06N 3/04", true},
		{"G06F16/9535(2019.01)I", IPC{"G", "G06", "G06F", "16/9535"}, "G06F 16/9535", true},
		{"Y02E 2300/00", IPC{}, "", false}, // section Y is CPC, not IPC
		{"H01M 2300/0068", IPC{"H", "H01", "H01M", "2300/0068"}, "H01M 2300/0068", true},

		{"Z01B", IPC{}, "", false},
		{"G6F", IPC{}, "", false},
		{"G06F 16/", IPC{}, "", false},
		{"G06F 16", IPC{}, "", false},
		{"G06F 16/9", IPC{}, "", false},
		{"G06F 12345/00", IPC{}, "", false},
		{"G06F 16/1234567", IPC{}, "", false},
		{"G06", IPC{}, "", false},
		{"G061", IPC{}, "", false},
		{"", IPC{}, "", false},
	}
	for _, tc := range tests {
		got, err := ParseIPC(tc.in)
		if tc.ok {
			if err != nil || got != tc.want || got.String() != tc.str {
				t.Errorf("ParseIPC(%q) = %+v (%q), %v; want %+v (%q)", tc.in, got, got.String(), err, tc.want, tc.str)
			}
		} else if code := errCode(t, err); code != "invalid_format" {
			t.Errorf("ParseIPC(%q) = %+v, %v; want invalid_format", tc.in, got, err)
		}
	}
}

func TestParseIPCList(t *testing.T) {
	got, err := ParseIPCList("G06F16/9535; H04L 9/32；g06f 16/9535, A61K 31/00，G06F ;;")
	want := []string{"G06F 16/9535", "H04L 9/32", "A61K 31/00", "G06F"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("ParseIPCList = %q, %v; want %q", got, err, want)
	}
	if got, err := ParseIPCList(" "); err != nil || len(got) != 0 {
		t.Errorf("empty list = %q, %v", got, err)
	}
	if _, err := ParseIPCList("G06F 16/9535; Z01B"); errCode(t, err) != "invalid_format" {
		t.Errorf("bad member accepted: %v", err)
	}
}

// ---------------------------------------------------------------------------------------------------------

func TestDistricts(t *testing.T) {
	ds := Districts()
	if len(ds) != 16 {
		t.Fatalf("%d districts", len(ds))
	}
	for i, d := range ds {
		if !strings.HasPrefix(d.Code, "31") || d.NameZH == "" || d.NameEN == "" || (i > 0 && ds[i-1].Code >= d.Code) {
			t.Errorf("bad or unordered district %+v", d)
		}
	}
	ds[0].NameZH = "changed"
	if Districts()[0].NameZH != "黄浦区" {
		t.Error("Districts() exposes the internal table")
	}
	tests := []struct{ in, code string }{
		{"310115", "310115"},
		{"浦东新区", "310115"},
		{"浦东", "310115"},
		{"上海市浦东新区", "310115"},
		{"Pudong New Area", "310115"},
		{"pudong", "310115"},
		{"黄浦区", "310101"},
		{"黄浦", "310101"},
		{"HUANGPU", "310101"},
		{"Jing'an", "310106"},
		{"jingan district", "310106"},
		{"Jing’an", "310106"},
		{"静安", "310106"},
		{"崇明区", "310151"},
		{" Chongming ", "310151"},
		{"３１０１０４", "310104"},
		{"", ""},
		{"区", ""},
		{"310100", ""},
		{"南汇区", ""}, // merged into Pudong in 2009
		{"Beijing", ""},
	}
	for _, tc := range tests {
		d, ok := LookupDistrict(tc.in)
		if ok != (tc.code != "") || d.Code != tc.code {
			t.Errorf("LookupDistrict(%q) = %+v, %v; want %q", tc.in, d, ok, tc.code)
		}
	}
}

// ---------------------------------------------------------------------------------------------------------

// realDataDir finds the shared real-data folder: $PATENTWALL_REAL_DATA, else the first shared/data/real found
// walking up from the working directory. "" when absent, so the test skips instead of depending on a machine.
func realDataDir() string {
	if d := os.Getenv("PATENTWALL_REAL_DATA"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, "shared", "data", "real")); err == nil && fi.IsDir() {
			return filepath.Join(dir, "shared", "data", "real")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// TestParseIPCRealData parses every IPC symbol of a real patent sample; a failure rate above 1% means the
// parser is too strict for real data.
func TestParseIPCRealData(t *testing.T) {
	dir := realDataDir()
	if dir == "" {
		t.Skip("real data not found: set PATENTWALL_REAL_DATA to the shared/data/real folder")
	}
	f, err := os.Open(filepath.Join(dir, "cn_patents_titles_ipc.csv"))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("real data file absent in %s", dir)
	} else if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.IndexFunc(header, func(h string) bool { return strings.Contains(strings.ToLower(h), "ipc") })
	if col < 0 {
		t.Fatalf("no IPC column in header %q", header)
	}
	var total, failed int
	var examples []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		for sym := range strings.SplitSeq(rec[col], "|") {
			if sym = strings.TrimSpace(sym); sym == "" {
				continue
			}
			total++
			if _, err := ParseIPC(sym); err != nil {
				failed++
				if len(examples) < 10 {
					examples = append(examples, sym)
				}
			}
		}
	}
	if total == 0 {
		t.Fatal("no IPC symbols read")
	}
	rate := float64(failed) / float64(total)
	t.Logf("%s: %d IPC symbols, %d failed (%.3f%%), e.g. %q", header[col], total, failed, 100*rate, examples)
	if rate > 0.01 {
		t.Errorf("IPC failure rate %.2f%% exceeds 1%%", 100*rate)
	}
}
