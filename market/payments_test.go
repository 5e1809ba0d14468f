package market_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

var fxToday = market.MustDate("2025-03-03")

// lumpSumContract has the licensee accept a lump-sum licence of dueFen: a contract awaiting payment.
func (w *fxWorld) lumpSumContract(t *testing.T, dueFen int64) *market.Contract {
	t.Helper()
	appNo, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, dueFen)
	return w.accept(t, w.lic, appNo)
}

func TestPaymentFlow(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		appNo, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, 10_000_00)
		c := w.accept(t, w.lic, appNo)
		w.clock.Advance(24 * time.Hour)
		p1, err := s.RecordPayment(ctx, w.lic, c.ContractNo, 4_000_00, fxToday, " BANK-001 ")
		if err != nil {
			t.Fatal(err)
		}
		if p1.Reference != "BANK-001" || !p1.Pending() || p1.RecordedBy != w.lic.UserID {
			t.Errorf("payment %+v", p1)
		}
		// Above what is still owed (recorded payments count, confirmed or not).
		if _, err := s.RecordPayment(ctx, w.lic, c.ContractNo, 6_000_01, fxToday, "BANK-002"); fxCode(err) != "above_owed" {
			t.Errorf("above owed: %v", err)
		}
		p2, err := s.RecordPayment(ctx, w.lic, c.ContractNo, 6_000_00, fxToday.AddDate(0, 0, 1), "BANK-002")
		if err != nil {
			t.Fatal(err)
		}
		// Nothing is owed any more.
		if _, err := s.RecordPayment(ctx, w.lic, c.ContractNo, 1, fxToday, "BANK-003"); fxCode(err) != "above_owed" {
			t.Errorf("fully recorded: %v", err)
		}
		dash, err := s.HolderDashboard(ctx, w.holder)
		if err != nil || len(dash.PaymentsToConfirm) != 2 || dash.PaymentsToConfirm[0].ContractNo != c.ContractNo ||
			dash.PaymentsToConfirm[0].Licensee.ID != w.licOrg.ID {
			t.Errorf("payments to confirm %+v %v", dash, err)
		}
		got, err := s.ConfirmPayment(ctx, w.holder, c.ContractNo, p1.ID)
		if err != nil || got.Status != market.ContractAwaitingPayment {
			t.Fatalf("first confirmation: %+v %v", got, err)
		}
		w.clock.Advance(time.Hour)
		got, err = s.ConfirmPayment(ctx, w.holder, c.ContractNo, p2.ID)
		if err != nil || got.Status != market.ContractEffective {
			t.Fatalf("second confirmation: %+v %v", got, err)
		}
		stored := w.contract(t, c.ContractNo)
		when := fxT0.Add(25 * time.Hour)
		if stored.Status != market.ContractEffective || stored.PaidAt == nil || !stored.PaidAt.Equal(when) ||
			stored.EffectiveAt == nil || !stored.EffectiveAt.Equal(when) || stored.EffectiveOn != market.MustDate("2025-03-04") ||
			!stored.NoticeDeliveredAt.Equal(fxT0) {
			t.Errorf("effective contract %+v", stored)
		}
		// Confirming again is harmless.
		if _, err := s.ConfirmPayment(ctx, w.holder, c.ContractNo, p2.ID); err != nil {
			t.Errorf("confirm again: %v", err)
		}
		if got := fxKinds(w.events(t, c.ID)); got != "notified,payment_recorded,payment_recorded,payment_confirmed,payment_confirmed,effective" {
			t.Errorf("events %s", got)
		}
		v, err := s.ContractByNo(ctx, w.lic, c.ContractNo)
		if err != nil || v.RecordedFen != 10_000_00 || v.ConfirmedFen != 10_000_00 || v.OutstandingFen() != 0 ||
			v.FilingDueOn != market.MustDate("2025-06-04") || v.ApplicationNo() != appNo {
			t.Errorf("view %+v %v", v, err)
		}
		if n := w.count(t, &market.Notification{}, "org_id = ? AND kind = ?", w.licOrg.ID, market.NoticePaymentConfirmed); n != 2 {
			t.Errorf("%d confirmations notified to the licensee", n)
		}
		if n := w.count(t, &market.Notification{}, "org_id = ? AND kind = ?", w.holderOrg.ID, market.NoticePaymentRecorded); n != 2 {
			t.Errorf("%d payments notified to the licensor", n)
		}
		w.mustVerify(t)
	})
}

func TestPaymentRefusals(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		c := w.lumpSumContract(t, 500_00)
		free := w.accept(t, w.lic, func() string { a, _ := w.patent(t, w.holderOrg, market.FeeFree, 0); return a }())
		other := w.user(t, w.org(t, market.KindEnterprise, true), market.RoleLicensee)
		bureau := w.user(t, nil, market.RoleBureau)
		for _, tc := range []struct {
			name   string
			actor  market.Actor
			no     string
			amount int64
			paidOn market.Date
			ref    string
			code   string
		}{
			{"negative", w.lic, c.ContractNo, -100, fxToday, "r", "not_positive"},
			{"zero", w.lic, c.ContractNo, 0, fxToday, "r", "not_positive"},
			{"above owed", w.lic, c.ContractNo, 500_01, fxToday, "r", "above_owed"},
			{"in the future", w.lic, c.ContractNo, 100, fxToday.AddDate(0, 0, 1), "r", "in_future"},
			{"before the contract", w.lic, c.ContractNo, 100, fxToday.AddDate(0, 0, -1), "r", "before_contract"},
			{"no date", w.lic, c.ContractNo, 100, market.Date{}, "r", "required"},
			{"no reference", w.lic, c.ContractNo, 100, fxToday, "  ", "required"},
			{"by the licensor", w.holder, c.ContractNo, 100, fxToday, "r", "forbidden"},
			{"by another licensee", other, c.ContractNo, 100, fxToday, "r", "forbidden"},
			{"by the bureau", bureau, c.ContractNo, 100, fxToday, "r", "forbidden"},
			{"anonymous", market.Actor{}, c.ContractNo, 100, fxToday, "r", "unauthenticated"},
			{"unknown contract", w.lic, "KF20250303-999999", 100, fxToday, "r", "not_found"},
			{"free licence", w.lic, free.ContractNo, 100, fxToday, "r", "not_awaiting_payment"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.RecordPayment(ctx, tc.actor, tc.no, tc.amount, tc.paidOn, tc.ref)
				if fxCode(err) != tc.code {
					t.Errorf("code %q, want %q", fxCode(err), tc.code)
				}
			})
		}
		if n := w.count(t, &market.Payment{}, ""); n != 0 {
			t.Fatalf("%d payments after refusals", n)
		}
		p, err := s.RecordPayment(ctx, w.lic, c.ContractNo, 500_00, fxToday, "r")
		if err != nil {
			t.Fatal(err)
		}
		c2 := w.accept(t, w.lic, func() string { a, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, 1); return a }())
		for _, tc := range []struct {
			name  string
			actor market.Actor
			no    string
			id    int64
			code  string
		}{
			{"by the licensee", w.lic, c.ContractNo, p.ID, "forbidden"},
			{"by the bureau", bureau, c.ContractNo, p.ID, "forbidden"},
			{"by another org", other, c.ContractNo, p.ID, "forbidden"},
			{"unknown payment", w.holder, c.ContractNo, p.ID + 1000, "not_found"},
			{"payment of another contract", w.holder, c2.ContractNo, p.ID, "not_found"},
		} {
			t.Run("confirm "+tc.name, func(t *testing.T) {
				if _, err := s.ConfirmPayment(ctx, tc.actor, tc.no, tc.id); fxCode(err) != tc.code {
					t.Errorf("code %q, want %q", fxCode(err), tc.code)
				}
			})
		}
		if got := w.contract(t, c.ContractNo); got.Status != market.ContractAwaitingPayment {
			t.Errorf("status %s after refused confirmations", got.Status)
		}
		if n := w.count(t, &market.Payment{}, "confirmed_at IS NOT NULL"); n != 0 {
			t.Errorf("%d payments confirmed by refused calls", n)
		}
	})
}

func TestRejectPayment(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		c := w.lumpSumContract(t, 300_00)
		bogus, _ := s.RecordPayment(ctx, w.lic, c.ContractNo, 300_00, fxToday, "typo")
		if err := s.RejectPayment(ctx, w.holder, c.ContractNo, bogus.ID, ""); fxCode(err) != "required" {
			t.Errorf("no note: %v", err)
		}
		if err := s.RejectPayment(ctx, w.holder, c.ContractNo, bogus.ID, "no such transfer"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ConfirmPayment(ctx, w.holder, c.ContractNo, bogus.ID); fxCode(err) != "payment_rejected" {
			t.Errorf("confirm rejected: %v", err)
		}
		// A rejected payment no longer counts: the right one can be recorded and confirmed.
		good, err := s.RecordPayment(ctx, w.lic, c.ContractNo, 300_00, fxToday, "BANK-9")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.ConfirmPayment(ctx, w.holder, c.ContractNo, good.ID); err != nil || got.Status != market.ContractEffective {
			t.Fatalf("confirm: %+v %v", got, err)
		}
		if err := s.RejectPayment(ctx, w.holder, c.ContractNo, good.ID, "changed my mind"); fxCode(err) != "payment_confirmed" {
			t.Errorf("reject confirmed: %v", err)
		}
		ps, _ := s.Payments(ctx, w.lic, c.ContractNo)
		if len(ps) != 2 || ps[0].RejectNote != "no such transfer" || ps[1].ConfirmedAt == nil {
			t.Errorf("payments %+v", ps)
		}
		w.mustVerify(t)
	})
}

func TestRecordFiling(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		c := w.accept(t, w.lic, func() string { a, _ := w.patent(t, w.holderOrg, market.FeeFree, 0); return a }())
		c2 := w.accept(t, w.lic, func() string { a, _ := w.patent(t, w.holderOrg, market.FeeFree, 0); return a }())
		unpaid := w.accept(t, w.lic, func() string { a, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, 100); return a }())
		other := w.user(t, w.org(t, market.KindEnterprise, true), market.RoleLicensee)
		bureau := w.user(t, nil, market.RoleBureau)
		w.clock.Advance(40 * 24 * time.Hour)
		filed := fxToday.AddDate(0, 0, 30)
		if _, err := s.RecordFiling(ctx, w.holder, c2.ContractNo, "X2025310000042", filed); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name    string
			actor   market.Actor
			no, fno string
			on      market.Date
			code    string
		}{
			{"someone else's contract", other, c.ContractNo, "X1", filed, "forbidden"},
			{"the bureau", bureau, c.ContractNo, "X1", filed, "forbidden"},
			{"anonymous", market.Actor{}, c.ContractNo, "X1", filed, "unauthenticated"},
			{"not yet effective", w.lic, unpaid.ContractNo, "X1", filed, "not_effective"},
			{"no number", w.lic, c.ContractNo, " ", filed, "required"},
			{"number too long", w.lic, c.ContractNo, string(make([]byte, 65)), filed, "invalid"},
			{"no date", w.lic, c.ContractNo, "X1", market.Date{}, "required"},
			{"in the future", w.lic, c.ContractNo, "X1", fxToday.AddDate(0, 0, 41), "in_future"},
			{"before effective", w.lic, c.ContractNo, "X1", fxToday.AddDate(0, 0, -1), "before_effective"},
			{"number of another contract", w.lic, c.ContractNo, "X2025310000042", filed, "filing_no_taken"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := s.RecordFiling(ctx, tc.actor, tc.no, tc.fno, tc.on); fxCode(err) != tc.code {
					t.Errorf("code %q, want %q", fxCode(err), tc.code)
				}
			})
		}
		if got := w.contract(t, c.ContractNo); got.Status != market.ContractEffective || got.FilingNo != "" {
			t.Fatalf("changed by refused filings: %+v", got)
		}
		got, err := s.RecordFiling(ctx, w.lic, c.ContractNo, " X2025310000043 ", filed)
		if err != nil || got.Status != market.ContractFiled || got.FilingNo != "X2025310000043" || got.FiledOn != filed {
			t.Fatalf("filing: %+v %v", got, err)
		}
		// The same again changes nothing; a correction is recorded as a new event.
		if _, err := s.RecordFiling(ctx, w.holder, c.ContractNo, "X2025310000043", filed); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordFiling(ctx, w.holder, c.ContractNo, "X2025310000044", filed); err != nil {
			t.Fatal(err)
		}
		evs := w.events(t, c.ID)
		if fxKinds(evs) != "notified,effective,filed,filed" {
			t.Errorf("events %s", fxKinds(evs))
		}
		if p := evs[3].PayloadMap(); p["previous_filing_no"] != "X2025310000043" || p["late"] != false {
			t.Errorf("correction payload %v", p)
		}
		w.mustVerify(t)
	})
}

func TestFilingDueOn(t *testing.T) {
	for _, tc := range []struct{ effective, due string }{
		{"2025-01-15", "2025-04-15"},
		{"2024-11-30", "2025-02-28"},
		{"2025-03-31", "2025-06-30"},
		{"", ""},
	} {
		c := &market.Contract{}
		if tc.effective != "" {
			c.EffectiveOn = market.MustDate(tc.effective)
		}
		if got := market.FilingDueOn(c).String(); got != tc.due {
			t.Errorf("effective %s: due %s, want %s", tc.effective, got, tc.due)
		}
	}
	if d := market.DaysUntil(market.MustDate("2025-03-01"), market.MustDate("2025-04-01")); d != 31 {
		t.Errorf("days until %d", d)
	}
	if d := market.DaysUntil(market.MustDate("2025-04-03"), market.MustDate("2025-04-01")); d != -2 {
		t.Errorf("days overdue %d", d)
	}
}

func TestTerminateAndCancel(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		paidNo, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, 100_00)
		freeNo, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		unpaid := w.accept(t, w.lic, paidNo)
		eff := w.accept(t, w.lic, freeNo)
		if _, err := s.CancelContract(ctx, w.lic, eff.ContractNo, "x"); fxCode(err) != "cannot_cancel" {
			t.Errorf("cancel effective: %v", err)
		}
		if _, err := s.TerminateContract(ctx, w.lic, unpaid.ContractNo, "x"); fxCode(err) != "not_effective" {
			t.Errorf("terminate unpaid: %v", err)
		}
		if _, err := s.CancelContract(ctx, w.lic, unpaid.ContractNo, ""); fxCode(err) != "required" {
			t.Errorf("no reason: %v", err)
		}
		w.clock.Advance(time.Hour)
		got, err := s.CancelContract(ctx, w.holder, unpaid.ContractNo, "not paid within 30 days")
		if err != nil || got.Status != market.ContractCancelled || got.EndedAt == nil || got.LiveKey != nil {
			t.Fatalf("cancel: %+v %v", got, err)
		}
		got, err = s.TerminateContract(ctx, w.lic, eff.ContractNo, "product discontinued")
		if err != nil || got.Status != market.ContractTerminated {
			t.Fatalf("terminate: %+v %v", got, err)
		}
		if stored := w.contract(t, eff.ContractNo); stored.LiveKey != nil || stored.EndedAt == nil {
			t.Errorf("terminated row %+v", stored)
		}
		// Ending twice is harmless; an ended contract takes no payments or filings.
		if _, err := s.TerminateContract(ctx, w.lic, eff.ContractNo, "again"); err != nil {
			t.Errorf("terminate again: %v", err)
		}
		if _, err := s.RecordFiling(ctx, w.lic, eff.ContractNo, "X9", fxToday); fxCode(err) != "not_effective" {
			t.Errorf("filing a terminated contract: %v", err)
		}
		if _, err := s.RecordPayment(ctx, w.lic, unpaid.ContractNo, 1, fxToday, "r"); fxCode(err) != "not_awaiting_payment" {
			t.Errorf("paying a cancelled contract: %v", err)
		}
		// Both pairs are free again.
		for _, appNo := range []string{paidNo, freeNo} {
			if c, created, err := s.AcceptLicence(ctx, w.lic, appNo, ""); err != nil || !created {
				t.Errorf("accept %s again: %v %v", appNo, c, err)
			}
		}
		if fxKinds(w.events(t, unpaid.ID)) != "notified,cancelled" || fxKinds(w.events(t, eff.ID)) != "notified,effective,terminated" {
			t.Errorf("events %s / %s", fxKinds(w.events(t, unpaid.ID)), fxKinds(w.events(t, eff.ID)))
		}
		w.mustVerify(t)
	})
}

func TestDashboards(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		freeNo, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		paidNo, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, 100_00)
		w.patent(t, w.holderOrg, market.FeeFree, 0)
		eff := w.accept(t, w.lic, freeNo)
		w.clock.Advance(10 * 24 * time.Hour)
		unpaid := w.accept(t, w.lic, paidNo)
		w.clock.Advance(24 * time.Hour)
		hd, err := s.HolderDashboard(ctx, w.holder)
		if err != nil {
			t.Fatal(err)
		}
		if hd.PatentCount != 3 || hd.DeclaredCount != 3 || len(hd.Patents) != 3 || hd.Patents[0].Declaration == nil {
			t.Errorf("patents %d/%d/%d", hd.PatentCount, hd.DeclaredCount, len(hd.Patents))
		}
		if len(hd.Incoming) != 2 || hd.Incoming[0].ID != unpaid.ID || hd.Incoming[1].Licensee.ID != w.licOrg.ID {
			t.Errorf("incoming %+v", hd.Incoming)
		}
		// Effective 2025-03-03: due 2025-06-03; today is 2025-03-14.
		if len(hd.FilingsDue) != 1 || hd.FilingsDue[0].Contract.ID != eff.ID ||
			hd.FilingsDue[0].DueOn != market.MustDate("2025-06-03") || hd.FilingsDue[0].DaysLeft != 81 {
			t.Errorf("filings due %+v", hd.FilingsDue)
		}
		ld, err := s.LicenseeDashboard(ctx, w.lic)
		if err != nil || len(ld.Contracts) != 2 || len(ld.AwaitingPayment) != 1 || ld.AwaitingPayment[0].ID != unpaid.ID ||
			len(ld.FilingsDue) != 1 || ld.AwaitingPayment[0].OutstandingFen() != 100_00 {
			t.Errorf("licensee dashboard %+v %v", ld, err)
		}
		// Filters of the contract list.
		for _, tc := range []struct {
			q    market.ContractQuery
			want int
		}{
			{market.ContractQuery{As: "licensee"}, 2},
			{market.ContractQuery{As: "licensor"}, 0},
			{market.ContractQuery{Status: market.ContractEffective}, 1},
			{market.ContractQuery{From: market.MustDate("2025-03-10")}, 1},
			{market.ContractQuery{To: market.MustDate("2025-03-10")}, 1},
			{market.ContractQuery{Limit: 1}, 1},
			{market.ContractQuery{Offset: 1}, 1},
		} {
			cs, err := s.ContractsForActor(ctx, w.lic, tc.q)
			if err != nil || len(cs) != tc.want {
				t.Errorf("%+v: %d %v, want %d", tc.q, len(cs), err, tc.want)
			}
		}
		bureau := w.user(t, nil, market.RoleBureau)
		if cs, err := s.ContractsForActor(ctx, bureau, market.ContractQuery{}); err != nil || len(cs) != 2 {
			t.Errorf("bureau list %d %v", len(cs), err)
		}
	})
}

// A payment submitted twice with one idempotency key (a double click, a retried request) is recorded
// once, also when both submissions race; the key with other details is refused, and the payment's event
// is in the chain once.
func TestRecordPaymentOnce(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		c := w.lumpSumContract(t, 10_000_00)
		w.clock.Advance(24 * time.Hour)

		const n = 8
		type result struct {
			p        *market.Payment
			replayed bool
			err      error
		}
		results := make(chan result, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				p, replayed, err := s.RecordPaymentOnce(ctx, w.lic, c.ContractNo, "click-1", 4_000_00, fxToday, "BANK-001")
				results <- result{p, replayed, err}
			})
		}
		wg.Wait()
		close(results)
		var id int64
		fresh := 0
		for r := range results {
			if r.err != nil {
				t.Fatal(r.err)
			}
			if id != 0 && r.p.ID != id {
				t.Errorf("payments %d and %d for one key", id, r.p.ID)
			}
			id = r.p.ID
			if !r.replayed {
				fresh++
			}
		}
		if fresh != 1 {
			t.Errorf("%d submissions recorded a payment, want 1", fresh)
		}
		var rows, events int64
		s.Gorm().Model(&market.Payment{}).Where("contract_id = ?", c.ID).Count(&rows)
		s.Gorm().Model(&market.ContractEvent{}).Where("contract_id = ? AND kind = ?", c.ID, market.EventPaymentRecorded).Count(&events)
		if rows != 1 || events != 1 {
			t.Errorf("%d payments and %d payment events, want 1 and 1", rows, events)
		}

		if _, _, err := s.RecordPaymentOnce(ctx, w.lic, c.ContractNo, "click-1", 5_000_00, fxToday, "BANK-001"); !errors.Is(err, market.ErrIdempotencyKeyReused) {
			t.Errorf("same key, other amount: %v", err)
		}
		// Another key records another payment; no key always does.
		if _, replayed, err := s.RecordPaymentOnce(ctx, w.lic, c.ContractNo, "click-2", 1_000_00, fxToday, "BANK-002"); err != nil || replayed {
			t.Errorf("second key: replayed %v, %v", replayed, err)
		}
		if _, err := s.RecordPayment(ctx, w.lic, c.ContractNo, 1_000_00, fxToday, "BANK-003"); err != nil {
			t.Errorf("without a key: %v", err)
		}
		if _, _, err := s.RecordPaymentOnce(ctx, w.lic, c.ContractNo, "bad\x00key", 1_00, fxToday, "BANK-004"); fxCode(err) != "invalid" {
			t.Errorf("unprintable key: %v", err)
		}
	})
}
