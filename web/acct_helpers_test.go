package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"patentwall/market"
)

func init() {
	// Tests hash many passwords: cheap parameters keep the suites fast (hashes carry their parameters).
	market.PasswordParams = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
}

const testPassword = "correct horse battery"

// client is a browser over app.Fiber.Test: it keeps cookies and follows nothing by itself.
type client struct {
	e       *env
	cookies map[string]string
	ip      string
}

func (e *env) client() *client { return &client{e: e, cookies: map[string]string{}} }

func (cl *client) do(t *testing.T, req *http.Request) response {
	t.Helper()
	for k, v := range cl.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if cl.ip != "" {
		// app.Fiber.Test connects from 0.0.0.0 whatever RemoteAddr says: an app that trusts that address
		// as a proxy (proxiedEnv) takes the client's address from this header.
		req.Header.Set("X-Forwarded-For", cl.ip)
	}
	resp, err := cl.e.app.Fiber.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range resp.Cookies() {
		if ck.Value == "" || ck.MaxAge < 0 || (!ck.Expires.IsZero() && ck.Expires.Before(time.Now())) {
			delete(cl.cookies, ck.Name)
		} else {
			cl.cookies[ck.Name] = ck.Value
		}
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (cl *client) get(t *testing.T, target string) response {
	t.Helper()
	return cl.do(t, httptest.NewRequest(http.MethodGet, target, nil))
}

// post sends a url-encoded form exactly as given (no token added).
func (cl *client) post(t *testing.T, target string, form url.Values) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return cl.do(t, req)
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrfOf reads the CSRF token from a page's form.
func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field in page: %.400s", body)
	}
	return m[1]
}

// submit is the CSRF round trip: GET the page with the form, read its token, POST the form with it.
func (cl *client) submit(t *testing.T, page, action string, form url.Values) response {
	t.Helper()
	r := cl.get(t, page)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: status %d: %.300s", page, r.status, r.body)
	}
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("_csrf", csrfOf(t, r.body))
	return cl.post(t, action, f)
}

func (cl *client) login(t *testing.T, email string) {
	t.Helper()
	r := cl.submit(t, "/login", "/login", url.Values{"email": {email}, "password": {testPassword}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("login %s: status %d location %q: %.300s", email, r.status, r.header.Get("Location"), r.body)
	}
}

// jsonReq calls the API with an optional bearer token and a JSON body (nil: none).
func (e *env) jsonReq(t testing.TB, method, target, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	req := httptest.NewRequest(method, target, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	r := e.do(t, req)
	m := map[string]any{}
	if r.body != "" {
		if err := json.Unmarshal([]byte(r.body), &m); err != nil {
			t.Fatalf("%s %s: %v in %q", method, target, err, r.body)
		}
	}
	return r.status, m
}

func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func errField(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["field"].(string)
	return s
}

// ---------------------------------------------------------------------------------------------------------
// People: users of the fixture's organisations and staff.

type people struct {
	holder      market.User // of the fixture's verified university (fx.uni)
	corp        market.User // of the fixture's verified enterprise (fx.corp): licensor of fx.vision
	buyer       market.User // of a second verified enterprise
	unverified  market.User // of an unverified enterprise
	otherHolder market.User // of a second verified university
	operator    market.User // of a verified district office of Pudong (310115): verifies Pudong's non-operators
	bureau      market.User
	admin       market.User
	buyerOrg    market.Organisation
	unverOrg    market.Organisation
	uni2        market.Organisation
	assoc       market.Organisation
	office      market.Organisation // verified, Pudong
}

func (e *env) addUser(t testing.TB, org *market.Organisation, role, email string) market.User {
	t.Helper()
	hash, err := argon2id.CreateHash(testPassword, market.PasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	u := market.User{Email: email, Name: strings.Split(email, "@")[0], PasswordHash: hash, Role: role, CreatedAt: now}
	if org != nil {
		u.OrgID = &org.ID
	}
	if err := e.store.Gorm().Create(&u).Error; err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *env) addOrg(t testing.TB, kind, name string, serial int, verified bool) market.Organisation {
	t.Helper()
	prefix := map[string]string{market.KindEnterprise: "91", market.KindUniversity: "12", market.KindAssociation: "51", market.KindDistrictOffice: "11", market.KindAgency: "52"}[kind]
	o := market.Organisation{USCC: validUSCC(prefix, serial), Name: name, Kind: kind, DistrictCode: "310104", Address: "上海市徐汇区测试路 1 号",
		LegalRep: "张三", OperatingNormally: true, GoodCredit: true, IsSME: kind == market.KindEnterprise, CreatedAt: now, UpdatedAt: now}
	if verified {
		v := now.Add(-time.Hour)
		o.VerifiedAt = &v
	}
	if err := e.store.Gorm().Create(&o).Error; err != nil {
		t.Fatal(err)
	}
	return o
}

func (e *env) people(t testing.TB) people {
	t.Helper()
	var p people
	p.buyerOrg = e.addOrg(t, market.KindEnterprise, "张江买方科技有限公司", 101, true)
	p.unverOrg = e.addOrg(t, market.KindEnterprise, "未审核科技有限公司", 102, false)
	p.uni2 = e.addOrg(t, market.KindUniversity, "第二测试大学", 103, true)
	p.assoc = e.addOrg(t, market.KindAssociation, "上海测试行业协会", 104, true)
	p.office = e.addOrg(t, market.KindDistrictOffice, "浦东测试知识产权局", 105, true)
	p.office.DistrictCode = "310115"
	if err := e.store.Gorm().Model(&p.office).Update("district_code", p.office.DistrictCode).Error; err != nil {
		t.Fatal(err)
	}
	p.holder = e.addUser(t, &e.fx.uni, market.RoleHolder, "holder@uni.example.cn")
	p.corp = e.addUser(t, &e.fx.corp, market.RoleLicensee, "staff@corp.example.cn")
	p.buyer = e.addUser(t, &p.buyerOrg, market.RoleLicensee, "buyer@buyer.example.cn")
	p.unverified = e.addUser(t, &p.unverOrg, market.RoleLicensee, "new@unverified.example.cn")
	p.otherHolder = e.addUser(t, &p.uni2, market.RoleHolder, "holder@uni2.example.cn")
	p.operator = e.addUser(t, &p.office, market.RoleOperator, "op@office.example.cn")
	p.bureau = e.addUser(t, nil, market.RoleBureau, "bureau@sipa.example.cn")
	p.admin = e.addUser(t, nil, market.RoleAdmin, "admin@platform.example.cn")
	return p
}

// token makes an API token for a user.
func (e *env) token(t testing.TB, u market.User) string {
	t.Helper()
	status, m := e.jsonReq(t, http.MethodPost, "/api/v1/tokens", "", map[string]string{"email": u.Email, "password": testPassword})
	tok, _ := m["token"].(string)
	if status != http.StatusCreated || tok == "" {
		t.Fatalf("token for %s: %d %v", u.Email, status, m)
	}
	return tok
}

// count counts rows of a table matching a condition.
func (e *env) count(t *testing.T, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.store.Gorm().WithContext(context.Background()).Model(model).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

var contractNoRe = regexp.MustCompile(`^/contracts/(KF\d{8}-\d{6})`)

// contractFromRedirect returns the contract number a successful acceptance redirected to.
func contractFromRedirect(t *testing.T, r response) string {
	t.Helper()
	m := contractNoRe.FindStringSubmatch(r.header.Get("Location"))
	if r.status != http.StatusSeeOther || m == nil {
		t.Fatalf("acceptance: status %d location %q: %.500s", r.status, r.header.Get("Location"), r.body)
	}
	return m[1]
}

var keyRe = regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`)
var declRe = regexp.MustCompile(`name="declaration_id" value="(\d+)"`)

// acceptForm reads the accept form of a patent page.
func acceptForm(t *testing.T, body string) url.Values {
	t.Helper()
	k, d := keyRe.FindStringSubmatch(body), declRe.FindStringSubmatch(body)
	if k == nil || d == nil {
		t.Fatalf("no accept form on the page: %.2000s", body)
	}
	return url.Values{"_csrf": {csrfOf(t, body)}, "idempotency_key": {k[1]}, "declaration_id": {d[1]}, "agree": {"1"}}
}

// validUSCC makes a USCC that passes both checks (chars 9-17 and char 18).
func validUSCC(prefix string, serial int) string {
	code := fmt.Sprintf("%08d", serial)
	c17, err := market.OrgCodeCheckChar(code)
	if err != nil {
		panic(err)
	}
	body := prefix + "310115" + code + string(c17)
	c18, err := market.USCCCheckChar(body)
	if err != nil {
		panic(err)
	}
	return body + string(c18)
}
