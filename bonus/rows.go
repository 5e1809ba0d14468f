package bonus

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"patentwall/market"
)

// row is one result row of a loading query, read by column index. bytes is valid until the next row.
type row interface {
	int64(i int) int64
	bool(i int) bool
	str(i int) string
	bytes(i int) []byte
	day(i int) day        // a DATE column (noDay for NULL)
	instantDay(i int) day // the Shanghai day of a timestamp column (noDay for NULL)
}

// Postgres: pgx in binary result format, decoded by hand. database/sql would box every value in an
// interface and convert it again; for a million rows that was most of a run's time.

// pgEpochDays and pgEpochMicros place Postgres' epoch, 2000-01-01 UTC, against Unix time.
const (
	pgEpochDays   = 10957
	pgEpochMicros = 946684800 * 1_000_000
)

var errNoPgx = errors.New("the Postgres connection is not pgx")

func eachPg(ctx context.Context, db *sql.DB, query string, fn func(row) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errNoPgx
		}
		rows, err := sc.Conn().Query(ctx, query, pgx.QueryResultFormats{pgx.BinaryFormatCode})
		if err != nil {
			return err
		}
		defer rows.Close()
		r := &pgRow{}
		for rows.Next() {
			r.vals = rows.RawValues()
			if err := fn(r); err != nil {
				return err
			}
			if r.err != nil {
				return r.err
			}
		}
		return rows.Err()
	})
}

type pgRow struct {
	vals [][]byte
	err  error
}

func (r *pgRow) fail(i int, what string) {
	if r.err == nil {
		r.err = fmt.Errorf("column %d: unexpected %s value of %d bytes", i, what, len(r.vals[i]))
	}
}

func (r *pgRow) int64(i int) int64 {
	b := r.vals[i]
	switch len(b) {
	case 8:
		return int64(binary.BigEndian.Uint64(b))
	case 4:
		return int64(int32(binary.BigEndian.Uint32(b)))
	case 2:
		return int64(int16(binary.BigEndian.Uint16(b)))
	case 0:
		if b == nil {
			return 0
		}
	}
	r.fail(i, "integer")
	return 0
}

func (r *pgRow) bool(i int) bool { return len(r.vals[i]) == 1 && r.vals[i][0] == 1 }

func (r *pgRow) str(i int) string { return string(r.vals[i]) }

func (r *pgRow) bytes(i int) []byte { return r.vals[i] }

func (r *pgRow) day(i int) day {
	b := r.vals[i]
	if b == nil {
		return noDay
	}
	if len(b) != 4 {
		r.fail(i, "date")
		return noDay
	}
	v := int32(binary.BigEndian.Uint32(b))
	if v == math.MaxInt32 || v == math.MinInt32 { // ±infinity
		return noDay
	}
	return day(v) + pgEpochDays
}

func (r *pgRow) instantDay(i int) day {
	b := r.vals[i]
	if b == nil {
		return noDay
	}
	if len(b) != 8 {
		r.fail(i, "timestamp")
		return noDay
	}
	v := int64(binary.BigEndian.Uint64(b))
	if v == math.MaxInt64 || v == math.MinInt64 {
		return noDay
	}
	return dayOfInstant(time.UnixMicro(v + pgEpochMicros))
}

// SQLite (and any other database/sql driver): values as the driver returns them.

func eachSQL(ctx context.Context, db *sql.DB, query string, fn func(row) error) error {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	r := &sqlRow{vals: make([]any, len(cols))}
	ptrs := make([]any, len(cols))
	for i := range ptrs {
		ptrs[i] = &r.vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
		if r.err != nil {
			return r.err
		}
	}
	return rows.Err()
}

type sqlRow struct {
	vals []any
	err  error
}

func (r *sqlRow) fail(i int, what string) {
	if r.err == nil {
		r.err = fmt.Errorf("column %d: cannot read %T as %s", i, r.vals[i], what)
	}
}

func (r *sqlRow) int64(i int) int64 {
	switch v := r.vals[i].(type) {
	case int64:
		return v
	case nil:
		return 0
	case []byte:
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err == nil {
			return n
		}
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			return n
		}
	}
	r.fail(i, "integer")
	return 0
}

func (r *sqlRow) bool(i int) bool {
	switch v := r.vals[i].(type) {
	case bool:
		return v
	case int64:
		return v != 0
	case []byte:
		return string(v) == "1" || string(v) == "true"
	case string:
		return v == "1" || v == "true"
	}
	return false
}

func (r *sqlRow) bytes(i int) []byte {
	switch v := r.vals[i].(type) {
	case []byte:
		return v
	case string:
		return []byte(v)
	case nil:
		return nil
	}
	r.fail(i, "text")
	return nil
}

func (r *sqlRow) str(i int) string { return string(r.bytes(i)) }

func (r *sqlRow) day(i int) day {
	var d market.Date
	if err := d.Scan(r.vals[i]); err != nil {
		r.fail(i, "date")
		return noDay
	}
	return dayOf(d)
}

var instantLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"}

func (r *sqlRow) instantDay(i int) day {
	var s string
	switch v := r.vals[i].(type) {
	case nil:
		return noDay
	case time.Time:
		return dayOfInstant(v)
	case []byte:
		s = string(v)
	case string:
		s = v
	}
	for _, layout := range instantLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return dayOfInstant(t)
		}
	}
	r.fail(i, "timestamp")
	return noDay
}
