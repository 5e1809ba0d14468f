package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"patentwall/market"
)

// The roles of the matrix, in the order they act on each action.
var matrixRoles = []string{"anonymous", "holder", "otherHolder", "corp", "buyer", "unverified", "operator", "bureau", "admin"}

// expect gives an action's status per role; roles not listed get other.
type expect struct {
	other int
	by    map[string]int
}

func (x expect) status(role string) int {
	if s, ok := x.by[role]; ok {
		return s
	}
	return x.other
}

// TestRolesByActionsMatrix sends every protected action as every role, through the pages (session and
// CSRF token) and through the API (bearer token), and asserts each cell's status. Anonymous page
// requests are sent to the login page (303 to /login), anonymous API requests get 401.
func TestRolesByActionsMatrix(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		p := e.people(t)
		users := map[string]market.User{"holder": p.holder, "otherHolder": p.otherHolder, "corp": p.corp, "buyer": p.buyer,
			"unverified": p.unverified, "operator": p.operator, "bureau": p.bureau, "admin": p.admin}

		// Two contracts of the buyer: c1 awaits payment (licensor corp) with a recorded payment; c2 is
		// effective (licensor the university).
		buyerActor, err := e.store.Actor(ctx, p.buyer.ID)
		if err != nil {
			t.Fatal(err)
		}
		c1, _, err := e.store.AcceptLicence(ctx, buyerActor, e.fx.vision.ApplicationNo, "m1")
		if err != nil {
			t.Fatal(err)
		}
		pay, err := e.store.RecordPayment(ctx, buyerActor, c1.ContractNo, 1, market.DateOf(now), "M-PAY")
		if err != nil {
			t.Fatal(err)
		}
		c2, _, err := e.store.AcceptLicence(ctx, buyerActor, e.fx.battery.ApplicationNo, "m2")
		if err != nil {
			t.Fatal(err)
		}
		hosp := "/orgs/" + e.fx.hosp.USCC + "/verify"
		battery := e.fx.battery.ApplicationNo
		ct1, ct2 := "/contracts/"+c1.ContractNo, "/contracts/"+c2.ContractNo
		confirm := ct1 + "/payments/" + itoa64(pay.ID) + "/confirm"
		parties1 := map[string]int{"buyer": 200, "corp": 200, "bureau": 200, "anonymous": 303}
		parties2 := map[string]int{"buyer": 200, "holder": 200, "bureau": 200, "anonymous": 303}
		publishers := func(ok int) map[string]int {
			return map[string]int{"holder": ok, "otherHolder": ok, "corp": ok, "buyer": ok, "anonymous": 303}
		}

		type pageAction struct {
			name   string
			method string
			path   func(role string, i int) string
			form   func(role string, i int) url.Values
			want   expect
		}
		fixed := func(s string) func(string, int) string { return func(string, int) string { return s } }
		none := func(string, int) url.Values { return url.Values{} }
		pages := []pageAction{
			{"dashboard", "GET", fixed("/account"), nil, expect{200, map[string]int{"anonymous": 303}}},
			{"colleagues", "GET", fixed("/account/users"), nil, expect{200, map[string]int{"anonymous": 303, "bureau": 403, "admin": 403}}},
			{"mark notifications read", "POST", fixed("/account/notifications/read"), none, expect{303, map[string]int{"bureau": 403, "admin": 403}}},
			{"verification queue", "GET", fixed("/account/orgs"), nil, expect{403, map[string]int{"bureau": 200, "operator": 200, "anonymous": 303}}},
			{"verify an organisation", "POST", fixed("/account" + hosp), none, expect{403, map[string]int{"bureau": 303, "anonymous": 303}}}, // outside the operator's district
			{"SME decision", "POST", fixed("/account/orgs/" + p.buyerOrg.USCC + "/sme"), func(string, int) url.Values {
				return url.Values{"is_sme": {"1"}, "note": {"核实"}}
			}, expect{403, map[string]int{"bureau": 303, "anonymous": 303}}},
			{"edit page of a patent", "GET", fixed("/account/patents/" + battery), nil, expect{403, map[string]int{"holder": 200, "anonymous": 303}}},
			{"publish on a patent", "POST", fixed("/account/patents/" + battery + "/declaration"), func(string, int) url.Values {
				return url.Values{"fee_model": {"free"}, "term_months": {"36"}}
			}, expect{403, map[string]int{"holder": 303, "anonymous": 303}}},
			{"edit a patent", "POST", fixed("/account/patents/" + battery), func(string, int) url.Values {
				return url.Values{"title": {e.fx.battery.Title}, "abstract": {e.fx.battery.Abstract}, "ipc": {e.fx.battery.IPC}, "filing_date": {"2020-06-19"},
					"grant_date": {"2022-03-01"}, "status": {"granted"}, "industry": {"新能源"}}
			}, expect{403, map[string]int{"holder": 303, "anonymous": 303}}},
			{"create a patent", "POST", fixed("/account/patents"), func(_ string, i int) url.Values {
				return url.Values{"application_no": {appNo(2023, '1', 810000+i)}, "title": {"矩阵测试专利"}, "filing_date": {"2023-01-01"}, "status": {"pending"}}
			}, expect{403, publishers(303)}},
			{"upload page", "GET", fixed("/account/patents/import"), nil, expect{403, publishers(200)}},
			{"accept a licence", "POST", func(_ string, i int) string { return "/patents/" + e.fx.bulk[i].ApplicationNo + "/accept" }, func(role string, _ int) url.Values {
				return url.Values{"agree": {"1"}, "idempotency_key": {"matrix-" + role}}
			}, expect{403, map[string]int{"buyer": 303, "corp": 303, "anonymous": 303}}},
			{"read a contract", "GET", fixed(ct1), nil, expect{403, parties1}},
			{"print a contract", "GET", fixed(ct2 + "/print"), nil, expect{403, parties2}},
			{"record a payment", "POST", fixed(ct1 + "/payments"), func(string, int) url.Values {
				return url.Values{"amount_yuan": {"0.01"}, "paid_on": {"2024-05-20"}, "reference": {"M"}}
			}, expect{403, map[string]int{"buyer": 303, "anonymous": 303}}},
			{"confirm a payment", "POST", fixed(confirm), none, expect{403, map[string]int{"corp": 303, "anonymous": 303}}},
			{"record a filing", "POST", fixed(ct2 + "/filing"), func(string, int) url.Values {
				return url.Values{"filing_no": {"MATRIX-1"}, "filed_on": {"2024-05-20"}}
			}, expect{403, map[string]int{"holder": 303, "buyer": 303, "anonymous": 303}}},
		}

		clients := map[string]*client{}
		tokens, csrf := map[string]string{}, map[string]string{}
		for _, role := range matrixRoles {
			cl := e.client()
			var body string
			if role == "anonymous" {
				body = cl.get(t, "/login").body // the visitor's double-submit token
			} else {
				cl.login(t, users[role].Email)
				body = cl.get(t, "/account").body
				tokens[role] = e.token(t, users[role])
			}
			csrf[role] = csrfOf(t, body)
			clients[role] = cl
		}
		for _, a := range pages {
			for i, role := range matrixRoles {
				cl := clients[role]
				tok := csrf[role]
				var r response
				if a.method == "GET" {
					r = cl.get(t, a.path(role, i))
				} else {
					f := a.form(role, i)
					f.Set("_csrf", tok)
					r = cl.post(t, a.path(role, i), f)
				}
				want := a.want.status(role)
				if r.status != want {
					t.Errorf("page %s as %s: status %d, want %d (%.200s)", a.name, role, r.status, want, r.body)
					continue
				}
				toLogin := strings.HasPrefix(r.header.Get("Location"), "/login")
				if r.status == 303 && toLogin != (role == "anonymous") {
					t.Errorf("page %s as %s: redirected to %q", a.name, role, r.header.Get("Location"))
				}
			}
		}

		type apiAction struct {
			name, method string
			path         func(role string, i int) string
			body         func(role string, i int) any
			want         expect
		}
		apiOK := func(ok int, roles ...string) map[string]int {
			m := map[string]int{"anonymous": 401}
			for _, r := range roles {
				m[r] = ok
			}
			return m
		}
		apis := []apiAction{
			{"verify", "POST", fixed("/api/v1" + hosp), nil, expect{403, apiOK(200, "bureau")}}, // outside the operator's district
			{"publish", "PUT", fixed("/api/v1/patents/" + battery + "/declaration"), func(string, int) any {
				return map[string]any{"fee_model": "free", "term_months": 36}
			}, expect{403, apiOK(200, "holder")}},
			{"create patent", "POST", fixed("/api/v1/patents"), func(_ string, i int) any {
				return map[string]string{"application_no": appNo(2023, '1', 820000+i), "title": "接口矩阵专利", "filing_date": "2023-01-01", "status": "pending"}
			}, expect{403, apiOK(201, "holder", "otherHolder", "corp", "buyer")}},
			{"accept", "POST", fixed("/api/v1/licences"), func(role string, i int) any {
				return map[string]string{"application_no": e.fx.bulk[20+i].ApplicationNo, "idempotency_key": "api-" + role}
			}, expect{403, apiOK(201, "buyer", "corp")}},
			{"read contract", "GET", fixed("/api/v1" + ct1), nil, expect{403, apiOK(200, "buyer", "corp", "bureau")}},
			{"record payment", "POST", fixed("/api/v1" + ct1 + "/payments"), func(string, int) any {
				return map[string]string{"amount_yuan": "0.01", "paid_on": "2024-05-20", "reference": "API-M"}
			}, expect{403, apiOK(201, "buyer")}},
			{"confirm payment", "POST", fixed("/api/v1" + confirm), nil, expect{403, apiOK(200, "corp")}},
			{"record filing", "POST", fixed("/api/v1" + ct2 + "/filing"), func(string, int) any {
				return map[string]string{"filing_no": "MATRIX-1", "filed_on": "2024-05-20"}
			}, expect{403, apiOK(200, "holder", "buyer")}},
			{"withdraw", "DELETE", fixed("/api/v1/patents/" + battery + "/declaration"), nil, expect{403, apiOK(200, "holder")}},
			{"revoke own token", "DELETE", fixed("/api/v1/tokens/current"), nil, expect{204, map[string]int{"anonymous": 401}}},
		}
		for _, a := range apis {
			for i, role := range matrixRoles {
				var body any
				if a.body != nil {
					body = a.body(role, i)
				}
				status, m := e.jsonReq(t, a.method, a.path(role, i), tokens[role], body)
				if want := a.want.status(role); status != want {
					t.Errorf("API %s as %s: status %d, want %d (%v)", a.name, role, status, want, m)
				}
			}
		}

		// What the refused cells must not have done.
		var c market.Contract
		e.store.Gorm().First(&c, c1.ID)
		if c.Status != market.ContractAwaitingPayment {
			t.Errorf("c1 is %s", c.Status)
		}
		if n := e.count(t, &market.Payment{}, "contract_id = ?", c1.ID); n != 3 {
			t.Errorf("c1 has %d payments, want 3 (setup, page, API)", n)
		}
		if n := e.count(t, &market.Contract{}, "1 = 1"); n != 2+4 {
			t.Errorf("%d contracts, want 6", n)
		}
	})
}
