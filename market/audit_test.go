package market_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

// fxFiled is fxHistory dated on the clock's day, so that many of them can follow one another.
func fxFiled(t *testing.T, w *fxWorld) *market.Contract {
	t.Helper()
	appNo, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, 800_00)
	c := w.accept(t, w.lic, appNo)
	w.clock.Advance(time.Minute)
	today := market.DateOf(w.s.Now())
	p, err := w.s.RecordPayment(w.ctx, w.lic, c.ContractNo, 800_00, today, "BANK-1")
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Minute)
	if _, err := w.s.ConfirmPayment(w.ctx, w.holder, c.ContractNo, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.RecordFiling(w.ctx, w.lic, c.ContractNo, fmt.Sprintf("X%d", c.ID), market.DateOf(w.s.Now())); err != nil {
		t.Fatal(err)
	}
	return c
}

// fxEveryState makes one contract in each state, with a rejected payment on the way, and returns them.
func fxEveryState(t *testing.T, w *fxWorld) []*market.Contract {
	t.Helper()
	awaiting := w.lumpSumContract(t, 500_00)
	p, err := w.s.RecordPayment(w.ctx, w.lic, awaiting.ContractNo, 100_00, market.DateOf(w.s.Now()), "BANK-R")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.s.RejectPayment(w.ctx, w.holder, awaiting.ContractNo, p.ID, "not received"); err != nil {
		t.Fatal(err)
	}
	freeNo, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
	free := w.accept(t, w.lic, freeNo)
	filed := fxFiled(t, w)
	cancelled := w.lumpSumContract(t, 300_00)
	if _, err := w.s.CancelContract(w.ctx, w.lic, cancelled.ContractNo, "changed our mind"); err != nil {
		t.Fatal(err)
	}
	terminated := fxFiled(t, w)
	if _, err := w.s.TerminateContract(w.ctx, w.holder, terminated.ContractNo, "agreed to end"); err != nil {
		t.Fatal(err)
	}
	return []*market.Contract{awaiting, free, filed, cancelled, terminated}
}

// Editing a column a bonus run or a party relies on, truncating a history and rolling the status back,
// or deleting a whole contract with its events: each shows as a broken link naming what changed.
func TestVerifyChainsFindsEditedFacts(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		fxEveryState(t, w)
		if rep := w.mustVerify(t); rep.Contracts != 5 {
			t.Fatalf("clean: %d contracts", rep.Contracts)
		}
		other := w.org(t, market.KindEnterprise, true)
		exec := func(q string, args ...any) {
			t.Helper()
			if err := s.Gorm().Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		type tamper struct {
			name    string
			do      func(c *market.Contract)
			problem string
			column  string // in BrokenLink.Expected
		}
		tampers := []tamper{
			{"licensee_id", func(c *market.Contract) {
				exec("UPDATE contracts SET licensee_id = ? WHERE id = ?", other.ID, c.ID)
			}, "facts", "licensee_id="},
			{"amount_due_fen", func(c *market.Contract) {
				exec("UPDATE contracts SET amount_due_fen = 1 WHERE id = ?", c.ID)
			}, "facts", "amount_due_fen="},
			{"filing_no", func(c *market.Contract) {
				exec("UPDATE contracts SET filing_no = 'FORGED-1' WHERE id = ?", c.ID)
			}, "facts", "filing_no="},
			{"effective_on", func(c *market.Contract) {
				if err := s.Gorm().Model(&market.Contract{}).Where("id = ?", c.ID).
					Update("effective_on", market.MustDate("2024-01-02")).Error; err != nil {
					t.Fatal(err)
				}
			}, "facts", "effective_on="},
			{"payment amount", func(c *market.Contract) {
				exec("UPDATE payments SET amount_fen = 1 WHERE contract_id = ?", c.ID)
			}, "facts", "payments.amount_fen="},
			{"last event deleted, status rolled back", func(c *market.Contract) {
				exec("DELETE FROM contract_events WHERE contract_id = ? AND seq = 5", c.ID)
				if err := s.Gorm().Model(&market.Contract{}).Where("id = ?", c.ID).Updates(map[string]any{
					"status": market.ContractEffective, "filing_no": "", "filed_on": nil}).Error; err != nil {
					t.Fatal(err)
				}
			}, "anchored", "event 5 "},
			{"contract deleted with its events and links", func(c *market.Contract) {
				for _, tb := range []string{"contract_events", "payments", "contract_patents"} {
					exec("DELETE FROM "+tb+" WHERE contract_id = ?", c.ID)
				}
				exec("DELETE FROM contracts WHERE id = ?", c.ID)
			}, "deleted", "the contract"},
		}
		var cs []*market.Contract
		for range tampers {
			cs = append(cs, fxFiled(t, w))
		}
		if rep := w.mustVerify(t); rep.Contracts != 5+len(tampers) {
			t.Fatalf("clean: %d contracts", rep.Contracts)
		}
		fxDropAppendOnly(t, s)
		for i, tp := range tampers {
			tp.do(cs[i])
		}
		rep, err := s.VerifyChains(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]market.BrokenLink{}
		for _, b := range rep.Broken {
			got[b.ContractID] = b
		}
		for i, tp := range tampers {
			b, ok := got[cs[i].ID]
			if !ok {
				t.Errorf("%s: not detected", tp.name)
				continue
			}
			if b.Problem != tp.problem || !strings.Contains(b.Expected, tp.column) || b.Expected == b.Found ||
				!strings.Contains(b.String(), cs[i].ContractNo) {
				t.Errorf("%s: %s", tp.name, b)
			}
		}
		if len(rep.Broken) != len(tampers) {
			t.Errorf("broken %v", rep.Broken)
		}
	})
}

// The anchors' running digest: deleting a contract together with its anchors breaks it, and even
// rewriting every later anchor and the head leaves a digest an auditor kept outside the database
// different from the recomputed one.
func TestVerifyChainsAnchorDigest(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		fxEveryState(t, w)
		a, b := fxFiled(t, w), fxFiled(t, w)
		rep := w.mustVerify(t)
		if rep.Anchors == 0 || rep.Digest == market.GenesisHash || len(rep.Digest) != 64 {
			t.Fatalf("anchors %d digest %s", rep.Anchors, rep.Digest)
		}
		// The documented digest, rebuilt from the anchors.
		var anchors []market.AuditAnchor
		if err := s.Gorm().Order("seq").Find(&anchors).Error; err != nil {
			t.Fatal(err)
		}
		d := market.GenesisHash
		for i, an := range anchors {
			if an.Seq != int64(i+1) {
				t.Fatalf("anchor %d has seq %d", i+1, an.Seq)
			}
			d = market.AnchorDigest(d, an.ContractNo, an.EventHash)
		}
		if d != rep.Digest || int64(len(anchors)) != rep.Anchors {
			t.Fatalf("digest %s, report %s", d, rep.Digest)
		}
		saved, savedSeq := rep.Digest, rep.Anchors
		// Anchors are append-only too.
		if err := s.Gorm().Exec("DELETE FROM audit_anchors WHERE contract_id = ?", a.ID).Error; err == nil ||
			!strings.Contains(err.Error(), "append-only") {
			t.Fatalf("anchor delete allowed: %v", err)
		}
		fxDropAppendOnly(t, s)
		for _, trg := range []string{"audit_anchors_no_update", "audit_anchors_no_delete"} {
			q := "DROP TRIGGER " + trg
			if s.IsPostgres() {
				q += " ON audit_anchors"
			}
			if err := s.Gorm().Exec(q).Error; err != nil {
				t.Fatal(err)
			}
		}
		// Contract a disappears with its events, links and anchors.
		for _, tb := range []string{"contract_events", "payments", "contract_patents", "audit_anchors"} {
			if err := s.Gorm().Exec("DELETE FROM "+tb+" WHERE contract_id = ?", a.ID).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Gorm().Exec("DELETE FROM contracts WHERE id = ?", a.ID).Error; err != nil {
			t.Fatal(err)
		}
		rep, err := s.VerifyChains(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK() || rep.Broken[0].Problem != market.ChainAnchor {
			t.Fatalf("deleted contract and anchors: %v", rep.Broken)
		}
		// Now renumber and re-digest every anchor and the head, as someone covering their tracks would.
		if err := s.Gorm().Order("seq").Find(&anchors).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.Gorm().Exec("DELETE FROM audit_anchors").Error; err != nil {
			t.Fatal(err)
		}
		d = market.GenesisHash
		for i := range anchors {
			anchors[i].Seq = int64(i + 1)
			d = market.AnchorDigest(d, anchors[i].ContractNo, anchors[i].EventHash)
			anchors[i].Digest = d
			if err := s.Gorm().Create(&anchors[i]).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Gorm().Exec("UPDATE audit_head SET seq = ?, digest = ?", len(anchors), d).Error; err != nil {
			t.Fatal(err)
		}
		rep = w.mustVerify(t) // inside the database, nothing shows any more…
		if got, ok := rep.DigestAt(savedSeq); ok && got == saved {
			t.Errorf("the saved digest %s still matches after a contract was deleted", saved)
		}
		// …and an untouched database still matches its saved digest, after more contracts too.
		_ = b
	})
}

func TestVerifyChainsDigestStaysAfterAppends(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		fxFiled(t, w)
		rep := w.mustVerify(t)
		saved, seq := rep.Digest, rep.Anchors
		w.clock.Advance(time.Hour)
		fxEveryState(t, w)
		rep = w.mustVerify(t)
		if got, ok := rep.DigestAt(seq); !ok || got != saved || rep.Anchors <= seq {
			t.Errorf("digest at %d: %s %v, saved %s (now %d anchors)", seq, got, ok, saved, rep.Anchors)
		}
		if _, ok := rep.DigestAt(rep.Anchors + 1); ok {
			t.Error("a digest beyond the last anchor")
		}
	})
}
