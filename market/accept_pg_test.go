package market_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

// The pipelined acceptance (Postgres, accept_pg.go) signs the common case and hands every other case to
// the general path, with the same answers and counts; it leaves no transaction open behind it.
func TestAcceptPipelined(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		free, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		lump, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, 800_00)
		own, _ := w.patent(t, w.licOrg, market.FeeFree, 0)
		other, otherDecl := w.patent(t, w.holderOrg, market.FeeFree, 0)
		limits := []market.AttemptLimit{{Key: "accept-org:p", Max: 100, Window: time.Hour}}
		req := func(no, key string) market.AcceptRequest {
			return market.AcceptRequest{ApplicationNo: no, IdempotencyKey: key, Limits: limits}
		}
		pipelined := func() int64 { return s.PipelinedAccepts() }
		// want is how many of the acceptances so far the pipelined path signed (none on SQLite).
		want := func(n int64) int64 {
			if s.IsPostgres() {
				return n
			}
			return 0
		}

		c1, created, err := s.AcceptLicenceWith(ctx, w.lic, req(free, "p1"))
		if err != nil || !created || c1.Status != market.ContractEffective {
			t.Fatalf("free: %+v %v %v", c1, created, err)
		}
		c2, created, err := s.AcceptLicenceWith(ctx, w.lic, req(lump, "p2"))
		if err != nil || !created || c2.Status != market.ContractAwaitingPayment || c2.AmountDueFen != 800_00 {
			t.Fatalf("lump sum: %+v %v %v", c2, created, err)
		}
		if got := pipelined(); got != want(2) {
			t.Fatalf("%d acceptances pipelined, want %d", got, want(2))
		}
		// What the acceptance answered is what is stored, terms included.
		for _, c := range []*market.Contract{c1, c2} {
			var stored market.Contract
			if err := s.Gorm().Where("id = ?", c.ID).First(&stored).Error; err != nil {
				t.Fatal(err)
			}
			kept, err1 := c.Terms()
			read, err2 := stored.Terms()
			if err1 != nil || err2 != nil || !reflect.DeepEqual(kept, read) || stored.ContractNo != c.ContractNo ||
				stored.Status != c.Status || stored.ContentSHA256 != c.ContentSHA256 || stored.LicensorID != w.holderOrg.ID {
				t.Errorf("contract %s: answered %+v, stored %+v", c.ContractNo, c, stored)
			}
			if n := w.count(t, &market.ContractEvent{}, "contract_id = ?", c.ID); n < 1 {
				t.Errorf("contract %s has no events", c.ContractNo)
			}
			if n := w.count(t, &market.ContractPatent{}, "contract_id = ?", c.ID); n != 1 {
				t.Errorf("contract %s has %d patents", c.ContractNo, n)
			}
		}
		if n := w.count(t, &market.Notification{}, "org_id = ?", w.holderOrg.ID); n != 2 {
			t.Errorf("%d notifications to the licensor, want 2", n)
		}

		// The general path answers the rest: a replay (the pipelined insert meets the contract, commits its
		// count and hands over), an own patent, changed terms, an explicit channel.
		if c, created, err := s.AcceptLicenceWith(ctx, w.lic, req(free, "p1")); err != nil || created || c.ID != c1.ID {
			t.Fatalf("replay: %v %v %v", c, created, err)
		}
		if _, _, err := s.AcceptLicenceWith(ctx, w.lic, req(own, "p3")); !errors.Is(err, market.ErrOwnPatent) {
			t.Fatalf("own patent: %v", err)
		}
		changed := req(other, "p4")
		changed.DeclarationID = otherDecl.ID + 1000
		if _, _, err := s.AcceptLicenceWith(ctx, w.lic, changed); !errors.Is(err, market.ErrTermsChanged) {
			t.Fatalf("changed terms: %v", err)
		}
		if _, _, err := s.AcceptLicenceWith(ctx, w.lic, market.AcceptRequest{ApplicationNo: own, Via: "nowhere"}); err == nil {
			t.Fatal("an unknown channel was accepted")
		}
		if got := pipelined(); got != want(2) {
			t.Errorf("%d acceptances pipelined after the refusals, want %d", got, want(2))
		}
		// Each attempt counted once: two signed, the replay, the own patent, the changed terms.
		var n int
		s.Gorm().Raw("SELECT count FROM rate_limits WHERE key = ?", "accept-org:p").Row().Scan(&n)
		if n != 5 {
			t.Errorf("rate-limit count %d after five attempts", n)
		}
		if s.IsPostgres() {
			// No connection of the pool was left inside a transaction by a refusal.
			var open int
			s.Gorm().Raw("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'").Row().Scan(&open)
			if open != 0 {
				t.Errorf("%d connections idle in a transaction", open)
			}
		}
		if n := w.count(t, &market.Contract{}, ""); n != 2 {
			t.Errorf("%d contracts, want 2", n)
		}
		w.mustVerify(t)
	})
}

// At most AcceptSlots acceptances run against Postgres at once in a process; the next one waits for a
// slot (here until its context ends: nothing signed), and gets one when an acceptance finishes.
func TestAcceptSlots(t *testing.T) {
	s := markettest.Postgres(t)
	w := fxNew(t, s)
	n := market.AcceptSlots()
	var nos []string
	for range n + 1 {
		no, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		nos = append(nos, no)
	}
	// The test's transaction locks the first n patents: their acceptances wait in Postgres, each
	// holding a slot.
	tx := s.Gorm().Begin()
	defer tx.Rollback()
	if err := tx.Exec("SELECT id FROM patents WHERE application_no IN ? FOR UPDATE", nos[:n]).Error; err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, _, err := s.AcceptLicence(w.ctx, w.lic, nos[i], fmt.Sprint("slot-", i))
			errs <- err
		}()
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var waiting int
		if err := s.Gorm().Raw(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`).
			Row().Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d acceptances waiting on the locked patents, want %d", waiting, n)
		}
	}
	ctx, cancel := context.WithTimeout(w.ctx, 300*time.Millisecond)
	defer cancel()
	if c, _, err := s.AcceptLicence(ctx, w.lic, nos[n], "slot-extra"); !errors.Is(err, context.DeadlineExceeded) {
		if c != nil {
			t.Fatalf("an acceptance beyond the slots signed %s; want it to wait until its context ends", c.ContractNo)
		}
		t.Fatalf("an acceptance beyond the slots: %v; want it to wait until its context ends", err)
	}
	if got := w.count(t, &market.Contract{}, "idempotency_key LIKE ?", "%slot-extra"); got != 0 {
		t.Fatalf("%d contracts of the acceptance that never got a slot", got)
	}
	if err := tx.Rollback().Error; err != nil {
		t.Fatal(err)
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("a waiting acceptance: %v", err)
		}
	}
	if _, created, err := s.AcceptLicence(w.ctx, w.lic, nos[n], "slot-extra"); err != nil || !created {
		t.Fatalf("with slots free again: %v %v", created, err)
	}
}
