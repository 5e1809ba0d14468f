package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"patentwall/market"
)

// The demand gets the credit (docs/rules.md §10.5): the demander follows a match's link
// (?via=demand:ID), accepts the open licence and sends an intent on another patent; the contract and the
// intent record demand:ID as their channel, and the bureau's statistics of that channel count them. A
// licence accepted without the link records no channel.
func TestDemandCreditOnAcceptanceAndIntent(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		wop := e.token(t, e.demandWallOperator(t))
		buyerTok, bureau := e.token(t, p.buyer), e.token(t, p.bureau)

		status, m := e.jsonReq(t, http.MethodPost, "/api/v1/demands", buyerTok, batteryDemand())
		if status != http.StatusCreated {
			t.Fatalf("post demand: %d %v", status, m)
		}
		id := fmt.Sprint(m["id"])
		channel := "demand:" + id
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/demands/"+id+"/moderate", wop, map[string]string{"decision": "approve"}); status != http.StatusOK {
			t.Fatalf("approve: %d %v", status, m)
		}
		status, m = e.getJSON(t, "/api/v1/demands/"+id+"/matches?limit=5")
		ms, _ := m["matches"].([]any)
		if status != http.StatusOK || len(ms) == 0 {
			t.Fatalf("matches: %d %v", status, m)
		}
		first := ms[0].(map[string]any)
		u, err := url.Parse(fmt.Sprint(first["url"]))
		if err != nil || first["application_no"] != e.fx.battery.ApplicationNo || u.Query().Get("via") != channel {
			t.Fatalf("first match: %v", first)
		}

		// The demander follows the match's link, signs in and accepts the open licence.
		buyer := e.client()
		if r := buyer.get(t, u.Path+"?"+u.RawQuery); r.status != http.StatusOK {
			t.Fatalf("match link: %d", r.status)
		}
		buyer.login(t, p.buyer.Email)
		battery := "/patents/" + e.fx.battery.ApplicationNo
		r := buyer.get(t, battery)
		no := contractFromRedirect(t, buyer.post(t, battery+"/accept", acceptForm(t, r.body)))
		var c market.Contract
		if err := e.store.Gorm().Where("contract_no = ?", no).Take(&c).Error; err != nil {
			t.Fatal(err)
		}
		if c.Channel == nil || *c.Channel != channel {
			t.Fatalf("contract %s channel %v, want %s", no, c.Channel, channel)
		}
		// The API shows it to the licensee.
		if status, m := e.jsonReq(t, http.MethodGet, "/api/v1/contracts/"+no, buyerTok, nil); status != http.StatusOK || m["channel"] != channel {
			t.Errorf("contract API: %d, channel %v, want %s", status, m["channel"], channel)
		}

		// Then an intent on a patent offered for sale, through the same demand's link.
		seller := e.client()
		seller.login(t, p.corp.Email)
		design := "/patents/" + e.fx.design.ApplicationNo
		if r := seller.submit(t, design+"/offer", design+"/offer", url.Values{"transfer_price_yuan": {"8000"}}); r.status != http.StatusSeeOther {
			t.Fatalf("offer: %d %.300s", r.status, r.body)
		}
		buyer.get(t, design+"?via="+channel)
		r = buyer.submit(t, design, "/intents", url.Values{"application_no": {e.fx.design.ApplicationNo}, "kind": {"transfer"}, "message": {"需求对接：有意受让"}})
		loc := intentLocRe.FindStringSubmatch(r.header.Get("Location"))
		if r.status != http.StatusSeeOther || loc == nil {
			t.Fatalf("intent: %d %q", r.status, r.header.Get("Location"))
		}
		var in market.Intent
		if err := e.store.Gorm().Where("id = ?", loc[1]).Take(&in).Error; err != nil {
			t.Fatal(err)
		}
		if in.Channel == nil || *in.Channel != channel {
			t.Errorf("intent channel %v, want %s", in.Channel, channel)
		}

		// The bureau's statistics of the demand's channel count both.
		st, m := e.jsonReq(t, http.MethodGet, "/api/v1/channels/"+channel+"/stats?from=2024-05-01&to=2024-05-31", bureau, nil)
		if st != http.StatusOK || m["channel"] != channel || m["contracts"] != float64(1) || m["free_contracts"] != float64(1) || m["intents"] != float64(1) {
			t.Errorf("stats of %s: %d %v", channel, st, m)
		}
		st, m = e.jsonReq(t, http.MethodGet, "/api/v1/bureau/channels?from=2024-05-01&to=2024-05-31", bureau, nil)
		if st != http.StatusOK || !strings.Contains(fmt.Sprint(m["channels"]), channel) {
			t.Errorf("bureau table lacks %s: %d %v", channel, st, m)
		}
	})
}
