package market

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Shanghai is the zone every date and time is shown in; times are stored in UTC.
var Shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// No tzdata on the machine: China has had no DST since 1991, so a fixed zone is exact.
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// Date is a calendar day (YYYY-MM-DD) with no time zone: filing dates, grant dates, founding dates.
// Stored as DATE on Postgres and TEXT on SQLite; the zero value is NULL.
type Date struct{ t time.Time }

// ParseDate parses YYYY-MM-DD (surrounding spaces allowed) from storage, JSON and built-in data. Its
// error is a plain error with ParseDateField's English message: a stored value that is not a date is
// a fault, not a user's mistake. User input goes through ParseDateField.
func ParseDate(s string) (Date, error) {
	d, fe := ParseDateField("", s)
	if fe != nil {
		return Date{}, errors.New(fe.MessageEN)
	}
	return d, nil
}

// ParseDateField parses a typed or imported YYYY-MM-DD; the error names field and says, in both
// languages, what a date must look like. Callers that allow an empty value check for it first.
func ParseDateField(field, s string) (Date, *FieldError) {
	s = strings.TrimSpace(s)
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, NewFieldError(field, "invalid_date",
			fmt.Sprintf("日期“%s”无效：日期格式应为 YYYY-MM-DD（如 2021-03-05）", s),
			fmt.Sprintf("date %q is not YYYY-MM-DD (e.g. 2021-03-05)", s))
	}
	if t.IsZero() {
		// 0001-01-01 is the zero Date, which means "no date" (NULL): accepting it would drop the value.
		return Date{}, NewFieldError(field, "invalid_date", fmt.Sprintf("日期“%s”超出范围", s),
			fmt.Sprintf("date %q is out of range", s))
	}
	return Date{t}, nil
}

// MustDate parses or panics; for tests and built-in data.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the Shanghai calendar day of an instant.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Shanghai).Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// NewDate builds a date from its parts.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

func (d Date) IsZero() bool       { return d.t.IsZero() }
func (d Date) Time() time.Time    { return d.t }
func (d Date) Before(o Date) bool { return d.t.Before(o.t) }
func (d Date) After(o Date) bool  { return d.t.After(o.t) }
func (d Date) Year() int          { return d.t.Year() }

// AddDate adds years, months and days.
func (d Date) AddDate(y, m, days int) Date { return Date{d.t.AddDate(y, m, days)} }

// Start returns midnight of the day in Shanghai, as an instant.
func (d Date) Start() time.Time {
	y, m, dd := d.t.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, Shanghai)
}

// String formats the day as YYYY-MM-DD ("" for the zero date): the one form dates are written in.
func (d Date) String() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.Format("2006-01-02")
}

// FormatDay shows the Shanghai day of an instant as YYYY-MM-DD ("" for the zero time).
func FormatDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return DateOf(t).String()
}

// FormatDateTime shows an instant as Shanghai time to the minute, "2006-01-02 15:04" ("" for the zero time).
func FormatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Shanghai).Format("2006-01-02 15:04")
}

// Value implements driver.Valuer.
func (d Date) Value() (driver.Value, error) {
	if d.t.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan implements sql.Scanner for DATE (time.Time) and TEXT columns.
func (d *Date) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*d = Date{}
	case time.Time:
		y, m, dd := x.Date()
		*d = NewDate(y, m, dd)
	case string:
		return d.scanString(x)
	case []byte:
		return d.scanString(string(x))
	default:
		return fmt.Errorf("market.Date: cannot scan %T", v)
	}
	return nil
}

func (d *Date) scanString(s string) error {
	if len(s) > 10 {
		s = s[:10]
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(s)
	*d = p
	return err
}

// MarshalText implements encoding.TextMarshaler (JSON as "YYYY-MM-DD").
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(string(b))
	*d = p
	return err
}

// GormDataType tells GORM the column type.
func (Date) GormDataType() string { return "date" }
