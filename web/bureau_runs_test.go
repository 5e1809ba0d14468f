package web_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"patentwall/market"
)

// runJSON is a run as the API answers it (docs/interfaces.md §6).
type runJSON struct {
	N           int    `json:"n"`
	Frozen      bool   `json:"frozen"`
	Round       string `json:"round"`
	AsOf        string `json:"as_of"`
	InputHash   string `json:"input_hash"`
	CapFen      int64  `json:"cap_fen"`
	EligibleFen int64  `json:"eligible_fen"`
	TotalFen    int64  `json:"total_fen"`
	Scaled      bool   `json:"scaled"`
	Recipients  []struct {
		USCC      string `json:"uscc"`
		Name      string `json:"name"`
		AmountFen int64  `json:"amount_fen"`
		Lines     int    `json:"lines"`
	} `json:"recipients"`
	Lines []struct {
		ContractNo    string   `json:"contract_no"`
		Patent        string   `json:"patent"`
		RecipientUSCC string   `json:"recipient_uscc"`
		LicenseeUSCC  string   `json:"licensee_uscc"`
		Status        string   `json:"status"`
		Reasons       []string `json:"reasons"`
		Flags         []string `json:"flags"`
		AmountFen     int64    `json:"amount_fen"`
	} `json:"lines"`
}

func decodeRun(t *testing.T, body string) runJSON {
	t.Helper()
	var r runJSON
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatalf("run JSON: %v in %.500s", err, body)
	}
	for _, k := range []string{"round", "as_of", "input_hash", "cap_fen", "eligible_fen", "total_fen", "scaled", "recipients", "lines"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("run JSON lacks %q", k)
		}
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r runJSON) line(no string) (status string, reasons, flags []string, amount int64) {
	for _, l := range r.Lines {
		if l.ContractNo == no {
			return l.Status, l.Reasons, l.Flags, l.AmountFen
		}
	}
	return "", nil, nil, -1
}

// Compute through the API, fetch it back in every format, look at it through the pages, compute again
// through the page's form, compare.
func TestBureauRunFlow(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		w := e.bureauWorld(t)
		tok := e.token(t, p.bureau)
		bc := e.bureauClient(t, p)

		r := e.bearer(t, http.MethodPost, "/api/v1/bureau/rounds/art22-2022/runs", tok, `{"as_of":"2023-03-01"}`)
		mustStatus(t, "compute", r, http.StatusCreated)
		if loc := r.header.Get("Location"); loc != "/api/v1/bureau/rounds/art22-2022/runs/1" {
			t.Errorf("Location %q", loc)
		}
		run := decodeRun(t, r.body)
		if run.N != 1 || run.Frozen || run.Round != "art22-2022" || run.AsOf != "2023-03-01" || len(run.InputHash) != 64 ||
			run.CapFen != 30000000 || run.EligibleFen != 300000 || run.TotalFen != 300000 || run.Scaled {
			t.Fatalf("run %+v", run)
		}
		for _, want := range []struct {
			no, status     string
			reasons, flags []string
			amount         int64
		}{
			{c1, "eligible", []string{}, []string{}, 300000},
			{c2, "held", []string{}, []string{"new_licensee"}, 0},
			{c3, "ineligible", []string{"not_filed"}, []string{}, 0},
			{c4, "ineligible", []string{"licensee_not_sme"}, []string{}, 0},
		} {
			st, rs, fs, amt := run.line(want.no)
			if st != want.status || !slices.Equal(rs, want.reasons) || !slices.Equal(fs, want.flags) || amt != want.amount {
				t.Errorf("%s: %s %v %v %d, want %+v", want.no, st, rs, fs, amt, want)
			}
		}
		if len(run.Recipients) != 1 || run.Recipients[0].USCC != w.lic.USCC || run.Recipients[0].Name != w.lic.Name ||
			run.Recipients[0].AmountFen != 300000 || run.Recipients[0].Lines != 1 {
			t.Fatalf("recipients %+v", run.Recipients)
		}

		// Fetched back: the same JSON; CSV and XLSX with Chinese headers.
		got := e.bearer(t, http.MethodGet, "/api/v1/bureau/rounds/art22-2022/runs/1", tok, "")
		mustStatus(t, "fetch", got, http.StatusOK)
		if got.body != r.body {
			t.Errorf("fetched run differs from the computed one:\n%.300s\n%.300s", got.body, r.body)
		}
		csvResp := e.bearer(t, http.MethodGet, "/api/v1/bureau/rounds/art22-2022/runs/1?format=csv", tok, "")
		mustStatus(t, "CSV", csvResp, http.StatusOK)
		if cd := csvResp.header.Get("Content-Disposition"); cd != `attachment; filename="bonus_art22-2022_run1_asof_2023-03-01.csv"` {
			t.Errorf("CSV Content-Disposition %q", cd)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvResp.body, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+len(run.Lines) || rows[0][0] != "合同编号" || rows[0][10] != "奖补金额（元）" {
			t.Fatalf("CSV header %v, %d rows", rows[0], len(rows))
		}
		for _, row := range rows[1:] {
			if row[0] == c1 && row[10] != "3000.00" {
				t.Errorf("CSV amount of C1 %q", row[10])
			}
		}
		x := e.bearer(t, http.MethodGet, "/api/v1/bureau/rounds/art22-2022/runs/1?format=xlsx", tok, "")
		mustStatus(t, "XLSX", x, http.StatusOK)
		sheets := readXLSX(t, x.body)
		if _, ok := sheets["汇总"]; !ok || len(sheets["明细"]) != 1+len(run.Lines) || sheets["明细"][0][0] != "合同编号" {
			t.Fatalf("XLSX sheets %v, 明细 %v", keys(sheets), sheets["明细"])
		}
		for _, q := range []string{"/runs/9", "/runs/x", "/runs/1?format=pdf"} {
			status, m := e.jsonReq(t, http.MethodGet, "/api/v1/bureau/rounds/art22-2022"+q, tok, nil)
			if status != http.StatusNotFound && status != http.StatusBadRequest {
				t.Errorf("GET %s: %d %v", q, status, m)
			}
		}
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/bureau/rounds/nope/runs", tok, nil); status != http.StatusNotFound {
			t.Errorf("compute unknown round: %d %v", status, m)
		}
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/bureau/rounds/art22-2022/runs", tok, map[string]string{"as_of": "2023-02-30"}); status != http.StatusBadRequest || errField(m) != "as_of" {
			t.Errorf("bad as_of: %d %v", status, m)
		}
		// An optional body is decoded as strictly as every API body: no unknown members, nothing after it.
		for _, body := range []string{`{"as_of":"2023-03-01","frozen":true}`, `{"as_of":"2023-03-01"} x`, `null`, `[1]`} {
			r := e.bearer(t, http.MethodPost, "/api/v1/bureau/rounds/art22-2022/runs", tok, body)
			if r.status != http.StatusBadRequest || !strings.Contains(r.body, `"bad_json"`) {
				t.Errorf("compute with body %s: %d %s", body, r.status, r.body)
			}
		}

		// The pages
		runPage := bc.get(t, "/bureau/rounds/art22-2022/runs/1")
		mustStatus(t, "run page", runPage, http.StatusOK)
		mustContain(t, "run page", runPage.body, "第 1 次计算", "300,000.00 元", "3,000.00 元", w.lic.Name,
			"被许可方成立时间过短", "未在国家知识产权局备案", `/bureau/rounds/art22-2022/runs/1/lines?status=held`,
			`/bureau/rounds/art22-2022/runs/1/recipients/`+w.lic.USCC, `name="confirm"`)
		lines := bc.get(t, "/bureau/rounds/art22-2022/runs/1/lines?status=held")
		mustStatus(t, "held lines", lines, http.StatusOK)
		if got := contractsOnPage(lines.body); !slices.Equal(got, []string{c2}) {
			t.Errorf("held lines %v", got)
		}
		mustContain(t, "held lines", lines.body, "新设企业：被许可方成立不足 180 天即达成本笔交易", w.newco.Name)
		lines = bc.get(t, "/bureau/rounds/art22-2022/runs/1/lines?reason=not_filed")
		if got := contractsOnPage(lines.body); !slices.Equal(got, []string{c3}) {
			t.Errorf("not_filed lines %v", got)
		}
		lines = bc.get(t, "/bureau/rounds/art22-2022/runs/1/lines?q="+url.QueryEscape("大型集团"))
		if got := contractsOnPage(lines.body); !slices.Equal(got, []string{c4}) {
			t.Errorf("search lines %v", got)
		}
		mustStatus(t, "bad line filter", bc.get(t, "/bureau/rounds/art22-2022/runs/1/lines?status=paid"), http.StatusBadRequest)
		mustStatus(t, "unknown run", bc.get(t, "/bureau/rounds/art22-2022/runs/7"), http.StatusNotFound)

		st := bc.get(t, "/bureau/rounds/art22-2022/runs/1/recipients/"+w.lic.USCC)
		mustStatus(t, "statement", st, http.StatusOK)
		mustContain(t, "statement", st.body, "奖补明细单", w.lic.Name, w.lic.USCC, "3,000.00 元", c1, c2, c3, "print-body", run.InputHash)
		mustNotContain(t, "statement (print layout)", st.body, `class="site-header"`, `class="main-nav"`)
		mustStatus(t, "statement of a stranger", bc.get(t, "/bureau/rounds/art22-2022/runs/1/recipients/"+w.big.USCC), http.StatusNotFound)

		dl := bc.get(t, "/bureau/rounds/art22-2022/runs/1/export?format=xlsx")
		mustStatus(t, "page download", dl, http.StatusOK)
		if ct := dl.header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
			t.Errorf("XLSX content type %q", ct)
		}

		// Cancel C1: a second run through the page's form, frozen first, shows the change and the clawback.
		if r := bc.postForm(t, "/bureau/rounds/art22-2022/runs/1", "/bureau/rounds/art22-2022/runs/1/freeze", url.Values{}); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("freeze without confirmation: %d", r.status)
		}
		fr := bc.postForm(t, "/bureau/rounds/art22-2022/runs/1", "/bureau/rounds/art22-2022/runs/1/freeze", url.Values{"confirm": {"1"}})
		mustStatus(t, "freeze", fr, http.StatusSeeOther)
		if err := e.store.Gorm().Model(&market.Contract{}).Where("contract_no = ?", c1).
			Updates(map[string]any{"status": market.ContractCancelled, "ended_at": now}).Error; err != nil {
			t.Fatal(err)
		}
		bad := bc.postForm(t, "/bureau/rounds/art22-2022", "/bureau/rounds/art22-2022/runs", url.Values{"as_of": {"2023/05/20"}})
		mustStatus(t, "compute with a bad day", bad, http.StatusUnprocessableEntity)
		mustContain(t, "compute with a bad day", bad.body, "日期格式应为")
		cr := bc.postForm(t, "/bureau/rounds/art22-2022", "/bureau/rounds/art22-2022/runs", url.Values{"as_of": {"2024-05-20"}})
		mustStatus(t, "compute through the page", cr, http.StatusSeeOther)
		if loc := cr.header.Get("Location"); !strings.HasPrefix(loc, "/bureau/rounds/art22-2022/runs/2") {
			t.Fatalf("compute redirect %q", loc)
		}
		cmp := bc.get(t, "/bureau/rounds/art22-2022/compare")
		mustStatus(t, "compare", cmp, http.StatusOK)
		mustContain(t, "compare", cmp.body, "有变化的条目", "合同未生效或已终止、撤销", c1)
		claw := bc.get(t, "/bureau/rounds/art22-2022/compare?a=1&b=2&section=clawbacks")
		mustContain(t, "clawbacks", claw.body, c1, "合同已撤销", "3,000.00 元")
		mustStatus(t, "compare an unknown run", bc.get(t, "/bureau/rounds/art22-2022/compare?a=1&b=5"), http.StatusBadRequest)
		run2 := bc.get(t, "/bureau/rounds/art22-2022/runs/2")
		mustContain(t, "run 2", run2.body, "应追回的奖补", c1)
	})
}
