package search_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
	"patentwall/search"
	"patentwall/search/bleve"
	"patentwall/search/searchtest"
)

// BenchmarkReindex measures a full rebuild as `patentwall reindex` runs it: patents read from SQLite in
// batches, documents built, indexed into Bleve. PATENTWALL_BENCH_DOCS sets the catalogue size (default
// 100,000); the figure is patents per second.
func BenchmarkReindex(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("PATENTWALL_BENCH_DOCS")); err == nil && v > 0 {
		n = v
	}
	s := markettest.SQLite(b)
	real := searchtest.RealTitlesIfPresent()
	c := searchtest.Synthesize(real, n, 42)
	now := time.Now().UTC()
	org := market.Organisation{USCC: "914403001922038216", Name: "基准", Kind: market.KindEnterprise, CreatedAt: now, UpdatedAt: now}
	if err := s.Gorm().Create(&org).Error; err != nil {
		b.Fatal(err)
	}
	ps := make([]market.Patent, len(c.Docs))
	for i, d := range c.Docs {
		ps[i] = market.Patent{ApplicationNo: d.ApplicationNo, Type: d.Type, Title: d.Title, Abstract: d.Abstract,
			PatenteeID: org.ID, Status: "granted", IPC: "H01M 10/052;G06F", CreatedAt: now, UpdatedAt: now}
	}
	if err := s.Gorm().CreateInBatches(ps, 1000).Error; err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		idx := bleve.New(filepath.Join(b.TempDir(), "index"))
		if _, err := idx.Init(context.Background()); err != nil {
			b.Fatal(err)
		}
		if err := search.Reindex(context.Background(), s, idx, nil); err != nil {
			b.Fatal(err)
		}
		idx.Close()
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "patents/s")
}
