package web_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"patentwall/market"
)

// bworld is the bureau tests' deals: a Shanghai enterprise licensor, SME licensees (one founded
// weeks before its deal), a large enterprise, and the fixture's university, with contracts of 2022
// written straight into the tables as the platform or an import would, and CNIPA's filings for them.
//
// Under art22-2022 (licensor per open-licence contract, calendar 2022, 3,000 yuan, filing required):
//
//	C1 LIC→SME1 open licence, filed           counts (3,000 yuan)
//	C2 LIC→NEW  open licence, filed           held: NEW was founded a month before (new_licensee)
//	C3 LIC→SME1 open licence, imported, no filing        does not count: not_filed
//	C4 LIC→BIG  open licence, filed           does not count: licensee_not_sme
//	C5 UNI→SME1 transfer, registered          does not count: not an open licence, recipient a university
type bworld struct {
	lic, sme1, newco, big market.Organisation
	p                     []market.Patent // P1..P4 of LIC
	u1                    market.Patent   // of the university
	c                     []market.Contract
}

const (
	c1 = "KF20220301-000001"
	c2 = "KF20220601-000002"
	c3 = "IMP-2022-0003"
	c4 = "KF20220901-000004"
	c5 = "HT2022-0005"
)

func (e *env) bureauWorld(t *testing.T) *bworld {
	t.Helper()
	db := e.store.Gorm()
	mk := func(v any) {
		t.Helper()
		if err := db.Create(v).Error; err != nil {
			t.Fatal(err)
		}
	}
	w := &bworld{}
	org := func(serial int, prefix, kind, name, district string, sme bool, founded string) market.Organisation {
		o := market.Organisation{USCC: validUSCC(prefix, serial), Name: name, Kind: kind, DistrictCode: district, IsSME: sme,
			OperatingNormally: true, GoodCredit: true, FoundedOn: market.MustDate(founded), LegalRep: "法人" + name,
			Phone: "021-6000" + string(rune('0'+serial%10)), Address: "上海市" + name + "路", CreatedAt: now, UpdatedAt: now}
		mk(&o)
		return o
	}
	w.lic = org(201, "91", market.KindEnterprise, "申江智造科技有限公司", "310115", false, "2010-01-01")
	w.sme1 = org(202, "91", market.KindEnterprise, "张江创新科技有限公司", "310104", true, "2015-06-01")
	w.newco = org(203, "91", market.KindEnterprise, "新设贸易有限公司", "310112", true, "2022-05-01")
	w.big = org(204, "91", market.KindEnterprise, "大型集团有限公司", "310101", false, "2000-01-01")
	for i, ind := range []string{"人工智能", "人工智能", "新材料", "集成电路"} {
		p := market.Patent{ApplicationNo: appNo(2021, '1', 800001+i), Type: market.TypeInvention, Title: "测试专利" + ind,
			PatenteeID: w.lic.ID, Status: market.StatusGranted, Industry: ind, FilingDate: market.MustDate("2021-01-05"),
			CreatedAt: now, UpdatedAt: now}
		mk(&p)
		w.p = append(w.p, p)
	}
	w.u1 = market.Patent{ApplicationNo: appNo(2020, '1', 800101), Type: market.TypeInvention, Title: "一种药物缓释载体",
		PatenteeID: e.fx.uni.ID, Status: market.StatusGranted, Industry: "生物医药", FilingDate: market.MustDate("2020-01-05"),
		CreatedAt: now, UpdatedAt: now}
	mk(&w.u1)
	decl := func(p market.Patent, model string, fee int64, published string) *int64 {
		d := market.Declaration{PatentID: p.ID, FeeModel: model, FeeFen: fee, TermMonths: 36, Status: market.DeclLive,
			PublishedAt: market.MustDate(published).Start().Add(10 * time.Hour)}
		mk(&d)
		return &d.ID
	}
	d1 := decl(w.p[0], market.FeeFree, 0, "2022-01-15")          // 45 days before C1
	d2 := decl(w.p[1], market.FeeLumpSum, 5000_00, "2022-05-20") // 12 days before C2

	contract := func(no, kind, source string, declID *int64, lic, lee market.Organisation, eff string, fee int64, filingNo string, pats ...market.Patent) {
		t.Helper()
		at := market.MustDate(eff).Start().Add(9 * time.Hour)
		c := market.Contract{ContractNo: no, Kind: kind, Source: source, DeclarationID: declID, LicensorID: lic.ID,
			LicenseeID: lee.ID, Status: market.ContractEffective, FeeFen: fee, AmountDueFen: fee, SignedOn: market.MustDate(eff),
			EffectiveAt: &at, EffectiveOn: market.MustDate(eff), FilingNo: filingNo, CreatedAt: now, UpdatedAt: now}
		if filingNo != "" {
			c.Status, c.FiledOn = market.ContractFiled, market.MustDate(eff).AddDate(0, 0, 20)
		}
		mk(&c)
		var nos []string
		for _, p := range pats {
			mk(&market.ContractPatent{ContractID: c.ID, PatentID: p.ID})
			nos = append(nos, p.ApplicationNo)
		}
		if filingNo != "" {
			mk(&market.Filing{FilingNo: filingNo, FiledOn: c.FiledOn, Kind: kind, Patents: strings.Join(nos, ";"),
				LicensorUSCC: lic.USCC, LicenseeUSCC: lee.USCC, Status: "effective", ImportedAt: now})
		}
		w.c = append(w.c, c)
	}
	contract(c1, market.ContractOpenLicence, "platform", d1, w.lic, w.sme1, "2022-03-01", 0, "BA2022-001", w.p[0])
	contract(c2, market.ContractOpenLicence, "platform", d2, w.lic, w.newco, "2022-06-01", 5000_00, "BA2022-002", w.p[1])
	contract(c3, market.ContractOpenLicence, "import", nil, w.lic, w.sme1, "2022-08-01", 1000_00, "", w.p[2])
	contract(c4, market.ContractOpenLicence, "import", nil, w.lic, w.big, "2022-09-01", 0, "BA2022-004", w.p[3])
	contract(c5, market.ContractTransfer, "import", nil, e.fx.uni, w.sme1, "2022-10-10", 20000_00, "ZL2022-005", w.u1)
	return w
}

// bureauClient logs in the fixture's bureau user.
func (e *env) bureauClient(t *testing.T, p people) *client {
	t.Helper()
	cl := e.client()
	cl.login(t, p.bureau.Email)
	return cl
}

func mustStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d: %.1500s", what, r.status, want, r.body)
	}
}

// readXLSX opens a downloaded workbook and returns its sheets' rows.
func readXLSX(t *testing.T, body string) map[string][][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	defer f.Close()
	out := map[string][][]string{}
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = rows
	}
	return out
}

var contractLinkRe = regexp.MustCompile(`<a class="mono" href="/contracts/([^"]+)">`)

// contractsOnPage lists the contract numbers a page links to, in order.
func contractsOnPage(body string) []string {
	var out []string
	for _, m := range contractLinkRe.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// postForm submits a form of page with the page's CSRF token.
func (cl *client) postForm(t *testing.T, page, action string, form url.Values) response {
	t.Helper()
	return cl.submit(t, page, action, form)
}

// bearer sends a request with a token and returns the raw response.
func (e *env) bearer(t *testing.T, method, target, token, body string) response {
	t.Helper()
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, target, nil)
	} else {
		req = httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.do(t, req)
}
