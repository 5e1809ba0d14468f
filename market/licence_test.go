package market_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

// Fixtures shared by the accounts, sessions, licence, payments, events and notify tests (prefix fx).

// fxT0 is 10:00 in Shanghai on a Monday.
var fxT0 = time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC)

var fxSerial atomic.Int64

type fxWorld struct {
	s     *market.Store
	clock *markettest.Clock
	ctx   context.Context
	// A verified university holding patents, a verified enterprise licensee, their users.
	holderOrg, licOrg *market.Organisation
	holder, lic       market.Actor
}

func fxNew(t testing.TB, s *market.Store) *fxWorld {
	t.Helper()
	w := &fxWorld{s: s, clock: markettest.NewClock(fxT0), ctx: context.Background()}
	s.Now = w.clock.Now
	w.holderOrg = w.org(t, market.KindUniversity, true)
	w.licOrg = w.org(t, market.KindEnterprise, true)
	w.holder = w.user(t, w.holderOrg, market.RoleHolder)
	w.lic = w.user(t, w.licOrg, market.RoleLicensee)
	return w
}

// fxUSCC makes a USCC that passes both check characters.
func fxUSCC(t testing.TB, n int64) string {
	t.Helper()
	body := fmt.Sprintf("%08d", n)
	c17, err := market.OrgCodeCheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	first17 := "91310000" + body + string(c17)
	c18, err := market.USCCCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c18)
}

// fxAppNo makes an invention application number filed in 2020 with a valid check character.
func fxAppNo(t testing.TB, n int64) string {
	t.Helper()
	digits := fmt.Sprintf("20201%07d", n)
	c, err := market.ApplicationCheckChar(digits)
	if err != nil {
		t.Fatal(err)
	}
	return digits + "." + string(c)
}

func (w *fxWorld) org(t testing.TB, kind string, verified bool) *market.Organisation {
	t.Helper()
	n := fxSerial.Add(1)
	now := w.clock.Now()
	o := &market.Organisation{USCC: fxUSCC(t, n), Name: fmt.Sprintf("测试机构%d", n), Kind: kind, DistrictCode: "310115",
		Address: "上海市浦东新区测试路1号", LegalRep: "张三", OperatingNormally: true, GoodCredit: true,
		CreatedAt: now, UpdatedAt: now}
	if verified {
		o.VerifiedAt = &now
	}
	if err := w.s.Gorm().Create(o).Error; err != nil {
		t.Fatal(err)
	}
	return o
}

// user inserts a user directly (no password hashing) and returns it as an actor.
func (w *fxWorld) user(t testing.TB, org *market.Organisation, role string) market.Actor {
	t.Helper()
	n := fxSerial.Add(1)
	u := &market.User{Email: fmt.Sprintf("u%d@example.cn", n), Name: fmt.Sprintf("用户%d", n), PasswordHash: "-",
		Role: role, CreatedAt: w.clock.Now()}
	if org != nil {
		u.OrgID = &org.ID
	}
	if err := w.s.Gorm().Create(u).Error; err != nil {
		t.Fatal(err)
	}
	return market.ActorOf(u, org)
}

// patent inserts a granted invention of owner with a live declaration of the given fee model. amountFen
// is the lump sum or entry fee; royalties are 5% of net sales.
func (w *fxWorld) patent(t testing.TB, owner *market.Organisation, fee string, amountFen int64) (string, *market.Declaration) {
	t.Helper()
	n := fxSerial.Add(1)
	now := w.clock.Now()
	p := &market.Patent{ApplicationNo: fxAppNo(t, n), Type: market.TypeInvention, Title: fmt.Sprintf("一种测试装置%d", n),
		PatenteeID: owner.ID, FilingDate: market.MustDate("2020-01-10"), GrantDate: market.MustDate("2022-05-20"),
		Status: market.StatusGranted, CreatedAt: now, UpdatedAt: now}
	if err := w.s.Gorm().Create(p).Error; err != nil {
		t.Fatal(err)
	}
	d := &market.Declaration{PatentID: p.ID, FeeModel: fee, TermMonths: 24, Status: market.DeclLive, PublishedAt: now.Add(-time.Hour)}
	switch fee {
	case market.FeeLumpSum:
		d.FeeFen = amountFen
	case market.FeeRoyalty:
		d.RoyaltyBP, d.RoyaltyBase = 500, "net_sales"
	case market.FeeEntryPlusRoyalty:
		d.EntryFeeFen, d.RoyaltyBP, d.RoyaltyBase = amountFen, 300, "profit"
	}
	if err := w.s.Gorm().Create(d).Error; err != nil {
		t.Fatal(err)
	}
	return p.ApplicationNo, d
}

func (w *fxWorld) accept(t testing.TB, a market.Actor, appNo string) *market.Contract {
	t.Helper()
	c, created, err := w.s.AcceptLicence(w.ctx, a, appNo, "")
	if err != nil || !created {
		t.Fatalf("accept %s: created=%v err=%v", appNo, created, err)
	}
	return c
}

func (w *fxWorld) count(t testing.TB, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := w.s.Gorm().Model(model)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *fxWorld) contract(t testing.TB, no string) *market.Contract {
	t.Helper()
	var c market.Contract
	if err := w.s.Gorm().Where("contract_no = ?", no).First(&c).Error; err != nil {
		t.Fatal(err)
	}
	return &c
}

func (w *fxWorld) events(t testing.TB, contractID int64) []market.ContractEvent {
	t.Helper()
	var evs []market.ContractEvent
	if err := w.s.Gorm().Where("contract_id = ?", contractID).Order("seq").Find(&evs).Error; err != nil {
		t.Fatal(err)
	}
	return evs
}

// mustVerify verifies every chain twice: as the steps left them (new heads still pending, which must
// verify too), then after anchoring the pending heads, as the audit command does; it returns the second
// report.
func (w *fxWorld) mustVerify(t testing.TB) *market.ChainReport {
	t.Helper()
	for _, anchor := range []bool{false, true} {
		if anchor {
			if _, err := w.s.AnchorPending(w.ctx); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := w.s.VerifyChains(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Fatalf("chains broken (anchored %v): %v", anchor, rep.Broken)
		}
		if anchor {
			if rep.Pending != 0 {
				t.Fatalf("%d heads still pending after AnchorPending", rep.Pending)
			}
			return rep
		}
	}
	panic("unreachable")
}

// fxWarmPool opens n pooled connections at once, so a concurrency test measures the database's
// behaviour rather than connection set-up (Postgres authentication takes milliseconds each).
func fxWarmPool(t testing.TB, s *market.Store, n int) {
	t.Helper()
	if !s.IsPostgres() {
		return
	}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Gorm().Exec("SELECT pg_sleep(0.05)").Error; err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

// fxCode is the code of a user error ("" for nil, "internal" for anything else).
func fxCode(err error) string {
	if err == nil {
		return ""
	}
	if es := market.AsFieldErrors(err); len(es) > 0 {
		return es[0].Code
	}
	return "internal: " + err.Error()
}

func fxKinds(evs []market.ContractEvent) string {
	ks := make([]string, len(evs))
	for i, e := range evs {
		ks[i] = e.Kind
	}
	return strings.Join(ks, ",")
}

var contractNoRe = regexp.MustCompile(`^KF\d{8}-\d{6,}$`)

func TestAcceptLicenceByFeeModel(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		cases := []struct {
			fee        string
			amount     int64
			wantStatus string
			wantDue    int64
			wantEvents string
		}{
			{market.FeeFree, 0, market.ContractEffective, 0, "notified,effective"},
			{market.FeeRoyalty, 0, market.ContractEffective, 0, "notified,effective"},
			{market.FeeLumpSum, 1_000_000, market.ContractAwaitingPayment, 1_000_000, "notified"},
			{market.FeeEntryPlusRoyalty, 250_050, market.ContractAwaitingPayment, 250_050, "notified"},
		}
		for _, tc := range cases {
			t.Run(tc.fee, func(t *testing.T) {
				appNo, d := w.patent(t, w.holderOrg, tc.fee, tc.amount)
				c := w.accept(t, w.lic, appNo)
				if c.Status != tc.wantStatus || c.AmountDueFen != tc.wantDue {
					t.Errorf("status %s due %d, want %s %d", c.Status, c.AmountDueFen, tc.wantStatus, tc.wantDue)
				}
				if !contractNoRe.MatchString(c.ContractNo) || !strings.HasPrefix(c.ContractNo, "KF20250303-") {
					t.Errorf("contract number %q", c.ContractNo)
				}
				stored := w.contract(t, c.ContractNo)
				if stored.NoticeDeliveredAt == nil || !stored.NoticeDeliveredAt.Equal(fxT0) {
					t.Errorf("notice_delivered_at %v, want %v", stored.NoticeDeliveredAt, fxT0)
				}
				if eff := tc.wantStatus == market.ContractEffective; eff != (stored.EffectiveAt != nil) ||
					eff != (stored.EffectiveOn == market.MustDate("2025-03-03")) || stored.PaidAt != nil {
					t.Errorf("effective_at %v effective_on %v paid_at %v", stored.EffectiveAt, stored.EffectiveOn, stored.PaidAt)
				}
				if *stored.DeclarationID != d.ID || stored.LicensorID != w.holderOrg.ID || stored.LicenseeID != w.licOrg.ID ||
					stored.Kind != market.ContractOpenLicence || stored.SignedOn != market.MustDate("2025-03-03") {
					t.Errorf("contract row %+v", stored)
				}
				sum := sha256.Sum256([]byte(stored.TermsJSON))
				if hex.EncodeToString(sum[:]) != stored.ContentSHA256 {
					t.Errorf("content_sha256 does not match terms_json")
				}
				terms, err := stored.Terms()
				if err != nil {
					t.Fatal(err)
				}
				if terms.ContractNo != c.ContractNo || terms.Patent.ApplicationNo != appNo || terms.Patent.PatentNo != "ZL"+appNo ||
					terms.Licensor.USCC != w.holderOrg.USCC || terms.Licensee.Name != w.licOrg.Name ||
					terms.Declaration.FeeModel != tc.fee || terms.Declaration.TermMonths != 24 ||
					terms.StartOn != market.MustDate("2025-03-03") || terms.EndOn != market.MustDate("2027-03-02") ||
					terms.AmountDueFen != tc.wantDue || !strings.Contains(terms.Notice, c.ContractNo) ||
					!strings.Contains(terms.Notice, w.holderOrg.Name) {
					t.Errorf("terms %+v", terms)
				}
				if got := fxKinds(w.events(t, c.ID)); got != tc.wantEvents {
					t.Errorf("events %s, want %s", got, tc.wantEvents)
				}
				if n := w.count(t, &market.ContractPatent{}, "contract_id = ?", c.ID); n != 1 {
					t.Errorf("%d contract_patents rows", n)
				}
				if n := w.count(t, &market.Notification{}, "org_id = ? AND link = ? AND kind = ?", w.holderOrg.ID,
					market.ContractLink(c.ContractNo), market.NoticeLicenceAccepted); n != 1 {
					t.Errorf("%d notifications to the licensor", n)
				}
			})
		}
		w.mustVerify(t)
	})
}

func TestLicenceEndCappedAtPatentExpiry(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		appNo, d := w.patent(t, w.holderOrg, market.FeeFree, 0)
		// Filed 2005-04-01: the invention's term ends 2025-03-31, within the 24-month licence term. The
		// declaration, published in 2023, promised terms that fitted then.
		if err := s.Gorm().Model(&market.Patent{}).Where("application_no = ?", appNo).
			Update("filing_date", market.MustDate("2005-04-01")).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.Gorm().Model(d).Update("published_at", time.Date(2023, 3, 1, 2, 0, 0, 0, time.UTC)).Error; err != nil {
			t.Fatal(err)
		}
		c := w.accept(t, w.lic, appNo)
		terms, _ := c.Terms()
		if terms.EndOn != market.MustDate("2025-03-31") {
			t.Errorf("end %s, want the patent's last day 2025-03-31", terms.EndOn)
		}
	})
}

func TestAcceptLicenceIdempotency(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		appNo, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, 500_00)
		other, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		c1, created, err := s.AcceptLicence(ctx, w.lic, appNo, "key-1")
		if err != nil || !created {
			t.Fatalf("first: %v %v", created, err)
		}
		// The same key again, in another spelling of the number: the same contract, not created.
		c2, created, err := s.AcceptLicence(ctx, w.lic, "ZL"+appNo, "key-1")
		if err != nil || created || c2.ID != c1.ID {
			t.Fatalf("replay: %v %v %v", c2, created, err)
		}
		// A new key for the same declaration: the live contract.
		c3, created, err := s.AcceptLicence(ctx, w.lic, appNo, "key-2")
		if err != nil || created || c3.ID != c1.ID {
			t.Fatalf("second key: %v %v %v", c3, created, err)
		}
		// No key: the live contract too.
		c4, created, err := s.AcceptLicence(ctx, w.lic, appNo, "")
		if err != nil || created || c4.ID != c1.ID {
			t.Fatalf("no key: %v %v %v", c4, created, err)
		}
		// The key of another patent's acceptance is a client error.
		if _, _, err := s.AcceptLicence(ctx, w.lic, other, "key-1"); !errors.Is(err, market.ErrIdempotencyKeyReused) {
			t.Errorf("reused key: %v", err)
		}
		// Keys are per licensee: another enterprise using "key-1" gets its own contract.
		lic2 := w.user(t, w.org(t, market.KindEnterprise, true), market.RoleLicensee)
		c5, created, err := s.AcceptLicence(ctx, lic2, appNo, "key-1")
		if err != nil || !created || c5.ID == c1.ID {
			t.Fatalf("other licensee: %v %v %v", c5, created, err)
		}
		if n := w.count(t, &market.Contract{}, ""); n != 2 {
			t.Errorf("%d contracts, want 2", n)
		}
		if n := w.count(t, &market.ContractEvent{}, ""); n != 2 {
			t.Errorf("%d events, want 2", n)
		}
		// Once the contract ends, the same licensee may accept again: a new contract.
		if _, err := s.CancelContract(ctx, w.lic, c1.ContractNo, "changed our plans"); err != nil {
			t.Fatal(err)
		}
		c6, created, err := s.AcceptLicence(ctx, w.lic, appNo, "key-3")
		if err != nil || !created || c6.ID == c1.ID || c6.ContractNo == c1.ContractNo {
			t.Fatalf("after cancel: %v %v %v", c6, created, err)
		}
		// The old key still answers with its old contract.
		if c7, created, err := s.AcceptLicence(ctx, w.lic, appNo, "key-1"); err != nil || created || c7.ID != c1.ID {
			t.Fatalf("old key: %v %v %v", c7, created, err)
		}
		w.mustVerify(t)
	})
}

func TestAcceptLicenceRefusals(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		appNo, d := w.patent(t, w.holderOrg, market.FeeFree, 0)
		unverifiedOrg := w.org(t, market.KindEnterprise, false)
		unverified := w.user(t, unverifiedOrg, market.RoleLicensee)
		// An actor whose session still says verified, while the database says otherwise.
		stale := unverified
		stale.OrgVerified = true
		ownOrg := w.org(t, market.KindEnterprise, true)
		own := w.user(t, ownOrg, market.RoleLicensee)
		ownPatent, _ := w.patent(t, ownOrg, market.FeeFree, 0)
		withdrawn, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		if _, err := s.WithdrawDeclaration(w.ctx, w.holder, withdrawn); err != nil {
			t.Fatal(err)
		}
		lapsed, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		s.Gorm().Model(&market.Patent{}).Where("application_no = ?", lapsed).Update("status", market.StatusLapsed)
		feesUnpaid, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		s.Gorm().Model(&market.Patent{}).Where("application_no = ?", feesUnpaid).Update("fees_unpaid", true)
		undeclared, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		s.Gorm().Where("patent_id = (SELECT id FROM patents WHERE application_no = ?)", undeclared).Delete(&market.Declaration{})
		operator := w.user(t, w.org(t, market.KindAssociation, true), market.RoleOperator)
		bureau := w.user(t, nil, market.RoleBureau)

		cases := []struct {
			name  string
			actor market.Actor
			req   market.AcceptRequest
			code  string
		}{
			{"anonymous", market.Actor{}, market.AcceptRequest{ApplicationNo: appNo}, "unauthenticated"},
			{"holder", w.holder, market.AcceptRequest{ApplicationNo: appNo}, "forbidden"},
			{"operator", operator, market.AcceptRequest{ApplicationNo: appNo}, "forbidden"},
			{"bureau", bureau, market.AcceptRequest{ApplicationNo: appNo}, "forbidden"},
			{"unverified", unverified, market.AcceptRequest{ApplicationNo: appNo}, "org_unverified"},
			{"stale session", stale, market.AcceptRequest{ApplicationNo: appNo}, "org_unverified"},
			{"own patent", own, market.AcceptRequest{ApplicationNo: ownPatent}, "own_patent"},
			{"withdrawn", w.lic, market.AcceptRequest{ApplicationNo: withdrawn}, "declaration_withdrawn"},
			{"never declared", w.lic, market.AcceptRequest{ApplicationNo: undeclared}, "no_declaration"},
			{"lapsed", w.lic, market.AcceptRequest{ApplicationNo: lapsed}, "patent_not_in_force"},
			{"fees unpaid", w.lic, market.AcceptRequest{ApplicationNo: feesUnpaid}, "patent_not_in_force"},
			{"unknown patent", w.lic, market.AcceptRequest{ApplicationNo: fxAppNo(t, 9999999)}, "not_found"},
			{"malformed number", w.lic, market.AcceptRequest{ApplicationNo: "12345"}, "invalid_format"},
			{"terms changed", w.lic, market.AcceptRequest{ApplicationNo: appNo, DeclarationID: d.ID + 1000}, "terms_changed"},
			{"bad key", w.lic, market.AcceptRequest{ApplicationNo: appNo, IdempotencyKey: "a\x00b"}, "invalid"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := s.AcceptLicenceWith(w.ctx, tc.actor, tc.req)
				if got := fxCode(err); got != tc.code {
					t.Errorf("code %q, want %q", got, tc.code)
				}
			})
		}
		if n := w.count(t, &market.Contract{}, ""); n != 0 {
			t.Errorf("%d contracts after refusals", n)
		}
		if n := w.count(t, &market.Notification{}, ""); n != 0 {
			t.Errorf("%d notifications after refusals", n)
		}
		// The declaration the licensee saw: accepted.
		if _, created, err := s.AcceptLicenceWith(w.ctx, w.lic, market.AcceptRequest{ApplicationNo: appNo, DeclarationID: d.ID}); err != nil || !created {
			t.Errorf("accept with the seen declaration: %v %v", created, err)
		}
	})
}

// The rate limits an acceptance carries are counted once per attempt, in its own transaction when it
// commits and after the rollback when it fails; beyond a limit nothing is signed.
func TestAcceptLicenceLimits(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		a, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		b, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, 500_00)
		undeclared, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		s.Gorm().Where("patent_id = (SELECT id FROM patents WHERE application_no = ?)", undeclared).Delete(&market.Declaration{})
		limits := []market.AttemptLimit{{Key: "accept-org:t", Max: 3, Window: time.Hour}, {Key: "accept-ip:t", Max: 10, Window: time.Hour}}
		req := func(no, key string) market.AcceptRequest {
			return market.AcceptRequest{ApplicationNo: no, IdempotencyKey: key, Limits: limits}
		}
		count := func(key string) int {
			var n int
			s.Gorm().Raw("SELECT count FROM rate_limits WHERE key = ?", key).Row().Scan(&n)
			return n
		}
		if _, created, err := s.AcceptLicenceWith(w.ctx, w.lic, req(a, "k1")); err != nil || !created {
			t.Fatalf("first: %v %v", created, err)
		}
		if _, created, err := s.AcceptLicenceWith(w.ctx, w.lic, req(a, "k1")); err != nil || created {
			t.Fatalf("replay: %v %v", created, err)
		}
		if _, _, err := s.AcceptLicenceWith(w.ctx, w.lic, req(undeclared, "k2")); fxCode(err) != "no_declaration" {
			t.Fatalf("undeclared: %v", err)
		}
		if n := count("accept-org:t"); n != 3 {
			t.Errorf("after three attempts the count is %d", n)
		}
		// The fourth is beyond the organisation's limit: refused, nothing signed, still counted.
		if _, _, err := s.AcceptLicenceWith(w.ctx, w.lic, req(b, "k3")); !errors.Is(err, market.ErrRateLimited) {
			t.Fatalf("fourth: %v", err)
		}
		if _, _, err := s.AcceptLicenceWith(w.ctx, w.lic, req("12345", "k4")); !errors.Is(err, market.ErrRateLimited) {
			t.Fatalf("malformed, over the limit: %v", err)
		}
		if _, _, err := s.AcceptLicenceWith(w.ctx, w.lic, req(a, "k1")); !errors.Is(err, market.ErrRateLimited) {
			t.Fatalf("replay over the limit: %v", err)
		}
		if n := w.count(t, &market.Contract{}, ""); n != 1 {
			t.Errorf("%d contracts, want 1", n)
		}
		// The new contract's terms, as the acceptance kept them, are the ones stored.
		c, _, err := s.AcceptLicenceWith(w.ctx, w.lic, market.AcceptRequest{ApplicationNo: b, IdempotencyKey: "k5"})
		if err != nil {
			t.Fatal(err)
		}
		var stored market.Contract
		s.Gorm().Where("id = ?", c.ID).First(&stored)
		kept, err1 := c.Terms()
		read, err2 := stored.Terms()
		if err1 != nil || err2 != nil || kept == nil || !reflect.DeepEqual(kept, read) {
			t.Errorf("terms kept %+v (%v), stored %+v (%v)", kept, err1, read, err2)
		}
		if o, ip := count("accept-org:t"), count("accept-ip:t"); o != 6 || ip != 6 {
			t.Errorf("counts %d and %d after six attempts", o, ip)
		}
		w.mustVerify(t)
	})
}

// 50 concurrent acceptances of one declaration by one licensee, with a mix of repeated and distinct
// keys: exactly one contract, and every call answers with it.
func TestConcurrentAcceptSameLicensee(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		for _, fee := range []string{market.FeeFree, market.FeeLumpSum} {
			appNo, _ := w.patent(t, w.holderOrg, fee, 100_00)
			var (
				wg      sync.WaitGroup
				start   = make(chan struct{})
				ids     = make([]int64, 50)
				created atomic.Int32
				errs    = make([]error, 50)
			)
			for i := range 50 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					key := ""
					if i%5 != 0 {
						key = fmt.Sprintf("%s-k%d", fee, i%7) // several calls share a key
					}
					c, isNew, err := s.AcceptLicence(w.ctx, w.lic, appNo, key)
					errs[i] = err
					if err == nil {
						ids[i] = c.ID
						if isNew {
							created.Add(1)
						}
					}
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("%s call %d: %v", fee, i, err)
				}
				if ids[i] != ids[0] {
					t.Fatalf("%s call %d got contract %d, call 0 got %d", fee, i, ids[i], ids[0])
				}
			}
			if created.Load() != 1 {
				t.Errorf("%s: %d calls created a contract, want 1", fee, created.Load())
			}
			if n := w.count(t, &market.Contract{}, "id IN (SELECT contract_id FROM contract_patents cp JOIN patents p ON p.id = cp.patent_id WHERE p.application_no = ?)", appNo); n != 1 {
				t.Errorf("%s: %d contracts, want 1", fee, n)
			}
		}
		w.mustVerify(t)
	})
}

// 50 licensees accepting one declaration at once: 50 contracts with distinct numbers.
func TestConcurrentAcceptManyLicensees(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		appNo, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, 1_000_00)
		actors := make([]market.Actor, 50)
		for i := range actors {
			actors[i] = w.user(t, w.org(t, market.KindEnterprise, true), market.RoleLicensee)
		}
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			nos   = make([]string, 50)
			errs  = make([]error, 50)
		)
		for i := range actors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				c, created, err := s.AcceptLicence(w.ctx, actors[i], appNo, fmt.Sprintf("req-%d", i))
				if err == nil && !created {
					err = fmt.Errorf("not created")
				}
				errs[i] = err
				if c != nil {
					nos[i] = c.ContractNo
				}
			}()
		}
		close(start)
		wg.Wait()
		seen := map[string]bool{}
		for i, err := range errs {
			if err != nil {
				t.Fatalf("licensee %d: %v", i, err)
			}
			if seen[nos[i]] || !contractNoRe.MatchString(nos[i]) {
				t.Errorf("contract number %q repeated or malformed", nos[i])
			}
			seen[nos[i]] = true
		}
		if n := w.count(t, &market.Contract{}, ""); n != 50 {
			t.Errorf("%d contracts, want 50", n)
		}
		if n := w.count(t, &market.Notification{}, "org_id = ?", w.holderOrg.ID); n != 50 {
			t.Errorf("%d notifications, want 50", n)
		}
		rep := w.mustVerify(t)
		if rep.Contracts != 50 || rep.Events != 50 {
			t.Errorf("verified %d contracts, %d events", rep.Contracts, rep.Events)
		}
	})
}

// Acceptances racing a withdrawal (the catalogue's WithdrawDeclaration, with the real clock): each either
// succeeds before the withdrawal or fails with declaration_withdrawn; no contract is dated after it. An
// early group finishes before the withdrawal starts (must win), a late group starts after it committed
// (must lose), and the middle group races it.
func TestAcceptRacingWithdrawal(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		s.Now = func() time.Time { return time.Now().UTC() }
		const early, middle, late = 4, 16, 4
		actors := make([]market.Actor, early+middle+late)
		for i := range actors {
			actors[i] = w.user(t, w.org(t, market.KindEnterprise, true), market.RoleLicensee)
		}
		fxWarmPool(t, s, len(actors)+2)
		var won, lost int
		for round := range 4 {
			appNo, d := w.patent(t, w.holderOrg, market.FeeFree, 0)
			var (
				earlyDone, all sync.WaitGroup
				errs           = make([]error, len(actors))
				wdErr          error
				wdDone         = make(chan struct{})
			)
			accept := func(i int) { _, _, errs[i] = s.AcceptLicence(w.ctx, actors[i], appNo, "") }
			for i := range early {
				earlyDone.Add(1)
				go func() { defer earlyDone.Done(); accept(i) }()
			}
			earlyDone.Wait()
			go func() {
				defer close(wdDone)
				time.Sleep(time.Duration(round) * time.Millisecond)
				_, wdErr = s.WithdrawDeclaration(w.ctx, w.holder, appNo)
			}()
			for i := early; i < early+middle; i++ {
				all.Add(1)
				go func() {
					defer all.Done()
					time.Sleep(time.Duration(i-early) * 500 * time.Microsecond)
					accept(i)
				}()
			}
			<-wdDone
			for i := early + middle; i < len(actors); i++ {
				all.Add(1)
				go func() { defer all.Done(); accept(i) }()
			}
			all.Wait()
			if wdErr != nil {
				t.Fatal(wdErr)
			}
			var decl market.Declaration
			s.Gorm().First(&decl, d.ID)
			if decl.Status != market.DeclWithdrawn || decl.WithdrawnAt == nil {
				t.Fatalf("declaration %+v", decl)
			}
			ok := 0
			for i, err := range errs {
				switch {
				case err == nil && i >= early+middle:
					t.Errorf("round %d: licensee %d accepted after the withdrawal committed", round, i)
				case err == nil:
					ok++
				case i < early:
					t.Errorf("round %d: early licensee %d: %v", round, i, err)
				case !errors.Is(err, market.ErrDeclarationWithdrawn):
					t.Errorf("round %d: licensee %d: %v", round, i, err)
				}
			}
			var cs []market.Contract
			s.Gorm().Where("declaration_id = ?", d.ID).Find(&cs)
			if len(cs) != ok {
				t.Errorf("round %d: %d contracts for %d successful acceptances", round, len(cs), ok)
			}
			for _, c := range cs {
				if c.NoticeDeliveredAt.After(*decl.WithdrawnAt) {
					t.Errorf("contract %s dated %v, after the withdrawal at %v", c.ContractNo, c.NoticeDeliveredAt, decl.WithdrawnAt)
				}
			}
			won += ok
			lost += len(actors) - ok
		}
		t.Logf("%d acceptances won, %d lost to the withdrawal (the middle group of %d per round raced it)", won, lost, middle)
		w.mustVerify(t)
	})
}

func TestPreviewLicence(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		appNo, d := w.patent(t, w.holderOrg, market.FeeEntryPlusRoyalty, 12_345_60)
		terms, err := s.PreviewLicence(w.ctx, w.lic, appNo)
		if err != nil {
			t.Fatal(err)
		}
		if terms.Declaration.ID != d.ID || terms.AmountDueFen != 12_345_60 || terms.ContractNo != "" ||
			!strings.Contains(terms.Notice, "12,345.60") || !strings.Contains(terms.Notice, "3%") ||
			!strings.Contains(terms.Notice, "利润") || !strings.Contains(terms.Notice, w.licOrg.Name) {
			t.Errorf("preview %+v", terms)
		}
		if _, err := s.PreviewLicence(w.ctx, w.holder, appNo); fxCode(err) != "forbidden" {
			t.Errorf("holder preview: %v", err)
		}
		if n := w.count(t, &market.Contract{}, ""); n != 0 {
			t.Errorf("preview wrote %d contracts", n)
		}
	})
}

func TestAddMonthsClamped(t *testing.T) {
	for _, tc := range []struct {
		from   string
		months int
		want   string
	}{
		{"2025-01-15", 3, "2025-04-15"},
		{"2025-03-31", 3, "2025-06-30"},
		{"2024-11-30", 3, "2025-02-28"},
		{"2023-11-29", 3, "2024-02-29"},
		{"2025-12-31", 2, "2026-02-28"},
		{"2025-03-03", 24, "2027-03-03"},
	} {
		if got := market.AddMonthsClamped(market.MustDate(tc.from), tc.months); got != market.MustDate(tc.want) {
			t.Errorf("%s + %d months = %s, want %s", tc.from, tc.months, got, tc.want)
		}
	}
}
