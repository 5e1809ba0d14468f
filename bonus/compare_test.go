package bonus_test

import (
	"testing"

	"patentwall/bonus"
	"patentwall/market"
)

func TestClawbacksAndCompare(t *testing.T) {
	w := licensorWorld()
	w.deal("C2", market.ContractOpenLicence, "LIC", "SME2", "2022-06-01", "P2")
	w.deal("C3", market.ContractOpenLicence, "LIC", "SME2", "2022-07-01", "P3")
	first := evaluate(t, w, bonus.Params{Round: art22(), AsOf: d("2023-01-31")})
	if first.TotalFen != 900000 {
		t.Fatalf("first run pays %d, want 3 × 300000", first.TotalFen)
	}
	baseline := bonus.Baseline{N: 1, InputHash: first.InputHash, Lines: first.Lines}

	// After the first run was paid: C1 is cancelled, C2's filing is cancelled, C3 is terminated, and
	// a new deal C4 appears.
	c1 := w.contract("C1")
	c1.Status, c1.EndedAt = market.ContractCancelled, at("2023-02-10T03:00:00Z")
	f2 := w.filing("F-C2")
	f2.Status, f2.CancelledOn = "cancelled", d("2023-02-20")
	c3 := w.contract("C3")
	c3.Status, c3.EndedAt = market.ContractTerminated, at("2023-02-25T03:00:00Z")
	w.deal("C4", market.ContractOpenLicence, "LIC", "SME1", "2022-11-01", "P4")

	second := evaluate(t, w, bonus.Params{Round: art22(), AsOf: d("2023-03-31"), Frozen: []bonus.Baseline{baseline}})
	want := map[string]string{"C1": "contract_cancelled", "C2": "filing_cancelled", "C3": "contract_terminated"}
	if len(second.Clawbacks) != len(want) {
		t.Fatalf("clawbacks %+v, want C1, C2 and C3 (a terminated contract is clawed back too, docs/rules.md §9.10)", second.Clawbacks)
	}
	for _, c := range second.Clawbacks {
		if want[c.ContractNo] != c.Reason.String() || c.AmountFen != 300000 || c.Run != 1 || c.RecipientUSCC != "LIC" {
			t.Errorf("clawback %+v", c)
		}
	}

	cmp := bonus.CompareResults(first, second, 1, 2, true)
	if len(cmp.Added) != 1 || cmp.Added[0].ContractNo != "C4" {
		t.Errorf("added %+v, want C4", cmp.Added)
	}
	if len(cmp.Removed) != 0 {
		t.Errorf("removed %+v", cmp.Removed)
	}
	changed := map[string]bool{}
	for _, c := range cmp.Changed {
		changed[c.Before.ContractNo] = true
		if c.Before.Status != bonus.StatusEligible || c.After.Status != bonus.StatusIneligible {
			t.Errorf("%s: %s → %s", c.Before.ContractNo, c.Before.Status, c.After.Status)
		}
	}
	if len(changed) != 3 || !changed["C1"] || !changed["C2"] || !changed["C3"] {
		t.Errorf("changed %v, want C1, C2, C3", changed)
	}
	if len(cmp.Clawbacks) != 3 {
		t.Errorf("comparison clawbacks %+v", cmp.Clawbacks)
	}
	if notPaid := bonus.CompareResults(first, second, 1, 2, false); len(notPaid.Clawbacks) != 0 {
		t.Errorf("an unfrozen run paid nothing, yet clawbacks %+v", notPaid.Clawbacks)
	}
	if same := bonus.CompareResults(second, second, 2, 2, true); len(same.Added)+len(same.Removed)+len(same.Changed) != 0 || !same.SameHash {
		t.Errorf("a run compared with itself: %+v", same)
	}
}
