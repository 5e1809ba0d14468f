package market_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

// fxDropAppendOnly removes the triggers that refuse UPDATE/DELETE on contract_events, as someone with
// owner rights could; the hash chain must still catch what they do next.
func fxDropAppendOnly(t *testing.T, s *market.Store) {
	t.Helper()
	for _, trg := range []string{"contract_events_no_update", "contract_events_no_delete"} {
		q := "DROP TRIGGER " + trg
		if s.IsPostgres() {
			q += " ON contract_events"
		}
		if err := s.Gorm().Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// fxHistory makes a paid contract with a history of five events: notified, payment_recorded,
// payment_confirmed, effective, filed.
func fxHistory(t *testing.T, w *fxWorld) *market.Contract {
	t.Helper()
	appNo, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, 800_00)
	c := w.accept(t, w.lic, appNo)
	w.clock.Advance(time.Hour)
	p, err := w.s.RecordPayment(w.ctx, w.lic, c.ContractNo, 800_00, fxToday, "BANK-1")
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Hour)
	if _, err := w.s.ConfirmPayment(w.ctx, w.holder, c.ContractNo, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.RecordFiling(w.ctx, w.lic, c.ContractNo, fmt.Sprintf("X%d", c.ID), fxToday); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHistoryIsAppendOnly(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		c := fxHistory(t, w)
		if err := s.Gorm().Exec("UPDATE contract_events SET payload = '{}' WHERE contract_id = ?", c.ID).Error; err == nil ||
			!strings.Contains(err.Error(), "append-only") {
			t.Errorf("update allowed: %v", err)
		}
		if err := s.Gorm().Exec("DELETE FROM contract_events WHERE contract_id = ?", c.ID).Error; err == nil {
			t.Error("delete allowed")
		}
		evs, err := s.ContractHistory(w.ctx, w.lic, c.ContractNo)
		if err != nil || fxKinds(evs) != "notified,payment_recorded,payment_confirmed,effective,filed" {
			t.Fatalf("history %s %v", fxKinds(evs), err)
		}
		for i, e := range evs {
			if e.Seq != i+1 || (i == 0 && e.PrevHash != market.GenesisHash) || (i > 0 && e.PrevHash != evs[i-1].Hash) {
				t.Errorf("event %d links %+v", i, e)
			}
		}
		if *evs[0].ActorOrgID != w.licOrg.ID || *evs[2].ActorUserID != w.holder.UserID {
			t.Error("actors not recorded")
		}
	})
}

// The documented hash input, rebuilt here independently of the package's code.
func TestEventHashAsDocumented(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		c := fxHistory(t, w)
		prev := strings.Repeat("0", 64)
		for _, e := range w.events(t, c.ID) {
			actor := func(p *int64) string {
				if p == nil {
					return "null"
				}
				return fmt.Sprint(*p)
			}
			canon := fmt.Sprintf(`{"contract_id":%d,"seq":%d,"kind":%q,"actor":{"user_id":%s,"org_id":%s},"at":%q,"payload":%s}`,
				e.ContractID, e.Seq, e.Kind, actor(e.ActorUserID), actor(e.ActorOrgID),
				e.At.UTC().Format(time.RFC3339Nano), e.Payload)
			sum := sha256.Sum256([]byte(prev + canon))
			if got := hex.EncodeToString(sum[:]); got != e.Hash {
				t.Errorf("seq %d: documented hash %s, stored %s", e.Seq, got, e.Hash)
			}
			prev = e.Hash
		}
	})
}

func TestVerifyChainsFindsTampering(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		var cs []*market.Contract
		for range 5 {
			cs = append(cs, fxHistory(t, w))
		}
		rep := w.mustVerify(t)
		if rep.Contracts != 5 || rep.Events != 25 {
			t.Fatalf("verified %d contracts, %d events", rep.Contracts, rep.Events)
		}
		fxDropAppendOnly(t, s)
		exec := func(q string, args ...any) {
			t.Helper()
			if err := s.Gorm().Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		// 1: a payment amount rewritten in place (seq 2).
		exec(`UPDATE contract_events SET payload = REPLACE(payload, '80000', '8000') WHERE contract_id = ? AND seq = 2`, cs[0].ID)
		// 2: an event deleted from the middle (seq 3).
		exec(`DELETE FROM contract_events WHERE contract_id = ? AND seq = 3`, cs[1].ID)
		// 3: the last event deleted (the filing): the chain is intact, the contract row disagrees.
		exec(`DELETE FROM contract_events WHERE contract_id = ? AND seq = 5`, cs[2].ID)
		// 4: the terms edited after signing.
		exec(`UPDATE contracts SET terms_json = REPLACE(terms_json, '"amount_due_fen":80000', '"amount_due_fen":1') WHERE id = ?`, cs[3].ID)
		rep, err := s.VerifyChains(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]struct {
			seq     int
			problem string
		}{
			cs[0].ID: {2, market.ChainHash},
			cs[1].ID: {3, market.ChainSeq},
			cs[2].ID: {4, market.ChainStatus},
			cs[3].ID: {1, market.ChainContent},
		}
		if len(rep.Broken) != len(want) {
			t.Fatalf("broken %v", rep.Broken)
		}
		for _, b := range rep.Broken {
			wb, ok := want[b.ContractID]
			if !ok || b.Seq != wb.seq || b.Problem != wb.problem || b.Expected == b.Found || b.ContractNo == "" {
				t.Errorf("broken link %+v, want %+v", b, wb)
			}
		}
		// The chain of the fifth contract is still fine, and it still counts.
		if rep.Contracts != 5 || rep.Events != 23 {
			t.Errorf("checked %d contracts, %d events", rep.Contracts, rep.Events)
		}
		if s := rep.Broken[0].String(); !strings.Contains(s, cs[0].ContractNo) || !strings.Contains(s, "seq 2") {
			t.Errorf("report line %q", s)
		}
	})
}

func TestVerifyChainsForgedAndMissing(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		a, b, c := fxHistory(t, w), fxHistory(t, w), fxHistory(t, w)
		fxDropAppendOnly(t, s)
		// A forged event appended with a correct-looking seq but a made-up hash.
		evs := w.events(t, a.ID)
		last := evs[len(evs)-1]
		forged := market.ContractEvent{ContractID: a.ID, Seq: last.Seq + 1, Kind: market.EventTerminated,
			Payload: `{"status":"filed"}`, At: last.At, PrevHash: last.Hash, Hash: strings.Repeat("a", 64)}
		if err := s.Gorm().Create(&forged).Error; err != nil {
			t.Fatal(err)
		}
		// A platform contract whose whole history vanished.
		if err := s.Gorm().Exec("DELETE FROM contract_events WHERE contract_id = ?", b.ID).Error; err != nil {
			t.Fatal(err)
		}
		// A status edited directly.
		if err := s.Gorm().Exec("UPDATE contracts SET status = ? WHERE id = ?", market.ContractTerminated, c.ID).Error; err != nil {
			t.Fatal(err)
		}
		rep, err := s.VerifyChains(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]string{}
		for _, br := range rep.Broken {
			got[br.ContractID] = fmt.Sprintf("%d:%s", br.Seq, br.Problem)
		}
		if got[a.ID] != "6:hash" || got[b.ID] != "1:missing" || got[c.ID] != "5:status" || len(got) != 3 {
			t.Errorf("broken %v", got)
		}
	})
}
