package bleve_test

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"patentwall/search"
	"patentwall/search/bleve"
	"patentwall/search/searchtest"
)

func newIndex(t *testing.T) search.Index {
	idx := bleve.New(filepath.Join(t.TempDir(), "index"))
	t.Cleanup(func() { idx.Close() })
	return idx
}

func TestSuite(t *testing.T) { searchtest.Run(t, newIndex) }

// The same suite with keyword results cached: every write must empty the cache, or the suite's
// upsert, replace and delete cases see stale answers.
func TestSuiteWithTextCache(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Index {
		idx := bleve.New(filepath.Join(t.TempDir(), "index"))
		idx.CacheText = true
		t.Cleanup(func() { idx.Close() })
		return idx
	})
}

func TestQuality(t *testing.T) { searchtest.Quality(t, newIndex) }

func TestDemandQuality(t *testing.T) { searchtest.DemandQuality(t, newIndex) }

func TestInitRebuildAndVersion(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data", "index")
	idx := bleve.New(dir)
	rebuild, err := idx.Init(ctx)
	if err != nil || !rebuild {
		t.Fatalf("new directory: rebuild=%v err=%v, want true", rebuild, err)
	}
	doc := search.Document{ID: 7, ApplicationNo: "202010566088.9", Title: "一种锂电池"}
	if err := idx.Upsert(ctx, []search.Document{doc}); err != nil {
		t.Fatal(err)
	}

	// While one handle holds the directory, a second one (another process in production) is refused.
	other := bleve.New(dir)
	other.LockTimeout = "50ms"
	if _, err := other.Init(ctx); !errors.Is(err, search.ErrIndexInUse) {
		t.Fatalf("second open: %v, want ErrIndexInUse", err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}

	idx = bleve.New(dir)
	rebuild, err = idx.Init(ctx)
	if err != nil || rebuild {
		t.Fatalf("reopen: rebuild=%v err=%v, want false", rebuild, err)
	}
	if n, _ := idx.Count(ctx); n != 1 {
		t.Fatalf("reopened index holds %d documents, want 1", n)
	}
	idx.Close()

	// An index written under another schema version is dropped and must be rebuilt.
	idx = bleve.New(dir)
	idx.SetSchemaVersionForTest("pw-bleve-0")
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	idx.Close()
	idx = bleve.New(dir)
	defer idx.Close()
	rebuild, err = idx.Init(ctx)
	if err != nil || !rebuild {
		t.Fatalf("changed version: rebuild=%v err=%v, want true", rebuild, err)
	}
	if n, _ := idx.Count(ctx); n != 0 {
		t.Fatalf("rebuilt index holds %d documents, want 0", n)
	}
}

// English words are stemmed (Bleve only: Meilisearch does not stem).
func TestEnglishStemming(t *testing.T) {
	ctx := context.Background()
	idx := newIndex(t)
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	docs := []search.Document{
		{ID: 1, Title: "Lithium-ion battery separator"},
		{ID: 2, Abstract: "A separator for lithium ion batteries"},
		{ID: 3, Title: "Battering ram"},
	}
	if err := idx.Upsert(ctx, docs); err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]int{"batteries": 2, "battery": 2, "separators": 2, "lithium-ion": 2} {
		res, err := idx.Search(ctx, searchtest.Normalized(t, search.Query{Text: text}))
		if err != nil || res.Total != want {
			t.Errorf("%q: total %v err %v, want %d", text, res.Total, err, want)
		}
	}
}

// The abstract is indexed without unigrams; one Han character must still find it wherever it stands in
// a run (first, last, middle, alone, next to Latin), and only there.
func TestAbstractSingleCharacter(t *testing.T) {
	// The same holds in every field indexed without unigrams: the abstract, the patentee and the IPC
	// titles.
	for field, set := range map[string]func(d *search.Document, text string){
		"abstract":   func(d *search.Document, text string) { d.Abstract = text },
		"patentee":   func(d *search.Document, text string) { d.Patentee = text },
		"ipc_titles": func(d *search.Document, text string) { d.IPCTitles = text },
	} {
		t.Run(field, func(t *testing.T) { singleCharacterIn(t, set) })
	}
}

func singleCharacterIn(t *testing.T, set func(d *search.Document, text string)) {
	ctx := context.Background()
	idx := newIndex(t)
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	docs := []search.Document{
		{ID: 1, Title: "甲"}, // first of a run
		{ID: 2, Title: "乙"}, // last of a run
		{ID: 3, Title: "丙"}, // middle of a run
		{ID: 4, Title: "丁"}, // alone between punctuation
		{ID: 5, Title: "戊"}, // next to Latin
		{ID: 6, Title: "己"}, // 池 and 组 but no 电
		{ID: 7, Title: "庚"}, // the whole text
	}
	for i, text := range []string{"电池组", "用于供电", "储电池", "A，电，B", "5G电", "池塘 供水 组合", "电"} {
		set(&docs[i], text)
	}
	if err := idx.Upsert(ctx, docs); err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string][]int64{
		"电":   {1, 2, 3, 4, 5, 7},
		"池":   {1, 3, 6},
		"组":   {1, 6},
		"供电":  {2},
		"电池组": {1},
		"储电池": {3},
		"塘":   {6},
		"水":   {6},
		"甲":   {1},
		"锂":   nil,
	} {
		res, err := idx.Search(ctx, searchtest.Normalized(t, search.Query{Text: text, PerPage: search.MaxPerPage}))
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) || res.Total != len(want) {
			t.Errorf("%q: %v (total %d), want %v", text, got, res.Total, want)
		}
	}
}

// Facet terms are packed (see facets.go); two classes of one section must count the section once, and
// section and class filters must still find the document.
func TestFacetsOfSharedSection(t *testing.T) {
	ctx := context.Background()
	idx := newIndex(t)
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	docs := []search.Document{
		{ID: 1, Title: "甲", Type: "invention", IPCSection: []string{"G"}, IPCClass: []string{"G06", "G01"}, Industry: "人工智能", District: "310104"},
		{ID: 2, Title: "乙", Type: "design", IPCSection: []string{"G", "H"}, IPCClass: []string{"G06", "H01"}, HolderKind: "university"},
		{ID: 3, Title: "丙", Type: "utility_model", IPCSection: []string{"A"}, FeeModel: "free", PriceBand: "free", Industry: "汽车"},
	}
	for i := range docs {
		docs[i].IPC = docs[i].IPCClass
	}
	if err := idx.Upsert(ctx, docs); err != nil {
		t.Fatal(err)
	}
	res, err := idx.Search(ctx, searchtest.Normalized(t, search.Query{Facets: true}))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]int{
		search.FacetIPCSection: {"G": 2, "H": 1, "A": 1},
		search.FacetIPCClass:   {"G06": 2, "G01": 1, "H01": 1},
		search.FacetType:       {"invention": 1, "design": 1, "utility_model": 1},
		search.FacetIndustry:   {"人工智能": 1, "汽车": 1},
		search.FacetDistrict:   {"310104": 1},
		search.FacetHolderKind: {"university": 1},
		search.FacetFeeModel:   {"none": 2, "free": 1},
		search.FacetPriceBand:  {"free": 1},
	}
	for facet, counts := range want {
		if got := res.Facets[facet]; !maps.Equal(got, counts) {
			t.Errorf("facet %s: %v, want %v", facet, got, counts)
		}
	}
	for _, c := range []struct {
		q    search.Query
		want []int64
	}{
		{search.Query{IPC: []string{"G"}}, []int64{1, 2}},
		{search.Query{IPC: []string{"G01"}}, []int64{1}},
		{search.Query{IPC: []string{"G06"}}, []int64{1, 2}},
		{search.Query{IPC: []string{"H"}}, []int64{2}},
		{search.Query{IPC: []string{"A"}}, []int64{3}},
		{search.Query{IPC: []string{"H01", "A"}}, []int64{2, 3}},
		{search.Query{Types: []string{"design", "utility_model"}}, []int64{2, 3}},
		{search.Query{Types: []string{"invention"}, FeeModels: []string{"none"}}, []int64{1}},
		{search.Query{Industries: []string{"汽车", "人工智能"}}, []int64{1, 3}},
		{search.Query{Industries: []string{"人工智能"}, Districts: []string{"310104"}}, []int64{1}},
		{search.Query{Districts: []string{"310104"}, HolderKinds: []string{"university"}}, nil},
	} {
		res, err := idx.Search(ctx, searchtest.Normalized(t, c.q))
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%+v: %v, want %v", c.q, got, c.want)
		}
	}
}

// One character over abstracts of real text finds exactly the documents containing it (the abstract is
// indexed without unigrams, so this checks charQuery against a substring scan).
func TestSingleCharacterMatchesSubstringScan(t *testing.T) {
	c, idx := realCorpusIndex(t)
	ctx := context.Background()
	for _, w := range c.Words[:40] {
		for _, ch := range []string{string([]rune(w)[:1]), string([]rune(w)[len([]rune(w))-1:])} {
			want := 0
			for _, d := range c.Docs {
				if strings.Contains(d.Title+"\n"+d.Abstract+"\n"+d.Patentee+"\n"+d.IPCTitles, ch) {
					want++
				}
			}
			res, err := idx.Search(ctx, searchtest.Normalized(t, search.Query{Text: ch}))
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != want {
				t.Errorf("%q: %d hits, %d documents contain it", ch, res.Total, want)
			}
		}
	}
}

func TestTextCacheEmptiedByWrites(t *testing.T) {
	ctx := context.Background()
	idx := bleve.New(filepath.Join(t.TempDir(), "index"))
	idx.CacheText = true
	defer idx.Close()
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	q := search.Query{Text: "电池", Page: 1, PerPage: 10, Facets: true}
	count := func() int {
		t.Helper()
		res, err := idx.Search(ctx, searchtest.Normalized(t, q))
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	if n := count(); n != 0 {
		t.Fatalf("empty index: %d hits", n)
	}
	if err := idx.Upsert(ctx, []search.Document{{ID: 1, ApplicationNo: "202010566088.9", Title: "一种锂电池"}}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("after upsert: %d hits (stale cache?)", n)
	}
	count() // served from the cache now
	if err := idx.Delete(ctx, []int64{1}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Fatalf("after delete: %d hits (stale cache?)", n)
	}
}

// Only titles keep term positions; in the abstract, patentee and IPC titles a word of three or more
// Han characters matches when all of its bigrams occur, adjacent or not. So recall stays that of a
// substring scan, and precision may drop a little where a text holds the bigrams apart. This measures
// both on 3,000 synthesized documents (real titles recombined into abstracts) for the longer frequent
// words of the real titles.
func TestLongWordsOutsideTitles(t *testing.T) {
	c, idx := realCorpusIndex(t)
	ctx := context.Background()
	byID := map[int64]search.Document{}
	for _, d := range c.Docs {
		byID[d.ID] = d
	}
	var words, hits, relevant, found int
	for _, w := range c.Words {
		if len([]rune(w)) < 3 {
			continue
		}
		words++
		want := 0
		for _, d := range c.Docs {
			if strings.Contains(d.Title+"\n"+d.Abstract+"\n"+d.Patentee+"\n"+d.IPCTitles, w) {
				want++
			}
		}
		got := 0
		for page := 1; ; page++ {
			res, err := idx.Search(ctx, searchtest.Normalized(t, search.Query{Text: w, Page: page, PerPage: search.MaxPerPage}))
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				d := byID[h.ID]
				hits++
				if strings.Contains(d.Title+"\n"+d.Abstract+"\n"+d.Patentee+"\n"+d.IPCTitles, w) {
					got++
				}
			}
			if page*search.MaxPerPage >= res.Total {
				break
			}
		}
		relevant += want
		found += got
		if got != want {
			t.Errorf("%q: %d of the %d documents containing it found", w, got, want)
		}
	}
	if words < 20 || hits == 0 {
		t.Fatalf("only %d words of three or more characters, %d hits", words, hits)
	}
	precision := float64(found) / float64(hits)
	t.Logf("%d words of 3–4 characters: %d hits, %d contain the word (precision %.3f), recall %d/%d", words, hits, found, precision, found, relevant)
	if precision < 0.95 {
		t.Errorf("precision %.3f below 0.95", precision)
	}
}

// realCorpusIndex indexes 3,000 documents synthesized from the real titles (real titles recombined into
// abstracts); the test skips where the real data is absent.
func realCorpusIndex(t *testing.T) (searchtest.Corpus, search.Index) {
	t.Helper()
	dir, ok := searchtest.FindRealData()
	if !ok {
		t.Skip("shared/data/real not found (set PATENTWALL_REAL_DATA)")
	}
	real, err := searchtest.LoadRealTitles(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := searchtest.Synthesize(real, 3000, 3)
	idx := newIndex(t)
	if _, err := idx.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := idx.Upsert(context.Background(), c.Docs); err != nil {
		t.Fatal(err)
	}
	return c, idx
}

// A Bulk index (batch commands) answers the shared suite like any other.
func TestSuiteBulk(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Index {
		idx := bleve.New(filepath.Join(t.TempDir(), "index"))
		idx.Bulk = true
		t.Cleanup(func() { idx.Close() })
		return idx
	})
}

// In a Bulk index, UpsertDeferred reports each write once it is on disk, and Upsert, Delete and
// Optimize return only then: closing right after and reopening finds every write.
func TestBulkWritesReachDisk(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "index")
	docs := searchtest.Synthesize(nil, 1200, 3).Docs
	idx := openBulk(t, dir)
	onDisk := make(chan int, 3)
	for i := range 3 {
		if err := idx.UpsertDeferred(ctx, docs[i*300:(i+1)*300], func() { onDisk <- i }); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		select {
		case <-onDisk:
		case <-time.After(30 * time.Second):
			t.Fatal("a deferred write was never reported on disk")
		}
	}
	if err := idx.Upsert(ctx, docs[900:]); err != nil {
		t.Fatal(err)
	}
	if err := idx.Delete(ctx, []int64{docs[0].ID, docs[1000].ID}); err != nil {
		t.Fatal(err)
	}
	if err := idx.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	closeAndReopen(t, idx, dir, 1198)
}

// openBulk opens a new Bulk index in dir.
func openBulk(t *testing.T, dir string) *bleve.Index {
	t.Helper()
	idx := bleve.New(dir)
	idx.Bulk = true
	if _, err := idx.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return idx
}

// closeAndReopen closes idx, opens dir again (closed at the test's end) and checks it needs no rebuild
// and holds want documents.
func closeAndReopen(t *testing.T, idx *bleve.Index, dir string, want int) *bleve.Index {
	t.Helper()
	ctx := context.Background()
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	again := bleve.New(dir)
	t.Cleanup(func() { again.Close() })
	if rebuild, err := again.Init(ctx); err != nil || rebuild {
		t.Fatalf("reopen: rebuild=%v err=%v", rebuild, err)
	}
	if n, err := again.Count(ctx); err != nil || n != want {
		t.Fatalf("after reopening: %d documents (err %v), want %d", n, err, want)
	}
	return again
}

// A bulk load leaves several segments; Optimize merges them all into one, and every document is still
// found, after reopening too.
func TestBulkOptimizeMergesIntoOne(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "index")
	docs := searchtest.Synthesize(nil, 1400, 5).Docs
	idx := openBulk(t, dir)
	for i := 0; i < len(docs); i += 20 {
		if err := idx.Upsert(ctx, docs[i:i+20]); err != nil {
			t.Fatal(err)
		}
	}
	if n := idx.SegmentsForTest(); n < 2 {
		t.Fatalf("%d segments before optimising, want several", n)
	}
	if err := idx.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	if n := idx.SegmentsForTest(); n != 1 {
		t.Fatalf("%d segments after optimising, want 1", n)
	}
	again := closeAndReopen(t, idx, dir, len(docs))
	if n := again.SegmentsForTest(); n != 1 {
		t.Fatalf("%d segments after reopening, want 1", n)
	}
}
