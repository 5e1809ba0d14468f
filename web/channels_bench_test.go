package web_test

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"
)

// load runs b.N GETs of url(i) from `clients` goroutines and reports p50/p95/max latency and throughput.
func load(b *testing.B, client *http.Client, clients int, url func(i int64) string) {
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
				resp, err := client.Get(url(i))
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Errorf("%s: status %d", url(i), resp.StatusCode)
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
}

// BenchmarkChannels measures the walls over the demo catalogue (PATENTWALL_BENCH_PATENTS, 100,000 in
// make bench): the screen data endpoint at 32 clients (target ≥ 3,000 requests/s) and a wall page with
// rules, its pages in turn, at one client (target p95 ≤ 20 ms); docs/architecture.md §9.
// Run: PATENTWALL_BENCH_PATENTS=100000 go test ./web -run '^$' -bench Channels -benchtime 5000x
func BenchmarkChannels(b *testing.B) {
	base := benchServer(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	walls := []string{"ic", "biomed", "ai"}
	b.Run("screen/clients=32", func(b *testing.B) {
		load(b, client, 32, func(i int64) string { return base + "/api/v1/walls/" + walls[i%3] + "/screen" })
	})
	for _, c := range []struct{ name, path string }{{"wall_page", "/walls/%s?page=%d"}, {"wall_api", "/api/v1/walls/%s/patents?page=%d"}} {
		b.Run(c.name+"/clients=1", func(b *testing.B) {
			load(b, client, 1, func(i int64) string { return base + fmt.Sprintf(c.path, walls[i%3], 1+(i/3)%10) })
		})
	}
}
