package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// A recipient's statement carries the reviewer's Art. 26 actions: rejecting a paid line found fake,
// recording money recovered on the clawback (never more than is owed), disqualifying the recipient (a
// note required); the review queue lists both decisions, and the round's settings say day N counts.
func TestBureauArt26Actions(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		w := e.bureauWorld(t)
		bc := e.bureauClient(t, p)
		base := "/bureau/rounds/art22-2022"
		mustStatus(t, "compute", bc.postForm(t, base, base+"/runs", url.Values{"as_of": {"2023-03-01"}}), http.StatusSeeOther)
		mustStatus(t, "freeze", bc.postForm(t, base+"/runs/1", base+"/runs/1/freeze", url.Values{"confirm": {"1"}}), http.StatusSeeOther)
		st1 := base + "/runs/1/recipients/" + w.lic.USCC
		r := bc.get(t, st1)
		mustStatus(t, "statement", r, http.StatusOK)
		mustContain(t, "statement", r.body, "复核处理（第二十六条）", `action="`+st1+`/reject"`, `action="`+st1+`/disqualify"`, `value="`+c1+`|"`)

		// Rejecting C1 (paid, no flag) needs a note: 422 with the message, nothing stored.
		r = bc.postForm(t, st1, st1+"/reject", url.Values{"line": {c1 + "|"}, "note": {" "}})
		mustStatus(t, "reject without a note", r, http.StatusUnprocessableEntity)
		mustContain(t, "reject without a note", r.body, "请填写复核意见")
		mustStatus(t, "reject", bc.postForm(t, st1, st1+"/reject", url.Values{"line": {c1 + "|"}, "note": {"核查发现合同系伪造"}}), http.StatusSeeOther)

		// Run 2 claws back the 3,000 yuan run 1 paid for C1.
		mustStatus(t, "compute 2", bc.postForm(t, base, base+"/runs", url.Values{"as_of": {"2023-03-01"}}), http.StatusSeeOther)
		st2 := base + "/runs/2/recipients/" + w.lic.USCC
		r = bc.get(t, st2)
		mustContain(t, "statement 2", r.body, "复核不通过（虚假交易）", `action="`+st2+`/recover"`)
		r = bc.postForm(t, st2, st2+"/recover", url.Values{"line": {c1 + "|"}, "amount_yuan": {"3000.01"}, "recovered_on": {"2023-03-01"}, "reference": {"回单 1"}})
		mustStatus(t, "recover too much", r, http.StatusUnprocessableEntity)
		mustContain(t, "recover too much", r.body, "追回金额超过尚欠金额 3000.00 元")
		mustStatus(t, "recover", bc.postForm(t, st2, st2+"/recover", url.Values{"line": {c1 + "|"}, "amount_yuan": {"1000"},
			"recovered_on": {"2023-03-01"}, "reference": {"回单 2"}}), http.StatusSeeOther)

		// Disqualifying needs a note too.
		r = bc.postForm(t, st2, st2+"/disqualify", url.Values{"note": {""}})
		mustStatus(t, "disqualify without a note", r, http.StatusUnprocessableEntity)
		mustStatus(t, "disqualify", bc.postForm(t, st2, st2+"/disqualify", url.Values{"note": {"串通造假，取消承接资格"}}), http.StatusSeeOther)
		r = bc.get(t, st2)
		mustContain(t, "statement after", r.body, "取消本轮奖补资格：", "串通造假")

		q := bc.get(t, "/bureau/reviews")
		mustContain(t, "queue", q.body, "判为不通过的已获奖补条目（无风险标记）", c1, "已取消资格的受奖单位", w.lic.Name)
		mustContain(t, "round settings", bc.get(t, base).body, "均含第 N 天")
		mustContain(t, "round form", bc.get(t, base+"/edit").body, "均含第 N 天")
		mustContain(t, "run page", bc.get(t, base+"/runs/2").body, "对照的已确认计算")
	})
}
