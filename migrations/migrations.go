// Package migrations holds the schema as SQL files, one folder per dialect, applied by goose.
// The schema changes only through these files; a test keeps the two dialects equal.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// FS returns the migration files of a dialect ("postgres" or "sqlite").
func FS(dialect string) (fs.FS, error) {
	switch dialect {
	case "postgres", "sqlite":
		return fs.Sub(files, dialect)
	}
	return nil, fmt.Errorf("migrations: unknown dialect %q", dialect)
}

// Up applies every pending migration and returns how many ran.
func Up(ctx context.Context, db *sql.DB, dialect string) (int, error) {
	fsys, err := FS(dialect)
	if err != nil {
		return 0, err
	}
	gd := goose.DialectSQLite3
	if dialect == "postgres" {
		gd = goose.DialectPostgres
	}
	p, err := goose.NewProvider(gd, db, fsys)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrations: up: %w", err)
	}
	return len(res), nil
}
