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
