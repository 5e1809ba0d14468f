package web_test

// FuzzAPIBodies sends fuzzed bodies to the POST, PUT, PATCH and DELETE routes under /api/v1 (taken from
// the app's route table; the input picks the route, and the seeds give each route its realistic bodies
// and a share of malformed ones), as a user with the role the route is for, and checks the answer the API
// promises (docs/interfaces.md): never a 5xx, always JSON, an error carries a code (web/errors.go) and,
// as a field's error (422), names the field. The env is built once per fuzz process; the bodies that
// succeed change its data as they would on the site.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/market/markettest"
)

// apiFuzzTarget is one route to fuzz: a concrete path and how to get the bearer token of its caller.
type apiFuzzTarget struct {
	method, route, path string
	token               func(t testing.TB) string // "" for routes without authentication
}

// apiFuzzEnv builds the env and resolves every mutating /api/v1 route of the app to a target.
func apiFuzzEnv(tb testing.TB) (*env, []apiFuzzTarget) {
	e := newEnv(tb, markettest.SQLite(tb))
	p := e.people(tb)
	db := e.store.Gorm()

	// The fixture's association runs the new-energy wall and its district office the Pudong supermarket.
	orgUser := func(usccOf, role, email string) market.User {
		var o market.Organisation
		if err := db.Where("uscc = ?", usccOf).Take(&o).Error; err != nil {
			tb.Fatal(err)
		}
		if err := db.Model(&o).Update("verified_at", now).Error; err != nil {
			tb.Fatal(err)
		}
		return e.addUser(tb, &o, role, email)
	}
	wallOp := orgUser(uscc("51", 4), market.RoleOperator, "op@newenergy.example.cn")
	marketOp := orgUser(uscc("11", 5), market.RoleOperator, "op@pudong-office.example.cn")

	tok := map[string]string{}
	for name, u := range map[string]market.User{"holder": p.holder, "corp": p.corp, "buyer": p.buyer, "admin": p.admin,
		"bureau": p.bureau, "wall": wallOp, "market": marketOp} {
		tok[name] = e.token(tb, u)
	}
	as := func(name string) func(testing.TB) string { return func(testing.TB) string { return tok[name] } }

	// A contract (the buyer accepts the battery's free licence) and an intent (on the vision patent,
	// once offered for transfer) for the routes about one.
	var declID int64
	if err := db.Model(&market.Declaration{}).Where("patent_id = ? AND status = ?", e.fx.battery.ID, market.DeclLive).
		Pluck("id", &declID).Error; err != nil || declID == 0 {
		tb.Fatalf("battery declaration: %d %v", declID, err)
	}
	st, m := e.jsonReq(tb, http.MethodPost, "/api/v1/licences", tok["buyer"], map[string]any{
		"application_no": e.fx.battery.ApplicationNo, "declaration_id": declID, "idempotency_key": "fuzz-setup"})
	contractNo, _ := m["contract_no"].(string)
	if st != http.StatusCreated || contractNo == "" {
		tb.Fatalf("setup licence: %d %v", st, m)
	}
	if st, m = e.jsonReq(tb, http.MethodPut, "/api/v1/patents/"+e.fx.vision.ApplicationNo+"/offer", tok["corp"],
		map[string]any{"transfer_price_yuan": "60000"}); st != http.StatusOK {
		tb.Fatalf("setup offer: %d %v", st, m)
	}
	st, m = e.jsonReq(tb, http.MethodPost, "/api/v1/intents", tok["buyer"], map[string]any{
		"application_no": e.fx.vision.ApplicationNo, "kind": "transfer", "message": "希望受让"})
	intentID, _ := m["id"].(float64)
	if st != http.StatusCreated || intentID == 0 {
		tb.Fatalf("setup intent: %d %v", st, m)
	}
	var demandID int64
	if err := db.Model(&market.Demand{}).Where("org_id = ?", e.fx.corp.ID).Order("id").Limit(1).Pluck("id", &demandID).Error; err != nil {
		tb.Fatal(err)
	}

	// Who calls each route, and the values of its parameters. A route missing here fails the setup, so
	// a new endpoint cannot go unfuzzed.
	callers := map[string]func(testing.TB) string{
		"POST /api/v1/tokens":   nil,
		"POST /api/v1/register": nil,
		// Revoking the current token: a fresh one each time, made directly (logins are rate-limited).
		"DELETE /api/v1/tokens/current": func(t testing.TB) string {
			raw, _, err := e.store.CreateAPITokenFor(context.Background(), market.Actor{UserID: p.buyer.ID}, "fuzz")
			if err != nil {
				t.Fatal(err)
			}
			return raw
		},
		"POST /api/v1/orgs/:uscc/verify":                  as("bureau"),
		"POST /api/v1/patents":                            as("holder"),
		"PUT /api/v1/patents/:no/declaration":             as("holder"),
		"DELETE /api/v1/patents/:no/declaration":          as("holder"),
		"POST /api/v1/licences":                           as("buyer"),
		"POST /api/v1/contracts/:no/payments":             as("buyer"),
		"POST /api/v1/contracts/:no/payments/:id/confirm": as("holder"),
		"POST /api/v1/contracts/:no/filing":               as("holder"),
		"POST /api/v1/contracts/:no/registration":         as("holder"),
		"POST /api/v1/bureau/rounds/:id/runs":             as("bureau"),
		"POST /api/v1/walls":                              as("wall"),
		"PUT /api/v1/walls/:slug":                         as("wall"),
		"PUT /api/v1/walls/:slug/pins":                    as("wall"),
		"PUT /api/v1/walls/:slug/excluded":                as("wall"),
		"POST /api/v1/supermarkets":                       as("market"),
		"PUT /api/v1/supermarkets/:slug":                  as("market"),
		"PUT /api/v1/supermarkets/:slug/shelves":          as("market"),
		"PUT /api/v1/patents/:no/offer":                   as("corp"),
		"POST /api/v1/intents":                            as("buyer"),
		"POST /api/v1/intents/:id/messages":               as("buyer"),
		"POST /api/v1/intents/:id/decline":                as("corp"),
		"POST /api/v1/intents/:id/withdraw":               as("buyer"),
		"POST /api/v1/intents/:id/deal":                   as("corp"),
		"PUT /api/v1/channels/:channel/targets":           as("bureau"),
		"POST /api/v1/demands":                            as("corp"),
		"PUT /api/v1/demands/:id":                         as("corp"),
		"POST /api/v1/demands/:id/moderate":               as("bureau"),
		"POST /api/v1/demands/:id/close":                  as("corp"),
		"POST /api/v1/saved-searches":                     as("buyer"),
		"DELETE /api/v1/saved-searches/:id":               as("buyer"),
		"POST /api/v1/notifications/read":                 as("buyer"),
	}
	params := func(route string) string {
		r := strings.NewReplacer(":uscc", p.unverOrg.USCC, ":slug", "new-energy", ":channel", "wall:new-energy")
		switch {
		case strings.HasPrefix(route, "/api/v1/patents/:no/offer"):
			route = strings.Replace(route, ":no", e.fx.vision.ApplicationNo, 1)
		case strings.HasPrefix(route, "/api/v1/patents/"):
			route = strings.Replace(route, ":no", e.fx.battery.ApplicationNo, 1)
		case strings.HasPrefix(route, "/api/v1/contracts/"):
			route = strings.Replace(strings.Replace(route, ":no", contractNo, 1), ":id", "1", 1)
		case strings.HasPrefix(route, "/api/v1/intents/"):
			route = strings.Replace(route, ":id", fmt.Sprint(int64(intentID)), 1)
		case strings.HasPrefix(route, "/api/v1/demands/"):
			route = strings.Replace(route, ":id", fmt.Sprint(demandID), 1)
		case strings.HasPrefix(route, "/api/v1/supermarkets/"):
			route = strings.Replace(route, ":slug", "pudong", 1)
		}
		return strings.Replace(r.Replace(route), ":id", "1", 1)
	}
	var targets []apiFuzzTarget
	seen := map[string]bool{}
	for _, r := range e.app.Fiber.GetRoutes(true) {
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			continue
		}
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		key := r.Method + " " + r.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		caller, ok := callers[key]
		if !ok {
			tb.Fatalf("route %s has no caller in FuzzAPIBodies: add it", key)
		}
		targets = append(targets, apiFuzzTarget{method: r.Method, route: r.Path, path: params(r.Path), token: caller})
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].method+targets[i].route < targets[j].method+targets[j].route })
	if len(targets) < len(callers) {
		var missing []string
		for k := range callers {
			if !seen[k] {
				missing = append(missing, k)
			}
		}
		tb.Fatalf("FuzzAPIBodies lists routes the app does not have: %v", missing)
	}
	return e, targets
}

// apiFuzzBodies are realistic bodies of the routes that take one (docs/interfaces.md §5).
var apiFuzzBodies = map[string][]string{
	"POST /api/v1/tokens": {`{"email":"buyer@buyer.example.cn","password":"correct horse battery"}`},
	"POST /api/v1/register": {`{"org":{"uscc":"91310115MA1K4B8R3H","name":"上海新测试科技有限公司","kind":"enterprise","district":"浦东新区",` +
		`"address":"张江路 1 号","legal_rep":"李四","founded_on":"2019-01-02"},` +
		`"sme":{"industry":"software","employees":"50","revenue_yuan":"1000000","assets_yuan":"500000","year":"2023"},` +
		`"user":{"name":"新用户","email":"new@example.cn","password":"a long enough password"},"accept_uscc_warning":true}`},
	"POST /api/v1/patents": {`{"application_no":"CN202110123456.7","title":"一种测试装置","abstract":"摘要","type":"invention",` +
		`"ipc":"G06F 16/9535;H04L9/32","filing_date":"2021-01-05","grant_date":"2022-02-01","status":"granted","industry":"人工智能"}`},
	"PUT /api/v1/patents/:no/declaration": {`{"fee_model":"lump_sum","fee_yuan":"5000","term_months":36}`,
		`{"fee_model":"entry_plus_royalty","entry_fee_yuan":1000.5,"royalty_percent":"3.5","royalty_base":"profit","term_months":12}`},
	"POST /api/v1/licences":                   {`{"application_no":"202010566088.9","idempotency_key":"k-1","declaration_id":1,"via":"wall:new-energy"}`},
	"POST /api/v1/contracts/:no/payments":     {`{"amount_yuan":"1234.50","paid_on":"2024-05-01","reference":"BANK-1","idempotency_key":"p-1"}`},
	"POST /api/v1/contracts/:no/filing":       {`{"filing_no":"F-2024-001","filed_on":"2024-05-10"}`},
	"POST /api/v1/contracts/:no/registration": {`{"registration_no":"R-2024-1","registered_on":"2024-05-20"}`},
	"POST /api/v1/bureau/rounds/:id/runs":     {`{"as_of":"2024-05-01"}`},
	"POST /api/v1/walls": {`{"slug":"ai","name":"人工智能墙","name_en":"AI wall","description":"d",` +
		`"rules":{"industries":["人工智能"],"ipc":["G06N"],"keywords":["视觉"],"holder_kinds":["university"],"districts":["310115"]}}`},
	"PUT /api/v1/walls/:slug":          {`{"slug":"new-energy","name":"新能源专利墙","name_en":"New energy","rules":{"industries":["新能源"]}}`},
	"PUT /api/v1/walls/:slug/pins":     {`{"application_nos":["202010566088.9","CN202110100200.3"]}`},
	"PUT /api/v1/walls/:slug/excluded": {`{"application_nos":["202010566088.9"]}`},
	"POST /api/v1/supermarkets": {`{"slug":"pudong-2","name":"张江超市","name_en":"Zhangjiang","district":"浦东新区","park":"张江",` +
		`"agency_uscc":"","max_price_yuan":"100000","price_bands_yuan":["1000","50000"]}`},
	"PUT /api/v1/supermarkets/:slug": {`{"slug":"pudong","name":"浦东专利超市","name_en":"Pudong","district":"310115","park":"张江科学城"}`},
	"PUT /api/v1/supermarkets/:slug/shelves": {`[{"key":"ai","title":"人工智能","rules":{"industries":["人工智能"]},` +
		`"pins":["202010566088.9"],"max_price_yuan":"5000"}]`},
	"PUT /api/v1/patents/:no/offer":     {`{"transfer_price_yuan":60000,"negotiable_licence":true}`},
	"POST /api/v1/intents":              {`{"application_no":"202110100200.3","kind":"transfer","offer_yuan":50000,"message":"希望受让","via":"wall:new-energy"}`},
	"POST /api/v1/intents/:id/messages": {`{"body":"<script>alert(1)</script>"}`, `{"body":"可以面谈"}`},
	"POST /api/v1/intents/:id/deal":     {`{"fee_yuan":"55000","signed_on":"2024-05-19","effective_on":"2024-05-20"}`},
	"PUT /api/v1/channels/:channel/targets": {`{"from":"2024-01-01","to":"2024-12-31","listings":10,"intents":5,"contracts":2,"smes":3,` +
		`"turnover_yuan":"100000"}`},
	"POST /api/v1/demands": {`{"title":"寻求电池热管理技术","description":"需要低成本方案","industry":"新能源","ipc":"H01M",` +
		`"budget_min_yuan":"1000","budget_max_yuan":"100000","deadline":"2024-12-31","channel":"wall:new-energy"}`},
	"PUT /api/v1/demands/:id":           {`{"title":"寻求电池热管理技术","description":"需要低成本方案","industry":"新能源"}`},
	"POST /api/v1/demands/:id/moderate": {`{"decision":"approve","note":""}`},
	"POST /api/v1/demands/:id/close":    {`{"contract_no":"KF20240520-000001"}`},
	"POST /api/v1/saved-searches":       {`{"name":"电池","query":"q=电池&industry=新能源"}`},
	"POST /api/v1/notifications/read":   {`{"ids":[1,2,3]}`},
}

// apiFuzzMalformed are bodies no route accepts, each sent to a few routes.
var apiFuzzMalformed = []string{
	``, `null`, `[]`, `"x"`, `{`, `{"a":`, `{"fee_yuan":1e400}`, `{"term_months":-1}`, `{"term_months":1.5}`,
	`{"application_no":null}`, `{"fee_yuan":"12.345"}`, "{\"title\":\"\xff\xfe\"}", `{"title":"\u0000"}`,
	`{"filing_date":"0001-01-01"}`, `{"declaration_id":9223372036854775807}`, `{"ids":[-9223372036854775808]}`,
	`{"email":"a@b.c","email":"x"}`, `{"body":` + strings.Repeat(`[`, 2000) + `}`,
}

// FuzzAPIBodies: route selects the target (an index into the sorted route list), body is sent as is.
func FuzzAPIBodies(f *testing.F) {
	e, targets := apiFuzzEnv(f)
	keys := map[string]bool{}
	for i, tg := range targets {
		key := tg.method + " " + tg.route
		keys[key] = true
		f.Add(uint8(i), []byte(`{}`))
		for _, b := range apiFuzzBodies[key] {
			f.Add(uint8(i), []byte(b))
		}
	}
	for k := range apiFuzzBodies {
		if !keys[k] {
			f.Fatalf("apiFuzzBodies names %s, which is not a route", k)
		}
	}
	for j, b := range apiFuzzMalformed {
		for k := 0; k < 3; k++ {
			f.Add(uint8((j*7+k*13)%len(targets)), []byte(b))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		tg := targets[int(route)%len(targets)]
		req := httptest.NewRequest(tg.method, tg.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if tg.token != nil {
			req.Header.Set("Authorization", "Bearer "+tg.token(t))
		}
		resp, err := e.app.Fiber.Test(req, -1)
		if err != nil {
			t.Fatalf("%s %s: %v", tg.method, tg.path, err)
		}
		out, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		checkAPIAnswer(t, tg, resp, out, body)
	})
}

func checkAPIAnswer(t *testing.T, tg apiFuzzTarget, resp *http.Response, out, body []byte) {
	t.Helper()
	what := fmt.Sprintf("%s %s (%s) with body %q", tg.method, tg.path, tg.route, body)
	if resp.StatusCode >= 500 {
		t.Fatalf("%s: status %d: %s", what, resp.StatusCode, out)
	}
	if resp.StatusCode == http.StatusNoContent && len(out) == 0 {
		return
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s: status %d, content type %q: %.300s", what, resp.StatusCode, ct, out)
	}
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s: status %d, not JSON (%v): %.300s", what, resp.StatusCode, err, out)
	}
	if resp.StatusCode < 400 {
		return
	}
	m, _ := v.(map[string]any)
	e, _ := m["error"].(map[string]any)
	code, _ := e["code"].(string)
	msg, _ := e["message"].(string)
	field, _ := e["field"].(string)
	if code == "" || msg == "" {
		t.Fatalf("%s: status %d without an error code and message: %s", what, resp.StatusCode, out)
	}
	if resp.StatusCode == http.StatusUnprocessableEntity && field == "" {
		t.Fatalf("%s: a field's error (422) names no field: %s", what, out)
	}
}
