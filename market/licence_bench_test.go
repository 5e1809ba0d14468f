package market_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

// BenchmarkAcceptLicence measures signing throughput at the service level on Postgres: 32 licensees
// (goroutines) accept open licences concurrently, b.N contracts in all. It reports contracts/s and the
// p50/p99 latency of one acceptance, and fails on any duplicate or lost contract or broken history.
//
//	spread:   each licensee walks its own part of a pool of declarations (16 holders), the usual case
//	hot:      all 32 licensees accept the same declaration at once, then the next one
//	serial-1: spread with one goroutine, to compare with pgbench at one client
//
// Run with: pg_virtualenv -t go test -run '^$' -bench BenchmarkAcceptLicence -benchtime 4000x ./market/
// (scripts/bench_signing.sh runs it with the pgbench ceiling beside it).
func BenchmarkAcceptLicence(b *testing.B) {
	for _, bc := range []struct {
		name    string
		workers int
	}{{"spread", benchLicensees}, {"hot", benchLicensees}, {"serial-1", 1}} {
		b.Run(bc.name, func(b *testing.B) { benchAccept(b, bc.name, bc.workers) })
	}
}

const benchLicensees = 32

func benchAccept(b *testing.B, mode string, workers int) {
	s := markettest.Postgres(b)
	w := fxNew(b, s)
	s.Now = func() time.Time { return time.Now().UTC() }
	holders := make([]*market.Organisation, 16)
	for i := range holders {
		holders[i] = w.org(b, market.KindUniversity, true)
	}
	licensees := make([]market.Actor, benchLicensees)
	for i := range licensees {
		licensees[i] = w.user(b, w.org(b, market.KindEnterprise, true), market.RoleLicensee)
	}
	// Each licensee accepts a declaration at most once, so the pool needs b.N/32 of them (plus slack).
	pool := b.N/benchLicensees + 1
	appNos := benchPatents(b, w, holders, pool)
	fxWarmPool(b, s, benchLicensees+2)

	lat := make([]time.Duration, b.N)
	var (
		next    atomic.Int64
		failed  atomic.Int64
		created atomic.Int64
		wg      sync.WaitGroup
		firstEr sync.Once
	)
	b.ResetTimer()
	start := time.Now()
	for worker := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				// Task i: licensee i%32 takes its (i/32)-th declaration. spread: each licensee starts at its
				// own offset of the pool, so concurrent acceptances touch different rows; hot: everyone
				// takes the same declaration at the same time.
				lic, k := i%benchLicensees, i/benchLicensees
				p := k
				if mode != "hot" {
					p = (k + lic*pool/benchLicensees) % pool
				}
				t0 := time.Now()
				_, isNew, err := s.AcceptLicence(w.ctx, licensees[lic], appNos[p], fmt.Sprintf("bench-%d", i))
				lat[i] = time.Since(t0)
				if err != nil || !isNew {
					failed.Add(1)
					firstEr.Do(func() { b.Errorf("worker %d task %d: created=%v err=%v", worker, i, isNew, err) })
					continue
				}
				created.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "contracts/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99_ms")
	b.ReportMetric(0, "ns/op") // per-op time is meaningless for a concurrent run; contracts/s says it

	// No duplicate, no lost contract, intact histories.
	var row struct{ N, Numbers, Pairs int64 }
	s.Gorm().Raw(`SELECT count(*) AS n, count(DISTINCT contract_no) AS numbers,
		count(DISTINCT (declaration_id, licensee_id)) AS pairs FROM contracts`).Scan(&row)
	if failed.Load() != 0 || created.Load() != int64(b.N) || row.N != int64(b.N) || row.Numbers != row.N || row.Pairs != row.N {
		b.Fatalf("%d acceptances, %d failed, %d created; %d contracts, %d numbers, %d pairs",
			b.N, failed.Load(), created.Load(), row.N, row.Numbers, row.Pairs)
	}
	rep, err := s.VerifyChains(w.ctx)
	if err != nil || !rep.OK() || rep.Contracts != b.N {
		b.Fatalf("verify: %+v %v", rep, err)
	}
}

// benchPatents inserts n granted patents with live declarations spread over holders, half free and half
// lump-sum, titled with real patent titles when the shared real data is present.
func benchPatents(b *testing.B, w *fxWorld, holders []*market.Organisation, n int) []string {
	b.Helper()
	titles := benchTitles(b)
	now := time.Now().UTC()
	ps := make([]market.Patent, n)
	for i := range ps {
		title := fmt.Sprintf("一种测试装置%d", i)
		if len(titles) > 0 {
			title = titles[i%len(titles)]
		}
		ps[i] = market.Patent{ApplicationNo: fxAppNo(b, fxSerial.Add(1)), Type: market.TypeInvention, Title: title,
			PatenteeID: holders[i%len(holders)].ID, FilingDate: market.MustDate("2020-01-10"),
			GrantDate: market.MustDate("2022-05-20"), Status: market.StatusGranted, CreatedAt: now, UpdatedAt: now}
	}
	if err := w.s.Gorm().CreateInBatches(ps, 500).Error; err != nil {
		b.Fatal(err)
	}
	ds := make([]market.Declaration, n)
	out := make([]string, n)
	for i, p := range ps {
		ds[i] = market.Declaration{PatentID: p.ID, FeeModel: market.FeeFree, TermMonths: 36, Status: market.DeclLive, PublishedAt: now}
		if i%2 == 1 {
			ds[i].FeeModel, ds[i].FeeFen = market.FeeLumpSum, 50_000_00
		}
		out[i] = p.ApplicationNo
	}
	if err := w.s.Gorm().CreateInBatches(ds, 500).Error; err != nil {
		b.Fatal(err)
	}
	return out
}

// benchTitles reads real patent titles from the shared data, if present (nil otherwise).
func benchTitles(b *testing.B) []string {
	dir := fxRealDataDir()
	if dir == "" {
		b.Log("real data not found (PATENTWALL_REAL_DATA): using synthetic titles")
		return nil
	}
	f, err := os.Open(filepath.Join(dir, "cn_patents_titles_ipc.csv"))
	if err != nil {
		b.Logf("real titles unavailable: %v", err)
		return nil
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) < 2 {
		b.Logf("real titles unreadable: %v", err)
		return nil
	}
	col := slices.Index(recs[0], "title")
	if col < 0 {
		return nil
	}
	var out []string
	for _, r := range recs[1:] {
		if r[col] != "" {
			out = append(out, r[col])
		}
	}
	return out
}

// fxRealDataDir finds the shared real-data folder: $PATENTWALL_REAL_DATA, else shared/data/real in the
// working directory or one of its parents; "" when absent.
func fxRealDataDir() string {
	if d := os.Getenv("PATENTWALL_REAL_DATA"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	for err == nil {
		if fi, e := os.Stat(filepath.Join(dir, "shared", "data", "real")); e == nil && fi.IsDir() {
			return filepath.Join(dir, "shared", "data", "real")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return ""
}
