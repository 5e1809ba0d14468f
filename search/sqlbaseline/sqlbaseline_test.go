package sqlbaseline_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
	"patentwall/search/sqlbaseline"
)

func TestSearch(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		org := market.Organisation{USCC: "914403001922038216", Name: "测试", Kind: market.KindEnterprise, CreatedAt: now, UpdatedAt: now}
		if err := s.Gorm().Create(&org).Error; err != nil {
			t.Fatal(err)
		}
		for i, p := range []struct{ title, abstract string }{
			{"一种锂电池正极材料", "循环寿命长"},
			{"电池管理系统", "Battery management"},
			{"一种电动机", "效率100%提升"},
			{"Lithium battery", "一种隔膜"},
		} {
			row := market.Patent{ApplicationNo: "20201056608" + string(rune('0'+i)) + ".0", Type: "invention", Title: p.title,
				Abstract: p.abstract, PatenteeID: org.ID, Status: "granted", CreatedAt: now, UpdatedAt: now}
			if err := s.Gorm().Create(&row).Error; err != nil {
				t.Fatal(err)
			}
		}
		checkSearch(t, s)
		// With pg_trgm's indexes on the columns, the same answers (Postgres only).
		err := sqlbaseline.Trigram(ctx, s)
		if !s.IsPostgres() {
			if err == nil {
				t.Fatal("Trigram on SQLite: no error")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		s.Gorm().Raw("SELECT count(*) FROM pg_indexes WHERE tablename = 'patents' AND indexdef LIKE '%gin_trgm_ops%'").Scan(&n)
		if n != 2 {
			t.Fatalf("%d trigram indexes on patents, want 2", n)
		}
		if err := sqlbaseline.Trigram(ctx, s); err != nil { // a second call keeps them
			t.Fatal(err)
		}
		checkSearch(t, s)
	})
}

func checkSearch(t *testing.T, s *market.Store) {
	t.Helper()
	ctx := context.Background()
	{
		for text, want := range map[string][]int64{
			"电池":               {2, 1},
			"锂电池":              {1},
			"电池 管理":            {2},
			"BATTERY":          {4, 2}, // case-insensitive, abstract too
			"100%":             {3},    // % matched literally
			"0_":               nil,    // _ matched literally
			"battery 一种 lithi": {4},    // words ANDed, each in title or abstract
		} {
			ids, total, err := sqlbaseline.Search(ctx, s, text, 10)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids, want) || total != int64(len(want)) {
				t.Errorf("%q: ids %v total %d, want %v", text, ids, total, want)
			}
		}
		if ids, total, _ := sqlbaseline.Search(ctx, s, "电", 1); len(ids) != 1 || total != 3 {
			t.Errorf("limit: ids %v total %d", ids, total)
		}
	}
}
