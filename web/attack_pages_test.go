package web_test

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"patentwall/market"
	"patentwall/web"
)

// pageForm is a <form> of a rendered page.
type pageForm struct {
	method, action string
	fields         url.Values // every named input, select and textarea with its value
	hasCSRF        bool       // a hidden _csrf field with a value
}

// pageScan is what a page's HTML holds that the CSP and the CSRF check care about.
type pageScan struct {
	forms    []pageForm
	links    []string
	problems []string
}

// scanPage walks a page's HTML: inline scripts, event-handler and style attributes, javascript: URLs,
// scripts from elsewhere, forms with their fields, and the site's links.
func scanPage(body string) pageScan {
	var s pageScan
	z := html.NewTokenizer(strings.NewReader(body))
	var form *pageForm
	inScript, inTextarea := false, ""
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		switch tt {
		case html.TextToken:
			if inScript && strings.TrimSpace(tok.Data) != "" {
				s.problems = append(s.problems, fmt.Sprintf("inline script %.80q", tok.Data))
			}
			if inTextarea != "" && form != nil {
				form.fields.Set(inTextarea, tok.Data)
			}
		case html.EndTagToken:
			switch tok.Data {
			case "script":
				inScript = false
			case "textarea":
				inTextarea = ""
			case "form":
				if form != nil {
					s.forms = append(s.forms, *form)
					form = nil
				}
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			attr := map[string]string{}
			for _, a := range tok.Attr {
				k := strings.ToLower(a.Key)
				attr[k] = a.Val
				switch {
				case strings.HasPrefix(k, "on"):
					s.problems = append(s.problems, fmt.Sprintf("<%s %s=%q>", tok.Data, k, a.Val))
				case k == "style":
					s.problems = append(s.problems, fmt.Sprintf("<%s style=%q> (CSP style-src 'self')", tok.Data, a.Val))
				case (k == "href" || k == "src" || k == "action" || k == "formaction") &&
					strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:"):
					s.problems = append(s.problems, fmt.Sprintf("<%s %s=%q>", tok.Data, k, a.Val))
				}
			}
			switch tok.Data {
			case "script":
				src, ok := attr["src"]
				if !ok {
					inScript = tt == html.StartTagToken
					if strings.Contains(attr["type"], "json") {
						inScript = false // a data block is never run
					}
				} else if !strings.HasPrefix(src, "/static/") {
					s.problems = append(s.problems, fmt.Sprintf("script from %q", src))
				}
			case "a":
				if h := attr["href"]; strings.HasPrefix(h, "/") && !strings.HasPrefix(h, "//") {
					s.links = append(s.links, h)
				}
			case "form":
				m := strings.ToLower(attr["method"])
				if m == "" {
					m = "get"
				}
				form = &pageForm{method: m, action: attr["action"], fields: url.Values{}}
			case "input", "select", "button":
				if form == nil || attr["name"] == "" {
					continue
				}
				if t := attr["type"]; (t == "checkbox" || t == "radio") && !hasAttr(tok, "checked") || tok.Data == "button" {
					continue
				}
				form.fields.Set(attr["name"], attr["value"])
				if attr["name"] == "_csrf" && attr["type"] == "hidden" && attr["value"] != "" {
					form.hasCSRF = true
				}
			case "textarea":
				if form != nil && attr["name"] != "" {
					inTextarea = attr["name"]
					form.fields.Set(inTextarea, "")
				}
			}
		}
	}
	if form != nil {
		s.problems = append(s.problems, "unclosed form "+form.action)
	}
	return s
}

func hasAttr(tok html.Token, name string) bool {
	for _, a := range tok.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

var digitsRe = regexp.MustCompile(`[0-9]+`)

// pagePattern groups pages that differ only in IDs or numbers (every patent page is one pattern).
func pagePattern(path string) string {
	p, _, _ := strings.Cut(path, "?")
	return digitsRe.ReplaceAllString(p, "0")
}

// checkHeaders checks the security headers of an HTML page.
func checkHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = val
	}
	script, ok := directives["script-src"]
	if !ok {
		script = directives["default-src"]
	}
	if script == "" || strings.Contains(script, "unsafe-inline") || strings.Contains(script, "unsafe-eval") ||
		strings.Contains(script, "*") || strings.Contains(script, "data:") {
		t.Errorf("%s: script-src %q in CSP %q", what, script, csp)
	}
	if fa := directives["frame-ancestors"]; (fa == "" || strings.Contains(fa, "*")) && h.Get("X-Frame-Options") == "" {
		t.Errorf("%s: framing allowed: CSP %q, X-Frame-Options %q", what, csp, h.Get("X-Frame-Options"))
	}
	if directives["object-src"] != "'none'" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: object-src %q, X-Content-Type-Options %q", what, directives["object-src"], h.Get("X-Content-Type-Options"))
	}
}

// dbFingerprint hashes every table's rows except the bookkeeping a refused request may touch (the
// rate-limit counters, the session's last-seen time).
func dbFingerprint(t *testing.T, e *env) string {
	t.Helper()
	var tables []string
	if err := e.store.Gorm().Raw(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for _, tb := range tables {
		if tb == "rate_limits" || tb == "sessions" {
			continue
		}
		rows, err := e.store.Gorm().Raw(`SELECT * FROM "` + tb + `"`).Rows()
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		fmt.Fprintln(h, tb)
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%v\n", vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// Every page a visitor or a logged-in user of each role reaches (crawled from the home page, the
// dashboard and the consoles, one page per pattern) is served with a CSP that allows no inline script,
// refuses framing, and holds no inline script, event-handler attribute, style attribute or
// javascript: URL; every POST form carries the CSRF field; and each form posted without it is refused
// 403 and changes nothing in the database.
func TestPagesCSPAndCSRFOnEveryForm(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	e.bureauWorld(t)
	wallOp := e.demandWallOperator(t)
	bureauTok := e.token(t, p.bureau)
	mustStatus(t, "compute a run", e.bearer(t, http.MethodPost, "/api/v1/bureau/rounds/art22-2022/runs", bureauTok, `{"as_of":"2023-03-01"}`), http.StatusCreated)

	roles := map[string]*client{"visitor": e.client()}
	for name, u := range map[string]market.User{"buyer": p.buyer, "corp": p.corp, "holder": p.holder, "operator": p.operator,
		"wall operator": wallOp, "bureau": p.bureau, "admin": p.admin, "unverified": p.unverified} {
		cl := e.client()
		cl.login(t, u.Email)
		roles[name] = cl
	}
	// Something behind every kind of form: a contract awaiting payment, an intent, a pending demand.
	buyer := roles["buyer"]
	contractFromRedirect(t, buyer.post(t, "/patents/"+e.fx.vision.ApplicationNo+"/accept",
		acceptForm(t, buyer.get(t, "/patents/"+e.fx.vision.ApplicationNo).body)))
	if r := buyer.submit(t, "/patents/"+e.fx.design.ApplicationNo, "/intents", url.Values{
		"application_no": {e.fx.design.ApplicationNo}, "kind": {market.ContractTransfer}, "message": {"想谈谈"}}); r.status != http.StatusSeeOther {
		t.Fatalf("intent: %d %.300s", r.status, r.body)
	}
	if st, m := e.jsonReq(t, http.MethodPost, "/api/v1/demands", e.token(t, p.corp), batteryDemand()); st != http.StatusCreated {
		t.Fatalf("demand: %d %v", st, m)
	}

	seeds := []string{"/", "/search?q=电池", "/patents/" + e.fx.vision.ApplicationNo, "/patents/" + e.fx.hostile.ApplicationNo,
		"/patents/" + e.fx.design.ApplicationNo, "/patents/" + e.fx.battery.ApplicationNo, "/patents/" + e.fx.withdrawn.ApplicationNo,
		"/walls", "/walls/new-energy", "/walls/new-energy/screen", "/supermarkets", "/demands", "/demands/new", "/login",
		"/register", "/account", "/account/password", "/intents", "/notifications", "/saved-searches", "/operator/",
		"/operator/walls/new", "/operator/demands", "/operator/demands/analysis", "/bureau", "/bureau/contracts",
		"/bureau/rounds", "/bureau/rounds/art22-2022", "/bureau/rounds/art22-2022/runs/1", "/bureau/reviews", "/bureau/channels"}
	type postForm struct {
		role string
		form pageForm
		page string
	}
	var posts []postForm
	seenAction := map[string]bool{}
	pages := 0
	for _, role := range slices.Sorted(func(yield func(string) bool) {
		for k := range roles {
			if !yield(k) {
				return
			}
		}
	}) {
		cl := roles[role]
		queue := slices.Clone(seeds)
		// Seeds are each visited (patent pages differ by state: offered, own, accepted…); crawled links
		// once per pattern.
		visited, seed := map[string]bool{}, map[string]bool{}
		for _, s := range seeds {
			seed[s] = true
		}
		for len(queue) > 0 && len(visited) < 150 {
			target := queue[0]
			queue = queue[1:]
			pat := pagePattern(target)
			if seed[target] {
				pat = target
				delete(seed, target)
			}
			if visited[pat] || strings.HasPrefix(target, "/static/") || strings.HasPrefix(target, "/api/") ||
				strings.Contains(target, "format=") || strings.HasSuffix(pat, ".png") || strings.HasSuffix(pat, ".svg") {
				continue
			}
			visited[pat] = true
			r := cl.get(t, target)
			if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
				continue
			}
			what := role + " GET " + target
			if r.status >= 500 {
				t.Errorf("%s: status %d", what, r.status)
				continue
			}
			pages++
			checkHeaders(t, what, r.header)
			scan := scanPage(r.body)
			for _, pr := range scan.problems {
				t.Errorf("%s: %s", what, pr)
			}
			for _, f := range scan.forms {
				if f.method != "post" {
					if f.hasCSRF {
						t.Errorf("%s: a GET form to %s carries the CSRF token into the URL", what, f.action)
					}
					continue
				}
				if !f.hasCSRF {
					t.Errorf("%s: POST form to %q has no CSRF field", what, f.action)
				}
				key := role + " " + pagePattern(f.action)
				if !seenAction[key] {
					seenAction[key] = true
					posts = append(posts, postForm{role: role, form: f, page: target})
				}
			}
			queue = append(queue, scan.links...)
		}
	}
	if pages < 60 || len(posts) < 25 {
		t.Fatalf("only %d pages and %d POST forms checked", pages, len(posts))
	}

	// Each form posted as rendered but without its token: 403 csrf, and the database as it was.
	before := dbFingerprint(t, e)
	for _, pf := range posts {
		f := url.Values{}
		for k, v := range pf.form.fields {
			if k != "_csrf" {
				f[k] = v
			}
		}
		action := pf.form.action
		if action == "" {
			action = pf.page
		}
		r := roles[pf.role].post(t, action, f)
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "CSRF") {
			t.Errorf("%s POST %s (form of %s) without the token: %d %.200s", pf.role, action, pf.page, r.status, r.body)
		}
	}
	if after := dbFingerprint(t, e); after != before {
		t.Errorf("refused posts changed the database")
	}
	// Still logged in: the refused logout did nothing.
	if r := buyer.get(t, "/account"); r.status != http.StatusOK {
		t.Errorf("after the refused posts /account: %d", r.status)
	}
	t.Logf("%d pages, %d POST forms", pages, len(posts))
}

// Session, visitor-CSRF, language and attribution cookies are HttpOnly and SameSite=Lax (or Strict),
// and Secure exactly when SecureCookies is on.
func TestCookieFlags(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	for _, secure := range []bool{false, true} {
		appWith(t, e, false, func(d *web.Deps) { d.SecureCookies = secure })
		cl := e.client()
		var got []*http.Cookie
		collect := func(r response) {
			got = append(got, (&http.Response{Header: r.header}).Cookies()...)
		}
		r := cl.get(t, "/login?lang=en")
		collect(r)
		collect(cl.post(t, "/login", url.Values{"_csrf": {csrfOf(t, r.body)}, "email": {p.buyer.Email}, "password": {testPassword}}))
		collect(cl.get(t, "/walls/new-energy?via=wall:new-energy"))
		req := httptest.NewRequest(http.MethodPost, "/logout", strings.NewReader(url.Values{"_csrf": {csrfOf(t, cl.get(t, "/account").body)}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		collect(cl.do(t, req))
		names := map[string]bool{}
		for _, ck := range got {
			names[ck.Name] = true
			if !ck.HttpOnly || (ck.SameSite != http.SameSiteLaxMode && ck.SameSite != http.SameSiteStrictMode) || ck.Secure != secure {
				t.Errorf("secure %v: cookie %s: HttpOnly %v, SameSite %v, Secure %v", secure, ck.Name, ck.HttpOnly, ck.SameSite, ck.Secure)
			}
		}
		for _, want := range []string{"pw_session", "pw_csrf"} {
			if !names[want] {
				t.Errorf("secure %v: no %s cookie set (got %v)", secure, want, names)
			}
		}
		if len(names) < 3 {
			t.Errorf("secure %v: only cookies %v", secure, names)
		}
	}
}
