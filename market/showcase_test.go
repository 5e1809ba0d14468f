package market_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

type showcase struct {
	pudong, yangpu, office, assoc market.Organisation
	byTitle                       map[string]market.Patent
}

func showcaseFixture(t *testing.T, s *market.Store) showcase {
	t.Helper()
	now := time.Date(2024, 5, 20, 2, 0, 0, 0, time.UTC)
	mk := func(v any) {
		t.Helper()
		if err := s.Gorm().Create(v).Error; err != nil {
			t.Fatal(err)
		}
	}
	org := func(n int, kind, district string) market.Organisation {
		body := fmt.Sprintf("91310115%08dX", n)
		c, _ := market.USCCCheckChar(body)
		o := market.Organisation{USCC: body + string(c), Name: fmt.Sprintf("机构%d", n), Kind: kind, DistrictCode: district,
			OperatingNormally: true, GoodCredit: true, CreatedAt: now, UpdatedAt: now}
		mk(&o)
		return o
	}
	sc := showcase{byTitle: map[string]market.Patent{}}
	sc.pudong = org(1, market.KindEnterprise, "310115")
	sc.yangpu = org(2, market.KindUniversity, "310110")
	sc.office = org(3, market.KindDistrictOffice, "310115")
	sc.assoc = org(4, market.KindAssociation, "310104")
	serial := 0
	add := func(title string, owner market.Organisation, industry string, featured bool, transferFen int64, model string, feeFen, entryFen, bp int64) {
		t.Helper()
		serial++
		digits := fmt.Sprintf("20201%07d", serial)
		c, _ := market.ApplicationCheckChar(digits)
		p := market.Patent{ApplicationNo: digits + "." + string(c), Type: market.TypeInvention, Title: title, PatenteeID: owner.ID,
			FilingDate: market.MustDate("2020-01-01"), Status: market.StatusGranted, Industry: industry, Featured: featured,
			TransferPriceFen: transferFen, CreatedAt: now, UpdatedAt: now}
		mk(&p)
		if model != "" {
			mk(&market.Declaration{PatentID: p.ID, FeeModel: model, FeeFen: feeFen, EntryFeeFen: entryFen, RoyaltyBP: bp,
				TermMonths: 24, Status: market.DeclLive, PublishedAt: now.Add(-time.Duration(serial) * time.Hour)})
		}
		sc.byTitle[title] = p
	}
	add("浦东免费", sc.pudong, "集成电路", false, 0, market.FeeFree, 0, 0, 0)
	add("浦东一次性五千", sc.pudong, "集成电路", false, 0, market.FeeLumpSum, 5000_00, 0, 0)
	add("浦东提成", sc.pudong, "人工智能", true, 0, market.FeeRoyalty, 0, 0, 300)
	add("浦东入门三万", sc.pudong, "集成电路", false, 0, market.FeeEntryPlusRoyalty, 0, 30000_00, 100)
	add("浦东一次性三十万", sc.pudong, "集成电路", false, 0, market.FeeLumpSum, 300000_00, 0, 0)
	add("浦东转让八千", sc.pudong, "集成电路", false, 8000_00, "", 0, 0, 0)
	add("浦东转让五十万", sc.pudong, "集成电路", false, 500000_00, "", 0, 0, 0)
	add("杨浦免费", sc.yangpu, "集成电路", true, 0, market.FeeFree, 0, 0, 0)
	add("杨浦无声明", sc.yangpu, "集成电路", false, 0, "", 0, 0, 0)
	for i := 0; i < 7; i++ {
		mk(&market.Demand{OrgID: sc.pudong.ID, Title: fmt.Sprintf("需求%d", i), Industry: []string{"集成电路", "人工智能"}[i%2],
			Status: []string{market.DemandOpen, market.DemandClosed}[i%3/2], CreatedAt: now.Add(-time.Duration(i) * time.Hour)})
	}
	return sc
}

func titles(ps []market.PatentView) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Title
	}
	return out
}

func sameList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestWalls(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		sc := showcaseFixture(t, s)
		for _, w := range []market.Wall{
			{Slug: "ic", Name: "集成电路专利墙", Industry: "集成电路", OrgID: sc.assoc.ID},
			{Slug: "featured", Name: "推荐专利墙", OrgID: sc.assoc.ID},
		} {
			w.CreatedAt = time.Now()
			if err := s.Gorm().Create(&w).Error; err != nil {
				t.Fatal(err)
			}
		}
		ws, err := s.Walls(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			if w.OrgName != sc.assoc.Name {
				t.Errorf("wall %s owner %q", w.Slug, w.OrgName)
			}
		}

		w, org, err := s.WallBySlug(ctx, "ic")
		if err != nil || org.ID != sc.assoc.ID {
			t.Fatalf("WallBySlug: %v %v", err, org)
		}
		ds, err := s.WallDemands(ctx, w, 10)
		if err != nil {
			t.Fatal(err)
		}
		var dt []string
		for _, d := range ds {
			dt = append(dt, d.Title)
			if d.OrgName != sc.pudong.Name || d.OrgDistrict != "310115" {
				t.Errorf("demand org %q %q", d.OrgName, d.OrgDistrict)
			}
		}
		// Open demands of the wall's industry, newest first (需求2 is closed, 需求1 and 需求3 are AI).
		sameList(t, "wall demands", dt, []string{"需求0", "需求4", "需求6"})

		if _, _, err := s.WallBySlug(ctx, "none"); err != market.ErrNotFound {
			t.Errorf("unknown wall: %v", err)
		}
	})
}

var bands = []market.ShelfBand{
	{Name: "free", Free: true},
	{Name: "lt_10k", MinFen: -1, MaxFen: 10_000_00},
	{Name: "10k_50k", MinFen: 10_000_00, MaxFen: 50_000_00},
	{Name: "50k_200k", MinFen: 50_000_00, MaxFen: 200_000_00},
	{Name: "gt_200k", MinFen: 200_000_00, MaxFen: -1},
}

func TestSupermarketShelves(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		sc := showcaseFixture(t, s)
		for _, sm := range []market.Supermarket{
			{Slug: "pd", Name: "浦东专利超市", DistrictCode: "310115", OfficeID: sc.office.ID, AgencyID: &sc.assoc.ID},
			{Slug: "cm", Name: "崇明专利超市", DistrictCode: "310151", OfficeID: sc.office.ID, MaxPriceFen: 10_000_00},
		} {
			sm.CreatedAt = time.Now()
			if err := s.Gorm().Create(&sm).Error; err != nil {
				t.Fatal(err)
			}
		}
		sms, err := s.Supermarkets(ctx)
		if err != nil || len(sms) != 2 {
			t.Fatalf("Supermarkets: %v %d", err, len(sms))
		}
		pd, err := s.SupermarketBySlug(ctx, "pd")
		if err != nil {
			t.Fatal(err)
		}
		if pd.OfficeName != sc.office.Name || pd.AgencyName != sc.assoc.Name {
			t.Errorf("names %q %q", pd.OfficeName, pd.AgencyName)
		}
		shelves, local, err := s.SupermarketShelves(ctx, &pd.Supermarket, bands, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !local {
			t.Error("Pudong has its own offers")
		}
		got := map[string][]string{}
		for _, sh := range shelves {
			got[sh.Band] = titles(sh.Patents)
			if int(sh.Total) != len(sh.Patents) {
				t.Errorf("shelf %s total %d for %d patents", sh.Band, sh.Total, len(sh.Patents))
			}
		}
		// Only Pudong's patentees; royalty-only terms sit on the cheapest paid shelf; the default
		// ceiling (200,000 yuan) keeps the 300,000 lump sum and the 500,000 sale off the shelves.
		want := map[string][]string{
			"free":     {"浦东免费"},
			"lt_10k":   {"浦东提成", "浦东一次性五千"},
			"10k_50k":  {"浦东入门三万"},
			"50k_200k": nil,
			"transfer": {"浦东转让八千"},
		}
		if len(got) != len(want) {
			t.Errorf("shelves %v", got)
		}
		for band, w := range want {
			sameList(t, "shelf "+band, got[band], w)
		}

		// One offer a shelf: the cheapest of each, each shelf still counting all of its offers.
		shelves, _, err = s.SupermarketShelves(ctx, &pd.Supermarket, bands, 1)
		if err != nil {
			t.Fatal(err)
		}
		totals := map[string]int64{}
		got = map[string][]string{}
		for _, sh := range shelves {
			got[sh.Band], totals[sh.Band] = titles(sh.Patents), sh.Total
		}
		sameList(t, "first of lt_10k", got["lt_10k"], []string{"浦东提成"})
		sameList(t, "first of 10k_50k", got["10k_50k"], []string{"浦东入门三万"})
		if totals["lt_10k"] != 2 || totals["free"] != 1 || totals["50k_200k"] != 0 || totals["transfer"] != 1 {
			t.Errorf("totals with one offer a shelf: %v", totals)
		}

		// Chongming has no patentee with an offer: the city's offers, under its own 10,000 yuan ceiling.
		cm, _ := s.SupermarketBySlug(ctx, "cm")
		shelves, local, err = s.SupermarketShelves(ctx, &cm.Supermarket, bands, 10)
		if err != nil {
			t.Fatal(err)
		}
		if local {
			t.Error("Chongming has no offers of its own")
		}
		got = map[string][]string{}
		for _, sh := range shelves {
			got[sh.Band] = titles(sh.Patents)
		}
		sameList(t, "cm free", got["free"], []string{"浦东免费", "杨浦免费"})
		sameList(t, "cm lt_10k", got["lt_10k"], []string{"浦东提成", "浦东一次性五千"})
		sameList(t, "cm transfer", got["transfer"], []string{"浦东转让八千"})
		if _, ok := got["10k_50k"]; ok {
			t.Error("a shelf above the ceiling is shown")
		}

		if _, err := s.SupermarketBySlug(ctx, "none"); err != market.ErrNotFound {
			t.Errorf("unknown supermarket: %v", err)
		}
	})
}

func TestDemandsNewestFirst(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		showcaseFixture(t, s)
		ds, total, err := s.DemandBoard(ctx, market.DemandFilter{}, 3, 3)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range ds {
			got = append(got, d.Title)
		}
		sameList(t, "page 2", got, []string{"需求3", "需求4", "需求5"})
		if total != 7 {
			t.Errorf("total %d", total)
		}
	})
}

// A supermarket's listings are what its page shows: the shelves' offers of its scope up to its ceiling,
// its transfers up to the ceiling, and its stocked shelves' pins and rule matches, each patent once.
func TestSupermarketListings(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		sc := showcaseFixture(t, s)
		pd := market.Supermarket{Slug: "pd", Name: "浦东专利超市", DistrictCode: "310115", OfficeID: sc.office.ID, CreatedAt: time.Now()}
		if err := s.Gorm().Create(&pd).Error; err != nil {
			t.Fatal(err)
		}
		bureau := market.Actor{UserID: 1, Role: market.RoleBureau}
		listings := func() int64 {
			t.Helper()
			st, err := s.ChannelStatsFor(ctx, bureau, "supermarket:pd", market.MustDate("2024-01-01"), market.MustDate("2024-12-31"))
			if err != nil {
				t.Fatal(err)
			}
			return st.Listings
		}
		// Pudong's offers up to 200,000 yuan: 免费, 五千, 提成, 三万 and the 8,000 yuan sale; not the 300,000
		// lump sum, the 500,000 sale, nor Yangpu's patents.
		if n := listings(); n != 5 {
			t.Errorf("listings %d, want 5", n)
		}
		// A stocked shelf pins Yangpu's free patent and selects 人工智能 (浦东提成, already counted); another
		// pins a patent without a live declaration (not shown) and selects nothing under its limit of 0.
		limit := int64(0)
		for i, sh := range []market.StockedShelf{
			{Key: "ai", Title: "人工智能", Rules: `{"industries":["人工智能"]}`,
				Pins: `["` + sc.byTitle["杨浦免费"].ApplicationNo + `"]`},
			{Key: "none", Title: "空", Rules: `{"industries":["集成电路"],"keywords":["一次性"]}`, MaxPriceFen: &limit,
				Pins: `["` + sc.byTitle["杨浦无声明"].ApplicationNo + `"]`},
		} {
			sh.SupermarketID, sh.Position = pd.ID, i
			if err := s.Gorm().Create(&sh).Error; err != nil {
				t.Fatal(err)
			}
		}
		if n := listings(); n != 6 {
			t.Errorf("listings with stocked shelves %d, want 6", n)
		}
		// Beside Yangpu's supermarket (its own district's free patent) and one of a district without
		// offers (the city's: Pudong's five and Yangpu's free one), in the bureau's table, each keeps its own
		// count.
		for _, sm := range []market.Supermarket{{Slug: "yp", Name: "杨浦专利超市", DistrictCode: "310110"},
			{Slug: "cm", Name: "崇明专利超市", DistrictCode: "310151"}} {
			sm.OfficeID, sm.CreatedAt = sc.office.ID, time.Now()
			if err := s.Gorm().Create(&sm).Error; err != nil {
				t.Fatal(err)
			}
		}
		from, to := market.MustDate("2024-01-01"), market.MustDate("2024-12-31")
		all, err := s.AllChannelStats(ctx, bureau, from, to)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, a := range all {
			got[a.Channel] = a.Listings
		}
		if got["supermarket:pd"] != 6 || got["supermarket:yp"] != 1 || got["supermarket:cm"] != 6 {
			t.Errorf("listings in the bureau's table: %v", got)
		}
		sameListings(t, s, bureau, all, from, to)
	})
}
