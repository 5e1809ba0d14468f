package market_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/demo"
	"patentwall/market/markettest"
)

// LatestPerIndustry answers in one window query what a query per industry would: the n newest open-
// licence patents of each industry, newest first.
func TestLatestPerIndustry(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, s, demo.Options{Seed: 3, Orgs: 40, Patents: 300}); err != nil {
			t.Fatal(err)
		}
		counts, err := s.IndustryCounts(ctx)
		if err != nil || len(counts) < 3 {
			t.Fatalf("industry counts %v, %v", counts, err)
		}
		names := []string{counts[0].Industry, counts[1].Industry, counts[2].Industry}
		got, err := s.LatestPerIndustry(ctx, names, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, ind := range names {
			var want []int64
			err := s.Gorm().Model(&market.Patent{}).Select("patents.id").
				Joins("JOIN declarations d ON d.patent_id = patents.id AND d.status = ?", market.DeclLive).
				Where("patents.industry = ?", ind).Order("d.published_at DESC, patents.id DESC").Limit(3).Scan(&want).Error
			if err != nil {
				t.Fatal(err)
			}
			if len(got[ind]) != len(want) || len(want) == 0 {
				t.Fatalf("%s: got %d patents, want %d", ind, len(got[ind]), len(want))
			}
			for i, v := range got[ind] {
				if v.ID != want[i] || v.Declaration == nil || v.Patentee.ID == 0 {
					t.Errorf("%s #%d: got patent %d (declaration %v, patentee %d), want %d", ind, i, v.ID, v.Declaration != nil, v.Patentee.ID, want[i])
				}
			}
		}
		if other, _ := s.LatestPerIndustry(ctx, []string{"no such industry"}, 3); len(other) != 0 {
			t.Errorf("unknown industry: %v", other)
		}
	})
}

// PatentsByIDs scans one hand-written join; it must give exactly what the ORM loads field by field
// (PatentByApplicationNo), in the order asked, for patents with and without a live declaration and with
// every optional column set somewhere: the listing fields of the patent and its patentee, and the
// whole declaration.
func TestPatentsByIDsMatchesORM(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ids := demoPatentIDs(t, s, demo.Options{Seed: 5, Orgs: 30, Patents: 120}, "id DESC", 100)
		// Optional columns: a verified patentee with SME facts, encumbrances, a transfer price, a
		// declaration with its creator, and a patent whose declaration was withdrawn.
		now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		uid := int64(1)
		var first market.Patent
		s.Gorm().First(&first, ids[0])
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.Gorm().Model(&market.Organisation{}).Where("id = ?", first.PatenteeID).Updates(map[string]any{
			"verified_at": now, "verified_by": uid, "sme_employees": 42, "sme_revenue_fen": 1234500, "sme_note": "注",
			"is_sme": true, "address": "上海市", "founded_on": market.NewDate(2001, 2, 3)}).Error)
		must(s.Gorm().Model(&market.Patent{}).Where("id = ?", ids[0]).Updates(map[string]any{
			"fees_unpaid": true, "under_dispute": true, "transfer_price_fen": 990000, "featured": true}).Error)
		must(s.Gorm().Model(&market.Declaration{}).Where("patent_id = ?", ids[1]).Updates(map[string]any{
			"created_by": uid, "warnings": "w", "evaluation_report_no": "R1"}).Error)
		must(s.Gorm().Model(&market.Declaration{}).Where("patent_id = ?", ids[2]).Updates(map[string]any{
			"status": market.DeclWithdrawn, "withdrawn_at": now}).Error)

		// Out of order, with an unknown ID.
		ask := append(append([]int64{ids[2], -5}, ids[:2]...), ids[3:]...)
		wantIDs := append(append([]int64{ids[2]}, ids[:2]...), ids[3:]...)
		got, err := s.PatentsByIDs(ctx, ask)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(ids) {
			t.Fatalf("got %d patents, want %d", len(got), len(ids))
		}
		withDecl, without := 0, 0
		for i, v := range got {
			wantID := wantIDs[i]
			want, err := s.PatentByApplicationNo(ctx, v.ApplicationNo)
			if err != nil {
				t.Fatal(err)
			}
			want.Abstract, want.CreatedAt, want.UpdatedAt = "", time.Time{}, time.Time{}
			o := want.Patentee
			want.Patentee = market.Organisation{ID: o.ID, USCC: o.USCC, Name: o.Name, Kind: o.Kind, DistrictCode: o.DistrictCode}
			if v.ID != wantID || !reflect.DeepEqual(v, *want) {
				t.Fatalf("#%d: got\n%+v\nwant patent %d:\n%+v", i, v, wantID, *want)
			}
			if v.Declaration != nil {
				withDecl++
			} else {
				without++
			}
		}
		if withDecl == 0 || without == 0 {
			t.Errorf("%d with and %d without a declaration: the demo data should have both", withDecl, without)
		}
	})
}

// PatentsByIDs pads its ID list to a few statement shapes by repeating the first ID: whatever the
// list's length, the answer is the patents asked for, in order, an ID asked twice answered twice and
// an unknown one (first or not) skipped.
func TestPatentsByIDsListLengths(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ids := demoPatentIDs(t, s, demo.Options{Seed: 6, Orgs: 10, Patents: 40}, "id", 40)
		for _, n := range []int{1, 2, 7, 8, 9, 16, 17, 33} {
			for _, unknownFirst := range []bool{false, true} {
				ask := append([]int64(nil), ids[len(ids)-n:]...)
				slices.Reverse(ask)
				want := append([]int64(nil), ask...)
				if n > 2 {
					ask[n-1] = ask[0] // asked twice
					want[n-1] = want[0]
				}
				if unknownFirst {
					ask = append([]int64{-7}, ask...)
				}
				got, err := s.PatentsByIDs(ctx, ask)
				if err != nil {
					t.Fatal(err)
				}
				gotIDs := make([]int64, len(got))
				for i, v := range got {
					gotIDs[i] = v.ID
				}
				if !slices.Equal(gotIDs, want) {
					t.Errorf("n=%d unknown first %v: got %v, want %v", n, unknownFirst, gotIDs, want)
				}
			}
		}
	})
}

// demoPatentIDs loads a demo catalogue into s and returns its patents' IDs in the given order, failing
// unless there are at least atLeast.
func demoPatentIDs(t *testing.T, s *market.Store, opts demo.Options, order string, atLeast int) []int64 {
	t.Helper()
	if _, err := demo.Load(context.Background(), s, opts); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	if err := s.Gorm().Model(&market.Patent{}).Order(order).Pluck("id", &ids).Error; err != nil || len(ids) < atLeast {
		t.Fatalf("ids %d, %v", len(ids), err)
	}
	return ids
}
