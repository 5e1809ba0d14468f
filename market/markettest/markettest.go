// Package markettest opens real, migrated databases for tests: SQLite in a temporary folder always,
// and Postgres when the standard PG* variables name a server (make test starts a throwaway cluster).
package markettest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"patentwall/market"
)

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t.UTC()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t.UTC(); c.mu.Unlock() }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// SQLite opens a migrated SQLite database in t.TempDir().
func SQLite(t testing.TB) *market.Store {
	t.Helper()
	s, err := market.Open(filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	migrate(t, s)
	t.Cleanup(func() { s.Close() })
	return s
}

// PostgresAvailable reports whether PG* variables point at a server.
func PostgresAvailable() bool {
	return os.Getenv("PGHOST") != "" || os.Getenv("PATENTWALL_TEST_PG") != ""
}

// RequirePostgres reports whether a missing Postgres must fail the test run (make test sets it, so CI
// cannot silently skip the Postgres half).
func RequirePostgres() bool { return os.Getenv("PATENTWALL_REQUIRE_PG") == "1" }

var (
	tmplOnce sync.Once
	tmplErr  error
)

// templateDB is this process's migrated template.
var templateDB = fmt.Sprintf("tmpl_%d_%s", os.Getpid(), randHex(3))

// serverDSN builds a DSN for database name from PATENTWALL_TEST_PG (a postgres:// URL without
// database) or the standard PG* variables.
func serverDSN(name string) string {
	if u := os.Getenv("PATENTWALL_TEST_PG"); u != "" {
		return fmt.Sprintf("%s/%s?sslmode=disable", u, name)
	}
	dsn := fmt.Sprintf("host=%s dbname=%s sslmode=disable", os.Getenv("PGHOST"), name)
	for env, key := range map[string]string{"PGPORT": "port", "PGUSER": "user", "PGPASSWORD": "password"} {
		if v := os.Getenv(env); v != "" {
			dsn += fmt.Sprintf(" %s=%s", key, v)
		}
	}
	return dsn
}

// Postgres creates a fresh, migrated database on the test server and drops it after the test.
// It skips when no server is configured, and fails instead when RequirePostgres().
func Postgres(t testing.TB) *market.Store {
	t.Helper()
	if !PostgresAvailable() {
		if RequirePostgres() {
			t.Fatal("Postgres required (PATENTWALL_REQUIRE_PG=1) but PGHOST is not set")
		}
		t.Skip("no Postgres: set PGHOST (make test starts a throwaway cluster)")
	}
	admin, err := market.Open(serverDSN(pgAdminDB()))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	tmplOnce.Do(func() { tmplErr = makeTemplate(admin) })
	if tmplErr != nil {
		t.Fatal(tmplErr)
	}
	name := "t_" + randHex(6)
	if err := admin.Gorm().Exec("CREATE DATABASE " + name + " TEMPLATE " + templateDB).Error; err != nil {
		t.Fatal(err)
	}
	s, err := market.Open(serverDSN(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		if a, err := market.Open(serverDSN(pgAdminDB())); err == nil {
			a.Gorm().Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			a.Close()
		}
	})
	return s
}

// RecreatePostgres drops the database name on the server adminDSN connects to (ending its sessions),
// creates it empty and returns it opened with dsn (which names it) and migrated. Benchmarks use it for
// a database that outlives a test; tests use Postgres.
func RecreatePostgres(ctx context.Context, adminDSN, name, dsn string) (*market.Store, error) {
	admin, err := market.Open(adminDSN)
	if err != nil {
		return nil, err
	}
	admin.Gorm().WithContext(ctx).Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	err = admin.Gorm().WithContext(ctx).Exec("CREATE DATABASE " + name).Error
	admin.Close()
	if err != nil {
		return nil, err
	}
	s, err := market.Open(dsn)
	if err != nil {
		return nil, err
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func pgAdminDB() string {
	if v := os.Getenv("PGDATABASE"); v != "" {
		return v
	}
	return "postgres"
}

// makeTemplate migrates a template database once per test process. Each process (go test runs
// packages in parallel) has its own template, so no one is connected to it while another copies it.
func makeTemplate(admin *market.Store) error {
	ctx := context.Background()
	if err := admin.Gorm().WithContext(ctx).Exec("CREATE DATABASE " + templateDB).Error; err != nil {
		return err
	}
	s, err := market.Open(serverDSN(templateDB))
	if err != nil {
		return err
	}
	defer s.Close()
	_, err = s.Migrate(ctx)
	return err
}

// Each runs fn once on SQLite and once on Postgres, as subtests.
func Each(t *testing.T, fn func(t *testing.T, s *market.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

func migrate(t testing.TB, s *market.Store) {
	t.Helper()
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
