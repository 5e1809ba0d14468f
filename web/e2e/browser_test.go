// Package e2e drives the real app in headless Chromium (Debian's chromium package, through chromedp):
// the whole open-licence flow through the forms, as people use it.
package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/chromedp/chromedp"

	"patentwall/market"
	"patentwall/market/markettest"
	"patentwall/search"
	"patentwall/search/bleve"
	"patentwall/web"
)

// server starts the app as `patentwall serve` does: SQLite and Bleve in a temporary folder, the
// search outbox worker, a real listener on a random local port. It returns the base URL.
func server(t *testing.T) (*market.Store, string) {
	t.Helper()
	market.PasswordParams = &argon2id.Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	store := markettest.SQLite(t)
	idx := bleve.New(filepath.Join(t.TempDir(), "index"))
	if _, err := idx.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	worker := &search.Worker{Store: store, Index: idx}
	wctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); worker.Run(wctx) }()
	t.Cleanup(func() { stop(); <-done })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	app, err := web.New(web.Deps{Store: store, Index: idx, BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	go app.Fiber.Listener(ln)
	t.Cleanup(func() { app.Fiber.ShutdownWithTimeout(5 * time.Second) })
	return store, base
}

// browserPath finds Debian's chromium, or skips (fails under PATENTWALL_REQUIRE_BROWSER=1, as CI sets).
func browserPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("PATENTWALL_REQUIRE_BROWSER") == "1" {
		t.Fatal("chromium not installed but PATENTWALL_REQUIRE_BROWSER=1: apt-get install chromium")
	}
	t.Skip("chromium not installed: apt-get install chromium")
	return ""
}

// shotsDir is where screenshots go: $PATENTWALL_SCREENSHOTS, else screenshots/ at the repository root
// (git-ignored), else a temporary folder.
func shotsDir(t *testing.T) string {
	if d := os.Getenv("PATENTWALL_SCREENSHOTS"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	for err == nil {
		if b, rerr := os.ReadFile(filepath.Join(wd, "go.mod")); rerr == nil && strings.Contains(string(b), "module patentwall") {
			return filepath.Join(wd, "screenshots")
		}
		parent := filepath.Dir(wd)
		if parent == wd {
			break
		}
		wd = parent
	}
	return t.TempDir()
}

// browser is one headless tab on the app.
type browser struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path := browserPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first action starts the browser; it gets no timeout of its own (that would stop the browser).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	dir := shotsDir(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, ctx: ctx, base: base, shots: dir}
}

func (b *browser) step(what string, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, d)
}

// visit opens a path and checks the HTTP status.
func (b *browser) visit(path string, wantStatus int64) {
	b.t.Helper()
	ctx, cancel := b.step("visit", 20*time.Second)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("visit %s: %v", path, err)
	}
	if resp.Status != wantStatus {
		b.t.Fatalf("visit %s: status %d, want %d: %s", path, resp.Status, wantStatus, b.text())
	}
}

// fill sets form fields by name (inputs, selects, textareas) in the form matched by formSel.
func (b *browser) fill(formSel string, fields map[string]string) {
	b.t.Helper()
	ctx, cancel := b.step("fill", 20*time.Second)
	defer cancel()
	for name, v := range fields {
		sel := chromedp.CSS(fmt.Sprintf(`%s [name=%q]`, formSel, name))
		if err := chromedp.Do(ctx, chromedp.SetValue(sel, v)); err != nil {
			b.t.Fatalf("fill %s %s: %v", formSel, name, err)
		}
	}
}

// check ticks a checkbox.
func (b *browser) check(sel string) {
	b.t.Helper()
	ctx, cancel := b.step("check", 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		b.t.Fatalf("tick %s: %v", sel, err)
	}
}

// submit clicks a button and waits for the page it leads to (after redirects); it checks the status.
func (b *browser) submit(buttonSel string, wantStatus int64) {
	b.t.Helper()
	ctx, cancel := b.step("submit", 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(buttonSel)))
	if err != nil {
		b.t.Fatalf("submit %s: %v", buttonSel, err)
	}
	if resp.Status != wantStatus {
		b.t.Fatalf("submit %s: status %d, want %d: %s", buttonSel, resp.Status, wantStatus, b.text())
	}
}

// text is the visible text of the page's main element.
func (b *browser) text() string {
	b.t.Helper()
	ctx, cancel := b.step("text", 10*time.Second)
	defer cancel()
	for attempt := 1; ; attempt++ {
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		if err == nil {
			return s
		}
		// The document can be replaced between finding body and reading it (a late navigation or
		// reload): read the new one instead of failing on the stale node.
		if attempt < 3 && strings.Contains(err.Error(), "No node with given id") {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		b.t.Fatalf("read page: %v", err)
	}
}

// sees checks that the page shows every text.
func (b *browser) sees(what string, texts ...string) {
	b.t.Helper()
	page := b.text()
	for _, s := range texts {
		if !strings.Contains(page, s) {
			b.t.Errorf("%s: page does not show %q:\n%s", what, s, page)
		}
	}
}

func (b *browser) location() string {
	b.t.Helper()
	ctx, cancel := b.step("location", 10*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return loc
}

// shot saves a full-page PNG.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := b.step("shot", 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) login(email, password string) {
	b.t.Helper()
	b.visit("/login", 200)
	b.fill("form.acct-form", map[string]string{"email": email, "password": password})
	b.submit("form.acct-form button[type=submit]", 200)
	if !strings.HasSuffix(b.location(), "/account") {
		b.t.Fatalf("login %s: at %s: %s", email, b.location(), b.text())
	}
}

func (b *browser) logout() {
	b.t.Helper()
	b.submit(`form[action="/logout"] button`, 200)
	b.sees("logout", "您已退出登录。")
}

// validUSCC makes a USCC that passes both check characters.
func validUSCC(prefix string, serial int) string {
	code := fmt.Sprintf("%08d", serial)
	c17, _ := market.OrgCodeCheckChar(code)
	body := prefix + "310104" + code + string(c17)
	c18, _ := market.USCCCheckChar(body)
	return body + string(c18)
}

func appNo(year int, typ byte, serial int) string {
	digits := fmt.Sprintf("%04d%c%07d", year, typ, serial)
	c, _ := market.ApplicationCheckChar(digits)
	return digits + "." + string(c)
}

const password = "e2e password 2024"

// TestOpenLicenceFlowInBrowser registers a holder and an SME, verifies both as the bureau, publishes a
// paid declaration, signs it, pays, confirms and records the CNIPA filing, all through the pages.
func TestOpenLicenceFlowInBrowser(t *testing.T) {
	path := browserPath(t) // skip before starting anything
	_ = path
	store, base := server(t)
	ctx := context.Background()
	if _, err := store.CreateStaffUser(ctx, market.StaffInput{Email: "bureau@sipa.example.cn", Password: password, Role: market.RoleBureau, Name: "市局审核员"}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, base)
	holderUSCC, smeUSCC := validUSCC("12", 4711), validUSCC("91", 4712)
	no := appNo(2020, '1', 654321)
	today := market.DateOf(time.Now()).String()

	// 1. The holder registers through the form.
	b.visit("/register", 200)
	b.shot("01-register")
	b.fill("form.acct-form", map[string]string{
		"uscc": holderUSCC, "name": "上海浏览器测试大学", "kind": "university", "district": "310104",
		"address": "上海市徐汇区华山路 1954 号", "legal_rep": "丁校长", "phone": "021-62930000",
		"user.name": "技术转移中心 王老师", "user.email": "tto@university.example.cn", "user.password": password,
	})
	b.submit("form.acct-form button[type=submit]", 200)
	b.sees("holder registered", "注册成功", "上海浏览器测试大学", "待审核", "贵单位尚未通过审核")
	b.shot("02-holder-registered")
	b.logout()

	// 2. The SME registers with its SME figures.
	b.visit("/register", 200)
	b.fill("form.acct-form", map[string]string{
		"uscc": smeUSCC, "name": "上海小试科技有限公司", "kind": "enterprise", "district": "310115",
		"address": "上海市浦东新区张江高科技园区 1 号", "legal_rep": "陈总", "founded_on": "2018-04-01",
		"sme.industry": "software_it", "sme.employees": "38", "sme.revenue_yuan": "9600000", "sme.assets_yuan": "5000000", "sme.year": "2023",
		"user.name": "陈经理", "user.email": "chen@smallco.example.cn", "user.password": password,
	})
	b.submit("form.acct-form button[type=submit]", 200)
	b.sees("SME registered", "注册成功", "上海小试科技有限公司", "中小企业")
	b.logout()

	// 3. The bureau verifies both.
	b.login("bureau@sipa.example.cn", password)
	b.visit("/account/orgs", 200)
	b.sees("queue", "上海浏览器测试大学", "上海小试科技有限公司")
	b.shot("03-bureau-queue")
	for _, u := range []string{holderUSCC, smeUSCC} {
		b.submit(fmt.Sprintf(`form[action="/account/orgs/%s/verify"] button`, u), 200)
		b.sees("verified "+u, "机构已通过审核。")
	}
	b.sees("queue empty", "没有待审核的机构。")
	b.logout()

	// 4. The holder adds a patent and publishes a paid (lump sum) declaration.
	b.login("tto@university.example.cn", password)
	b.sees("holder verified", "已审核")
	b.visit("/account/patents/new", 200)
	b.fill("form.acct-form", map[string]string{"application_no": no, "title": "一种基于浏览器测试的数据校验方法",
		"abstract": "本发明公开了一种数据校验方法。", "ipc": "G06F 16/9535", "filing_date": "2020-03-02", "grant_date": "2022-07-15",
		"status": "granted", "industry": "人工智能"})
	b.submit("form.acct-form button[type=submit]", 200)
	b.sees("patent created", "专利已登记")
	b.fill(`form[action$="/declaration"]`, map[string]string{"fee_model": "lump_sum", "fee_yuan": "12000", "term_months": "36"})
	b.submit(`form[action$="/declaration"] button[type=submit]`, 200)
	b.sees("declared", "开放许可声明已发布。", "一次性 12,000.00 元")
	b.shot("04-holder-declared")
	b.logout()

	// 5. The SME reads the terms and the notice on the patent page, and signs.
	b.login("chen@smallco.example.cn", password)
	b.visit("/patents/"+no, 200)
	b.sees("patent page", "接受开放许可", "专利开放许可实施通知书", "上海小试科技有限公司", "一次性支付许可使用费人民币 12,000.00 元")
	b.shot("05-patent-accept")
	b.check(`form[action$="/accept"] input[name=agree]`)
	b.submit(`form[action$="/accept"] button[type=submit]`, 200)
	b.sees("signed", "许可合同已成立", "待付款", "12,000.00 元")
	contractURL := b.location()
	if !strings.Contains(contractURL, "/contracts/KF") {
		t.Fatalf("after signing: at %s", contractURL)
	}
	contractPath := strings.TrimPrefix(strings.SplitN(contractURL, "?", 2)[0], base)
	b.shot("06-contract-signed")

	// 6. The SME records the payment (the form offers what is owed and today's date).
	b.fill(`form[action$="/payments"]`, map[string]string{"reference": "ICBC-E2E-0001"})
	b.submit(`form[action$="/payments"] button[type=submit]`, 200)
	b.sees("paid", "付款已登记", "ICBC-E2E-0001", "待许可方确认")
	b.logout()

	// 7. The holder sees the payment to confirm, confirms it, and records the filing.
	b.login("tto@university.example.cn", password)
	b.sees("dashboard", "待确认的付款", "ICBC-E2E-0001", "接受了专利")
	b.visit(contractPath, 200)
	b.submit(`form[action$="/confirm"] button`, 200)
	b.sees("confirmed", "已确认收款", "已生效", "备案期限")
	b.fill(`form[action$="/filing"]`, map[string]string{"filing_no": "2024310000E2E", "filed_on": today})
	b.submit(`form[action$="/filing"] button[type=submit]`, 200)
	b.sees("filed", "备案信息已登记", "已备案", "2024310000E2E")
	b.shot("07-contract-filed")
	b.visit(contractPath+"/print", 200)
	b.sees("print", "专利开放许可合同", "上海浏览器测试大学", "上海小试科技有限公司", "普通许可", "2024310000E2E")
	b.shot("08-contract-print")
	b.visit(contractPath+"/notice", 200)
	b.sees("notice", "专利开放许可实施通知书", "致：上海浏览器测试大学")

	// The history is intact.
	rep, err := store.VerifyChains(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("audit: %v %+v", err, rep)
	}
	t.Logf("screenshots in %s", b.shots)
	if t.Failed() {
		return
	}
	var c market.Contract
	if err := store.Gorm().Where("filing_no = ?", "2024310000E2E").First(&c).Error; err != nil {
		t.Fatal(errors.Join(errors.New("the filed contract is not in the database"), err))
	}
	if c.Status != market.ContractFiled || c.AmountDueFen != 1_200_000 || c.PaidAt == nil {
		t.Fatalf("contract in the database: %+v", c)
	}
}
