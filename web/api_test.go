package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The search response keys of docs/interfaces.md §5.3.
var (
	searchKeys      = []string{"total", "page", "per_page", "hits", "facets"}
	hitKeys         = []string{"application_no", "title", "highlight", "type", "ipc", "patentee", "district", "declaration"}
	facetKeys       = []string{"type", "ipc_section", "industry", "district", "fee_model", "holder_kind"}
	declarationKeys = []string{"fee_model", "fee_yuan", "royalty_percent", "entry_fee_yuan", "term_months", "evaluation_report_no"}
)

func requireKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: missing key %q in %v", what, k, m)
		}
	}
}

func hitsOf(t *testing.T, m map[string]any) []map[string]any {
	t.Helper()
	raw, ok := m["hits"].([]any)
	if !ok {
		t.Fatalf("hits is %T", m["hits"])
	}
	out := make([]map[string]any, len(raw))
	for i, h := range raw {
		out[i] = h.(map[string]any)
	}
	return out
}

func TestAPISearchShape(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		status, m := e.getJSON(t, "/api/v1/patents?q="+url.QueryEscape("电池"))
		if status != http.StatusOK {
			t.Fatalf("status %d: %v", status, m)
		}
		requireKeys(t, "response", m, searchKeys...)
		if m["total"] != 2.0 || m["page"] != 1.0 || m["per_page"] != 20.0 {
			t.Errorf("total/page/per_page = %v/%v/%v", m["total"], m["page"], m["per_page"])
		}
		facets := m["facets"].(map[string]any)
		requireKeys(t, "facets", facets, facetKeys...)
		if got := facets["industry"].(map[string]any)["新能源"]; got != 2.0 {
			t.Errorf("industry facet 新能源 = %v", got)
		}
		hits := hitsOf(t, m)
		if len(hits) != 2 {
			t.Fatalf("%d hits", len(hits))
		}
		byNo := map[string]map[string]any{}
		for _, h := range hits {
			requireKeys(t, "hit", h, hitKeys...)
			byNo[h["application_no"].(string)] = h
		}
		b := byNo[e.fx.battery.ApplicationNo]
		if b == nil {
			t.Fatal("battery patent not found")
		}
		if b["highlight"] != "一种锂<mark>电池</mark>电极材料及其制备方法" || b["patentee"] != "复旦测试大学" ||
			b["district"] != "310110" || b["type"] != "invention" {
			t.Errorf("battery hit: %v", b)
		}
		if ipc, _ := b["ipc"].([]any); len(ipc) != 2 || ipc[0] != "H01M 4/36" {
			t.Errorf("ipc %v", b["ipc"])
		}
		d, ok := b["declaration"].(map[string]any)
		if !ok {
			t.Fatalf("declaration %T", b["declaration"])
		}
		requireKeys(t, "declaration", d, declarationKeys...)
		if d["fee_model"] != "free" || d["term_months"] != 36.0 {
			t.Errorf("declaration %v", d)
		}
		// Escaped HTML stays escaped in the JSON highlight.
		h := byNo[e.fx.hostile.ApplicationNo]["highlight"].(string)
		if strings.Contains(h, "<script") || !strings.Contains(h, "&lt;script&gt;") {
			t.Errorf("hostile highlight %q", h)
		}
	})
}

func TestAPISearchFiltersSortAndPaging(t *testing.T) {
	e := sqliteEnv(t)
	// A patent without a declaration carries "declaration": null.
	_, m := e.getJSON(t, "/api/v1/patents?offer=transfer")
	hits := hitsOf(t, m)
	if len(hits) != 1 || hits[0]["application_no"] != e.fx.design.ApplicationNo || hits[0]["declaration"] != nil {
		t.Fatalf("transfer offers: %v", hits)
	}
	if v, ok := hits[0]["declaration"]; !ok || v != nil {
		t.Errorf("declaration must be present and null, got %v", v)
	}

	_, m = e.getJSON(t, "/api/v1/patents?sort=fee_desc&per_page=1")
	if h := hitsOf(t, m); len(h) != 1 || h[0]["application_no"] != e.fx.bulk[bulkCount-1].ApplicationNo {
		t.Errorf("fee_desc first: %v", h)
	}

	_, m = e.getJSON(t, "/api/v1/patents?industry="+url.QueryEscape("高端装备")+"&per_page=10&page=5")
	if m["total"] != float64(bulkCount) || m["page"] != 5.0 || m["per_page"] != 10.0 || len(hitsOf(t, m)) != bulkCount-40 {
		t.Errorf("page 5: total %v page %v per_page %v hits %d", m["total"], m["page"], m["per_page"], len(hitsOf(t, m)))
	}

	// max_fee_yuan: nothing costs more up front; both repeated and comma-separated values work.
	_, m = e.getJSON(t, "/api/v1/patents?max_fee_yuan=5000&fee_model=lump_sum,entry_plus_royalty&fee_model=free")
	hits = hitsOf(t, m)
	if m["total"] != 7.0 { // vision (5,000), five bulk entry fees up to 5,000, battery (free)
		t.Errorf("max fee total %v", m["total"])
	}
	for _, h := range hits {
		d := h["declaration"].(map[string]any)
		if amt, _ := d["amount_due_yuan"].(float64); amt > 5000 {
			t.Errorf("%v costs %v", h["application_no"], amt)
		}
	}

	_, m = e.getJSON(t, "/api/v1/patents?district=310115&holder_kind=enterprise&type=invention")
	if h := hitsOf(t, m); len(h) != 1 || h[0]["application_no"] != e.fx.vision.ApplicationNo {
		t.Errorf("district+kind+type: %v", h)
	}
	_, m = e.getJSON(t, "/api/v1/patents?ipc=G06")
	if h := hitsOf(t, m); len(h) != 1 || h[0]["application_no"] != e.fx.vision.ApplicationNo {
		t.Errorf("ipc=G06: %v", h)
	}
}

func TestAPIBadInput(t *testing.T) {
	e := sqliteEnv(t)
	for _, c := range []struct{ query, field, code string }{
		{"type=foo", "type", "unknown_value"},
		{"district=nowhere", "district", "unknown_value"},
		{"sort=bar", "sort", "unknown_value"},
		{"holder_kind=alien", "holder_kind", "unknown_value"},
		{"fee_model=cheap", "fee_model", "unknown_value"},
		{"offer=lease", "offer", "unknown_value"},
		{"price_band=huge", "price_band", "unknown_value"},
		{"ipc=Z99", "ipc", "invalid_format"},
		{"q=" + strings.Repeat("a", 201), "q", "too_long"},
		{"q=%C3%28", "q", "invalid_utf8"},
		{"industry=%FF", "industry", "invalid_utf8"},
		{"page=x", "page", "not_a_number"},
		{"page=0", "page", "out_of_range"},
		{"page=-1", "page", "out_of_range"},
		{"per_page=0", "per_page", "out_of_range"},
		{"per_page=101", "per_page", "out_of_range"},
		{"per_page=1.5", "per_page", "not_a_number"},
		{"page=200&per_page=100", "page", "out_of_range"},
		{"page=4", "page", "out_of_range"}, // 50 patents: the last page of 20 is 3
		{"max_fee_yuan=abc", "max_fee_yuan", "invalid_amount"},
		{"max_fee_yuan=1.234", "max_fee_yuan", "invalid_amount"},
		{"q=a&q=b", "q", "repeated"},
	} {
		status, m := e.getJSON(t, "/api/v1/patents?"+c.query)
		if status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", c.query, status)
			continue
		}
		requireKeys(t, c.query, m, "error")
		er := m["error"].(map[string]any)
		requireKeys(t, c.query, er, "code", "message", "field")
		if er["field"] != c.field || er["code"] != c.code || er["message"] == "" {
			t.Errorf("%s: error %v, want field %s code %s", c.query, er, c.field, c.code)
		}
	}
	// API clients get English messages when they ask for them.
	req := httptest.NewRequest(http.MethodGet, "/api/v1/patents?type=foo", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.8")
	r := e.do(t, req)
	mustContain(t, "english error", r.body, `unknown value \"foo\" for type`)
}

func TestAPIPatent(t *testing.T) {
	e := sqliteEnv(t)
	status, m := e.getJSON(t, "/api/v1/patents/"+e.fx.vision.ApplicationNo)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	requireKeys(t, "patent", m, "application_no", "title", "abstract", "type", "ipc", "patentee", "district", "declaration", "filing_date", "url")
	d := m["declaration"].(map[string]any)
	requireKeys(t, "declaration", d, declarationKeys...)
	// Money is an exact decimal in yuan beside integer fen.
	if d["fee_model"] != "lump_sum" || d["fee_yuan"] != 5000.0 || d["fee_fen"] != 500000.0 || d["amount_due_yuan"] != 5000.0 {
		t.Errorf("declaration %v", d)
	}
	if m["url"] != "https://patents.example.cn/patents/"+e.fx.vision.ApplicationNo {
		t.Errorf("url %v", m["url"])
	}
	r := e.get(t, "/api/v1/patents/"+e.fx.vision.ApplicationNo)
	mustContain(t, "exact decimals", r.body, `"fee_yuan":5000.00`)

	_, m = e.getJSON(t, "/api/v1/patents/"+e.fx.withdrawn.ApplicationNo)
	if v, ok := m["declaration"]; !ok || v != nil {
		t.Errorf("withdrawn patent's declaration = %v (present %v)", v, ok)
	}
	for _, no := range []string{appNo(2023, '1', 1), "garbage"} {
		status, m = e.getJSON(t, "/api/v1/patents/"+no)
		if status != http.StatusNotFound {
			t.Errorf("%s: status %d", no, status)
		}
		if er, _ := m["error"].(map[string]any); er == nil || er["code"] != "not_found" {
			t.Errorf("%s: %v", no, m)
		}
	}
	status, m = e.getJSON(t, "/api/v1/nothing-here")
	if status != http.StatusNotFound || m["error"] == nil {
		t.Errorf("unknown API path: %d %v", status, m)
	}
}

// TestOpenAPIDescribesEveryPath checks the spec names every path and method of docs/interfaces.md §5.
func TestOpenAPIDescribesEveryPath(t *testing.T) {
	e := sqliteEnv(t)
	r := e.get(t, "/api/v1/openapi.json")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	var spec struct {
		OpenAPI string                                `json:"openapi"`
		Servers []map[string]any                      `json:"servers"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(r.body), &spec); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(spec.OpenAPI, "3.1") {
		t.Errorf("openapi %q", spec.OpenAPI)
	}
	for _, p := range []struct{ path, method string }{
		{"/tokens", "post"}, {"/patents", "get"}, {"/patents", "post"}, {"/patents/{application_no}", "get"},
		{"/register", "post"}, {"/orgs/{uscc}/verify", "post"},
		{"/patents/{application_no}/declaration", "put"}, {"/patents/{application_no}/declaration", "delete"},
		{"/licences", "post"}, {"/contracts/{contract_no}", "get"}, {"/contracts/{contract_no}/payments", "post"},
		{"/contracts/{contract_no}/payments/{id}/confirm", "post"}, {"/contracts/{contract_no}/filing", "post"},
		{"/bureau/contracts", "get"}, {"/bureau/rounds/{id}/runs", "post"}, {"/bureau/rounds/{id}/runs/{n}", "get"},
	} {
		if _, ok := spec.Paths[p.path][p.method]; !ok {
			t.Errorf("openapi.json lacks %s %s", strings.ToUpper(p.method), p.path)
		}
	}
	for _, param := range []string{"q", "type", "ipc", "industry", "district", "holder_kind", "fee_model", "max_fee_yuan", "offer", "sort", "page", "per_page"} {
		if !strings.Contains(string(spec.Paths["/patents"]["get"]), `"name": "`+param+`"`) {
			t.Errorf("GET /patents does not document %s", param)
		}
	}
	// Every rate-limited operation documents the Retry-After header its 429 carries.
	limited := 0
	for path, ops := range spec.Paths {
		for method, raw := range ops {
			var op struct {
				Responses map[string]struct {
					Headers map[string]json.RawMessage `json:"headers"`
				} `json:"responses"`
			}
			if json.Unmarshal(raw, &op) != nil {
				continue // a path's parameters, not an operation
			}
			if r, ok := op.Responses["429"]; ok {
				limited++
				if _, ok := r.Headers["Retry-After"]; !ok {
					t.Errorf("%s %s: 429 without Retry-After", strings.ToUpper(method), path)
				}
			}
		}
	}
	if limited < 4 {
		t.Errorf("%d operations document a 429; login, register, licences and intents at least", limited)
	}
}
