package demo_test

import (
	"context"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/demo"
	"patentwall/market/markettest"
)

// count returns the rows of a table (optionally filtered).
func count(t *testing.T, s *market.Store, table, where string, args ...any) int64 {
	t.Helper()
	q := s.Gorm().Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

type tableCounts map[string]int64

func counts(t *testing.T, s *market.Store) tableCounts {
	out := tableCounts{}
	for _, tb := range []string{"organisations", "patents", "declarations", "walls", "supermarkets", "demands", "ipc_titles", "search_outbox"} {
		out[tb] = count(t, s, tb, "")
	}
	return out
}

func TestLoadIfEmpty(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		clock := markettest.NewClock(testNow)
		s.Now = clock.Now
		opt := demo.Options{Seed: 5}
		ds := generate(t, opt) // what Load generates with the store's clock

		loaded, err := demo.LoadIfEmpty(ctx, s, opt)
		if err != nil || !loaded {
			t.Fatalf("first LoadIfEmpty: loaded %v, err %v", loaded, err)
		}
		got := counts(t, s)
		want := tableCounts{"organisations": int64(len(ds.Orgs)), "patents": int64(len(ds.Patents)),
			"declarations": int64(len(ds.Declarations)), "walls": int64(len(ds.Walls)),
			"supermarkets": int64(len(ds.Supermarkets)), "demands": int64(len(ds.Demands)),
			"ipc_titles": int64(len(ds.IPCTitles))}
		for tb, n := range want {
			if got[tb] != n {
				t.Errorf("%s: %d rows, want %d", tb, got[tb], n)
			}
		}
		if n := count(t, s, "organisations", "verified_at IS NULL"); n != 0 {
			t.Errorf("%d organisations not verified", n)
		}
		// every patent is to be indexed (the channels' offers and transfers add rows for some again)
		if n := count(t, s, "(SELECT DISTINCT patent_id FROM search_outbox) o", ""); n != int64(len(ds.Patents)) {
			t.Errorf("%d patents in the search outbox, want %d", n, len(ds.Patents))
		}
		// every declaration is live but those of patents transferred through the channels' intents
		if n := count(t, s, "declarations", "status = ? OR patent_id IN (SELECT cp.patent_id FROM contract_patents cp JOIN contracts c ON c.id = cp.contract_id WHERE c.source = ? AND c.status = ?)",
			market.DeclLive, market.ContractSourceDeal, market.ContractEffective); n != int64(len(ds.Declarations)) {
			t.Errorf("%d live declarations, want %d", n, len(ds.Declarations))
		}
		info, err := demo.ReadLoadInfo(ctx, s)
		if err != nil || info == nil || info.Seed != 5 || info.Patents != len(ds.Patents) || !info.Now.Equal(testNow) {
			t.Errorf("load info %+v, err %v", info, err)
		}

		// The stored rows point at each other as the dataset's provisional IDs did.
		for _, i := range []int{0, 1, len(ds.Patents) / 2, len(ds.Patents) - 1} {
			want := &ds.Patents[i]
			v, err := s.PatentByApplicationNo(ctx, want.ApplicationNo)
			if err != nil {
				t.Fatalf("load %s: %v", want.ApplicationNo, err)
			}
			if v.Title != want.Title || v.IPC != want.IPC || v.Status != want.Status || v.FilingDate != want.FilingDate ||
				v.Patentee.USCC != ds.Org(want.PatenteeID).USCC {
				t.Errorf("%s stored as %+v", want.ApplicationNo, v.Patent)
			}
		}
		var d market.Declaration
		first := &ds.Declarations[0]
		if err := s.Gorm().Joins("JOIN patents p ON p.id = declarations.patent_id").
			Where("p.application_no = ?", ds.Patent(first.PatentID).ApplicationNo).First(&d).Error; err != nil {
			t.Fatal(err)
		}
		if !market.SameTerms(&d, first) || !d.PublishedAt.Equal(first.PublishedAt) {
			t.Errorf("declaration stored as %+v, want %+v", d, *first)
		}
		for _, w := range ds.Walls {
			if n := count(t, s, "walls w JOIN organisations o ON o.id = w.org_id", "w.slug = ? AND o.uscc = ?",
				w.Slug, ds.Org(w.OrgID).USCC); n != 1 {
				t.Errorf("wall %s not owned by %s", w.Slug, ds.Org(w.OrgID).Name)
			}
		}
		for _, m := range ds.Supermarkets {
			if n := count(t, s, "supermarkets m JOIN organisations o ON o.id = m.office_id JOIN organisations a ON a.id = m.agency_id",
				"m.slug = ? AND o.uscc = ? AND a.uscc = ?", m.Slug, ds.Org(m.OfficeID).USCC, ds.Org(*m.AgencyID).USCC); n != 1 {
				t.Errorf("supermarket %s not linked to its office and agency", m.Slug)
			}
		}
		if n := count(t, s, "demands d JOIN organisations o ON o.id = d.org_id", "o.kind = ? AND o.is_sme = ?",
			market.KindEnterprise, true); n != int64(len(ds.Demands)) {
			t.Errorf("%d demands by SME enterprises, want %d", n, len(ds.Demands))
		}

		// A second start finds organisations and loads nothing.
		clock.Advance(time.Hour)
		loaded, err = demo.LoadIfEmpty(ctx, s, opt)
		if err != nil || loaded {
			t.Fatalf("second LoadIfEmpty: loaded %v, err %v", loaded, err)
		}
		if again := counts(t, s); !sameCounts(again, got) {
			t.Errorf("second LoadIfEmpty changed the tables: %v, before %v", again, got)
		}
		// Load itself does not check: the same seed again collides on unique keys and writes nothing.
		if _, err := demo.Load(ctx, s, opt); err == nil {
			t.Error("loading the same seed twice succeeded")
		}
		if again := counts(t, s); !sameCounts(again, got) {
			t.Errorf("a failed Load left rows behind: %v, before %v", again, got)
		}
	})
}

func sameCounts(a, b tableCounts) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

// TestLoadKeepsImportedIPCTitles: titles already present (an official scheme import) win over the demo's.
func TestLoadKeepsImportedIPCTitles(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		s.Now = markettest.NewClock(testNow).Now
		official := market.IPCTitle{Symbol: "H01M", Level: market.IPCSubclass, TitleZH: "导入的标题", TitleEN: "Imported title"}
		if err := s.Gorm().Create(&official).Error; err != nil {
			t.Fatal(err)
		}
		st, err := demo.Load(ctx, s, demo.Options{Seed: 1, Orgs: 20, Patents: 200})
		if err != nil {
			t.Fatal(err)
		}
		if st.IPCTitles != len(demo.IPCTitles())-1 || st.Patents != 200 {
			t.Errorf("stats %+v, want %d new IPC titles", st, len(demo.IPCTitles())-1)
		}
		var got market.IPCTitle
		if err := s.Gorm().Where("symbol = ?", "H01M").First(&got).Error; err != nil || got != official {
			t.Errorf("H01M is now %+v (err %v), want the imported title kept", got, err)
		}
	})
}

// TestLoadRealClock: without Options.Now, Load dates everything relative to the store's clock.
func TestLoadRealClock(t *testing.T) {
	s := markettest.SQLite(t)
	later := testNow.AddDate(1, 2, 0)
	s.Now = markettest.NewClock(later).Now
	if _, err := demo.Load(context.Background(), s, demo.Options{Seed: 2, Orgs: 10, Patents: 100}); err != nil {
		t.Fatal(err)
	}
	var decls []market.Declaration
	if err := s.Gorm().Find(&decls).Error; err != nil || len(decls) == 0 {
		t.Fatalf("%d declarations, err %v", len(decls), err)
	}
	var newest time.Time
	for _, d := range decls {
		if d.PublishedAt.After(newest) {
			newest = d.PublishedAt
		}
	}
	if newest.After(later) || newest.Before(later.AddDate(-1, 0, 0)) {
		t.Errorf("newest declaration published %s, clock at %s", newest, later)
	}
}

// TestLoadIfEmptyConcurrent: servers starting together load the demo once.
func TestLoadIfEmptyConcurrent(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s.Now = markettest.NewClock(testNow).Now
		opt := demo.Options{Seed: 4, Orgs: 20, Patents: 300}
		const starters = 4
		results := make(chan error, starters)
		loads := make(chan bool, starters)
		for i := 0; i < starters; i++ {
			go func() {
				loaded, err := demo.LoadIfEmpty(context.Background(), s, opt)
				loads <- loaded
				results <- err
			}()
		}
		n := 0
		for i := 0; i < starters; i++ {
			if err := <-results; err != nil {
				t.Error(err)
			}
			if <-loads {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d of %d starters loaded the demo, want 1", n, starters)
		}
		if got := count(t, s, "patents", ""); got != 300 {
			t.Errorf("%d patents, want 300", got)
		}
	})
}
