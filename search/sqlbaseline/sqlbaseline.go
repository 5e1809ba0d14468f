// Package sqlbaseline is the search users would build without a search engine: LIKE '%word%' over
// titles and abstracts, one condition per word, with a count. Benchmarks compare the engines with it.
package sqlbaseline

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"patentwall/market"
)

// likeEscaper escapes LIKE's wildcards so a word is matched literally (ESCAPE '\').
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Search returns up to limit patent IDs (newest first) whose title or abstract contains every
// whitespace-separated word of text, and how many patents match in all. Postgres uses ILIKE (case
// folding like the engines); SQLite's LIKE already folds ASCII case.
func Search(ctx context.Context, s *market.Store, text string, limit int) (ids []int64, total int64, err error) {
	op := "LIKE"
	if s.IsPostgres() {
		op = "ILIKE"
	}
	q := s.Gorm().WithContext(ctx).Model(&market.Patent{})
	for _, w := range strings.Fields(text) {
		p := "%" + likeEscaper.Replace(w) + "%"
		q = q.Where(fmt.Sprintf(`(title %[1]s ? ESCAPE '\' OR abstract %[1]s ? ESCAPE '\')`, op), p, p)
	}
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("sqlbaseline: count: %w", err)
	}
	if err := q.Order("id DESC").Limit(limit).Pluck("id", &ids).Error; err != nil {
		return nil, 0, fmt.Errorf("sqlbaseline: search: %w", err)
	}
	return ids, total, nil
}

// Analyze refreshes the database's planner statistics, so that a benchmark times the plans a
// database in service would use rather than those of freshly loaded tables.
func Analyze(ctx context.Context, s *market.Store) error {
	if err := s.Gorm().WithContext(ctx).Exec("ANALYZE").Error; err != nil {
		return fmt.Errorf("sqlbaseline: analyze: %w", err)
	}
	return nil
}

// Trigram puts pg_trgm's GIN trigram indexes on the searched columns (title, abstract), the index a
// Postgres user would add to speed up ILIKE '%…%': Search then runs unchanged and the planner decides
// whether the indexes help. It fails on SQLite, and when the extension cannot be created (not
// installed, or no right to create it): the benchmark records the reason instead of the figure.
func Trigram(ctx context.Context, s *market.Store) error {
	if !s.IsPostgres() {
		return fmt.Errorf("sqlbaseline: pg_trgm needs Postgres")
	}
	for _, q := range []string{
		"CREATE EXTENSION IF NOT EXISTS pg_trgm",
		"CREATE INDEX IF NOT EXISTS patents_title_trgm ON patents USING gin (title gin_trgm_ops)",
		"CREATE INDEX IF NOT EXISTS patents_abstract_trgm ON patents USING gin (abstract gin_trgm_ops)",
	} {
		if err := s.Gorm().WithContext(ctx).Exec(q).Error; err != nil {
			return fmt.Errorf("sqlbaseline: %s: %w", q, err)
		}
	}
	return nil
}
