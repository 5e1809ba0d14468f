package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/web"
)

// The authorisation matrix: every route of the app (its own route table, not a list kept by hand) ×
// eight roles, each cell a real request with a session and its CSRF token (pages) or a bearer token
// (API), asserting the outcome class of the route's rule. A route without a rule, or a rule without a
// route, fails the test (docs/architecture.md §7).

// authzRoles are the matrix's roles; a rule's want string has one letter per role, in this order.
var authzRoles = []string{"anonymous", "unverified", "holder", "licensee", "otherOperator", "operator", "bureau", "admin"}

// Outcome classes of a cell.
const (
	outAllowed   = 'A' // passed the gate: anything but 401, 403, 404, a 5xx or the login redirect (400/409/422 included)
	outLogin     = 'L' // must log in: 401 under /api, 303 to /login for pages
	outForbidden = 'F' // 403
	outNotFound  = 'N' // 404: the resource is hidden from the role
	outRefused   = 'R' // 422 naming the field that makes the request the role's to refuse (not_your_district)
)

// authzCh names whose operators a route's "operator" and "otherOperator" roles are.
type authzCh int

const (
	chWall     authzCh = iota // the new-energy wall: its association's operator; another association's
	chDistrict                // Pudong: its district office's operator (the pudong supermarket's office); Xuhui's office
)

// authzRule is one route's rule.
type authzRule struct {
	want  string  // one outcome class per role of authzRoles
	ch    authzCh // whose operators act
	path  string  // the request's path; "" fills the route's parameters from the fixture
	form  func(role string) url.Values
	json  func(role string) any
	fresh bool        // a throwaway session or token: the request ends it (logout, revoking the token used)
	also  []authzRule // the same route again on other resources (another channel's operators)
}

// authzWorld is the matrix's fixture: the people of every role and a resource for every parameter.
type authzWorld struct {
	e        *env
	p        people
	wallOp   market.User // operator of the association running the new-energy wall
	assoc2Op market.User // operator of another (verified) association
	pudongOp market.User // operator of Pudong's district office, which runs the pudong supermarket
	xuhuiOp  market.User // operator of Xuhui's district office

	patent             string // the holder's battery patent, live free declaration
	bulk               []string
	contract           string // awaiting payment: licensor the holder's university, licensee the buyer
	pay1, pay2, pay3   int64  // payments of contract
	effective          string // effective (free) contract of the same parties
	cancel, terminate  string
	regPage, regAPI    string // transfers awaiting registration
	intent             int64  // open, buyer → university, through wall:new-energy
	intents            map[string]int64
	demand             int64 // pending, the buyer's, through wall:new-energy
	demands            map[string]int64
	saved, saved2      int64 // the buyer's saved searches
	spareToken         int64 // a token of the holder nobody uses
	verifyPage, verify market.Organisation
	verifyByAssoc      [2]market.Organisation // targets of the associations' attempts (page, API)
}

func (w *authzWorld) user(role string, ch authzCh) (market.User, bool) {
	switch role {
	case "unverified":
		return w.p.unverified, true
	case "holder":
		return w.p.holder, true
	case "licensee":
		return w.p.buyer, true
	case "bureau":
		return w.p.bureau, true
	case "admin":
		return w.p.admin, true
	case "operator":
		if ch == chDistrict {
			return w.pudongOp, true
		}
		return w.wallOp, true
	case "otherOperator":
		if ch == chDistrict {
			return w.xuhuiOp, true
		}
		return w.assoc2Op, true
	}
	return market.User{}, false
}

func newAuthzWorld(t *testing.T, e *env) *authzWorld {
	t.Helper()
	ctx := context.Background()
	w := &authzWorld{e: e, p: e.people(t), intents: map[string]int64{}, demands: map[string]int64{}}
	db := e.store.Gorm()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	actor := func(u market.User) market.Actor {
		t.Helper()
		a, err := e.store.Actor(ctx, u.ID)
		must(err)
		return a
	}

	// Operators: the wall's association (verified by wallOperator), another association, Pudong's
	// office (the fixture's, running the pudong supermarket; verified here) and Xuhui's.
	w.wallOp = e.wallOperator(t)
	w.assoc2Op = e.addUser(t, &w.p.assoc, market.RoleOperator, "op@assoc2.example.cn")
	var pudong market.Organisation
	must(db.Where("uscc = ?", uscc("11", 5)).Take(&pudong).Error)
	must(db.Model(&pudong).Update("verified_at", now.Add(-time.Hour)).Error)
	w.pudongOp = e.addUser(t, &pudong, market.RoleOperator, "op@pudong-office.example.cn")
	xuhui := e.addOrg(t, market.KindDistrictOffice, "徐汇测试知识产权局", 303, true)
	w.xuhuiOp = e.addUser(t, &xuhui, market.RoleOperator, "op@xuhui-office.example.cn")

	// Organisations of Pudong awaiting verification.
	for i, o := range []*market.Organisation{&w.verifyPage, &w.verify, &w.verifyByAssoc[0], &w.verifyByAssoc[1]} {
		*o = e.addOrg(t, market.KindEnterprise, fmt.Sprintf("浦东待审矩阵公司%d", i), 301+i, false)
		must(db.Model(o).Update("district_code", "310115").Error)
	}

	// The bureau's world and a stored run of art22-2022.
	e.bureauWorld(t)
	bc := e.bureauClient(t, w.p)
	mustStatus(t, "compute", bc.postForm(t, "/bureau/rounds/art22-2022", "/bureau/rounds/art22-2022/runs",
		url.Values{"as_of": {"2023-03-01"}}), http.StatusSeeOther)

	holder, buyer, corp := actor(w.p.holder), actor(w.p.buyer), actor(w.p.corp)
	w.patent = e.fx.battery.ApplicationNo
	for _, p := range e.fx.bulk {
		w.bulk = append(w.bulk, p.ApplicationNo)
	}
	today := market.DateOf(now)

	// Contracts of the university (holder) and the buyer (licensee).
	accept := func(no, key string) string {
		t.Helper()
		c, _, err := e.store.AcceptLicence(ctx, buyer, no, key)
		must(err)
		return c.ContractNo
	}
	w.contract = accept(w.bulk[30], "authz-c")
	for _, id := range []*int64{&w.pay1, &w.pay2, &w.pay3} {
		pay, err := e.store.RecordPayment(ctx, buyer, w.contract, 1, today, "AUTHZ-PAY")
		must(err)
		*id = pay.ID
	}
	w.effective = accept(w.patent, "authz-eff")
	w.cancel = accept(w.bulk[31], "authz-cancel")
	// a second free patent of the university for a second effective contract
	free := market.Patent{ApplicationNo: appNo(2020, '1', 566099), Type: market.TypeInvention, Title: "一种锂电池隔膜",
		PatenteeID: e.fx.uni.ID, FilingDate: market.MustDate("2020-06-19"), GrantDate: market.MustDate("2022-03-01"),
		Status: market.StatusGranted, Industry: "新能源", CreatedAt: now, UpdatedAt: now}
	must(db.Create(&free).Error)
	must(db.Create(&market.Declaration{PatentID: free.ID, FeeModel: market.FeeFree, TermMonths: 36, Status: market.DeclLive,
		PublishedAt: now.Add(-time.Hour)}).Error)
	w.terminate = accept(free.ApplicationNo, "authz-terminate")

	// Intents of the buyer on the university's patents offered for transfer, through the wall; two of
	// them concluded into transfers awaiting registration. The corp's vision is offered too: the
	// intent-creating routes aim at it.
	_, err := e.store.SetOffer(ctx, corp, e.fx.vision.ApplicationNo, market.OfferInput{TransferPriceFen: 60000_00, NegotiableLicence: true})
	must(err)
	for i, name := range []string{"open", "msgPage", "msgAPI", "declinePage", "declineAPI", "withdrawPage", "withdrawAPI",
		"dealPage", "dealAPI", "regPage", "regAPI"} {
		no := w.bulk[32+i]
		_, err := e.store.SetOffer(ctx, holder, no, market.OfferInput{TransferPriceFen: 50000_00})
		must(err)
		it, err := e.store.CreateIntent(ctx, buyer, market.IntentInput{ApplicationNo: no, Kind: market.ContractTransfer,
			Message: "希望受让", Via: "wall:new-energy"})
		must(err)
		w.intents[name] = it.ID
	}
	w.intent = w.intents["open"]
	for _, k := range []string{"regPage", "regAPI"} {
		c, err := e.store.RecordDeal(ctx, holder, w.intents[k], market.DealInput{FeeFen: 50000_00, SignedOn: today, EffectiveOn: today})
		must(err)
		if k == "regPage" {
			w.regPage = c.ContractNo
		} else {
			w.regAPI = c.ContractNo
		}
	}

	// Demands of the buyer through the wall, pending moderation.
	for _, name := range []string{"pending", "modPage", "modAPI", "closePage", "closeAPI"} {
		d, err := e.store.PostDemand(ctx, buyer, market.DemandInput{Title: "寻求电池回收技术" + name,
			Description: "需要低成本的电池回收方案。", Industry: "新能源", Channel: "wall:new-energy"})
		must(err)
		w.demands[name] = d.ID
	}
	w.demand = w.demands["pending"]

	ss, err := e.store.SaveSearch(ctx, buyer, "电池", "q=电池")
	must(err)
	w.saved = ss.ID
	ss, err = e.store.SaveSearch(ctx, buyer, "芯片", "q=芯片")
	must(err)
	w.saved2 = ss.ID

	_, tok, err := e.store.CreateAPITokenFor(ctx, holder, "spare")
	must(err)
	w.spareToken = tok.ID
	return w
}

// fill replaces the route's parameters with the fixture's resources.
func (w *authzWorld) fill(pattern string) string {
	segs := strings.Split(pattern, "/")
	under := func(prefix string) bool {
		return strings.HasPrefix(pattern, prefix) || strings.HasPrefix(pattern, "/api/v1"+prefix)
	}
	for i, s := range segs {
		if !strings.HasPrefix(s, ":") {
			continue
		}
		name, rest, _ := strings.Cut(s[1:], ".")
		var v string
		switch name {
		case "no":
			v = w.patent
			if under("/contracts/") {
				v = w.contract
			}
		case "slug":
			v = "new-energy"
			if under("/supermarkets/") || strings.HasPrefix(pattern, "/operator/supermarkets/") {
				v = "pudong"
			}
		case "id":
			switch {
			case strings.Contains(pattern, "/rounds/"):
				v = "art22-2022"
			case under("/intents/"):
				v = itoa64(w.intent)
			case under("/demands/"):
				v = itoa64(w.demand)
			case under("/saved-searches/"):
				v = itoa64(w.saved)
			case strings.Contains(pattern, "/tokens/"):
				v = itoa64(w.spareToken)
			case strings.Contains(pattern, "/payments/"):
				v = itoa64(w.pay1)
			}
		case "n":
			v = "1"
		case "uscc":
			v = w.verifyPage.USCC
			if strings.HasPrefix(pattern, "/bureau/") {
				v = validUSCC("91", 201) // the bureau world's licensor, a recipient of art22-2022
			}
		case "channel":
			v = "wall:new-energy"
		}
		if v == "" {
			panic("route matrix: no fixture for parameter " + s + " of " + pattern)
		}
		if rest != "" {
			v += "." + rest
		}
		segs[i] = v
	}
	return strings.Join(segs, "/")
}

// authzRules is the rule of every route, keyed "METHOD /path/:param" as the route table names it.
func authzRules(w *authzWorld) map[string]authzRule {
	fx := w.e.fx
	form := func(kv ...string) func(string) url.Values {
		return func(string) url.Values {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Add(kv[i], kv[i+1])
			}
			return v
		}
	}
	js := func(body any) func(string) any { return func(string) any { return body } }
	roleIdx := func(role string) int {
		for i, r := range authzRoles {
			if r == role {
				return i
			}
		}
		return -1
	}
	contract := func(no string) string { return "/contracts/" + no }
	intent := func(name, suffix string) string { return "/intents/" + itoa64(w.intents[name]) + suffix }
	demand := func(name, suffix string) string { return "/demands/" + itoa64(w.demands[name]) + suffix }
	const (
		everyone     = "AAAAAAAA"
		loggedIn     = "LAAAAAAA"
		orgUsers     = "LAAAAAFF" // users of an organisation (staff have none)
		bureauOnly   = "LFFFFFAF"
		publishers   = "LFAAFFFF" // holders and enterprises of verified organisations
		itsHolder    = "LFAFFFFF"
		itsBuyer     = "LFFAFFFF"
		parties      = "LFAAFFFF"
		partiesBur   = "LFAAFFAF" // the parties and the bureau read
		operators    = "LFFFAAAF" // any operator, the bureau
		itsOps       = "LFFFFAAF" // the channel's operators, the bureau
		verifiedOrgs = "LFAAAAFF" // users of verified organisations, operators' included
	)
	wallBody := func(role string) any {
		b := map[string]any{"slug": "authz-" + strings.ToLower(role), "name": "矩阵测试墙", "rules": map[string]any{"industries": []string{"新能源"}}}
		if role == "bureau" {
			b["org_uscc"] = w.p.assoc.USCC
		}
		return b
	}
	wallForm := func(role string) url.Values {
		v := url.Values{"slug": {"authz-p-" + strings.ToLower(role)}, "name": {"矩阵测试墙"}, "industries": {"新能源"}}
		if role == "bureau" {
			v.Set("org_uscc", w.p.assoc.USCC)
		}
		return v
	}
	// an edit keeps the demand on the wall's channel: without one any operator would moderate it
	demandBody := map[string]any{"title": "寻求电池热管理技术", "description": "需要低成本的热管理方案。", "industry": "新能源",
		"channel": "wall:new-energy"}
	demandForm := form("title", "寻求电池热管理技术", "description", "需要低成本的热管理方案。", "industry", "新能源",
		"channel", "wall:new-energy")
	patentForm := func(role string) url.Values {
		return url.Values{"application_no": {appNo(2023, '1', 830000+roleIdx(role))}, "title": {"矩阵测试专利"},
			"filing_date": {"2023-01-01"}, "status": {"pending"}}
	}
	patentBody := func(role string) any {
		return map[string]string{"application_no": appNo(2023, '1', 840000+roleIdx(role)), "title": "接口矩阵专利",
			"filing_date": "2023-01-01", "status": "pending"}
	}
	tokenBody := func(role string) any {
		u, ok := w.user(role, chWall)
		if !ok {
			u = w.p.holder
		}
		return map[string]string{"email": u.Email, "password": testPassword}
	}
	loginForm := func(role string) url.Values {
		u, ok := w.user(role, chWall)
		if !ok {
			u = w.p.holder
		}
		return url.Values{"email": {u.Email}, "password": {testPassword}}
	}
	targets := form("from", "2024-05-01", "to", "2024-05-31", "listings", "4")
	targetsBody := js(map[string]any{"from": "2024-05-01", "to": "2024-05-31", "listings": 4})
	smBody := map[string]any{"slug": "pudong", "name": "浦东专利超市", "name_en": "Pudong patent supermarket"}
	return map[string]authzRule{
		// public pages and API
		"GET /":                                  {want: everyone},
		"GET /healthz":                           {want: everyone},
		"GET /search":                            {want: everyone},
		"GET /patents/:no":                       {want: everyone},
		"GET /patents/:no/qr.png":                {want: everyone},
		"GET /walls":                             {want: everyone},
		"GET /walls/:slug":                       {want: everyone},
		"GET /walls/:slug/screen":                {want: everyone},
		"GET /walls/:slug/qr.png":                {want: everyone},
		"GET /walls/:slug/qr/:no.svg":            {want: everyone},
		"GET /supermarkets":                      {want: everyone},
		"GET /supermarkets/:slug":                {want: everyone},
		"GET /demands":                           {want: everyone},
		"GET /api/v1/openapi.json":               {want: everyone},
		"GET /api/v1/patents":                    {want: everyone},
		"GET /api/v1/patents/:no":                {want: everyone},
		"GET /api/v1/walls/:slug":                {want: everyone},
		"GET /api/v1/walls/:slug/patents":        {want: everyone},
		"GET /api/v1/walls/:slug/screen":         {want: everyone},
		"GET /api/v1/supermarkets/:slug/shelves": {want: everyone},
		"GET /api/v1/demands":                    {want: everyone},

		// accounts
		"GET /login":                       {want: everyone},
		"POST /login":                      {want: everyone, fresh: true, form: loginForm},
		"POST /logout":                     {want: everyone, fresh: true, form: form()},
		"GET /register":                    {want: everyone},
		"POST /register":                   {want: everyone, form: form()},
		"POST /api/v1/register":            {want: everyone, json: js(map[string]any{})},
		"POST /api/v1/tokens":              {want: everyone, json: tokenBody},
		"DELETE /api/v1/tokens/current":    {want: loggedIn, fresh: true},
		"GET /account/":                    {want: loggedIn},
		"GET /account/password":            {want: loggedIn},
		"POST /account/password":           {want: loggedIn, form: form()}, // empty: refused by validation, nothing changes
		"GET /account/users":               {want: orgUsers},
		"POST /account/users":              {want: orgUsers, form: form()},
		"POST /account/notifications/read": {want: orgUsers, form: form()},
		"POST /account/tokens/:id/revoke":  {want: "LFAFFFFA", form: form()}, // own tokens; the admin any

		// verification (the district's office, the bureau) and SME decisions (the bureau)
		// associations' operators verify nobody (the wall's and another association's)
		"GET /account/orgs":       {want: operators, ch: chDistrict, also: []authzRule{{want: bureauOnly}}},
		"GET /account/orgs/:uscc": {want: operators, ch: chDistrict, also: []authzRule{{want: bureauOnly}}},
		"POST /account/orgs/:uscc/verify": {want: itsOps, ch: chDistrict, form: form(), also: []authzRule{
			{want: bureauOnly, path: "/account/orgs/" + w.verifyByAssoc[0].USCC + "/verify", form: form()}}},
		"POST /account/orgs/:uscc/sme": {want: bureauOnly, ch: chDistrict, path: "/account/orgs/" + w.p.buyerOrg.USCC + "/sme", form: form("is_sme", "1", "note", "核实")},
		"POST /api/v1/orgs/:uscc/verify": {want: itsOps, ch: chDistrict, path: "/api/v1/orgs/" + w.verify.USCC + "/verify", also: []authzRule{
			{want: bureauOnly, path: "/api/v1/orgs/" + w.verifyByAssoc[1].USCC + "/verify"}}},

		// a holder's patents
		"GET /account/patents/new":     {want: publishers},
		"POST /account/patents":        {want: publishers, form: patentForm},
		"GET /account/patents/import":  {want: publishers},
		"POST /account/patents/import": {want: publishers, form: form()},
		"GET /account/patents/:no":     {want: itsHolder},
		"POST /account/patents/:no":    {want: itsHolder, form: form("title", fx.battery.Title)},
		"POST /account/patents/:no/declaration": {want: itsHolder, path: "/account/patents/" + w.bulk[2] + "/declaration",
			form: form("fee_model", "free", "term_months", "36")},
		"POST /account/patents/:no/withdraw": {want: itsHolder, path: "/account/patents/" + w.bulk[0] + "/withdraw", form: form()},
		"POST /api/v1/patents":               {want: publishers, json: patentBody},
		"PUT /api/v1/patents/:no/declaration": {want: itsHolder, path: "/api/v1/patents/" + w.bulk[3] + "/declaration",
			json: js(map[string]any{"fee_model": "free", "term_months": 36})},
		"DELETE /api/v1/patents/:no/declaration": {want: itsHolder, path: "/api/v1/patents/" + w.bulk[1] + "/declaration"},
		"GET /patents/:no/offer":                 {want: itsHolder},
		"POST /patents/:no/offer":                {want: itsHolder, form: form("transfer_price_yuan", "90000")},
		"PUT /api/v1/patents/:no/offer":          {want: itsHolder, json: js(map[string]any{"transfer_price_yuan": "90000"})},
		"GET /api/v1/patents/:no/demands":        {want: itsHolder},

		// signing and contracts
		"POST /patents/:no/accept": {want: itsBuyer, path: "/patents/" + w.bulk[4] + "/accept",
			form: form("agree", "1", "idempotency_key", "authz-page")},
		"POST /api/v1/licences":        {want: itsBuyer, json: js(map[string]any{"application_no": w.bulk[5], "idempotency_key": "authz-api"})},
		"GET /contracts/:no":           {want: partiesBur},
		"GET /contracts/:no/print":     {want: partiesBur},
		"GET /contracts/:no/notice":    {want: partiesBur},
		"GET /api/v1/contracts/:no":    {want: partiesBur},
		"POST /contracts/:no/payments": {want: itsBuyer, form: form("amount_yuan", "0.01", "paid_on", "2024-05-20", "reference", "AUTHZ")},
		"POST /api/v1/contracts/:no/payments": {want: itsBuyer,
			json: js(map[string]any{"amount_yuan": "0.01", "paid_on": "2024-05-20", "reference": "AUTHZ-API"})},
		"POST /contracts/:no/payments/:id/confirm": {want: itsHolder, form: form()},
		"POST /api/v1/contracts/:no/payments/:id/confirm": {want: itsHolder,
			path: "/api/v1" + contract(w.contract) + "/payments/" + itoa64(w.pay2) + "/confirm"},
		"POST /contracts/:no/payments/:id/reject": {want: itsHolder, path: contract(w.contract) + "/payments/" + itoa64(w.pay3) + "/reject",
			form: form("note", "未到账")},
		"POST /contracts/:no/filing": {want: parties, path: contract(w.effective) + "/filing",
			form: form("filing_no", "AUTHZ-1", "filed_on", "2024-05-20")},
		"POST /api/v1/contracts/:no/filing": {want: parties, path: "/api/v1" + contract(w.effective) + "/filing",
			json: js(map[string]any{"filing_no": "AUTHZ-1", "filed_on": "2024-05-20"})},
		"POST /contracts/:no/cancel":    {want: parties, path: contract(w.cancel) + "/cancel", form: form("reason", "双方协商")},
		"POST /contracts/:no/terminate": {want: parties, path: contract(w.terminate) + "/terminate", form: form("reason", "双方协商")},
		"POST /contracts/:no/registration": {want: parties, path: contract(w.regPage) + "/registration",
			form: form("registration_no", "ZR-AUTHZ-1", "registered_on", "2024-05-20")},
		"POST /api/v1/contracts/:no/registration": {want: parties, path: "/api/v1" + contract(w.regAPI) + "/registration",
			json: js(map[string]any{"registration_no": "ZR-AUTHZ-2", "registered_on": "2024-05-20"})},

		// intents: the parties; the channel's operators and the bureau read
		"GET /intents/":                     {want: orgUsers},
		"GET /api/v1/intents":               {want: orgUsers},
		"GET /intents/:id":                  {want: "LFAAFAAF"},
		"GET /api/v1/intents/:id":           {want: "LFAAFAAF"},
		"POST /intents/":                    {want: publishers, form: form("application_no", fx.vision.ApplicationNo, "kind", "transfer")},
		"POST /api/v1/intents":              {want: publishers, json: js(map[string]any{"application_no": fx.vision.ApplicationNo, "kind": "transfer"})},
		"POST /intents/:id/messages":        {want: parties, path: intent("msgPage", "/messages"), form: form("body", "请报价")},
		"POST /api/v1/intents/:id/messages": {want: parties, path: "/api/v1" + intent("msgAPI", "/messages"), json: js(map[string]any{"body": "请报价"})},
		"POST /intents/:id/decline":         {want: itsHolder, path: intent("declinePage", "/decline"), form: form()},
		"POST /api/v1/intents/:id/decline":  {want: itsHolder, path: "/api/v1" + intent("declineAPI", "/decline")},
		"POST /intents/:id/withdraw":        {want: itsBuyer, path: intent("withdrawPage", "/withdraw"), form: form()},
		"POST /api/v1/intents/:id/withdraw": {want: itsBuyer, path: "/api/v1" + intent("withdrawAPI", "/withdraw")},
		"POST /intents/:id/deal": {want: itsHolder, path: intent("dealPage", "/deal"),
			form: form("fee_yuan", "50000", "signed_on", "2024-05-20", "effective_on", "2024-05-20")},
		"POST /api/v1/intents/:id/deal": {want: itsHolder, path: "/api/v1" + intent("dealAPI", "/deal"),
			json: js(map[string]any{"fee_yuan": "50000", "signed_on": "2024-05-20", "effective_on": "2024-05-20"})},

		// demands: posters (verified organisations), the channel's moderators, the bureau
		"GET /demands/new":                {want: verifiedOrgs},
		"POST /demands":                   {want: verifiedOrgs, form: demandForm},
		"POST /api/v1/demands":            {want: verifiedOrgs, json: js(demandBody)},
		"GET /demands/:id":                {want: "NNNANAAN"}, // pending: its poster and moderators only
		"GET /api/v1/demands/:id":         {want: "NNNANAAN"},
		"GET /api/v1/demands/:id/matches": {want: "NNNANAAN"},
		"GET /demands/:id/edit":           {want: "LNNANFFN"},
		"POST /demands/:id":               {want: "LFNANFFF", form: demandForm},
		"PUT /api/v1/demands/:id":         {want: "LFNANFFF", json: js(demandBody)},
		"POST /demands/:id/close":         {want: "LNNANFFN", path: demand("closePage", "/close"), form: form()},
		"POST /api/v1/demands/:id/close":  {want: "LNNANFFN", path: "/api/v1" + demand("closeAPI", "/close"), json: js(map[string]any{})},
		"POST /demands/:id/moderate":      {want: itsOps, path: demand("modPage", "/moderate"), form: form("decision", "approve")},
		"POST /api/v1/demands/:id/moderate": {want: itsOps, path: "/api/v1" + demand("modAPI", "/moderate"),
			json: js(map[string]any{"decision": "approve"})},
		"GET /operator/demands":          {want: operators},
		"GET /operator/demands/analysis": {want: operators},

		// notifications and saved searches
		"GET /notifications":                {want: loggedIn},
		"POST /notifications/read":          {want: orgUsers, form: form()},
		"GET /api/v1/notifications":         {want: loggedIn},
		"POST /api/v1/notifications/read":   {want: orgUsers, json: js(map[string]any{})},
		"GET /saved-searches":               {want: loggedIn},
		"POST /saved-searches":              {want: orgUsers, form: form("name", "电池", "query", "q=电池")},
		"GET /api/v1/saved-searches":        {want: loggedIn},
		"POST /api/v1/saved-searches":       {want: orgUsers, json: js(map[string]any{"name": "电池", "query": "q=电池"})},
		"POST /saved-searches/:id/delete":   {want: "LNNANNNN", form: form()},
		"DELETE /api/v1/saved-searches/:id": {want: "LNNANNNN", path: "/api/v1/saved-searches/" + itoa64(w.saved2)},

		// walls and supermarkets
		"GET /operator/":             {want: operators},
		"GET /operator/walls/new":    {want: operators},
		"POST /operator/walls":       {want: operators, form: wallForm},
		"GET /operator/walls/:slug":  {want: itsOps},
		"POST /operator/walls/:slug": {want: itsOps, form: form("slug", "new-energy", "name", "新能源专利墙", "industries", "新能源")},
		"POST /operator/pin":         {want: itsOps, form: form("wall", "new-energy", "application_no", w.patent)},
		"POST /api/v1/walls":         {want: operators, json: wallBody},
		"PUT /api/v1/walls/:slug": {want: itsOps, json: js(map[string]any{"slug": "new-energy", "name": "新能源专利墙",
			"rules": map[string]any{"industries": []string{"新能源"}}})},
		"PUT /api/v1/walls/:slug/pins":              {want: itsOps, json: js(map[string]any{"application_nos": []string{w.patent}})},
		"PUT /api/v1/walls/:slug/excluded":          {want: itsOps, json: js(map[string]any{"application_nos": []string{}})},
		"GET /operator/supermarkets/:slug":          {want: itsOps, ch: chDistrict},
		"POST /operator/supermarkets/:slug":         {want: itsOps, ch: chDistrict, form: form("slug", "pudong", "name", "浦东专利超市")},
		"POST /operator/supermarkets/:slug/shelves": {want: itsOps, ch: chDistrict, form: form("n", "0")},
		"POST /api/v1/supermarkets": {want: "LFFFRAAF", ch: chDistrict, json: func(role string) any {
			return map[string]any{"slug": "authz-" + strings.ToLower(role), "name": "矩阵测试超市", "district": "310115"}
		}},
		"PUT /api/v1/supermarkets/:slug":         {want: itsOps, ch: chDistrict, json: js(smBody)},
		"PUT /api/v1/supermarkets/:slug/shelves": {want: itsOps, ch: chDistrict, json: js([]any{})},

		// channels' statistics and targets
		"GET /operator/channels/":                  {want: operators},
		"GET /operator/channels/:channel":          {want: itsOps, also: []authzRule{{want: itsOps, ch: chDistrict, path: "/operator/channels/supermarket:pudong"}}},
		"POST /operator/channels/:channel/targets": {want: itsOps, form: targets, also: []authzRule{{want: itsOps, ch: chDistrict, path: "/operator/channels/supermarket:pudong/targets", form: targets}}},
		"GET /api/v1/channels/:channel/stats":      {want: itsOps, also: []authzRule{{want: itsOps, ch: chDistrict, path: "/api/v1/channels/supermarket:pudong/stats"}}},
		"PUT /api/v1/channels/:channel/targets": {want: itsOps, json: targetsBody, also: []authzRule{
			{want: itsOps, ch: chDistrict, path: "/api/v1/channels/supermarket:pudong/targets", json: targetsBody}}},
		"GET /bureau/channels":        {want: bureauOnly},
		"GET /api/v1/bureau/channels": {want: bureauOnly},

		// the bureau
		"GET /bureau/":                                                {want: bureauOnly},
		"GET /bureau/contracts":                                       {want: bureauOnly},
		"GET /bureau/contracts/export":                                {want: bureauOnly, path: "/bureau/contracts/export?format=csv"},
		"GET /bureau/rounds":                                          {want: bureauOnly},
		"GET /bureau/rounds/new":                                      {want: bureauOnly},
		"POST /bureau/rounds":                                         {want: bureauOnly, form: form("id", "authz-round", "rule", "licensor_open_licence", "window_from", "2030-01-01", "window_to", "2030-12-31", "unit_yuan", "1", "cap_yuan", "10")},
		"GET /bureau/rounds/:id":                                      {want: bureauOnly},
		"POST /bureau/rounds/:id":                                     {want: bureauOnly, form: form()},
		"GET /bureau/rounds/:id/edit":                                 {want: bureauOnly},
		"GET /bureau/rounds/:id/compare":                              {want: bureauOnly},
		"POST /bureau/rounds/:id/runs":                                {want: bureauOnly, form: form("as_of", "2023-03-01")},
		"GET /bureau/rounds/:id/runs/:n":                              {want: bureauOnly},
		"GET /bureau/rounds/:id/runs/:n/lines":                        {want: bureauOnly},
		"GET /bureau/rounds/:id/runs/:n/export":                       {want: bureauOnly, path: "/bureau/rounds/art22-2022/runs/1/export?format=csv"},
		"POST /bureau/rounds/:id/runs/:n/freeze":                      {want: bureauOnly, form: form("confirm", "1")},
		"GET /bureau/rounds/:id/runs/:n/recipients/:uscc":             {want: bureauOnly},
		"POST /bureau/rounds/:id/runs/:n/recipients/:uscc/reject":     {want: bureauOnly, form: form("line", c1+"|"+"x", "note", "核查")},
		"POST /bureau/rounds/:id/runs/:n/recipients/:uscc/disqualify": {want: bureauOnly, form: form("note", "核查")},
		"POST /bureau/rounds/:id/runs/:n/recipients/:uscc/recover":    {want: bureauOnly, form: form("amount_yuan", "1", "recovered_on", "2024-05-20", "reference", "R")},
		"GET /bureau/reviews":                                         {want: bureauOnly},
		"POST /bureau/reviews":                                        {want: bureauOnly, form: form("round", "art22-2022", "contract_no", c2, "decision", "approve", "note", "ok")},
		"GET /api/v1/bureau/contracts":                                {want: bureauOnly},
		"GET /api/v1/bureau/rounds":                                   {want: bureauOnly},
		"GET /api/v1/bureau/rounds/:id/runs":                          {want: bureauOnly},
		"POST /api/v1/bureau/rounds/:id/runs":                         {want: bureauOnly},
		"GET /api/v1/bureau/rounds/:id/runs/:n":                       {want: bureauOnly},
	}
}

// authzRoutes lists the app's routes as "METHOD /path" (no HEAD twins, no middleware, no static files).
func authzRoutes(app *web.App) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range app.Fiber.GetRoutes(true) {
		if r.Method == http.MethodHead || r.Path == "/static" || strings.HasPrefix(r.Path, "/static/") {
			continue
		}
		k := r.Method + " " + r.Path
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// fingerprint hashes every table a request could change (not sessions, tokens and rate counters,
// which a request touches by being made).
func (w *authzWorld) fingerprint(t *testing.T) string {
	t.Helper()
	db := w.e.store.Gorm()
	tablesSQL := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if w.e.store.IsPostgres() {
		tablesSQL = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	var tables []string
	if err := db.Raw(tablesSQL).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for _, tbl := range tables {
		switch tbl {
		case "sessions", "api_tokens", "rate_limits":
			continue
		}
		rows, err := db.Raw(`SELECT * FROM "` + tbl + `"`).Rows()
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		// Rows in no particular order (neither database promises one without a key): sorted as text.
		var lines []string
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				t.Fatal(err)
			}
			lines = append(lines, fmt.Sprintf("%v", vals))
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(h, "%s\n%s\n", tbl, strings.Join(lines, "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// authzActor is one role's way in: a browser with a session (or a visitor's CSRF cookie) and a token.
type authzActor struct {
	cl    *client
	csrf  string
	token string
}

func (w *authzWorld) login(t *testing.T, role string, ch authzCh) authzActor {
	t.Helper()
	cl := w.e.client()
	u, ok := w.user(role, ch)
	if !ok { // anonymous: the visitor's double-submit token
		return authzActor{cl: cl, csrf: csrfOf(t, cl.get(t, "/login").body)}
	}
	cl.login(t, u.Email)
	return authzActor{cl: cl, csrf: csrfOf(t, cl.get(t, "/account/password").body), token: w.e.token(t, u)}
}

// classify reads a response's outcome class.
func classify(api bool, r response) byte {
	switch {
	case api && r.status == http.StatusUnauthorized:
		return outLogin
	case !api && r.status == http.StatusSeeOther && toLogin(r.header.Get("Location")):
		return outLogin
	case r.status == http.StatusForbidden:
		if !api && strings.Contains(r.body, "CSRF") {
			return 'C' // the test's token was refused: never a rule's class
		}
		return outForbidden
	case r.status == http.StatusNotFound:
		return outNotFound
	case r.status == http.StatusUnauthorized || r.status >= 500:
		return '?'
	case r.status == http.StatusUnprocessableEntity:
		return outRefused
	}
	return outAllowed
}

// toLogin reports the login redirect of RequireLogin (not a logout's, which says it is done).
func toLogin(location string) bool {
	u, err := url.Parse(location)
	return err == nil && u.Path == "/login" && u.Query().Get("done") == ""
}

// matches reports whether a cell's outcome is the rule's: an allowed role may fail validation.
func matches(want, got byte) bool {
	return want == got || (want == outAllowed && got == outRefused)
}

// TestRouteAuthorisationMatrix: every route × every role, from the route table.
func TestRouteAuthorisationMatrix(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) { routeAuthorisationMatrix(t, e) })
}

func routeAuthorisationMatrix(t *testing.T, e *env) {
	w := newAuthzWorld(t, e)
	rules := authzRules(w)
	routes := authzRoutes(w.e.app)
	if len(routes) < 100 {
		t.Fatalf("only %d routes in the route table", len(routes))
	}
	inApp := map[string]bool{}
	for _, k := range routes {
		inApp[k] = true
		if _, ok := rules[k]; !ok {
			t.Errorf("route %s has no authorisation rule: add one to authzRules (web/route_matrix_test.go)", k)
		}
	}
	for k, r := range rules {
		if !inApp[k] {
			t.Errorf("rule for %s, which is no route of the app: remove it", k)
		}
		for _, v := range append([]authzRule{r}, r.also...) {
			if len(v.want) != len(authzRoles) || strings.Trim(v.want, "ALFNR") != "" {
				t.Errorf("rule for %s: want %q is not one of A, L, F, N, R per role", k, v.want)
			}
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	actors := map[[2]int]authzActor{}
	actorOf := func(t *testing.T, role string, ch authzCh, fresh bool) authzActor {
		t.Helper()
		if fresh {
			return w.login(t, role, ch)
		}
		k := [2]int{int(ch), indexOf(authzRoles, role)}
		a, ok := actors[k]
		if !ok {
			a = w.login(t, role, ch)
			actors[k] = a
		}
		return a
	}

	for _, key := range routes {
		rule := rules[key]
		method, pattern, _ := strings.Cut(key, " ")
		t.Run(key, func(t *testing.T) {
			for _, v := range append([]authzRule{rule}, rule.also...) {
				target := v.path
				if target == "" {
					target = w.fill(pattern)
				}
				w.cells(t, method, target, v, actorOf)
			}
		})
	}
}

// cells sends one request per role to target and checks each outcome: refused roles first, and they
// must change nothing; then the allowed ones.
func (w *authzWorld) cells(t *testing.T, method, target string, rule authzRule,
	actorOf func(t *testing.T, role string, ch authzCh, fresh bool) authzActor) {
	t.Helper()
	api := strings.HasPrefix(target, "/api/")
	var order []int
	for i := range authzRoles {
		if rule.want[i] != outAllowed {
			order = append(order, i)
		}
	}
	denied := len(order)
	for i := range authzRoles {
		if rule.want[i] == outAllowed {
			order = append(order, i)
		}
	}
	before := w.fingerprint(t)
	checkUnchanged := func() {
		t.Helper()
		if after := w.fingerprint(t); after != before {
			t.Errorf("%s %s: refused requests changed the database", method, target)
		}
	}
	for n, i := range order {
		if n == denied && denied > 0 {
			checkUnchanged()
		}
		role := authzRoles[i]
		a := actorOf(t, role, rule.ch, rule.fresh)
		var r response
		switch {
		case api:
			body := ""
			if rule.json != nil {
				b, err := json.Marshal(rule.json(role))
				if err != nil {
					t.Fatal(err)
				}
				body = string(b)
			}
			r = w.e.bearer(t, method, target, a.token, body)
		case method == http.MethodGet:
			r = a.cl.get(t, target)
		default:
			f := url.Values{}
			if rule.form != nil {
				f = rule.form(role)
			}
			f.Set("_csrf", a.csrf)
			r = a.cl.post(t, target, f)
		}
		if got := classify(api, r); !matches(rule.want[i], got) {
			t.Errorf("%s %s as %s: got %c (status %d, location %q), want %c: %s", method, target, role, got,
				r.status, r.header.Get("Location"), rule.want[i], gist(r.body))
		}
	}
	if denied == len(order) {
		checkUnchanged()
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// gist is what a failure message shows of a body: a page's title, or the start of a JSON answer.
func gist(body string) string {
	if _, rest, ok := strings.Cut(body, "<title>"); ok {
		title, _, _ := strings.Cut(rest, "</title>")
		return title
	}
	if len(body) > 200 {
		return body[:200]
	}
	return body
}
