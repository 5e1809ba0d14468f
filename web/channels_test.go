package web_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/search"
)

func wallNos(t *testing.T, m map[string]any) []string {
	t.Helper()
	hits, _ := m["hits"].([]any)
	var out []string
	for _, h := range hits {
		hm := h.(map[string]any)
		no := hm["application_no"].(string)
		if hm["pinned"] == true {
			no += "*"
		}
		out = append(out, no)
	}
	return out
}

func TestWallAPI(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		p := e.people(t)
		op := e.token(t, e.addUser(t, &p.assoc, market.RoleOperator, "op@assoc.example.cn"))
		other := e.addOrg(t, market.KindAssociation, "另一行业协会", 106, true)
		otherOp := e.token(t, e.addUser(t, &other, market.RoleOperator, "op@other.example.cn"))
		holder := e.token(t, p.holder)
		fx := e.fx
		drain := func() {
			t.Helper()
			if _, err := (&search.Worker{Store: e.store, Index: e.index}).DrainOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		list := func() (int, []string) {
			t.Helper()
			status, m := e.getJSON(t, "/api/v1/walls/energy/patents?per_page=50")
			if status != http.StatusOK {
				t.Fatalf("wall patents: %d %v", status, m)
			}
			return int(m["total"].(float64)), wallNos(t, m)
		}

		body := map[string]any{"slug": "energy", "name": "能源与芯片专利墙", "name_en": "Energy and chips",
			"description": "协会运营", "rules": map[string]any{"industries": []string{"新能源", "集成电路"}}}
		// A district office's operator cannot open a wall; the association's can.
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/walls", e.token(t, p.operator), body); status != http.StatusForbidden {
			t.Fatalf("office opened a wall: %d %v", status, m)
		}
		status, m := e.jsonReq(t, http.MethodPost, "/api/v1/walls", op, body)
		if status != http.StatusCreated || m["slug"] != "energy" || m["org_uscc"] != p.assoc.USCC {
			t.Fatalf("create: %d %v", status, m)
		}
		// Live patents of its industries, newest first; the withdrawn one is not there.
		total, nos := list()
		if want := []string{fx.battery.ApplicationNo, fx.hostile.ApplicationNo}; total != 2 || strings.Join(nos, ",") != strings.Join(want, ",") {
			t.Fatalf("wall: %d %v, want %v", total, nos, want)
		}

		// A patent published into the wall's rules appears; withdrawn, it leaves at once (before the index).
		decl := map[string]any{"fee_model": "free", "term_months": 24}
		if status, m := e.jsonReq(t, http.MethodPut, "/api/v1/patents/"+fx.withdrawn.ApplicationNo+"/declaration", holder, decl); status != http.StatusOK && status != http.StatusCreated {
			t.Fatalf("publish: %d %v", status, m)
		}
		drain()
		if total, nos = list(); total != 3 || nos[0] != fx.withdrawn.ApplicationNo {
			t.Fatalf("after publishing: %d %v", total, nos)
		}
		// Pinned first, in order.
		if status, m := e.jsonReq(t, http.MethodPut, "/api/v1/walls/energy/pins", op, map[string]any{"application_nos": []string{fx.hostile.ApplicationNo, fx.withdrawn.ApplicationNo}}); status != http.StatusOK {
			t.Fatalf("pins: %d %v", status, m)
		}
		if _, nos = list(); strings.Join(nos, ",") != fx.hostile.ApplicationNo+"*,"+fx.withdrawn.ApplicationNo+"*,"+fx.battery.ApplicationNo {
			t.Fatalf("pinned: %v", nos)
		}
		if status, _ := e.jsonReq(t, http.MethodDelete, "/api/v1/patents/"+fx.withdrawn.ApplicationNo+"/declaration", holder, nil); status != http.StatusOK {
			t.Fatalf("withdraw: %d", status)
		}
		if total, nos = list(); total != 2 || strings.Contains(strings.Join(nos, ","), fx.withdrawn.ApplicationNo) {
			t.Fatalf("after withdrawal: %d %v", total, nos)
		}
		// Its operator sees the pin as withdrawn.
		_, m = e.jsonReq(t, http.MethodGet, "/api/v1/walls/energy", op, nil)
		pins := m["pins"].([]any)
		if len(pins) != 2 || pins[1].(map[string]any)["status"] != "withdrawn" {
			t.Errorf("pins seen by the operator: %v", pins)
		}
		// Excluded: never shown.
		if status, m := e.jsonReq(t, http.MethodPut, "/api/v1/walls/energy/excluded", op, map[string]any{"application_nos": []string{fx.battery.ApplicationNo}}); status != http.StatusOK {
			t.Fatalf("exclude: %d %v", status, m)
		}
		if total, nos = list(); total != 1 || nos[0] != fx.hostile.ApplicationNo+"*" {
			t.Fatalf("after exclusion: %d %v", total, nos)
		}

		// Another association's operator is refused; bad rules name their field; nothing changes.
		if status, m := e.jsonReq(t, http.MethodPut, "/api/v1/walls/energy", otherOp, body); status != http.StatusForbidden {
			t.Errorf("other association: %d %v", status, m)
		}
		badBody := map[string]any{"slug": "energy", "name": "能源<\u202e>", "rules": map[string]any{"ipc": []string{"X99"}}}
		status, m = e.jsonReq(t, http.MethodPut, "/api/v1/walls/energy", op, badBody)
		if status != http.StatusUnprocessableEntity || errField(m) == "" {
			t.Errorf("bad rules: %d %v", status, m)
		}
		if status, m := e.jsonReq(t, http.MethodPut, "/api/v1/walls/energy/pins", op, map[string]any{"application_nos": []string{fx.design.ApplicationNo}}); status != http.StatusUnprocessableEntity || errField(m) != "application_nos[0]" {
			t.Errorf("pinning a patent without a declaration: %d %v", status, m)
		}
		if _, m = e.jsonReq(t, http.MethodGet, "/api/v1/walls/energy", op, nil); m["name"] != body["name"] {
			t.Errorf("refused edits changed the wall: %v", m)
		}

		// Screen data, its QR codes with ?via=screen:SLUG, and the page with its script.
		status, m = e.getJSON(t, "/api/v1/walls/energy/screen")
		items, _ := m["items"].([]any)
		if status != http.StatusOK || len(items) != 1 || m["total"].(float64) != 1 {
			t.Fatalf("screen data: %d %v", status, m)
		}
		it := items[0].(map[string]any)
		if !strings.HasSuffix(it["url"].(string), "/patents/"+fx.hostile.ApplicationNo+"?via=screen:energy") || it["fee_text"] == "" {
			t.Errorf("screen item %v", it)
		}
		// Screens that accept gzip get the body compressed once.
		zreq := httptest.NewRequest(http.MethodGet, "/api/v1/walls/energy/screen", nil)
		zreq.Header.Set("Accept-Encoding", "gzip")
		zr := e.do(t, zreq)
		if zr.header.Get("Content-Encoding") != "gzip" {
			t.Errorf("screen data not gzipped: %v", zr.header)
		} else if gz, err := gzip.NewReader(strings.NewReader(zr.body)); err != nil {
			t.Error(err)
		} else if plain, err := io.ReadAll(gz); err != nil || !strings.Contains(string(plain), fx.hostile.ApplicationNo) {
			t.Errorf("gzipped screen data: %v %q", err, plain)
		}
		r := e.get(t, it["qr_url"].(string))
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(r.body, "<svg") {
			t.Errorf("qr: %d %q", r.status, r.header.Get("Content-Type"))
		}
		r = e.get(t, "/walls/energy/screen")
		mustContain(t, "screen page", r.body, `/static/screen.js`, `data-api="/api/v1/walls/energy/screen"`, "电池外壳", `?via=screen:energy`)
		mustNotContain(t, "screen page", r.body, "<script>alert")
		// A change shows at once on the screens (the cache is dropped).
		if status, _ := e.jsonReq(t, http.MethodPut, "/api/v1/walls/energy/excluded", op, map[string]any{"application_nos": []string{}}); status != http.StatusOK {
			t.Fatal("clear exclusions")
		}
		if _, m = e.getJSON(t, "/api/v1/walls/energy/screen"); m["total"].(float64) != 2 {
			t.Errorf("screen after a change: %v", m["total"])
		}
		// The public page links carry the channel.
		r = e.get(t, "/walls/energy")
		mustContain(t, "wall page", r.body, "/patents/"+fx.hostile.ApplicationNo+"?via=wall%3aenergy")
	})
}

func TestSupermarketAPI(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		office := e.token(t, p.operator)
		agencyOrg := e.addOrg(t, market.KindAgency, "张江知识产权服务中心", 107, true)
		otherAgency := e.addOrg(t, market.KindAgency, "另一服务机构", 108, true)
		agency := e.token(t, e.addUser(t, &agencyOrg, market.RoleOperator, "op@agency.example.cn"))
		body := map[string]any{"slug": "zj", "name": "张江专利超市", "district": "浦东新区", "park": "张江科学城",
			"agency_uscc": agencyOrg.USCC, "max_price_yuan": 200000, "price_bands_yuan": []any{10000, "50000", 200000}}
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/supermarkets", agency, body); status != http.StatusForbidden {
			t.Fatalf("agency opened a supermarket: %d %v", status, m)
		}
		bad := map[string]any{"slug": "zj", "name": "张江专利超市", "district": "浦东新区", "agency_uscc": agencyOrg.USCC,
			"max_price_yuan": 100000, "price_bands_yuan": []any{50000, 10000}}
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/supermarkets", office, bad); status != http.StatusUnprocessableEntity || errField(m) != "price_bands_yuan[1]" {
			t.Fatalf("bands out of order: %d %v", status, m)
		}
		status, m := e.jsonReq(t, http.MethodPost, "/api/v1/supermarkets", office, body)
		if status != http.StatusCreated || m["agency_uscc"] != agencyOrg.USCC || m["district"] != "310115" {
			t.Fatalf("open: %d %v", status, m)
		}
		// The agency may not change the district or the agency.
		for field, v := range map[string]any{"district": "徐汇区", "agency_uscc": otherAgency.USCC} {
			b := map[string]any{"slug": "zj", "name": "张江专利超市", field: v}
			if status, m := e.jsonReq(t, http.MethodPut, "/api/v1/supermarkets/zj", agency, b); status != http.StatusUnprocessableEntity || errField(m) != field {
				t.Errorf("agency changing %s: %d %v", field, status, m)
			}
		}
		shelves := []map[string]any{
			{"key": "energy", "title": "新能源", "rules": map[string]any{"industries": []string{"新能源"}}, "pins": []string{e.fx.hostile.ApplicationNo}, "max_price_yuan": "50000"},
			{"key": "ai", "title": "人工智能", "rules": map[string]any{"industries": []string{"人工智能"}}},
		}
		b, _ := json.Marshal(shelves)
		req := httptest.NewRequest(http.MethodPut, "/api/v1/supermarkets/zj/shelves", strings.NewReader(string(b)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+agency)
		if r := e.do(t, req); r.status != http.StatusOK {
			t.Fatalf("shelves: %d %s", r.status, r.body)
		}
		r := e.get(t, "/api/v1/supermarkets/zj/shelves")
		if r.status != http.StatusOK || strings.Index(r.body, `"key":"energy"`) > strings.Index(r.body, `"key":"ai"`) || !strings.Contains(r.body, `"max_price_yuan":"50000.00"`) {
			t.Fatalf("shelves read back: %d %s", r.status, r.body)
		}
		// The public page shows the stocked shelves with channel links.
		r = e.get(t, "/supermarkets/zj")
		mustContain(t, "supermarket", r.body, "新能源", "/patents/"+e.fx.hostile.ApplicationNo+"?via=supermarket%3azj")
	})
}

func TestOpenAPIDescribesChannels(t *testing.T) {
	e := sqliteEnv(t)
	r := e.get(t, "/api/v1/openapi.json")
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(r.body), &spec); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ path, method string }{
		{"/walls", "post"}, {"/walls/{slug}", "put"}, {"/walls/{slug}/pins", "put"}, {"/walls/{slug}/excluded", "put"},
		{"/walls/{slug}/patents", "get"}, {"/walls/{slug}/screen", "get"}, {"/supermarkets", "post"},
		{"/supermarkets/{slug}", "put"}, {"/supermarkets/{slug}/shelves", "put"}, {"/supermarkets/{slug}/shelves", "get"},
	} {
		if _, ok := spec.Paths[p.path][p.method]; !ok {
			t.Errorf("openapi.json lacks %s %s", strings.ToUpper(p.method), p.path)
		}
	}
}

// The operator pages: a wall built and edited through forms (errors shown beside their fields, nothing
// saved), pinned from search results; a supermarket's shelves stocked through one form; others refused.
func TestOperatorPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		e.addUser(t, &p.assoc, market.RoleOperator, "op@assoc.example.cn")
		other := e.addOrg(t, market.KindAssociation, "另一行业协会", 106, true)
		e.addUser(t, &other, market.RoleOperator, "op@other.example.cn")
		cl := e.client()
		cl.login(t, "op@assoc.example.cn")
		r := cl.get(t, "/operator/")
		mustContain(t, "operator index", r.body, "我的专利墙", `href="/operator/walls/new"`)

		r = cl.submit(t, "/operator/walls/new", "/operator/walls", url.Values{"slug": {"energy"}, "name": {"能源墙"},
			"industries": {"新能源"}, "ipc": {"H01M, X99"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad IPC: %d", r.status)
		}
		mustContain(t, "bad IPC", r.body, "IPC 前缀“X99”格式错误", `aria-invalid="true"`)
		if n := e.count(t, &market.Wall{}, "slug = ?", "energy"); n != 0 {
			t.Fatalf("a refused wall was saved")
		}
		r = cl.submit(t, "/operator/walls/new", "/operator/walls", url.Values{"slug": {"energy"}, "name": {"能源墙"},
			"industries": {"新能源"}, "ipc": {"H01M"}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/operator/walls/energy?done=done.saved" {
			t.Fatalf("create: %d %q", r.status, r.header.Get("Location"))
		}
		// Pin from the search results: the form is on rows of live patents only.
		r = cl.get(t, "/search?q=")
		mustContain(t, "search", r.body, `action="/operator/pin"`)
		r = cl.submit(t, "/search?q=", "/operator/pin", url.Values{"wall": {"energy"}, "application_no": {e.fx.hostile.ApplicationNo}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("pin: %d %s", r.status, r.body)
		}
		r = cl.get(t, "/operator/walls/energy")
		mustContain(t, "edit page", r.body, e.fx.hostile.ApplicationNo, "开放许可中", `value="H01M"`)
		// Edit with the pins in another order and an unknown patent: refused, shown, nothing changed.
		r = cl.submit(t, "/operator/walls/energy", "/operator/walls/energy", url.Values{"slug": {"energy"}, "name": {"能源墙"},
			"industries": {"新能源"}, "pins": {e.fx.hostile.ApplicationNo + "\n" + e.fx.design.ApplicationNo}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad pins: %d", r.status)
		}
		mustContain(t, "bad pins", r.body, "没有生效中的开放许可声明")
		// The wall's page as visitors see it, and the operator's link to edit it.
		r = cl.get(t, "/walls/energy")
		mustContain(t, "wall page", r.body, `href="/operator/walls/energy"`, "置顶")

		// Another association's operator is refused the page and the form.
		cl2 := e.client()
		cl2.login(t, "op@other.example.cn")
		if r := cl2.get(t, "/operator/walls/energy"); r.status != http.StatusForbidden {
			t.Errorf("other association's operator: %d", r.status)
		}
		if r := cl2.submit(t, "/operator/", "/operator/pin", url.Values{"wall": {"energy"}, "application_no": {e.fx.battery.ApplicationNo}}); r.status != http.StatusForbidden {
			t.Errorf("other association pinning: %d", r.status)
		}
		// A holder is no operator.
		cl3 := e.client()
		cl3.login(t, p.holder.Email)
		if r := cl3.get(t, "/operator/"); r.status != http.StatusForbidden {
			t.Errorf("holder on /operator: %d", r.status)
		}

		// A supermarket's shelves through its form, by its office's operator.
		agency := e.addOrg(t, market.KindAgency, "张江知识产权服务中心", 107, true)
		status, m := e.jsonReq(t, http.MethodPost, "/api/v1/supermarkets", e.token(t, p.operator),
			map[string]any{"slug": "zj", "name": "张江专利超市", "district": "310115", "agency_uscc": agency.USCC})
		if status != http.StatusCreated {
			t.Fatalf("open: %d %v", status, m)
		}
		cl4 := e.client()
		cl4.login(t, p.operator.Email)
		r = cl4.submit(t, "/operator/supermarkets/zj", "/operator/supermarkets/zj/shelves", url.Values{"n": {"2"},
			"s0.key": {"bb"}, "s0.title": {"第二"}, "s0.position": {"2"},
			"s1.key": {"aa"}, "s1.title": {"第一"}, "s1.position": {"1"}, "s1.industries": {"新能源"}, "s1.max_price_yuan": {"1000"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("shelves form: %d %s", r.status, r.body)
		}
		r = e.get(t, "/api/v1/supermarkets/zj/shelves")
		if !strings.Contains(r.body, `"key":"aa"`) || strings.Index(r.body, `"key":"aa"`) > strings.Index(r.body, `"key":"bb"`) {
			t.Errorf("shelves from the form: %s", r.body)
		}
		r = cl4.submit(t, "/operator/supermarkets/zj", "/operator/supermarkets/zj", url.Values{"slug": {"zj"}, "name": {"张江专利超市"},
			"price_bands_yuan": {"50000, 10000"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("bands out of order: %d", r.status)
		}
		mustContain(t, "bands", r.body, "价格区间应从低到高排列")
	})
}
