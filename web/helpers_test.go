package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
	"patentwall/search"
	"patentwall/search/bleve"
	"patentwall/web"
)

// env is one app over a real database and a real Bleve index in a temporary folder.
type env struct {
	app   *web.App
	store *market.Store
	index search.Index
	fx    fixture
}

// now is the fixed clock of every web test.
var now = time.Date(2024, 5, 20, 2, 0, 0, 0, time.UTC)

func newEnv(t testing.TB, s *market.Store) *env { return newEnvWith(t, s, nil) }

// newEnvWith is newEnv whose app reaches the index through wrap (nil: directly).
func newEnvWith(t testing.TB, s *market.Store, wrap func(search.Index) search.Index) *env {
	t.Helper()
	s.Now = func() time.Time { return now }
	idx := bleve.New(filepath.Join(t.TempDir(), "index"))
	if _, err := idx.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	e := &env{store: s, index: idx}
	e.fx = loadFixture(t, s)
	var ids []int64
	if err := s.Gorm().Model(&market.Patent{}).Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	if err := search.IndexPatents(context.Background(), s, idx, ids); err != nil {
		t.Fatal(err)
	}
	var appIdx search.Index = idx
	if wrap != nil {
		appIdx = wrap(idx)
	}
	app, err := web.New(web.Deps{Store: s, Index: appIdx, BaseURL: "https://patents.example.cn/"})
	if err != nil {
		t.Fatal(err)
	}
	e.app = app
	return e
}

// sqliteEnv is the quick environment for tests that are about HTTP, not about the database.
func sqliteEnv(t *testing.T) *env { return newEnv(t, markettest.SQLite(t)) }

// eachEnv runs fn on SQLite and Postgres.
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	markettest.Each(t, func(t *testing.T, s *market.Store) { fn(t, newEnv(t, s)) })
}

type response struct {
	status int
	header http.Header
	body   string
}

func (e *env) do(t testing.TB, req *http.Request) response {
	t.Helper()
	resp, err := e.app.Fiber.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (e *env) get(t *testing.T, target string) response {
	t.Helper()
	return e.do(t, httptest.NewRequest(http.MethodGet, target, nil))
}

// getJSON fetches target and decodes the body into a generic map.
func (e *env) getJSON(t *testing.T, target string) (int, map[string]any) {
	t.Helper()
	r := e.get(t, target)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET %s: content type %q, body %s", target, ct, r.body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("GET %s: %v in %s", target, err, r.body)
	}
	return r.status, m
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: missing %q", what, w)
		}
	}
}

func mustNotContain(t *testing.T, what, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("%s: must not contain %q", what, b)
		}
	}
}

// ---------------------------------------------------------------------------------------------------------
// Fixture: a small catalogue with every fee model, a hostile title, walls, a supermarket and demands.

type fixture struct {
	uni, corp, hosp market.Organisation
	battery         market.Patent // free, featured, 新能源
	vision          market.Patent // lump sum 5,000 yuan, 人工智能
	hostile         market.Patent // utility model, royalty, <script> in title and abstract
	design          market.Patent // no declaration, for sale
	withdrawn       market.Patent // its declaration was withdrawn
	bulk            []market.Patent
}

// appNo makes a valid application number: year, type digit, serial.
func appNo(year int, typ byte, serial int) string {
	digits := fmt.Sprintf("%04d%c%07d", year, typ, serial)
	c, err := market.ApplicationCheckChar(digits)
	if err != nil {
		panic(err)
	}
	return digits + "." + string(c)
}

// uscc makes a valid USCC from a kind prefix, a Shanghai region and a serial.
func uscc(prefix string, serial int) string {
	body := fmt.Sprintf("%s310115%08dX", prefix, serial)[:17]
	c, err := market.USCCCheckChar(body)
	if err != nil {
		panic(err)
	}
	return body + string(c)
}

const bulkCount = 45

func loadFixture(t testing.TB, s *market.Store) fixture {
	t.Helper()
	db := s.Gorm()
	mk := func(v any) {
		t.Helper()
		if err := db.Create(v).Error; err != nil {
			t.Fatal(err)
		}
	}
	var fx fixture
	verified := now.Add(-100 * 24 * time.Hour)
	fx.uni = market.Organisation{USCC: uscc("12", 1), Name: "复旦测试大学", Kind: market.KindUniversity, DistrictCode: "310110",
		OperatingNormally: true, GoodCredit: true, VerifiedAt: &verified, CreatedAt: now, UpdatedAt: now}
	fx.corp = market.Organisation{USCC: uscc("91", 2), Name: "浦江智能科技有限公司", Kind: market.KindEnterprise, DistrictCode: "310115",
		OperatingNormally: true, GoodCredit: true, IsSME: true, VerifiedAt: &verified, CreatedAt: now, UpdatedAt: now}
	fx.hosp = market.Organisation{USCC: uscc("12", 3), Name: "外省测试医院", Kind: market.KindHospital,
		OperatingNormally: true, GoodCredit: true, CreatedAt: now, UpdatedAt: now}
	mk(&fx.uni)
	mk(&fx.corp)
	mk(&fx.hosp)

	patent := func(no, typ, title, abstract, ipc, industry string, owner int64) market.Patent {
		return market.Patent{ApplicationNo: no, Type: typ, Title: title, Abstract: abstract, PatenteeID: owner,
			FilingDate: market.MustDate("2020-06-19"), GrantDate: market.MustDate("2022-03-01"), Status: market.StatusGranted,
			Industry: industry, IPC: ipc, CreatedAt: now, UpdatedAt: now}
	}
	decl := func(p *market.Patent, model string, feeFen, bp, entryFen int64, published time.Time) {
		t.Helper()
		d := market.Declaration{PatentID: p.ID, FeeModel: model, FeeFen: feeFen, RoyaltyBP: bp, EntryFeeFen: entryFen,
			TermMonths: 36, Status: market.DeclLive, PublishedAt: published}
		if bp > 0 {
			d.RoyaltyBase = market.RoyaltyOnNetSales
		}
		if p.Type != market.TypeInvention {
			d.EvaluationReportNo = "PJ2023-0001"
		}
		mk(&d)
	}

	fx.battery = patent(appNo(2020, '1', 566088), market.TypeInvention, "一种锂电池电极材料及其制备方法",
		"本发明公开了一种锂电池电极材料，提高电池循环寿命。", "H01M 4/36;H01M 10/0525", "新能源", fx.uni.ID)
	fx.battery.Featured = true
	mk(&fx.battery)
	decl(&fx.battery, market.FeeFree, 0, 0, 0, now.Add(-1*time.Hour))

	fx.vision = patent(appNo(2021, '1', 100200), market.TypeInvention, "基于深度学习的图像识别方法",
		"A deep learning method for image recognition of industrial parts.", "G06N 3/08;G06V 10/82", "人工智能", fx.corp.ID)
	mk(&fx.vision)
	decl(&fx.vision, market.FeeLumpSum, 5000_00, 0, 0, now.Add(-2*time.Hour))

	fx.hostile = patent(appNo(2021, '2', 300400), market.TypeUtilityModel, `<script>alert("x")</script>电池外壳`,
		`摘要<img src=x onerror=alert(1)>含有标签`, "H01M 50/10", "新能源", fx.hosp.ID)
	mk(&fx.hostile)
	decl(&fx.hostile, market.FeeRoyalty, 0, 500, 0, now.Add(-3*time.Hour))

	fx.design = patent(appNo(2022, '3', 500600), market.TypeDesign, "电动汽车充电桩外观", "", "", "新能源汽车", fx.corp.ID)
	fx.design.TransferPriceFen = 8000_00
	mk(&fx.design)

	fx.withdrawn = patent(appNo(2019, '1', 700800), market.TypeInvention, "一种芯片散热结构", "芯片散热。", "H01L 23/367", "集成电路", fx.uni.ID)
	mk(&fx.withdrawn)
	ended := now.Add(-24 * time.Hour)
	mk(&market.Declaration{PatentID: fx.withdrawn.ID, FeeModel: market.FeeEntryPlusRoyalty, EntryFeeFen: 20000_00, RoyaltyBP: 300,
		RoyaltyBase: market.RoyaltyOnNetSales, TermMonths: 24, Status: market.DeclWithdrawn,
		PublishedAt: now.Add(-200 * 24 * time.Hour), WithdrawnAt: &ended})

	for i := 0; i < bulkCount; i++ {
		p := patent(appNo(2018, '1', 900000+i), market.TypeInvention, fmt.Sprintf("测试用数控机床夹具第%d号", i),
			"一种数控机床用夹具。", "B23Q 3/06", "高端装备", fx.uni.ID)
		mk(&p)
		decl(&p, market.FeeEntryPlusRoyalty, 0, 200, int64(1000_00*(i+1)), now.Add(-time.Duration(10+i)*time.Hour))
		fx.bulk = append(fx.bulk, p)
	}

	mk(&market.IPCTitle{Symbol: "H01M", Level: "subclass", TitleZH: "用于直接转变化学能为电能的方法或装置", TitleEN: "Processes or means for the direct conversion of chemical energy into electrical energy"})
	mk(&market.IPCTitle{Symbol: "H01", Level: "class", TitleZH: "基本电气元件", TitleEN: "Basic electric elements"})

	assoc := market.Organisation{USCC: uscc("51", 4), Name: "上海新能源行业协会", Kind: market.KindAssociation, DistrictCode: "310104",
		OperatingNormally: true, GoodCredit: true, CreatedAt: now, UpdatedAt: now}
	office := market.Organisation{USCC: uscc("11", 5), Name: "浦东新区知识产权局", Kind: market.KindDistrictOffice, DistrictCode: "310115",
		OperatingNormally: true, GoodCredit: true, CreatedAt: now, UpdatedAt: now}
	mk(&assoc)
	mk(&office)
	mk(&market.Wall{Slug: "new-energy", Name: "新能源专利墙", NameEN: "New energy wall", Industry: "新能源", OrgID: assoc.ID,
		Rules: `{"industries":["新能源"]}`, CreatedAt: now})
	mk(&market.Supermarket{Slug: "pudong", Name: "浦东专利超市", NameEN: "Pudong patent supermarket", DistrictCode: "310115",
		OfficeID: office.ID, Park: "张江科学城", CreatedAt: now})
	for i := 0; i < 25; i++ {
		mk(&market.Demand{OrgID: fx.corp.ID, Title: fmt.Sprintf("寻求电池热管理技术%d", i), Description: "需要<b>低成本</b>方案",
			Industry: "新能源", BudgetMaxFen: 100000_00, Status: market.DemandOpen, CreatedAt: now.Add(-time.Duration(i) * time.Hour)})
	}
	return fx
}
