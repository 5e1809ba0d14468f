package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// verbRe finds fmt verbs, with explicit argument indexes ("%[2]s") counted by index.
var verbRe = regexp.MustCompile(`%(\[\d+\])?[sdv]`)

// TestCatalogueIsComplete: every key a template or handler uses exists, both languages are filled in,
// and both take the same arguments.
func TestCatalogueIsComplete(t *testing.T) {
	for key, m := range catalogue {
		if strings.TrimSpace(m.zh) == "" || strings.TrimSpace(m.en) == "" {
			t.Errorf("%s: missing a language: %q / %q", key, m.zh, m.en)
		}
		if a, b := verbArgs(m.zh), verbArgs(m.en); a != b {
			t.Errorf("%s: zh takes %d arguments, en %d", key, a, b)
		}
	}
	keyRe := regexp.MustCompile(`[{(]t "([^"]+)"`)
	fs.WalkDir(assets, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := assets.ReadFile(p)
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			if _, ok := catalogue[m[1]]; !ok {
				t.Errorf("%s uses unknown message %q", p, m[1])
			}
		}
		return nil
	})
	// Enumerations every page may show.
	var enums []string
	for _, v := range patentTypes {
		enums = append(enums, "type."+v)
	}
	for _, v := range sortOrders {
		enums = append(enums, "sort."+v)
	}
	for _, v := range priceBandNames() {
		enums = append(enums, "band."+v)
	}
	for _, v := range filterParams {
		enums = append(enums, "param."+v)
	}
	for _, v := range facetOrder {
		enums = append(enums, "facet."+v)
	}
	for _, v := range offerKinds {
		enums = append(enums, "offer."+v)
	}
	for _, k := range []string{"university", "institute", "hospital", "enterprise", "association", "district_office", "agency", "bank", "bureau"} {
		enums = append(enums, "kind."+k)
	}
	for _, k := range []string{"free", "lump_sum", "royalty", "entry_plus_royalty", "none"} {
		enums = append(enums, "fee."+k)
	}
	for _, s := range "ABCDEFGH" {
		enums = append(enums, "ipc."+string(s))
	}
	for _, k := range enums {
		if _, ok := catalogue[k]; !ok {
			t.Errorf("no message for %s", k)
		}
	}
}

func verbArgs(s string) int {
	seen := map[string]bool{}
	n := 0
	for _, m := range verbRe.FindAllStringSubmatch(s, -1) {
		if m[1] == "" {
			n++
		} else if !seen[m[1]] {
			seen[m[1]] = true
			n++
		}
	}
	return n
}

func TestMoneyAndPercent(t *testing.T) {
	for _, c := range []struct {
		fen    int64
		zh, en string
	}{
		{0, "0.00 元", "¥0.00"},
		{5, "0.05 元", "¥0.05"},
		{123450, "1,234.50 元", "¥1,234.50"},
		{2_000_000_000_00, "2,000,000,000.00 元", "¥2,000,000,000.00"},
		{-100050, "-1,000.50 元", "-¥1,000.50"},
	} {
		if got := money(LangZH, c.fen); got != c.zh {
			t.Errorf("money zh %d = %q, want %q", c.fen, got, c.zh)
		}
		if got := money(LangEN, c.fen); got != c.en {
			t.Errorf("money en %d = %q, want %q", c.fen, got, c.en)
		}
	}
	if got := percent(550); got != "5.50%" {
		t.Errorf("percent(550) = %q", got)
	}
	for s, want := range map[string]int64{"0": 0, "5000": 500000, "12.5": 1250, "12.05": 1205, "1,000.10": 100010} {
		if got, err := parseMaxFee(s); err != nil || got != want {
			t.Errorf("parseMaxFee(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "-1", "1.", ".5", "1.234", "1e3", "abc", "99999999999999"} {
		if _, err := parseMaxFee(s); err == nil {
			t.Errorf("parseMaxFee(%q) accepted", s)
		}
	}
}

func TestHighlightOnlyLetsMarkThrough(t *testing.T) {
	for in, want := range map[string]string{
		"一种<mark>电池</mark>":                "一种<mark>电池</mark>",
		"&lt;b&gt;<mark>x</mark>":          "&lt;b&gt;<mark>x</mark>",
		"<mark>a</mark><script>x</script>": "&lt;mark&gt;a&lt;/mark&gt;&lt;script&gt;x&lt;/script&gt;",
		"<img src=x onerror=alert(1)>":     "&lt;img src=x onerror=alert(1)&gt;",
		"a > b":                            "a &gt; b",
	} {
		if got := string(highlightHTML(in)); got != want {
			t.Errorf("highlightHTML(%q) = %q, want %q", in, got, want)
		}
	}
}
