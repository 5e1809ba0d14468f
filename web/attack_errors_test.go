package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// leaks are what an internal error must never show a client: a stack, a source position, SQL, the
// driver's or the ORM's name, the broken table.
var leaks = []string{"goroutine", ".go:", "SELECT", "INSERT", "UPDATE ", " FROM ", "sqlite", "SQLITE", "pq:", "gorm",
	"no such table", "_gone", "database is closed", "runtime/", "boom"}

// mustBeGeneric checks an internal error's answer: 500 and the generic message, as JSON under /api/ and
// as a page elsewhere, and nothing of the cause.
func mustBeGeneric(t *testing.T, what string, r response, api bool) {
	t.Helper()
	if r.status != http.StatusInternalServerError {
		t.Errorf("%s: status %d; want 500: %.300s", what, r.status, r.body)
		return
	}
	for _, l := range leaks {
		if strings.Contains(r.body, l) {
			t.Errorf("%s: the answer shows %q: %.500s", what, l, r.body)
		}
	}
	ct := r.header.Get("Content-Type")
	switch {
	case api && (!strings.HasPrefix(ct, "application/json") || !strings.Contains(r.body, `"code":"internal"`)):
		t.Errorf("%s: %q %.300s; want the JSON internal error", what, ct, r.body)
	case !api && !strings.Contains(r.body, "服务器内部错误"):
		t.Errorf("%s: %q %.300s; want the generic error page", what, ct, r.body)
	}
}

// Pages and API routes whose tables are gone answer the generic 500, never the database's error; so do
// all of them once the database is closed under the app; a panicking handler too.
func TestInternalErrorsShowNoDetails(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	buyerTok, bureauTok := e.token(t, p.buyer), e.token(t, p.bureau)
	buyer, bureau := e.client(), e.client()
	buyer.login(t, p.buyer.Email)
	bureau.login(t, p.bureau.Email)
	accept := acceptForm(t, buyer.get(t, "/patents/"+e.fx.vision.ApplicationNo).body)
	no := e.fx.vision.ApplicationNo

	// A panic, with SQL in its message, in a handler.
	e.app.Fiber.Get("/test-panic", func(c *fiber.Ctx) error { panic("boom: SELECT * FROM users") })
	e.app.Fiber.Get("/api/v1/test-panic", func(c *fiber.Ctx) error { panic("boom: INSERT INTO users") })
	mustBeGeneric(t, "panicking page", e.get(t, "/test-panic"), false)
	mustBeGeneric(t, "panicking API route", e.get(t, "/api/v1/test-panic"), true)

	// Tables gone: the handlers' queries fail inside the domain layer.
	for _, table := range []string{"patents", "contracts", "demands", "walls", "supermarkets", "intents", "notifications"} {
		if err := e.store.Gorm().Exec("ALTER TABLE " + table + " RENAME TO " + table + "_gone").Error; err != nil {
			t.Fatal(err)
		}
	}
	pages := []string{"/patents/" + no, "/walls/new-energy", "/supermarkets", "/demands", "/account", "/intents"}
	for _, path := range pages {
		mustBeGeneric(t, "logged-in GET "+path, buyer.get(t, path), false)
	}
	for _, path := range []string{"/bureau/contracts", "/bureau/contracts/export?format=csv"} {
		mustBeGeneric(t, "bureau GET "+path, bureau.get(t, path), false)
	}
	mustBeGeneric(t, "page acceptance", buyer.post(t, "/patents/"+no+"/accept", accept), false)
	apis := []struct{ method, path, token, body string }{
		{http.MethodGet, "/api/v1/patents/" + no, "", ""},
		{http.MethodGet, "/api/v1/patents?q=" + "图像", "", ""},
		{http.MethodPost, "/api/v1/licences", buyerTok, `{"application_no":"` + no + `","idempotency_key":"k-500"}`},
		{http.MethodGet, "/api/v1/demands", buyerTok, ""},
		{http.MethodGet, "/api/v1/bureau/contracts", bureauTok, ""},
	}
	for _, a := range apis {
		mustBeGeneric(t, a.method+" "+a.path, e.bearer(t, a.method, a.path, a.token, a.body), true)
	}

	// The database closed under the app: every route that reads it, sessions included.
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/search?q=电池", "/patents/" + no, "/walls", "/demands"} {
		mustBeGeneric(t, "closed database, GET "+path, e.get(t, path), false)
	}
	// With a session cookie even the login page reads the database (who is asking).
	for _, path := range []string{"/", "/login", "/account", "/bureau/contracts"} {
		mustBeGeneric(t, "closed database, logged-in GET "+path, buyer.get(t, path), false)
		mustBeGeneric(t, "closed database, bureau GET "+path, bureau.get(t, path), false)
	}
	for _, a := range apis {
		mustBeGeneric(t, "closed database, "+a.method+" "+a.path, e.bearer(t, a.method, a.path, a.token, a.body), true)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/tokens", strings.NewReader(`{"email":"`+p.buyer.Email+`","password":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	mustBeGeneric(t, "closed database, token request", e.do(t, req), true)
}
