package bonus_test

import (
	"fmt"
	"strings"
	"testing"

	"patentwall/bonus"
	"patentwall/market"
	"patentwall/market/imports"
	"patentwall/market/markettest"
)

// The scenario imports organisations, patents, contracts and CNIPA's filing list from CSV, as the bureau
// would with `patentwall import`, and checks full runs of both seed rounds against totals worked out by
// hand below.

// uscc builds a valid USCC: entity type (91 enterprise, 12 public institution), region, serial.
func uscc(t testing.TB, prefix string, serial int) string {
	t.Helper()
	body := fmt.Sprintf("%08d", serial)
	c17, err := market.OrgCodeCheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	first := prefix + body + string(c17)
	c18, err := market.USCCCheckChar(first)
	if err != nil {
		t.Fatal(err)
	}
	return first + string(c18)
}

// appNo builds a valid invention application number of 2020.
func appNo(t testing.TB, serial int) string {
	t.Helper()
	digits := fmt.Sprintf("20201%07d", serial)
	c, err := market.ApplicationCheckChar(digits)
	if err != nil {
		t.Fatal(err)
	}
	return digits + "." + string(c)
}

func importCSV(t *testing.T, s *market.Store, kind string, text string) imports.Report {
	t.Helper()
	tab, err := imports.Read(strings.NewReader(text), "csv")
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	fn := map[string]func() (imports.Report, error){
		"orgs":      func() (imports.Report, error) { return imports.ImportOrgs(ctx, s, tab, imports.Options{}) },
		"patents":   func() (imports.Report, error) { return imports.ImportPatents(ctx, s, tab, imports.Options{}) },
		"contracts": func() (imports.Report, error) { return imports.ImportContracts(ctx, s, tab, imports.Options{}) },
		"filings":   func() (imports.Report, error) { return imports.ImportFilings(ctx, s, tab, imports.Options{}) },
	}[kind]
	rep, err := fn()
	if err != nil {
		t.Fatalf("import %s: %v %+v", kind, err, rep.Errors)
	}
	return rep
}

// csvText replaces {NAME} placeholders by USCCs and application numbers.
func csvText(names map[string]string, text string) string {
	for k, v := range names {
		text = strings.ReplaceAll(text, "{"+k+"}", v)
	}
	return strings.TrimLeft(text, "\n")
}

func TestScenarioFromCSV(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		n := map[string]string{}
		for i, k := range []string{"E1", "E2", "E3", "S1", "S2", "S3", "B1", "X1"} {
			n[k] = uscc(t, "91310000", 100+i)
		}
		for i, k := range []string{"U1", "H1"} {
			n[k] = uscc(t, "12310000", 200+i)
		}
		for i, k := range []string{"PA1", "PA2", "PA3", "PA4", "PA5", "PA6", "PU1", "PU2", "PU3", "PU4", "PU5", "PU6", "PH1"} {
			n[k] = appNo(t, 1000+i)
		}
		importCSV(t, s, "orgs", csvText(n, `
uscc,name,kind,district,address,legal_rep,phone,email,founded_on,is_sme,operating_normally,good_credit
{E1},许可企业一,enterprise,浦东新区,张江路1号,甲一,021-61000001,e1@example.cn,2005-01-01,否,1,1
{E2},许可企业二,enterprise,徐汇区,漕溪路2号,甲二,021-61000002,e2@example.cn,2008-01-01,是,1,1
{E3},外地许可企业,enterprise,,杭州市文三路3号,甲三,0571-61000003,e3@example.cn,2008-01-01,是,1,1
{S1},中小企业一,enterprise,闵行区,莘庄路4号,乙一,021-62000001,s1@example.cn,2015-01-01,是,1,1
{S2},中小企业二,enterprise,杨浦区,国定路5号,乙二,021-62000002,s2@example.cn,2016-01-01,是,1,1
{S3},新成立企业,enterprise,嘉定区,安亭路6号,乙三,021-62000003,s3@example.cn,2022-03-01,是,1,1
{B1},大型企业,enterprise,静安区,南京西路7号,丙一,021-63000001,b1@example.cn,1995-01-01,否,1,1
{X1},外地中小企业,enterprise,,苏州市8号,丙二,0512-63000002,x1@example.cn,2012-01-01,是,1,1
{U1},某大学,university,杨浦区,邯郸路9号,丁一,021-64000001,u1@example.cn,1950-01-01,否,1,1
{H1},某医院,hospital,徐汇区,宛平路10号,丁二,021-64000002,h1@example.cn,1960-01-01,否,1,0
`))
		var pat strings.Builder
		pat.WriteString("application_no,title,patentee_uscc,filing_date,grant_date,status\n")
		for _, p := range []struct{ no, holder string }{{"PA1", "E1"}, {"PA2", "E1"}, {"PA3", "E1"}, {"PA4", "E1"}, {"PA5", "E2"},
			{"PA6", "E3"}, {"PU1", "U1"}, {"PU2", "U1"}, {"PU3", "U1"}, {"PU4", "U1"}, {"PU5", "U1"}, {"PU6", "U1"}, {"PH1", "H1"}} {
			fmt.Fprintf(&pat, "%s,专利%s,%s,2020-03-01,2021-09-01,granted\n", n[p.no], p.no, n[p.holder])
		}
		importCSV(t, s, "patents", pat.String())

		rep := importCSV(t, s, "contracts", csvText(n, `
contract_no,kind,patents,licensor_uscc,licensee_uscc,signed_on,effective_on,fee_yuan,filing_no,filed_on,status
A1,open_licence,{PA1},{E1},{S1},2022-03-01,2022-03-10,5000,FA1,2022-04-01,effective
A2,open_licence,{PA2},{E1},{S2},2022-12-20,2022-12-31,0,FA2,2023-01-15,effective
A3,open_licence,{PA3},{E1},{S1},2022-12-25,2023-01-01,0,FA3,2023-02-01,effective
A4,ordinary_licence,{PA4},{E1},{S2},2022-04-20,2022-05-01,20000,FA4,2022-06-01,effective
A5,open_licence,{PA1},{E1},{S1},2022-07-20,2022-08-01,5000,FA5,2022-09-01,effective
A6,open_licence,{PA5},{E2},{B1},2022-05-20,2022-06-01,0,FA6,2022-07-01,effective
A7,open_licence,{PA5},{E2},{X1},2022-05-20,2022-06-02,0,FA7,2022-07-01,effective
A8,open_licence,{PA6},{E3},{S1},2022-06-20,2022-07-01,0,FA8,2022-08-01,effective
A9,open_licence,{PA5},{E2},{S3},2022-06-01,2022-06-10,100,FA9,2022-07-01,effective
A10,open_licence,{PA2},{E1},{S1},2022-08-20,2022-09-01,0,,,effective
A11,open_licence,{PA3},{E1},{S2},2022-09-20,2022-10-01,0,FA11,2022-10-20,effective
A12,open_licence,{PA4},{E1},{S1},2022-10-20,2022-11-01,0,FA12,2022-11-20,cancelled
B1,ordinary_licence,{PU1};{PU2};{PU3},{U1},{S1},2022-08-20,2022-09-01,30000,FB1,2022-10-01,effective
B2,open_licence,{PU1},{U1},{S2},2022-09-20,2022-10-01,0,FB2,2022-11-01,effective
B3,ordinary_licence,{PU1},{U1},{S1},2022-12-20,2023-01-05,10000,FB3,2023-02-01,effective
B4,transfer,{PU4},{U1},{S2},2022-10-20,2022-11-01,200000,FB4,2022-11-01,effective
B5,ordinary_licence,{PU5},{U1},{S1},2022-06-20,2022-06-30,10000,FB5,2022-07-20,effective
B6,exclusive_licence,{PU6},{U1},{S2},2023-06-20,2023-06-30,50000,FB6,2023-07-10,effective
B7,ordinary_licence,{PH1},{H1},{S1},2022-07-20,2022-08-01,10000,FB7,2022-09-01,effective
B8,ordinary_licence,{PU5},{U1},{B1},2022-11-20,2022-12-01,10000,FB8,2023-01-01,effective
B9,ordinary_licence,{PU2};{PU3},{U1},{S2},2023-01-20,2023-02-01,10000,FB9,2023-03-01,effective
`))
		if rep.Created != 21 {
			t.Fatalf("contracts imported: %+v", rep)
		}
		if p, _ := s.PatentByApplicationNo(ctx, n["PU4"]); p == nil || p.Patentee.USCC != n["S2"] {
			t.Fatalf("B4 transferred PU4 to S2: %+v", p)
		}
		filings := `
filing_no,filed_on,kind,patents,licensor_uscc,licensee_uscc,status,cancelled_on
FA1,2022-04-01,open_licence,{PA1},{E1},{S1},effective,
FA2,2023-01-15,open_licence,{PA2},{E1},{S2},effective,
FA3,2023-02-01,open_licence,{PA3},{E1},{S1},effective,
FA4,2022-06-01,ordinary_licence,{PA4},{E1},{S2},effective,
FA5,2022-09-01,open_licence,{PA1},{E1},{S1},effective,
FA6,2022-07-01,open_licence,{PA5},{E2},{B1},effective,
FA7,2022-07-01,open_licence,{PA5},{E2},{X1},effective,
FA8,2022-08-01,open_licence,{PA6},{E3},{S1},effective,
FA9,2022-07-01,open_licence,{PA5},{E2},{S3},effective,
FA11,2022-10-20,open_licence,{PA3},{E1},{S2},cancelled,2022-12-01
FA12,2022-11-20,open_licence,{PA4},{E1},{S1},effective,
FB1,2022-10-01,ordinary_licence,{PU1};{PU2};{PU3},{U1},{S1},effective,
FB2,2022-11-01,open_licence,{PU1},{U1},{S2},effective,
FB3,2023-02-01,ordinary_licence,{PU1},{U1},{S1},effective,
FB4,2022-11-01,transfer,{PU4},{U1},{S2},effective,
FB5,2022-07-20,ordinary_licence,{PU5},{U1},{S1},effective,
FB6,2023-07-10,exclusive_licence,{PU6},{U1},{S2},effective,
FB7,2022-09-01,ordinary_licence,{PH1},{H1},{S1},effective,
FB8,2023-01-01,ordinary_licence,{PU5},{U1},{B1},effective,
FB9,2023-03-01,ordinary_licence,{PU2},{U1},{S2},effective,
FX1,2022-05-05,transfer,{PA6},{E3},{X1},effective,
`
		rep = importCSV(t, s, "filings", csvText(n, filings))
		if rep.Created != 21 || len(rep.Warnings) != 1 {
			t.Fatalf("filings imported: %+v (FX1 matches no contract)", rep)
		}

		// Art. 22, as of 2023-03-31 (3000 yuan per open-licence contract):
		//   A1  eligible                  3000
		//   A2  eligible (2022-12-31)     3000
		//   A3  outside_window (2023-01-01)
		//   A4  not_open_licence
		//   A5  duplicate of A1 (PA1, S1)
		//   A6  licensee_not_sme · A7 licensee_not_shanghai · A8 recipient_not_shanghai
		//   A9  held: S3 founded 101 days before, and a fee of 100 yuan < 10% of 3000 → new_licensee, low_fee
		//   A10 not_filed · A11 filing_cancelled · A12 not_effective (cancelled)
		//   B*  recipient_kind: a university or hospital is no Art. 22 recipient (B2, an open licence in the
		//       window, has no other reason; the others also are not open licences or fall outside)
		// total 6000 yuan to E1 (2 lines), cap 300000 not reached.
		res, err := bonus.Run(ctx, s, "art22-2022", d("2023-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, res)
		wantLines(t, res, map[string]string{
			"A1": "eligible", "A2": "eligible", "A3": "outside_window", "A4": "not_open_licence", "A5": "duplicate",
			"A6": "licensee_not_sme", "A7": "licensee_not_shanghai", "A8": "recipient_not_shanghai", "A9": "held:new_licensee,low_fee",
			"A10": "not_filed", "A11": "filing_cancelled", "A12": "not_effective", "B2": "recipient_kind",
		}, n)
		if res.TotalFen != 600000 || res.EligibleFen != 600000 || res.Scaled || len(res.Recipients) != 1 ||
			res.Recipients[0].USCC != n["E1"] || res.Recipients[0].Lines != 2 || len(res.Lines) != 21 {
			t.Fatalf("art22: total %d eligible %d recipients %+v lines %d", res.TotalFen, res.EligibleFen, res.Recipients, len(res.Lines))
		}

		// Art. 19, as of 2023-07-31 (1500 yuan per patent):
		//   B1  PU1, PU2, PU3 eligible                      4500
		//   B2  PU1 to another SME: eligible                1500
		//   B3  PU1 to S1 again: duplicate
		//   B4  PU4 transferred and registered: eligible    1500
		//   B5  outside_window (2022-06-30)
		//   B6  eligible on the window's last day           1500
		//   B7  recipient_not_normal (the hospital's credit)
		//   B8  licensee_not_sme
		//   B9  PU2 eligible                                1500; PU3 not_filed (the filing lists PU2 only)
		//   A*  recipient_kind (enterprises)
		// total 10500 yuan to U1 (7 lines).
		res19, err := bonus.Run(ctx, s, "art19-2022", d("2023-07-31"))
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, res19)
		for _, w := range []struct{ c, p, want string }{
			{"B1", "PU1", "eligible"}, {"B1", "PU2", "eligible"}, {"B1", "PU3", "eligible"}, {"B2", "PU1", "eligible"},
			{"B3", "PU1", "duplicate"}, {"B4", "PU4", "eligible"}, {"B5", "PU5", "outside_window"}, {"B6", "PU6", "eligible"},
			{"B7", "PH1", "recipient_not_normal"}, {"B8", "PU5", "licensee_not_sme"}, {"B9", "PU2", "eligible"},
			{"B9", "PU3", "not_filed"}, {"A2", "PA2", "recipient_kind"},
		} {
			l := findLine(t, res19, w.c, n[w.p])
			if got := lineOutcome(l); got != w.want {
				t.Errorf("art19 %s/%s: %s, want %s", w.c, w.p, got, w.want)
			}
		}
		if res19.TotalFen != 1050000 || len(res19.Recipients) != 1 || res19.Recipients[0].USCC != n["U1"] || res19.Recipients[0].Lines != 7 {
			t.Fatalf("art19: total %d recipients %+v", res19.TotalFen, res19.Recipients)
		}

		// The bureau approves A9 and freezes the run: A1 + A2 + A9 = 9000 yuan. Then CNIPA's newer list
		// shows FA1 cancelled on 2023-04-10. As of 2023-04-30, A1 is filing_cancelled and its 3000 yuan are
		// clawed back; A5, the later licence of the same (PA1, S1) pair, was a duplicate only because A1
		// counted, so it counts now: A2 + A5 + A9 = 9000 yuan.
		if _, _, err := bonus.Compute(ctx, s, bureau, "art22-2022", d("2023-03-31"), false); err != nil {
			t.Fatal(err)
		}
		if _, err := bonus.Review(ctx, s, bureau, "art22-2022", "A9", "", true, "已核实新设企业的真实经营"); err != nil {
			t.Fatal(err)
		}
		info, _, err := bonus.Compute(ctx, s, bureau, "art22-2022", d("2023-03-31"), true)
		if err != nil || info.TotalFen != 900000 {
			t.Fatalf("after approval: %+v %v", info, err)
		}
		newer := strings.Replace(filings, "FA1,2022-04-01,open_licence,{PA1},{E1},{S1},effective,", "FA1,2022-04-01,open_licence,{PA1},{E1},{S1},cancelled,2023-04-10", 1)
		if rep := importCSV(t, s, "filings", csvText(n, newer)); rep.Updated != 1 {
			t.Fatalf("newer list: %+v", rep)
		}
		info, res, err = bonus.Compute(ctx, s, bureau, "art22-2022", d("2023-04-30"), false)
		if err != nil {
			t.Fatal(err)
		}
		if info.TotalFen != 900000 || lineOutcome(findLine(t, res, "A5", "")) != "eligible" || len(res.Clawbacks) != 1 || res.Clawbacks[0].ContractNo != "A1" || res.Clawbacks[0].AmountFen != 300000 ||
			res.Clawbacks[0].Reason != bonus.VoidFilingCancelled {
			t.Fatalf("after FA1's cancellation: %+v clawbacks %+v", info, res.Clawbacks)
		}
	})
}

func lineOutcome(l bonus.Line) string {
	switch l.Status {
	case bonus.StatusEligible:
		return "eligible"
	case bonus.StatusHeld:
		return "held:" + strings.Join(l.Flags.Codes(), ",")
	}
	return strings.Join(l.Reasons.Codes(), ",")
}

func wantLines(t *testing.T, res *bonus.RunResult, want map[string]string, n map[string]string) {
	t.Helper()
	for no, w := range want {
		if got := lineOutcome(findLine(t, res, no, "")); got != w {
			t.Errorf("%s: %s, want %s", no, got, w)
		}
	}
}
