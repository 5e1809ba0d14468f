package bonus_test

import (
	"fmt"
	"testing"

	"patentwall/bonus"
	"patentwall/market"
)

func TestFlags(t *testing.T) {
	cases := []struct {
		name   string
		round  func() bonus.Round
		change func(w *world, r *bonus.Round)
		line   [2]string // contract, patent
		flags  []string
	}{
		{"no flag", art22, func(w *world, r *bonus.Round) {}, [2]string{"C1"}, nil},
		{"related party: same legal representative", art22, func(w *world, r *bonus.Round) {
			w.orgs["SME1"].LegalRep = w.orgs["LIC"].LegalRep
		}, [2]string{"C1"}, []string{"related_party"}},
		{"related party: same phone written differently", art22, func(w *world, r *bonus.Round) {
			w.orgs["SME1"].Phone = "(021) " + w.orgs["LIC"].Phone[4:]
			w.orgs["LIC"].Phone = "021" + w.orgs["LIC"].Phone[4:]
		}, [2]string{"C1"}, []string{"related_party"}},
		{"related party: same e-mail in another case", art22, func(w *world, r *bonus.Round) {
			w.orgs["SME1"].Email = "Boss@Example.cn"
			w.orgs["LIC"].Email = "boss@example.cn"
		}, [2]string{"C1"}, []string{"related_party"}},
		{"related party: same address", art22, func(w *world, r *bonus.Round) {
			w.orgs["SME1"].Address = w.orgs["LIC"].Address + " "
		}, [2]string{"C1"}, []string{"related_party"}},
		{"related party switched off", art22, func(w *world, r *bonus.Round) {
			w.orgs["SME1"].LegalRep = w.orgs["LIC"].LegalRep
			r.Flags.RelatedParty = false
		}, [2]string{"C1"}, nil},
		{"empty contact facts never match", art22, func(w *world, r *bonus.Round) {
			w.orgs["SME1"].Email, w.orgs["LIC"].Email = "", ""
			w.orgs["SME1"].Address, w.orgs["LIC"].Address = "", ""
		}, [2]string{"C1"}, nil},
		{"circular: B licensed back to A within 365 days", art22, func(w *world, r *bonus.Round) {
			w.deal("C9", market.ContractOrdinaryLicence, "SME1", "LIC", "2023-04-30", "P9")
		}, [2]string{"C1"}, []string{"circular"}},
		{"circular: back-licence 366 days later is not circular", art22, func(w *world, r *bonus.Round) {
			w.deal("C9", market.ContractOrdinaryLicence, "SME1", "LIC", "2023-05-02", "P9")
		}, [2]string{"C1"}, nil},
		{"circular: an earlier transfer the other way", art22, func(w *world, r *bonus.Round) {
			w.deal("C9", market.ContractTransfer, "SME1", "LIC", "2021-06-01", "P9")
		}, [2]string{"C1"}, []string{"circular"}},
		{"new licensee: founded 120 days before", art22, func(w *world, r *bonus.Round) {
			w.orgs["SME1"].FoundedOn = d("2022-01-01")
		}, [2]string{"C1"}, []string{"new_licensee"}},
		{"new licensee: founded 180 days before is not new", art22, func(w *world, r *bonus.Round) {
			w.orgs["SME1"].FoundedOn = d("2021-11-02")
		}, [2]string{"C1"}, nil},
		{"new licensee: founded 179 days before", art22, func(w *world, r *bonus.Round) {
			w.orgs["SME1"].FoundedOn = d("2021-11-03")
		}, [2]string{"C1"}, []string{"new_licensee"}},
		{"burst: 5 deals within 30 days", art22, func(w *world, r *bonus.Round) {
			for i, day := range []string{"2022-04-02", "2022-04-10", "2022-04-20", "2022-04-30"} {
				w.addOrg(ent(fmt.Sprintf("L%d", i)))
				w.deal(fmt.Sprintf("B%d", i), market.ContractOpenLicence, fmt.Sprintf("L%d", i), "SME1", day, fmt.Sprintf("PB%d", i))
			}
		}, [2]string{"C1"}, []string{"burst"}},
		{"burst: 5 deals over 31 days is no burst", art22, func(w *world, r *bonus.Round) {
			for i, day := range []string{"2022-03-31", "2022-04-10", "2022-04-20", "2022-04-30"} {
				w.addOrg(ent(fmt.Sprintf("L%d", i)))
				w.deal(fmt.Sprintf("B%d", i), market.ContractOpenLicence, fmt.Sprintf("L%d", i), "SME1", day, fmt.Sprintf("PB%d", i))
			}
		}, [2]string{"C1"}, nil},
		{"burst: 4 deals are no burst", art22, func(w *world, r *bonus.Round) {
			for i, day := range []string{"2022-04-10", "2022-04-20", "2022-04-30"} {
				w.addOrg(ent(fmt.Sprintf("L%d", i)))
				w.deal(fmt.Sprintf("B%d", i), market.ContractOpenLicence, fmt.Sprintf("L%d", i), "SME1", day, fmt.Sprintf("PB%d", i))
			}
		}, [2]string{"C1"}, nil},
		{"reversal: filing cancelled (filing not required by the round)", art22, func(w *world, r *bonus.Round) {
			r.RequiresFiling = false
			f := w.filing("F-C1")
			f.Status, f.CancelledOn = "cancelled", d("2022-09-01")
		}, [2]string{"C1"}, []string{"reversal"}},
		{"reversal: filing cancelled after 365 days is no reversal", art22, func(w *world, r *bonus.Round) {
			r.RequiresFiling = false
			f := w.filing("F-C1")
			f.FiledOn, f.Status, f.CancelledOn = d("2022-05-01"), "cancelled", d("2023-05-02") // 366 days
		}, [2]string{"C1"}, nil},
		{"low fee alone is no flag: free licences are encouraged", art22, func(w *world, r *bonus.Round) {
			w.contract("C1").FeeFen = 0
		}, [2]string{"C1"}, nil},
		{"low fee with another flag", art22, func(w *world, r *bonus.Round) {
			w.contract("C1").FeeFen = 29999 // below 10% of 3000 yuan
			w.orgs["SME1"].LegalRep = w.orgs["LIC"].LegalRep
		}, [2]string{"C1"}, []string{"related_party", "low_fee"}},
		{"a fee of 10% is not low", art22, func(w *world, r *bonus.Round) {
			w.contract("C1").FeeFen = 30000
			w.orgs["SME1"].LegalRep = w.orgs["LIC"].LegalRep
		}, [2]string{"C1"}, []string{"related_party"}},
		{"transferred back within 365 days", art19, func(w *world, r *bonus.Round) {
			w.deal("T1", market.ContractTransfer, "UNI", "SME1", "2022-08-01", "P7")
			w.deal("T2", market.ContractTransfer, "SME1", "UNI", "2023-02-01", "P7")
		}, [2]string{"T1", "P7"}, []string{"circular", "reversal"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var w *world
			r := tc.round()
			if r.PerPatent() {
				w = institutionWorld()
			} else {
				w = licensorWorld()
			}
			tc.change(w, &r)
			res := evaluate(t, w, bonus.Params{Round: r, AsOf: d("2023-05-31")})
			l := findLine(t, res, tc.line[0], tc.line[1])
			if !equalStrings(l.Flags.Codes(), tc.flags) {
				t.Fatalf("flags %v, want %v", l.Flags.Codes(), tc.flags)
			}
			wantStatus := bonus.StatusEligible
			if len(tc.flags) > 0 {
				wantStatus = bonus.StatusHeld
			}
			if l.Status != wantStatus || l.Reasons != 0 {
				t.Fatalf("status %s reasons %v, want %s", l.Status, l.Reasons.Codes(), wantStatus)
			}
		})
	}
}

// An ineligible line is never also held: flags are only raised on otherwise eligible lines.
func TestIneligibleLinesAreNotFlagged(t *testing.T) {
	w := licensorWorld()
	w.orgs["SME1"].LegalRep = w.orgs["LIC"].LegalRep
	w.orgs["SME1"].IsSME = false
	res := evaluate(t, w, bonus.Params{Round: art22()})
	l := res.Lines[0]
	if l.Status != bonus.StatusIneligible || l.Flags != 0 || !equalStrings(l.Reasons.Codes(), []string{"licensee_not_sme"}) {
		t.Fatalf("%s reasons %v flags %v", l.Status, l.Reasons.Codes(), l.Flags.Codes())
	}
}

func TestDoubleClaim(t *testing.T) {
	overlap := art22()
	overlap.ID, overlap.WindowFrom, overlap.WindowTo = "art22-extra", d("2022-04-01"), d("2022-06-30")
	later := art22()
	later.ID, later.WindowFrom, later.WindowTo = "art22-2023", d("2023-01-01"), d("2023-12-31")

	t.Run("the same contract counts in an overlapping round", func(t *testing.T) {
		res := evaluate(t, licensorWorld(), bonus.Params{Round: art22(), Others: []bonus.Round{overlap, later}})
		if l := res.Lines[0]; !equalStrings(l.Flags.Codes(), []string{"double_claim"}) || l.Status != bonus.StatusHeld {
			t.Fatalf("%s flags %v", l.Status, l.Flags.Codes())
		}
	})
	t.Run("a round where it does not count is no double claim", func(t *testing.T) {
		res := evaluate(t, licensorWorld(), bonus.Params{Round: art22(), Others: []bonus.Round{later}})
		if l := res.Lines[0]; l.Flags != 0 {
			t.Fatalf("flags %v", l.Flags.Codes())
		}
	})
	t.Run("the same (patent, licensee) pair counts in another round", func(t *testing.T) {
		w := licensorWorld()
		w.deal("C2", market.ContractOpenLicence, "LIC", "SME1", "2023-02-01", "P1")
		res := evaluate(t, w, bonus.Params{Round: art22(), Others: []bonus.Round{later}})
		if l := findLine(t, res, "C1", ""); !equalStrings(l.Flags.Codes(), []string{"double_claim"}) {
			t.Fatalf("flags %v", l.Flags.Codes())
		}
	})
	t.Run("switched off", func(t *testing.T) {
		r := art22()
		r.Flags.DoubleClaim = false
		res := evaluate(t, licensorWorld(), bonus.Params{Round: r, Others: []bonus.Round{overlap}})
		if l := res.Lines[0]; l.Flags != 0 {
			t.Fatalf("flags %v", l.Flags.Codes())
		}
	})
	t.Run("a transfer counted in an earlier round is not counted again", func(t *testing.T) {
		w := institutionWorld()
		w.deal("T1", market.ContractTransfer, "UNI", "SME2", "2022-09-01", "P7")
		w.deal("T2", market.ContractTransfer, "UNI", "SME1", "2023-08-01", "P7")
		next := art19()
		next.ID, next.WindowFrom, next.WindowTo = "art19-2023", d("2023-07-01"), d("2024-06-30")
		res := evaluate(t, w, bonus.Params{Round: next, Others: []bonus.Round{art19()}, AsOf: d("2023-12-31")})
		if l := findLine(t, res, "T2", "P7"); !equalStrings(l.Reasons.Codes(), []string{"retransfer"}) {
			t.Fatalf("%s reasons %v", l.Status, l.Reasons.Codes())
		}
	})
}

func TestReviewDecisions(t *testing.T) {
	flagged := func() *world {
		w := licensorWorld()
		w.orgs["SME1"].LegalRep = w.orgs["LIC"].LegalRep
		return w
	}
	related := bonus.ParseFlags([]string{"related_party"})
	cases := []struct {
		name     string
		world    func() *world
		decision bonus.Decision
		status   bonus.Status
		review   string
		amount   int64
	}{
		{"approved", flagged, bonus.Decision{ContractNo: "C1", Approved: true, Flags: related, Note: "母子公司真实交易"},
			bonus.StatusEligible, "approved", 300000},
		{"rejected", flagged, bonus.Decision{ContractNo: "C1", Approved: false, Flags: related, Note: "虚假交易"},
			bonus.StatusIneligible, "rejected", 0},
		{"an approval does not cover a new flag", func() *world {
			w := flagged()
			w.orgs["SME1"].FoundedOn = d("2022-03-01")
			return w
		}, bonus.Decision{ContractNo: "C1", Approved: true, Flags: related, Note: "ok"}, bonus.StatusHeld, "", 0},
		{"a decision on another line does nothing", flagged, bonus.Decision{ContractNo: "C9", Approved: true, Flags: related, Note: "ok"},
			bonus.StatusHeld, "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := evaluate(t, tc.world(), bonus.Params{Round: art22(), Decisions: []bonus.Decision{tc.decision}})
			l := res.Lines[0]
			if l.Status != tc.status || l.Review.String() != tc.review || l.AmountFen != tc.amount || l.Flags == 0 {
				t.Fatalf("%s review %q amount %d flags %v", l.Status, l.Review, l.AmountFen, l.Flags.Codes())
			}
		})
	}
}
