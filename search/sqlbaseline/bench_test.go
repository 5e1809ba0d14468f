package sqlbaseline_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
	"patentwall/search/searchtest"
	"patentwall/search/sqlbaseline"
)

// BenchmarkLike runs the Bleve benchmark's 1- to 4-word queries (same corpus, same seed) through
// LIKE/ILIKE with a count on Postgres, the baseline the engines are compared with. It needs Postgres
// (make bench provides one); PATENTWALL_BENCH_DOCS sets the corpus size (default 100,000).
func BenchmarkLike(b *testing.B) {
	s := markettest.Postgres(b)
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("PATENTWALL_BENCH_DOCS")); err == nil && v > 0 {
		n = v
	}
	real := searchtest.RealTitlesIfPresent()
	c := searchtest.Synthesize(real, n, 42)
	ctx := context.Background()
	now := time.Now().UTC()
	org := market.Organisation{USCC: "914403001922038216", Name: "基准", Kind: market.KindEnterprise, CreatedAt: now, UpdatedAt: now}
	if err := s.Gorm().Create(&org).Error; err != nil {
		b.Fatal(err)
	}
	ps := make([]market.Patent, len(c.Docs))
	for i, d := range c.Docs {
		ps[i] = market.Patent{ApplicationNo: d.ApplicationNo, Type: d.Type, Title: d.Title, Abstract: d.Abstract,
			PatenteeID: org.ID, Status: "granted", CreatedAt: now, UpdatedAt: now}
	}
	if err := s.Gorm().CreateInBatches(ps, 1000).Error; err != nil {
		b.Fatal(err)
	}
	s.Gorm().Exec("ANALYZE patents")
	for words := 1; words <= 4; words++ {
		queries := c.Queries(words, 200, 1)
		b.Run(fmt.Sprintf("words=%d", words), func(b *testing.B) {
			durs := make([]time.Duration, 0, b.N)
			var hits int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				_, total, err := sqlbaseline.Search(ctx, s, queries[i%len(queries)], 20)
				if err != nil {
					b.Fatal(err)
				}
				durs = append(durs, time.Since(start))
				hits += total
			}
			b.StopTimer()
			slices.Sort(durs)
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			b.ReportMetric(ms(durs[0]), "min-ms")
			b.ReportMetric(ms(durs[len(durs)/2]), "p50-ms")
			b.ReportMetric(ms(durs[len(durs)*95/100]), "p95-ms")
			b.ReportMetric(ms(durs[len(durs)-1]), "max-ms")
			b.ReportMetric(float64(hits)/float64(b.N), "hits/query")
		})
	}
}
