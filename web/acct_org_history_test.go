package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// The bureau's organisation page shows the fact history; an SME decision takes the days it is in force,
// and days overlapping an earlier decision's are refused (422) and change nothing.
func TestOrgFactHistoryPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		bureau := e.client()
		bureau.login(t, p.bureau.Email)
		page := "/account/orgs/" + p.buyerOrg.USCC
		r := bureau.submit(t, page, page+"/sme", url.Values{"is_sme": {"0"}, "valid_from": {"2023-01-01"}, "valid_to": {"2023-12-31"},
			"note": {"2023 年营业收入超标"}})
		mustStatus(t, "dated decision", r, http.StatusSeeOther)
		r = bureau.get(t, page)
		mustContain(t, "history", r.body, "认定事实历史", "2023-01-01 – 2023-12-31", "市知识产权局认定", "2023 年营业收入超标")
		for _, bad := range []url.Values{
			{"is_sme": {"1"}, "valid_from": {"2023-06-01"}, "note": {"重叠"}},
			{"is_sme": {"1"}, "valid_from": {"2024-02-01"}, "valid_to": {"2024-01-01"}, "note": {"颠倒"}},
			{"is_sme": {"1"}, "valid_from": {"2024-13-01"}, "note": {"日期错误"}},
		} {
			r = bureau.submit(t, page, page+"/sme", bad)
			mustStatus(t, "bad days "+bad.Get("note"), r, http.StatusUnprocessableEntity)
		}
		mustContain(t, "overlap message", bureau.submit(t, page, page+"/sme", url.Values{"is_sme": {"1"}, "valid_from": {"2023-06-01"},
			"note": {"重叠"}}).body, "适用期间重叠")
		r = bureau.get(t, page)
		mustNotContain(t, "after refusals", r.body, "重叠</td>", "颠倒</td>", "日期错误</td>")
	})
}
