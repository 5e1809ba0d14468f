package web_test

import (
	"net/http"
	"testing"

	"patentwall/market"
)

// POST /api/v1/licences with "via": the channel is checked (an unknown one is refused, nothing signed) and
// recorded as the contract's channel (docs/interfaces.md §5.6).
func TestAcceptViaChannel(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		buyer := e.token(t, p.buyer)
		battery := e.fx.battery.ApplicationNo
		st, m := e.jsonReq(t, http.MethodPost, "/api/v1/licences", buyer,
			map[string]any{"application_no": battery, "idempotency_key": "via-1", "via": "wall:nope"})
		if errObj, _ := m["error"].(map[string]any); st != http.StatusUnprocessableEntity || errObj["code"] != market.CodeUnknownChannel {
			t.Fatalf("unknown channel: %d %v", st, m)
		}
		var n int64
		if err := e.store.Gorm().Model(&market.Contract{}).Where("licensee_id = ?", p.buyer.OrgID).Count(&n).Error; err != nil || n != 0 {
			t.Fatalf("a refused acceptance left %d contracts (%v)", n, err)
		}
		st, m = e.jsonReq(t, http.MethodPost, "/api/v1/licences", buyer,
			map[string]any{"application_no": battery, "idempotency_key": "via-2", "via": "wall:new-energy"})
		if st != http.StatusCreated || m["channel"] != "wall:new-energy" {
			t.Fatalf("accept via a wall: %d channel %v", st, m["channel"])
		}
		var ch string
		if err := e.store.Gorm().Model(&market.Contract{}).Where("contract_no = ?", m["contract_no"]).Pluck("channel", &ch).Error; err != nil || ch != "wall:new-energy" {
			t.Errorf("stored channel %q (%v)", ch, err)
		}
	})
}
