package market_test

// Property-based fuzz targets of the identifier parsers (docs/rules.md §2): whatever a parser accepts
// has one canonical form that parses back to itself, a computed check character validates, and a
// one-character change of a valid identifier is caught. The seeds (and the inputs kept under
// testdata/fuzz/) run with every go test; make fuzz explores further for a bounded time.

import (
	"fmt"
	"strings"
	"testing"

	"patentwall/market"
)

// checkFieldError fails unless err is a complete *market.FieldError naming field.
func checkFieldError(t *testing.T, what string, err error, field string) {
	t.Helper()
	fe, ok := err.(*market.FieldError)
	if !ok {
		t.Fatalf("%s: error %T %v, want *market.FieldError", what, err, err)
	}
	if fe.Field != field || fe.Code == "" || fe.MessageZH == "" || fe.MessageEN == "" {
		t.Fatalf("%s: incomplete field error %+v (want field %q)", what, fe, field)
	}
}

// validAppDigits builds the 12 digits of a plausible current application number from fuzz numbers:
// year 2003-2099, a known type digit and a 7-digit serial.
func validAppDigits(n uint64) string {
	year := 2003 + int(n%97)
	typ := "12389"[(n/97)%5]
	serial := (n / 485) % 10_000_000
	return fmt.Sprintf("%04d%c%07d", year, typ, serial)
}

func FuzzApplicationNo(f *testing.F) {
	for _, s := range []string{
		"CN202110123456.7", "202010566088.9", "ZL202010566088.9", "CN 2020 1056 6088.9", "２０２０１０５６６０８８．９",
		"202010566088。9", "2020105660889", "90101673.X", "90101673.x", "CN90101673X", "202010566088.8", "202010566088",
		"202010566088.", "202010566088.99", "202040566088.9", "199810566088.9", "ZLCN202010566088.9", "CNZL202010566088.9",
		"", " ", "\xff", "20201056608８.9", "20201056608\u0660.9",
	} {
		f.Add(s, uint64(len(s))*7919, uint8(len(s)))
	}
	// Real-looking numbers with their computed check characters, in the forms people paste.
	for i, digits := range []string{"202110123456", "202010566088", "202220345678", "202330987654", "201910700800", "90101673", "02123456"} {
		c, err := market.ApplicationCheckChar(digits)
		if err != nil {
			f.Fatal(err)
		}
		f.Add("CN"+digits+"."+string(c), uint64(i)*104729, uint8(i))
		f.Add("ZL "+digits+string(c), uint64(i)*7, uint8(i+5))
	}
	f.Fuzz(func(t *testing.T, s string, n uint64, pos uint8) {
		// Anything accepted has a canonical form that is a fixed point, with a valid check character.
		if canon, err := market.NormalizeApplicationNo(s); err != nil {
			checkFieldError(t, fmt.Sprintf("NormalizeApplicationNo(%q)", s), err, "application_no")
		} else {
			checkCanonicalAppNo(t, s, canon)
		}

		// A number built from a valid body and its computed check character is accepted as it is, and
		// with the prefixes and spellings people paste.
		digits := validAppDigits(n)
		c, err := market.ApplicationCheckChar(digits)
		if err != nil {
			t.Fatalf("ApplicationCheckChar(%q): %v", digits, err)
		}
		want := digits + "." + string(c)
		for _, v := range []string{want, "CN" + want, "ZL" + want, digits + string(c), " cn" + strings.ToLower(want) + " "} {
			if got, err := market.NormalizeApplicationNo(v); err != nil || got != want {
				t.Fatalf("NormalizeApplicationNo(%q) = %q, %v; want %q", v, got, err, want)
			}
		}
		// Changing any one character is refused or yields another number (the check catches it).
		b := []byte(want)
		i := int(pos) % len(b)
		if b[i] == '.' {
			return
		}
		alphabet := "0123456789X"
		if i < len(digits) {
			alphabet = "0123456789"
		}
		b[i] = alphabet[(strings.IndexByte(alphabet, b[i])+1+int(n%uint64(len(alphabet)-1)))%len(alphabet)]
		if got, err := market.NormalizeApplicationNo(string(b)); err == nil && got == want {
			t.Fatalf("one changed character %q still normalises to %q", b, want)
		} else if err == nil {
			t.Fatalf("one changed character %q passes the check as %q", b, got)
		}
	})
}

func checkCanonicalAppNo(t *testing.T, in, canon string) {
	t.Helper()
	again, err := market.NormalizeApplicationNo(canon)
	if err != nil || again != canon {
		t.Fatalf("%q → %q, which normalises to %q, %v", in, canon, again, err)
	}
	digits, check, ok := strings.Cut(canon, ".")
	if !ok || (len(digits) != 12 && len(digits) != 8) || len(check) != 1 {
		t.Fatalf("%q → non-canonical %q", in, canon)
	}
	if c, err := market.ApplicationCheckChar(digits); err != nil || string(c) != check {
		t.Fatalf("%q → %q, but the check character of %s is %c (%v)", in, canon, digits, c, err)
	}
	if typ, err := market.TypeFromApplicationNo(canon); err != nil || typ == "" {
		t.Fatalf("%q → %q without a type: %v", in, canon, err)
	}
	if p := market.PatentNumber(canon); p != "ZL"+canon {
		t.Fatalf("PatentNumber(%q) = %q", canon, p)
	} else if back, err := market.NormalizeApplicationNo(p); err != nil || back != canon {
		t.Fatalf("patent number %q normalises to %q, %v", p, back, err)
	}
}

const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// validUSCCOf builds a USCC passing both checks from fuzz numbers: a registration authority and kind,
// a six-digit region and an eight-character organisation code body.
func validUSCCOf(t *testing.T, n, m uint64) string {
	t.Helper()
	var b strings.Builder
	b.WriteByte(usccAlphabet[n%31])
	b.WriteByte(usccAlphabet[(n/31)%31])
	fmt.Fprintf(&b, "%06d", (n/961)%1_000_000)
	for i := 0; i < 8; i++ {
		b.WriteByte(usccAlphabet[m%31])
		m /= 31
	}
	c17, err := market.OrgCodeCheckChar(b.String()[8:16])
	if err != nil {
		t.Fatalf("OrgCodeCheckChar(%q): %v", b.String()[8:16], err)
	}
	b.WriteByte(c17)
	c18, err := market.USCCCheckChar(b.String())
	if err != nil {
		t.Fatalf("USCCCheckChar(%q): %v", b.String(), err)
	}
	b.WriteByte(c18)
	return b.String()
}

func FuzzUSCC(f *testing.F) {
	for _, s := range []string{
		"91310000MA1FL0XXXX", "91310115MA1K4B8R3H", "913101150000000028", "12310000425006117P", "913101150000000029",
		"９１３１０１１５００００００００２８", "9131 0115 0000 0000 28", "91310115000000002", "9131011500000000288",
		"91310115OOOOOOOO28", "9131011A0000000028", "", "\xff\xfe", "91310115ＭＡ1K4B8R3H", "913101150000000O28",
	} {
		f.Add(s, uint64(len(s))*104729, uint64(len(s))*1_000_003, uint8(len(s)))
	}
	// Real-looking codes (enterprises, an institution, a social organisation) with computed check characters.
	for i, first16 := range []string{"91310000MA1FL0XX", "91310115MA1K4B8R", "12310000425006117", "52310104MJ4966LT", "91310000132219340"} {
		first16 = first16[:16]
		c17, err := market.OrgCodeCheckChar(first16[8:])
		if err != nil {
			f.Fatal(err)
		}
		c18, err := market.USCCCheckChar(first16 + string(c17))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(first16+string(c17)+string(c18), uint64(i)*31, uint64(i)*961, uint8(i*3))
		f.Add(strings.ToLower(first16+string(c17)+string(c18)), uint64(i), uint64(i), uint8(i*5))
	}
	f.Fuzz(func(t *testing.T, s string, n, m uint64, pos uint8) {
		canon, warning, err := market.ValidateUSCC(s)
		if err != nil {
			checkFieldError(t, fmt.Sprintf("ValidateUSCC(%q)", s), err, "uscc")
		} else {
			if len(canon) != 18 {
				t.Fatalf("ValidateUSCC(%q) = %q: not 18 characters", s, canon)
			}
			again, w2, err := market.ValidateUSCC(canon)
			if err != nil || again != canon || w2 != warning {
				t.Fatalf("%q → %q (%q) → %q (%q), %v", s, canon, warning, again, w2, err)
			}
			c18, err := market.USCCCheckChar(canon[:17])
			if err != nil {
				t.Fatalf("accepted %q but USCCCheckChar refuses its body: %v", canon, err)
			}
			c17, err := market.OrgCodeCheckChar(canon[8:16])
			if err != nil {
				t.Fatalf("accepted %q but OrgCodeCheckChar refuses chars 9-16: %v", canon, err)
			}
			if ok := c18 == canon[17] && c17 == canon[16]; ok != (warning == "") {
				t.Fatalf("%q: checks pass=%v but warning %q", canon, ok, warning)
			}
		}

		// A code with computed check characters validates without a warning, in any spelling.
		valid := validUSCCOf(t, n, m)
		for _, v := range []string{valid, strings.ToLower(valid), " " + valid[:9] + " " + valid[9:] + "\t"} {
			got, w, err := market.ValidateUSCC(v)
			if err != nil || got != valid || w != "" {
				t.Fatalf("ValidateUSCC(%q) = %q, %q, %v; want %q without warning", v, got, w, err, valid)
			}
		}
		// A one-character change is refused or fails a check.
		b := []byte(valid)
		i := int(pos) % 18
		b[i] = usccAlphabet[(strings.IndexByte(usccAlphabet, b[i])+1+int(m%30))%31]
		if got, w, err := market.ValidateUSCC(string(b)); err == nil && w == "" {
			t.Fatalf("one changed character: %q (from %q) accepted as %q without warning", b, valid, got)
		}
	})
}

func FuzzIPC(f *testing.F) {
	for _, s := range []string{
		"G06F 16/9535", "G06F16/9535", "g06f 16 / 9535", "H04L 9/32", "G06F", "H01M 10/0525(2010.01)I", "Ｇ０６Ｆ　１６／９５３５",
		"A61K 2300/00", "I06F 16/00", "G06F 16/9", "G6F 1/00", "G06F 16/9535;H04L9/32", "H01M 4/36，H01M 10/0525|G06N 3/08\nG06F",
		"G06F 16/9535; g06f16/9535", "", ";;", "\xff", "G06F 16/9535 (2019.01)", "G06F 12345/00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		market.IPCAgainstRegexp(t, s)
		ipc, err := market.ParseIPC(s)
		if err != nil {
			checkFieldError(t, fmt.Sprintf("ParseIPC(%q)", s), err, "ipc")
		} else {
			canon := ipc.String()
			again, err := market.ParseIPC(canon)
			if err != nil || again != ipc || again.String() != canon {
				t.Fatalf("%q → %+v → %q → %+v, %v", s, ipc, canon, again, err)
			}
			if !strings.HasPrefix(ipc.Subclass, ipc.Class) || !strings.HasPrefix(ipc.Class, ipc.Section) ||
				len(ipc.Section) != 1 || len(ipc.Class) != 3 || len(ipc.Subclass) != 4 {
				t.Fatalf("%q → inconsistent levels %+v", s, ipc)
			}
		}
		list, err := market.ParseIPCList(s)
		if err != nil {
			checkFieldError(t, fmt.Sprintf("ParseIPCList(%q)", s), err, "ipc")
			return
		}
		seen := map[string]bool{}
		for _, c := range list {
			p, err := market.ParseIPC(c)
			if err != nil || p.String() != c || seen[c] {
				t.Fatalf("ParseIPCList(%q) = %q: %q is not canonical or repeated (%v)", s, list, c, err)
			}
			seen[c] = true
		}
		again, err := market.ParseIPCList(strings.Join(list, ";"))
		if err != nil || strings.Join(again, ";") != strings.Join(list, ";") {
			t.Fatalf("ParseIPCList(%q) = %q, joined again %q, %v", s, list, again, err)
		}
	})
}
