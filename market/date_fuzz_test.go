package market_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"patentwall/market"
)

// FuzzParseDate: ParseDateField never panics; what it accepts formats as YYYY-MM-DD and reads back to
// the same day through every path a date takes (the parser, JSON text, the database scanner); what it
// refuses is a complete FieldError naming the field. Every calendar day formats to text it accepts.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2021-03-05", " 2021-03-05 ", "2024-02-29", "2023-02-29", "2021-3-5", "2021/03/05", "20210305",
		"2021-13-01", "2021-00-10", "0001-01-01", "0000-12-31", "9999-12-31", "2021-03-05T00:00:00Z", "", "\xff", "２０２１-03-05"} {
		f.Add(s, int64(len(s))*86_400*365)
	}
	f.Fuzz(func(t *testing.T, s string, secs int64) {
		d, fe := market.ParseDateField("founded_on", s)
		if fe != nil {
			if fe.Field != "founded_on" || fe.Code != "invalid_date" || fe.MessageZH == "" || fe.MessageEN == "" {
				t.Fatalf("ParseDateField(%q): incomplete error %+v", s, fe)
			}
			if _, err := market.ParseDate(s); err == nil {
				t.Fatalf("ParseDateField refuses %q but ParseDate accepts it", s)
			}
		} else {
			checkDateRoundTrip(t, s, d)
		}
		// Any day of years 1000-9999 round-trips through its text.
		day := market.DateOf(time.Unix(secs%253_402_300_800, 0))
		if y := day.Year(); y >= 1000 && y <= 9999 {
			checkDateRoundTrip(t, fmt.Sprint(secs), day)
		}
	})
}

func checkDateRoundTrip(t *testing.T, in string, d market.Date) {
	t.Helper()
	s := d.String()
	if len(s) != 10 {
		t.Fatalf("%q → date %q is not YYYY-MM-DD", in, s)
	}
	back, err := market.ParseDate(s)
	if err != nil || back != d {
		t.Fatalf("%q → %q → %v, %v", in, s, back, err)
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var fromJSON market.Date
	if err := json.Unmarshal(b, &fromJSON); err != nil || fromJSON != d {
		t.Fatalf("%q → JSON %s → %v, %v", in, b, fromJSON, err)
	}
	v, err := d.Value()
	if err != nil {
		t.Fatal(err)
	}
	var scanned market.Date
	if err := scanned.Scan(v); err != nil || scanned != d {
		t.Fatalf("%q → stored %v → scanned %v, %v", in, v, scanned, err)
	}
	if err := scanned.Scan(d.Time()); err != nil || scanned != d {
		t.Fatalf("%q → DATE column %v → scanned %v, %v", in, d.Time(), scanned, err)
	}
}
