package market_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

// dealsWorld is a period's deals written straight into the tables, as the platform or an import
// would leave them. Worked out by hand for 2022:
//
//	C1 LIC→SME  platform, free declaration of P1 (人工智能) published 2022-01-15 20:00 UTC
//	   (2022-01-16 in Shanghai), signed 2022-03-01: free, 44 days from listing
//	C2 LIC→NEW  platform, lump-sum declaration of P2 (人工智能) published 2022-05-20, signed 2022-06-01:
//	   paid, 12 days
//	C3 LIC→SME  import over P3 (新材料, never declared), 1,000 yuan, signed 2022-08-01: never listed
//	C4 LIC→OUT  import over P1 and P3, no fee, signed 2022-09-01: free, 228 days from P1's listing
//	C7 LIC→OUT  import over P4 (集成电路, declared only after the deal), not signed, effective
//	   2022-12-31: counts on its effective day, never listed
//	C5          cancelled in 2022 over P5 (生物医药): not a deal
//	C6          signed 2021-12-31 over P6 (no industry): outside the period
type dealsWorld struct {
	*fxWorld
	lic, sme, newco, out *market.Organisation
	c                    map[string]*market.Contract
}

func newDealsWorld(t *testing.T, s *market.Store) *dealsWorld {
	t.Helper()
	w := &dealsWorld{fxWorld: fxNew(t, s), c: map[string]*market.Contract{}}
	mk := func(v any) {
		t.Helper()
		if err := s.Gorm().Create(v).Error; err != nil {
			t.Fatal(err)
		}
	}
	org := func(district string, founded string) *market.Organisation {
		o := w.org(t, market.KindEnterprise, true)
		o.DistrictCode, o.FoundedOn = district, market.MustDate(founded)
		if err := s.Gorm().Model(o).Updates(map[string]any{"district_code": district, "founded_on": o.FoundedOn}).Error; err != nil {
			t.Fatal(err)
		}
		return o
	}
	w.lic = org("310115", "2010-01-01")
	w.sme = org("310104", "2015-06-01")
	w.newco = org("310112", "2022-05-01")
	w.out = org("", "2000-01-01")
	now := w.clock.Now()
	patent := func(industry string) *market.Patent {
		n := fxSerial.Add(1)
		p := &market.Patent{ApplicationNo: fxAppNo(t, n), Type: market.TypeInvention, Title: fmt.Sprintf("一种交易统计装置%d", n),
			PatenteeID: w.lic.ID, FilingDate: market.MustDate("2020-01-10"), Status: market.StatusGranted, Industry: industry,
			CreatedAt: now, UpdatedAt: now}
		mk(p)
		return p
	}
	decl := func(p *market.Patent, model string, fee int64, published time.Time) *int64 {
		d := &market.Declaration{PatentID: p.ID, FeeModel: model, FeeFen: fee, TermMonths: 36, Status: market.DeclLive, PublishedAt: published}
		mk(d)
		return &d.ID
	}
	p1, p2, p3, p4, p5, p6 := patent("人工智能"), patent("人工智能"), patent("新材料"), patent("集成电路"), patent("生物医药"), patent("")
	patent("高端装备") // in no deal
	d1 := decl(p1, market.FeeFree, 0, time.Date(2022, 1, 15, 20, 0, 0, 0, time.UTC))
	d2 := decl(p2, market.FeeLumpSum, 5000_00, time.Date(2022, 5, 20, 2, 0, 0, 0, time.UTC))
	decl(p4, market.FeeFree, 0, time.Date(2023, 1, 10, 2, 0, 0, 0, time.UTC))
	contract := func(name, source, status string, declID *int64, lee *market.Organisation, signed, effective string, fee int64, ps ...*market.Patent) {
		t.Helper()
		c := &market.Contract{ContractNo: "DS-" + name + "-" + fmt.Sprint(fxSerial.Add(1)), Kind: market.ContractOpenLicence, Source: source,
			DeclarationID: declID, LicensorID: w.lic.ID, LicenseeID: lee.ID, Status: status, FeeFen: fee, AmountDueFen: fee,
			EffectiveOn: market.MustDate(effective), FilingNo: "BA-" + name, CreatedAt: now, UpdatedAt: now}
		if signed != "" {
			c.SignedOn = market.MustDate(signed)
		}
		if declID != nil {
			key := fmt.Sprintf("%d:%d", *declID, lee.ID)
			c.LiveKey = &key
		}
		mk(c)
		for _, p := range ps {
			mk(&market.ContractPatent{ContractID: c.ID, PatentID: p.ID})
		}
		w.c[name] = c
	}
	contract("C1", "platform", market.ContractEffective, d1, w.sme, "2022-03-01", "2022-03-01", 0, p1)
	contract("C2", "platform", market.ContractEffective, d2, w.newco, "2022-06-01", "2022-06-02", 5000_00, p2)
	contract("C3", "import", market.ContractEffective, nil, w.sme, "2022-08-01", "2022-08-01", 1000_00, p3)
	contract("C4", "import", market.ContractFiled, nil, w.out, "2022-09-01", "2022-09-01", 0, p1, p3)
	contract("C7", "import", market.ContractEffective, nil, w.out, "", "2022-12-31", 500_00, p4)
	contract("C5", "import", market.ContractCancelled, nil, w.sme, "2022-04-01", "2022-04-01", 0, p5)
	contract("C6", "import", market.ContractEffective, nil, w.sme, "2021-12-31", "2021-12-31", 0, p6)
	return w
}

func TestDealStats(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newDealsWorld(t, s)
		st, err := s.DealStats(w.ctx, market.MustDate("2022-01-01"), market.MustDate("2022-12-31"))
		if err != nil {
			t.Fatal(err)
		}
		if st.Total != 5 || st.Free != 2 {
			t.Errorf("total %d, free %d; want 5, 2", st.Total, st.Free)
		}
		if len(st.Months) != 12 {
			t.Fatalf("%d months", len(st.Months))
		}
		want := map[string][2]int64{"2022-03": {1, 0}, "2022-06": {0, 1}, "2022-08": {0, 1}, "2022-09": {1, 0}, "2022-12": {0, 1}}
		for i, m := range st.Months {
			if m.Month != fmt.Sprintf("2022-%02d", i+1) || [2]int64{m.Free, m.Paid} != want[m.Month] {
				t.Errorf("month %d: %+v, want free/paid %v", i, m, want[m.Month])
			}
		}
		if !reflect.DeepEqual(st.Licensee, map[string]int64{"310104": 2, "310112": 1, "": 2}) {
			t.Errorf("licensees by district %v", st.Licensee)
		}
		if !reflect.DeepEqual(st.Licensor, map[string]int64{"310115": 5}) {
			t.Errorf("licensors by district %v", st.Licensor)
		}
		if want := []market.KeyCount{{"人工智能", 3}, {"新材料", 2}, {"集成电路", 1}}; !reflect.DeepEqual(st.Industries, want) {
			t.Errorf("industries %v, want %v", st.Industries, want)
		}
		fees := map[string]int64{}
		var order []string
		for _, f := range st.FeeModels {
			fees[f.Key] = f.Count
			order = append(order, f.Key)
		}
		if !slices.Equal(order, append(append([]string{}, market.FeeModels...), "unknown")) {
			t.Errorf("fee models in order %v", order)
		}
		if fees[market.FeeFree] != 2 || fees[market.FeeLumpSum] != 1 || fees["unknown"] != 2 || fees[market.FeeRoyalty] != 0 {
			t.Errorf("fee models %v", st.FeeModels)
		}
		// 12 days (≤ 30), 44 (≤ 90), 228 (≤ 365), counted on the listing's day in Shanghai.
		if want := []int64{0, 1, 1, 0, 1, 0}; !slices.Equal(st.ToDeal, want) || len(st.ToDeal) != len(market.ListingBuckets)+1 {
			t.Errorf("listing to deal %v, want %v", st.ToDeal, want)
		}
		if st.NeverListed != 2 || st.MedianToDeal != 44 {
			t.Errorf("never listed %d, median %d; want 2, 44", st.NeverListed, st.MedianToDeal)
		}

		// A period without deals: every month, all zero, no median.
		st, err = s.DealStats(w.ctx, market.MustDate("2020-02-15"), market.MustDate("2020-05-01"))
		if err != nil {
			t.Fatal(err)
		}
		if st.Total != 0 || len(st.Months) != 4 || st.Months[0].Month != "2020-02" || st.Months[3].Month != "2020-05" ||
			st.MedianToDeal != -1 || st.NeverListed != 0 || len(st.Industries) != 0 || len(st.Licensee) != 0 {
			t.Errorf("empty period %+v", st)
		}
	})
}

func TestDealIndustries(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		got, err := s.DealIndustries(t.Context())
		if err != nil || len(got) != 0 {
			t.Fatalf("no deals: %v %v", got, err)
		}
		newDealsWorld(t, s)
		got, err = s.DealIndustries(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		// Any deal's, cancelled or outside a period too; the order is the database's collation.
		want := []string{"人工智能", "新材料", "生物医药", "集成电路"}
		if !sameSet(got, want) {
			t.Errorf("industries %v, want %v", got, want)
		}
	})
}

func TestDealFactsByNo(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newDealsWorld(t, s)
		c2, c7 := w.c["C2"], w.c["C7"]
		got, err := s.DealFactsByNo(w.ctx, []string{c2.ContractNo, c7.ContractNo, "NO-SUCH"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("facts %v", got)
		}
		f := got[c2.ContractNo]
		if f.Kind != market.ContractOpenLicence || f.Status != market.ContractEffective || f.FilingNo != "BA-C2" ||
			f.SignedOn.String() != "2022-06-01" || f.EffectiveOn.String() != "2022-06-02" || !f.FiledOn.IsZero() ||
			f.LicenseeFounded.String() != "2022-05-01" || f.FeeFen != 5000_00 {
			t.Errorf("C2 facts %+v", f)
		}
		if f := got[c7.ContractNo]; !f.SignedOn.IsZero() || f.EffectiveOn.String() != "2022-12-31" || f.LicenseeFounded.String() != "2000-01-01" {
			t.Errorf("C7 facts %+v", f)
		}
		if got, err := s.DealFactsByNo(w.ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("no numbers: %v %v", got, err)
		}
	})
}

func TestLiveContractNo(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		appNo, d := w.patent(t, w.holderOrg, market.FeeFree, 0)
		if no, err := s.LiveContractNo(w.ctx, d.ID, w.licOrg.ID); err != nil || no != "" {
			t.Fatalf("before accepting: %q %v", no, err)
		}
		c := w.accept(t, w.lic, appNo)
		if no, err := s.LiveContractNo(w.ctx, d.ID, w.licOrg.ID); err != nil || no != c.ContractNo {
			t.Errorf("live contract %q %v, want %s", no, err, c.ContractNo)
		}
		if no, err := s.LiveContractNo(w.ctx, d.ID, w.holderOrg.ID); err != nil || no != "" {
			t.Errorf("another organisation: %q %v", no, err)
		}
		// An ended contract is not live.
		if err := s.Gorm().Model(&market.Contract{}).Where("id = ?", c.ID).Update("live_key", nil).Error; err != nil {
			t.Fatal(err)
		}
		if no, err := s.LiveContractNo(w.ctx, d.ID, w.licOrg.ID); err != nil || no != "" {
			t.Errorf("after it ended: %q %v", no, err)
		}
	})
}

func TestUserNames(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		got, err := s.UserNames(w.ctx, []int64{w.holder.UserID, w.lic.UserID, 999999})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[w.holder.UserID].ID != w.holder.UserID || got[w.lic.UserID].Name == "" ||
			got[w.lic.UserID].Email == "" || got[w.lic.UserID].Email == got[w.holder.UserID].Email {
			t.Errorf("names %+v", got)
		}
		var u market.User
		if err := s.Gorm().First(&u, w.lic.UserID).Error; err != nil {
			t.Fatal(err)
		}
		if n := got[w.lic.UserID]; n.Name != u.Name || n.Email != u.Email {
			t.Errorf("licensee's user %+v, stored %s %s", n, u.Name, u.Email)
		}
		if got, err := s.UserNames(w.ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("no IDs: %v %v", got, err)
		}
	})
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
