package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"patentwall/market"
	"patentwall/market/soakcheck"
)

const soakPassword = "soak-password-2026"

// shanghai is the platform's day (docs/rules.md §1); payments and filings are dated by it.
var shanghai = time.FixedZone("CST", 8*3600)

func today() string { return time.Now().In(shanghai).Format("2006-01-02") }

type org struct {
	uscc, email, token string
}

// pairQueue is a licensee's patents still to accept: each (licensee, patent) pair once, so a second
// contract for a pair can only be a duplicate.
type pairQueue struct {
	mu   sync.Mutex
	apps []string
	next int
}

func (q *pairQueue) pop() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.next >= len(q.apps) {
		return ""
	}
	q.next++
	return q.apps[q.next-1]
}

type toPay struct {
	contractNo, appNo, amount string
	lee                       *org
}

type toConfirm struct {
	contractNo string
	paymentID  int64
	holder     *org
	lee        *org
}

type toFile struct {
	contractNo string
	lee        *org
}

// world is what the workload acts on: accounts made through the API, the demo's patents, walls and
// supermarkets, and the contracts in flight.
type world struct {
	a         *api
	runID     string
	bureau    string // token
	holders   []*org
	licensees []*org // [0] is the probe's
	queues    []*pairQueue
	holderOf  map[string]*org // own (paid) patents → their holder
	words     []string
	industry  []string
	walls     []string
	markets   []string
	pages     []string // application numbers for patent pages

	pay     chan toPay
	confirm chan toConfirm
	file    chan toFile

	seq       atomic.Int64
	patents   atomic.Int64 // patents published during the load
	published atomic.Int64
	mu        sync.Mutex
	attempts  []soakcheck.Attempt
	acks      []soakcheck.Ack
}

func (w *world) key() string { return fmt.Sprintf("soak-%s-%d", w.runID, w.seq.Add(1)) }

func (w *world) snapshot() ([]soakcheck.Attempt, []soakcheck.Ack) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]soakcheck.Attempt(nil), w.attempts...), append([]soakcheck.Ack(nil), w.acks...)
}

func validUSCC(prefix string, serial int) string {
	code := fmt.Sprintf("%08d", serial)
	c17, _ := market.OrgCodeCheckChar(code)
	body := prefix + "310104" + code + string(c17)
	c18, _ := market.USCCCheckChar(body)
	return body + string(c18)
}

func appNo(year int, serial int) string {
	digits := fmt.Sprintf("%04d1%07d", year, serial)
	c, _ := market.ApplicationCheckChar(digits)
	return digits + "." + string(c)
}

// createBureauUser runs `patentwall admin create-user` against the run's database.
func createBureauUser(ctx context.Context, bin, dsn, dataDir, email string) error {
	cmd := exec.CommandContext(ctx, bin, "admin", "create-user", "--email", email, "--password", soakPassword, "--role", "bureau")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn, "DATA_DIR="+dataDir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("admin create-user: %w\n%s", err, out)
	}
	return nil
}

func (w *world) login(ctx context.Context, email string) (string, error) {
	b, err := w.a.setup(ctx, http.MethodPost, "/api/v1/tokens", "", map[string]string{"email": email, "password": soakPassword, "name": "soak"}, 201)
	if err != nil {
		return "", err
	}
	var t struct{ Token string }
	if err := json.Unmarshal(b, &t); err != nil || t.Token == "" {
		return "", fmt.Errorf("token: %s", b)
	}
	return t.Token, nil
}

// register makes a verified organisation with one user and its API token.
func (w *world) register(ctx context.Context, kind, prefix string, serial int) (*org, error) {
	o := &org{uscc: validUSCC(prefix, serial), email: fmt.Sprintf("soak%d@soak.example.com", serial)}
	body := map[string]any{
		"org": map[string]string{"uscc": o.uscc, "name": fmt.Sprintf("耐久测试机构%d", serial), "kind": kind, "district": "徐汇区",
			"address": "上海市徐汇区测试路 1 号", "legal_rep": "测试"},
		"user": map[string]string{"name": "测试", "email": o.email, "password": soakPassword},
	}
	if _, err := w.a.setup(ctx, http.MethodPost, "/api/v1/register", "", body, 201); err != nil {
		return nil, err
	}
	if _, err := w.a.setup(ctx, http.MethodPost, "/api/v1/orgs/"+o.uscc+"/verify", w.bureau, nil, 200); err != nil {
		return nil, err
	}
	tok, err := w.login(ctx, o.email)
	o.token = tok
	return o, err
}

type searchHit struct {
	ApplicationNo string `json:"application_no"`
	Title         string `json:"title"`
	Declaration   *struct {
		AmountDueYuan json.Number `json:"amount_due_yuan"`
	} `json:"declaration"`
}

type searchResp struct {
	Total  int                       `json:"total"`
	Hits   []searchHit               `json:"hits"`
	Facets map[string]map[string]int `json:"facets"`
}

// prepare builds the world: the bureau user (CLI), holders and licensees (API: register, verify,
// token), the holders' patents with paid declarations, and the demo's free offers.
func prepare(ctx context.Context, a *api, bin, dsn, dataDir string, clients, holders, patentsPerHolder int) (*world, error) {
	w := &world{a: a, runID: fmt.Sprintf("%x", time.Now().UnixNano()&0xffffff), holderOf: map[string]*org{},
		pay: make(chan toPay, 1<<16), confirm: make(chan toConfirm, 1<<16), file: make(chan toFile, 1<<16)}
	if err := createBureauUser(ctx, bin, dsn, dataDir, "bureau@soak.example.com"); err != nil {
		return nil, err
	}
	var err error
	if w.bureau, err = w.login(ctx, "bureau@soak.example.com"); err != nil {
		return nil, err
	}
	// Registration allows 20 per address and hour (docs/interfaces.md §5.2): holders + licensees ≤ 20.
	nLicensees := min(clients, 20-holders) // one of them is the probe's
	for i := range holders {
		o, err := w.register(ctx, "university", "12", 700001+i)
		if err != nil {
			return nil, fmt.Errorf("holder: %w", err)
		}
		w.holders = append(w.holders, o)
	}
	for i := range nLicensees {
		o, err := w.register(ctx, "enterprise", "91", 710001+i)
		if err != nil {
			return nil, fmt.Errorf("licensee: %w", err)
		}
		w.licensees = append(w.licensees, o)
	}
	var own []string
	for h, o := range w.holders {
		for i := range patentsPerHolder {
			no := appNo(2020, 5000000+h*1000+i)
			p := map[string]string{"application_no": no, "title": fmt.Sprintf("一种耐久测试用数据同步装置%d-%d", h, i),
				"filing_date": "2020-03-02", "grant_date": "2022-05-10", "status": "granted", "ipc": "G06F 16/27"}
			if _, err := a.setup(ctx, http.MethodPost, "/api/v1/patents", o.token, p, 201); err != nil {
				return nil, err
			}
			d := map[string]any{"fee_model": "lump_sum", "fee_yuan": "1000", "term_months": 36}
			if _, err := a.setup(ctx, http.MethodPut, "/api/v1/patents/"+no+"/declaration", o.token, d, 200); err != nil {
				return nil, err
			}
			w.holderOf[no] = o
			own = append(own, no)
		}
	}
	// The demo's offers with nothing due up front (their holders cannot log in to confirm payments).
	var free []string
	seen := map[string]bool{} // newest-first pages may repeat a patent whose day ties with others
	for page := 1; page <= 100; page++ {
		b, err := a.setup(ctx, http.MethodGet, fmt.Sprintf("/api/v1/patents?offer=open_licence&sort=newest&per_page=100&page=%d", page), "", nil, 200, 400)
		if err != nil {
			return nil, err
		}
		var r searchResp
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("read the offers: %w", err)
		}
		if len(r.Hits) == 0 {
			break
		}
		for _, h := range r.Hits {
			if w.holderOf[h.ApplicationNo] != nil || seen[h.ApplicationNo] {
				continue
			}
			seen[h.ApplicationNo] = true
			w.pages = append(w.pages, h.ApplicationNo)
			if []rune(h.Title) != nil && len([]rune(h.Title)) >= 4 {
				t := []rune(h.Title)
				w.words = append(w.words, string(t[2:4]))
			}
			if h.Declaration != nil && (h.Declaration.AmountDueYuan == "0" || h.Declaration.AmountDueYuan == "0.00") {
				free = append(free, h.ApplicationNo)
			}
		}
		if page*100 >= r.Total {
			break
		}
	}
	if len(free) == 0 || len(w.words) == 0 {
		return nil, fmt.Errorf("the demo catalogue offers nothing free to accept (%d patents, %d free)", len(w.pages), len(free))
	}
	b, err := a.setup(ctx, http.MethodGet, "/api/v1/patents?per_page=1", "", nil, 200)
	if err != nil {
		return nil, err
	}
	var r searchResp
	json.Unmarshal(b, &r)
	for k := range r.Facets["industry"] {
		w.industry = append(w.industry, k)
	}
	for _, s := range []string{"ic", "biomed", "ai"} {
		if st, _, _, err := a.attempt(ctx, http.MethodGet, "/walls/"+s, "", nil); err == nil && st == 200 {
			w.walls = append(w.walls, s)
		}
	}
	for _, s := range []string{"zhangjiang", "lingang", "caohejing", "songjiang"} {
		if st, _, _, err := a.attempt(ctx, http.MethodGet, "/supermarkets/"+s, "", nil); err == nil && st == 200 {
			w.markets = append(w.markets, s)
		}
	}
	if len(w.industry) == 0 || len(w.walls) == 0 || len(w.markets) == 0 {
		return nil, fmt.Errorf("demo browsing: industries %v, walls %v, supermarkets %v", w.industry, w.walls, w.markets)
	}
	// Each licensee's own order of patents: one in four of its first acceptances is a paid one.
	for i := range w.licensees {
		rng := rand.New(rand.NewPCG(uint64(i), 42))
		f := append([]string(nil), free...)
		rng.Shuffle(len(f), func(x, y int) { f[x], f[y] = f[y], f[x] })
		p := append([]string(nil), own...)
		rng.Shuffle(len(p), func(x, y int) { p[x], p[y] = p[y], p[x] })
		q := &pairQueue{}
		for len(f) > 0 || len(p) > 0 {
			if len(p) > 0 && (len(q.apps)%4 == 0 || len(f) == 0) {
				q.apps, p = append(q.apps, p[0]), p[1:]
			} else {
				q.apps, f = append(q.apps, f[0]), f[1:]
			}
		}
		w.queues = append(w.queues, q)
	}
	return w, nil
}

type contractResp struct {
	ContractNo    string      `json:"contract_no"`
	Status        string      `json:"status"`
	AmountDueYuan json.Number `json:"amount_due_yuan"`
	ID            int64       `json:"id"`
}

// accept signs the next pair of licensee i under op; it reports whether the acceptance was
// acknowledged, and false when the licensee has nothing left to accept too.
func (w *world) accept(ctx context.Context, op string, i int) (acked, any bool) {
	return w.acceptWith(ctx, w.a, op, i)
}

// acceptWith is accept through a (the probe's client retries on its own schedule).
func (w *world) acceptWith(ctx context.Context, a *api, op string, i int) (acked, any bool) {
	lee := w.licensees[i]
	no := w.queues[i].pop()
	if no == "" {
		return false, false
	}
	att := soakcheck.Attempt{LicenseeUSCC: lee.uscc, Key: w.key(), AppNo: no}
	w.mu.Lock()
	w.attempts = append(w.attempts, att)
	w.mu.Unlock()
	status, b := a.write(ctx, op, http.MethodPost, "/api/v1/licences", lee.token,
		map[string]string{"application_no": no, "idempotency_key": att.Key})
	if status != 200 && status != 201 {
		return false, true
	}
	var c contractResp
	if err := json.Unmarshal(b, &c); err != nil || c.ContractNo == "" {
		a.st.fail(op, "answer without contract_no", "")
		return false, true
	}
	w.mu.Lock()
	w.acks = append(w.acks, soakcheck.Ack{Attempt: att, ContractNo: c.ContractNo, Created: status == 201})
	w.mu.Unlock()
	switch c.Status {
	case "awaiting_payment":
		if w.holderOf[no] != nil {
			trySend(w.pay, toPay{contractNo: c.ContractNo, appNo: no, amount: string(c.AmountDueYuan), lee: lee})
		}
	case "effective":
		trySend(w.file, toFile{contractNo: c.ContractNo, lee: lee})
	}
	return true, true
}

func trySend[T any](ch chan T, v T) {
	select {
	case ch <- v:
	default:
	}
}

func tryRecv[T any](ch chan T) (T, bool) {
	select {
	case v := <-ch:
		return v, true
	default:
		var zero T
		return zero, false
	}
}

func (w *world) payOne(ctx context.Context) bool {
	p, ok := tryRecv(w.pay)
	if !ok {
		return false
	}
	status, b := w.a.write(ctx, "pay", http.MethodPost, "/api/v1/contracts/"+p.contractNo+"/payments", p.lee.token,
		map[string]string{"amount_yuan": p.amount, "paid_on": today(), "reference": "SOAK-" + p.contractNo, "idempotency_key": "pay-" + p.contractNo})
	if status == 200 || status == 201 {
		var r contractResp
		if json.Unmarshal(b, &r) == nil && r.ID > 0 {
			trySend(w.confirm, toConfirm{contractNo: p.contractNo, paymentID: r.ID, holder: w.holderOf[p.appNo], lee: p.lee})
		}
	}
	return true
}

func (w *world) confirmOne(ctx context.Context) bool {
	c, ok := tryRecv(w.confirm)
	if !ok {
		return false
	}
	status, b := w.a.write(ctx, "confirm", http.MethodPost, fmt.Sprintf("/api/v1/contracts/%s/payments/%d/confirm", c.contractNo, c.paymentID), c.holder.token, nil)
	if status == 200 {
		var r contractResp
		if json.Unmarshal(b, &r) == nil && r.Status == "effective" {
			trySend(w.file, toFile{contractNo: c.contractNo, lee: c.lee})
		}
	}
	return true
}

func (w *world) fileOne(ctx context.Context) bool {
	f, ok := tryRecv(w.file)
	if !ok {
		return false
	}
	w.a.write(ctx, "file", http.MethodPost, "/api/v1/contracts/"+f.contractNo+"/filing", f.lee.token,
		map[string]string{"filing_no": "SOAK" + f.contractNo, "filed_on": today()})
	return true
}

// publishOne has a holder publish a new patent with a declaration during the load: two writes that each
// add a search-outbox row, so the index has something to converge to after every fault.
func (w *world) publishOne(ctx context.Context, rng *rand.Rand) bool {
	h := rng.IntN(len(w.holders))
	n := int(w.patents.Add(1))
	no := appNo(2021, 6000000+n)
	p := map[string]string{"application_no": no, "title": fmt.Sprintf("一种负载期间发布的耐久测试装置%d", n),
		"filing_date": "2021-03-02", "grant_date": "2023-05-10", "status": "granted", "ipc": "G06F 16/27"}
	status, b := w.a.writeOr(ctx, "publish_patent", http.MethodPost, "/api/v1/patents", w.holders[h].token, p, "already_exists")
	if status/100 != 2 && errorCode(b) != "already_exists" {
		return true
	}
	d := map[string]any{"fee_model": "lump_sum", "fee_yuan": fmt.Sprint(500 + n%500), "term_months": 36}
	if st, _ := w.a.write(ctx, "publish_declaration", http.MethodPut, "/api/v1/patents/"+no+"/declaration", w.holders[h].token, d); st == 200 {
		w.published.Add(1)
	}
	return true
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// readOne is one of the reads: searches, category browsing, patent, wall and supermarket pages.
func (w *world) readOne(ctx context.Context, rng *rand.Rand) {
	switch n := rng.IntN(100); {
	case n < 30:
		w.a.read(ctx, "search_api", "/api/v1/patents?q="+url.QueryEscape(pick(rng, w.words)))
	case n < 45:
		w.a.read(ctx, "search_page", "/search?q="+url.QueryEscape(pick(rng, w.words)))
	case n < 55:
		w.a.read(ctx, "browse_category", "/search?industry="+url.QueryEscape(pick(rng, w.industry)))
	case n < 75:
		w.a.read(ctx, "patent_page", "/patents/"+pick(rng, w.pages))
	case n < 88:
		w.a.read(ctx, "wall_page", "/walls/"+pick(rng, w.walls))
	default:
		w.a.read(ctx, "supermarket_page", "/supermarkets/"+pick(rng, w.markets))
	}
}

// client is one of the concurrent clients: reads most of the time, and the steps of the contract
// flow; its licensee is one of the non-probe licensees.
func (w *world) client(ctx context.Context, id int, think time.Duration) {
	rng := rand.New(rand.NewPCG(uint64(id), 7))
	lee := 1 + id%(len(w.licensees)-1)
	for ctx.Err() == nil {
		done := true
		switch n := rng.IntN(100); {
		case n < 15:
			_, done = w.accept(ctx, "accept", lee)
		case n < 20:
			done = w.payOne(ctx)
		case n < 25:
			done = w.confirmOne(ctx)
		case n < 30:
			done = w.fileOne(ctx)
		case n < 31:
			done = w.publishOne(ctx, rng)
		default:
			done = false
		}
		if !done {
			w.readOne(ctx, rng)
		}
		select {
		case <-ctx.Done():
		case <-time.After(think):
		}
	}
}
