package market_test

import (
	"context"
	"slices"
	"testing"

	"patentwall/market"
	"patentwall/market/markettest"
)

// channelActors are the operators and the bureau of the channel tests, over the showcase fixture.
type channelActors struct {
	sc                                    showcase
	assoc, otherAssoc, office, agency     market.Actor
	otherAgency, otherOffice, bureau, sme market.Actor
	agencyOrg, otherAgencyOrg             market.Organisation
}

func channelFixture(t *testing.T, s *market.Store) channelActors {
	t.Helper()
	sc := showcaseFixture(t, s)
	mkOrg := func(n int, kind, district string) market.Organisation {
		t.Helper()
		o := orgFixture(t, s, n, kind, district)
		return o
	}
	op := func(uid int64, o market.Organisation) market.Actor {
		return market.Actor{UserID: uid, OrgID: o.ID, Role: market.RoleOperator, OrgKind: o.Kind, OrgVerified: true}
	}
	ca := channelActors{sc: sc}
	other := mkOrg(11, market.KindAssociation, "310104")
	ca.agencyOrg = mkOrg(12, market.KindAgency, "310115")
	ca.otherAgencyOrg = mkOrg(13, market.KindAgency, "310115")
	otherOffice := mkOrg(14, market.KindDistrictOffice, "310110")
	ca.assoc, ca.otherAssoc, ca.office = op(1, sc.assoc), op(2, other), op(3, sc.office)
	ca.agency, ca.otherAgency, ca.otherOffice = op(4, ca.agencyOrg), op(5, ca.otherAgencyOrg), op(6, otherOffice)
	ca.bureau = market.Actor{UserID: 7, Role: market.RoleBureau}
	ca.sme = market.Actor{UserID: 8, OrgID: sc.pudong.ID, Role: market.RoleLicensee, OrgKind: market.KindEnterprise, OrgVerified: true}
	return ca
}

// orgFixture adds a verified organisation with a valid USCC numbered n.
func orgFixture(t *testing.T, s *market.Store, n int, kind, district string) market.Organisation {
	t.Helper()
	body := "9131011500000" + string(rune('0'+n/10)) + string(rune('0'+n%10)) + "00"
	c, _ := market.USCCCheckChar(body)
	now := s.Now()
	o := market.Organisation{USCC: body + string(c), Name: "机构" + body[13:15], Kind: kind, DistrictCode: district,
		OperatingNormally: true, GoodCredit: true, VerifiedAt: &now, CreatedAt: now, UpdatedAt: now}
	if err := s.Gorm().Create(&o).Error; err != nil {
		t.Fatal(err)
	}
	return o
}

func fieldsOf(err error) []string {
	var out []string
	for _, fe := range market.AsFieldErrors(err) {
		out = append(out, fe.Field)
	}
	return out
}

func TestWallRulesPinsAndPermissions(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ca := channelFixture(t, s)
		in := market.WallInput{Slug: "ic", Name: "集成电路专利墙", Description: "协会运营",
			Rules: market.ChannelRules{Industries: []string{"集成电路"}, IPC: []string{"h01l", "G06F16/9535"}, Districts: []string{"浦东"},
				HolderKinds: []string{market.KindEnterprise}, Keywords: []string{"芯片"}}}

		// Only an association's operators and the bureau open walls.
		for _, act := range []market.Actor{ca.office, ca.agency, ca.sme, {}} {
			if _, err := s.CreateWall(ctx, act, in); err == nil {
				t.Errorf("%+v created a wall", act)
			}
		}
		w, err := s.CreateWall(ctx, ca.assoc, in)
		if err != nil {
			t.Fatal(err)
		}
		setup, err := s.WallSetup(ctx, "ic")
		if err != nil {
			t.Fatal(err)
		}
		// Canonical rules: IPC in canonical form, districts as codes.
		want := market.ChannelRules{Industries: []string{"集成电路"}, IPC: []string{"H01L", "G06F 16/9535"}, Keywords: []string{"芯片"},
			HolderKinds: []string{market.KindEnterprise}, Districts: []string{"310115"}}
		if !slices.Equal(setup.Rules.IPC, want.IPC) || !slices.Equal(setup.Rules.Districts, want.Districts) || setup.Wall.OrgID != ca.sc.assoc.ID {
			t.Errorf("stored rules %+v, owner %d", setup.Rules, setup.Wall.OrgID)
		}
		if _, err := s.CreateWall(ctx, ca.assoc, in); !slices.Contains(fieldsOf(err), "slug") {
			t.Errorf("same slug again: %v", err)
		}

		// Bad input: every problem named by its field, nothing changed.
		bad := in
		bad.Name = "墙\u202e名"
		bad.Rules = market.ChannelRules{Industries: []string{"不存在的产业"}, IPC: []string{"X99"}, Keywords: []string{"a b", "ok"},
			HolderKinds: []string{"alien"}, Districts: []string{"北京"}}
		_, err = s.UpdateWall(ctx, ca.assoc, "ic", bad)
		wantFields := []string{"name", "rules.industries[0]", "rules.ipc[0]", "rules.keywords[0]", "rules.holder_kinds[0]", "rules.districts[0]"}
		for _, f := range wantFields {
			if !slices.Contains(fieldsOf(err), f) {
				t.Errorf("bad update: %v lacks %s", fieldsOf(err), f)
			}
		}
		for _, fe := range market.AsFieldErrors(err) {
			if fe.MessageZH == "" || fe.MessageEN == "" {
				t.Errorf("%s: message missing in a language", fe.Field)
			}
		}
		if again, _ := s.WallSetup(ctx, "ic"); again.Wall.Name != in.Name || !slices.Equal(again.Rules.IPC, want.IPC) {
			t.Errorf("a refused update changed the wall: %+v", again.Wall)
		}

		// Another association's operator is refused; the bureau may.
		if _, err := s.UpdateWall(ctx, ca.otherAssoc, "ic", in); err != market.ErrForbidden {
			t.Errorf("other association: %v", err)
		}
		if err := s.SetWallPatents(ctx, ca.otherAssoc, "ic", market.WallPin, nil); err != market.ErrForbidden {
			t.Errorf("other association pins: %v", err)
		}
		upd := in
		upd.Name = "集成电路与芯片专利墙"
		if _, err := s.UpdateWall(ctx, ca.bureau, "ic", upd); err != nil {
			t.Errorf("bureau: %v", err)
		}

		// Pins: live patents only, in order; unknown and non-live ones refused with nothing changed.
		free, lump, none := ca.sc.byTitle["浦东免费"], ca.sc.byTitle["浦东一次性五千"], ca.sc.byTitle["杨浦无声明"]
		if none.ID == 0 {
			t.Fatal("fixture: no patent without a declaration")
		}
		if err := s.SetWallPatents(ctx, ca.assoc, "ic", market.WallPin, []string{lump.ApplicationNo, free.ApplicationNo}); err != nil {
			t.Fatal(err)
		}
		err = s.SetWallPatents(ctx, ca.assoc, "ic", market.WallPin, []string{free.ApplicationNo, none.ApplicationNo, "202010566088.9"})
		if f := fieldsOf(err); !slices.Equal(f, []string{"application_nos[1]", "application_nos[2]"}) {
			t.Errorf("bad pins: %v", err)
		}
		if err := s.SetWallPatents(ctx, ca.assoc, "ic", market.WallExclude, []string{none.ApplicationNo}); err == nil {
			t.Error("excluding a patent that is not live was accepted")
		}
		setup, _ = s.WallSetup(ctx, "ic")
		if len(setup.Pins) != 2 || setup.Pins[0].PatentID != lump.ID || setup.Pins[1].PatentID != free.ID {
			t.Fatalf("pins after a refused change: %+v", setup.Pins)
		}
		if !slices.Equal(setup.LivePinIDs(), []int64{lump.ID, free.ID}) {
			t.Errorf("live pins %v", setup.LivePinIDs())
		}
		// Excluding a pinned patent unpins it.
		if err := s.SetWallPatents(ctx, ca.assoc, "ic", market.WallExclude, []string{free.ApplicationNo}); err != nil {
			t.Fatal(err)
		}
		setup, _ = s.WallSetup(ctx, "ic")
		if len(setup.Pins) != 1 || len(setup.Excluded) != 1 || setup.Excluded[0].PatentID != free.ID {
			t.Fatalf("pins %+v excluded %+v", setup.Pins, setup.Excluded)
		}
		if !slices.Equal(setup.HiddenIDs(), []int64{lump.ID, free.ID}) {
			t.Errorf("hidden %v", setup.HiddenIDs())
		}
		// PinToWall adds at the end, once.
		for range 2 {
			if err := s.PinToWall(ctx, ca.assoc, "ic", free.ApplicationNo); err != nil {
				t.Fatal(err)
			}
		}
		setup, _ = s.WallSetup(ctx, "ic")
		if !slices.Equal(setup.LivePinIDs(), []int64{lump.ID, free.ID}) || len(setup.Excluded) != 0 {
			t.Errorf("after pin: pins %v excluded %+v", setup.LivePinIDs(), setup.Excluded)
		}

		// A withdrawn declaration leaves the wall at once; the operator sees the pin as withdrawn.
		if err := s.Gorm().Model(&market.Declaration{}).Where("patent_id = ?", lump.ID).Update("status", market.DeclWithdrawn).Error; err != nil {
			t.Fatal(err)
		}
		setup, _ = s.WallSetup(ctx, "ic")
		if !slices.Equal(setup.LivePinIDs(), []int64{free.ID}) || setup.Pins[0].Live || setup.Pins[0].PatentID != lump.ID {
			t.Errorf("withdrawn pin: %+v", setup.Pins)
		}

		walls, err := s.WallsOf(ctx, ca.otherAssoc)
		if err != nil || len(walls) != 0 {
			t.Errorf("other association's walls: %v %v", walls, err)
		}
		walls, _ = s.WallsOf(ctx, ca.assoc)
		if len(walls) != 1 || walls[0].ID != w.ID {
			t.Errorf("own walls: %+v", walls)
		}
	})
}

func TestSupermarketsOperated(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ca := channelFixture(t, s)
		in := market.SupermarketInput{Slug: "zj", Name: "张江专利超市", District: "浦东新区", Park: "张江科学城",
			AgencyUSCC: ca.agencyOrg.USCC, MaxPriceYuan: "200000", PriceBandsYuan: []market.Numeric{"10000", "50000", "200000"}}

		// Only the district's office (in its own district) and the bureau open supermarkets.
		for _, act := range []market.Actor{ca.agency, ca.assoc, ca.sme} {
			if _, err := s.OpenSupermarket(ctx, act, in); err != market.ErrForbidden {
				t.Errorf("%+v opened a supermarket: %v", act, err)
			}
		}
		if _, err := s.OpenSupermarket(ctx, ca.otherOffice, in); !slices.Contains(fieldsOf(err), "district") {
			t.Errorf("office of another district: %v", err)
		}
		// Price bands out of order or above the ceiling, a bad agency: refused, nothing opened.
		bad := in
		bad.PriceBandsYuan = []market.Numeric{"50000", "10000", "300000", "1.234"}
		bad.AgencyUSCC = ca.sc.pudong.USCC
		_, err := s.OpenSupermarket(ctx, ca.office, bad)
		for _, f := range []string{"price_bands_yuan[1]", "price_bands_yuan[2]", "price_bands_yuan[3]", "agency_uscc"} {
			if !slices.Contains(fieldsOf(err), f) {
				t.Errorf("bad supermarket: %v lacks %s", fieldsOf(err), f)
			}
		}
		if _, err := s.SupermarketBySlug(ctx, "zj"); err != market.ErrNotFound {
			t.Fatalf("a refused supermarket exists: %v", err)
		}
		sm, err := s.OpenSupermarket(ctx, ca.office, in)
		if err != nil {
			t.Fatal(err)
		}
		if sm.OfficeID != ca.sc.office.ID || sm.DistrictCode != "310115" || !slices.Equal(sm.Bands(), []int64{10000_00, 50000_00, 200000_00}) {
			t.Errorf("opened %+v", sm)
		}

		// The agency edits all but the district and the agency.
		edit := in
		edit.Name, edit.PriceBandsYuan = "张江专利超市（二期）", []market.Numeric{"5000", "20000"}
		if _, err := s.UpdateSupermarket(ctx, ca.agency, "zj", edit); err != nil {
			t.Fatalf("agency edit: %v", err)
		}
		for _, c := range []struct {
			field string
			in    market.SupermarketInput
		}{
			{"district", market.SupermarketInput{Slug: "zj", Name: "x", District: "徐汇区"}},
			{"agency_uscc", market.SupermarketInput{Slug: "zj", Name: "x", AgencyUSCC: ca.otherAgencyOrg.USCC}},
		} {
			if _, err := s.UpdateSupermarket(ctx, ca.agency, "zj", c.in); !slices.Contains(fieldsOf(err), c.field) {
				t.Errorf("agency changing %s: %v", c.field, err)
			}
		}
		got, _ := s.SupermarketBySlug(ctx, "zj")
		if got.Name != edit.Name || got.DistrictCode != "310115" || *got.AgencyID != ca.agencyOrg.ID {
			t.Errorf("after the agency's refused changes: %+v", got.Supermarket)
		}
		// Another agency and another district's office are refused; the office names another agency.
		if _, err := s.UpdateSupermarket(ctx, ca.otherAgency, "zj", edit); err != market.ErrForbidden {
			t.Errorf("other agency: %v", err)
		}
		if _, err := s.UpdateSupermarket(ctx, ca.otherOffice, "zj", edit); err != market.ErrForbidden {
			t.Errorf("other office: %v", err)
		}
		moved := edit
		moved.AgencyUSCC = ca.otherAgencyOrg.USCC
		if _, err := s.UpdateSupermarket(ctx, ca.office, "zj", moved); err != nil {
			t.Fatalf("office names another agency: %v", err)
		}
		moved.District = "杨浦区"
		if _, err := s.UpdateSupermarket(ctx, ca.office, "zj", moved); !slices.Contains(fieldsOf(err), "district") {
			t.Errorf("office moving the district: %v", err)
		}
		if _, err := s.UpdateSupermarket(ctx, ca.bureau, "zj", moved); err != nil {
			t.Errorf("bureau moving the district: %v", err)
		}
		got, _ = s.SupermarketBySlug(ctx, "zj")
		if got.DistrictCode != "310110" || got.OfficeID == ca.sc.office.ID || *got.AgencyID != ca.otherAgencyOrg.ID {
			t.Errorf("after the bureau's move: %+v", got.Supermarket)
		}
	})
}

func TestShelves(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ca := channelFixture(t, s)
		sm, err := s.OpenSupermarket(ctx, ca.office, market.SupermarketInput{Slug: "zj", Name: "张江", District: "310115",
			AgencyUSCC: ca.agencyOrg.USCC, MaxPriceYuan: "100000"})
		if err != nil {
			t.Fatal(err)
		}
		free, lump := ca.sc.byTitle["浦东免费"], ca.sc.byTitle["浦东一次性五千"]
		shelves := []market.ShelfInput{
			{Key: "chips", Title: "芯片", Rules: market.ChannelRules{Industries: []string{"集成电路"}}, Pins: []string{lump.ApplicationNo, free.ApplicationNo}, MaxPriceYuan: "50000"},
			{Key: "ai", Title: "人工智能", Rules: market.ChannelRules{Industries: []string{"人工智能"}}},
		}
		if err := s.SetShelves(ctx, ca.otherAgency, "zj", shelves); err != market.ErrForbidden {
			t.Errorf("other agency stocked shelves: %v", err)
		}
		if err := s.SetShelves(ctx, ca.agency, "zj", shelves); err != nil {
			t.Fatal(err)
		}
		got, err := s.Shelves(ctx, sm)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Key != "chips" || got[1].Key != "ai" || got[0].MaxPriceFen != 50000_00 || got[1].MaxPriceFen != 100000_00 ||
			!slices.Equal(got[0].Pins, []string{lump.ApplicationNo, free.ApplicationNo}) {
			t.Fatalf("shelves %+v", got)
		}
		// Order kept when it changes.
		if err := s.SetShelves(ctx, ca.office, "zj", []market.ShelfInput{shelves[1], shelves[0]}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Shelves(ctx, sm)
		if got[0].Key != "ai" || got[1].Key != "chips" {
			t.Errorf("reordered: %+v", got)
		}
		// Bad shelves: a duplicate key, a limit above the ceiling, a non-live pin, script in the title.
		bad := []market.ShelfInput{
			{Key: "ai", Title: "甲<\u0007>"},
			{Key: "ai", Title: "乙", MaxPriceYuan: "200000", Pins: []string{ca.sc.byTitle["杨浦无声明"].ApplicationNo}},
		}
		err = s.SetShelves(ctx, ca.agency, "zj", bad)
		for _, f := range []string{"[0].title", "[1].key", "[1].max_price_yuan", "[1].pins[0]"} {
			if !slices.Contains(fieldsOf(err), f) {
				t.Errorf("bad shelves: %v lacks %s", fieldsOf(err), f)
			}
		}
		got, _ = s.Shelves(ctx, sm)
		if len(got) != 2 || got[0].Key != "ai" {
			t.Errorf("a refused change altered the shelves: %+v", got)
		}
		// The ceiling cannot drop below a shelf's limit.
		if _, err := s.UpdateSupermarket(ctx, ca.agency, "zj", market.SupermarketInput{Slug: "zj", Name: "张江", MaxPriceYuan: "40000"}); !slices.Contains(fieldsOf(err), "max_price_yuan") {
			t.Errorf("ceiling under a shelf: %v", err)
		}
	})
}
