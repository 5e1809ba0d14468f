package bonus_test

import (
	"testing"

	"patentwall/bonus"
	"patentwall/market"
)

// licensorWorld: enterprise LIC licenses patent P1 to the SME SME1 by open licence on 2022-05-01,
// filed at CNIPA a month later: an eligible Art. 22 line.
func licensorWorld() *world {
	w := newWorld(ent("LIC"), ent("SME1"), ent("SME2"), uni("UNI"))
	w.orgs["LIC"].IsSME = false // the licensor's size does not matter
	w.deal("C1", market.ContractOpenLicence, "LIC", "SME1", "2022-05-01", "P1")
	return w
}

func TestLicensorRoundReasons(t *testing.T) {
	cases := []struct {
		name    string
		change  func(w *world, r *bonus.Round)
		status  bonus.Status
		reasons []string
	}{
		{"eligible", func(w *world, r *bonus.Round) {}, bonus.StatusEligible, nil},
		{"free licence counts", func(w *world, r *bonus.Round) { w.contract("C1").FeeFen = 0 }, bonus.StatusEligible, nil},
		{"first day of the window", func(w *world, r *bonus.Round) { w.contract("C1").EffectiveOn = d("2022-01-01") }, bonus.StatusEligible, nil},
		{"last day of the window", func(w *world, r *bonus.Round) { w.contract("C1").EffectiveOn = d("2022-12-31") }, bonus.StatusEligible, nil},
		{"day before the window", func(w *world, r *bonus.Round) { w.contract("C1").EffectiveOn = d("2021-12-31") },
			bonus.StatusIneligible, []string{"outside_window"}},
		{"day after the window", func(w *world, r *bonus.Round) { w.contract("C1").EffectiveOn = d("2023-01-01") },
			bonus.StatusIneligible, []string{"outside_window"}},
		// instants count by their Shanghai calendar day (UTC+8)
		{"2022-12-31 23:30 Shanghai counts in 2022", func(w *world, r *bonus.Round) {
			w.contract("C1").EffectiveAt = at("2022-12-31T15:30:00Z")
		}, bonus.StatusEligible, nil},
		{"2023-01-01 00:10 Shanghai is outside 2022", func(w *world, r *bonus.Round) {
			w.contract("C1").EffectiveAt = at("2022-12-31T16:10:00Z")
		}, bonus.StatusIneligible, []string{"outside_window"}},
		{"2022-01-01 00:00 Shanghai is inside 2022", func(w *world, r *bonus.Round) {
			w.contract("C1").EffectiveAt = at("2021-12-31T16:00:00Z")
		}, bonus.StatusEligible, nil},
		{"2021-12-31 23:59 Shanghai is outside 2022", func(w *world, r *bonus.Round) {
			w.contract("C1").EffectiveAt = at("2021-12-31T15:59:59Z")
		}, bonus.StatusIneligible, []string{"outside_window"}},
		{"ordinary licence is not an open licence", func(w *world, r *bonus.Round) {
			w.contract("C1").Kind = market.ContractOrdinaryLicence
			w.filing("F-C1").Kind = market.ContractOrdinaryLicence
		}, bonus.StatusIneligible, []string{"not_open_licence"}},
		{"transfer is not an open licence", func(w *world, r *bonus.Round) {
			w.contract("C1").Kind = market.ContractTransfer
			w.filing("F-C1").Kind = market.ContractTransfer
		}, bonus.StatusIneligible, []string{"not_open_licence"}},
		{"awaiting payment", func(w *world, r *bonus.Round) {
			c := w.contract("C1")
			c.Status, c.EffectiveOn = market.ContractAwaitingPayment, market.Date{}
		}, bonus.StatusIneligible, []string{"not_effective"}},
		{"cancelled before the as-of day", func(w *world, r *bonus.Round) {
			c := w.contract("C1")
			c.Status, c.EndedAt = market.ContractCancelled, at("2023-01-10T02:00:00Z")
		}, bonus.StatusIneligible, []string{"not_effective"}},
		{"cancelled with no known date", func(w *world, r *bonus.Round) { w.contract("C1").Status = market.ContractCancelled },
			bonus.StatusIneligible, []string{"not_effective"}},
		{"terminated after the as-of day still counts as of then", func(w *world, r *bonus.Round) {
			c := w.contract("C1")
			c.Status, c.EndedAt = market.ContractTerminated, at("2023-05-01T02:00:00Z")
		}, bonus.StatusEligible, nil},
		{"status filed counts", func(w *world, r *bonus.Round) { w.contract("C1").Status = market.ContractFiled }, bonus.StatusEligible, nil},
		{"no filing number", func(w *world, r *bonus.Round) { w.contract("C1").FilingNo = "" },
			bonus.StatusIneligible, []string{"not_filed"}},
		{"filing number not in CNIPA's list", func(w *world, r *bonus.Round) { w.contract("C1").FilingNo = "F-OTHER" },
			bonus.StatusIneligible, []string{"not_filed"}},
		{"CNIPA entry names another licensee", func(w *world, r *bonus.Round) { w.filing("F-C1").LicenseeUSCC = "SME2" },
			bonus.StatusIneligible, []string{"not_filed"}},
		{"CNIPA entry names another licensor", func(w *world, r *bonus.Round) { w.filing("F-C1").LicensorUSCC = "UNI" },
			bonus.StatusIneligible, []string{"not_filed"}},
		{"CNIPA entry lists another patent", func(w *world, r *bonus.Round) { w.filing("F-C1").Patents = "P9" },
			bonus.StatusIneligible, []string{"not_filed"}},
		{"CNIPA entry is a transfer registration", func(w *world, r *bonus.Round) { w.filing("F-C1").Kind = market.ContractTransfer },
			bonus.StatusIneligible, []string{"not_filed"}},
		{"CNIPA entry filed after the as-of day", func(w *world, r *bonus.Round) {
			w.filing("F-C1").FiledOn = d("2023-04-02")
			w.contract("C1").FiledOn = market.Date{}
		}, bonus.StatusIneligible, []string{"not_filed"}},
		{"CNIPA entry cancelled", func(w *world, r *bonus.Round) {
			f := w.filing("F-C1")
			f.Status, f.CancelledOn = "cancelled", d("2023-02-01")
		}, bonus.StatusIneligible, []string{"filing_cancelled"}},
		{"CNIPA entry cancelled after the as-of day", func(w *world, r *bonus.Round) {
			f := w.filing("F-C1")
			f.Status, f.CancelledOn = "cancelled", d("2023-04-15")
		}, bonus.StatusEligible, nil},
		{"filing not required", func(w *world, r *bonus.Round) {
			r.RequiresFiling = false
			w.contract("C1").FilingNo = ""
		}, bonus.StatusEligible, nil},
		{"filing basis: filed in the window", func(w *world, r *bonus.Round) {
			r.Basis = bonus.BasisFiled
			w.contract("C1").EffectiveOn = d("2021-12-20") // effective before the window, filed 2022-01-20
			w.contract("C1").FiledOn = d("2022-01-20")
			w.filing("F-C1").FiledOn = d("2022-01-20")
		}, bonus.StatusEligible, nil},
		{"filing basis: filed after the window", func(w *world, r *bonus.Round) {
			r.Basis = bonus.BasisFiled
			w.contract("C1").EffectiveOn = d("2022-12-20")
			w.filing("F-C1").FiledOn = d("2023-01-05")
		}, bonus.StatusIneligible, []string{"outside_window"}},
		{"recipient is a university", func(w *world, r *bonus.Round) {
			w.contract("C1").LicensorUSCC = "UNI"
			w.filing("F-C1").LicensorUSCC = "UNI"
		}, bonus.StatusIneligible, []string{"recipient_kind"}},
		{"recipient outside Shanghai", func(w *world, r *bonus.Round) { w.orgs["LIC"].DistrictCode = "" },
			bonus.StatusIneligible, []string{"recipient_not_shanghai"}},
		{"recipient not operating normally", func(w *world, r *bonus.Round) { w.orgs["LIC"].OperatingNormally = false },
			bonus.StatusIneligible, []string{"recipient_not_normal"}},
		{"recipient with bad credit", func(w *world, r *bonus.Round) { w.orgs["LIC"].GoodCredit = false },
			bonus.StatusIneligible, []string{"recipient_not_normal"}},
		{"licensee not an SME", func(w *world, r *bonus.Round) { w.orgs["SME1"].IsSME = false },
			bonus.StatusIneligible, []string{"licensee_not_sme"}},
		{"licensee outside Shanghai", func(w *world, r *bonus.Round) { w.orgs["SME1"].DistrictCode = "" },
			bonus.StatusIneligible, []string{"licensee_not_shanghai"}},
		{"every reason is listed, in canonical order", func(w *world, r *bonus.Round) {
			w.orgs["SME1"].DistrictCode, w.orgs["SME1"].IsSME = "", false
			w.contract("C1").EffectiveOn = d("2021-06-01")
			w.contract("C1").FilingNo = ""
		}, bonus.StatusIneligible, []string{"outside_window", "not_filed", "licensee_not_sme", "licensee_not_shanghai"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, r := licensorWorld(), art22()
			tc.change(w, &r)
			res := evaluate(t, w, bonus.Params{Round: r})
			if len(res.Lines) != 1 {
				t.Fatalf("%d lines, want 1 per contract", len(res.Lines))
			}
			l := res.Lines[0]
			if l.Status != tc.status || !equalStrings(l.Reasons.Codes(), tc.reasons) {
				t.Fatalf("status %s reasons %v, want %s %v", l.Status, l.Reasons.Codes(), tc.status, tc.reasons)
			}
			if l.Patent != "" {
				t.Errorf("patent %q on a per-contract line", l.Patent)
			}
			wantAmount := int64(0)
			if tc.status == bonus.StatusEligible {
				wantAmount = 300000
			}
			if l.AmountFen != wantAmount {
				t.Errorf("amount %d, want %d", l.AmountFen, wantAmount)
			}
		})
	}
}

// TestNotEffectiveAsOf: facts after the as-of day are ignored, a contract effective after it is not
// yet effective.
func TestNotEffectiveAsOf(t *testing.T) {
	w := licensorWorld()
	w.contract("C1").EffectiveOn = d("2022-12-01")
	w.contract("C1").FiledOn, w.filing("F-C1").FiledOn = d("2023-01-01"), d("2023-01-01")
	res := evaluate(t, w, bonus.Params{Round: art22(), AsOf: d("2022-11-30")})
	l := res.Lines[0]
	if !equalStrings(l.Reasons.Codes(), []string{"not_effective", "not_filed"}) {
		t.Fatalf("reasons %v, want not_effective and not_filed (filed 2023-01-01, after the as-of day)", l.Reasons.Codes())
	}
	res = evaluate(t, w, bonus.Params{Round: art22(), AsOf: d("2023-01-01")})
	if l := res.Lines[0]; l.Status != bonus.StatusEligible {
		t.Fatalf("as of 2023-01-01: %s %v", l.Status, l.Reasons.Codes())
	}
}

func TestLicensorRoundDuplicates(t *testing.T) {
	cases := []struct {
		name   string
		change func(w *world)
		want   map[string][]string // contract → reasons
	}{
		{"same patent and licensee twice: the earlier deal counts", func(w *world) {
			w.deal("C0", market.ContractOpenLicence, "LIC", "SME1", "2022-03-01", "P1")
		}, map[string][]string{"C0": nil, "C1": {"duplicate"}}},
		{"same effective day: the lower contract number counts", func(w *world) {
			w.deal("C2", market.ContractOpenLicence, "LIC", "SME1", "2022-05-01", "P1")
		}, map[string][]string{"C1": nil, "C2": {"duplicate"}}},
		{"an ineligible earlier deal does not block the later one", func(w *world) {
			w.deal("C0", market.ContractOpenLicence, "LIC", "SME1", "2022-03-01", "P1").FilingNo = ""
		}, map[string][]string{"C0": {"not_filed"}, "C1": nil}},
		{"same patent to another licensee counts again", func(w *world) {
			w.deal("C2", market.ContractOpenLicence, "LIC", "SME2", "2022-06-01", "P1")
		}, map[string][]string{"C1": nil, "C2": nil}},
		{"a later contract sharing one of its patents is a duplicate", func(w *world) {
			w.deal("C2", market.ContractOpenLicence, "LIC", "SME1", "2022-06-01", "P1", "P2")
		}, map[string][]string{"C1": nil, "C2": {"duplicate"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := licensorWorld()
			tc.change(w)
			res := evaluate(t, w, bonus.Params{Round: art22()})
			for no, want := range tc.want {
				if got := findLine(t, res, no, "").Reasons.Codes(); !equalStrings(got, want) {
					t.Errorf("%s: reasons %v, want %v", no, got, want)
				}
			}
		})
	}
}

// institutionWorld: university UNI licenses P1, P2, P3 to SME1 in one contract on 2022-08-01, filed.
func institutionWorld() *world {
	w := newWorld(uni("UNI"), ent("ENT"), ent("SME1"), ent("SME2"))
	w.deal("K1", market.ContractOrdinaryLicence, "UNI", "SME1", "2022-08-01", "P1", "P2", "P3")
	return w
}

func TestInstitutionRoundReasons(t *testing.T) {
	type want struct {
		contract, patent string
		status           bonus.Status
		reasons          []string
	}
	cases := []struct {
		name   string
		change func(w *world, r *bonus.Round)
		want   []want
	}{
		{"a contract over three patents counts three times", func(w *world, r *bonus.Round) {}, []want{
			{"K1", "P1", bonus.StatusEligible, nil}, {"K1", "P2", bonus.StatusEligible, nil}, {"K1", "P3", bonus.StatusEligible, nil}}},
		{"licences of any kind and transfers count", func(w *world, r *bonus.Round) {
			w.deal("K2", market.ContractOpenLicence, "UNI", "SME2", "2022-09-01", "P4")
			w.deal("K3", market.ContractExclusiveLicence, "UNI", "SME2", "2022-09-01", "P5")
			w.deal("K4", market.ContractTransfer, "UNI", "SME2", "2022-09-01", "P6")
		}, []want{{"K2", "P4", bonus.StatusEligible, nil}, {"K3", "P5", bonus.StatusEligible, nil}, {"K4", "P6", bonus.StatusEligible, nil}}},
		{"first and last day of the window", func(w *world, r *bonus.Round) {
			w.deal("K2", market.ContractOrdinaryLicence, "UNI", "SME2", "2022-07-01", "P4")
			w.deal("K3", market.ContractOrdinaryLicence, "UNI", "SME2", "2023-06-30", "P5").FiledOn = d("2023-03-01")
			w.filing("F-K3").FiledOn = d("2023-03-01")
			w.deal("K4", market.ContractOrdinaryLicence, "UNI", "SME2", "2022-06-30", "P6")
		}, []want{{"K2", "P4", bonus.StatusEligible, nil},
			{"K3", "P5", bonus.StatusIneligible, []string{"not_effective"}}, // after the as-of day; see below
			{"K4", "P6", bonus.StatusIneligible, []string{"outside_window"}}}},
		{"an enterprise is not a recipient", func(w *world, r *bonus.Round) {
			w.deal("K2", market.ContractOrdinaryLicence, "ENT", "SME2", "2022-09-01", "P4")
		}, []want{{"K2", "P4", bonus.StatusIneligible, []string{"recipient_kind"}}}},
		{"the filing lists only some patents", func(w *world, r *bonus.Round) { w.filing("F-K1").Patents = "P1;P3" }, []want{
			{"K1", "P1", bonus.StatusEligible, nil}, {"K1", "P2", bonus.StatusIneligible, []string{"not_filed"}},
			{"K1", "P3", bonus.StatusEligible, nil}}},
		{"the same patent to two SMEs counts twice", func(w *world, r *bonus.Round) {
			w.deal("K2", market.ContractOrdinaryLicence, "UNI", "SME2", "2022-09-01", "P1")
		}, []want{{"K1", "P1", bonus.StatusEligible, nil}, {"K2", "P1", bonus.StatusEligible, nil}}},
		{"the same (patent, licensee) pair counts once", func(w *world, r *bonus.Round) {
			w.deal("K0", market.ContractOrdinaryLicence, "UNI", "SME1", "2022-07-15", "P2")
		}, []want{{"K0", "P2", bonus.StatusEligible, nil}, {"K1", "P2", bonus.StatusIneligible, []string{"duplicate"}},
			{"K1", "P1", bonus.StatusEligible, nil}}},
		{"a re-transfer of a patent already counted as transferred", func(w *world, r *bonus.Round) {
			w.deal("T1", market.ContractTransfer, "UNI", "SME2", "2022-09-01", "P7")
			w.deal("T2", market.ContractTransfer, "UNI", "SME1", "2022-12-01", "P7")
		}, []want{{"T1", "P7", bonus.StatusEligible, nil}, {"T2", "P7", bonus.StatusIneligible, []string{"retransfer"}}}},
		{"a licence after a counted transfer is not a re-transfer", func(w *world, r *bonus.Round) {
			w.deal("T1", market.ContractTransfer, "UNI", "SME2", "2022-09-01", "P7")
			w.deal("T2", market.ContractOrdinaryLicence, "UNI", "SME1", "2022-12-01", "P7")
		}, []want{{"T1", "P7", bonus.StatusEligible, nil}, {"T2", "P7", bonus.StatusEligible, nil}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, r := institutionWorld(), art19()
			tc.change(w, &r)
			res := evaluate(t, w, bonus.Params{Round: r, AsOf: d("2023-04-30")})
			for _, wt := range tc.want {
				l := findLine(t, res, wt.contract, wt.patent)
				if l.Status != wt.status || !equalStrings(l.Reasons.Codes(), wt.reasons) {
					t.Errorf("%s/%s: %s %v, want %s %v", wt.contract, wt.patent, l.Status, l.Reasons.Codes(), wt.status, wt.reasons)
				}
			}
		})
	}
	// the last day of the window counts once it is known
	w := institutionWorld()
	w.deal("K3", market.ContractOrdinaryLicence, "UNI", "SME2", "2023-06-30", "P5").FiledOn = d("2023-07-10")
	w.filing("F-K3").FiledOn = d("2023-07-10")
	res := evaluate(t, w, bonus.Params{Round: art19(), AsOf: d("2023-07-31")})
	if l := findLine(t, res, "K3", "P5"); l.Status != bonus.StatusEligible || l.AmountFen != 150000 {
		t.Fatalf("last day: %s %v %d", l.Status, l.Reasons.Codes(), l.AmountFen)
	}
}
