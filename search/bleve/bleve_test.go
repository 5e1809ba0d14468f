package bleve_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

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

func TestQuality(t *testing.T) { searchtest.Quality(t, newIndex) }

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
		res, err := idx.Search(ctx, search.Query{Text: text})
		if err != nil || res.Total != want {
			t.Errorf("%q: total %v err %v, want %d", text, res.Total, err, want)
		}
	}
}
