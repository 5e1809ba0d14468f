package bonus_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"patentwall/bonus"
	"patentwall/market"
	"patentwall/market/imports"
	"patentwall/market/markettest"
)

// The bonus rules' second pass (docs/rules.md §9): one scenario per decision settled after the first
// build, each imported from CSV on both databases and worked by hand in fen. Art. 22 pays 300000 fen
// (3000 yuan) per open-licence contract, Art. 19 150000 fen (1500 yuan) per patent; no cap is reached.

// spWorld is the scenarios' common world: organisations and patents imported as staff would, a clock the
// scenarios move, and a bureau user.
type spWorld struct {
	t      *testing.T
	s      *market.Store
	n      map[string]string
	mu     sync.Mutex
	now    time.Time
	bureau market.Actor
}

func newSPWorld(t *testing.T, s *market.Store) *spWorld {
	w := &spWorld{t: t, s: s, n: map[string]string{}, now: time.Date(2023, 3, 1, 2, 0, 0, 0, time.UTC)}
	s.Now = func() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }
	for i, k := range []string{"E1", "E2", "S1", "S2", "S3", "S5", "R1"} {
		w.n[k] = uscc(t, "91310000", 300+i)
	}
	for i, k := range []string{"U1", "H1"} {
		w.n[k] = uscc(t, "12310000", 400+i)
	}
	for i := 1; i <= 9; i++ {
		w.n[fmt.Sprintf("PA%d", i)] = appNo(t, 3000+i)
	}
	for i, k := range []string{"PB1", "PU1", "PU2"} {
		w.n[k] = appNo(t, 3100+i)
	}
	w.importCSV("orgs", `
uscc,name,kind,district,address,legal_rep,phone,email,founded_on,is_sme,operating_normally,good_credit
{E1},许可企业一,enterprise,浦东新区,张江路1号,甲一,021-61000001,e1@example.cn,2005-01-01,否,1,1
{E2},许可企业二,enterprise,徐汇区,漕溪路2号,甲二,021-61000002,e2@example.cn,2008-01-01,否,1,1
{S1},中小企业一,enterprise,闵行区,莘庄路4号,乙一,021-62000001,s1@example.cn,2015-01-01,是,1,1
{S2},中小企业二,enterprise,杨浦区,国定路5号,乙二,021-62000002,s2@example.cn,2016-01-01,是,1,1
{S3},新成立企业,enterprise,嘉定区,安亭路6号,乙三,021-62000003,s3@example.cn,2021-12-01,是,1,1
{S5},中小企业五,enterprise,静安区,南京西路7号,乙五,021-62000005,s5@example.cn,2010-01-01,是,1,1
{U1},某大学,university,杨浦区,邯郸路9号,丁一,021-64000001,u1@example.cn,1950-01-01,否,1,1
{H1},某医院,hospital,徐汇区,宛平路10号,丁二,021-64000002,h1@example.cn,1960-01-01,是,1,1
`)
	var pat strings.Builder
	pat.WriteString("application_no,title,patentee_uscc,filing_date,grant_date,status\n")
	for _, p := range []struct{ no, holder string }{{"PA1", "E1"}, {"PA2", "E1"}, {"PA3", "E1"}, {"PA4", "E1"}, {"PA5", "E1"},
		{"PA6", "E1"}, {"PA7", "E1"}, {"PA8", "E1"}, {"PA9", "E1"}, {"PB1", "E2"}, {"PU1", "U1"}, {"PU2", "U1"}} {
		fmt.Fprintf(&pat, "%s,专利%s,%s,2020-03-01,2021-09-01,granted\n", w.n[p.no], p.no, w.n[p.holder])
	}
	w.importCSV("patents", pat.String())
	u, err := s.CreateStaffUser(ctx, market.StaffInput{Email: "reviewer@bureau.example.cn", Password: "a long bureau password", Role: market.RoleBureau})
	if err != nil {
		t.Fatal(err)
	}
	w.bureau = market.Actor{UserID: u.ID, Role: market.RoleBureau}
	return w
}

func (w *spWorld) at(day string) {
	w.mu.Lock()
	w.now = d(day).Start().Add(10 * time.Hour)
	w.mu.Unlock()
}

func (w *spWorld) importCSV(kind, text string) imports.Report {
	w.t.Helper()
	return importCSV(w.t, w.s, kind, csvText(w.n, text))
}

// importErr imports a file that must fail, and returns its line errors.
func (w *spWorld) importErr(kind, text string) []imports.LineError {
	w.t.Helper()
	tab, err := imports.Read(strings.NewReader(csvText(w.n, text)), "csv")
	if err != nil {
		w.t.Fatal(err)
	}
	var rep imports.Report
	switch kind {
	case "contracts":
		rep, err = imports.ImportContracts(ctx, w.s, tab, imports.Options{})
	case "orgs":
		rep, err = imports.ImportOrgs(ctx, w.s, tab, imports.Options{})
	}
	if !errors.Is(err, imports.ErrInvalidRows) {
		w.t.Fatalf("import %s: %v, want invalid rows", kind, err)
	}
	return rep.Errors
}

const contractsHeader = "contract_no,kind,patents,licensor_uscc,licensee_uscc,signed_on,effective_on,fee_yuan,filing_no,filed_on,status,ended_on\n"
const filingsHeader = "filing_no,filed_on,kind,patents,licensor_uscc,licensee_uscc,status,cancelled_on\n"

func (w *spWorld) run(round, asOf string) *bonus.RunResult {
	w.t.Helper()
	res, err := bonus.Run(ctx, w.s, round, d(asOf))
	if err != nil {
		w.t.Fatal(err)
	}
	checkInvariants(w.t, res)
	return res
}

func (w *spWorld) compute(round, asOf string, freeze bool) *bonus.RunResult {
	w.t.Helper()
	_, res, err := bonus.Compute(ctx, w.s, w.bureau, round, d(asOf), freeze)
	if err != nil {
		w.t.Fatal(err)
	}
	checkInvariants(w.t, res)
	return res
}

// want checks lines (contract, or contract/patent key) and the recipients' totals in fen.
func (w *spWorld) want(what string, res *bonus.RunResult, lines map[string]string, recipients map[string]int64) {
	w.t.Helper()
	for k, want := range lines {
		no, p, _ := strings.Cut(k, "/")
		if p != "" {
			p = w.n[p]
		}
		l := findLine(w.t, res, no, p)
		got := lineOutcome(l)
		if l.Status == bonus.StatusEligible {
			got = fmt.Sprintf("eligible %d", l.AmountFen)
		}
		if got != want {
			w.t.Errorf("%s: %s: %s, want %s", what, k, got, want)
		}
	}
	got := map[string]int64{}
	for _, rc := range res.Recipients {
		got[rc.USCC] = rc.AmountFen
	}
	for k, fen := range recipients {
		if got[w.n[k]] != fen {
			w.t.Errorf("%s: %s gets %d fen, want %d", what, k, got[w.n[k]], fen)
		}
		delete(got, w.n[k])
	}
	for u, fen := range got {
		w.t.Errorf("%s: unexpected recipient %s gets %d fen", what, u, fen)
	}
}

// clawbacks renders a run's clawbacks as "contract:reason:amount:recovered".
func clawbackList(res *bonus.RunResult) string {
	var out []string
	for _, c := range res.Clawbacks {
		out = append(out, fmt.Sprintf("%s:%s:%d:%d", c.ContractNo, c.Reason, c.AmountFen, c.RecoveredFen))
	}
	return strings.Join(out, " ")
}

// Item 1: organisation facts are judged on the deal's effective day as known on the as-of day, and a
// self-declared SME status that staff have not confirmed does not count.
func TestSecondPassFactsAtTheDealDay(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newSPWorld(t, s)
		w.importCSV("contracts", contractsHeader+`
A1,open_licence,{PA1},{E1},{S1},2022-03-01,2022-03-10,0,FA1,2022-04-01,effective,
`)
		w.importCSV("filings", filingsHeader+`
FA1,2022-04-01,open_licence,{PA1},{E1},{S1},effective,
`)
		// A1 E1→S1, effective 2022-03-10: eligible 300000; E1 gets 300000.
		w.want("first", w.run("art22-2022", "2023-03-31"), map[string]string{"A1": "eligible 300000"}, map[string]int64{"E1": 300000})

		// 2023-06-01: S1 is re-imported as no longer an SME. The change is in force from the import day,
		// so A1 (2022) stays eligible: 300000 to E1. (Before: licensee_not_sme, 0.)
		w.at("2023-06-01")
		w.importCSV("orgs", "uscc,name,kind,is_sme\n{S1},中小企业一,enterprise,否\n")
		w.want("after the re-import", w.run("art22-2022", "2023-06-30"), map[string]string{"A1": "eligible 300000"}, map[string]int64{"E1": 300000})

		// 2023-07-01: a correction learned that day dates the change back to 2022-01-01. As known on
		// 2023-06-30 A1 is still eligible (300000); as of 2023-07-31 S1 was no SME on 2022-03-10:
		// licensee_not_sme, E1 gets nothing.
		w.at("2023-07-01")
		w.importCSV("orgs", "uscc,name,kind,is_sme,facts_from\n{S1},中小企业一,enterprise,否,2022-01-01\n")
		w.want("as known before the correction", w.run("art22-2022", "2023-06-30"), map[string]string{"A1": "eligible 300000"}, map[string]int64{"E1": 300000})
		w.want("after the correction", w.run("art22-2022", "2023-07-31"), map[string]string{"A1": "licensee_not_sme"}, nil)

		// A registered enterprise declares SME figures (self-declared, not confirmed): A2 E1→R1 is
		// licensee_not_sme (before: eligible 300000). Once the bureau confirms the status (in force from
		// the start), A2 is eligible: 300000 to E1.
		_, _, err := s.Register(ctx, market.RegisterInput{
			Org: market.OrgRecord{USCC: w.n["R1"], Name: "注册中小企业", Kind: market.KindEnterprise, District: "310110",
				Address: "国权路11号", LegalRep: "戊一", FoundedOn: "2012-01-01"},
			SME:  market.SMEFigures{Industry: market.SMEIndustries()[0].Industry, Employees: "20", RevenueYuan: "1000000", AssetsYuan: "1000000", Year: "2022"},
			User: market.UserInput{Name: "戊一", Email: "r1@example.cn", Password: "a long enough password"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyOrg(ctx, w.bureau, w.n["R1"]); err != nil {
			t.Fatal(err)
		}
		w.importCSV("contracts", contractsHeader+`
A2,open_licence,{PA2},{E1},{R1},2022-04-20,2022-05-01,0,FA2,2022-06-01,effective,
`)
		w.importCSV("filings", filingsHeader+`
FA2,2022-06-01,open_licence,{PA2},{E1},{R1},effective,
`)
		w.want("self-declared", w.run("art22-2022", "2023-07-31"), map[string]string{"A2": "licensee_not_sme"}, nil)
		if _, err := s.ConfirmSME(ctx, w.bureau, w.n["R1"], true, "核对了声明函与财务报表", market.SMEDays{}); err != nil {
			t.Fatal(err)
		}
		w.want("confirmed", w.run("art22-2022", "2023-07-31"), map[string]string{"A2": "eligible 300000"}, map[string]int64{"E1": 300000})

		// Bad input: SME decisions with overlapping days are refused, naming the field, and change
		// nothing; restating a decision's own days corrects it.
		org, err := s.OrgByUSCC(ctx, w.n["R1"])
		if err != nil {
			t.Fatal(err)
		}
		before, err := s.OrgFactHistory(ctx, w.bureau, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.ConfirmSME(ctx, w.bureau, w.n["R1"], false, "2023 年起营业收入超标", market.SMEDays{From: d("2023-01-01"), To: d("2023-12-31")})
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []struct {
			days  market.SMEDays
			field string
		}{{market.SMEDays{From: d("2023-06-01")}, "valid_from"}, {market.SMEDays{From: d("2022-06-01"), To: d("2023-01-01")}, "valid_from"},
			{market.SMEDays{From: d("2024-02-01"), To: d("2024-01-01")}, "valid_to"}} {
			_, err = s.ConfirmSME(ctx, w.bureau, w.n["R1"], false, "重叠", bad.days)
			if es := market.AsFieldErrors(err); len(es) != 1 || es[0].Field != bad.field || es[0].MessageZH == "" || es[0].MessageEN == "" {
				t.Errorf("days %v: %v, want an error naming %s", bad.days, err, bad.field)
			}
		}
		after, err := s.OrgFactHistory(ctx, w.bureau, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before)+1 {
			t.Errorf("history: %d entries before, %d after one decision and three refusals", len(before), len(after))
		}
		if _, err := s.ConfirmSME(ctx, w.bureau, w.n["R1"], true, "更正：仍为中小企业", market.SMEDays{From: d("2023-01-01"), To: d("2023-12-31")}); err != nil {
			t.Errorf("restating a decision's days: %v", err)
		}
	})
}

// Item 2: the licensee must be an enterprise; a hospital marked is_sme is no SME.
func TestSecondPassLicenseeMustBeAnEnterprise(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newSPWorld(t, s)
		w.importCSV("contracts", contractsHeader+`
A3,open_licence,{PA3},{E1},{H1},2022-05-20,2022-06-01,0,FA3,2022-07-01,effective,
A4,open_licence,{PA4},{E1},{S2},2022-05-20,2022-06-01,0,FA4,2022-07-01,effective,
`)
		w.importCSV("filings", filingsHeader+`
FA3,2022-07-01,open_licence,{PA3},{E1},{H1},effective,
FA4,2022-07-01,open_licence,{PA4},{E1},{S2},effective,
`)
		// A3 E1→H1 (a hospital marked is_sme): licensee_not_sme (before: eligible 300000).
		// A4 E1→S2: eligible 300000. E1 gets 300000.
		w.want("art22", w.run("art22-2022", "2023-03-31"), map[string]string{"A3": "licensee_not_sme", "A4": "eligible 300000"},
			map[string]int64{"E1": 300000})
	})
}

// Item 3: a rejected line frees its slot: the next deal of the same (patent, licensee) pair counts.
func TestSecondPassRejectedLineFreesItsSlot(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newSPWorld(t, s)
		w.importCSV("contracts", contractsHeader+`
A5,open_licence,{PA5},{E1},{S3},2022-03-01,2022-03-10,5000,FA5,2022-04-01,effective,
A6,open_licence,{PA5},{E1},{S3},2022-07-20,2022-08-01,5000,FA6,2022-09-01,effective,
B1,ordinary_licence,{PU1},{U1},{S3},2022-06-20,2022-07-01,5000,FB1,2022-08-01,effective,
B2,ordinary_licence,{PU1},{U1},{S3},2022-11-20,2022-12-01,5000,FB2,2023-01-01,effective,
`)
		w.importCSV("filings", filingsHeader+`
FA5,2022-04-01,open_licence,{PA5},{E1},{S3},effective,
FA6,2022-09-01,open_licence,{PA5},{E1},{S3},effective,
FB1,2022-08-01,ordinary_licence,{PU1},{U1},{S3},effective,
FB2,2023-01-01,ordinary_licence,{PU1},{U1},{S3},effective,
`)
		// S3 was founded 2021-12-01. Art. 22: A5 (2022-03-10, 99 days later) is held new_licensee and
		// keeps the (PA5, S3) slot, so A6 (2022-08-01, 243 days: no flag) is a duplicate. Nothing paid.
		// Art. 19: B1 (2022-07-01, 212 days) eligible 150000, B2 duplicate; U1 gets 150000.
		w.compute("art22-2022", "2023-03-31", false)
		w.want("art22 held", w.run("art22-2022", "2023-03-31"), map[string]string{"A5": "held:new_licensee", "A6": "duplicate"}, nil)
		w.want("art19", w.compute("art19-2022", "2023-07-31", false),
			map[string]string{"B1/PU1": "eligible 150000", "B2/PU1": "duplicate"}, map[string]int64{"U1": 150000})

		// The reviewer rejects A5: the slot is free, A6 counts: 300000 to E1 (before: A6 stayed a
		// duplicate and could not be reviewed: not_flagged).
		if _, err := bonus.Review(ctx, s, w.bureau, "art22-2022", "A5", "", false, "新设企业无实际经营"); err != nil {
			t.Fatal(err)
		}
		w.want("art22 after the rejection", w.run("art22-2022", "2023-03-31"), map[string]string{"A5": "", "A6": "eligible 300000"},
			map[string]int64{"E1": 300000})
		// Art. 19: the reviewer rejects B1, a paid line without flags (a fake deal): B2 takes the slot,
		// 150000 to U1.
		if _, err := bonus.Review(ctx, s, w.bureau, "art19-2022", "B1", w.n["PU1"], false, "合同系伪造"); err != nil {
			t.Fatal(err)
		}
		w.want("art19 after the rejection", w.run("art19-2022", "2023-07-31"), map[string]string{"B1/PU1": "", "B2/PU1": "eligible 150000"},
			map[string]int64{"U1": 150000})
	})
}

// Item 3, re-transfers (pure core): a rejected transfer does not make the next transfer of the patent
// a re-transfer.
func TestSecondPassRejectedTransferFreesTheRetransfer(t *testing.T) {
	w := newWorld(uni("UNI"), ent("SME1"), ent("SME2"))
	w.deal("T1", market.ContractTransfer, "UNI", "SME1", "2022-08-01", "P1")
	w.deal("T2", market.ContractTransfer, "UNI", "SME2", "2022-10-01", "P1")
	// T1 eligible 150000, T2 retransfer.
	res := evaluate(t, w, bonus.Params{Round: art19(), AsOf: d("2023-07-31")})
	if got := lineOutcome(findLine(t, res, "T2", "P1")); got != "retransfer" || res.TotalFen != 150000 {
		t.Fatalf("T2 %s, total %d", got, res.TotalFen)
	}
	// T1 rejected: T2 eligible 150000 (before: still a retransfer).
	res = evaluate(t, w, bonus.Params{Round: art19(), AsOf: d("2023-07-31"),
		Decisions: []bonus.Decision{{ContractNo: "T1", Patent: "P1", Approved: false, Note: "虚假"}}})
	if t1, t2 := findLine(t, res, "T1", "P1"), findLine(t, res, "T2", "P1"); t1.Review != bonus.VerdictRejected ||
		t2.Status != bonus.StatusEligible || t2.AmountFen != 150000 || res.TotalFen != 150000 {
		t.Fatalf("T1 %+v T2 %+v total %d", t1, t2, res.TotalFen)
	}
}

// Items 4 and 5: terminations, imported end dates, and cumulative clawbacks until recovered.
func TestSecondPassTerminationsAndCumulativeClawbacks(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newSPWorld(t, s)
		contracts := contractsHeader + `
A1,open_licence,{PA1},{E1},{S1},2022-03-01,2022-03-10,0,FA1,2022-04-01,effective,
A2,open_licence,{PA2},{E1},{S2},2022-04-01,2022-04-10,0,FA2,2022-05-01,effective,
A7,open_licence,{PA7},{E1},{S5},2022-08-01,2022-08-10,0,FA7,2022-09-01,terminated,2023-02-01
`
		w.importCSV("contracts", contracts)
		filings := filingsHeader + `
FA1,2022-04-01,open_licence,{PA1},{E1},{S1},effective,
FA2,2022-05-01,open_licence,{PA2},{E1},{S2},effective,
FA7,2022-09-01,open_licence,{PA7},{E1},{S5},effective,
`
		w.importCSV("filings", filings)

		// Bad input: an end before the effective day, or an end on an effective contract, is refused
		// naming ended_on, and nothing is imported.
		errs := w.importErr("contracts", contractsHeader+`
A8,open_licence,{PA8},{E1},{S1},2022-03-01,2022-03-10,0,,,terminated,2022-03-09
A9,open_licence,{PA9},{E1},{S1},2022-03-01,2022-03-10,0,,,effective,2022-05-01
`)
		if len(errs) != 2 || errs[0].Column != "ended_on" || errs[1].Column != "ended_on" {
			t.Fatalf("bad ended_on: %+v", errs)
		}
		if res := w.run("art22-2022", "2023-03-31"); len(res.Lines) != 3 {
			t.Fatalf("a refused import changed the contracts: %d lines", len(res.Lines))
		}

		// Run 1 as of 2023-01-31, frozen: A1, A2 eligible; A7, imported as terminated on 2023-02-01,
		// counts as effective before that day (before: not_effective at every as-of day). 900000 to E1.
		w.at("2023-02-05")
		w.want("run 1", w.compute("art22-2022", "2023-01-31", true),
			map[string]string{"A1": "eligible 300000", "A2": "eligible 300000", "A7": "eligible 300000"}, map[string]int64{"E1": 900000})

		// As of 2023-03-31 A7 has ended: not_effective, and the 300000 run 1 paid are clawed back
		// (contract_terminated). A1, A2 still pay 600000.
		w.at("2023-04-01")
		res := w.run("art22-2022", "2023-03-31")
		w.want("after A7's end", res, map[string]string{"A7": "not_effective"}, map[string]int64{"E1": 600000})
		if got := clawbackList(res); got != "A7:contract_terminated:300000:0" {
			t.Errorf("clawbacks %s", got)
		}

		// 2023-05-15: a newer file terminates A1 as of 2023-05-10 and CNIPA's list cancels FA2 on
		// 2023-05-12. As of 2023-05-09 A1 is still effective (its end date, not the import day, counts);
		// as of 2023-05-31 run 2 (frozen) pays nothing more and claws back A1 (contract_terminated),
		// A2 (filing_cancelled) and A7: 900000 owed in all.
		w.at("2023-05-15")
		w.importCSV("contracts", strings.Replace(contracts, "FA1,2022-04-01,effective,", "FA1,2022-04-01,terminated,2023-05-10", 1))
		w.importCSV("filings", strings.Replace(filings, "FA2,2022-05-01,open_licence,{PA2},{E1},{S2},effective,",
			"FA2,2022-05-01,open_licence,{PA2},{E1},{S2},cancelled,2023-05-12", 1))
		w.want("before A1's end", w.run("art22-2022", "2023-05-09"), map[string]string{"A1": "eligible 300000"}, map[string]int64{"E1": 600000})
		w.at("2023-06-01")
		res = w.compute("art22-2022", "2023-05-31", true)
		w.want("run 2", res, map[string]string{"A1": "not_effective", "A2": "filing_cancelled", "A7": "not_effective"}, nil)
		want := "A1:contract_terminated:300000:0 A2:filing_cancelled:300000:0 A7:contract_terminated:300000:0"
		if got := clawbackList(res); got != want {
			t.Errorf("run 2 clawbacks %s, want %s", got, want)
		}

		// Run 3: run 2 paid nothing, yet the clawbacks stay owed (before: they vanished once run 2 was
		// frozen). The same facts give run 2's input hash; the baselines are shown apart: runs 1 and 2.
		res3 := w.compute("art22-2022", "2023-05-31", false)
		if got := clawbackList(res3); got != want {
			t.Errorf("run 3 clawbacks %s, want %s", got, want)
		}
		if res3.InputHash != res.InputHash || fmt.Sprint(res3.Baselines) != "[1 2]" {
			t.Errorf("run 3 hash %s baselines %v, run 2 hash %s", res3.InputHash, res3.Baselines, res.InputHash)
		}

		// E1 repays 100000 on A1 (then more than the 200000 still owed is refused, naming the amount,
		// and nothing is recorded), then the remaining 200000.
		rec := func(amount int64, ref string) error {
			_, err := bonus.RecordRecovery(ctx, s, w.bureau, "art22-2022", bonus.RecoveryInput{ContractNo: "A1", AmountFen: amount,
				RecoveredOn: d("2023-06-01"), Reference: ref})
			return err
		}
		if err := rec(100000, "回单 0001"); err != nil {
			t.Fatal(err)
		}
		if es := market.AsFieldErrors(rec(200001, "回单 0002")); len(es) != 1 || es[0].Field != "amount_yuan" || es[0].Code != "above_owed" {
			t.Fatalf("recovering more than owed: %v", es)
		}
		if rv, _ := bonus.Recoveries(ctx, s, "art22-2022"); len(rv) != 1 {
			t.Fatalf("recoveries after a refusal: %+v", rv)
		}
		if err := rec(200000, "回单 0003"); err != nil {
			t.Fatal(err)
		}
		// Run 4 (frozen) lists A1 as recovered in full (300000 of 300000); run 5 no longer lists it,
		// A2 and A7 stay owed: 600000.
		res4 := w.compute("art22-2022", "2023-06-30", true)
		if got := clawbackList(res4); got != "A1:contract_terminated:300000:300000 A2:filing_cancelled:300000:0 A7:contract_terminated:300000:0" {
			t.Errorf("run 4 clawbacks %s", got)
		}
		res5 := w.run("art22-2022", "2023-06-30")
		if got := clawbackList(res5); got != "A2:filing_cancelled:300000:0 A7:contract_terminated:300000:0" {
			t.Errorf("run 5 clawbacks %s", got)
		}
	})
}

// Item 6: Art. 26 in full: rejecting a paid line without flags, and disqualifying a recipient.
func TestSecondPassRejectPaidLineAndDisqualify(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newSPWorld(t, s)
		w.importCSV("contracts", contractsHeader+`
A1,open_licence,{PA1},{E1},{S1},2022-03-01,2022-03-10,0,FA1,2022-04-01,effective,
A2,open_licence,{PA2},{E1},{S2},2022-04-01,2022-04-10,0,FA2,2022-05-01,effective,
C1,open_licence,{PB1},{E2},{S1},2022-04-01,2022-04-10,0,FC1,2022-05-01,effective,
`)
		w.importCSV("filings", filingsHeader+`
FA1,2022-04-01,open_licence,{PA1},{E1},{S1},effective,
FA2,2022-05-01,open_licence,{PA2},{E1},{S2},effective,
FC1,2022-05-01,open_licence,{PB1},{E2},{S1},effective,
`)
		// Run 1, frozen: A1, A2 to E1 (600000), C1 to E2 (300000).
		w.compute("art22-2022", "2023-03-31", true)

		// A2 carries no flag; the reviewer finds it fake and rejects it (before: not_flagged). Run 2:
		// A2 ineligible (review rejected), its 300000 clawed back (rejected); E1 gets 300000 for A1.
		if _, err := bonus.Review(ctx, s, w.bureau, "art22-2022", "A2", "", false, "核查发现合同系伪造"); err != nil {
			t.Fatal(err)
		}
		res := w.run("art22-2022", "2023-03-31")
		w.want("A2 rejected", res, map[string]string{"A1": "eligible 300000", "A2": "", "C1": "eligible 300000"},
			map[string]int64{"E1": 300000, "E2": 300000})
		if l := findLine(t, res, "A2", ""); l.Review != bonus.VerdictRejected || clawbackList(res) != "A2:rejected:300000:0" {
			t.Errorf("A2 %+v, clawbacks %s", l, clawbackList(res))
		}
		if rs, _ := bonus.RejectedUnflagged(ctx, s, "art22-2022"); len(rs) != 1 || rs[0].ContractNo != "A2" {
			t.Errorf("rejected unflagged lines %+v", rs)
		}
		// Approving an unflagged line, or rejecting one the run does not pay, is refused.
		if _, err := bonus.Review(ctx, s, w.bureau, "art22-2022", "C1", "", true, "无需"); err == nil {
			t.Error("approved an unflagged line")
		}

		// Bad input: a disqualification without a note is refused, naming the note; nothing changes.
		if es := market.AsFieldErrors(func() error {
			_, err := bonus.Disqualify(ctx, s, w.bureau, "art22-2022", w.n["E1"], "  ")
			return err
		}()); len(es) != 1 || es[0].Field != "note" {
			t.Fatalf("disqualification without a note: %v", es)
		}
		if dq, _ := bonus.Disqualifications(ctx, s, "art22-2022"); len(dq) != 0 {
			t.Fatalf("a refused disqualification was stored: %+v", dq)
		}
		// E1 is disqualified: A1 and A2 become recipient_disqualified, and what run 1 paid E1 (A1 300000,
		// A2 300000) is clawed back as recipient_disqualified. E2 keeps 300000 for C1.
		if _, err := bonus.Disqualify(ctx, s, w.bureau, "art22-2022", w.n["E1"], "串通造假，取消承接资格"); err != nil {
			t.Fatal(err)
		}
		res = w.run("art22-2022", "2023-03-31")
		w.want("E1 disqualified", res, map[string]string{"A1": "recipient_disqualified", "A2": "recipient_disqualified", "C1": "eligible 300000"},
			map[string]int64{"E2": 300000})
		if got := clawbackList(res); got != "A1:recipient_disqualified:300000:0 A2:recipient_disqualified:300000:0" {
			t.Errorf("clawbacks %s", got)
		}
	})
}

// Item 7: every threshold counts its boundary day: 5 deals whose first and last are 30 days apart are
// a burst.
func TestSecondPassBurstIncludesDayN(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newSPWorld(t, s)
		var b strings.Builder
		b.WriteString(contractsHeader)
		var f strings.Builder
		f.WriteString(filingsHeader)
		for i, day := range []string{"2022-04-01", "2022-04-08", "2022-04-15", "2022-04-22", "2022-05-01"} {
			fmt.Fprintf(&b, "D%d,open_licence,{PA%d},{E1},{S5},2022-03-01,%s,5000,FD%d,2022-06-01,effective,\n", i+1, i+1, day, i+1)
			fmt.Fprintf(&f, "FD%d,2022-06-01,open_licence,{PA%d},{E1},{S5},effective,\n", i+1, i+1)
		}
		w.importCSV("contracts", b.String())
		w.importCSV("filings", f.String())
		// 2022-04-01 to 2022-05-01 is 30 days: all five are held (burst), nothing paid (before: all
		// five eligible, 1500000 to E1).
		w.want("burst", w.run("art22-2022", "2023-03-31"), map[string]string{"D1": "held:burst", "D3": "held:burst",
			"D5": "held:burst"}, nil)
	})
}

// Item 8: re-running a frozen round on identical facts gives the same input hash.
func TestSecondPassSameFactsSameHash(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newSPWorld(t, s)
		w.importCSV("contracts", contractsHeader+`
A1,open_licence,{PA1},{E1},{S1},2022-03-01,2022-03-10,0,FA1,2022-04-01,effective,
`)
		w.importCSV("filings", filingsHeader+`
FA1,2022-04-01,open_licence,{PA1},{E1},{S1},effective,
`)
		first := w.compute("art22-2022", "2023-03-31", true)
		second := w.compute("art22-2022", "2023-03-31", true)
		third := w.compute("art22-2022", "2023-03-31", false)
		if first.InputHash != second.InputHash || second.InputHash != third.InputHash {
			t.Errorf("hashes %s, %s, %s (before: each frozen run changed the next one's hash)", first.InputHash, second.InputHash, third.InputHash)
		}
		if fmt.Sprint(first.Baselines, second.Baselines, third.Baselines) != "[] [1] [1 2]" {
			t.Errorf("baselines %v %v %v", first.Baselines, second.Baselines, third.Baselines)
		}
	})
}
