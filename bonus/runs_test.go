package bonus_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"patentwall/bonus"
	"patentwall/market"
	"patentwall/market/markettest"
)

// runWorld: LIC (a Shanghai enterprise) licenses to SME1 and SME2 on the platform in 2022; one deal at
// 23:30 Shanghai time on New Year's Eve counts in 2022, one ten minutes past midnight does not.
func runWorld(t *testing.T, s *market.Store) *dbWorld {
	w := newDBWorld(t, s)
	w.org("LIC", market.KindEnterprise, "310115", false)
	w.org("SME1", market.KindEnterprise, "310104", true)
	w.org("SME2", market.KindEnterprise, "310112", true)
	for _, p := range []string{"P1", "P2", "P3", "P4"} {
		w.patent(p, "LIC")
	}
	w.contract("C1", market.ContractOpenLicence, "LIC", "SME1", time.Date(2022, 5, 1, 2, 0, 0, 0, time.UTC), "F1", "P1")
	w.contract("C2", market.ContractOpenLicence, "LIC", "SME2", time.Date(2022, 12, 31, 15, 30, 0, 0, time.UTC), "F2", "P2")
	w.contract("C3", market.ContractOpenLicence, "LIC", "SME2", time.Date(2022, 12, 31, 16, 10, 0, 0, time.UTC), "F3", "P3")
	return w
}

func TestRunFromDatabase(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		runWorld(t, s)
		res, err := bonus.Run(ctx, s, "art22-2022", d("2023-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, res)
		want := map[string]string{"C1": "eligible", "C2": "eligible", "C3": "ineligible"}
		for _, l := range res.Lines {
			if want[l.ContractNo] != l.Status.String() {
				t.Errorf("%s: %s %v", l.ContractNo, l.Status, l.Reasons.Codes())
			}
		}
		if l := findLine(t, res, "C3", ""); !equalStrings(l.Reasons.Codes(), []string{"outside_window"}) {
			t.Errorf("C3 (2023-01-01 00:10 Shanghai): %v", l.Reasons.Codes())
		}
		if res.TotalFen != 600000 || len(res.Recipients) != 1 || res.Recipients[0].Lines != 2 || res.Recipients[0].Name != "单位LIC" {
			t.Errorf("total %d recipients %+v", res.TotalFen, res.Recipients)
		}
		again, err := bonus.Run(ctx, s, "art22-2022", d("2023-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(jsonOf(t, res), jsonOf(t, again)) {
			t.Fatal("two runs over the same database differ")
		}
		if _, err := bonus.Run(ctx, s, "nope", d("2023-03-31")); !errors.Is(err, market.ErrNotFound) {
			t.Fatalf("unknown round: %v", err)
		}
	})
}

// The same facts on SQLite and Postgres give the same run, hash included.
func TestRunSameOnBothDatabases(t *testing.T) {
	if !markettest.PostgresAvailable() && !markettest.RequirePostgres() {
		t.Skip("no Postgres")
	}
	var outs [][]byte
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		runWorld(t, s)
		res, err := bonus.Run(ctx, s, "art22-2022", d("2023-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, jsonOf(t, res))
	})
	if len(outs) == 2 && !bytes.Equal(outs[0], outs[1]) {
		t.Fatalf("SQLite and Postgres differ:\n%s\n%s", outs[0], outs[1])
	}
}

func TestStoredRunsReviewFreezeClawback(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := runWorld(t, s)
		// SME1 shares LIC's legal representative: C1 is held for review
		w.exec("UPDATE organisations SET legal_rep = ? WHERE uscc = ?", "法人LIC", "SME1")

		if _, _, err := bonus.Compute(ctx, s, market.Actor{UserID: 9, Role: market.RoleLicensee}, "art22-2022", d("2023-03-31"), false); !errors.Is(err, market.ErrForbidden) {
			t.Fatalf("a licensee computed a run: %v", err)
		}
		info1, res1, err := bonus.Compute(ctx, s, bureau, "art22-2022", d("2023-03-31"), false)
		if err != nil {
			t.Fatal(err)
		}
		if info1.N != 1 || info1.HeldCount != 1 || info1.EligibleCount != 1 || info1.TotalFen != 300000 || info1.Frozen {
			t.Fatalf("run 1: %+v", info1)
		}
		_, loaded, err := bonus.LoadRun(ctx, s, "art22-2022", 1)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(jsonOf(t, res1), jsonOf(t, loaded)) {
			t.Fatal("the stored run reads back differently")
		}

		held, err := bonus.HeldLines(ctx, s, "art22-2022")
		if err != nil {
			t.Fatal(err)
		}
		if len(held) != 1 || held[0].ContractNo != "C1" || held[0].Flags.Codes()[0] != "related_party" || held[0].RecipientName != "单位LIC" {
			t.Fatalf("review queue %+v", held)
		}
		if _, err := bonus.Review(ctx, s, bureau, "art22-2022", "C1", "", true, "  "); market.AsFieldErrors(err) == nil {
			t.Fatalf("a decision without a note: %v", err)
		}
		if _, err := bonus.Review(ctx, s, market.Actor{UserID: 9, Role: market.RoleOperator}, "art22-2022", "C1", "", true, "ok"); !errors.Is(err, market.ErrForbidden) {
			t.Fatalf("an operator reviewed: %v", err)
		}
		if _, err := bonus.Review(ctx, s, bureau, "art22-2022", "C2", "", true, "ok"); market.AsFieldErrors(err) == nil {
			t.Fatalf("reviewed a line without flags: %v", err)
		}
		dec, err := bonus.Review(ctx, s, bureau, "art22-2022", "C1", "", true, "同一法人的真实许可，已核实付款凭证")
		if err != nil {
			t.Fatal(err)
		}
		if !dec.Approved || dec.ReviewerUserID == nil || *dec.ReviewerUserID != bureau.UserID || dec.DecidedAt.IsZero() {
			t.Fatalf("decision %+v", dec)
		}
		if held, _ := bonus.HeldLines(ctx, s, "art22-2022"); len(held) != 1 || held[0].Decision == nil {
			t.Fatalf("the queue shows the decision until the next run: %+v", held)
		}

		info2, res2, err := bonus.Compute(ctx, s, bureau, "art22-2022", d("2023-03-31"), true)
		if err != nil {
			t.Fatal(err)
		}
		if info2.N != 2 || !info2.Frozen || info2.TotalFen != 600000 || info2.HeldCount != 0 {
			t.Fatalf("run 2: %+v", info2)
		}
		if l := findLine(t, res2, "C1", ""); l.Status != bonus.StatusEligible || l.Review != bonus.VerdictApproved {
			t.Fatalf("C1 after approval: %s %v", l.Status, l.Review)
		}
		if held, _ := bonus.HeldLines(ctx, s, "art22-2022"); len(held) != 0 {
			t.Fatalf("queue after approval: %+v", held)
		}

		// After payment, C1 is cancelled: run 3 claws back its 3000 yuan; the decision is kept.
		w.exec("UPDATE contracts SET status = ?, ended_at = ? WHERE contract_no = ?", market.ContractCancelled,
			time.Date(2023, 4, 2, 0, 0, 0, 0, time.UTC), "C1")
		info3, res3, err := bonus.Compute(ctx, s, bonus.CommandLine, "art22-2022", d("2023-04-30"), false)
		if err != nil {
			t.Fatal(err)
		}
		if info3.N != 3 || len(res3.Clawbacks) != 1 || res3.Clawbacks[0].ContractNo != "C1" || res3.Clawbacks[0].Run != 2 ||
			res3.Clawbacks[0].AmountFen != 300000 || info3.ClawbackFen != 300000 || info3.CreatedBy != nil {
			t.Fatalf("run 3 %+v clawbacks %+v", info3, res3.Clawbacks)
		}
		if l := findLine(t, res3, "C1", ""); l.Status != bonus.StatusIneligible || !l.Reasons.Has(bonus.ReasonNotEffective) {
			t.Fatalf("C1 cancelled: %s %v", l.Status, l.Reasons.Codes())
		}
		// as of a day before the cancellation, C1 still counts and nothing is clawed back
		info4, res4, err := bonus.Compute(ctx, s, bureau, "art22-2022", d("2023-03-31"), false)
		if err != nil {
			t.Fatal(err)
		}
		if len(res4.Clawbacks) != 0 || info4.TotalFen != 600000 {
			t.Fatalf("run 4 as of 2023-03-31: %+v %+v", info4, res4.Clawbacks)
		}
		if info4.InputHash == info2.InputHash {
			t.Fatal("C1's cancellation is a fact: run 4's hash must differ from run 2's")
		}

		cmp, err := bonus.Compare(ctx, s, "art22-2022", 2, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(cmp.Changed) != 1 || cmp.Changed[0].Before.ContractNo != "C1" || len(cmp.Clawbacks) != 1 || cmp.TotalA != 600000 || cmp.TotalB != 300000 {
			t.Fatalf("compare 2→3: %+v", cmp)
		}
		if _, err := bonus.Compare(ctx, s, "art22-2022", 2, 99); !errors.Is(err, market.ErrNotFound) {
			t.Fatalf("compare with a missing run: %v", err)
		}
		if err := bonus.Freeze(ctx, s, bureau, "art22-2022", 99); !errors.Is(err, market.ErrNotFound) {
			t.Fatalf("freeze a missing run: %v", err)
		}
		if err := bonus.Freeze(ctx, s, bureau, "art22-2022", 2); err != nil {
			t.Fatalf("freezing twice: %v", err)
		}
		runs, err := bonus.Runs(ctx, s, "art22-2022")
		if err != nil || len(runs) != 4 || runs[0].N != 4 || runs[3].N != 1 {
			t.Fatalf("runs %+v %v", runs, err)
		}
	})
}

func TestRejectedDecisionKept(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := runWorld(t, s)
		w.exec("UPDATE organisations SET founded_on = ? WHERE uscc = ?", "2022-03-01", "SME1") // C1: new_licensee
		if _, _, err := bonus.Compute(ctx, s, bureau, "art22-2022", d("2023-03-31"), false); err != nil {
			t.Fatal(err)
		}
		if _, err := bonus.Review(ctx, s, bureau, "art22-2022", "C1", "", false, "空壳公司"); err != nil {
			t.Fatal(err)
		}
		for n := 2; n <= 3; n++ {
			_, res, err := bonus.Compute(ctx, s, bureau, "art22-2022", d("2023-03-31"), false)
			if err != nil {
				t.Fatal(err)
			}
			if l := findLine(t, res, "C1", ""); l.Status != bonus.StatusIneligible || l.Review != bonus.VerdictRejected ||
				!equalStrings(l.Flags.Codes(), []string{"new_licensee"}) {
				t.Fatalf("run %d: C1 %s %v %v", n, l.Status, l.Review, l.Flags.Codes())
			}
		}
	})
}

func TestInstitutionRunFromDatabase(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newDBWorld(t, s)
		w.org("UNI", market.KindUniversity, "310110", false)
		w.org("SME1", market.KindEnterprise, "310104", true)
		for _, p := range []string{"P1", "P2", "P3"} {
			w.patent(p, "UNI")
		}
		w.contract("K1", market.ContractOrdinaryLicence, "UNI", "SME1", time.Date(2022, 9, 1, 2, 0, 0, 0, time.UTC), "FK1", "P1", "P2", "P3")
		w.contract("K2", market.ContractTransfer, "UNI", "SME1", time.Date(2022, 10, 1, 2, 0, 0, 0, time.UTC), "", "P3")
		res, err := bonus.Run(ctx, s, "art19-2022", d("2023-07-31"))
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, res)
		if len(res.Lines) != 4 || res.TotalFen != 3*150000 {
			t.Fatalf("%d lines, total %d", len(res.Lines), res.TotalFen)
		}
		// K2 (a transfer of P3 to the same licensee, never registered) is not_filed; being ineligible it takes
		// no part in de-duplication
		if l := findLine(t, res, "K2", "P3"); !equalStrings(l.Reasons.Codes(), []string{"not_filed"}) {
			t.Fatalf("K2: %v", l.Reasons.Codes())
		}
	})
}

// Concurrent runs of one round get distinct, consecutive numbers.
func TestConcurrentRunsNumbered(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		runWorld(t, s)
		res, err := bonus.Run(ctx, s, "art22-2022", d("2023-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		const n = 6
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			go func() {
				_, err := bonus.SaveRun(ctx, s, bureau, res, false)
				errs <- err
			}()
		}
		for i := 0; i < n; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		runs, err := bonus.Runs(ctx, s, "art22-2022")
		if err != nil || len(runs) != n {
			t.Fatalf("%d runs %v", len(runs), err)
		}
		for i, r := range runs {
			if r.N != n-i {
				t.Fatalf("run numbers %+v", runs)
			}
		}
	})
}
