package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"patentwall/market"
)

// A supermarket's page lists the open demands posted to it (channel "supermarket:SLUG"), as a wall's
// page lists its industry's: not pending ones, not closed ones, not another channel's; an empty state
// before any.
func TestSupermarketPageListsDemands(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		office := e.token(t, p.operator)
		agencyOrg := e.addOrg(t, market.KindAgency, "张江知识产权服务中心", 107, true)
		agency := e.token(t, e.addUser(t, &agencyOrg, market.RoleOperator, "op@agency.example.cn"))
		wallOp := e.token(t, e.demandWallOperator(t))
		corp := e.token(t, p.corp)
		body := map[string]any{"slug": "zj", "name": "张江专利超市", "district": "浦东新区", "agency_uscc": agencyOrg.USCC,
			"max_price_yuan": 200000}
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/supermarkets", office, body); status != http.StatusCreated {
			t.Fatalf("open supermarket: %d %v", status, m)
		}
		r := e.get(t, "/supermarkets/zj")
		if r.status != http.StatusOK {
			t.Fatalf("supermarket page: %d", r.status)
		}
		mustContain(t, "empty supermarket", r.body, `id="sm-demands-h"`, "暂无发布到本超市的技术需求")

		post := func(title, channel string) string {
			t.Helper()
			d := batteryDemand()
			d["title"], d["channel"] = title, channel
			status, m := e.jsonReq(t, http.MethodPost, "/api/v1/demands", corp, d)
			if status != http.StatusCreated {
				t.Fatalf("post %s: %d %v", title, status, m)
			}
			return fmt.Sprint(m["id"])
		}
		approve := func(id, token string) {
			t.Helper()
			if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/demands/"+id+"/moderate", token, map[string]string{"decision": "approve"}); status != http.StatusOK {
				t.Fatalf("approve %s: %d %v", id, status, m)
			}
		}
		open := post("寻求超市对接的电极材料技术", "supermarket:zj")
		post("尚待审核的超市需求", "supermarket:zj") // left pending
		closed := post("已关闭的超市需求", "supermarket:zj")
		wall := post("发布到专利墙的需求", "wall:new-energy")
		approve(open, agency)
		approve(closed, agency)
		approve(wall, wallOp)
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/demands/"+closed+"/close", corp, nil); status != http.StatusOK {
			t.Fatalf("close: %d %v", status, m)
		}

		r = e.get(t, "/supermarkets/zj")
		if r.status != http.StatusOK {
			t.Fatalf("supermarket page: %d", r.status)
		}
		mustContain(t, "supermarket demands", r.body, "寻求超市对接的电极材料技术", `href="/demands/`+open+`"`,
			`href="/demands?channel=supermarket%3Azj"`)
		mustNotContain(t, "supermarket demands", r.body, "尚待审核的超市需求", "已关闭的超市需求", "发布到专利墙的需求",
			"暂无发布到本超市的技术需求")
		// The English page too.
		r = e.get(t, "/supermarkets/zj?lang=en")
		if !strings.Contains(r.body, "All of this supermarket") {
			t.Errorf("English page lacks the demands link")
		}
	})
}
