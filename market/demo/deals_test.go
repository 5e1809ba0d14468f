package demo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"patentwall/bonus"
	"patentwall/market"
	"patentwall/market/demo"
	"patentwall/market/markettest"
)

// loadDemo loads a demo at testNow and fails the test on error.
func loadDemo(t *testing.T, s *market.Store, opt demo.Options) demo.Stats {
	t.Helper()
	s.Now = markettest.NewClock(testNow).Now
	st, err := demo.Load(context.Background(), s, opt)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestDefaultDemoDeals: the default demo signs its deals through the market API (intact hash chains),
// with every status a contract can reach, a CNIPA list with matched, cancelled and unmatched entries,
// and seed rounds whose runs have eligible, ineligible and held lines.
func TestDefaultDemoDeals(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		st := loadDemo(t, s, demo.Options{Seed: demo.DefaultSeed})
		if st.Contracts < demo.DefaultDeals*9/10 || st.Contracts > demo.DefaultDeals {
			t.Errorf("%d contracts, want about %d", st.Contracts, demo.DefaultDeals)
		}
		rep, err := s.VerifyChains(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() || rep.Contracts != st.Contracts+st.ChannelContracts || st.ChannelContracts == 0 || rep.Events < 2*st.Contracts {
			t.Errorf("chains: %d contracts, %d events, broken %v", rep.Contracts, rep.Events, rep.Broken)
		}

		byStatus := map[string]int64{}
		var contracts []market.Contract
		if err := s.Gorm().Find(&contracts).Error; err != nil {
			t.Fatal(err)
		}
		for _, c := range contracts {
			byStatus[c.Status]++
			if c.Status == market.ContractFiled && c.FiledOn.After(market.FilingDueOn(&c)) {
				t.Errorf("%s filed on %s, after its deadline %s", c.ContractNo, c.FiledOn, market.FilingDueOn(&c))
			}
		}
		for _, status := range []string{market.ContractAwaitingPayment, market.ContractEffective, market.ContractFiled,
			market.ContractCancelled, market.ContractTerminated} {
			if byStatus[status] == 0 {
				t.Errorf("no %s contract: %v", status, byStatus)
			}
		}
		t.Logf("%d contracts by status %v, %d filings on CNIPA's list, load took %s", st.Contracts, byStatus, st.Filings, st.Took)
		if byStatus[market.ContractFiled] < int64(st.Contracts)/2 || byStatus[market.ContractCancelled] > int64(st.Contracts)/10 {
			t.Errorf("implausible statuses %v", byStatus)
		}
		if n := count(t, s, "contracts c JOIN declarations d ON d.id = c.declaration_id",
			"d.published_at >= c.notice_delivered_at"); n != 0 {
			t.Errorf("%d contracts signed before their declaration was published", n)
		}
		// the channels at work (channels.go): intents in every state, deals and acceptances through channels, targets
		for _, st := range []string{market.IntentOpen, market.IntentDeclined, market.IntentWithdrawn, market.IntentAgreed} {
			if n := count(t, s, "intents", "status = ?", st); n == 0 {
				t.Errorf("no %s intent", st)
			}
		}
		if n := count(t, s, "contracts", "source = ? AND status = ?", market.ContractSourceDeal, market.ContractAwaitingRegistration); n == 0 {
			t.Error("no transfer awaiting registration")
		}
		if n := count(t, s, "contracts", "channel IS NOT NULL AND declaration_id IS NOT NULL"); n == 0 {
			t.Error("no acceptance through a channel")
		}
		if n := count(t, s, "channel_targets", ""); n != 7 {
			t.Errorf("%d channel targets, want one per wall and supermarket", n)
		}
		if n := count(t, s, "payments", "confirmed_at IS NOT NULL"); n == 0 {
			t.Error("no confirmed payment")
		}

		if n := count(t, s, "filings", "status = ?", "cancelled"); n < 2 {
			t.Errorf("%d cancelled filings, want at least 2", n)
		}
		if n := count(t, s, "filings f", "NOT EXISTS (SELECT 1 FROM contracts c WHERE c.filing_no = f.filing_no)"); n < 3 {
			t.Errorf("%d unmatched filings, want at least 3", n)
		}
		if n := count(t, s, "filings f JOIN contracts c ON c.filing_no = f.filing_no", ""); n == 0 || n >= byStatus[market.ContractFiled]+byStatus[market.ContractTerminated] {
			t.Errorf("%d filings match contracts: want most filed contracts, not all", n)
		}

		asOf := market.DateOf(testNow)
		flags := bonus.Flags(0)
		for _, tc := range []struct {
			round   string
			reasons []bonus.Reason
		}{
			{"art22-2022", []bonus.Reason{bonus.ReasonLicenseeNotSME, bonus.ReasonLicenseeNotShanghai,
				bonus.ReasonFilingCancelled, bonus.ReasonRecipientKind, bonus.ReasonOutsideWindow}},
			{"art19-2022", []bonus.Reason{bonus.ReasonLicenseeNotSME, bonus.ReasonLicenseeNotShanghai,
				bonus.ReasonFilingCancelled, bonus.ReasonRecipientKind, bonus.ReasonOutsideWindow}},
		} {
			res, err := bonus.Run(ctx, s, tc.round, asOf)
			if err != nil {
				t.Fatalf("%s: %v", tc.round, err)
			}
			lines := map[bonus.Status]int{}
			var seen bonus.Reasons
			for _, l := range res.Lines {
				lines[l.Status]++
				seen |= l.Reasons
				flags |= l.Flags
			}
			t.Logf("%s: lines by status %v, reasons seen %v", tc.round, lines, seen.Codes())
			if lines[bonus.StatusEligible] == 0 || lines[bonus.StatusIneligible] == 0 || lines[bonus.StatusHeld] == 0 {
				t.Errorf("%s: lines by status %v, want eligible, ineligible and held ones", tc.round, lines)
			}
			for _, r := range tc.reasons {
				if !seen.Has(r) {
					t.Errorf("%s: no line ineligible for %v (seen %v)", tc.round, bonus.Reasons(r).Codes(), seen.Codes())
				}
			}
		}
		for _, f := range []bonus.Flag{bonus.FlagRelatedParty, bonus.FlagBurst} {
			if !flags.Has(f) {
				t.Errorf("no line flagged %v (seen %v)", bonus.Flags(f).Codes(), flags.Codes())
			}
		}
	})
}

// dealDigest is what must repeat when the same seed is loaded again.
func dealDigest(t *testing.T, s *market.Store) []string {
	t.Helper()
	var rows []struct {
		ContractNo, Status, FilingNo, Licensee string
		AmountDueFen                           int64
	}
	err := s.Gorm().Table("contracts c").Select("c.contract_no, c.status, c.filing_no, o.uscc AS licensee, c.amount_due_fen").
		Joins("JOIN organisations o ON o.id = c.licensee_id").Order("c.contract_no").Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s %s %s %s %d", r.ContractNo, r.Status, r.FilingNo, r.Licensee, r.AmountDueFen))
	}
	var fs []market.Filing
	if err := s.Gorm().Order("filing_no").Find(&fs).Error; err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s %s %s %s %s", f.FilingNo, f.FiledOn, f.Patents, f.LicensorUSCC, f.LicenseeUSCC, f.Status))
	}
	return out
}

// TestDealsDeterministic: the same seed gives the same contracts (numbers, parties, amounts, statuses)
// and the same filing list; another seed gives others.
func TestDealsDeterministic(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		fresh := markettest.SQLite
		if s.IsPostgres() {
			fresh = markettest.Postgres
		}
		opt := demo.Options{Seed: 3, Orgs: 60, Patents: 600, Deals: 80}
		st := loadDemo(t, s, opt)
		if st.Contracts < 60 {
			t.Fatalf("%d contracts of 80 planned", st.Contracts)
		}
		a := dealDigest(t, s)
		s2 := fresh(t)
		loadDemo(t, s2, opt)
		if b := dealDigest(t, s2); !slices.Equal(a, b) {
			t.Errorf("two loads of seed 3 differ:\n%v\n%v", a[:5], b[:min(5, len(b))])
		}
		s3 := fresh(t)
		opt.Seed = 4
		loadDemo(t, s3, opt)
		if c := dealDigest(t, s3); slices.Equal(a, c) {
			t.Error("seeds 3 and 4 gave the same deals")
		}
	})
}

// TestDealsDefaultOnlyForDefaultCatalogue: other sizes get deals only when asked.
func TestDealsDefaultOnlyForDefaultCatalogue(t *testing.T) {
	for _, tc := range []struct {
		opt  demo.Options
		want bool
	}{
		{demo.Options{Seed: 1, Orgs: 20, Patents: 200}, false},
		{demo.Options{Seed: 1, Orgs: 20, Patents: 200, Deals: -1}, false},
		{demo.Options{Seed: 1, Orgs: 20, Patents: 200, Deals: 10}, true},
	} {
		s := markettest.SQLite(t)
		st := loadDemo(t, s, tc.opt)
		if got := count(t, s, "contracts", ""); (got > 0) != tc.want || got != int64(st.Contracts+st.ChannelContracts) {
			t.Errorf("%+v: %d contracts (stats %d), want some: %v", tc.opt, got, st.Contracts, tc.want)
		}
	}
}

// BenchmarkLoadDeals compares the default demo with and without its deals (the deals step's cost).
func BenchmarkLoadDeals(b *testing.B) {
	for _, deals := range []struct {
		name string
		n    int
	}{{"catalogue-only", -1}, {"with-deals", 0}} {
		for _, dialect := range []struct {
			name string
			open func(testing.TB) *market.Store
		}{{"sqlite", markettest.SQLite}, {"postgres", markettest.Postgres}} {
			b.Run(deals.name+"/"+dialect.name, func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					s := dialect.open(b)
					s.Now = markettest.NewClock(testNow).Now
					b.StartTimer()
					if _, err := demo.Load(context.Background(), s, demo.Options{Seed: 1, Deals: deals.n}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
