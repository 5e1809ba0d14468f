package web

import (
	"testing"

	"patentwall/bonus"
)

// Keys the bureau pages build from codes (not visible to the template scan of TestCatalogueIsComplete),
// and the Chinese of reasons and flags worded exactly as the engine's exports word them.
func TestBureauCatalogue(t *testing.T) {
	var keys []string
	for _, c := range reasonCodes {
		keys = append(keys, "breason."+c)
	}
	for _, c := range flagCodes {
		keys = append(keys, "bflag."+c, "bflag.explain."+c)
	}
	for _, s := range lineStatuses {
		keys = append(keys, "bstatus."+s)
	}
	for _, r := range bonus.Rules {
		keys = append(keys, "brule."+r)
	}
	for _, s := range compareSections {
		keys = append(keys, "bureau.compare."+s)
	}
	for _, s := range reviewShows {
		keys = append(keys, "bureau.reviews.show."+s)
	}
	for _, k := range contractKinds {
		keys = append(keys, "ctr.kind."+k) // the accounts pages' labels, used by the records page
	}
	for _, st := range []string{"awaiting_payment", "effective", "filed", "terminated", "cancelled"} {
		keys = append(keys, "ctr.status."+st)
	}
	for _, tab := range bureauTabs {
		keys = append(keys, tab.Key)
	}
	keys = append(keys, "bbasis."+bonus.BasisEffective, "bbasis."+bonus.BasisFiled, "breview."+bonus.VerdictApproved.String(),
		"breview."+bonus.VerdictRejected.String(), "bvoid."+bonus.VoidContractCancel.String(), "bvoid."+bonus.VoidFilingCancelled.String(),
		"bvoid."+bonus.VoidContractTerminated.String(), "bvoid."+bonus.VoidRejected.String(), "bvoid."+bonus.VoidRecipientDisqualified.String())
	for _, k := range []string{"outside_window", "not_open_licence", "not_effective", "not_filed", "filing_cancelled", "recipient_kind",
		"recipient_not_shanghai", "recipient_not_normal", "licensee_not_sme", "licensee_not_shanghai", "duplicate", "retransfer",
		"recipient_disqualified"} {
		keys = append(keys, "breason."+k) // docs/rules.md §9.11's list, in case the engine's drifts
	}
	for _, k := range keys {
		if _, ok := catalogue[k]; !ok {
			t.Errorf("no message %s", k)
		}
	}
	if len(reasonCodes) != 13 || len(flagCodes) != 7 {
		t.Errorf("%d reasons, %d flags", len(reasonCodes), len(flagCodes))
	}
	for i, c := range reasonCodes {
		if zh := bonus.Reasons(1 << i).ZH()[0]; catalogue["breason."+c].zh != zh {
			t.Errorf("breason.%s: %q, the exports say %q", c, catalogue["breason."+c].zh, zh)
		}
	}
	for i, c := range flagCodes {
		if zh := bonus.Flags(1 << i).ZH()[0]; catalogue["bflag."+c].zh != zh {
			t.Errorf("bflag.%s: %q, the exports say %q", c, catalogue["bflag."+c].zh, zh)
		}
	}
	if got := bonus.StatusHeld.ZH(); catalogue["bstatus.held"].zh != got {
		t.Errorf("bstatus.held %q, the exports say %q", catalogue["bstatus.held"].zh, got)
	}
}
