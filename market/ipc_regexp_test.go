package market

import (
	"regexp"
	"strings"
	"testing"
)

// The regular expressions ParseIPC's comment gives, as the reference its hand-written matcher is held to.
var (
	refIPCRe        = regexp.MustCompile(`^([A-H])(\d{2})([A-Z])(?:\s*(\d{1,4})\s*/\s*(\d{2,6}))?$`)
	refIPCVersionRe = regexp.MustCompile(`\s*\(\d{4}\.\d{2}\)\s*[A-Z]?$`)
)

// parseIPCRegexp is ParseIPC as written with the regular expressions.
func parseIPCRegexp(s string) (IPC, bool) {
	s = refIPCVersionRe.ReplaceAllString(strings.ToUpper(strings.TrimSpace(halfWidth(s))), "")
	m := refIPCRe.FindStringSubmatch(s)
	if m == nil {
		return IPC{}, false
	}
	ipc := IPC{Section: m[1], Class: m[1] + m[2], Subclass: m[1] + m[2] + m[3]}
	if m[4] != "" {
		ipc.Group = m[4] + "/" + m[5]
	}
	return ipc, true
}

// IPCAgainstRegexp fails t when ParseIPC and the regular expressions disagree on s. It is exported for the
// external fuzz target FuzzIPC (ident_fuzz_test.go).
func IPCAgainstRegexp(t *testing.T, s string) {
	t.Helper()
	want, wantOK := parseIPCRegexp(s)
	got, err := ParseIPC(s)
	if (err == nil) != wantOK || got != want {
		t.Fatalf("ParseIPC(%q) = %+v, %v; the regular expressions give %+v, ok %v", s, got, err, want, wantOK)
	}
}

func TestParseIPCMatchesRegexp(t *testing.T) {
	cases := []string{
		"", " ", "G", "G0", "G06", "G06F", "g06f", "Ｇ０６Ｆ", "I06F", "G6F", "G06F1", "G06F 1", "G06F 1/", "G06F 1/0",
		"G06F 1/00", "G06F1/00", "G06F 1 / 00", "G06F\t16\n/\r9535", "G06F\v16/9535", "G06F 12345/00", "G06F 1234/00",
		"G06F 16/1234567", "G06F 16/123456", "A61K 2300/00", "G06F 16/9535(2019.01)I", "G06F16/9535 (2019.01) I",
		"G06F 16/9535(2019.01)", "G06F 16/9535(2019.01)II", "G06F 16/9535(2019.1)I", "G06F 16/9535(19.01)I",
		"G06F(2019.01)", "(2019.01)", "(2019.01)I", " (2019.01) ", "G06F 16/9535 (2019.01)\vI", "G06F 16/9535(2019。01)I",
		"G06F 16/9535(2019.01)i", "G06F 16/9535（2019.01）I", "G06F 16/9535 x", "G06F/00", "G06F 16//00", "G06FF",
		"H01M 10/0525(2010.01)I", "\xff", "G06F 16/\xff", "G06F 16/9535;H04L9/32", "G06F 16/9535(2019.01)I(2019.01)I",
		"ｇ０６ｆ　１６／９５３５", "G06F 16/9535 ", "G06F 16 /9535\u00a0",
	}
	for _, s := range cases {
		IPCAgainstRegexp(t, s)
	}
}

func BenchmarkParseIPC(b *testing.B) {
	syms := []string{"B65G 1/137", "A61P 1/16", "G06F", "H01M 10/0525(2010.01)I", "g06f16/9535"}
	b.Run("hand", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := ParseIPC(syms[i%len(syms)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("regexp", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, ok := parseIPCRegexp(syms[i%len(syms)]); !ok {
				b.Fatal(syms[i%len(syms)])
			}
		}
	})
}
