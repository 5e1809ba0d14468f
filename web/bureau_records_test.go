package web_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"patentwall/market"
)

// recordsJSON is the API's transaction records answer.
type recordsJSON struct {
	From    string           `json:"from"`
	To      string           `json:"to"`
	Count   int              `json:"count"`
	Records []map[string]any `json:"records"`
}

func (e *env) apiRecords(t *testing.T, token, query string) recordsJSON {
	t.Helper()
	r := e.bearer(t, http.MethodGet, "/api/v1/bureau/contracts?"+query, token, "")
	mustStatus(t, "records API "+query, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("records API: content type %q", ct)
	}
	var out recordsJSON
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatalf("records API: %v in %.300s", err, r.body)
	}
	return out
}

func recordNos(rs recordsJSON) []string {
	var out []string
	for _, r := range rs.Records {
		out = append(out, r["contract_no"].(string))
	}
	return out
}

func TestBureauRecords(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		w := e.bureauWorld(t)
		bc := e.bureauClient(t, p)
		tok := e.token(t, p.bureau)

		// The page and the API select the same records in the same order, for every filter.
		filters := []struct {
			query string
			want  []string
		}{
			{"", []string{c1, c2, c3, c4, c5}},
			{"from=2022-06-01&to=2022-09-01", []string{c2, c3, c4}},
			{"district=310112", []string{c2}},                    // NEW's district
			{"district=" + url.QueryEscape("黄浦区"), []string{c4}}, // BIG's, by name
			{"industry=" + url.QueryEscape("人工智能"), []string{c1, c2}},
			{"kind=transfer", []string{c5}},
			{"fee_model=free", []string{c1, c4}}, // a free declaration; an imported deal with no fee
			{"fee_model=lump_sum", []string{c2}},
			{"kind=open_licence&fee_model=free&from=2022-03-01&to=2022-03-01", []string{c1}},
		}
		for _, f := range filters {
			api := e.apiRecords(t, tok, f.query)
			if got := recordNos(api); !slices.Equal(got, f.want) || api.Count != len(f.want) {
				t.Errorf("API %q: %v (count %d), want %v", f.query, got, api.Count, f.want)
			}
			page := bc.get(t, "/bureau/contracts?"+f.query)
			mustStatus(t, "records page "+f.query, page, http.StatusOK)
			if got := contractsOnPage(page.body); !slices.Equal(got, f.want) {
				t.Errorf("page %q lists %v, want %v", f.query, got, f.want)
			}
			mustContain(t, "records page "+f.query, page.body, fmt.Sprintf("共 %d 笔交易", len(f.want)))
		}
		api := e.apiRecords(t, tok, "kind=transfer")
		rec := api.Records[0]
		for _, k := range []string{"contract_no", "kind", "status", "signed_on", "effective_on", "filing_no", "licensor_uscc",
			"licensee_uscc", "patents", "industries", "fee_model", "fee_fen", "fee_yuan"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("record JSON lacks %q: %v", k, rec)
			}
		}
		if rec["licensor_uscc"] != e.fx.uni.USCC || rec["fee_yuan"] != "20000.00" {
			t.Errorf("record %v", rec)
		}
		page := bc.get(t, "/bureau/contracts")
		mustContain(t, "records page", page.body, w.lic.Name, w.newco.Name, "新设贸易有限公司", "生物医药", "导入",
			`/bureau/contracts/export?format=xlsx`, "Excel (XLSX)")

		// Bad filters: a 400 with the field's message on the page, a JSON error from the API.
		bad := bc.get(t, "/bureau/contracts?from=2022-13-01&to=2022-01-01&kind=loan")
		mustStatus(t, "bad filter", bad, http.StatusBadRequest)
		mustContain(t, "bad filter page", bad.body, "日期格式应为", "未知的合同类型", `aria-invalid="true"`)
		for q, field := range map[string]string{"from=2022-02-01&to=2022-01-01": "to", "district=纽约": "district",
			"fee_model=cheap": "fee_model", "format=pdf": "format", "from=yesterday": "from"} {
			status, m := e.jsonReq(t, http.MethodGet, "/api/v1/bureau/contracts?"+q, tok, nil)
			if status != http.StatusBadRequest || errField(m) != field {
				t.Errorf("API %s: %d %v, want 400 on %s", q, status, m, field)
			}
		}

		// Downloads: CSV and XLSX with Chinese headers and the filter's dates in the file name.
		r := bc.get(t, "/bureau/contracts/export?format=csv&from=2022-01-01&to=2022-12-31")
		mustStatus(t, "CSV export", r, http.StatusOK)
		if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="contracts_2022-01-01_2022-12-31.csv"` {
			t.Errorf("CSV Content-Disposition %q", cd)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 6 || rows[0][0] != "合同编号" || rows[1][0] != c1 {
			t.Fatalf("CSV rows %v", rows)
		}
		r = e.bearer(t, http.MethodGet, "/api/v1/bureau/contracts?format=xlsx&to=2022-06-30", tok, "")
		mustStatus(t, "XLSX export", r, http.StatusOK)
		if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="contracts_start_2022-06-30.xlsx"` {
			t.Errorf("XLSX Content-Disposition %q", cd)
		}
		sheets := readXLSX(t, r.body)
		recs := sheets["交易记录"]
		if len(recs) != 3 || recs[0][0] != "合同编号" || recs[1][0] != c1 || recs[2][0] != c2 {
			t.Fatalf("XLSX sheet 交易记录: %v (sheets %v)", recs, keys(sheets))
		}
		r = bc.get(t, "/bureau/contracts/export?format=json&download=1")
		if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="contracts_start_2024-05-20.json"`) {
			t.Errorf("JSON download Content-Disposition %q", cd)
		}
	})
}

// Pages of records follow the API's order across page boundaries.
func TestBureauRecordsPaging(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	w := e.bureauWorld(t)
	for i := 0; i < 60; i++ {
		at := market.MustDate("2023-01-01").AddDate(0, 0, i%7).Start()
		c := market.Contract{ContractNo: fmt.Sprintf("BULK-%03d", 60-i), Kind: market.ContractOrdinaryLicence, Source: "import",
			LicensorID: w.lic.ID, LicenseeID: w.sme1.ID, Status: market.ContractEffective, SignedOn: market.DateOf(at),
			EffectiveOn: market.DateOf(at), EffectiveAt: &at, CreatedAt: now, UpdatedAt: now}
		if err := e.store.Gorm().Create(&c).Error; err != nil {
			t.Fatal(err)
		}
	}
	bc := e.bureauClient(t, p)
	all := recordNos(e.apiRecords(t, e.token(t, p.bureau), "from=2023-01-01"))
	var paged []string
	for page := 1; page <= 3; page++ {
		r := bc.get(t, fmt.Sprintf("/bureau/contracts?from=2023-01-01&page=%d", page))
		mustStatus(t, "page", r, http.StatusOK)
		paged = append(paged, contractsOnPage(r.body)...)
	}
	if len(all) != 60 || !slices.Equal(paged, all) {
		t.Fatalf("pages list %d records %v…, the API %d %v…", len(paged), head(paged), len(all), head(all))
	}
	first := bc.get(t, "/bureau/contracts?from=2023-01-01")
	mustContain(t, "pager", first.body, `href="/bureau/contracts?from=2023-01-01&amp;page=2"`)
}

func head(s []string) []string { return s[:min(len(s), 5)] }

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
