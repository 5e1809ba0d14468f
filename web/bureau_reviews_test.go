package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"patentwall/bonus"
)

// The queue shows held lines with their flags explained; a decision needs a note, records who and
// when, and the next run pays (or refuses) the line.
func TestBureauReviews(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		w := e.bureauWorld(t)
		bc := e.bureauClient(t, p)
		q := bc.get(t, "/bureau/reviews")
		mustContain(t, "empty queue", q.body, "没有待复核的条目")
		mustStatus(t, "compute", bc.postForm(t, "/bureau/rounds/art22-2022", "/bureau/rounds/art22-2022/runs",
			url.Values{"as_of": {"2023-03-01"}}), http.StatusSeeOther)

		q = bc.get(t, "/bureau/reviews")
		mustStatus(t, "queue", q, http.StatusOK)
		mustContain(t, "queue", q.body, c2, w.newco.Name, w.lic.Name, "新设企业：被许可方成立不足 180 天即达成本笔交易",
			`name="decision" value="approve"`, `name="decision" value="reject"`, `name="_csrf"`)
		if strings.Contains(q.body, c1+"</a>") {
			t.Error("an eligible line is in the queue")
		}
		form := url.Values{"round": {"art22-2022"}, "contract_no": {c2}, "patent": {""}, "back_show": {"pending"}}

		// No note, no choice: 422 at the line, nothing stored.
		f := cloneValues(form)
		f.Set("decision", "approve")
		f.Set("note", "   ")
		r := bc.postForm(t, "/bureau/reviews", "/bureau/reviews", f)
		mustStatus(t, "no note", r, http.StatusUnprocessableEntity)
		mustContain(t, "no note", r.body, "请填写复核意见", `aria-invalid="true"`)
		f = cloneValues(form)
		f.Set("note", "已核实")
		r = bc.postForm(t, "/bureau/reviews", "/bureau/reviews", f)
		mustStatus(t, "no choice", r, http.StatusUnprocessableEntity)
		mustContain(t, "no choice", r.body, "请选择", "已核实") // the note as typed stays
		f = cloneValues(form)
		f.Set("contract_no", c1)
		f.Set("decision", "approve")
		f.Set("note", "x")
		r = bc.postForm(t, "/bureau/reviews", "/bureau/reviews", f)
		mustStatus(t, "unflagged line", r, http.StatusUnprocessableEntity)
		mustContain(t, "unflagged line", r.body, "没有风险标记")
		ds, err := bonus.Decisions(t.Context(), e.store, "art22-2022")
		if err != nil || len(ds) != 0 {
			t.Fatalf("refused decisions were stored: %v %v", ds, err)
		}

		// Approve with a note.
		f = cloneValues(form)
		f.Set("decision", "approve")
		f.Set("note", "新设企业系母公司全资子公司，已核实付款凭证")
		r = bc.postForm(t, "/bureau/reviews", "/bureau/reviews", f)
		mustStatus(t, "approve", r, http.StatusSeeOther)
		ds, err = bonus.Decisions(t.Context(), e.store, "art22-2022")
		if err != nil || len(ds) != 1 || !ds[0].Approved || ds[0].ReviewerUserID == nil || *ds[0].ReviewerUserID != p.bureau.ID ||
			!ds[0].DecidedAt.Equal(now) {
			t.Fatalf("stored decision %+v %v", ds, err)
		}
		q = bc.get(t, r.header.Get("Location"))
		mustContain(t, "queue after the decision", q.body, "复核意见已记录", "没有待复核的条目")
		dq := bc.get(t, "/bureau/reviews?show=decided")
		mustContain(t, "decided", dq.body, c2, "复核通过", p.bureau.Name, p.bureau.Email, "2024-05-20 10:00",
			"新设企业系母公司全资子公司，已核实付款凭证", "将在本轮下次计算时生效")

		// The next run pays C2.
		mustStatus(t, "compute 2", bc.postForm(t, "/bureau/rounds/art22-2022", "/bureau/rounds/art22-2022/runs",
			url.Values{"as_of": {"2023-03-01"}}), http.StatusSeeOther)
		lines := bc.get(t, "/bureau/rounds/art22-2022/runs/2/lines?status=eligible")
		mustContain(t, "run 2", lines.body, c1, c2, "复核通过")

		// Rejecting replaces the decision; the run after that refuses the line.
		f = cloneValues(form)
		f.Set("decision", "reject")
		f.Set("note", "付款凭证系伪造")
		mustStatus(t, "reject", bc.postForm(t, "/bureau/reviews?show=all", "/bureau/reviews", f), http.StatusSeeOther)
		ds, _ = bonus.Decisions(t.Context(), e.store, "art22-2022")
		if len(ds) != 1 || ds[0].Approved || ds[0].Note != "付款凭证系伪造" {
			t.Fatalf("decision after rejecting %+v", ds)
		}
		mustStatus(t, "compute 3", bc.postForm(t, "/bureau/rounds/art22-2022", "/bureau/rounds/art22-2022/runs",
			url.Values{"as_of": {"2023-03-01"}}), http.StatusSeeOther)
		lines = bc.get(t, "/bureau/rounds/art22-2022/runs/3/lines?status=ineligible")
		mustContain(t, "run 3", lines.body, c2, "复核不通过")
	})
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, s := range v {
		out[k] = append([]string(nil), s...)
	}
	return out
}
