package market_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

// Offers, intents, deals, registration, attribution and channel statistics (docs/rules.md §10.3–§10.5),
// on both databases. Fixtures extend fxWorld (licence_test.go).

type chanWorld struct {
	*fxWorld
	assoc, otherAssoc *market.Organisation
	op, otherOp       market.Actor
	bureau            market.Actor
	wall              string // wall:SLUG operated by assoc
}

func newChanWorld(t *testing.T, s *market.Store) *chanWorld {
	t.Helper()
	w := &chanWorld{fxWorld: fxNew(t, s)}
	w.assoc = w.org(t, market.KindAssociation, true)
	w.otherAssoc = w.org(t, market.KindAssociation, true)
	w.op = w.user(t, w.assoc, market.RoleOperator)
	w.otherOp = w.user(t, w.otherAssoc, market.RoleOperator)
	w.bureau = w.user(t, nil, market.RoleBureau)
	n := fxSerial.Add(1)
	for i, org := range []*market.Organisation{w.assoc, w.otherAssoc} {
		wall := &market.Wall{Slug: fmt.Sprintf("w%d-%d", n, i), Name: "墙", Industry: "测试", OrgID: org.ID, CreatedAt: w.clock.Now(),
			Rules: `{"industries":["测试"]}`}
		if err := s.Gorm().Create(wall).Error; err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			w.wall = "wall:" + wall.Slug
		}
	}
	return w
}

// offered makes a patent of the holder with a live free declaration, offered for transfer at priceFen
// and inviting negotiated licences.
func (w *chanWorld) offered(t *testing.T, priceFen int64) string {
	t.Helper()
	no, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
	if _, err := w.s.SetOffer(w.ctx, w.holder, no, market.OfferInput{TransferPriceFen: priceFen, NegotiableLicence: true}); err != nil {
		t.Fatal(err)
	}
	return no
}

func (w *chanWorld) rows(t *testing.T, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := w.s.Gorm().Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *chanWorld) snapshot(t *testing.T) string {
	t.Helper()
	var out string
	for _, tbl := range []string{"intents", "intent_messages", "contracts", "contract_events", "declarations", "search_outbox"} {
		out += fmt.Sprintf("%s=%d ", tbl, w.rows(t, tbl, ""))
	}
	var ps []market.Patent
	if err := w.s.Gorm().Order("id").Find(&ps).Error; err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		out += fmt.Sprintf("%d:%d ", p.ID, p.PatenteeID)
	}
	return out
}

func TestIntentDealRegistration(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newChanWorld(t, s)
		no := w.offered(t, 5_000_000)
		offer := int64(4_500_000)
		it, err := s.CreateIntent(w.ctx, w.lic, market.IntentInput{ApplicationNo: no, Kind: market.ContractTransfer, OfferFen: &offer,
			Message: "我们希望受让该专利", Via: w.wall})
		if err != nil {
			t.Fatal(err)
		}
		if it.Status != market.IntentOpen || it.Channel == nil || *it.Channel != w.wall {
			t.Fatalf("intent %+v", it)
		}
		if _, err := s.PostIntentMessage(w.ctx, w.holder, it.ID, "可以，价格 45 万元"); err != nil {
			t.Fatal(err)
		}
		v, err := s.IntentByID(w.ctx, w.lic, it.ID)
		if err != nil || len(v.Messages) != 2 {
			t.Fatalf("thread: %v %+v", err, v)
		}
		// the wall's operator reads it; another association's does not
		if _, err := s.IntentByID(w.ctx, w.op, it.ID); err != nil {
			t.Fatalf("channel operator: %v", err)
		}
		if _, err := s.IntentByID(w.ctx, w.otherOp, it.ID); fxCode(err) != market.CodeForbidden {
			t.Fatalf("other operator: %v", err)
		}
		// only the holder records the deal
		deal := market.DealInput{FeeFen: 4_500_000, SignedOn: market.MustDate("2025-03-01"), EffectiveOn: market.MustDate("2025-03-01")}
		if _, err := s.RecordDeal(w.ctx, w.lic, it.ID, deal); fxCode(err) != market.CodeForbidden {
			t.Fatalf("buyer records deal: %v", err)
		}
		c, err := s.RecordDeal(w.ctx, w.holder, it.ID, deal)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != market.ContractAwaitingRegistration || c.Kind != market.ContractTransfer || c.IntentID == nil || *c.IntentID != it.ID ||
			c.Channel == nil || *c.Channel != w.wall {
			t.Fatalf("deal contract %+v", c)
		}
		before := w.snapshot(t)
		if _, err := s.RecordDeal(w.ctx, w.holder, it.ID, deal); fxCode(err) != market.CodeDealRecorded {
			t.Fatalf("deal twice: %v", err)
		}
		// registration before the deal date: refused, naming the field, nothing changed
		_, err = s.RecordRegistration(w.ctx, w.lic, c.ContractNo, "ZL-REG-1", market.MustDate("2025-02-28"))
		if es := market.AsFieldErrors(err); len(es) == 0 || es[0].Field != "registered_on" || es[0].Code != "before_deal" {
			t.Fatalf("early registration: %v", err)
		}
		if after := w.snapshot(t); after != before {
			t.Fatalf("refusals changed data:\n%s\n%s", before, after)
		}
		if _, err := s.RecordRegistration(w.ctx, w.op, c.ContractNo, "ZL-REG-1", market.MustDate("2025-03-02")); fxCode(err) != market.CodeForbidden {
			t.Fatalf("operator registers: %v", err)
		}
		outboxBefore := w.rows(t, "search_outbox", "")
		reg, err := s.RecordRegistration(w.ctx, w.lic, c.ContractNo, "ZL-REG-1", market.MustDate("2025-03-02"))
		if err != nil {
			t.Fatal(err)
		}
		if reg.Status != market.ContractEffective || reg.FilingNo != "ZL-REG-1" || reg.EffectiveOn.String() != "2025-03-02" {
			t.Fatalf("registered %+v", reg)
		}
		var p market.Patent
		if err := s.Gorm().Where("application_no = ?", no).Take(&p).Error; err != nil {
			t.Fatal(err)
		}
		if p.PatenteeID != w.licOrg.ID || p.TransferPriceFen != 0 {
			t.Fatalf("patentee %d (want %d), price %d", p.PatenteeID, w.licOrg.ID, p.TransferPriceFen)
		}
		if n := w.count(t, &market.Declaration{}, "patent_id = ? AND status = ?", p.ID, market.DeclLive); n != 0 {
			t.Fatalf("%d live declarations after the transfer", n)
		}
		if n := w.rows(t, "search_outbox", "patent_id = ?", p.ID); n == 0 || w.rows(t, "search_outbox", "") <= outboxBefore {
			t.Fatal("the search index was not told")
		}
		if got := fxKinds(w.events(t, c.ID)); got != "deal_recorded,registered" {
			t.Fatalf("history %s", got)
		}
		w.mustVerify(t)
		// registering again is refused
		if _, err := s.RecordRegistration(w.ctx, w.lic, c.ContractNo, "ZL-REG-2", market.MustDate("2025-03-02")); fxCode(err) != market.CodeNotAwaitingRegistration {
			t.Fatalf("registration twice: %v", err)
		}
		// the lists of each side
		if vs, n, err := s.Intents(w.ctx, w.lic, market.IntentQuery{Role: "buyer"}); err != nil || n != 1 || vs[0].ContractNo != c.ContractNo || vs[0].Status != market.IntentAgreed {
			t.Fatalf("buyer's intents: %v %d %+v", err, n, vs)
		}
		if _, n, err := s.Intents(w.ctx, w.lic, market.IntentQuery{Role: "holder"}); err != nil || n != 0 {
			t.Fatalf("buyer as holder: %v %d", err, n)
		}
	})
}

func TestOrdinaryLicenceDeal(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newChanWorld(t, s)
		no := w.offered(t, 0)
		it, err := s.CreateIntent(w.ctx, w.lic, market.IntentInput{ApplicationNo: no, Kind: market.ContractOrdinaryLicence})
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.RecordDeal(w.ctx, w.holder, it.ID, market.DealInput{FeeFen: 100_000, SignedOn: market.MustDate("2025-03-02"), EffectiveOn: market.MustDate("2025-03-03")})
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != market.ContractEffective || c.Kind != market.ContractOrdinaryLicence || c.Channel != nil {
			t.Fatalf("licence deal %+v", c)
		}
		// a licence is filed like any other contract
		if _, err := s.RecordFiling(w.ctx, w.lic, c.ContractNo, "BA-1", market.MustDate("2025-03-03")); err != nil {
			t.Fatal(err)
		}
		w.mustVerify(t)
	})
}

func TestIntentBadInput(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newChanWorld(t, s)
		offered := w.offered(t, 1_000_000)
		plain, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		own, _ := w.patent(t, w.licOrg, market.FeeFree, 0)
		if _, err := s.SetOffer(w.ctx, w.lic, own, market.OfferInput{TransferPriceFen: 100}); err != nil {
			t.Fatal(err)
		}
		before := w.snapshot(t)
		cases := []struct {
			name        string
			in          market.IntentInput
			field, code string
		}{
			{"own patent", market.IntentInput{ApplicationNo: own, Kind: market.ContractTransfer}, "application_no", market.CodeOwnPatent},
			{"not offered", market.IntentInput{ApplicationNo: plain, Kind: market.ContractTransfer}, "kind", market.CodeNotOffered},
			{"no negotiation", market.IntentInput{ApplicationNo: plain, Kind: market.ContractOrdinaryLicence}, "kind", market.CodeNotOffered},
			{"exclusive", market.IntentInput{ApplicationNo: offered, Kind: market.ContractExclusiveLicence}, "kind", "invalid"},
			{"script", market.IntentInput{ApplicationNo: offered, Kind: market.ContractTransfer, Message: "<script>alert(1)</script>"}, "message", market.CodeMarkupNotAllowed},
			{"bidi", market.IntentInput{ApplicationNo: offered, Kind: market.ContractTransfer, Message: "价格\u202e面议"}, "message", market.CodeInvalidCharacters},
			{"unknown channel", market.IntentInput{ApplicationNo: offered, Kind: market.ContractTransfer, Via: "wall:nope"}, "via", market.CodeUnknownChannel},
		}
		for _, tc := range cases {
			_, err := s.CreateIntent(w.ctx, w.lic, tc.in)
			es := market.AsFieldErrors(err)
			if len(es) == 0 || es[0].Field != tc.field || es[0].Code != tc.code || es[0].MessageZH == "" || es[0].MessageEN == "" {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		it, err := s.CreateIntent(w.ctx, w.lic, market.IntentInput{ApplicationNo: offered, Kind: market.ContractTransfer})
		if err != nil {
			t.Fatal(err)
		}
		before = w.snapshot(t)
		if _, err := s.PostIntentMessage(w.ctx, w.lic, it.ID, "<img src=x onerror=alert(1)>"); fxCode(err) != market.CodeMarkupNotAllowed {
			t.Errorf("script message: %v", err)
		}
		if _, err := s.CreateIntent(w.ctx, w.lic, market.IntentInput{ApplicationNo: offered, Kind: market.ContractTransfer}); fxCode(err) != market.CodeIntentExists {
			t.Errorf("second open intent: %v", err)
		}
		if _, err := s.DeclineIntent(w.ctx, w.lic, it.ID); fxCode(err) != market.CodeForbidden {
			t.Errorf("buyer declines: %v", err)
		}
		if _, err := s.WithdrawIntent(w.ctx, w.holder, it.ID); fxCode(err) != market.CodeForbidden {
			t.Errorf("holder withdraws: %v", err)
		}
		if _, err := s.PostIntentMessage(w.ctx, w.op, it.ID, "hello"); fxCode(err) != market.CodeForbidden {
			t.Errorf("operator writes: %v", err)
		}
		if after := w.snapshot(t); after != before {
			t.Fatalf("refusals changed data:\n%s\n%s", before, after)
		}
		if _, err := s.WithdrawIntent(w.ctx, w.lic, it.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PostIntentMessage(w.ctx, w.lic, it.ID, "还在吗"); fxCode(err) != market.CodeIntentClosed {
			t.Errorf("message on a closed intent: %v", err)
		}
		if _, err := s.RecordDeal(w.ctx, w.holder, it.ID, market.DealInput{SignedOn: market.MustDate("2025-03-01"), EffectiveOn: market.MustDate("2025-03-01")}); fxCode(err) != market.CodeIntentClosed {
			t.Errorf("deal on a withdrawn intent: %v", err)
		}
	})
}

func TestIntentRateLimit(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newChanWorld(t, s)
		var last error
		for i := 0; i <= market.IntentsPerHour; i++ {
			no := w.offered(t, 100)
			_, last = s.CreateIntent(w.ctx, w.lic, market.IntentInput{ApplicationNo: no, Kind: market.ContractTransfer})
			if i < market.IntentsPerHour && last != nil {
				t.Fatalf("intent %d: %v", i, last)
			}
		}
		if fxCode(last) != market.CodeRateLimited {
			t.Fatalf("intent beyond the limit: %v", last)
		}
		w.clock.Advance(time.Hour + time.Second)
		if _, err := s.CreateIntent(w.ctx, w.lic, market.IntentInput{ApplicationNo: w.offered(t, 100), Kind: market.ContractTransfer}); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

// TestAttributionWindow: an acceptance records the last channel the licensee's organisation came
// through within 30 days, nothing after them; an API client's via counts as the last touch.
func TestAttributionWindow(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newChanWorld(t, s)
		other := "wall:" + w.wall[len("wall:"):len(w.wall)-1] + "1"
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.TouchChannel(w.ctx, w.licOrg.ID, other, w.clock.Now()))
		w.clock.Advance(time.Hour)
		must(s.TouchChannel(w.ctx, w.licOrg.ID, w.wall, w.clock.Now()))
		// an older touch carried over from a cookie does not replace a later one
		must(s.TouchChannel(w.ctx, w.licOrg.ID, other, w.clock.Now().Add(-30*time.Minute)))
		w.clock.Advance(30*24*time.Hour - 2*time.Hour)
		no1, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		c1 := w.accept(t, w.lic, no1)
		if got := w.contract(t, c1.ContractNo).Channel; got == nil || *got != w.wall {
			t.Fatalf("within 30 days: %v", got)
		}
		w.clock.Advance(3 * time.Hour) // 30 days and an hour after the last touch
		no2, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		c2 := w.accept(t, w.lic, no2)
		if got := w.contract(t, c2.ContractNo).Channel; got != nil {
			t.Fatalf("after 30 days: %v", *got)
		}
		no3, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		c3, _, err := s.AcceptLicenceWith(w.ctx, w.lic, market.AcceptRequest{ApplicationNo: no3, Via: "screen:" + w.wall[len("wall:"):]})
		must(err)
		if got := w.contract(t, c3.ContractNo).Channel; got == nil || *got != "screen:"+w.wall[len("wall:"):] {
			t.Fatalf("via: %v", got)
		}
		no4, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		c4 := w.accept(t, w.lic, no4)
		if got := w.contract(t, c4.ContractNo).Channel; got == nil || *got != "screen:"+w.wall[len("wall:"):] {
			t.Fatalf("after via: %v", got)
		}
		w.mustVerify(t)
	})
}

// TestChannelStats checks a wall's figures against a hand-counted month:
//
//	03-03  P1 (free), P2 (lump sum 10,000 yuan), P3 (free, offered for transfer) listed; P1, P2 on the wall
//	03-08  lic (an SME) came through the wall, accepts P1: free, 5 days after listing
//	03-13  lic2 (no SME) accepts P2 through the screen (via): 10,000 yuan, 10 days
//	03-20  lic sends an intent on P3 through the other wall (not counted); lic2 one without via (its last
//	       touch, the screen: counted); the holder records lic2's deal: 50,000 yuan, 17 days
//
// contracts 3 (1 free), SMEs 1, turnover 60,000 yuan, intents 1, median 10 days; views: the wall twice on
// one day by one visitor (1) and again the next day (1), the screen three times by another (1 view,
// 3 scans) → views 3, QR scans 3; listings 2.
func TestChannelStats(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newChanWorld(t, s)
		slug := w.wall[len("wall:"):]
		other := "wall:" + slug[:len(slug)-1] + "1"
		screen := "screen:" + slug
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.Gorm().Model(&market.Organisation{}).Where("id = ?", w.licOrg.ID).Update("is_sme", true).Error)
		lic2Org := w.org(t, market.KindEnterprise, true)
		lic2 := w.user(t, lic2Org, market.RoleLicensee)
		p1, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		p2, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, 1_000_000)
		p3 := w.offered(t, 5_000_000)
		must(s.Gorm().Model(&market.Patent{}).Where("application_no IN ?", []string{p1, p2}).Update("industry", "测试").Error)

		w.clock.Advance(5 * 24 * time.Hour)
		must(s.TouchChannel(w.ctx, w.licOrg.ID, w.wall, w.clock.Now()))
		w.accept(t, w.lic, p1)
		p1ID, err := s.PatentIDByNo(w.ctx, p1)
		must(err)
		must(s.RecordVisit(w.ctx, w.wall, "org:1", p1ID))
		must(s.RecordVisit(w.ctx, w.wall, "org:1", p1ID))
		for range 3 {
			must(s.RecordVisit(w.ctx, screen, "v:abc", p1ID))
		}
		w.clock.Advance(24 * time.Hour)
		must(s.RecordVisit(w.ctx, w.wall, "org:1", p1ID))
		must(s.RecordVisit(w.ctx, "wall:nope", "org:1", p1ID)) // unknown: ignored

		w.clock.Advance(4 * 24 * time.Hour)
		_, _, err = s.AcceptLicenceWith(w.ctx, lic2, market.AcceptRequest{ApplicationNo: p2, Via: screen})
		must(err)

		w.clock.Advance(7 * 24 * time.Hour)
		_, err = s.CreateIntent(w.ctx, w.lic, market.IntentInput{ApplicationNo: p3, Kind: market.ContractTransfer, Via: other})
		must(err)
		it, err := s.CreateIntent(w.ctx, lic2, market.IntentInput{ApplicationNo: p3, Kind: market.ContractTransfer})
		must(err)
		_, err = s.RecordDeal(w.ctx, w.holder, it.ID, market.DealInput{FeeFen: 5_000_000, SignedOn: market.MustDate("2025-03-20"), EffectiveOn: market.MustDate("2025-03-20")})
		must(err)

		from, to := market.MustDate("2025-03-01"), market.MustDate("2025-03-31")
		_, err = s.SetChannelTargets(w.ctx, w.op, w.wall, market.TargetInput{From: from, To: to, Listings: 4, Contracts: 6, SMEs: 2, TurnoverFen: 12_000_000})
		must(err)
		st, err := s.ChannelStatsFor(w.ctx, w.op, w.wall, from, to)
		must(err)
		got := fmt.Sprintf("listings=%d views=%d qr=%d intents=%d contracts=%d free=%d smes=%d turnover=%d median=%v progress=%v",
			st.Listings, st.Views, st.QRScans, st.Intents, st.Contracts, st.FreeContracts, st.SMEs, st.TurnoverFen, deref(st.MedianDays), st.Progress)
		want := "listings=2 views=3 qr=3 intents=1 contracts=3 free=1 smes=1 turnover=6000000 median=10 progress=map[contracts:50 listings:50 smes:50 turnover:50]"
		if got != want {
			t.Errorf("stats\n got %s\nwant %s", got, want)
		}
		if len(st.Months) != 1 || st.Months[0] != (market.ChannelMonth{Month: "2025-03", Contracts: 3, Free: 1, Intents: 1}) {
			t.Errorf("months %+v", st.Months)
		}
		if st.Targets == nil || st.Targets.Contracts != 6 {
			t.Errorf("targets %+v", st.Targets)
		}
		// listings follow the wall's pins and exclusions as its page does: P3 (outside the rules) pinned, P1
		// excluded → P3 and P2
		must(s.SetWallPatents(w.ctx, w.op, slug, market.WallPin, []string{p3}))
		must(s.SetWallPatents(w.ctx, w.op, slug, market.WallExclude, []string{p1}))
		st2, err := s.ChannelStatsFor(w.ctx, w.op, w.wall, from, to)
		must(err)
		if st2.Listings != 2 {
			t.Errorf("listings with P3 pinned and P1 excluded: %d, want 2", st2.Listings)
		}
		must(s.SetWallPatents(w.ctx, w.op, slug, market.WallExclude, []string{p1, p2}))
		if st2, err = s.ChannelStatsFor(w.ctx, w.op, w.wall, from, to); err != nil || st2.Listings != 1 {
			t.Errorf("listings with P1 and P2 excluded: %d %v, want 1 (the pin)", st2.Listings, err)
		}
		// a period before any of it
		st0, err := s.ChannelStatsFor(w.ctx, w.bureau, w.wall, market.MustDate("2025-01-01"), market.MustDate("2025-02-28"))
		must(err)
		if st0.Contracts != 0 || st0.Views != 0 || st0.Intents != 0 || st0.MedianDays != nil || st0.Targets != nil {
			t.Errorf("empty period %+v", st0)
		}
		// permissions: the other association's operator, a licensee, an unknown channel
		if _, err := s.ChannelStatsFor(w.ctx, w.otherOp, w.wall, from, to); fxCode(err) != market.CodeForbidden {
			t.Errorf("other operator reads: %v", err)
		}
		if _, err := s.ChannelStatsFor(w.ctx, w.otherOp, screen, from, to); fxCode(err) != market.CodeForbidden {
			t.Errorf("other operator reads the screen: %v", err)
		}
		if _, err := s.SetChannelTargets(w.ctx, w.otherOp, w.wall, market.TargetInput{From: from, To: to}); fxCode(err) != market.CodeForbidden {
			t.Errorf("other operator sets targets: %v", err)
		}
		if _, err := s.ChannelStatsFor(w.ctx, w.lic, w.wall, from, to); fxCode(err) != market.CodeForbidden {
			t.Errorf("licensee reads: %v", err)
		}
		if _, err := s.ChannelStatsFor(w.ctx, w.bureau, "wall:nope", from, to); fxCode(err) != market.CodeNotFound {
			t.Errorf("unknown channel: %v", err)
		}
		if _, err := s.SetChannelTargets(w.ctx, w.op, w.wall, market.TargetInput{From: to, To: from, Contracts: -1}); fxCode(err) != "before_from" {
			t.Errorf("bad targets: %v", err)
		}
		// the bureau's table: both walls side by side
		all, err := s.AllChannelStats(w.ctx, w.bureau, from, to)
		must(err)
		byName := map[string]market.ChannelStats{}
		for _, a := range all {
			byName[a.Channel] = a
		}
		if byName[w.wall].Contracts != 3 || byName[other].Intents != 1 || byName[other].Contracts != 0 {
			t.Errorf("bureau table %+v", all)
		}
		// every channel's listings are counted in one statement: each column must be its own channel's
		sameListings(t, s, w.bureau, all, from, to)
		if byName[w.wall].Listings != 1 || byName[other].Listings == 1 {
			t.Errorf("listings in the bureau table: %s %d, %s %d", w.wall, byName[w.wall].Listings, other, byName[other].Listings)
		}
		if _, err := s.AllChannelStats(w.ctx, w.op, from, to); fxCode(err) != market.CodeForbidden {
			t.Errorf("operator reads every channel: %v", err)
		}
	})
}

// sameListings checks that the listings of the bureau's table are those of each channel on its own.
func sameListings(t *testing.T, s *market.Store, bureau market.Actor, all []market.ChannelStats, from, to market.Date) {
	t.Helper()
	for _, a := range all {
		one, err := s.ChannelStatsFor(context.Background(), bureau, a.Channel, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if one.Listings != a.Listings {
			t.Errorf("%s: %d listings in the bureau's table, %d on its own", a.Channel, a.Listings, one.Listings)
		}
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
