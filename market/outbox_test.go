package market_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"patentwall/market"
	"patentwall/market/markettest"
)

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

// seedPatents inserts one organisation and n granted patents, the first with a live declaration.
func seedPatents(t *testing.T, s *market.Store, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	org := market.Organisation{USCC: "914403001922038216", Name: "上海测试大学", Kind: market.KindUniversity,
		DistrictCode: "310110", CreatedAt: t0, UpdatedAt: t0}
	if err := s.Gorm().WithContext(ctx).Create(&org).Error; err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, n)
	for i := range n {
		p := market.Patent{ApplicationNo: fmt.Sprintf("2020105660%02d.0", i), Type: "invention",
			Title: fmt.Sprintf("一种锂电池第%d号", i), PatenteeID: org.ID, Status: market.StatusGranted,
			IPC: "H01M 10/052;G06F", CreatedAt: t0, UpdatedAt: t0}
		if err := s.Gorm().WithContext(ctx).Create(&p).Error; err != nil {
			t.Fatal(err)
		}
		ids[i] = p.ID
	}
	d := market.Declaration{PatentID: ids[0], FeeModel: market.FeeLumpSum, FeeFen: 5_000_00, TermMonths: 24,
		Status: market.DeclLive, PublishedAt: t0}
	if err := s.Gorm().WithContext(ctx).Create(&d).Error; err != nil {
		t.Fatal(err)
	}
	titles := []market.IPCTitle{
		{Symbol: "H", Level: "section", TitleZH: "电学", TitleEN: "ELECTRICITY"},
		{Symbol: "H01", Level: "class", TitleZH: "基本电气元件", TitleEN: "BASIC ELECTRIC ELEMENTS"},
		{Symbol: "H01M", Level: "subclass", TitleZH: "用于直接转变化学能为电能的方法或装置", TitleEN: "BATTERIES"},
		{Symbol: "G06F", Level: "subclass", TitleZH: "电数字数据处理", TitleEN: "ELECTRIC DIGITAL DATA PROCESSING"},
	}
	if err := s.Gorm().WithContext(ctx).Create(&titles).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

func enqueue(t *testing.T, s *market.Store, ids ...int64) {
	t.Helper()
	err := s.Tx(context.Background(), func(tx *gorm.DB) error { return market.EnqueueIndex(tx, t0, ids...) })
	if err != nil {
		t.Fatal(err)
	}
}

func TestClaimOutbox(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ids := seedPatents(t, s, 3)
		enqueue(t, s, ids[0], ids[1], ids[0], ids[2])

		// A failing batch keeps its rows, counts the attempt and records the error.
		var got []int64
		n, err := s.ClaimOutbox(ctx, 2, func(p []int64) error { got = p; return errors.New("engine down") })
		if err == nil || n != 0 {
			t.Fatalf("failing fn: n=%d err=%v, want error and 0", n, err)
		}
		if !slices.Equal(got, []int64{ids[0], ids[1]}) {
			t.Fatalf("first batch patents = %v, want %v", got, ids[:2])
		}
		var rows []market.OutboxRow
		s.Gorm().Order("id").Find(&rows)
		if len(rows) != 4 || rows[0].Attempts != 1 || rows[0].LastError != "engine down" || rows[2].Attempts != 0 {
			t.Fatalf("after failure rows = %+v", rows)
		}

		// Retried: the same rows come back, patents deduplicated, and are deleted on success.
		n, err = s.ClaimOutbox(ctx, 3, func(p []int64) error { got = p; return nil })
		if err != nil || n != 3 || !slices.Equal(got, []int64{ids[0], ids[1]}) {
			t.Fatalf("retry: n=%d err=%v patents=%v", n, err, got)
		}
		n, err = s.ClaimOutbox(ctx, 10, func(p []int64) error { got = p; return nil })
		if err != nil || n != 1 || !slices.Equal(got, []int64{ids[2]}) {
			t.Fatalf("last: n=%d err=%v patents=%v", n, err, got)
		}
		called := false
		n, err = s.ClaimOutbox(ctx, 10, func([]int64) error { called = true; return nil })
		if err != nil || n != 0 || called {
			t.Fatalf("empty outbox: n=%d err=%v called=%v", n, err, called)
		}
		if l, _ := s.OutboxLen(ctx); l != 0 {
			t.Fatalf("outbox length %d, want 0", l)
		}
	})
}

func TestIndexRows(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ids := seedPatents(t, s, 2)
		rows, err := s.IndexRows(ctx, []int64{ids[1], ids[0], 999999})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].ID != ids[0] || rows[1].ID != ids[1] {
			t.Fatalf("rows = %+v", rows)
		}
		r := rows[0]
		if r.PatenteeName != "上海测试大学" || r.PatenteeKind != market.KindUniversity || r.DistrictCode != "310110" {
			t.Errorf("patentee = %q %q %q", r.PatenteeName, r.PatenteeKind, r.DistrictCode)
		}
		if r.Declaration == nil || r.Declaration.FeeFen != 5_000_00 || rows[1].Declaration != nil {
			t.Errorf("declarations = %+v / %+v", r.Declaration, rows[1].Declaration)
		}
		var syms []string
		for _, t := range r.IPCTitles {
			syms = append(syms, t.Symbol)
		}
		// Section and class titles are left out on purpose; the group symbol has no title in this table.
		if want := []string{"H01M", "G06F"}; !slices.Equal(syms, want) {
			t.Errorf("IPC titles %v, want %v", syms, want)
		}
	})
}

func TestForEachPatentID(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ids := seedPatents(t, s, 7)
		var got []int64
		batches := 0
		err := s.ForEachPatentID(context.Background(), 3, func(b []int64) error {
			batches++
			got = append(got, b...)
			return nil
		})
		if err != nil || batches != 3 || !slices.Equal(got, ids) {
			t.Fatalf("batches=%d err=%v got=%v want=%v", batches, err, got, ids)
		}
		if n, _ := s.CountPatents(context.Background()); n != 7 {
			t.Fatalf("CountPatents = %d", n)
		}
		stop := errors.New("stop")
		if err := s.ForEachPatentID(context.Background(), 3, func([]int64) error { return stop }); !errors.Is(err, stop) {
			t.Fatalf("error not passed through: %v", err)
		}
	})
}
