package market_test

import (
	"encoding/json"
	"testing"

	"patentwall/market"
)

// FuzzParsePercentBP: percentages parse into basis points the way amounts parse into fen, and an
// accepted text's canonical form (market.PercentText) reads back to the same value.
func FuzzParsePercentBP(f *testing.F) {
	for _, s := range []string{"5", "5.25", "0.01", "100", "100.00", "１２.５", "-1", "5.255", "5%", "", "1e2", "\xff"} {
		f.Add(s, int64(len(s))*523)
	}
	f.Fuzz(func(t *testing.T, s string, n int64) {
		bp, fe := market.ParsePercentBP("royalty_percent", s)
		if fe != nil {
			if bp != 0 || fe.Field != "royalty_percent" || fe.Code == "" || fe.MessageZH == "" || fe.MessageEN == "" {
				t.Fatalf("ParsePercentBP(%q) = %d, %+v", s, bp, fe)
			}
		} else if back, fe := market.ParsePercentBP("royalty_percent", market.PercentText(bp)); fe != nil || back != bp {
			t.Fatalf("%q → %d bp → %q → %d, %v", s, bp, market.PercentText(bp), back, fe)
		}
		if n < 0 {
			n = -(n + 1)
		}
		v := n % 1_000_000_00
		if back, fe := market.ParsePercentBP("p", market.PercentText(v)); fe != nil || back != v {
			t.Fatalf("PercentText(%d) = %q parses to %d, %v", v, market.PercentText(v), back, fe)
		}
	})
}

// FuzzNumericJSON: a Numeric keeps a JSON number's or string's text exactly, and writes it back as a
// JSON value that decodes to the same text.
func FuzzNumericJSON(f *testing.F) {
	for _, s := range []string{`12.5`, `"12.50"`, `null`, `"１２.５"`, `0`, `-3`, `1e3`, `""`, `"\u00e9"`, ` 7 `, `"a\"b"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var n market.Numeric
		if err := json.Unmarshal(b, &n); err != nil {
			return // not JSON: encoding/json refuses it before Numeric sees it
		}
		out, err := json.Marshal(n)
		if err != nil {
			t.Fatalf("%q → %q: marshal: %v", b, string(n), err)
		}
		var back market.Numeric
		if err := json.Unmarshal(out, &back); err != nil || back != n {
			t.Fatalf("%q → %q → %s → %q, %v", b, string(n), out, string(back), err)
		}
		if fen, fe := market.ParseYuan("x", string(n)); fe == nil {
			if again, fe := market.ParseYuan("x", market.Fen(fen).String()); fe != nil || again != fen {
				t.Fatalf("%q: %d fen does not round-trip", string(n), fen)
			}
		}
	})
}
