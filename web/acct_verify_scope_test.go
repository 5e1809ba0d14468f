package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"patentwall/market"
)

// A district office's operator sees in the queue only the organisations it may verify (its district, no
// operators), gets no verify button on the others' pages and is refused when it posts anyway; an
// association's operator has no queue at all (docs/rules.md §3).
func TestVerificationQueueScope(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		pudongCorp := e.addOrg(t, market.KindEnterprise, "浦东待审科技有限公司", 201, false)
		pudongAssoc := e.addOrg(t, market.KindAssociation, "浦东待审行业协会", 202, false)
		for _, o := range []market.Organisation{pudongCorp, pudongAssoc} {
			if err := e.store.Gorm().Model(&o).Update("district_code", "310115").Error; err != nil {
				t.Fatal(err)
			}
		}
		op := e.client()
		op.login(t, p.operator.Email)
		r := op.get(t, "/account/orgs")
		if r.status != http.StatusOK {
			t.Fatalf("queue: %d", r.status)
		}
		mustContain(t, "office queue", r.body, pudongCorp.Name, `action="/account/orgs/`+pudongCorp.USCC+`/verify"`)
		mustNotContain(t, "office queue", r.body, pudongAssoc.Name, p.unverOrg.Name, e.fx.hosp.Name)

		r = op.get(t, "/account/orgs/"+p.unverOrg.USCC)
		if r.status != http.StatusOK {
			t.Fatalf("another district's organisation: %d", r.status)
		}
		mustNotContain(t, "another district's organisation", r.body, `/verify"`)
		if r := op.post(t, "/account/orgs/"+p.unverOrg.USCC+"/verify", url.Values{"_csrf": {csrfOf(t, op.get(t, "/account/orgs").body)}}); r.status != http.StatusForbidden {
			t.Errorf("verify another district's organisation: %d", r.status)
		}
		mustContain(t, "own district's organisation", op.get(t, "/account/orgs/"+pudongCorp.USCC).body, `action="/account/orgs/`+pudongCorp.USCC+`/verify"`)
		if r := op.submit(t, "/account/orgs", "/account/orgs/"+pudongCorp.USCC+"/verify", url.Values{}); r.status != http.StatusSeeOther {
			t.Errorf("verify own district's enterprise: %d", r.status)
		}

		assocOp := e.addUser(t, &p.assoc, market.RoleOperator, "op@assoc.example.cn")
		ac := e.client()
		ac.login(t, assocOp.Email)
		if r := ac.get(t, "/account/orgs"); r.status != http.StatusForbidden {
			t.Errorf("association's queue: %d", r.status)
		}
		mustNotContain(t, "association's navigation", ac.get(t, "/account").body, `href="/account/orgs"`)
	})
}

// Who verifies whom, on the page form and the API alike (docs/rules.md §3): a district office's operator
// only organisations of its own district that are not operators; an association's or an agency's operator
// nobody, not even in the district where it sits; an operator of an office not verified itself nobody;
// the bureau any organisation, operators and other districts included. A refusal changes nothing.
func TestVerifyScopeByOperatorKind(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		db := e.store.Gorm()
		inDistrict := func(o market.Organisation, code string) market.Organisation {
			t.Helper()
			if err := db.Model(&o).Update("district_code", code).Error; err != nil {
				t.Fatal(err)
			}
			o.DistrictCode = code
			return o
		}
		org := func(kind, name string, serial int, verified bool, district string) market.Organisation {
			t.Helper()
			return inDistrict(e.addOrg(t, kind, name, serial, verified), district)
		}
		// Organisations waiting: Pudong's (310115) enterprises and association, Xuhui's (310104) enterprise.
		pdPage := org(market.KindEnterprise, "浦东待审甲公司", 211, false, "310115")
		pdAPI := org(market.KindEnterprise, "浦东待审乙公司", 212, false, "310115")
		pdKept := org(market.KindEnterprise, "浦东待审丙公司", 213, false, "310115")
		pdAssoc := org(market.KindAssociation, "浦东待审协会", 214, false, "310115")
		pdAgency := org(market.KindAgency, "浦东待审服务机构", 215, false, "310115")
		xhCorp := org(market.KindEnterprise, "徐汇待审公司", 216, false, "310104")
		xhAPI := org(market.KindEnterprise, "徐汇待审乙公司", 217, false, "310104")

		// Operators sitting in Pudong: its office (p.operator), an association, an agency, an office not verified.
		assoc := inDistrict(p.assoc, "310115")
		agency := org(market.KindAgency, "浦东知识产权服务机构", 218, true, "310115")
		unverOffice := org(market.KindDistrictOffice, "浦东待审知识产权局", 219, false, "310115")
		type who struct {
			name string
			user market.User
		}
		office := who{"Pudong office", p.operator}
		refused := []who{
			{"association", e.addUser(t, &assoc, market.RoleOperator, "op@scope-assoc.example.cn")},
			{"agency", e.addUser(t, &agency, market.RoleOperator, "op@scope-agency.example.cn")},
			{"unverified office", e.addUser(t, &unverOffice, market.RoleOperator, "op@scope-office.example.cn")},
		}
		bureau := who{"bureau", p.bureau}

		type session struct {
			cl        *client
			csrf, tok string
		}
		sessions := map[string]session{}
		as := func(w who) session {
			t.Helper()
			if s, ok := sessions[w.name]; ok {
				return s
			}
			cl := e.client()
			cl.login(t, w.user.Email)
			s := session{cl: cl, csrf: csrfOf(t, cl.get(t, "/account/password").body), tok: e.token(t, w.user)}
			sessions[w.name] = s
			return s
		}
		page := func(w who, o market.Organisation, want int) {
			t.Helper()
			s := as(w)
			r := s.cl.post(t, "/account/orgs/"+o.USCC+"/verify", url.Values{"_csrf": {s.csrf}})
			if r.status != want {
				t.Errorf("%s verifies %s on the page: %d, want %d", w.name, o.Name, r.status, want)
			}
		}
		api := func(w who, o market.Organisation, want int) {
			t.Helper()
			status, m := e.jsonReq(t, http.MethodPost, "/api/v1/orgs/"+o.USCC+"/verify", as(w).tok, nil)
			if status != want {
				t.Errorf("%s verifies %s through the API: %d %v, want %d", w.name, o.Name, status, m, want)
			}
			if want == http.StatusOK && m["verified"] != true {
				t.Errorf("%s verifies %s through the API: %v", w.name, o.Name, m)
			}
		}

		// Refusals first, so every target is still waiting.
		for _, o := range []market.Organisation{xhCorp, pdAssoc, pdAgency} {
			page(office, o, http.StatusForbidden)
			api(office, o, http.StatusForbidden)
		}
		for _, w := range refused {
			for _, o := range []market.Organisation{pdKept, xhCorp} {
				page(w, o, http.StatusForbidden)
				api(w, o, http.StatusForbidden)
			}
			if r := as(w).cl.get(t, "/account/orgs"); r.status != http.StatusForbidden {
				t.Errorf("%s's verification queue: %d, want 403", w.name, r.status)
			}
		}
		// The office verifies its district's enterprises; the bureau any organisation.
		page(office, pdPage, http.StatusSeeOther)
		api(office, pdAPI, http.StatusOK)
		page(bureau, xhCorp, http.StatusSeeOther)
		page(bureau, pdAssoc, http.StatusSeeOther)
		api(bureau, xhAPI, http.StatusOK)
		api(bureau, pdAgency, http.StatusOK)
		api(bureau, e.fx.hosp, http.StatusOK) // outside Shanghai, no district

		verified := func(o market.Organisation) bool {
			t.Helper()
			var got market.Organisation
			if err := db.Where("id = ?", o.ID).Take(&got).Error; err != nil {
				t.Fatal(err)
			}
			return got.Verified()
		}
		for _, o := range []market.Organisation{pdPage, pdAPI, xhCorp, pdAssoc, xhAPI, pdAgency, e.fx.hosp} {
			if !verified(o) {
				t.Errorf("%s is not verified", o.Name)
			}
		}
		for _, o := range []market.Organisation{pdKept, unverOffice} {
			if verified(o) {
				t.Errorf("%s was verified by a refused request", o.Name)
			}
		}
	})
}
