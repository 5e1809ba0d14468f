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
