package web_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"patentwall/market"
	"patentwall/web"
)

func TestHomeShowsLatestFeaturedAndIndustries(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.get(t, "/")
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		mustContain(t, "home", r.body,
			`<html lang="zh-CN">`, `class="skip-link" href="#main"`, `<main id="main"`,
			"上海公共专利墙", "重点推荐", "最新开放许可",
			e.fx.battery.Title, e.fx.vision.Title,
			// 3 named patents + the bulk ones have live declarations; the withdrawn one does not count.
			fmt.Sprintf("<dd>%d</dd>", 3+bulkCount),
			// Industries with counts, largest first.
			fmt.Sprintf("高端装备</a> <span class=\"count\">%d 件</span>", bulkCount),
			"新能源</a> <span class=\"count\">2 件</span>",
			"登录", "注册")
		mustNotContain(t, "home", r.body, e.fx.withdrawn.Title, "<script>alert")
		if strings.Index(r.body, "高端装备</a>") > strings.Index(r.body, "新能源</a>") {
			t.Error("industries are not ordered by count")
		}
	})
}

func TestEnglishIsChosenAndRemembered(t *testing.T) {
	e := sqliteEnv(t)
	r := e.get(t, "/?lang=en")
	mustContain(t, "home en", r.body, `<html lang="en">`, "Newest open licences", "Browse by industry", "Log in",
		"Artificial intelligence", "High-end equipment")
	mustNotContain(t, "home en", r.body, "最新开放许可")
	cookie := r.header.Get("Set-Cookie")
	if !strings.Contains(cookie, "lang=en") {
		t.Fatalf("the choice is not remembered: Set-Cookie %q", cookie)
	}
	req := httptest.NewRequest(http.MethodGet, "/search?q=%E7%94%B5%E6%B1%A0", nil)
	req.Header.Set("Cookie", "lang=en")
	r = e.do(t, req)
	mustContain(t, "search with cookie", r.body, `<html lang="en">`, "Patent search", "Fee model", "Relevance",
		// The switch back to Chinese keeps the current page and query.
		`href="/search?lang=zh&amp;q=%E7%94%B5%E6%B1%A0"`)
	r = e.get(t, "/search?q=%E7%94%B5%E6%B1%A0")
	mustContain(t, "search zh", r.body, `href="/search?lang=en&amp;q=%E7%94%B5%E6%B1%A0"`, "专利检索")
}

func TestSearchPage(t *testing.T) {
	e := sqliteEnv(t)
	t.Run("highlights and facets", func(t *testing.T) {
		r := e.get(t, "/search?q="+url.QueryEscape("电池"))
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		mustContain(t, "results", r.body, "“电池”共找到 2 件专利", "<mark>电池</mark>", e.fx.battery.ApplicationNo,
			`name="industry" value="新能源"`, `新能源 <span class="count">2</span>`,
			`name="type" value="utility_model"`, `H01 基本电气元件`, `value="电池"`)
		// The hostile title is shown as text, highlighted or not.
		mustContain(t, "escaping", r.body, "&lt;script&gt;")
		mustNotContain(t, "escaping", r.body, "<script>alert", "<img src=x")
	})
	t.Run("filters are applied and removable", func(t *testing.T) {
		r := e.get(t, "/search?q="+url.QueryEscape("电池")+"&type=utility_model")
		mustContain(t, "filtered", r.body, "共找到 1 件专利", e.fx.hostile.ApplicationNo,
			`value="utility_model" checked`, `class="chip chip-remove" href="/search?q=%E7%94%B5%E6%B1%A0"`, "类型: 实用新型")
		mustNotContain(t, "filtered", r.body, e.fx.battery.ApplicationNo)
		r = e.get(t, "/search?district="+url.QueryEscape("浦东新区"))
		mustContain(t, "district by name", r.body, "共 2 件专利", e.fx.vision.ApplicationNo, e.fx.design.ApplicationNo, "区: 浦东新区")
	})
	t.Run("pagination", func(t *testing.T) {
		base := "/search?industry=" + url.QueryEscape("高端装备")
		r := e.get(t, base)
		mustContain(t, "page 1", r.body, fmt.Sprintf("共 %d 件专利", bulkCount), `rel="next"`, "page=2", "page=3")
		if n := strings.Count(r.body, `<li class="result">`); n != 20 {
			t.Errorf("page 1 has %d results, want 20", n)
		}
		r = e.get(t, base+"&page=3")
		if n := strings.Count(r.body, `<li class="result">`); n != bulkCount-40 {
			t.Errorf("page 3 has %d results, want %d", n, bulkCount-40)
		}
		mustContain(t, "page 3", r.body, `rel="prev"`, `<span aria-current="page">3</span>`, `start="41"`)
		mustNotContain(t, "page 3", r.body, `rel="next"`)
	})
	t.Run("empty state", func(t *testing.T) {
		r := e.get(t, "/search?q="+url.QueryEscape("量子纠缠通信卫星"))
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		mustContain(t, "empty", r.body, "没有找到符合条件的专利", `href="/demands"`)
	})
	t.Run("bad input shows the message with 400", func(t *testing.T) {
		for _, c := range []struct{ query, want string }{
			{"page=abc", "page 应为整数"},
			{"page=0", "page 应在 1 到"},
			{"per_page=500", "per_page 应在 1 到 100"},
			{"type=foo", "参数 type 的取值“foo”无效"},
			{"sort=bar", "参数 sort 的取值“bar”无效"},
			{"district=nowhere", "“nowhere”不是上海市的区"},
			{"q=" + strings.Repeat("电", 201), "检索词过长"},
			{"q=%FF%FE", "不是有效的 UTF-8"},
			{"max_fee_yuan=-5", "最高费用应为"},
			{"ipc=ZZ9", "IPC 分类“ZZ9”格式错误"},
			{"industry=" + url.QueryEscape("高端装备") + "&page=4", "第 4 页不存在：共 45 条结果，最后一页是第 3 页"},
		} {
			r := e.get(t, "/search?"+c.query)
			if r.status != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400", c.query, r.status)
			}
			mustContain(t, c.query, r.body, `role="alert"`, c.want, `<input id="q" name="q"`)
		}
	})
}

func TestPatentPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		for _, c := range []struct {
			name, no string
			wants    []string
		}{
			{"free", e.fx.battery.ApplicationNo, []string{"免费。被许可人无需支付任何许可使用费。", "书面通知送达专利权人时许可即生效",
				"普通许可：非独占、非排他，不得再许可他人实施", "《专利法》第五十条至第五十二条",
				"36 个月，自 2024-05-20 起至 2027-05-19 止", "2040-06-18 届满", "H01M 4/36", "用于直接转变化学能为电能的方法或装置",
				"复旦测试大学", "杨浦区", "https://patents.example.cn/patents/" + e.fx.battery.ApplicationNo,
				`src="/patents/` + e.fx.battery.ApplicationNo + `/qr.png"`, "登录后，可在线阅读并接受"}},
			{"lump sum", e.fx.vision.ApplicationNo, []string{"一次性支付 5,000.00 元。", "确认收款后许可生效"}},
			{"royalty", e.fx.hostile.ApplicationNo, []string{"按净销售额的 5.00% 提成，没有前期费用", "评价报告编号：PJ2023-0001",
				"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;电池外壳", "摘要&lt;img src=x onerror=alert(1)&gt;含有标签"}},
			{"entry plus royalty", e.fx.bulk[2].ApplicationNo, []string{"入门费 3,000.00 元，另按净销售额的 2.00% 提成"}},
			{"withdrawn", e.fx.withdrawn.ApplicationNo, []string{"该专利目前没有生效的开放许可声明", "已撤回", "入门费 20,000.00 元 &#43; 提成 3.00%"}},
			{"for sale", e.fx.design.ApplicationNo, []string{"专利权人愿意转让该专利，报价 8,000.00 元"}},
		} {
			r := e.get(t, "/patents/"+c.no)
			if r.status != http.StatusOK {
				t.Fatalf("%s: status %d", c.name, r.status)
			}
			mustContain(t, c.name, r.body, c.wants...)
			mustNotContain(t, c.name, r.body, "<script>alert", "<img src=x")
		}
	})
}

func TestPatentPageEnglishAndLinks(t *testing.T) {
	e := sqliteEnv(t)
	r := e.get(t, "/patents/"+e.fx.vision.ApplicationNo+"?lang=en")
	mustContain(t, "en", r.body, "A single payment of ¥5,000.00.", "An ordinary licence: non-exclusive",
		"Patent Law Arts. 50–52", "36 months, from 2024-05-20 to 2027-05-19", "Pudong New Area", "Enterprise")

	// Any accepted spelling redirects to the canonical permalink.
	r = e.get(t, "/patents/ZL"+strings.ToLower(e.fx.hostile.ApplicationNo))
	if r.status != http.StatusMovedPermanently || r.header.Get("Location") != "/patents/"+e.fx.hostile.ApplicationNo {
		t.Errorf("ZL spelling: status %d location %q", r.status, r.header.Get("Location"))
	}
	for _, no := range []string{appNo(2023, '1', 1), "not-a-number"} {
		r = e.get(t, "/patents/"+no)
		if r.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", no, r.status)
		}
		mustContain(t, "404", r.body, "未找到", `<p class="error-code" aria-hidden="true">404</p>`)
	}

	r = e.get(t, "/patents/"+e.fx.battery.ApplicationNo+"/qr.png")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr: status %d type %q", r.status, r.header.Get("Content-Type"))
	}
	img, err := png.Decode(bytes.NewReader([]byte(r.body)))
	if err != nil || img.Bounds().Dx() < 200 {
		t.Fatalf("qr is not a usable PNG: %v", err)
	}
}

func TestShowcasePages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.get(t, "/walls")
		mustContain(t, "walls", r.body, `href="/walls/new-energy"`, "新能源专利墙", "2 件开放许可专利", "上海新能源行业协会")

		r = e.get(t, "/walls/new-energy")
		mustContain(t, "wall", r.body, e.fx.battery.Title, "&lt;script&gt;", "寻求电池热管理技术0", "需要&lt;b&gt;低成本&lt;/b&gt;方案",
			`src="/walls/new-energy/qr.png"`, `href="/walls/new-energy/screen"`)
		mustNotContain(t, "wall", r.body, e.fx.vision.Title)
		// Featured patents come first.
		if strings.Index(r.body, e.fx.battery.Title) > strings.Index(r.body, "电池外壳") {
			t.Error("featured patent is not first")
		}

		r = e.get(t, "/walls/new-energy/screen")
		mustContain(t, "screen", r.body, `<meta http-equiv="refresh" content="30;url=/walls/new-energy/screen?page=1">`,
			"第 1 / 1 屏", e.fx.battery.Title)
		mustNotContain(t, "screen", r.body, `class="main-nav"`)

		r = e.get(t, "/supermarkets")
		mustContain(t, "supermarkets", r.body, `href="/supermarkets/pudong"`, "浦东新区 · 张江科学城", "浦东新区知识产权局")

		r = e.get(t, "/supermarkets/pudong")
		mustContain(t, "supermarket", r.body, "开放许可 · 1 万元以下", e.fx.vision.Title, "专利转让", e.fx.design.Title,
			"转让 8,000.00 元", "200,000.00 元")
		// The district has its own offers, so other districts' patents stay off the shelves.
		mustNotContain(t, "supermarket", r.body, e.fx.battery.Title, "以下为全市报价")

		r = e.get(t, "/demands")
		mustContain(t, "demands", r.body, "共 25 条需求", "寻求电池热管理技术0", "浦江智能科技有限公司", "预算 100,000.00 元", "征集中")
		mustNotContain(t, "demands", r.body, "寻求电池热管理技术20")
		r = e.get(t, "/demands?page=2")
		mustContain(t, "demands page 2", r.body, "寻求电池热管理技术24", `<span aria-current="page">2</span>`)

		for _, u := range []string{"/walls/none", "/supermarkets/none", "/walls/none/screen"} {
			if r := e.get(t, u); r.status != http.StatusNotFound {
				t.Errorf("%s: status %d", u, r.status)
			}
		}
		if r := e.get(t, "/demands?page=x"); r.status != http.StatusBadRequest {
			t.Errorf("demands?page=x: status %d", r.status)
		}
	})
}

func TestErrorsHeadersAndHealth(t *testing.T) {
	e := sqliteEnv(t)
	r := e.get(t, "/no/such/page")
	if r.status != http.StatusNotFound {
		t.Fatalf("status %d", r.status)
	}
	mustContain(t, "404", r.body, "页面不存在", `<html lang="zh-CN">`, `action="/search"`)
	r = e.get(t, "/no/such/page?lang=en")
	mustContain(t, "404 en", r.body, "page not found", "The page does not exist")

	csp := r.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Cross-Origin-Embedder-Policy") == "require-corp" {
		t.Errorf("headers: nosniff %q COEP %q", r.header.Get("X-Content-Type-Options"), r.header.Get("Cross-Origin-Embedder-Policy"))
	}
	// No inline script or style anywhere the CSP would block.
	for _, u := range []string{"/", "/search?q=a", "/patents/" + e.fx.battery.ApplicationNo, "/walls/new-energy/screen"} {
		body := e.get(t, u).body
		if regexp.MustCompile(`<script>|<script [^>]*>[^<]|style="|<style`).MatchString(body) {
			t.Errorf("%s has inline script or style", u)
		}
	}

	status, m := e.getJSON(t, "/healthz")
	if status != http.StatusOK || m["status"] != "ok" {
		t.Errorf("healthz: %d %v", status, m)
	}

	r = e.get(t, "/static/app.css")
	if r.status != http.StatusOK || !strings.Contains(r.body, "--brand") {
		t.Errorf("static css: %d", r.status)
	}
}

// TestUploadLimit announces more than the body limit to a real listener: the server answers 413 from the
// Content-Length alone, without reading 50 MB first. (Fiber's Test helper reports the limit as an error
// instead of returning the response, hence the listener.)
func TestUploadLimit(t *testing.T) {
	e := sqliteEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.app.Fiber.Listener(ln)
	t.Cleanup(func() { e.app.Fiber.Shutdown() })
	// Other routes have smaller limits (TestBodyLimitsPerRoute); the upload route answers the upload message.
	for _, c := range []struct{ path, headers, want string }{
		{"/api/v1/patents", "Content-Type: text/csv\r\n", `"code":"request_too_large"`},
		{"/import", "Content-Type: text/csv\r\n", "请求内容过大：此地址最多接受 64 KB"},
		{"/account/patents/import", "Content-Type: multipart/form-data; boundary=x\r\nCookie: pw_session=x\r\n", "上传内容过大：文件不能超过 50 MB"},
	} {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\n%sContent-Length: %d\r\n\r\n", c.path, c.headers, 51<<20+1)
		conn.Write(bytes.Repeat([]byte("a"), 4096))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		conn.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: status %d, want 413", c.path, resp.StatusCode)
		}
		mustContain(t, c.path, string(body), c.want)
	}
}

// TestLayoutShowsTheViewer: when the accounts middleware has set a viewer, the header shows who is
// logged in and a logout form carrying the CSRF token; other parts add their navigation with AddNav.
func TestLayoutShowsTheViewer(t *testing.T) {
	e := sqliteEnv(t)
	e.app.AddNav(web.NavLink{Path: "/bureau", Key: "role.bureau", Show: func(v *web.Viewer) bool { return v != nil && v.Role == "bureau" }})
	e.app.Fiber.Get("/test/as-bureau", func(c *fiber.Ctx) error {
		c.Locals("viewer", &web.Viewer{UserID: 7, Name: "王<伟>", OrgName: "上海市知识产权局", Role: "bureau", OrgVerified: true})
		c.Locals("csrf", "tok123")
		return e.app.Render(c, http.StatusOK, "error", fiber.Map{"Status": 200, "Message": "ok"})
	})
	r := e.get(t, "/test/as-bureau")
	mustContain(t, "viewer", r.body, "王&lt;伟&gt;", "上海市知识产权局", `<span class="badge">知识产权局</span>`,
		`action="/logout"`, `name="_csrf" value="tok123"`, `<a href="/bureau"`)
	mustNotContain(t, "viewer", r.body, `href="/register"`)
	r = e.get(t, "/")
	mustNotContain(t, "anonymous", r.body, `<a href="/bureau"`, `action="/logout"`)
}

// TestErrorMapping: domain errors become the statuses of one table, as HTML pages or API JSON; a panic
// or an internal error is a generic 500 that reveals nothing.
func TestErrorMapping(t *testing.T) {
	e := sqliteEnv(t)
	errs := map[string]error{
		"forbidden": market.ErrForbidden,
		"unauth":    market.ErrUnauth,
		"conflict":  market.Conflict("already_withdrawn", "声明已撤回", "the declaration was already withdrawn"),
		"field":     market.Errors{market.NewFieldError("term_months", "too_short", "许可期限至少 12 个月", "the term must be at least 12 months")},
		"internal":  fmt.Errorf("market: load x: %w", errors.New("secret dsn postgres://u:p@h")),
	}
	for _, prefix := range []string{"/test/", "/api/v1/test/"} {
		e.app.Fiber.Get(prefix+":kind", func(c *fiber.Ctx) error {
			if c.Params("kind") == "panic" {
				panic("boom")
			}
			return errs[c.Params("kind")]
		})
	}
	for _, c := range []struct {
		kind     string
		status   int
		html     string
		code     string
		apiField string
	}{
		{"forbidden", 403, "无权执行此操作", "forbidden", ""},
		{"unauth", 401, "请先登录", "unauthenticated", ""},
		{"conflict", 409, "声明已撤回", "already_withdrawn", ""},
		{"field", 422, "许可期限至少 12 个月", "too_short", "term_months"},
		{"internal", 500, "服务器内部错误", "internal", ""},
		{"panic", 500, "服务器内部错误", "internal", ""},
	} {
		r := e.get(t, "/test/"+c.kind)
		if r.status != c.status {
			t.Errorf("%s: status %d, want %d", c.kind, r.status, c.status)
		}
		mustContain(t, c.kind, r.body, c.html, "<html")
		mustNotContain(t, c.kind, r.body, "secret", "boom")
		status, m := e.getJSON(t, "/api/v1/test/"+c.kind)
		er, _ := m["error"].(map[string]any)
		if status != c.status || er == nil || er["code"] != c.code || er["field"] != c.apiField {
			t.Errorf("api %s: %d %v", c.kind, status, m)
		}
	}
}
