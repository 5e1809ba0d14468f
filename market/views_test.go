package market_test

import (
	"context"
	"testing"

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
			err := s.DB.Model(&market.Patent{}).Select("patents.id").
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
