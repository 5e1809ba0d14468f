package web_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/demo"
	"patentwall/market/markettest"
	"patentwall/search"
	"patentwall/search/bleve"
	"patentwall/web"
)

// benchQueries are one- to four-word Chinese queries, some with a facet filter, as users type them.
var benchQueries = []string{
	"q=" + url.QueryEscape("电池"),
	"q=" + url.QueryEscape("电"),
	"q=" + url.QueryEscape("图像 识别"),
	"q=" + url.QueryEscape("锂电池 正极 材料"),
	"q=" + url.QueryEscape("基于 深度 学习 方法") + "&type=invention",
	"q=" + url.QueryEscape("芯片 封装") + "&industry=" + url.QueryEscape("集成电路"),
	"q=" + url.QueryEscape("抗体") + "&fee_model=free",
	"q=" + url.QueryEscape("传感器") + "&district=310115&sort=fee_asc",
}

// benchServer serves a demo catalogue (PATENTWALL_BENCH_PATENTS patents, default 2400) over SQLite and
// Bleve on a real listener, as `patentwall serve` does.
func benchServer(b *testing.B) string {
	b.Helper()
	n := 2400
	if v := os.Getenv("PATENTWALL_BENCH_PATENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	s := markettest.SQLite(b)
	if _, err := demo.Load(ctx, s, demo.Options{Seed: 1, Orgs: max(200, n/12), Patents: n}); err != nil {
		b.Fatal(err)
	}
	idx := bleve.New(filepath.Join(b.TempDir(), "index"))
	if _, err := idx.Init(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { idx.Close() })
	if err := search.Reindex(ctx, s, idx, nil); err != nil {
		b.Fatal(err)
	}
	app, err := web.New(web.Deps{Store: s, Index: idx, BaseURL: "http://localhost"})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go app.Fiber.Listener(ln)
	b.Cleanup(func() { app.Fiber.Shutdown() })
	var count int64
	s.Gorm().Model(&market.Patent{}).Count(&count)
	b.Logf("catalogue: %d patents", count)
	return "http://" + ln.Addr().String()
}

// BenchmarkSearchHTTP measures the search page and the API at 1 and 32 concurrent clients, reporting
// p50/p95 latency and throughput. Run: go test ./web -run '^$' -bench SearchHTTP -benchtime 2000x
func BenchmarkSearchHTTP(b *testing.B) {
	base := benchServer(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	for _, path := range []string{"/search?", "/api/v1/patents?"} {
		for _, clients := range []int{1, 32} {
			b.Run(fmt.Sprintf("%sclients=%d", path[:len(path)-1], clients), func(b *testing.B) {
				lat := make([]time.Duration, b.N)
				var next int64
				var mu sync.Mutex
				var wg sync.WaitGroup
				b.ResetTimer()
				start := time.Now()
				for c := 0; c < clients; c++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							mu.Lock()
							i := next
							next++
							mu.Unlock()
							if i >= int64(b.N) {
								return
							}
							t0 := time.Now()
							resp, err := client.Get(base + path + benchQueries[i%int64(len(benchQueries))])
							if err != nil {
								b.Error(err)
								return
							}
							io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							if resp.StatusCode != http.StatusOK {
								b.Errorf("status %d", resp.StatusCode)
								return
							}
							lat[i] = time.Since(t0)
						}
					}()
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
				b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95_ms")
				b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max_ms")
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
			})
		}
	}
}
