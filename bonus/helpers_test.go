package bonus_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"testing"
	"time"

	"patentwall/bonus"
	"patentwall/market"
)

// The pure tests build inputs in memory: organisations by short USCC-like keys, contracts with the
// defaults of an eligible Art. 22 deal, and a matching CNIPA filing.

var asOf = market.MustDate("2023-03-31")

func d(s string) market.Date { return market.MustDate(s) }

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func ent(uscc string) bonus.OrgFacts {
	return bonus.OrgFacts{USCC: uscc, Name: "企业" + uscc, Kind: market.KindEnterprise, DistrictCode: "310115",
		OperatingNormally: true, GoodCredit: true, IsSME: true, FoundedOn: d("2010-01-01"),
		LegalRep: "法人" + uscc, Phone: fmt.Sprintf("021-%08d", crc32.ChecksumIEEE([]byte(uscc))%100000000), Email: uscc + "@example.cn", Address: "上海市浦东新区" + uscc + "号"}
}

func uni(uscc string) bonus.OrgFacts {
	o := ent(uscc)
	o.Kind, o.IsSME, o.Name = market.KindUniversity, false, "大学"+uscc
	return o
}

// world is a set of facts; tests mutate a fresh one per case.
type world struct {
	orgs      map[string]*bonus.OrgFacts
	orgOrder  []string
	contracts []*bonus.ContractFacts
	filings   []*market.Filing
	history   []historyEntry
}

// historyEntry is an entry of an organisation's fact history.
type historyEntry struct {
	uscc string
	f    bonus.FactEntry
}

func newWorld(orgs ...bonus.OrgFacts) *world {
	w := &world{orgs: map[string]*bonus.OrgFacts{}}
	for _, o := range orgs {
		w.addOrg(o)
	}
	return w
}

func (w *world) addOrg(o bonus.OrgFacts) *bonus.OrgFacts {
	w.orgs[o.USCC] = &o
	w.orgOrder = append(w.orgOrder, o.USCC)
	return &o
}

// deal adds a contract with a matching, effective CNIPA filing (number "F-"+no).
func (w *world) deal(no, kind, licensor, licensee, effective string, patents ...string) *bonus.ContractFacts {
	c := &bonus.ContractFacts{ContractNo: no, Kind: kind, Status: market.ContractEffective, LicensorUSCC: licensor,
		LicenseeUSCC: licensee, Patents: patents, EffectiveOn: d(effective), FilingNo: "F-" + no,
		FiledOn: d(effective).AddDate(0, 1, 0), FeeFen: 100000}
	w.contracts = append(w.contracts, c)
	w.filings = append(w.filings, &market.Filing{FilingNo: "F-" + no, FiledOn: c.FiledOn, Kind: kind,
		Patents: join(patents), LicensorUSCC: licensor, LicenseeUSCC: licensee, Status: "effective"})
	return c
}

func (w *world) filing(no string) *market.Filing {
	for _, f := range w.filings {
		if f.FilingNo == no {
			return f
		}
	}
	return nil
}

func (w *world) contract(no string) *bonus.ContractFacts {
	for _, c := range w.contracts {
		if c.ContractNo == no {
			return c
		}
	}
	return nil
}

func join(ps []string) string {
	var b bytes.Buffer
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(p)
	}
	return b.String()
}

func (w *world) inputs(t testing.TB) *bonus.Inputs {
	t.Helper()
	in := bonus.NewInputs()
	for _, u := range w.orgOrder {
		in.AddOrg(*w.orgs[u])
	}
	for _, h := range w.history {
		if err := in.AddOrgFact(h.uscc, h.f); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range w.contracts {
		if err := in.AddContract(*c); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range w.filings {
		in.AddFiling(*f)
	}
	return in
}

func art22() bonus.Round {
	return bonus.Round{ID: "art22-2022", Rule: bonus.RuleLicensorOpenLicence, WindowFrom: d("2022-01-01"),
		WindowTo: d("2022-12-31"), Basis: bonus.BasisEffective, UnitFen: 300000, CapFen: 30000000, RequiresFiling: true,
		Flags: bonus.DefaultFlags()}
}

func art19() bonus.Round {
	return bonus.Round{ID: "art19-2022", Rule: bonus.RuleInstitutionPerPatent, WindowFrom: d("2022-07-01"),
		WindowTo: d("2023-06-30"), Basis: bonus.BasisEffective, UnitFen: 150000, CapFen: 300000000, RequiresFiling: true,
		Flags: bonus.DefaultFlags()}
}

func evaluate(t testing.TB, w *world, p bonus.Params) *bonus.RunResult {
	t.Helper()
	if p.AsOf.IsZero() {
		p.AsOf = asOf
	}
	res, err := bonus.Evaluate(w.inputs(t), p)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	return res
}

// checkInvariants holds for every run: held and ineligible lines pay nothing, an ineligible line is
// never also flagged as held, totals add up, and the total never exceeds the cap.
func checkInvariants(t testing.TB, res *bonus.RunResult) {
	t.Helper()
	var total int64
	for _, l := range res.Lines {
		switch l.Status {
		case bonus.StatusEligible:
			if l.Reasons != 0 {
				t.Errorf("%s/%s eligible with reasons %v", l.ContractNo, l.Patent, l.Reasons.Codes())
			}
			total += l.AmountFen
		case bonus.StatusHeld:
			if l.AmountFen != 0 || l.Reasons != 0 || l.Flags == 0 {
				t.Errorf("%s/%s held with amount %d reasons %v flags %v", l.ContractNo, l.Patent, l.AmountFen, l.Reasons.Codes(), l.Flags.Codes())
			}
		case bonus.StatusIneligible:
			if l.AmountFen != 0 {
				t.Errorf("%s/%s ineligible with amount %d", l.ContractNo, l.Patent, l.AmountFen)
			}
			if l.Reasons != 0 && l.Flags != 0 {
				t.Errorf("%s/%s ineligible for %v but flagged %v", l.ContractNo, l.Patent, l.Reasons.Codes(), l.Flags.Codes())
			}
		}
	}
	if total != res.TotalFen {
		t.Errorf("lines pay %d, total_fen %d", total, res.TotalFen)
	}
	if res.TotalFen > res.CapFen {
		t.Errorf("total %d above cap %d", res.TotalFen, res.CapFen)
	}
	var byRecipients int64
	for _, r := range res.Recipients {
		byRecipients += r.AmountFen
	}
	if byRecipients != res.TotalFen {
		t.Errorf("recipients get %d, total_fen %d", byRecipients, res.TotalFen)
	}
	if res.Scaled != (res.TotalFen < res.EligibleFen) {
		t.Errorf("scaled %v with total %d eligible %d", res.Scaled, res.TotalFen, res.EligibleFen)
	}
}

func findLine(t testing.TB, res *bonus.RunResult, contractNo, patent string) bonus.Line {
	t.Helper()
	for _, l := range res.Lines {
		if l.ContractNo == contractNo && l.Patent == patent {
			return l
		}
	}
	t.Fatalf("no line %s/%s", contractNo, patent)
	return bonus.Line{}
}

func jsonOf(t testing.TB, res *bonus.RunResult) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := res.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b.Bytes()) {
		t.Fatalf("invalid JSON: %s", b.String())
	}
	return b.Bytes()
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
