package market_test

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"patentwall/market"
	"patentwall/market/markettest"
)

func TestPingAndMigrate(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("ping: %v", err)
		}
		// markettest migrated the database already: nothing is pending.
		if n, err := s.Migrate(t.Context()); err != nil || n != 0 {
			t.Errorf("second migration: %d applied, %v", n, err)
		}
		s.Close()
		if err := s.Ping(t.Context()); err == nil {
			t.Error("ping on a closed store succeeded")
		}
	})
}

// Two stores on one SQLite file, as a server and a CLI command are: a transaction that reads and then
// writes waits for the other process's write transaction (BEGIN IMMEDIATE and busy_timeout) instead of
// failing with SQLITE_BUSY when it tries to turn its read into a write.
func TestSQLiteWriteTransactionsWaitAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "two.db")
	a, err := market.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	b, err := market.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := a.SetMeta(t.Context(), "counter", "0"); err != nil {
		t.Fatal(err)
	}
	readThenWrite := func(s *market.Store, hold time.Duration, started chan<- struct{}) error {
		return s.Tx(t.Context(), func(tx *gorm.DB) error {
			var v string
			if err := tx.Raw("SELECT value FROM meta WHERE key = 'counter'").Scan(&v).Error; err != nil {
				return err
			}
			if started != nil {
				close(started)
			}
			time.Sleep(hold)
			n, _ := strconv.Atoi(v)
			return tx.Exec("UPDATE meta SET value = ? WHERE key = 'counter'", strconv.Itoa(n+1)).Error
		})
	}
	started := make(chan struct{})
	first := make(chan error, 1)
	go func() { first <- readThenWrite(a, 400*time.Millisecond, started) }()
	<-started
	if err := readThenWrite(b, 0, nil); err != nil {
		t.Errorf("second process's read-then-write transaction: %v", err)
	}
	if err := <-first; err != nil {
		t.Errorf("first process's transaction: %v", err)
	}
	// Neither increment was lost: the second read what the first wrote.
	if v, err := b.GetMeta(t.Context(), "counter"); err != nil || v != "2" {
		t.Errorf("counter = %q, %v; want 2", v, err)
	}
}

// The SQLite connections write times in the driver's default format, the one earlier versions wrote
// with _time_format=sqlite: "2006-01-02 15:04:05.999999999-07:00", in UTC.
func TestSQLiteTimeFormat(t *testing.T) {
	s := markettest.SQLite(t)
	at := time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)
	if err := s.Gorm().Exec("CREATE TABLE time_probe (at DATETIME)").Error; err != nil {
		t.Fatal(err)
	}
	if err := s.Tx(t.Context(), func(tx *gorm.DB) error {
		return tx.Exec("INSERT INTO time_probe (at) VALUES (?)", at).Error
	}); err != nil {
		t.Fatal(err)
	}
	var raw string
	if err := s.Gorm().Raw("SELECT CAST(at AS TEXT) FROM time_probe").Scan(&raw).Error; err != nil {
		t.Fatal(err)
	}
	if want := "2026-03-04 05:06:07.123456+00:00"; raw != want {
		t.Errorf("stored time %q, want %q", raw, want)
	}
	var back time.Time
	if err := s.Gorm().Raw("SELECT at FROM time_probe").Scan(&back).Error; err != nil {
		t.Fatal(err)
	}
	if !back.Equal(at) {
		t.Errorf("read back %v, want %v", back, at)
	}
}

// The SQLite writer's pragmas take effect (the driver silently ignores parameters it cannot read).
func TestSQLiteWriterPragmas(t *testing.T) {
	s := markettest.SQLite(t)
	for pragma, want := range map[string]int64{"temp_store": 2, "foreign_keys": 1, "synchronous": 1} {
		var got int64
		if err := s.Gorm().Raw("PRAGMA " + pragma).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %d, want %d", pragma, got, want)
		}
	}
}
