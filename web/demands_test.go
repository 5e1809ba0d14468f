package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"patentwall/market"
)

// wallOperator adds an operator of the organisation running the fixture's wall "new-energy".
func (e *env) demandWallOperator(t *testing.T) market.User {
	t.Helper()
	_, org, err := e.store.WallBySlug(context.Background(), "new-energy")
	if err != nil {
		t.Fatal(err)
	}
	v := now
	if err := e.store.Gorm().Model(org).Update("verified_at", &v).Error; err != nil {
		t.Fatal(err)
	}
	return e.addUser(t, org, market.RoleOperator, "op@wall.example.cn")
}

func batteryDemand() map[string]any {
	return map[string]any{"title": "寻求锂电池电极材料技术", "description": "我们生产储能电池，希望电极材料能提高电池循环寿命。",
		"industry": "新能源", "ipc": "H01M 4/36", "budget_min_yuan": 10000, "budget_max_yuan": "500000", "deadline": "2024-12-31",
		"channel": "wall:new-energy"}
}

func TestDemandAPIPostModerateMatchEdit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		wallOp := e.demandWallOperator(t)
		corp, buyer, op, wop, holder := e.token(t, p.corp), e.token(t, p.buyer), e.token(t, p.operator), e.token(t, wallOp), e.token(t, p.holder)
		before := e.count(t, &market.Demand{}, "1 = 1")

		// Bad input: a clear error naming the field, nothing written.
		for field, edit := range map[string]func(m map[string]any){
			"budget_min_yuan": func(m map[string]any) { m["budget_min_yuan"] = "-10" },
			"deadline":        func(m map[string]any) { m["deadline"] = "2020-01-01" },
			"industry":        func(m map[string]any) { m["industry"] = "不存在的行业" },
			"ipc":             func(m map[string]any) { m["ipc"] = "XYZ" },
			"title":           func(m map[string]any) { m["title"] = "<script>\u202e" },
			"channel":         func(m map[string]any) { m["channel"] = "wall:none" },
		} {
			body := batteryDemand()
			edit(body)
			status, m := e.jsonReq(t, http.MethodPost, "/api/v1/demands", corp, body)
			if status != http.StatusUnprocessableEntity || errField(m) != field {
				t.Errorf("%s: %d %v", field, status, m)
			}
		}
		body := batteryDemand()
		body["budget_min_yuan"] = "600000"
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/demands", corp, body); status != http.StatusUnprocessableEntity || errField(m) != "budget_min_yuan" {
			t.Errorf("min above max: %d %v", status, m)
		}
		if n := e.count(t, &market.Demand{}, "1 = 1"); n != before {
			t.Fatalf("bad input wrote %d demands", n-before)
		}
		if status, _ := e.jsonReq(t, http.MethodPost, "/api/v1/demands", "", batteryDemand()); status != http.StatusUnauthorized {
			t.Errorf("anonymous post: %d", status)
		}

		status, m := e.jsonReq(t, http.MethodPost, "/api/v1/demands", corp, batteryDemand())
		if status != http.StatusCreated || m["status"] != "pending" || m["budget_max_yuan"] != 500000.0 {
			t.Fatalf("post: %d %v", status, m)
		}
		id := fmt.Sprint(m["id"])
		if status, _ := e.getJSON(t, "/api/v1/demands/"+id); status != http.StatusNotFound {
			t.Errorf("pending demand public: %d", status)
		}
		// An operator of another organisation, a licensee: refused.
		mod := map[string]string{"decision": "approve"}
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/demands/"+id+"/moderate", op, mod); status != http.StatusForbidden || errCode(m) != market.CodeNotModerator {
			t.Errorf("other operator: %d %v", status, m)
		}
		if status, _ := e.jsonReq(t, http.MethodPost, "/api/v1/demands/"+id+"/moderate", buyer, mod); status != http.StatusForbidden {
			t.Errorf("licensee moderated: %d", status)
		}
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/demands/"+id+"/moderate", wop, mod); status != http.StatusOK || m["status"] != "open" {
			t.Fatalf("wall operator: %d %v", status, m)
		}
		if status, m := e.getJSON(t, "/api/v1/demands/"+id); status != http.StatusOK || m["title"] != "寻求锂电池电极材料技术" {
			t.Errorf("public demand: %d %v", status, m)
		}

		// Matches: the battery patent first, with its reasons.
		status, m = e.getJSON(t, "/api/v1/demands/"+id+"/matches?limit=5")
		ms, _ := m["matches"].([]any)
		if status != http.StatusOK || len(ms) == 0 {
			t.Fatalf("matches: %d %v", status, m)
		}
		first := ms[0].(map[string]any)
		if first["application_no"] != e.fx.battery.ApplicationNo || !strings.Contains(fmt.Sprint(first["highlight"]), "<mark>") ||
			!strings.HasSuffix(fmt.Sprint(first["url"]), "?via=demand:"+id) {
			t.Errorf("first match: %v", first)
		}
		codes := map[string]bool{}
		for _, r := range first["reasons"].([]any) {
			codes[r.(map[string]any)["code"].(string)] = true
		}
		for _, want := range []string{"text", "ipc", "industry", "free", "holder_kind"} {
			if !codes[want] {
				t.Errorf("reason %s missing: %v", want, first["reasons"])
			}
		}

		// The holder sees the demand on its patent; another organisation may not ask.
		path := "/api/v1/patents/" + e.fx.battery.ApplicationNo + "/demands"
		status, m = e.jsonReq(t, http.MethodGet, path, holder, nil)
		if ds, _ := m["demands"].([]any); status != http.StatusOK || len(ds) == 0 || fmt.Sprint(ds[0].(map[string]any)["id"]) != id {
			t.Errorf("holder's demands: %d %v", status, m)
		}
		if status, _ := e.jsonReq(t, http.MethodGet, path, buyer, nil); status != http.StatusForbidden {
			t.Errorf("another org's patent demands: %d", status)
		}

		// Only the poster edits or closes; an edit goes back to moderation.
		edit := batteryDemand()
		edit["title"] = "寻求高循环寿命锂电池电极材料"
		if status, _ := e.jsonReq(t, http.MethodPut, "/api/v1/demands/"+id, buyer, edit); status != http.StatusForbidden {
			t.Errorf("other org edited: %d", status)
		}
		if status, _ := e.jsonReq(t, http.MethodPost, "/api/v1/demands/"+id+"/close", buyer, nil); status != http.StatusForbidden {
			t.Errorf("other org closed: %d", status)
		}
		if status, m := e.jsonReq(t, http.MethodPut, "/api/v1/demands/"+id, corp, edit); status != http.StatusOK || m["status"] != "pending" {
			t.Errorf("edit: %d %v", status, m)
		}
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/demands/"+id+"/close", corp, map[string]string{"contract_no": "KF00000000-000000"}); status != http.StatusUnprocessableEntity || errField(m) != "contract_no" {
			t.Errorf("close with unknown contract: %d %v", status, m)
		}
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/demands/"+id+"/close", corp, nil); status != http.StatusOK || m["status"] != "closed" {
			t.Errorf("close: %d %v", status, m)
		}
		// The board lists approved demands only, filtered.
		status, m = e.getJSON(t, "/api/v1/demands?status=closed&q="+url.QueryEscape("循环寿命"))
		if ds, _ := m["demands"].([]any); status != http.StatusOK || len(ds) != 1 {
			t.Errorf("board: %d %v", status, m)
		}
		if status, _ := e.getJSON(t, "/api/v1/demands?status=pending"); status != http.StatusBadRequest {
			t.Errorf("board of pending demands: %d", status)
		}
	})
}

func TestSavedSearchesAndNotificationsAPI(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		tok, other := e.token(t, p.buyer), e.token(t, p.corp)
		for _, bad := range []string{"q=%zz", "district=火星", "colour=red", "fee_model=cheap", "max_fee_yuan=-1"} {
			status, m := e.jsonReq(t, http.MethodPost, "/api/v1/saved-searches", tok, map[string]string{"name": "x", "query": bad})
			if status != http.StatusUnprocessableEntity || errField(m) != "query" {
				t.Errorf("query %q: %d %v", bad, status, m)
			}
		}
		if n := e.count(t, &market.SavedSearch{}, "1 = 1"); n != 0 {
			t.Fatalf("bad queries saved %d", n)
		}
		status, m := e.jsonReq(t, http.MethodPost, "/api/v1/saved-searches", tok, map[string]string{"name": "电池", "query": "?q=电池&industry=新能源"})
		if status != http.StatusCreated || m["query"] != "industry=%E6%96%B0%E8%83%BD%E6%BA%90&q=%E7%94%B5%E6%B1%A0" {
			t.Fatalf("save: %d %v", status, m)
		}
		id := fmt.Sprint(m["id"])
		if status, m := e.jsonReq(t, http.MethodGet, "/api/v1/saved-searches", tok, nil); status != http.StatusOK || len(m["saved_searches"].([]any)) != 1 {
			t.Errorf("list: %d %v", status, m)
		}
		if status, _ := e.jsonReq(t, http.MethodDelete, "/api/v1/saved-searches/"+id, other, nil); status != http.StatusNotFound {
			t.Errorf("another user's delete: %d", status)
		}
		if status, _ := e.jsonReq(t, http.MethodDelete, "/api/v1/saved-searches/"+id, tok, nil); status != http.StatusNoContent {
			t.Errorf("delete: %d", status)
		}

		// Notifications: two for the buyer's organisation, one for another user of it only.
		uid := p.buyer.ID
		for _, n := range []market.Notification{{OrgID: p.buyerOrg.ID, Kind: "x", Subject: "给全单位", CreatedAt: now},
			{OrgID: p.buyerOrg.ID, UserID: &uid, Kind: market.NoticeNewMatches, Subject: "给本人", CreatedAt: now}} {
			if err := e.store.Gorm().Create(&n).Error; err != nil {
				t.Fatal(err)
			}
		}
		status, m = e.jsonReq(t, http.MethodGet, "/api/v1/notifications?unread=true", tok, nil)
		ns, _ := m["notifications"].([]any)
		if status != http.StatusOK || len(ns) != 2 || m["unread"] != 2.0 {
			t.Fatalf("notifications: %d %v", status, m)
		}
		nid := ns[0].(map[string]any)["id"]
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/notifications/read", other, map[string]any{"ids": []any{nid}}); status != http.StatusNotFound {
			t.Errorf("another org read it: %d %v", status, m)
		}
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/notifications/read", tok, map[string]any{"ids": []any{nid}}); status != http.StatusOK || m["unread"] != 1.0 {
			t.Errorf("read one: %d %v", status, m)
		}
		if status, _ := e.jsonReq(t, http.MethodGet, "/api/v1/notifications?unread=maybe", tok, nil); status != http.StatusBadRequest {
			t.Errorf("bad unread: %d", status)
		}
	})
}

func TestDemandPagesPostApproveMatchHolderAnalysis(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	wallOp := e.demandWallOperator(t)
	sme, opc, hc := e.client(), e.client(), e.client()
	sme.login(t, p.corp.Email)
	opc.login(t, wallOp.Email)
	hc.login(t, p.holder.Email)

	form := url.Values{"title": {"寻求锂电池电极材料技术"}, "description": {"我们生产储能电池，希望电极材料能提高电池循环寿命。"},
		"industry": {"新能源"}, "ipc": {"H01M"}, "budget_min_yuan": {"100"}, "budget_max_yuan": {"5"}, "deadline": {"2024-12-31"},
		"channel": {"wall:new-energy"}}
	r := sme.submit(t, "/demands/new", "/demands", form)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("min above max: %d", r.status)
	}
	mustContain(t, "form error", r.body, "预算下限不能高于预算上限", `aria-invalid="true"`)
	form.Set("budget_max_yuan", "500000")
	r = sme.submit(t, "/demands/new", "/demands", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("post: %d %.300s", r.status, r.body)
	}
	loc := r.header.Get("Location")
	path := strings.SplitN(loc, "?", 2)[0]
	mustContain(t, "pending page", sme.get(t, loc).body, "待审核")

	r = opc.get(t, "/operator/demands")
	mustContain(t, "queue", r.body, "寻求锂电池电极材料技术")
	r = opc.submit(t, "/operator/demands", path+"/moderate", url.Values{"decision": {"approve"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d %.300s", r.status, r.body)
	}
	r = sme.get(t, path)
	mustContain(t, "demand page", r.body, "匹配的专利", "?via=demand:", "<mark>", e.fx.battery.ApplicationNo, "共同关键词")
	// The SME was told of the approval; the bell shows it.
	mustContain(t, "bell", r.body, `class="bell"`, "bell-count")

	r = hc.get(t, "/patents/"+e.fx.battery.ApplicationNo)
	mustContain(t, "holder's patent page", r.body, "本专利可满足的技术需求", "寻求锂电池电极材料技术")
	mustNotContain(t, "visitor's patent page", e.get(t, "/patents/"+e.fx.battery.ApplicationNo).body, "本专利可满足的技术需求")
	mustContain(t, "holder's dashboard", hc.get(t, "/account").body, "贵单位专利可满足的技术需求", "寻求锂电池电极材料技术")

	r = opc.get(t, "/operator/demands/analysis")
	if r.status != http.StatusOK {
		t.Fatalf("analysis: %d %.300s", r.status, r.body)
	}
	mustContain(t, "analysis", r.body, "<svg", "需求大于供给", "新能源")
	r = opc.get(t, "/operator/demands/analysis?channel=wall:new-energy&format=csv")
	if r.status != http.StatusOK || !strings.HasPrefix(r.body, "demand_id,title,") || !strings.Contains(r.body, "寻求锂电池电极材料技术") {
		t.Errorf("csv: %d %.200s", r.status, r.body)
	}
	r = opc.get(t, "/operator/demands/analysis?channel=wall:new-energy&format=xlsx")
	if r.status != http.StatusOK || !strings.HasPrefix(r.body, "PK") {
		t.Errorf("xlsx: %d", r.status)
	}
	// Another operator's channel and non-operators are refused.
	other := e.client()
	other.login(t, p.operator.Email)
	if r := other.get(t, "/operator/demands/analysis?channel=wall:new-energy"); r.status != http.StatusForbidden {
		t.Errorf("other operator's analysis: %d", r.status)
	}
	if r := sme.get(t, "/operator/demands/analysis"); r.status != http.StatusForbidden {
		t.Errorf("SME analysis: %d", r.status)
	}

	// Saving a search from the search page, then the list.
	r = sme.submit(t, "/search?q="+url.QueryEscape("电池"), "/saved-searches", url.Values{"name": {"电池"}, "query": {"q=电池"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save search: %d %.300s", r.status, r.body)
	}
	mustContain(t, "saved searches", sme.get(t, "/saved-searches").body, "q=%E7%94%B5%E6%B1%A0")
	r = sme.submit(t, "/saved-searches", "/saved-searches", url.Values{"query": {"district=火星"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("bad saved search: %d", r.status)
	}
	mustContain(t, "notifications page", sme.get(t, "/notifications").body, "技术需求已发布")
}

// TestOpenAPIDescribesDemands checks the spec names the demand, saved-search and notification paths.
func TestOpenAPIDescribesDemands(t *testing.T) {
	e := sqliteEnv(t)
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(e.get(t, "/api/v1/openapi.json").body), &spec); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ path, method string }{
		{"/demands", "get"}, {"/demands", "post"}, {"/demands/{id}", "get"}, {"/demands/{id}", "put"},
		{"/demands/{id}/moderate", "post"}, {"/demands/{id}/close", "post"}, {"/demands/{id}/matches", "get"},
		{"/patents/{application_no}/demands", "get"}, {"/saved-searches", "post"}, {"/saved-searches", "get"},
		{"/saved-searches/{id}", "delete"}, {"/notifications", "get"}, {"/notifications/read", "post"},
	} {
		if _, ok := spec.Paths[p.path][p.method]; !ok {
			t.Errorf("openapi.json lacks %s %s", strings.ToUpper(p.method), p.path)
		}
	}
}
