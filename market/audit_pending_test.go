package market_test

import (
	"sync"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

// A step leaves its new chain head pending instead of anchoring it in its own transaction; AnchorPending
// anchors it once (a second call finds nothing), and the digest covers the anchored heads.
func TestAnchorPendingAnchorsOutsideTheStep(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		appNo, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
		c := w.accept(t, w.lic, appNo)
		if n := w.count(t, &market.AuditAnchor{}, ""); n != 0 {
			t.Fatalf("%d anchors written inside the acceptance", n)
		}
		if n := w.count(t, &market.AuditAnchor{}, "contract_id = ?", c.ID); n != 0 {
			t.Fatal("anchored already")
		}
		rep, err := s.VerifyChains(w.ctx)
		if err != nil || !rep.OK() || rep.Pending != 1 || rep.Anchors != 0 {
			t.Fatalf("before anchoring: err %v report %+v", err, rep)
		}
		n, err := s.AnchorPending(w.ctx)
		if err != nil || n != 1 {
			t.Fatalf("anchored %d, err %v", n, err)
		}
		evs := w.events(t, c.ID)
		var a market.AuditAnchor
		if err := s.Gorm().Where("contract_id = ?", c.ID).Find(&a).Error; err != nil {
			t.Fatal(err)
		}
		last := evs[len(evs)-1]
		if a.Seq != 1 || a.EventSeq != last.Seq || a.EventHash != last.Hash || a.ContractNo != c.ContractNo ||
			a.Digest != market.AnchorDigest(market.GenesisHash, c.ContractNo, last.Hash) {
			t.Fatalf("anchor %+v, last event %d %s", a, last.Seq, last.Hash)
		}
		if n, err := s.AnchorPending(w.ctx); err != nil || n != 0 {
			t.Fatalf("second run anchored %d, err %v", n, err)
		}
		// Two steps on one contract before the anchorer runs: one anchor, of the later head.
		lump := w.lumpSumContract(t, 300_00)
		if _, err := s.AnchorPending(w.ctx); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(time.Minute)
		p, err := s.RecordPayment(w.ctx, w.lic, lump.ContractNo, 300_00, market.DateOf(s.Now()), "BANK-2")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ConfirmPayment(w.ctx, w.holder, lump.ContractNo, p.ID); err != nil {
			t.Fatal(err)
		}
		if n := w.count(t, &market.AuditAnchor{}, "contract_id = ?", lump.ID); n != 1 {
			t.Fatalf("%d anchors of the lump-sum contract before anchoring", n)
		}
		if n, err := s.AnchorPending(w.ctx); err != nil || n != 1 {
			t.Fatalf("anchored %d after two steps, err %v", n, err)
		}
		evs = w.events(t, lump.ID)
		var la market.AuditAnchor
		if err := s.Gorm().Where("contract_id = ?", lump.ID).Order("seq DESC").Limit(1).Find(&la).Error; err != nil {
			t.Fatal(err)
		}
		if la.EventSeq != evs[len(evs)-1].Seq {
			t.Fatalf("anchored event %d, last event %d", la.EventSeq, evs[len(evs)-1].Seq)
		}
		rep = w.mustVerify(t)
		if rep.Anchors != w.count(t, &market.AuditAnchor{}, "") {
			t.Fatalf("report %d anchors", rep.Anchors)
		}
	})
}

// Between a step and the anchorer, tampering still shows: an edited fact through the facts of the last
// event, and a contract deleted with its events through its pending row, before and after anchoring.
func TestVerifyChainsSeesTamperingBeforeAnchoring(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		edited, deleted, kept := fxFiled(t, w), fxFiled(t, w), fxFiled(t, w)
		fxDropAppendOnly(t, s)
		if err := s.Gorm().Exec("UPDATE contracts SET amount_due_fen = amount_due_fen + 1 WHERE id = ?", edited.ID).Error; err != nil {
			t.Fatal(err)
		}
		for _, tb := range []string{"contract_events", "payments", "contract_patents"} {
			if err := s.Gorm().Exec("DELETE FROM "+tb+" WHERE contract_id = ?", deleted.ID).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Gorm().Exec("DELETE FROM contracts WHERE id = ?", deleted.ID).Error; err != nil {
			t.Fatal(err)
		}
		check := func(stage string) {
			t.Helper()
			rep, err := s.VerifyChains(w.ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]string{}
			for _, b := range rep.Broken {
				got[b.ContractID] = b.Problem
			}
			if got[edited.ID] != market.ChainFacts || got[deleted.ID] != market.ChainDeleted || got[kept.ID] != "" || len(got) != 2 {
				t.Errorf("%s: broken %v", stage, rep.Broken)
			}
		}
		check("pending")
		if _, err := s.AnchorPending(w.ctx); err != nil {
			t.Fatal(err)
		}
		check("anchored")
	})
}

// Signers and anchorers running at once: every acceptance is anchored exactly at its last event, the
// anchors' seqs have no gap, and every chain verifies.
func TestAnchorPendingConcurrentWithSigning(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		s.Now = func() time.Time { return time.Now().UTC() }
		const signers, each = 8, 6
		actors := make([]market.Actor, signers)
		for i := range actors {
			actors[i] = w.user(t, w.org(t, market.KindEnterprise, true), market.RoleLicensee)
		}
		appNos := make([]string, each)
		for i := range appNos {
			appNos[i], _ = w.patent(t, w.holderOrg, market.FeeFree, 0)
		}
		fxWarmPool(t, s, signers+4)
		var wg sync.WaitGroup
		stop := make(chan struct{})
		errs := make(chan error, signers+2)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					if _, err := s.AnchorPending(w.ctx); err != nil {
						errs <- err
						return
					}
					select {
					case <-stop:
						return
					default:
					}
				}
			}()
		}
		var signing sync.WaitGroup
		for i := range actors {
			signing.Add(1)
			go func() {
				defer signing.Done()
				for _, appNo := range appNos {
					if _, _, err := s.AcceptLicence(w.ctx, actors[i], appNo, ""); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		signing.Wait()
		close(stop)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		rep := w.mustVerify(t)
		contracts := w.count(t, &market.Contract{}, "")
		if contracts != signers*each {
			t.Fatalf("%d contracts", contracts)
		}
		var distinct int64
		if err := s.Gorm().Raw("SELECT COUNT(DISTINCT contract_id) FROM audit_anchors").Scan(&distinct).Error; err != nil {
			t.Fatal(err)
		}
		if distinct != contracts || rep.Anchors < contracts {
			t.Fatalf("%d contracts anchored of %d (%d anchors)", distinct, contracts, rep.Anchors)
		}
	})
}
