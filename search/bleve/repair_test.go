package bleve_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"patentwall/search"
	"patentwall/search/bleve"
)

// filledIndex writes an index of two documents in dir and closes it.
func filledIndex(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	idx := bleve.New(dir)
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	listed := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	docs := []search.Document{{ID: 1, Title: "一种锂电池", ListedAt: listed}, {ID: 2, Title: "一种电机", ListedAt: listed}}
	if err := idx.Upsert(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
}

// An index that cannot be read at start (corrupt or missing files) is replaced by an empty one and
// reported for a rebuild (docs/architecture.md §4), instead of failing the start or, worse, opening an
// older, emptier snapshot without a word.
func TestInitRebuildsCorruptIndex(t *testing.T) {
	zaps := func(t *testing.T, dir string) []string {
		t.Helper()
		z, _ := filepath.Glob(filepath.Join(dir, "store", "*.zap"))
		if len(z) == 0 {
			t.Fatal("the index has no segment files")
		}
		return z
	}
	cases := map[string]func(t *testing.T, dir string){
		"metadata garbled": func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "index_meta.json"), []byte("{garbage"), 0o644)
		},
		"metadata removed": func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "index_meta.json")) },
		"root garbled": func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "store", "root.bolt"), []byte("garbage garbage garbage"), 0o644)
		},
		"segment missing": func(t *testing.T, dir string) {
			for _, z := range zaps(t, dir) {
				os.Remove(z)
			}
		},
		"segment truncated": func(t *testing.T, dir string) {
			for _, z := range zaps(t, dir) {
				os.Truncate(z, 10)
			}
		},
		"segment garbled": func(t *testing.T, dir string) {
			for _, z := range zaps(t, dir) {
				b, err := os.ReadFile(z)
				if err != nil {
					t.Fatal(err)
				}
				for i := range b {
					b[i] ^= 0x5a
				}
				os.WriteFile(z, b, 0o644)
			}
		},
	}
	for name, corrupt := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dir := filepath.Join(t.TempDir(), "index")
			filledIndex(t, dir)
			corrupt(t, dir)
			idx := bleve.New(dir)
			defer idx.Close()
			rebuild, err := idx.Init(ctx)
			if err != nil || !rebuild || idx.Discarded == nil {
				t.Fatalf("Init: rebuild=%v err=%v discarded=%v, want a rebuild of a discarded index", rebuild, err, idx.Discarded)
			}
			if n, err := idx.Count(ctx); err != nil || n != 0 {
				t.Fatalf("new index: %d documents, %v", n, err)
			}
			// The new index works and survives a reopen.
			if err := idx.Upsert(ctx, []search.Document{{ID: 3, Title: "一种电池", ListedAt: time.Now()}}); err != nil {
				t.Fatal(err)
			}
			idx.Close()
			again := bleve.New(dir)
			defer again.Close()
			if rebuild, err := again.Init(ctx); err != nil || rebuild || again.Discarded != nil {
				t.Fatalf("reopen: rebuild=%v err=%v discarded=%v", rebuild, err, again.Discarded)
			}
			if n, _ := again.Count(ctx); n != 1 {
				t.Fatalf("reopened: %d documents, want 1", n)
			}
		})
	}

	// An intact index is kept as it is.
	dir := filepath.Join(t.TempDir(), "index")
	filledIndex(t, dir)
	idx := bleve.New(dir)
	defer idx.Close()
	if rebuild, err := idx.Init(context.Background()); err != nil || rebuild || idx.Discarded != nil {
		t.Fatalf("intact: rebuild=%v err=%v discarded=%v", rebuild, err, idx.Discarded)
	}
	if n, _ := idx.Count(context.Background()); n != 2 {
		t.Fatalf("intact: %d documents, want 2", n)
	}
}

// A directory removed under a running index: searches and pings fail (instead of answering from what
// is left in memory), so the site says search is unavailable until a restart rebuilds the index.
func TestRemovedDirectoryFails(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "index")
	filledIndex(t, dir)
	idx := bleve.New(dir)
	defer idx.Close()
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	q, err := search.Query{Text: "电池"}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	if res, err := idx.Search(ctx, q); err != nil || res.Total != 1 {
		t.Fatalf("before: %v %v", res, err)
	}
	if err := idx.Ping(ctx); err != nil {
		t.Fatalf("ping before: %v", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := idx.Search(ctx, q); !errors.Is(err, bleve.ErrDirGone) {
		t.Errorf("search after removal: %v, want ErrDirGone", err)
	}
	if err := idx.Ping(ctx); !errors.Is(err, bleve.ErrDirGone) {
		t.Errorf("ping after removal: %v, want ErrDirGone", err)
	}
	// Writes are refused before they reach Bleve, which can panic writing into a removed directory; a
	// batch large enough to be cut in parts as well as a single document and a delete.
	many := make([]search.Document, 300)
	for i := range many {
		many[i] = search.Document{ID: int64(100 + i), Title: "电池", ListedAt: time.Now()}
	}
	for i := 0; i < 3; i++ {
		if err := idx.Upsert(ctx, []search.Document{{ID: 9, Title: "电池", ListedAt: time.Now()}}); !errors.Is(err, bleve.ErrDirGone) {
			t.Errorf("upsert after removal: %v, want ErrDirGone", err)
		}
		if err := idx.Upsert(ctx, many); !errors.Is(err, bleve.ErrDirGone) {
			t.Errorf("upsert of %d after removal: %v, want ErrDirGone", len(many), err)
		}
		if err := idx.Delete(ctx, []int64{1, 2}); !errors.Is(err, bleve.ErrDirGone) {
			t.Errorf("delete after removal: %v, want ErrDirGone", err)
		}
	}
	idx.Close()

	// The next start builds a new index there.
	next := bleve.New(dir)
	defer next.Close()
	if rebuild, err := next.Init(ctx); err != nil || !rebuild {
		t.Fatalf("restart: rebuild=%v err=%v", rebuild, err)
	}
}
