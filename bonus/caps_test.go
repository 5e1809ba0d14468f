package bonus_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"patentwall/bonus"
	"patentwall/market"
)

// capWorld has one eligible open-licence contract per entry of perRecipient: recipient R<i> gets
// perRecipient[i] contracts, each to its own SME licensee and patent.
func capWorld(perRecipient ...int) *world {
	w := newWorld()
	n := 0
	for i, k := range perRecipient {
		lic := fmt.Sprintf("R%d", i)
		o := w.addOrg(ent(lic))
		o.IsSME = false
		for j := 0; j < k; j++ {
			n++
			lee := fmt.Sprintf("S%04d", n)
			w.addOrg(ent(lee))
			w.deal(fmt.Sprintf("C%04d", n), market.ContractOpenLicence, lic, lee, "2022-06-01", fmt.Sprintf("P%04d", n))
		}
	}
	return w
}

func amounts(res *bonus.RunResult) map[string]int64 {
	out := map[string]int64{}
	for _, r := range res.Recipients {
		out[r.USCC] = r.AmountFen
	}
	return out
}

func TestCaps(t *testing.T) {
	cases := []struct {
		name         string
		perRecipient []int
		unit, cap    int64
		recipientCap int64 // 0 = none
		want         map[string]int64
		scaled       bool
	}{
		// 3 × 50 = 150 fen over a cap of 100: 33⅓ each; the one fen left goes to the first recipient.
		{"three recipients share 100 fen", []int{1, 1, 1}, 50, 100, 0, map[string]int64{"R0": 34, "R1": 33, "R2": 33}, true},
		{"under the cap nothing is scaled", []int{1, 2}, 300000, 30000000, 0, map[string]int64{"R0": 300000, "R1": 600000}, false},
		{"exactly the cap", []int{2, 1}, 100, 300, 0, map[string]int64{"R0": 200, "R1": 100}, false},
		// 7 lines of 3000 yuan = 21000 yuan over a cap of 10000 yuan: each line 142857.14 fen → 142857 with
		// equal remainders; 7 × 142857 = 999999, the one fen left goes to the first line (R0's).
		{"pro rata with largest remainders", []int{3, 4}, 300000, 1000000, 0, map[string]int64{"R0": 428572, "R1": 571428}, true},
		// R0: 2 lines of 100, R1: 1 line of 100, cap 200: 66.67 each → 66, remainders equal; 2 fen left go
		// to R0's two lines (R0 sorts first).
		{"ties go by recipient", []int{2, 1}, 100, 200, 0, map[string]int64{"R0": 134, "R1": 66}, true},
		// R0's 4 lines (12000 yuan) are cut to its cap of 5000 yuan first; R1 keeps 3000 yuan.
		{"per-recipient cap", []int{4, 1}, 300000, 30000000, 500000, map[string]int64{"R0": 500000, "R1": 300000}, true},
		// per-recipient cap 500000 for R0, then 800000 scaled to the cap 400000: R0 250000, R1 150000.
		{"per-recipient cap then the total cap", []int{4, 1}, 300000, 400000, 500000, map[string]int64{"R0": 250000, "R1": 150000}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := art22()
			r.UnitFen, r.CapFen = tc.unit, tc.cap
			if tc.recipientCap > 0 {
				r.RecipientCapFen = &tc.recipientCap
			}
			res := evaluate(t, capWorld(tc.perRecipient...), bonus.Params{Round: r})
			got := amounts(res)
			for u, want := range tc.want {
				if got[u] != want {
					t.Errorf("%s gets %d, want %d (all: %v)", u, got[u], want, got)
				}
			}
			if res.Scaled != tc.scaled {
				t.Errorf("scaled %v, want %v", res.Scaled, tc.scaled)
			}
			var lines int
			for _, n := range tc.perRecipient {
				lines += n
			}
			if res.EligibleFen != int64(lines)*tc.unit {
				t.Errorf("eligible_fen %d, want %d", res.EligibleFen, int64(lines)*tc.unit)
			}
		})
	}
}

// TestCapsSumExactly: for random rounds the paid total is exactly min(cap, eligible), every line is
// within one fen of its exact pro-rata share, and no line gets more than the unit.
func TestCapsSumExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		per := make([]int, 1+rng.IntN(6))
		lines := 0
		for k := range per {
			per[k] = 1 + rng.IntN(5)
			lines += per[k]
		}
		r := art22()
		r.UnitFen = 1 + rng.Int64N(300000)
		r.CapFen = 1 + rng.Int64N(int64(lines)*r.UnitFen*3/2)
		res := evaluate(t, capWorld(per...), bonus.Params{Round: r})
		eligible := int64(lines) * r.UnitFen
		want := min(r.CapFen, eligible)
		if res.TotalFen != want {
			t.Fatalf("case %d: total %d, want %d", i, res.TotalFen, want)
		}
		for _, l := range res.Lines {
			// exact share = unit × want / eligible; the line gets its floor or floor+1
			floor := r.UnitFen * want / eligible
			if l.AmountFen != floor && l.AmountFen != floor+1 || l.AmountFen > r.UnitFen {
				t.Fatalf("case %d: line %s gets %d, share floor %d unit %d", i, l.ContractNo, l.AmountFen, floor, r.UnitFen)
			}
		}
	}
}

// TestDeterminism: the same facts, added in any order, give byte-identical JSON.
func TestDeterminism(t *testing.T) {
	build := func(shuffle bool) []byte {
		w := capWorld(3, 4, 2)
		w.deal("X1", market.ContractOpenLicence, "R0", "S0001", "2022-01-01", "P0001") // a duplicate
		w.orgs["S0002"].LegalRep = w.orgs["R0"].LegalRep                               // a held line
		if shuffle {
			rng := rand.New(rand.NewPCG(7, 7))
			rng.Shuffle(len(w.contracts), func(i, j int) { w.contracts[i], w.contracts[j] = w.contracts[j], w.contracts[i] })
			rng.Shuffle(len(w.orgOrder), func(i, j int) { w.orgOrder[i], w.orgOrder[j] = w.orgOrder[j], w.orgOrder[i] })
			rng.Shuffle(len(w.filings), func(i, j int) { w.filings[i], w.filings[j] = w.filings[j], w.filings[i] })
		}
		r := art22()
		r.CapFen = 1000001
		return jsonOf(t, evaluate(t, w, bonus.Params{Round: r}))
	}
	a, b, c := build(false), build(false), build(true)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs over the same inputs differ")
	}
	if !bytes.Equal(a, c) {
		t.Fatalf("the order facts were added in changed the run:\n%s\n%s", a, c)
	}
}

func TestInputHash(t *testing.T) {
	base := func() (*world, bonus.Params) { return licensorWorld(), bonus.Params{Round: art22()} }
	w, p := base()
	h0 := evaluate(t, w, p).InputHash
	if len(h0) != 64 {
		t.Fatalf("hash %q is not hex SHA-256", h0)
	}
	changes := map[string]func(w *world, p *bonus.Params){
		"a contract's fee":       func(w *world, p *bonus.Params) { w.contract("C1").FeeFen++ },
		"an organisation's fact": func(w *world, p *bonus.Params) { w.orgs["SME1"].GoodCredit = false },
		"a filing's status":      func(w *world, p *bonus.Params) { w.filing("F-C1").Status = "cancelled" },
		"the as-of day":          func(w *world, p *bonus.Params) { p.AsOf = d("2023-04-01") },
		"the round's cap":        func(w *world, p *bonus.Params) { p.Round.CapFen++ },
		"a flag setting":         func(w *world, p *bonus.Params) { p.Round.Flags.BurstDays++ },
		"a review decision":      func(w *world, p *bonus.Params) { p.Decisions = []bonus.Decision{{ContractNo: "C1", Approved: true}} },
		"another round":          func(w *world, p *bonus.Params) { p.Others = []bonus.Round{art19()} },
		"a disqualification":     func(w *world, p *bonus.Params) { p.Disqualified = []bonus.Disqualification{{USCC: "LIC"}} },
		"a recovery":             func(w *world, p *bonus.Params) { p.Recoveries = []bonus.Recovery{{ContractNo: "C1", AmountFen: 1}} },
		"an organisation's history": func(w *world, p *bonus.Params) {
			w.history = append(w.history, historyEntry{"SME1", bonus.FactEntry{Fact: market.FactSME, Value: "false", ValidFrom: d("2022-01-01"), Confirmed: true}})
		},
		"a name":                  func(w *world, p *bonus.Params) { w.orgs["LIC"].Name += "有限公司" },
		"a patent of a contract":  func(w *world, p *bonus.Params) { w.contract("C1").Patents = []string{"P2"} },
		"strings that run on (1)": func(w *world, p *bonus.Params) { w.orgs["LIC"].LegalRep, w.orgs["LIC"].Phone = "AB", "C" },
	}
	seen := map[string]string{h0: "base"}
	for name, change := range changes {
		w, p := base()
		change(w, &p)
		h := evaluate(t, w, p).InputHash
		if prev, dup := seen[h]; dup {
			t.Errorf("changing %s gives the same hash as %s", name, prev)
		}
		seen[h] = name
	}
	// the frozen runs compared with are no facts (issue: the same facts give the same hash)
	w, p = base()
	p.Frozen = []bonus.Baseline{{N: 1, InputHash: "x"}}
	if h := evaluate(t, w, p).InputHash; h != h0 {
		t.Errorf("a frozen baseline changed the hash")
	}
	w, p = base()
	w.orgs["LIC"].LegalRep, w.orgs["LIC"].Phone = "A", "BC"
	if prev, dup := seen[evaluate(t, w, p).InputHash]; dup {
		t.Errorf("moving a character across a field boundary gives the hash of %s", prev)
	}
}
