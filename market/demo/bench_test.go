package demo_test

import (
	"context"
	"testing"

	"patentwall/market"
	"patentwall/market/demo"
	"patentwall/market/markettest"
)

// BenchmarkGenerate100k: the benchmark catalogue, 100,000 patents from 2,000 holders, in memory.
func BenchmarkGenerate100k(b *testing.B) {
	for b.Loop() {
		ds := demo.Generate(demo.Options{Seed: 1, Orgs: 2000, Patents: 100_000, Now: testNow})
		if len(ds.Patents) != 100_000 {
			b.Fatal(len(ds.Patents))
		}
	}
}

// BenchmarkLoad inserts the default demo and the 100,000-patent catalogue into a fresh database: one
// transaction with batched inserts and outbox rows (indexing is the search worker's, measured elsewhere).
func BenchmarkLoad(b *testing.B) {
	for _, size := range []struct {
		name          string
		orgs, patents int
	}{{"default", 0, 0}, {"100k", 2000, 100_000}} {
		for _, dialect := range []struct {
			name string
			open func(testing.TB) *market.Store
		}{{"sqlite", markettest.SQLite}, {"postgres", markettest.Postgres}} {
			b.Run(size.name+"/"+dialect.name, func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					s := dialect.open(b)
					s.Now = markettest.NewClock(testNow).Now
					b.StartTimer()
					st, err := demo.Load(context.Background(), s, demo.Options{Seed: 1, Orgs: size.orgs, Patents: size.patents})
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(st.Patents)/st.Took.Seconds(), "patents/s")
				}
			})
		}
	}
}
