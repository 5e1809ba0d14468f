package bleve_test

import (
	"context"
	"errors"
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
	"unicode"

	"patentwall/search"
	"patentwall/search/bleve"
	"patentwall/search/searchtest"
)

// benchDocs is the corpus size (PATENTWALL_BENCH_DOCS overrides the default 100,000).
func benchDocs() int {
	if n, err := strconv.Atoi(os.Getenv("PATENTWALL_BENCH_DOCS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

var (
	benchOnce   sync.Once
	benchIdx    *bleve.Index
	benchCorpus searchtest.Corpus
	benchDir    string
	benchErr    error
)

// TestMain removes the shared benchmark index.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchIdx != nil {
		benchIdx.Close()
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func corpus() searchtest.Corpus {
	return searchtest.Synthesize(searchtest.RealTitlesIfPresent(), benchDocs(), 42)
}

// index builds the benchmark index once per process.
func index(b *testing.B) (*bleve.Index, searchtest.Corpus) {
	benchOnce.Do(func() {
		benchCorpus = corpus()
		benchDir, benchErr = os.MkdirTemp("", "pw-bench-")
		if benchErr != nil {
			return
		}
		benchIdx = bleve.New(filepath.Join(benchDir, "index"))
		if _, benchErr = benchIdx.Init(context.Background()); benchErr != nil {
			return
		}
		start := time.Now()
		benchErr = build(benchIdx, benchCorpus.Docs)
		el := time.Since(start)
		fmt.Printf("bleve: indexed %d documents in %s: %.0f docs/s\n", len(benchCorpus.Docs), el.Round(time.Millisecond), float64(len(benchCorpus.Docs))/el.Seconds())
		settle()
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchIdx, benchCorpus
}

// cpuTime is the user+system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// build indexes docs as search.Reindex does: batches of search.ReindexBatch (PATENTWALL_BENCH_BATCH
// overrides), two at a time.
func build(idx *bleve.Index, docs []search.Document) error {
	batch := search.ReindexBatch
	if n, err := strconv.Atoi(os.Getenv("PATENTWALL_BENCH_BATCH")); err == nil && n > 0 {
		batch = n
	}
	work := make(chan []search.Document)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			var err error
			for d := range work {
				if err == nil {
					err = idx.Upsert(context.Background(), d)
				}
			}
			errs <- err
		}()
	}
	for i := 0; i < len(docs); i += batch {
		work <- docs[i:min(i+batch, len(docs))]
	}
	close(work)
	return errors.Join(<-errs, <-errs)
}

// settle waits (at most two minutes) until the index's background segment merging has stopped using
// the CPU, so that it does not count against the searches.
func settle() {
	for range 120 {
		c0 := cpuTime()
		time.Sleep(time.Second)
		if cpuTime()-c0 < 50*time.Millisecond {
			return
		}
	}
}

// BenchmarkIndexBatch measures batch indexing: docs/s over batches of search.Batch documents.
func BenchmarkIndexBatch(b *testing.B) {
	c := searchtest.Synthesize(searchtest.RealTitlesIfPresent(), search.Batch, 7)
	idx := bleve.New(filepath.Join(b.TempDir(), "index"))
	defer idx.Close()
	if _, err := idx.Init(context.Background()); err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// New IDs each round: the index grows as during an import.
		docs := slices.Clone(c.Docs)
		for j := range docs {
			docs[j].ID = int64(i*len(docs) + j + 1)
		}
		if err := idx.Upsert(context.Background(), docs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*search.Batch)/b.Elapsed().Seconds(), "docs/s")
	// Documents per CPU-second (all cores, background merging included): steadier on a shared machine.
	b.ReportMetric(float64(b.N*search.Batch)/(cpuTime()-cpu0).Seconds(), "docs/cpu-s")
}

// BenchmarkSearch runs 1- to 4-word Chinese queries with facets and highlighting (what the search page
// asks) over the 100k-document index and reports min, p50, p95 and max latency per query class.
func BenchmarkSearch(b *testing.B) {
	idx, c := index(b)
	type class struct {
		name    string
		queries []search.Query
		cold    bool // drop the browsing cache before each query
		bleve   bool // through Bleve's searchers even where wordPlan.collect could answer
	}
	var classes []class
	for words := 1; words <= 4; words++ {
		var qs []search.Query
		for _, text := range c.Queries(words, 200, 1) {
			qs = append(qs, search.Query{Text: text, Facets: true, Highlight: true})
		}
		classes = append(classes, class{name: fmt.Sprintf("words=%d", words), queries: qs})
	}
	// Two-character words of one title, as the HTTP benchmark asks: collected from the postings
	// (wordPlan.collect), and the same queries through Bleve's searchers for comparison.
	for _, k := range []int{1, 3} {
		var qs []search.Query
		for _, text := range titleWords(c, k, 200) {
			qs = append(qs, search.Query{Text: text, Facets: true, Highlight: true})
		}
		classes = append(classes, class{name: fmt.Sprintf("pairs=%d", k), queries: qs},
			class{name: fmt.Sprintf("pairs=%d,bleve", k), queries: slices.Clone(qs), bleve: true})
	}
	// One character: matched through the title's unigrams and the abstract's bigrams (see charQuery).
	var chars []search.Query
	for _, w := range c.Words {
		chars = append(chars, search.Query{Text: string([]rune(w)[:1]), Facets: true, Highlight: true})
	}
	classes = append(classes, class{name: "chars=1", queries: chars})
	// Browsing without text: everything, or one industry, newest first, with facets.
	classes = append(classes,
		class{name: "browse,cached", queries: []search.Query{{Facets: true, Highlight: true, Sort: search.SortNewest}}},
		class{name: "browse,cold", queries: []search.Query{{Facets: true, Highlight: true, Sort: search.SortNewest}}, cold: true},
		class{name: "filter,cold", queries: []search.Query{{Facets: true, Highlight: true, Sort: search.SortNewest, Industries: []string{"新能源"}}}, cold: true},
		class{name: "top-word,fee_asc", queries: []search.Query{{Text: c.Words[0], Facets: true, Highlight: true, Sort: search.SortFeeAsc}}},
	)
	// A fee ceiling (¥20,000), alone and with a word of the vocabulary.
	ceiling := int64(20_000_00)
	fee := class{name: "max-fee", queries: []search.Query{{Facets: true, Highlight: true, MaxFeeFen: &ceiling}}, cold: true}
	feeWords := class{name: "words=1,max-fee"}
	for _, text := range c.Queries(1, 200, 2) {
		feeWords.queries = append(feeWords.queries, search.Query{Text: text, Facets: true, Highlight: true, MaxFeeFen: &ceiling})
	}
	classes = append(classes, fee, feeWords)
	for _, cl := range classes {
		queries, cold, bleveOnly := cl.queries, cl.cold, cl.bleve
		for i := range queries {
			queries[i] = searchtest.Normalized(b, queries[i]) // as the web layer does, once per request
		}
		b.Run(cl.name, func(b *testing.B) {
			idx.BleveOnlyForTest(bleveOnly)
			defer idx.BleveOnlyForTest(false)
			durs := make([]time.Duration, 0, b.N)
			hits := 0
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if cold {
					idx.DropCacheForTest()
				}
				start := time.Now()
				res, err := idx.Search(context.Background(), queries[i%len(queries)])
				if err != nil {
					b.Fatal(err)
				}
				durs = append(durs, time.Since(start))
				hits += res.Total
			}
			b.StopTimer()
			// CPU time per query (this process, GC included) is steadier than latency on a shared machine.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
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

// titleWords returns n queries of k distinct two-Han-character runs of one title each.
func titleWords(c searchtest.Corpus, k, n int) []string {
	r := rand.New(rand.NewPCG(5, uint64(k)))
	var out []string
	for len(out) < n {
		rs := []rune(c.Docs[r.IntN(len(c.Docs))].Title)
		seen := map[string]bool{}
		var ws []string
		for tries := 0; len(ws) < k && tries < 50 && len(rs) > 2; tries++ {
			i := r.IntN(len(rs) - 1)
			w := string(rs[i : i+2])
			if unicode.Is(unicode.Han, rs[i]) && unicode.Is(unicode.Han, rs[i+1]) && !seen[w] && !search.IsCommonWord(w) {
				seen[w] = true
				ws = append(ws, w)
			}
		}
		if len(ws) == k {
			out = append(out, strings.Join(ws, " "))
		}
	}
	return out
}
