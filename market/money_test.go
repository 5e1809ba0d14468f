package market_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"patentwall/market"
)

func TestParseYuan(t *testing.T) {
	for _, c := range []struct {
		in   string
		want market.Fen
		code string
	}{
		{"0", 0, ""}, {"00", 0, ""}, {"0.00", 0, ""}, {"1", 100, ""}, {"12.5", 1250, ""}, {"12.50", 1250, ""},
		{"0.01", 1, ""}, {"0.1", 10, ""}, {"\t 7 \n", 700, ""}, {"007.1", 710, ""},
		// Full-width digits and the full-width point (and 。) that Chinese input methods type.
		{"１２.５", 1250, ""}, {"１２．５０", 1250, ""}, {"12。5", 1250, ""}, {"　3　", 300, ""},
		// The largest amount: 13 digits of yuan, whatever the leading zeros.
		{"9999999999999.99", 999999999999999, ""}, {"0009999999999999", 999999999999900, ""},
		{"", 0, "required"}, {"   ", 0, "required"},
		{"-0.5", 0, "negative"}, {"-0", 0, "negative"}, {"－5", 0, "negative"},
		{"1.005", 0, "too_many_decimals"}, {"0.125", 0, "too_many_decimals"},
		{"10000000000000", 0, "too_large"}, {"99999999999999999999999", 0, "too_large"},
		{"12.", 0, "invalid_format"}, {".5", 0, "invalid_format"}, {"+5", 0, "invalid_format"},
		{"1,000", 0, "invalid_format"}, {"1 000", 0, "invalid_format"}, {"1_000", 0, "invalid_format"},
		{"1.2.3", 0, "invalid_format"}, {"1e3", 0, "invalid_format"}, {"¥5", 0, "invalid_format"},
		{"5元", 0, "invalid_format"}, {"NaN", 0, "invalid_format"}, {"0x10", 0, "invalid_format"},
		{"１,０００", 0, "invalid_format"}, {"٣", 0, "invalid_format"},
	} {
		got, fe := market.ParseYuan("fee_yuan", c.in)
		code := ""
		if fe != nil {
			code = fe.Code
			if fe.Field != "fee_yuan" || fe.MessageZH == "" || fe.MessageEN == "" {
				t.Errorf("%q: incomplete error %+v", c.in, fe)
			}
		}
		if got != c.want || code != c.code {
			t.Errorf("ParseYuan(%q) = %d, %q; want %d, %q", c.in, got, code, c.want, c.code)
		}
		// The int64 form is the same parser.
		if v, fe2 := market.ParseYuanFen("fee_yuan", c.in); v != int64(got) || (fe2 == nil) != (fe == nil) {
			t.Errorf("ParseYuanFen(%q) = %d, %v; ParseYuan gave %d, %v", c.in, v, fe2, got, fe)
		}
	}
}

func TestParseYuanMessages(t *testing.T) {
	for in, want := range map[string][2]string{
		"":                 {"请填写金额（元）", "amount in yuan is required"},
		"-3":               {"金额“-3”不能为负数", `amount "-3" must not be negative`},
		"1.234":            {"金额“1.234”最多保留两位小数（分）", `amount "1.234" has more than two decimals (fen)`},
		"1e99":             {"金额“1e99”格式错误：应为以元为单位的数字，最多两位小数，如 12.50（不带符号、逗号）", `amount "1e99" must be a number of yuan with at most two decimals, e.g. 12.50 (no sign or separators)`},
		" 10000000000000 ": {"金额“10000000000000”过大", `amount "10000000000000" is too large`},
	} {
		_, fe := market.ParseYuan("x", in)
		if fe == nil || fe.MessageZH != want[0] || fe.MessageEN != want[1] {
			t.Errorf("ParseYuan(%q): %+v, want %q / %q", in, fe, want[0], want[1])
		}
	}
}

func TestParseSignedYuan(t *testing.T) {
	for _, c := range []struct {
		in   string
		want market.Fen
		code string
	}{
		{"5", 500, ""}, {"-5", -500, ""}, {" -0.05 ", -5, ""}, {"- 5", -500, ""}, {"－１.５", -150, ""}, {"-0", 0, ""},
		{"-9999999999999.99", -999999999999999, ""},
		{"", 0, "required"}, {"-", 0, "required"}, {"--5", 0, "negative"}, {"+5", 0, "invalid_format"},
		{"-1.234", 0, "too_many_decimals"}, {"-10000000000000", 0, "too_large"}, {"-x", 0, "invalid_format"},
	} {
		got, fe := market.ParseSignedYuan("cap_yuan", c.in)
		code := ""
		if fe != nil {
			code = fe.Code
			if fe.Field != "cap_yuan" {
				t.Errorf("%q: field %q", c.in, fe.Field)
			}
		}
		if got != c.want || code != c.code {
			t.Errorf("ParseSignedYuan(%q) = %d, %q; want %d, %q", c.in, got, code, c.want, c.code)
		}
	}
	// The message quotes what was typed, sign included.
	if _, fe := market.ParseSignedYuan("x", "-1.234"); fe == nil || !strings.Contains(fe.MessageZH, "“-1.234”") {
		t.Errorf("-1.234: %v", fe)
	}
}

func TestFenFormat(t *testing.T) {
	for _, c := range []struct {
		fen                    market.Fen
		plain, grouped, zh, en string
	}{
		{0, "0.00", "0.00", "0.00 元", "¥0.00"},
		{5, "0.05", "0.05", "0.05 元", "¥0.05"},
		{10, "0.10", "0.10", "0.10 元", "¥0.10"},
		{99999, "999.99", "999.99", "999.99 元", "¥999.99"},
		{100000, "1000.00", "1,000.00", "1,000.00 元", "¥1,000.00"},
		{123450, "1234.50", "1,234.50", "1,234.50 元", "¥1,234.50"},
		{12345678901, "123456789.01", "123,456,789.01", "123,456,789.01 元", "¥123,456,789.01"},
		{-5, "-0.05", "-0.05", "-0.05 元", "-¥0.05"},
		{-100050, "-1000.50", "-1,000.50", "-1,000.50 元", "-¥1,000.50"},
		{math.MaxInt64, "92233720368547758.07", "92,233,720,368,547,758.07", "92,233,720,368,547,758.07 元", "¥92,233,720,368,547,758.07"},
		{math.MinInt64, "-92233720368547758.08", "-92,233,720,368,547,758.08", "-92,233,720,368,547,758.08 元", "-¥92,233,720,368,547,758.08"},
	} {
		if got := c.fen.String(); got != c.plain {
			t.Errorf("Fen(%d).String() = %q, want %q", int64(c.fen), got, c.plain)
		}
		if got := string(c.fen.AppendYuan([]byte("x"))); got != "x"+c.plain {
			t.Errorf("Fen(%d).AppendYuan = %q", int64(c.fen), got)
		}
		if got := c.fen.Grouped(); got != c.grouped {
			t.Errorf("Fen(%d).Grouped() = %q, want %q", int64(c.fen), got, c.grouped)
		}
		if got := c.fen.Display("zh"); got != c.zh {
			t.Errorf("Fen(%d).Display(zh) = %q, want %q", int64(c.fen), got, c.zh)
		}
		if got := c.fen.Display("en"); got != c.en {
			t.Errorf("Fen(%d).Display(en) = %q, want %q", int64(c.fen), got, c.en)
		}
	}
	// A Fen is an integer to fmt's %d and to JSON, and its text to %s and %v.
	fen := market.Fen(1250)
	if got := fmt.Sprintf("%d %s %v", fen, fen, fen); got != "1250 12.50 12.50" {
		t.Errorf("fmt: %q", got)
	}
	if j, err := json.Marshal(struct{ F market.Fen }{fen}); err != nil || string(j) != `{"F":1250}` {
		t.Errorf("json: %s %v", j, err)
	}
}

func TestFenStringAllocs(t *testing.T) {
	fen := market.Fen(-123456789)
	if n := testing.AllocsPerRun(100, func() { _ = fen.String() }); n > 1 {
		t.Errorf("Fen.String allocates %v times, want at most 1 (the string)", n)
	}
	buf := make([]byte, 0, 32)
	if n := testing.AllocsPerRun(100, func() { buf = fen.AppendYuan(buf[:0]) }); n != 0 {
		t.Errorf("Fen.AppendYuan into a large enough buffer allocates %v times", n)
	}
}

func TestPercentText(t *testing.T) {
	for bp, want := range map[int64][2]string{0: {"0.00", "0"}, 5: {"0.05", "0.05"}, 50: {"0.50", "0.5"}, 525: {"5.25", "5.25"},
		550: {"5.50", "5.5"}, 2000: {"20.00", "20"}, 10000: {"100.00", "100"}} {
		if got := market.PercentText(bp); got != want[0] {
			t.Errorf("PercentText(%d) = %q, want %q", bp, got, want[0])
		}
		if got := market.PercentShort(bp); got != want[1] {
			t.Errorf("PercentShort(%d) = %q, want %q", bp, got, want[1])
		}
		if got, fe := market.ParsePercentBP("p", market.PercentText(bp)); fe != nil || got != bp {
			t.Errorf("ParsePercentBP(PercentText(%d)) = %d, %v", bp, got, fe)
		}
	}
}

func TestParseDateField(t *testing.T) {
	for _, in := range []string{"2021-03-05", " 2021-03-05 ", "2020-02-29"} {
		d, fe := market.ParseDateField("filed_on", in)
		if fe != nil || d.String() != strings.TrimSpace(in) {
			t.Errorf("ParseDateField(%q) = %v, %v", in, d, fe)
		}
		if p, err := market.ParseDate(in); err != nil || p != d {
			t.Errorf("ParseDate(%q) = %v, %v", in, p, err)
		}
	}
	for _, in := range []string{"", "2021/03/05", "2021-3-5", "05-03-2021", "2021-02-30", "2021-13-01", "44260",
		"2021-03-05T00:00:00Z", "２０２１-０３-０５"} {
		_, fe := market.ParseDateField("filed_on", in)
		if fe == nil || fe.Code != "invalid_date" || fe.Field != "filed_on" {
			t.Errorf("ParseDateField(%q) = %v", in, fe)
			continue
		}
		s := strings.TrimSpace(in)
		if fe.MessageZH != "日期“"+s+"”无效：日期格式应为 YYYY-MM-DD（如 2021-03-05）" ||
			fe.MessageEN != `date "`+s+`" is not YYYY-MM-DD (e.g. 2021-03-05)` {
			t.Errorf("ParseDateField(%q) messages %q / %q", in, fe.MessageZH, fe.MessageEN)
		}
		// The plain form is not a user error: a stored value that is not a date is a fault.
		if _, err := market.ParseDate(in); err == nil || market.AsFieldErrors(err) != nil || err.Error() != fe.MessageEN {
			t.Errorf("ParseDate(%q) error %v", in, err)
		}
	}
}

// TestParseDateAllocs guards the bonus loader, which scans every SQLite date through ParseDate.
func TestParseDateAllocs(t *testing.T) {
	var d market.Date
	if n := testing.AllocsPerRun(100, func() { d, _ = market.ParseDate("2021-03-05") }); n != 0 || d.String() != "2021-03-05" {
		t.Errorf("ParseDate of a good date allocates %v times", n)
	}
}

func TestFormatDayAndDateTime(t *testing.T) {
	late := time.Date(2024, 5, 19, 16, 30, 0, 0, time.UTC) // 00:30 on the 20th in Shanghai
	if got := market.FormatDay(late); got != "2024-05-20" {
		t.Errorf("FormatDay = %q", got)
	}
	if got := market.FormatDateTime(late); got != "2024-05-20 00:30" {
		t.Errorf("FormatDateTime = %q", got)
	}
	if market.FormatDay(time.Time{}) != "" || market.FormatDateTime(time.Time{}) != "" {
		t.Error("the zero time should show as nothing")
	}
}

// FuzzParseYuan: the parsers never panic; an accepted text formats to a text that parses back to the
// same amount; and every amount in range formats to a text they accept.
func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"0", "12.5", "12.50", "0.01", " 7 ", "１２.５", "12。5", "9999999999999.99", "10000000000000",
		"-0.5", "-", "--1", "1.005", "12.", ".5", "+5", "1,000", "1e3", "¥5", "", "\xff", "0000000000000000000001.1"} {
		f.Add(s, int64(len(s)*12345))
	}
	f.Add("-1", int64(-1))
	f.Add("1", int64(math.MinInt64))
	f.Add("1", int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, s string, n int64) {
		for _, parse := range []func(string, string) (market.Fen, *market.FieldError){market.ParseYuan, market.ParseSignedYuan} {
			v, fe := parse("f", s)
			if fe != nil {
				if v != 0 || fe.Code == "" || fe.MessageZH == "" || fe.MessageEN == "" {
					t.Fatalf("%q: %d, %+v", s, v, fe)
				}
				continue
			}
			back, fe := parse("f", v.String())
			if fe != nil || back != v {
				t.Fatalf("%q → %d → %q → %d, %v", s, v, v.String(), back, fe)
			}
		}
		// Every amount within the typed range formats to a text the parser reads back.
		const maxFen = 999999999999999
		v := market.Fen(n % (maxFen + 1))
		if got, fe := market.ParseSignedYuan("f", v.String()); fe != nil || got != v {
			t.Fatalf("Fen(%d).String() = %q parses to %d, %v", int64(v), v.String(), got, fe)
		}
		if v >= 0 {
			if got, fe := market.ParseYuan("f", v.String()); fe != nil || got != v {
				t.Fatalf("Fen(%d).String() = %q parses to %d, %v", int64(v), v.String(), got, fe)
			}
		}
		if g := strings.ReplaceAll(v.Grouped(), ",", ""); g != v.String() {
			t.Fatalf("Fen(%d): grouped %q, plain %q", int64(v), v.Grouped(), v.String())
		}
	})
}
