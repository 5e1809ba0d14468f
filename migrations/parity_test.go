package migrations_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/market/markettest"
	"patentwall/migrations"
)

// schema is a dialect-neutral view of a database: table → columns, and unique indexes as
// "table(col,col)" (partial ones with their predicate's column names).
type schema struct {
	Columns map[string][]string
	Uniques []string
}

func sqliteSchema(t *testing.T, s *market.Store) schema {
	sc := schema{Columns: map[string][]string{}}
	var tables []string
	s.Gorm().Raw(`SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'`).Scan(&tables)
	for _, tb := range tables {
		var cols []struct{ Name string }
		s.Gorm().Raw(fmt.Sprintf("PRAGMA table_info(%q)", tb)).Scan(&cols)
		for _, c := range cols {
			sc.Columns[tb] = append(sc.Columns[tb], c.Name)
		}
		sort.Strings(sc.Columns[tb])
		// Unique indexes, including primary keys declared inline.
		var idx []struct {
			Name   string
			Unique int
			Origin string
		}
		s.Gorm().Raw(fmt.Sprintf("PRAGMA index_list(%q)", tb)).Scan(&idx)
		for _, ix := range idx {
			if ix.Unique == 0 || ix.Origin == "pk" {
				continue
			}
			var ic []struct{ Name string }
			s.Gorm().Raw(fmt.Sprintf("PRAGMA index_info(%q)", ix.Name)).Scan(&ic)
			names := make([]string, len(ic))
			for i, c := range ic {
				names[i] = c.Name
			}
			sc.Uniques = append(sc.Uniques, tb+"("+strings.Join(names, ",")+")")
		}
	}
	sort.Strings(sc.Uniques)
	return sc
}

var uniqueCols = regexp.MustCompile(`\(([^)]*)\)`)

func postgresSchema(t *testing.T, s *market.Store) schema {
	sc := schema{Columns: map[string][]string{}}
	var cols []struct{ TableName, ColumnName string }
	s.Gorm().Raw(`SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name <> 'goose_db_version' ORDER BY table_name, column_name`).Scan(&cols)
	for _, c := range cols {
		sc.Columns[c.TableName] = append(sc.Columns[c.TableName], c.ColumnName)
	}
	var idx []struct{ Tablename, Indexname, Indexdef string }
	s.Gorm().Raw(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'goose_db_version'`).Scan(&idx)
	for _, ix := range idx {
		if !strings.Contains(ix.Indexdef, "UNIQUE") || strings.HasSuffix(ix.Indexname, "_pkey") {
			continue
		}
		m := uniqueCols.FindStringSubmatch(ix.Indexdef[strings.Index(ix.Indexdef, " USING "):])
		parts := strings.Split(m[1], ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		sc.Uniques = append(sc.Uniques, ix.Tablename+"("+strings.Join(parts, ",")+")")
	}
	sort.Strings(sc.Uniques)
	return sc
}

// TestSchemasEqual keeps the two dialects' migrations in step: same tables, columns and unique indexes.
func TestSchemasEqual(t *testing.T) {
	lite := sqliteSchema(t, markettest.SQLite(t))
	pg := postgresSchema(t, markettest.Postgres(t))
	if len(lite.Columns) == 0 {
		t.Fatal("no tables read from SQLite")
	}
	for tb, cols := range lite.Columns {
		if got := strings.Join(pg.Columns[tb], ","); got != strings.Join(cols, ",") {
			t.Errorf("table %s:\n  sqlite:   %s\n  postgres: %s", tb, strings.Join(cols, ","), got)
		}
	}
	for tb := range pg.Columns {
		if _, ok := lite.Columns[tb]; !ok {
			t.Errorf("table %s exists only on Postgres", tb)
		}
	}
	if a, b := strings.Join(lite.Uniques, " "), strings.Join(pg.Uniques, " "); a != b {
		t.Errorf("unique indexes differ:\n  sqlite:   %s\n  postgres: %s", a, b)
	}
}

// TestUpTwiceIsNoop checks that applying migrations again changes nothing.
func TestUpTwiceIsNoop(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		sqlDB, _ := s.Gorm().DB()
		n, err := migrations.Up(context.Background(), sqlDB, s.Dialect)
		if err != nil || n != 0 {
			t.Fatalf("second Up applied %d migrations, err %v", n, err)
		}
	})
}

// TestSchemaReaders guards the parity test itself: both readers must see the unique indexes we rely on.
func TestSchemaReaders(t *testing.T) {
	want := []string{"contracts(idempotency_key)", "contracts(live_key)", "declarations(patent_id)", "organisations(uscc)"}
	for name, sc := range map[string]schema{"sqlite": sqliteSchema(t, markettest.SQLite(t)), "postgres": postgresSchema(t, markettest.Postgres(t))} {
		got := " " + strings.Join(sc.Uniques, " ") + " "
		for _, w := range want {
			if !strings.Contains(got, " "+w+" ") {
				t.Errorf("%s: unique index %s not found in %s", name, w, got)
			}
		}
	}
}
