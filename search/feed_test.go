package search_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/demo"
	"patentwall/market/imports"
	"patentwall/market/markettest"
	"patentwall/search"
)

// importFed imports a patents CSV with a Feed as its Written hook and finishes the feed as the command
// line does.
func importFed(t *testing.T, s *market.Store, idx search.Index, csv string) (imports.Report, error) {
	t.Helper()
	ctx := context.Background()
	table, err := imports.Read(strings.NewReader(csv), ".csv")
	if err != nil {
		t.Fatal(err)
	}
	feed, err := search.StartFeed(ctx, s, idx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := imports.ImportPatents(ctx, s, table, imports.Options{Written: feed.Add})
	if ferr := feed.Finish(ctx, err == nil, nil); ferr != nil {
		t.Fatalf("finish: %v", ferr)
	}
	return rep, err
}

// indexMatchesDatabase checks that idx holds exactly the search document of every patent in the
// database, as the outbox worker would build it.
func indexMatchesDatabase(t *testing.T, s *market.Store, idx *recorder) {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	if err := s.ForEachPatentID(ctx, 1000, func(b []int64) error { ids = append(ids, b...); return nil }); err != nil {
		t.Fatal(err)
	}
	rows, err := s.IndexRows(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	idx.mu.Lock()
	defer idx.mu.Unlock()
	if len(idx.docs) != len(rows) {
		t.Fatalf("index holds %d documents, the database %d patents", len(idx.docs), len(rows))
	}
	for _, r := range rows {
		want := search.DocumentOf(r)
		got, ok := idx.docs[r.ID]
		if !ok {
			t.Fatalf("patent %d is not indexed", r.ID)
		}
		want.ListedAt, got.ListedAt = want.ListedAt.Round(time.Millisecond), got.ListedAt.Round(time.Millisecond)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("patent %d indexed as\n%+v\nthe database gives\n%+v", r.ID, got, want)
		}
	}
}

// A large import indexed while it is written: after a commit the index holds exactly what the database
// does and the fed patents' outbox rows are gone (others stay); after a rollback the patents it never
// committed are gone from the index and the ones it changed are back as stored; a feed never finished
// (a crash) leaves the index marked for a rebuild.
func TestFeedIndexesAnImportWhileItIsWritten(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		csvOf := func(seed int64) string {
			ds := demo.Generate(demo.Options{Seed: seed, Orgs: 30, Patents: 2600, Now: time.Now()})
			var orgsCSV, patentsCSV bytes.Buffer
			if err := demo.WriteCSV(ds, &orgsCSV, &patentsCSV); err != nil {
				t.Fatal(err)
			}
			orgs, err := imports.Read(&orgsCSV, ".csv")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := imports.ImportOrgs(ctx, s, orgs, imports.Options{}); err != nil {
				t.Fatal(err)
			}
			return patentsCSV.String()
		}
		patentsCSV, otherCSV := csvOf(demo.DefaultSeed), csvOf(demo.DefaultSeed+1)
		other := seed(t, s, 1) // a change of someone else's, waiting in the outbox
		if err := s.DeleteOutboxRange(ctx, 0, 1<<62); err != nil {
			t.Fatal(err)
		}
		enqueue(t, s, other...)
		idx := newRecorder()
		if err := search.Reindex(ctx, s, idx, nil); err != nil {
			t.Fatal(err)
		}

		// 1. New patents, most with a declaration.
		rep, err := importFed(t, s, idx, patentsCSV)
		if err != nil || rep.Created != 2600 {
			t.Fatalf("import: %d created, %d errors, %v", rep.Created, len(rep.Errors), err)
		}
		indexMatchesDatabase(t, s, idx)
		if idx.optimized != 2 { // after the rebuild and after the import
			t.Fatalf("index optimised %d times, want after the rebuild and after the import", idx.optimized)
		}
		if n, _ := s.OutboxLen(ctx); n != 1 {
			t.Fatalf("outbox after the import: %d rows, want the other change's 1", n)
		}

		// 2. The same patents with new titles and abstracts: updates.
		changed := strings.ReplaceAll(patentsCSV, "一种", "一种改进的")
		rep, err = importFed(t, s, idx, changed)
		if err != nil || rep.Updated == 0 {
			t.Fatalf("second import: %d updated, %d errors, %v", rep.Updated, len(rep.Errors), err)
		}
		indexMatchesDatabase(t, s, idx)

		// 3. Declarations replaced (a new fee) and withdrawn (the patent lapsed, its row without one): the
		// fed documents carry the live declaration as the database then has it.
		rep, err = importFed(t, s, idx, editDeclarations(t, changed))
		if err != nil || rep.DeclarationsReplaced == 0 || rep.DeclarationsWithdrawn == 0 {
			t.Fatalf("third import: %d replaced, %d withdrawn, %d errors, %v", rep.DeclarationsReplaced,
				rep.DeclarationsWithdrawn, len(rep.Errors), err)
		}
		indexMatchesDatabase(t, s, idx)

		// 4. A file whose last row is bad: nothing is imported, and what was fed before the bad row
		// (new patents, then the first titles again) is put back as the database has it.
		lines := strings.Split(strings.TrimSpace(patentsCSV), "\n")
		others := strings.Split(strings.TrimSpace(otherCSV), "\n")
		last := lines[2300]
		bad := strings.Join(others[:2101], "\n") + "\n" + strings.Join(lines[2101:2300], "\n") + "\n" +
			"garbage" + last[strings.Index(last, ","):] + "\n"
		if _, err := importFed(t, s, idx, bad); !errors.Is(err, imports.ErrInvalidRows) {
			t.Fatalf("bad file: %v", err)
		}
		indexMatchesDatabase(t, s, idx)
		if again, err := search.ReindexInterrupted(ctx, s); err != nil || again {
			t.Fatalf("rebuild marker after finished feeds: %v %v", again, err)
		}

		// 5. A feed that never finishes (the process died) leaves the index marked for a rebuild.
		if _, err := search.StartFeed(ctx, s, idx); err != nil {
			t.Fatal(err)
		}
		if again, err := search.ReindexInterrupted(ctx, s); err != nil || !again {
			t.Fatalf("unfinished feed: rebuild not due: %v %v", again, err)
		}
		if _, err := search.StartFeed(ctx, s, idx); !errors.Is(err, search.ErrFeedRefused) {
			t.Fatalf("feed while a rebuild is due: %v", err)
		}
	})
}

// editDeclarations rewrites a patents CSV: of the rows with a declaration, every third gets a new up-front
// fee (its declaration is replaced) and every third but one lapses without a declaration (its
// declaration is withdrawn).
func editDeclarations(t *testing.T, in string) string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(in)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range recs[0] {
		col[name] = i
	}
	declared := 0
	for _, r := range recs[1:] {
		if r[col["fee_model"]] == "" {
			continue
		}
		set := func(name, v string) {
			if i, ok := col[name]; ok {
				r[i] = v
			}
		}
		switch declared++; declared % 3 {
		case 0:
			set("fee_model", "lump_sum")
			set("fee_yuan", "99.00")
			set("royalty_percent", "")
			set("entry_fee_yuan", "")
		case 1:
			set("status", "lapsed")
			for _, c := range []string{"fee_model", "fee_yuan", "royalty_percent", "royalty_base", "entry_fee_yuan", "term_months", "evaluation_report_no"} {
				set(c, "")
			}
		}
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// An engine that fails stops the import that feeds it with an error (it does not hang), and Finish then
// puts the index back in line with the database.
func TestFeedStopsWhenTheEngineFails(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		idx := newRecorder()
		idx.fail = errors.New("disk full")
		feed, err := search.StartFeed(ctx, s, idx)
		if err != nil {
			t.Fatal(err)
		}
		added := make(chan error, 1)
		go func() {
			for b := range 20 {
				rows := make([]market.IndexRow, 1000)
				for i := range rows {
					rows[i].ID = int64(b*1000 + i + 1)
				}
				if err := feed.Add(rows); err != nil {
					added <- err
					return
				}
			}
			added <- nil
		}()
		select {
		case err := <-added:
			if err == nil || !strings.Contains(err.Error(), "disk full") {
				t.Fatalf("feeding a failing engine: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("feeding a failing engine hangs")
		}
		// The import rolls back; Finish repairs by deleting the fed IDs (the database has none of them),
		// which this engine still accepts, so the index matches the database again.
		if err := feed.Finish(ctx, false, nil); err != nil {
			t.Fatalf("finish: %v", err)
		}
		if n, _ := idx.Count(ctx); n != 0 {
			t.Fatalf("index holds %d documents the database does not have", n)
		}
		if again, _ := search.ReindexInterrupted(ctx, s); again {
			t.Fatal("rebuild still due after the repair")
		}
	})
}
