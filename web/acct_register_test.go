package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"patentwall/market"
)

// registration is a valid registration form of an SME (the USCC is filled in by the caller).
func registration(usccValue, email string) url.Values {
	return url.Values{
		"uscc": {usccValue}, "name": {"上海小微创新科技有限公司"}, "kind": {"enterprise"}, "district": {"310115"},
		"address": {"上海市浦东新区张江路 100 号"}, "legal_rep": {"李四"}, "phone": {"021-12345678"}, "email": {"info@smallco.example.cn"},
		"founded_on": {"2015-03-01"}, "sme.industry": {"software_it"}, "sme.employees": {"45"}, "sme.revenue_yuan": {"12000000"},
		"sme.assets_yuan": {"8000000.50"}, "sme.year": {"2023"},
		"user.name": {"王五"}, "user.email": {email}, "user.password": {testPassword},
	}
}

func TestRegisterShowsEachFieldMessageThenSucceeds(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cl := e.client()
		bad := registration("91310115MA1K4ABC", "not-an-email")
		bad.Set("user.password", "short")
		bad.Set("sme.revenue_yuan", "12.345")
		r := cl.submit(t, "/register", "/register", bad)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad registration: %d", r.status)
		}
		mustContain(t, "field messages", r.body,
			`id="e-uscc"`, "统一社会信用代码应为 18 位",
			`id="e-user.email"`, "电子邮箱格式不正确",
			`id="e-user.password"`, "密码至少 10 个字符",
			`id="e-sme.revenue_yuan"`, "最多保留两位小数",
			`value="上海小微创新科技有限公司"`) // typed values are kept
		mustNotContain(t, "password echoed", r.body, `value="short"`)
		if n := e.count(t, &market.Organisation{}, "name = ?", "上海小微创新科技有限公司"); n != 0 {
			t.Fatal("a refused registration was stored")
		}

		// A USCC whose check character fails is a warning the registrant can override.
		good := validUSCC("91", 555)
		wrong := good[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(strings.IndexByte("0123456789ABCDEFGHJKLMNPQRTUWXY", good[17])+1)%31])
		r = cl.submit(t, "/register", "/register", registration(wrong, "wang@smallco.example.cn"))
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("check digit: %d", r.status)
		}
		mustContain(t, "uscc warning", r.body, "统一社会信用代码校验未通过", `name="accept_uscc_warning"`)
		f := registration(wrong, "wang@smallco.example.cn")
		f.Set("accept_uscc_warning", "1")
		r = cl.submit(t, "/register", "/register", f)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account?done=done.registered" {
			t.Fatalf("registration: %d %q %.500s", r.status, r.header.Get("Location"), r.body)
		}
		org, err := e.store.OrgByUSCC(t.Context(), wrong)
		if err != nil {
			t.Fatal(err)
		}
		if org.Verified() || org.USCCWarning == "" || !org.IsSME || org.SMEIndustry != "software_it" || org.SMEAssetsFen != 800000050 {
			t.Fatalf("stored organisation: %+v", org)
		}
		// The new user is logged in and told it waits for verification.
		r = cl.get(t, "/account?done=done.registered")
		mustContain(t, "dashboard after registration", r.body, "注册成功", "贵单位尚未通过审核", "待审核")
	})
}

func TestAPIRegisterAndVerify(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		body := map[string]any{
			"org":  map[string]string{"uscc": validUSCC("91", 777), "name": "接口注册科技有限公司", "kind": "enterprise", "district": "浦东新区", "address": "上海市浦东新区 1 号", "legal_rep": "赵六"},
			"user": map[string]string{"name": "赵六", "email": "zhao@api.example.cn", "password": testPassword},
		}
		status, m := e.jsonReq(t, http.MethodPost, "/api/v1/register", "", body)
		if status != http.StatusCreated || m["verified"] != false || m["uscc"] != validUSCC("91", 777) || m["district"] != "310115" {
			t.Fatalf("register: %d %v", status, m)
		}
		status, m = e.jsonReq(t, http.MethodPost, "/api/v1/register", "", body)
		if status != http.StatusUnprocessableEntity || len(m["errors"].([]any)) != 2 {
			t.Fatalf("register twice: %d %v", status, m)
		}
		status, m = e.jsonReq(t, http.MethodPost, "/api/v1/register", "", map[string]any{"org": map[string]string{"kind": "bureau"}})
		if status != http.StatusUnprocessableEntity || errField(m) == "" {
			t.Fatalf("bad register: %d %v", status, m)
		}

		target := "/api/v1/orgs/" + validUSCC("91", 777) + "/verify"
		for _, who := range []market.User{p.holder, p.buyer, p.admin, p.unverified} {
			if status, _ := e.jsonReq(t, http.MethodPost, target, e.token(t, who), nil); status != http.StatusForbidden {
				t.Errorf("%s verifies: %d", who.Email, status)
			}
		}
		if status, _ := e.jsonReq(t, http.MethodPost, target, "", nil); status != http.StatusUnauthorized {
			t.Errorf("anonymous verifies: %d", status)
		}
		org, _ := e.store.OrgByUSCC(t.Context(), validUSCC("91", 777))
		if org.Verified() {
			t.Fatal("verified by someone not allowed")
		}
		status, m = e.jsonReq(t, http.MethodPost, target, e.token(t, p.operator), nil)
		if status != http.StatusOK || m["verified"] != true {
			t.Fatalf("operator verifies: %d %v", status, m)
		}
		if status, _ := e.jsonReq(t, http.MethodPost, "/api/v1/orgs/"+validUSCC("91", 778)+"/verify", e.token(t, p.bureau), nil); status != http.StatusNotFound {
			t.Errorf("unknown org: %d", status)
		}
	})
}

func TestBureauVerifiesAndDecidesSME(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		// Holders and unverified operators do not see the queue.
		holder := e.client()
		holder.login(t, p.holder.Email)
		if r := holder.get(t, "/account/orgs"); r.status != http.StatusForbidden {
			t.Fatalf("holder sees the queue: %d", r.status)
		}

		bureau := e.client()
		bureau.login(t, p.bureau.Email)
		r := bureau.get(t, "/account")
		mustContain(t, "bureau nav", r.body, `href="/account/orgs"`, "机构审核")
		r = bureau.get(t, "/account/orgs")
		mustContain(t, "queue", r.body, p.unverOrg.Name, e.fx.hosp.Name)
		r = bureau.submit(t, "/account/orgs", "/account/orgs/"+p.unverOrg.USCC+"/verify", url.Values{})
		if r.status != http.StatusSeeOther {
			t.Fatalf("verify: %d", r.status)
		}
		org, _ := e.store.OrgByUSCC(t.Context(), p.unverOrg.USCC)
		if !org.Verified() {
			t.Fatal("not verified")
		}
		r = bureau.get(t, r.header.Get("Location"))
		mustContain(t, "after verify", r.body, "机构已通过审核。")
		mustNotContain(t, "after verify", r.body, p.unverOrg.Name)

		// SME override needs a note; the decision is recorded.
		page := "/account/orgs/" + p.unverOrg.USCC
		r = bureau.submit(t, page, page+"/sme", url.Values{"is_sme": {"0"}, "note": {""}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("SME without note: %d", r.status)
		}
		mustContain(t, "SME note", r.body, `id="e-note"`, "请说明理由")
		r = bureau.submit(t, page, page+"/sme", url.Values{"is_sme": {"0"}, "note": {"营业收入超过标准（2023 年审计报告）"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("SME decision: %d", r.status)
		}
		org, _ = e.store.OrgByUSCC(t.Context(), p.unverOrg.USCC)
		if org.IsSME || !org.SMEConfirmed {
			t.Fatalf("SME decision not applied: %+v", org)
		}
		if n := e.count(t, &market.SMEDecision{}, "org_id = ? AND decided_by = ?", org.ID, p.bureau.ID); n != 1 {
			t.Fatalf("%d decisions recorded", n)
		}
		// Operators verify but do not decide SME status.
		op := e.client()
		op.login(t, p.operator.Email)
		r = op.submit(t, page, page+"/sme", url.Values{"is_sme": {"1"}, "note": {"x"}})
		if r.status != http.StatusForbidden {
			t.Fatalf("operator SME: %d", r.status)
		}
	})
}
