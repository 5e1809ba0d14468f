package search_test

// Benchmarks of matchmaking (README "Performance"; make bench, BENCH_ONLY=demands):
//
//	go test ./search -run '^$' -bench 'DemandMatches' -benchtime 400x -count 3
//	go test ./search -run '^$' -bench 'AlertsBulkPublish' -benchtime 1x -count 3
//
// PATENTWALL_BENCH_DOCS sets the catalogue of the matches benchmark (default 100,000).

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"patentwall/market"
	"patentwall/market/demo"
	"patentwall/market/imports"
	"patentwall/search"
	"patentwall/search/bleve"
)

func benchDocs() int {
	if n, err := strconv.Atoi(os.Getenv("PATENTWALL_BENCH_DOCS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// catalogues are built once per process and size (benchmarks run -count times), removed by TestMain.
var (
	catalogueMu  sync.Mutex
	catalogues   = map[int]*builtCatalogue{}
	catalogueDir string
)

type builtCatalogue struct {
	s   *market.Store
	idx *bleve.Index
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, c := range catalogues {
		c.idx.Close()
		c.s.Close()
	}
	if catalogueDir != "" {
		os.RemoveAll(catalogueDir)
	}
	os.Exit(code)
}

// catalogue loads a demo catalogue of n patents into a SQLite store and indexes it. A shared one is
// built once per size and must not be changed; another is the caller's alone.
func catalogue(b *testing.B, n int, shared bool) (*market.Store, *bleve.Index) {
	b.Helper()
	catalogueMu.Lock()
	defer catalogueMu.Unlock()
	if c := catalogues[n]; c != nil && shared {
		return c.s, c.idx
	}
	ctx := context.Background()
	var err error
	if catalogueDir == "" {
		if catalogueDir, err = os.MkdirTemp("", "pw-demand-bench-"); err != nil {
			b.Fatal(err)
		}
	}
	dir, err := os.MkdirTemp(catalogueDir, strconv.Itoa(n)+"-")
	if err != nil {
		b.Fatal(err)
	}
	s, err := market.Open(filepath.Join(dir, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	// The catalogue goes in as the import command takes it (much faster than demo.Load, which signs
	// deals and writes showcases); the demo's demands are added after.
	ds := demo.Generate(demo.Options{Seed: 7, Patents: n, Orgs: max(200, n/50), Now: time.Now().UTC()})
	var orgsCSV, patentsCSV bytes.Buffer
	if err := demo.WriteCSV(ds, &orgsCSV, &patentsCSV); err != nil {
		b.Fatal(err)
	}
	// Files above the import's size limit go in parts of 20,000 rows, each with the header.
	var parts []*bytes.Buffer
	lines := bytes.SplitAfter(patentsCSV.Bytes(), []byte("\n"))
	for i := 1; i < len(lines); i += 20_000 {
		part := bytes.NewBuffer(append([]byte(nil), lines[0]...))
		for _, l := range lines[i:min(i+20_000, len(lines))] {
			part.Write(l)
		}
		parts = append(parts, part)
	}
	for i, data := range append([]*bytes.Buffer{&orgsCSV}, parts...) {
		run := imports.ImportPatents
		if i == 0 {
			run = imports.ImportOrgs
		}
		t, err := imports.Read(data, ".csv")
		if err != nil {
			b.Fatal(err)
		}
		if rep, err := run(ctx, s, t, imports.Options{}); err != nil {
			b.Fatal(err, rep.Errors[:min(3, len(rep.Errors))])
		}
	}
	var orgIDs []int64
	if err := s.Gorm().Model(&market.Organisation{}).Where("kind = ?", market.KindEnterprise).Order("id").Pluck("id", &orgIDs).Error; err != nil || len(orgIDs) == 0 {
		b.Fatalf("enterprises: %v", err)
	}
	demands := make([]market.Demand, len(ds.Demands))
	for i, d := range ds.Demands {
		d.ID, d.OrgID, d.Status = 0, orgIDs[i%len(orgIDs)], market.DemandOpen
		demands[i] = d
	}
	if err := s.Gorm().Create(&demands).Error; err != nil {
		b.Fatal(err)
	}
	idx := bleve.New(filepath.Join(dir, "index"))
	if _, err := idx.Init(ctx); err != nil {
		b.Fatal(err)
	}
	if err := search.Reindex(ctx, s, idx, nil); err != nil {
		b.Fatal(err)
	}
	if err := search.Optimize(ctx, idx); err != nil {
		b.Fatal(err)
	}
	if _, err := (&search.Worker{Store: s, Index: idx}).DrainOnce(ctx); err != nil {
		b.Fatal(err)
	}
	fmt.Printf("catalogue of %d patents loaded and indexed in %s\n", n, time.Since(start).Round(time.Second))
	if shared {
		catalogues[n] = &builtCatalogue{s, idx}
	} else {
		b.Cleanup(func() { idx.Close(); s.Close(); os.RemoveAll(dir) })
	}
	return s, idx
}

// BenchmarkDemandMatches: the matches of one demand (engine candidates, loading them, re-ranking)
// against the catalogue; reports the 95th percentile of one demand's time.
func BenchmarkDemandMatches(b *testing.B) {
	s, idx := catalogue(b, benchDocs(), true)
	ctx := context.Background()
	var ds []market.DemandView
	if err := s.Gorm().Table("demands").Select("demands.*, o.district_code AS org_district").
		Joins("JOIN organisations o ON o.id = demands.org_id").Scan(&ds).Error; err != nil || len(ds) == 0 {
		b.Fatalf("demo demands: %v (%d)", err, len(ds))
	}
	times := make([]time.Duration, 0, b.N)
	found := 0
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := search.DemandOf(&ds[i%len(ds)])
		start := time.Now()
		ms, err := search.Matches(ctx, idx, s, d, 10)
		times = append(times, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		found += len(ms)
	}
	b.StopTimer()
	// CPU time per demand: what a matching costs on a machine other work is not competing for.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	slices.Sort(times)
	p95 := times[min(len(times)-1, len(times)*95/100)]
	b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(found)/float64(b.N), "matches/op")
}

// BenchmarkAlertsBulkPublish: 1,000 patents published at once with 10,000 saved searches and 2,000 open
// demands waiting; one op is the time from the commit until every notification is written (the search
// worker taking the patents in, then the alert worker). Reports the notifications written.
func BenchmarkAlertsBulkPublish(b *testing.B) {
	const (
		published = 1000
		users     = 2000
		perUser   = 5
	)
	ctx := context.Background()
	s, idx := catalogue(b, 5000, false)
	db := s.Gorm()
	words, inds := vocabulary(b, 5000)
	rng := rand.New(rand.NewPCG(11, 12))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }

	var orgs []market.Organisation
	if err := db.Where("kind = ?", market.KindEnterprise).Order("id").Find(&orgs).Error; err != nil || len(orgs) == 0 {
		b.Fatalf("enterprises: %v", err)
	}
	now := time.Now().UTC()
	us := make([]market.User, users)
	for i := range us {
		o := orgs[i%len(orgs)]
		us[i] = market.User{OrgID: &o.ID, Email: fmt.Sprintf("bench%d@example.cn", i), PasswordHash: "x", Role: market.RoleLicensee, CreatedAt: now}
	}
	if err := db.CreateInBatches(us, 200).Error; err != nil {
		b.Fatal(err)
	}
	var saved []market.SavedSearch
	var demands []market.Demand
	for i, u := range us {
		for j := 0; j < perUser; j++ {
			q := "q=" + pick(words)
			switch rng.IntN(4) {
			case 0:
				q += "&industry=" + pick(inds)
			case 1:
				q = "industry=" + pick(inds) + "&offer=open_licence"
			}
			saved = append(saved, market.SavedSearch{UserID: u.ID, OrgID: *u.OrgID, Name: fmt.Sprintf("订阅%d", j), Query: q, CreatedAt: now})
		}
		uid := u.ID
		demands = append(demands, market.Demand{OrgID: *u.OrgID, PostedBy: &uid, Title: "寻求" + pick(words) + "技术",
			Description: fmt.Sprintf("我们需要%s和%s方面的方案，用于%s。", pick(words), pick(words), pick(words)),
			Industry:    pick(inds), Status: market.DemandOpen, CreatedAt: now.Add(-time.Duration(i) * time.Minute)})
	}
	if err := db.CreateInBatches(saved, 300).Error; err != nil {
		b.Fatal(err)
	}
	if err := db.CreateInBatches(demands, 200).Error; err != nil {
		b.Fatal(err)
	}
	// The new patents: another demo catalogue's, given fresh application numbers, held by a university.
	fresh := demo.Generate(demo.Options{Seed: 99, Patents: published * b.N})
	var holder market.Organisation
	if err := db.Where("kind = ?", market.KindUniversity).Order("id").First(&holder).Error; err != nil {
		b.Fatal(err)
	}
	worker := &search.Worker{Store: s, Index: idx}
	alerts := &search.Alerts{Store: s, NewScratch: bleve.Scratch}
	notes := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		batch := fresh.Patents[i*published : (i+1)*published]
		if err := s.Tx(ctx, func(tx *gorm.DB) error {
			ps := make([]market.Patent, len(batch))
			for k, p := range batch {
				digits := fmt.Sprintf("2030%d%07d", 1, i*published+k)
				c, _ := market.ApplicationCheckChar(digits)
				ps[k] = market.Patent{ApplicationNo: digits + "." + string(c), Type: market.TypeInvention, Title: p.Title, Abstract: p.Abstract,
					PatenteeID: holder.ID, FilingDate: p.FilingDate, GrantDate: p.GrantDate, Status: market.StatusGranted, Industry: p.Industry,
					IPC: p.IPC, CreatedAt: now, UpdatedAt: now}
			}
			if err := tx.CreateInBatches(ps, 200).Error; err != nil {
				return err
			}
			decls := make([]market.Declaration, len(ps))
			ids := make([]int64, len(ps))
			for k, p := range ps {
				ids[k] = p.ID
				decls[k] = market.Declaration{PatentID: p.ID, FeeModel: market.FeeFree, TermMonths: 24, Status: market.DeclLive, PublishedAt: now}
			}
			if err := market.CreateDeclaration(tx, decls); err != nil {
				return err
			}
			return market.EnqueueIndex(tx, now, ids...)
		}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		if _, err := worker.DrainOnce(ctx); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		n, err := alerts.DrainOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("indexing %s, alerts %s", t1.Sub(t0).Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
		notes += n
	}
	b.StopTimer()
	if left, _ := s.AlertsLen(ctx); left != 0 {
		b.Fatalf("%d patents not percolated", left)
	}
	b.ReportMetric(float64(notes)/float64(b.N), "notifications/op")
}

// vocabulary returns two- and three-character words of a demo catalogue's titles, and its industries.
func vocabulary(b *testing.B, n int) (words, industries []string) {
	b.Helper()
	ds := demo.Generate(demo.Options{Seed: 7, Patents: n})
	seen := map[string]bool{}
	for _, p := range ds.Patents[:min(len(ds.Patents), 2000)] {
		rs := []rune(strings.TrimPrefix(p.Title, "一种"))
		for k := 0; k+3 <= len(rs); k += 3 {
			w := string(rs[k : k+2+k%2])
			if !seen[w] && search.HasHan(w) && !strings.ContainsAny(w, "的及与和") {
				seen[w] = true
				words = append(words, w)
			}
		}
		if !seen["ind:"+p.Industry] && p.Industry != "" {
			seen["ind:"+p.Industry] = true
			industries = append(industries, p.Industry)
		}
	}
	return words, industries
}

// cpuTime is the user+system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
