package web_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"context"

	"patentwall/market"
	"patentwall/market/markettest"
	"patentwall/search"
)

// switchable passes everything to the real index until down is set; then searches and pings fail as an
// unreachable engine's do.
type switchable struct {
	search.Index
	down atomic.Bool
}

var errEngineDown = errors.New("engine unreachable: connection refused")

func (s *switchable) Search(ctx context.Context, q search.Query) (*search.Result, error) {
	if s.down.Load() {
		return nil, errEngineDown
	}
	return s.Index.Search(ctx, q)
}

func (s *switchable) Ping(ctx context.Context) error {
	if s.down.Load() {
		return errEngineDown
	}
	return search.Ping(ctx, s.Index)
}

// patentLinks lists the application numbers a page links to, in order of first appearance.
func patentLinks(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`/patents/([0-9]{12}\.[0-9X])`).FindAllStringSubmatch(body, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// While the search engine is down, walls, supermarkets, screens and browsing by industry are served from
// the database with the same patents in the same order, and searching answers 503 search_unavailable in
// both languages with links to what still works (docs/architecture.md §9.1).
func TestBrowsingWithoutSearchEngine(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		var sw *switchable
		e := newEnvWith(t, s, func(idx search.Index) search.Index {
			sw = &switchable{Index: idx}
			return sw
		})
		fx := e.fx
		p := e.people(t)
		op := e.token(t, e.addUser(t, &p.assoc, market.RoleOperator, "op@assoc.example.cn"))
		wall := map[string]any{"slug": "mix", "name": "能源与装备专利墙", "rules": map[string]any{
			"industries": []string{"新能源", "高端装备"}, "keywords": []string{"夹具"}}}
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/walls", op, wall); status != http.StatusCreated {
			t.Fatalf("create wall: %d %v", status, m)
		}
		wall2 := map[string]any{"slug": "energy", "name": "新能源墙", "rules": map[string]any{"industries": []string{"新能源", "高端装备"}}}
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/walls", op, wall2); status != http.StatusCreated {
			t.Fatalf("create wall: %d %v", status, m)
		}
		wall3 := map[string]any{"slug": "ipc", "name": "分类墙", "rules": map[string]any{"ipc": []string{"B23Q", "H01M 4/36", "G06"},
			"holder_kinds": []string{"university", "enterprise"}, "districts": []string{"杨浦区", "浦东新区"}}}
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/walls", op, wall3); status != http.StatusCreated {
			t.Fatalf("create wall: %d %v", status, m)
		}
		// Main groups as prefixes: H01M 10/ takes the battery (H01M 10/0525), not the casing (H01M 50/10).
		wall4 := map[string]any{"slug": "mg", "name": "大组墙", "rules": map[string]any{"ipc": []string{"H01M 10/", "b23q3"}}}
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/walls", op, wall4); status != http.StatusCreated {
			t.Fatalf("create wall: %d %v", status, m)
		}
		for _, slug := range []string{"mix", "energy", "ipc", "mg"} {
			pins := map[string]any{"application_nos": []string{fx.vision.ApplicationNo, fx.bulk[7].ApplicationNo}}
			if status, m := e.jsonReq(t, http.MethodPut, "/api/v1/walls/"+slug+"/pins", op, pins); status != http.StatusOK {
				t.Fatalf("pins: %d %v", status, m)
			}
			excl := map[string]any{"application_nos": []string{fx.bulk[3].ApplicationNo}}
			if status, m := e.jsonReq(t, http.MethodPut, "/api/v1/walls/"+slug+"/excluded", op, excl); status != http.StatusOK {
				t.Fatalf("exclusions: %d %v", status, m)
			}
		}
		// A supermarket with a shelf under a price limit and a pin.
		agencyOrg := e.addOrg(t, market.KindAgency, "张江知识产权服务中心", 107, true)
		agency := e.token(t, e.addUser(t, &agencyOrg, market.RoleOperator, "op@agency.example.cn"))
		sm := map[string]any{"slug": "zj", "name": "张江专利超市", "district": "浦东新区", "agency_uscc": agencyOrg.USCC,
			"max_price_yuan": 200000, "price_bands_yuan": []any{10000, 50000, 200000}}
		if status, m := e.jsonReq(t, http.MethodPost, "/api/v1/supermarkets", e.token(t, p.operator), sm); status != http.StatusCreated {
			t.Fatalf("supermarket: %d %v", status, m)
		}
		shelves, _ := json.Marshal([]map[string]any{
			{"key": "tools", "title": "装备", "rules": map[string]any{"industries": []string{"高端装备"}}, "pins": []string{fx.hostile.ApplicationNo}, "max_price_yuan": "5000"},
		})
		req := httptest.NewRequest(http.MethodPut, "/api/v1/supermarkets/zj/shelves", strings.NewReader(string(shelves)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+agency)
		if r := e.do(t, req); r.status != http.StatusOK {
			t.Fatalf("shelves: %d %s", r.status, r.body)
		}

		// What every listing shows with the engine, page by page.
		wallPages := func(slug string) (totals []int, nos [][]string) {
			t.Helper()
			for page := 1; page <= 11; page++ {
				status, m := e.getJSON(t, fmt.Sprintf("/api/v1/walls/%s/patents?per_page=5&page=%d", slug, page))
				if status != http.StatusOK {
					t.Fatalf("wall %s page %d: %d %v", slug, page, status, m)
				}
				totals = append(totals, int(m["total"].(float64)))
				nos = append(nos, wallNos(t, m))
			}
			return totals, nos
		}
		apiNos := func(target string) (int, []string, map[string]any) {
			t.Helper()
			status, m := e.getJSON(t, target)
			if status != http.StatusOK {
				t.Fatalf("%s: %d %v", target, status, m)
			}
			var nos []string
			for _, h := range m["hits"].([]any) {
				nos = append(nos, h.(map[string]any)["application_no"].(string))
			}
			return int(m["total"].(float64)), nos, m
		}
		pageNos := func(target string) []string {
			t.Helper()
			r := e.get(t, target)
			if r.status != http.StatusOK {
				t.Fatalf("%s: %d", target, r.status)
			}
			return patentLinks(r.body)
		}
		const browse = "/api/v1/patents?industry=高端装备&industry=新能源&offer=open_licence&max_fee_yuan=100000&per_page=7&page=2"
		const browsePage = "/search?industry=高端装备&offer=open_licence&per_page=10"
		var upTotals = map[string][]int{}
		var upNos = map[string][][]string{}
		for _, slug := range []string{"mix", "energy", "ipc", "mg"} {
			upTotals[slug], upNos[slug] = wallPages(slug)
		}
		if mg := slices.Concat(upNos["mg"]...); upTotals["mg"][0] != 2+1+bulkCount-2 || !slices.Contains(mg, fx.battery.ApplicationNo) ||
			slices.Contains(mg, fx.hostile.ApplicationNo) {
			t.Errorf("main-group wall with the engine: %d %v", upTotals["mg"][0], mg)
		}
		upBrowseTotal, upBrowse, _ := apiNos(browse)
		upPage := pageNos(browsePage)
		upWall := pageNos("/walls/energy")
		upShelf := pageNos("/supermarkets/zj")
		if upTotals["mix"][0] != 2+bulkCount-1-1 || len(upBrowse) != 7 || len(upPage) < 10 || len(upShelf) == 0 {
			t.Fatalf("with the engine: wall total %d, browse %v, page %v, shelf %v", upTotals["mix"][0], upBrowse, upPage, upShelf)
		}

		t.Logf("ipc wall with the engine: %d %v", upTotals["ipc"][0], upNos["ipc"][:3])
		sw.down.Store(true)
		for _, slug := range []string{"mix", "energy", "ipc", "mg"} {
			totals, nos := wallPages(slug)
			if !slices.Equal(totals, upTotals[slug]) {
				t.Errorf("wall %s totals without the engine %v, with it %v", slug, totals, upTotals[slug])
			}
			for i := range nos {
				if !slices.Equal(nos[i], upNos[slug][i]) {
					t.Errorf("wall %s page %d without the engine %v, with it %v", slug, i+1, nos[i], upNos[slug][i])
				}
			}
		}
		total, nos, m := apiNos(browse)
		if total != upBrowseTotal || !slices.Equal(nos, upBrowse) || m["source"] != "database" {
			t.Errorf("API browsing without the engine: %d %v (source %v), with it %d %v", total, nos, m["source"], upBrowseTotal, upBrowse)
		}
		if got := pageNos(browsePage); !slices.Equal(got, upPage) {
			t.Errorf("browsing page without the engine %v, with it %v", got, upPage)
		}
		r := e.get(t, browsePage)
		mustContain(t, "browsing page", r.body, "搜索服务暂时不可用")
		if got := pageNos("/walls/energy"); !slices.Equal(got, upWall) {
			t.Errorf("wall page without the engine %v, with it %v", got, upWall)
		}
		if got := pageNos("/supermarkets/zj"); !slices.Equal(got, upShelf) {
			t.Errorf("supermarket page without the engine %v, with it %v", got, upShelf)
		}
		for _, u := range []string{"/walls", "/supermarkets", "/walls/energy/screen", "/"} {
			if r := e.get(t, u); r.status != http.StatusOK {
				t.Errorf("%s without the engine: %d", u, r.status)
			}
		}
		r = e.get(t, "/api/v1/walls/energy/screen")
		if r.status != http.StatusOK || !strings.Contains(r.body, fx.vision.ApplicationNo) || !strings.Contains(r.body, fx.battery.ApplicationNo) {
			t.Errorf("screen data without the engine: %d %s", r.status, r.body)
		}

		// Searching needs the engine: 503 search_unavailable, in both languages.
		for lang, want := range map[string]string{"zh": "搜索服务暂时不可用", "en": "search is temporarily unavailable"} {
			status, m := e.getJSON(t, "/api/v1/patents?q=电池&lang="+lang)
			if errObj, _ := m["error"].(map[string]any); status != http.StatusServiceUnavailable || errObj["code"] != market.CodeSearchUnavailable ||
				!strings.Contains(errObj["message"].(string), want) {
				t.Errorf("API search (%s) without the engine: %d %v", lang, status, m)
			}
			r := e.get(t, "/search?q=电池&lang="+lang)
			if r.status != http.StatusServiceUnavailable {
				t.Errorf("search page (%s) without the engine: %d", lang, r.status)
			}
			mustContain(t, "search page ("+lang+")", r.body, want, `href="/walls"`, `href="/supermarkets"`,
				`href="/search?industry=`)
		}
		// Filters the database cannot answer alike need the engine too.
		if status, m := e.getJSON(t, "/api/v1/patents?fee_model=free"); status != http.StatusServiceUnavailable {
			t.Errorf("fee model filter without the engine: %d %v", status, m)
		}
		// An open demand stays readable, without matches; asking for its matches needs the engine.
		var demandID int64
		if err := s.Gorm().Model(&market.Demand{}).Where("status = ?", market.DemandOpen).Order("id").Limit(1).Pluck("id", &demandID).Error; err != nil || demandID == 0 {
			t.Fatalf("demand: %d %v", demandID, err)
		}
		if r := e.get(t, fmt.Sprintf("/demands/%d", demandID)); r.status != http.StatusOK {
			t.Errorf("demand page without the engine: %d", r.status)
		}
		if status, m := e.getJSON(t, fmt.Sprintf("/api/v1/demands/%d/matches", demandID)); status != http.StatusServiceUnavailable {
			t.Errorf("demand matches without the engine: %d %v", status, m)
		}
		status, m := e.getJSON(t, "/healthz")
		if status != http.StatusOK || m["search"] != "down" || m["status"] != "degraded" || m["db"] != "ok" {
			t.Errorf("healthz without the engine: %d %v", status, m)
		}

		sw.down.Store(false)
		status, m = e.getJSON(t, "/healthz")
		if status != http.StatusOK || m["search"] != "ok" || m["status"] != "ok" || m["outbox_pending"] != 0.0 {
			t.Errorf("healthz with the engine back: %d %v", status, m)
		}
		if status, m := e.getJSON(t, "/api/v1/patents?q=电池"); status != http.StatusOK || m["source"] != nil {
			t.Errorf("search with the engine back: %d %v", status, m)
		}
	})
}
