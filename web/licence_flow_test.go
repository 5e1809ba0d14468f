package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"patentwall/market"
)

// TestSigningPayingFilingThroughForms walks the whole paid flow through the pages, with the CSRF round
// trip on every form, and checks the refusals of bad input on the way.
func TestSigningPayingFilingThroughForms(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		buyer, seller := e.client(), e.client()
		buyer.login(t, p.buyer.Email)
		seller.login(t, p.corp.Email)
		patentPage := "/patents/" + e.fx.vision.ApplicationNo

		// The licensee sees the terms and the notice it is about to send.
		r := buyer.get(t, patentPage)
		mustContain(t, "accept box", r.body, "接受开放许可", "专利开放许可实施通知书", p.buyerOrg.Name, e.fx.corp.Name,
			"一次性支付许可使用费人民币 5,000.00 元", "（确认后生成）", `name="agree"`)
		form := acceptForm(t, r.body)

		noAgree := url.Values{}
		for k, v := range form {
			if k != "agree" {
				noAgree[k] = v
			}
		}
		r = buyer.post(t, patentPage+"/accept", noAgree)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "请先勾选确认") {
			t.Fatalf("without agreeing: %d", r.status)
		}
		no := contractFromRedirect(t, buyer.post(t, patentPage+"/accept", form))
		// A double click (same key) returns the same contract; so does a fresh form (same declaration).
		if again := contractFromRedirect(t, buyer.post(t, patentPage+"/accept", form)); again != no {
			t.Fatalf("double submit made %s and %s", no, again)
		}
		if n := e.count(t, &market.Contract{}, "licensee_id = ?", p.buyerOrg.ID); n != 1 {
			t.Fatalf("%d contracts", n)
		}
		r = buyer.get(t, patentPage)
		mustContain(t, "holding", r.body, "贵单位已获得该专利的开放许可", no)

		cpage := "/contracts/" + no
		r = buyer.get(t, cpage+"?done=done.signed")
		mustContain(t, "contract page", r.body, "许可合同已成立", "待付款", "5,000.00 元", "登记付款", "书面通知送达，合同成立")
		// The licensor was notified in-app.
		r = seller.get(t, "/account")
		mustContain(t, "licensor dashboard", r.body, "接受了专利", no, "1 条未读")

		// Bad amounts are refused on the form and record nothing.
		for amount, msg := range map[string]string{
			"-1": "不能为负数", "0.001": "最多保留两位小数", "abc": "格式错误", "0": "金额必须大于零", "5000.01": "金额超过尚欠的 5,000.00 元",
		} {
			r := buyer.submit(t, cpage, cpage+"/payments", url.Values{"amount_yuan": {amount}, "paid_on": {"2024-05-20"}, "reference": {"BANK-1"}})
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, msg) || !strings.Contains(r.body, `id="e-amount_yuan"`) {
				t.Errorf("amount %q: status %d, want 422 with %q", amount, r.status, msg)
			}
		}
		r = buyer.submit(t, cpage, cpage+"/payments", url.Values{"amount_yuan": {"100"}, "paid_on": {"2024-06-01"}, "reference": {""}})
		mustContain(t, "date and reference", r.body, `id="e-paid_on"`, "付款日期不能晚于今天", `id="e-reference"`)
		// Only the licensee pays.
		r = seller.submit(t, cpage, cpage+"/payments", url.Values{"amount_yuan": {"100"}, "paid_on": {"2024-05-20"}, "reference": {"X"}})
		if r.status != http.StatusForbidden {
			t.Fatalf("licensor records a payment: %d", r.status)
		}
		if n := e.count(t, &market.Payment{}, "1 = 1"); n != 0 {
			t.Fatalf("%d payments after refusals", n)
		}

		page := buyer.get(t, cpage)
		key := regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(page.body)
		if key == nil {
			t.Fatal("the payment form has no idempotency key")
		}
		payForm := url.Values{"_csrf": {csrfOf(t, page.body)}, "idempotency_key": {key[1]},
			"amount_yuan": {"5000"}, "paid_on": {"2024-05-20"}, "reference": {"ICBC-20240520-001"}}
		r = buyer.post(t, cpage+"/payments", payForm)
		if r.status != http.StatusSeeOther {
			t.Fatalf("payment: %d %.400s", r.status, r.body)
		}
		// A double click sends the same form again: the payment is recorded once.
		if r := buyer.post(t, cpage+"/payments", payForm); r.status != http.StatusSeeOther {
			t.Fatalf("payment sent twice: %d %.400s", r.status, r.body)
		}
		if n := e.count(t, &market.Payment{}, "1 = 1"); n != 1 {
			t.Fatalf("%d payments after a double submission", n)
		}
		var pay market.Payment
		e.store.Gorm().Where("reference = ?", "ICBC-20240520-001").First(&pay)
		if pay.AmountFen != 500000 {
			t.Fatalf("payment %+v", pay)
		}
		// Filing before the licence is effective is a conflict, shown on the page.
		r = buyer.submit(t, cpage, cpage+"/filing", url.Values{"filing_no": {"X"}, "filed_on": {"2024-05-20"}})
		if r.status != http.StatusConflict {
			t.Fatalf("filing too early: %d", r.status)
		}
		// The licensee cannot confirm its own payment.
		confirm := cpage + "/payments/" + itoa64(pay.ID) + "/confirm"
		if r := buyer.submit(t, cpage, confirm, url.Values{}); r.status != http.StatusForbidden {
			t.Fatalf("licensee confirms: %d", r.status)
		}
		r = seller.get(t, "/account")
		mustContain(t, "payments to confirm", r.body, "ICBC-20240520-001")
		if r := seller.submit(t, cpage, confirm, url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("confirm: %d %.300s", r.status, r.body)
		}
		r = buyer.get(t, cpage)
		mustContain(t, "effective", r.body, "已生效", "备案期限", "还剩 92 天", "登记备案")

		// Filing: a stranger's attempt is refused; a party's is recorded.
		stranger := e.client()
		stranger.login(t, p.otherHolder.Email)
		tok := csrfOf(t, stranger.get(t, "/account").body)
		if r := stranger.post(t, cpage+"/filing", url.Values{"_csrf": {tok}, "filing_no": {"2024310000123"}, "filed_on": {"2024-05-20"}}); r.status != http.StatusForbidden {
			t.Fatalf("stranger files: %d", r.status)
		}
		if r := stranger.get(t, cpage); r.status != http.StatusForbidden {
			t.Fatalf("stranger sees the contract: %d", r.status)
		}
		r = buyer.submit(t, cpage, cpage+"/filing", url.Values{"filing_no": {"2024310000123"}, "filed_on": {"2024-05-20"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("filing: %d %.300s", r.status, r.body)
		}
		var c market.Contract
		e.store.Gorm().Where("contract_no = ?", no).First(&c)
		if c.Status != market.ContractFiled || c.FilingNo != "2024310000123" || c.PaidAt == nil || c.EffectiveAt == nil {
			t.Fatalf("contract after filing: %+v", c)
		}

		// Printable pages, in Chinese whatever the site language.
		r = buyer.get(t, cpage+"/print?lang=en")
		mustContain(t, "print", r.body, `<html lang="zh-CN">`, "专利开放许可合同", no, p.buyerOrg.Name, e.fx.corp.Name,
			"普通许可", "2024310000123", c.ContentSHA256, "print-body")
		r = buyer.get(t, cpage+"/notice")
		mustContain(t, "notice", r.body, "专利开放许可实施通知书", "合同编号："+no)
		if r := stranger.get(t, cpage+"/print"); r.status != http.StatusForbidden {
			t.Fatalf("stranger prints: %d", r.status)
		}
		bureau := e.client()
		bureau.login(t, p.bureau.Email)
		if r := bureau.get(t, cpage); r.status != http.StatusOK {
			t.Fatalf("bureau reads: %d", r.status)
		}
		if r := bureau.submit(t, cpage, cpage+"/terminate", url.Values{"reason": {"x"}}); r.status != http.StatusForbidden {
			t.Fatalf("bureau terminates: %d", r.status)
		}
		rep, err := e.store.VerifyChains(t.Context())
		if err != nil || !rep.OK() {
			t.Fatalf("chains: %v %+v", err, rep)
		}
	})
}

func TestUnverifiedOrHolderCannotSign(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		target := "/patents/" + e.fx.battery.ApplicationNo
		for _, c := range []struct {
			user market.User
			box  string
		}{{p.unverified, "贵单位尚未通过审核"}, {p.holder, "这是本单位的专利"}, {p.otherHolder, "只有企业用户可以接受开放许可"}} {
			cl := e.client()
			cl.login(t, c.user.Email)
			r := cl.get(t, target)
			mustContain(t, c.user.Email, r.body, c.box)
			mustNotContain(t, c.user.Email, r.body, `name="agree"`)
			// Posting the form anyway (crafted) is refused on the server.
			r = cl.post(t, target+"/accept", url.Values{"_csrf": {csrfOf(t, r.body)}, "agree": {"1"}, "idempotency_key": {"crafted"}})
			if r.status != http.StatusForbidden && r.status != http.StatusUnprocessableEntity {
				t.Errorf("%s signs: %d", c.user.Email, r.status)
			}
		}
		status, m := e.jsonReq(t, http.MethodPost, "/api/v1/licences", e.token(t, p.unverified),
			map[string]string{"application_no": e.fx.battery.ApplicationNo, "idempotency_key": "u1"})
		if status != http.StatusForbidden || errCode(m) != "org_unverified" {
			t.Fatalf("unverified via API: %d %v", status, m)
		}
		if n := e.count(t, &market.Contract{}, "1 = 1"); n != 0 {
			t.Fatalf("%d contracts signed by refused parties", n)
		}
	})
}

func TestAPISigningFlow(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		buyer, seller, stranger := e.token(t, p.buyer), e.token(t, p.corp), e.token(t, p.otherHolder)
		req := map[string]string{"application_no": "ZL" + e.fx.vision.ApplicationNo, "idempotency_key": "order-1"}
		status, m := e.jsonReq(t, http.MethodPost, "/api/v1/licences", buyer, req)
		if status != http.StatusCreated {
			t.Fatalf("accept: %d %v", status, m)
		}
		requireKeys(t, "contract", m, "contract_no", "kind", "status", "application_no", "licensor_uscc", "licensee_uscc",
			"amount_due_yuan", "notice_delivered_at", "paid_at", "effective_at", "filing_no", "content_sha256")
		if m["status"] != "awaiting_payment" || m["amount_due_yuan"] != 5000.00 || m["licensor_uscc"] != e.fx.corp.USCC ||
			m["licensee_uscc"] != p.buyerOrg.USCC || m["application_no"] != e.fx.vision.ApplicationNo || m["paid_at"] != nil {
			t.Fatalf("contract: %v", m)
		}
		no := m["contract_no"].(string)
		for _, again := range []map[string]string{req, {"application_no": e.fx.vision.ApplicationNo, "idempotency_key": "order-2"}} {
			status, m2 := e.jsonReq(t, http.MethodPost, "/api/v1/licences", buyer, again)
			if status != http.StatusOK || m2["contract_no"] != no {
				t.Fatalf("again %v: %d %v", again, status, m2)
			}
		}
		status, m = e.jsonReq(t, http.MethodPost, "/api/v1/licences", buyer, map[string]string{"application_no": e.fx.battery.ApplicationNo, "idempotency_key": "order-1"})
		if status != http.StatusUnprocessableEntity || errCode(m) != "idempotency_key_reused" {
			t.Fatalf("key reused for another patent: %d %v", status, m)
		}
		if status, m = e.jsonReq(t, http.MethodPost, "/api/v1/licences", buyer, map[string]string{"application_no": e.fx.vision.ApplicationNo}); status != http.StatusUnprocessableEntity || errField(m) != "idempotency_key" {
			t.Fatalf("no key: %d %v", status, m)
		}
		if status, m = e.jsonReq(t, http.MethodPost, "/api/v1/licences", buyer, map[string]string{"application_no": e.fx.withdrawn.ApplicationNo, "idempotency_key": "w"}); errCode(m) != "declaration_withdrawn" {
			t.Fatalf("withdrawn: %d %v", status, m)
		}

		ct := "/api/v1/contracts/" + no
		if status, _ = e.jsonReq(t, http.MethodGet, ct, stranger, nil); status != http.StatusForbidden {
			t.Fatalf("stranger reads: %d", status)
		}
		if status, _ = e.jsonReq(t, http.MethodGet, "/api/v1/contracts/KF20240520-999999", buyer, nil); status != http.StatusNotFound {
			t.Fatalf("unknown contract: %d", status)
		}
		for _, c := range []struct {
			amount any
			code   string
		}{{-5, "negative"}, {"12.345", "too_many_decimals"}, {json.Number("1e3"), "invalid_format"}, {5000.01, "above_owed"}, {0, "not_positive"}, {nil, "required"}} {
			status, m := e.jsonReq(t, http.MethodPost, ct+"/payments", buyer, map[string]any{"amount_yuan": c.amount, "paid_on": "2024-05-20", "reference": "R"})
			if status != http.StatusUnprocessableEntity || errCode(m) != c.code || errField(m) != "amount_yuan" {
				t.Errorf("amount %v: %d %v", c.amount, status, m)
			}
		}
		if status, _ = e.jsonReq(t, http.MethodPost, ct+"/payments", stranger, map[string]any{"amount_yuan": "-1", "paid_on": "x"}); status != http.StatusForbidden {
			t.Fatalf("stranger pays (with bad input): %d", status)
		}
		if n := e.count(t, &market.Payment{}, "1 = 1"); n != 0 {
			t.Fatalf("%d payments after refusals", n)
		}
		first := map[string]any{"amount_yuan": "3000.50", "paid_on": "2024-05-20", "reference": "T1", "idempotency_key": "pay-T1"}
		status, m = e.jsonReq(t, http.MethodPost, ct+"/payments", buyer, first)
		if status != http.StatusCreated || m["id"] == nil || m["amount_yuan"] != 3000.50 {
			t.Fatalf("payment: %d %v", status, m)
		}
		pay1 := itoa64(int64(m["id"].(float64)))
		// The request retried with its key gives the same payment back, with 200.
		if status, again := e.jsonReq(t, http.MethodPost, ct+"/payments", buyer, first); status != http.StatusOK || again["id"] != m["id"] {
			t.Fatalf("retried payment: %d %v, want 200 with id %v", status, again, m["id"])
		}
		first["amount_yuan"] = "3000.51"
		if status, again := e.jsonReq(t, http.MethodPost, ct+"/payments", buyer, first); status != http.StatusUnprocessableEntity || errCode(again) != "idempotency_key_reused" {
			t.Fatalf("key reused for another amount: %d %v", status, again)
		}
		status, m = e.jsonReq(t, http.MethodPost, ct+"/payments", buyer, map[string]any{"amount_yuan": 1999.50, "paid_on": "2024-05-20", "reference": "T2"})
		if status != http.StatusCreated {
			t.Fatalf("second payment: %d %v", status, m)
		}
		pay2 := itoa64(int64(m["id"].(float64)))
		if status, _ = e.jsonReq(t, http.MethodPost, ct+"/payments/"+pay1+"/confirm", buyer, nil); status != http.StatusForbidden {
			t.Fatalf("licensee confirms: %d", status)
		}
		status, m = e.jsonReq(t, http.MethodPost, ct+"/payments/"+pay1+"/confirm", seller, nil)
		if status != http.StatusOK || m["status"] != "awaiting_payment" {
			t.Fatalf("confirm 1: %d %v", status, m)
		}
		status, m = e.jsonReq(t, http.MethodPost, ct+"/payments/"+pay2+"/confirm", seller, nil)
		if status != http.StatusOK || m["status"] != "effective" || m["paid_at"] == nil || m["effective_at"] == nil {
			t.Fatalf("confirm 2: %d %v", status, m)
		}
		if status, _ = e.jsonReq(t, http.MethodPost, ct+"/filing", stranger, map[string]string{"filing_no": "F1", "filed_on": "2024-05-20"}); status != http.StatusForbidden {
			t.Fatalf("stranger files: %d", status)
		}
		if status, m = e.jsonReq(t, http.MethodPost, ct+"/filing", seller, map[string]string{"filing_no": "F1", "filed_on": "20-05-2024"}); status != http.StatusUnprocessableEntity || errField(m) != "filed_on" {
			t.Fatalf("bad date: %d %v", status, m)
		}
		status, m = e.jsonReq(t, http.MethodPost, ct+"/filing", seller, map[string]string{"filing_no": "F1", "filed_on": "2024-05-20"})
		if status != http.StatusOK || m["status"] != "filed" || m["filing_no"] != "F1" {
			t.Fatalf("filing: %d %v", status, m)
		}
		events := m["events"].([]any)
		kinds := []string{}
		for _, ev := range events {
			kinds = append(kinds, ev.(map[string]any)["kind"].(string))
		}
		want := "notified payment_recorded payment_recorded payment_confirmed payment_confirmed effective filed"
		if strings.Join(kinds, " ") != want {
			t.Fatalf("history %v, want %s", kinds, want)
		}
		if len(m["payments"].([]any)) != 2 {
			t.Fatalf("payments: %v", m["payments"])
		}
		bureau := e.token(t, p.bureau)
		if status, _ = e.jsonReq(t, http.MethodGet, ct, bureau, nil); status != http.StatusOK {
			t.Fatalf("bureau reads: %d", status)
		}
	})
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// TestConcurrentAcceptancesOverHTTP: many requests at once (a double click, retries, several tabs) never
// make two contracts of one licensee and declaration; every answer names the same contract, and exactly
// one of them is a 201.
func TestConcurrentAcceptancesOverHTTP(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		tok := e.token(t, p.buyer)
		const n = 24
		type answer struct {
			status int
			no     string
		}
		answers := make(chan answer, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := "same-key"
				if i%2 == 1 {
					key = "tab-" + strconv.Itoa(i) // another tab: another key, the same declaration
				}
				status, m := e.jsonReq(t, http.MethodPost, "/api/v1/licences", tok, map[string]string{"application_no": e.fx.vision.ApplicationNo, "idempotency_key": key})
				no, _ := m["contract_no"].(string)
				answers <- answer{status, no}
			}()
		}
		wg.Wait()
		close(answers)
		created, nos := 0, map[string]bool{}
		for a := range answers {
			switch a.status {
			case http.StatusCreated:
				created++
			case http.StatusOK:
			default:
				t.Errorf("status %d", a.status)
			}
			nos[a.no] = true
		}
		if created != 1 || len(nos) != 1 {
			t.Fatalf("%d created, contract numbers %v", created, nos)
		}
		if n := e.count(t, &market.Contract{}, "licensee_id = ?", p.buyerOrg.ID); n != 1 {
			t.Fatalf("%d contracts in the database", n)
		}
	})
}
