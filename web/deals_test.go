package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"patentwall/market"
)

// The offers, intents, deals, registrations, attribution and channel statistics through the API and the
// pages (docs/interfaces.md §4, §5.9), on both databases.

// wallOperator adds an operator user of the fixture's association, which runs the new-energy wall.
func (e *env) wallOperator(t *testing.T) market.User {
	t.Helper()
	var assoc market.Organisation
	if err := e.store.Gorm().Where("uscc = ?", uscc("51", 4)).Take(&assoc).Error; err != nil {
		t.Fatal(err)
	}
	now := now
	assoc.VerifiedAt = &now
	if err := e.store.Gorm().Model(&assoc).Update("verified_at", now).Error; err != nil {
		t.Fatal(err)
	}
	return e.addUser(t, &assoc, market.RoleOperator, "op@newenergy.example.cn")
}

func TestDealsThroughAPI(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		seller, buyer := e.token(t, p.corp), e.token(t, p.buyer)
		op, otherOp := e.token(t, e.wallOperator(t)), e.token(t, e.addUser(t, &p.assoc, market.RoleOperator, "op2@assoc.example.cn"))
		bureau := e.token(t, p.bureau)
		vision := e.fx.vision.ApplicationNo

		st, m := e.jsonReq(t, http.MethodPut, "/api/v1/patents/"+vision+"/offer", seller, map[string]any{"transfer_price_yuan": "60000", "negotiable_licence": true})
		if st != http.StatusOK || m["transfer_price_yuan"] != float64(60000) || m["negotiable_licence"] != true {
			t.Fatalf("offer: %d %v", st, m)
		}
		if st, m = e.jsonReq(t, http.MethodPut, "/api/v1/patents/"+vision+"/offer", buyer, map[string]any{"transfer_price_yuan": 1}); st != http.StatusForbidden {
			t.Fatalf("offer by another: %d %v", st, m)
		}
		bad := []struct {
			name        string
			body        map[string]any
			token       string
			status      int
			code, field string
		}{
			{"own patent", map[string]any{"application_no": vision, "kind": "transfer"}, seller, 422, market.CodeOwnPatent, "application_no"},
			{"not offered", map[string]any{"application_no": e.fx.battery.ApplicationNo, "kind": "transfer"}, buyer, 422, market.CodeNotOffered, "kind"},
			{"exclusive", map[string]any{"application_no": vision, "kind": "exclusive_licence"}, buyer, 422, "invalid", "kind"},
			{"script", map[string]any{"application_no": vision, "kind": "transfer", "message": "<script>alert(1)</script>"}, buyer, 422, market.CodeMarkupNotAllowed, "message"},
			{"bad via", map[string]any{"application_no": vision, "kind": "transfer", "via": "wall:nope"}, buyer, 422, market.CodeUnknownChannel, "via"},
			{"bad offer", map[string]any{"application_no": vision, "kind": "transfer", "offer_yuan": "1.234"}, buyer, 422, "decimals", "offer_yuan"},
		}
		for _, b := range bad {
			st, m := e.jsonReq(t, http.MethodPost, "/api/v1/intents", b.token, b.body)
			if st != b.status || errField(m) != b.field || (b.code != "decimals" && errCode(m) != b.code) {
				t.Errorf("%s: %d %v", b.name, st, m)
			}
		}
		if n := e.count(t, &market.Intent{}, "1 = 1"); n != 0 {
			t.Fatalf("%d intents after refusals", n)
		}
		st, m = e.jsonReq(t, http.MethodPost, "/api/v1/intents", buyer, map[string]any{"application_no": vision, "kind": "transfer",
			"offer_yuan": 50000, "message": "希望受让", "via": "wall:new-energy"})
		if st != http.StatusCreated || m["status"] != "open" || m["channel"] != "wall:new-energy" || m["offer_yuan"] != float64(50000) || m["intent_id"] != m["id"] {
			t.Fatalf("intent: %d %v", st, m)
		}
		path := "/api/v1/intents/" + itoa64(int64(m["id"].(float64)))
		if st, m = e.jsonReq(t, http.MethodGet, "/api/v1/intents?role=buyer", buyer, nil); st != 200 || m["total"] != float64(1) {
			t.Fatalf("buyer's intents: %d %v", st, m)
		}
		if st, m = e.jsonReq(t, http.MethodGet, "/api/v1/intents?role=holder", seller, nil); st != 200 || m["total"] != float64(1) {
			t.Fatalf("holder's intents: %d %v", st, m)
		}
		if st, _ = e.jsonReq(t, http.MethodGet, path, e.token(t, p.otherHolder), nil); st != http.StatusForbidden {
			t.Fatalf("a stranger reads the thread: %d", st)
		}
		if st, _ = e.jsonReq(t, http.MethodGet, path, op, nil); st != http.StatusOK {
			t.Fatalf("the channel's operator reads the thread: %d", st)
		}
		if st, m = e.jsonReq(t, http.MethodPost, path+"/messages", seller, map[string]any{"body": "可以，6 万元"}); st != http.StatusCreated || len(m["messages"].([]any)) != 2 {
			t.Fatalf("message: %d %v", st, m)
		}
		deal := map[string]any{"fee_yuan": "55000", "signed_on": "2024-05-10", "effective_on": "2024-05-10"}
		if st, _ = e.jsonReq(t, http.MethodPost, path+"/deal", buyer, deal); st != http.StatusForbidden {
			t.Fatalf("deal by the buyer: %d", st)
		}
		st, m = e.jsonReq(t, http.MethodPost, path+"/deal", seller, deal)
		if st != http.StatusCreated || m["status"] != "awaiting_registration" || m["kind"] != "transfer" || m["channel"] != "wall:new-energy" || m["intent_id"] == nil {
			t.Fatalf("deal: %d %v", st, m)
		}
		no := m["contract_no"].(string)
		if st, m = e.jsonReq(t, http.MethodPost, path+"/deal", seller, deal); st != http.StatusConflict || errCode(m) != market.CodeDealRecorded {
			t.Fatalf("deal twice: %d %v", st, m)
		}
		reg := "/api/v1/contracts/" + no + "/registration"
		if st, m = e.jsonReq(t, http.MethodPost, reg, buyer, map[string]any{"registration_no": "ZR2024-1", "registered_on": "2024-05-09"}); st != 422 || errField(m) != "registered_on" {
			t.Fatalf("registration before the deal: %d %v", st, m)
		}
		if st, m = e.jsonReq(t, http.MethodPost, reg, buyer, map[string]any{"registration_no": "ZR2024-1", "registered_on": "2024-05-15"}); st != 200 || m["status"] != "effective" || m["filing_no"] != "ZR2024-1" {
			t.Fatalf("registration: %d %v", st, m)
		}
		if st, m = e.jsonReq(t, http.MethodGet, "/api/v1/patents/"+vision, "", nil); st != 200 || m["patentee_uscc"] != p.buyerOrg.USCC || m["declaration"] != nil {
			t.Fatalf("patent after the transfer: %d %v", st, m)
		}

		// targets and statistics: the wall's operator and the bureau; not another association's operator
		stats := "/api/v1/channels/wall:new-energy/stats?from=2024-05-01&to=2024-05-31"
		if st, m = e.jsonReq(t, http.MethodPut, "/api/v1/channels/wall:new-energy/targets", op,
			map[string]any{"from": "2024-05-01", "to": "2024-05-31", "listings": 4, "intents": 2, "contracts": 4, "smes": 1, "turnover_yuan": "110000"}); st != 200 {
			t.Fatalf("targets: %d %v", st, m)
		}
		if st, _ = e.jsonReq(t, http.MethodPut, "/api/v1/channels/wall:new-energy/targets", otherOp, map[string]any{"from": "2024-05-01", "to": "2024-05-31"}); st != http.StatusForbidden {
			t.Fatalf("targets by another operator: %d", st)
		}
		if st, _ = e.jsonReq(t, http.MethodGet, stats, otherOp, nil); st != http.StatusForbidden {
			t.Fatalf("stats by another operator: %d", st)
		}
		st, m = e.jsonReq(t, http.MethodGet, stats, op, nil)
		if st != 200 {
			t.Fatalf("stats: %d %v", st, m)
		}
		for _, k := range []string{"channel", "from", "to", "listings", "views", "qr_scans", "intents", "contracts", "free_contracts",
			"smes", "turnover_yuan", "median_days_listing_to_deal", "targets", "progress"} {
			if _, ok := m[k]; !ok {
				t.Errorf("stats lack %s: %v", k, m)
			}
		}
		progress, _ := m["progress"].(map[string]any)
		if m["intents"] != float64(1) || m["contracts"] != float64(1) || m["smes"] != float64(1) || m["turnover_yuan"] != float64(55000) ||
			progress["intents"] != float64(50) || progress["turnover"] != float64(50) {
			t.Errorf("stats: %v", m)
		}
		if st, m = e.jsonReq(t, http.MethodGet, "/api/v1/bureau/channels?from=2024-05-01&to=2024-05-31", bureau, nil); st != 200 || len(m["channels"].([]any)) != 2 {
			t.Fatalf("bureau table: %d %v", st, m)
		}
		if st, _ = e.jsonReq(t, http.MethodGet, "/api/v1/bureau/channels", op, nil); st != http.StatusForbidden {
			t.Fatalf("bureau table for an operator: %d", st)
		}
		req := httptest.NewRequest(http.MethodGet, "/api/v1/bureau/channels?format=csv&from=2024-05-01&to=2024-05-31", nil)
		req.Header.Set("Authorization", "Bearer "+bureau)
		r := e.do(t, req)
		mustContain(t, "csv", r.body, "渠道 channel", "wall:new-energy,2024-05-01,2024-05-31", "supermarket:pudong")
	})
}

var intentLocRe = regexp.MustCompile(`^/intents/(\d+)`)

// TestAttributionAndIntentPages: an anonymous visitor follows a wall's link and a screen's QR code, signs
// in and accepts: the contract records the channel and the wall's statistics count the views, the scans
// and the deal. Then the intent, deal and registration forms, without JavaScript.
func TestAttributionAndIntentPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		opUser := e.wallOperator(t)
		buyer := e.client()
		battery := "/patents/" + e.fx.battery.ApplicationNo
		r := buyer.get(t, battery+"?via=screen:new-energy")
		if r.status != 200 {
			t.Fatalf("qr: %d", r.status)
		}
		buyer.get(t, battery+"?via=screen:new-energy")
		buyer.get(t, battery+"?via=wall:new-energy")
		buyer.login(t, p.buyer.Email)
		r = buyer.get(t, battery)
		no := contractFromRedirect(t, buyer.post(t, battery+"/accept", acceptForm(t, r.body)))
		var c market.Contract
		if err := e.store.Gorm().Where("contract_no = ?", no).Take(&c).Error; err != nil {
			t.Fatal(err)
		}
		if c.Channel == nil || *c.Channel != "wall:new-energy" {
			t.Fatalf("channel of the acceptance: %v", c.Channel)
		}

		op := e.client()
		op.login(t, opUser.Email)
		r = op.get(t, "/operator/channels/wall:new-energy?from=2024-05-01&to=2024-05-31")
		if r.status != 200 {
			t.Fatalf("stats page: %d %.500s", r.status, r.body)
		}
		mustContain(t, "stats page", r.body, "<svg", "按月成交", `<td>2</td>`)
		st, m := e.jsonReq(t, http.MethodGet, "/api/v1/channels/wall:new-energy/stats?from=2024-05-01&to=2024-05-31", e.token(t, opUser), nil)
		if st != 200 || m["views"] != float64(2) || m["qr_scans"] != float64(2) || m["contracts"] != float64(1) || m["free_contracts"] != float64(1) {
			t.Fatalf("stats: %d %v", st, m)
		}
		r = op.get(t, "/operator/channels/wall:new-energy?from=2024-05-01&to=2024-05-31&format=xlsx")
		if r.status != 200 || !strings.HasPrefix(r.body, "PK") {
			t.Fatalf("xlsx: %d", r.status)
		}
		if r = op.get(t, "/operator/channels/supermarket:pudong"); r.status != http.StatusForbidden {
			t.Fatalf("another channel's page: %d", r.status)
		}
		// targets through the form: a bad period is shown again with 422, nothing stored
		r = op.submit(t, "/operator/channels/wall:new-energy", "/operator/channels/wall:new-energy/targets",
			url.Values{"from": {"2024-06-01"}, "to": {"2024-05-01"}, "contracts": {"3"}})
		if r.status != http.StatusUnprocessableEntity || e.count(t, &market.ChannelTarget{}, "1 = 1") != 0 {
			t.Fatalf("bad targets: %d", r.status)
		}

		// the holder offers its design for transfer; the buyer sends an intent from the patent page
		seller := e.client()
		seller.login(t, p.corp.Email)
		design := "/patents/" + e.fx.design.ApplicationNo
		r = seller.submit(t, design+"/offer", design+"/offer", url.Values{"transfer_price_yuan": {"8000"}, "negotiable_licence": {"1"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("offer form: %d %.300s", r.status, r.body)
		}
		r = buyer.get(t, design)
		mustContain(t, "patent page", r.body, "提交交易意向", `value="transfer"`, `value="ordinary_licence"`)
		r = buyer.submit(t, design, "/intents", url.Values{"application_no": {e.fx.design.ApplicationNo}, "kind": {"transfer"}, "message": {"<b>hi</b>"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "HTML") {
			t.Fatalf("script in the message: %d", r.status)
		}
		r = buyer.submit(t, design, "/intents", url.Values{"application_no": {e.fx.design.ApplicationNo}, "kind": {"transfer"}, "message": {"我们有意受让"}})
		loc := intentLocRe.FindStringSubmatch(r.header.Get("Location"))
		if r.status != http.StatusSeeOther || loc == nil {
			t.Fatalf("intent form: %d %q", r.status, r.header.Get("Location"))
		}
		ipage := "/intents/" + loc[1]
		r = seller.get(t, ipage)
		mustContain(t, "thread", r.body, "我们有意受让", "登记成交", "拒绝该意向")
		r = seller.submit(t, ipage, ipage+"/deal", url.Values{"fee_yuan": {"8000"}, "signed_on": {"2024-05-20"}, "effective_on": {"2024-05-19"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "生效日期不能早于签约日期") {
			t.Fatalf("bad deal: %d", r.status)
		}
		r = seller.submit(t, ipage, ipage+"/deal", url.Values{"fee_yuan": {"8000"}, "signed_on": {"2024-05-20"}, "effective_on": {"2024-05-20"}})
		cpage := r.header.Get("Location")
		if r.status != http.StatusSeeOther || !strings.HasPrefix(cpage, "/contracts/JY") {
			t.Fatalf("deal form: %d %q", r.status, cpage)
		}
		cpage = strings.SplitN(cpage, "?", 2)[0]
		r = buyer.get(t, cpage)
		mustContain(t, "contract page", r.body, "待登记转让", "登记转让", "源自交易意向")
		r = buyer.submit(t, cpage, cpage+"/registration", url.Values{"registration_no": {"ZR-9"}, "registered_on": {"2024-05-20"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("registration form: %d %.500s", r.status, r.body)
		}
		r = buyer.get(t, "/intents?role=buyer")
		mustContain(t, "my intents", r.body, "已成交", e.fx.design.Title)
		r = seller.get(t, "/intents?role=buyer")
		mustContain(t, "empty state", r.body, "贵单位还没有提出交易意向")
	})
}

// TestDealInBureauRecordsAndArt19: a transfer agreed through an intent and registered at CNIPA is in the
// bureau's records and counts in the Art. 19 round as an imported, registered transfer does (its
// registration number is matched against CNIPA's list like a filing number).
func TestDealInBureauRecordsAndArt19(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		if err := e.store.Gorm().Model(&p.buyerOrg).Update("sme_confirmed", true).Error; err != nil {
			t.Fatal(err)
		}
		holder, buyer, bureau := e.token(t, p.holder), e.token(t, p.buyer), e.token(t, p.bureau)
		battery := e.fx.battery.ApplicationNo
		if st, m := e.jsonReq(t, http.MethodPut, "/api/v1/patents/"+battery+"/offer", holder, map[string]any{"transfer_price_yuan": "20000"}); st != 200 {
			t.Fatalf("offer: %d %v", st, m)
		}
		st, m := e.jsonReq(t, http.MethodPost, "/api/v1/intents", buyer, map[string]any{"application_no": battery, "kind": "transfer"})
		if st != http.StatusCreated {
			t.Fatalf("intent: %d %v", st, m)
		}
		path := "/api/v1/intents/" + itoa64(int64(m["id"].(float64)))
		st, m = e.jsonReq(t, http.MethodPost, path+"/deal", holder, map[string]any{"fee_yuan": "20000", "signed_on": "2022-10-01", "effective_on": "2022-10-01"})
		if st != http.StatusCreated {
			t.Fatalf("deal: %d %v", st, m)
		}
		no := m["contract_no"].(string)
		if st, m = e.jsonReq(t, http.MethodPost, "/api/v1/contracts/"+no+"/registration", buyer,
			map[string]any{"registration_no": "ZR2022-77", "registered_on": "2022-10-15"}); st != 200 {
			t.Fatalf("registration: %d %v", st, m)
		}
		if err := e.store.Gorm().Create(&market.Filing{FilingNo: "ZR2022-77", FiledOn: market.MustDate("2022-10-15"), Kind: market.ContractTransfer,
			Patents: battery, LicensorUSCC: e.fx.uni.USCC, LicenseeUSCC: p.buyerOrg.USCC, Status: "effective", ImportedAt: now}).Error; err != nil {
			t.Fatal(err)
		}
		st, m = e.jsonReq(t, http.MethodGet, "/api/v1/bureau/contracts?from=2022-01-01&to=2022-12-31", bureau, nil)
		if st != 200 || !strings.Contains(toJSON(t, m), `"contract_no":"`+no+`"`) {
			t.Fatalf("bureau records: %d %v", st, m)
		}
		st, m = e.jsonReq(t, http.MethodPost, "/api/v1/bureau/rounds/art19-2022/runs", bureau, map[string]any{"as_of": "2023-12-31"})
		if st != http.StatusCreated {
			t.Fatalf("run: %d %v", st, m)
		}
		found := false
		for _, l := range m["lines"].([]any) {
			line := l.(map[string]any)
			if line["contract_no"] != no {
				continue
			}
			found = true
			if line["status"] != "eligible" || line["patent"] != battery || line["recipient_uscc"] != e.fx.uni.USCC {
				t.Errorf("Art. 19 line of the registered transfer: %v", line)
			}
		}
		if !found {
			t.Fatalf("no Art. 19 line for %s: %v", no, m["lines"])
		}
	})
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
