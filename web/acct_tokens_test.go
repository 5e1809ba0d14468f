package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"patentwall/market"
)

// The account page lists the user's API tokens with their expiry and revokes one by ID (CSRF form): the
// revoked token is refused at once, the other keeps working; another user cannot revoke it. An expired
// token is answered 401.
func TestAccountPageTokens(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		keep, gone := e.token(t, p.buyer), e.token(t, p.buyer)
		var ids []int64
		if err := e.store.Gorm().Model(&market.APIToken{}).Where("user_id = ?", p.buyer.ID).Order("id").Pluck("id", &ids).Error; err != nil || len(ids) != 2 {
			t.Fatalf("token ids %v %v", ids, err)
		}
		cl := e.client()
		cl.login(t, p.buyer.Email)
		page := cl.get(t, "/account")
		action := "/account/tokens/" + itoa(ids[1]) + "/revoke"
		mustContain(t, "account page", page.body, "API 令牌", `action="/account/tokens/`+itoa(ids[0])+`/revoke"`, `action="`+action+`"`, "2024-08-18")

		// Without the CSRF token: refused, nothing revoked.
		if r := cl.post(t, action, url.Values{}); r.status != http.StatusForbidden {
			t.Errorf("without CSRF: status %d", r.status)
		}
		// Someone else's form cannot revoke it.
		other := e.client()
		other.login(t, p.corp.Email)
		if r := other.submit(t, "/account", action, url.Values{}); r.status != http.StatusForbidden {
			t.Errorf("another user's revoke: status %d", r.status)
		}
		if st, _ := e.jsonReq(t, http.MethodGet, "/api/v1/contracts/KF00000000-000000", gone, nil); st == http.StatusUnauthorized {
			t.Fatalf("the token stopped working before its revocation")
		}
		r := cl.submit(t, "/account", action, url.Values{})
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/account") {
			t.Fatalf("revoke: status %d location %q", r.status, r.header.Get("Location"))
		}
		if st, m := e.jsonReq(t, http.MethodGet, "/api/v1/contracts/KF00000000-000000", gone, nil); st != http.StatusUnauthorized {
			t.Errorf("revoked token: %d %v", st, m)
		}
		if st, _ := e.jsonReq(t, http.MethodGet, "/api/v1/contracts/KF00000000-000000", keep, nil); st == http.StatusUnauthorized {
			t.Errorf("the other token stopped working")
		}
		page = cl.get(t, r.header.Get("Location"))
		mustContain(t, "after revoking", page.body, "API 令牌已吊销", "已吊销")
		mustNotContain(t, "after revoking", page.body, `action="`+action+`"`)

		// Past its expiry the other token is refused too (the store's clock moves).
		e.store.Now = func() time.Time { return now.Add(market.APITokenTTL) }
		t.Cleanup(func() { e.store.Now = func() time.Time { return now } })
		if st, m := e.jsonReq(t, http.MethodGet, "/api/v1/contracts/KF00000000-000000", keep, nil); st != http.StatusUnauthorized || errCode(m) != "unauthenticated" {
			t.Errorf("expired token: %d %v", st, m)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
