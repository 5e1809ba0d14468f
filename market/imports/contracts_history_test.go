package imports_test

import (
	"context"
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/market/imports"
	"patentwall/market/markettest"
)

// Imported contracts get a history (docs/rules.md §7): one "imported" event when created, one
// "import_updated" event when a later file changes them, each with the facts and an anchor, so that
// editing an imported contract's rows or deleting it is found by VerifyChains.
func TestImportContractsHistory(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		s = contractStore(t, s)
		ctx := context.Background()
		o1, o2, o3 := catUSCC(t, 1), catUSCC(t, 2), catUSCC(t, 3)
		p1, p3 := catAppNo(t, 2020, 1, 1), catAppNo(t, 2020, 1, 3)
		rows := [][]string{
			{"H-EFF", "ordinary_licence", p1, o1, o2, "2022-03-01", "2022-03-02", "1000", "HF-1", "2022-04-01", "effective"},
			{"H-TERM", "ordinary_licence", p1, o1, o3, "2022-05-01", "2022-05-02", "200", "", "", "terminated"},
			{"H-CANC", "sole_licence", p3, o1, o2, "2022-06-01", "", "0", "", "", "cancelled"},
			{"H-FIL", "ordinary_licence", p3, o1, o3, "2022-07-01", "2022-07-02", "300", "HF-2", "2022-08-01", "effective"},
			{"H-DEL", "ordinary_licence", p1, o1, o3, "2022-08-01", "2022-08-02", "400", "", "", "effective"},
			{"H-STAT", "ordinary_licence", p3, o1, o2, "2022-09-01", "2022-09-02", "500", "", "", "effective"},
		}
		rep, err := imports.ImportContracts(ctx, s, catTable(t, catCSVText(t, contractHeader, rows)), imports.Options{})
		if err != nil || rep.Created != len(rows) {
			t.Fatalf("import: %+v %v", rep, err)
		}
		byNo := map[string]market.Contract{}
		for _, r := range rows {
			var c market.Contract
			if err := s.Gorm().Where("contract_no = ?", r[0]).Take(&c).Error; err != nil {
				t.Fatal(err)
			}
			byNo[r[0]] = c
		}
		events := func(no string) []market.ContractEvent {
			t.Helper()
			var evs []market.ContractEvent
			if err := s.Gorm().Where("contract_id = ?", byNo[no].ID).Order("seq").Find(&evs).Error; err != nil {
				t.Fatal(err)
			}
			return evs
		}
		for _, r := range rows {
			evs := events(r[0])
			if len(evs) != 1 || evs[0].Kind != "imported" || evs[0].ActorUserID != nil || evs[0].ActorOrgID != nil {
				t.Fatalf("%s: history %+v", r[0], evs)
			}
			p := evs[0].PayloadMap()
			facts, _ := p["facts"].(map[string]any)
			if p["status"] != r[10] || facts == nil || facts["status"] != r[10] || facts["contract_no"] != r[0] {
				t.Errorf("%s: payload %s", r[0], evs[0].Payload)
			}
		}
		verifyOK := func(what string, contracts int) {
			t.Helper()
			vr, err := s.VerifyChains(ctx)
			if err != nil || !vr.OK() || vr.Contracts != contracts {
				t.Fatalf("%s: %+v %v", what, vr, err)
			}
		}
		verifyOK("after the import", len(rows))

		// A changed fee and a new status: one import_updated event each; unchanged rows get none.
		rows[0][7] = "1500"
		rows[1][10] = "effective"
		rep, err = imports.ImportContracts(ctx, s, catTable(t, catCSVText(t, contractHeader, rows)), imports.Options{})
		if err != nil || rep.Updated != 2 || rep.Unchanged != len(rows)-2 {
			t.Fatalf("re-import: %+v %v", rep, err)
		}
		for i, r := range rows {
			evs := events(r[0])
			want := 1
			if i < 2 {
				want = 2
			}
			if len(evs) != want || (want == 2 && (evs[1].Kind != "import_updated" || evs[1].PayloadMap()["status"] != r[10])) {
				t.Errorf("%s after re-import: %+v", r[0], evs)
			}
		}
		verifyOK("after the re-import", len(rows))

		// Tampering with the rows.
		for _, q := range []string{"DROP TRIGGER contract_events_no_delete", "DROP TRIGGER contract_events_no_update"} {
			if s.IsPostgres() {
				q += " ON contract_events"
			}
			if err := s.Gorm().Exec(q).Error; err != nil {
				t.Fatal(err)
			}
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if err := s.Gorm().Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		exec("UPDATE contracts SET licensee_id = ? WHERE id = ?", byNo["H-TERM"].LicenseeID, byNo["H-EFF"].ID)
		exec("UPDATE contracts SET fee_fen = 1, amount_due_fen = 1 WHERE id = ?", byNo["H-TERM"].ID)
		exec("UPDATE contracts SET filing_no = 'FORGED' WHERE id = ?", byNo["H-FIL"].ID)
		if err := s.Gorm().Model(&market.Contract{}).Where("id = ?", byNo["H-CANC"].ID).
			Update("effective_on", market.MustDate("2022-06-03")).Error; err != nil {
			t.Fatal(err)
		}
		exec("UPDATE contracts SET status = ? WHERE id = ?", market.ContractCancelled, byNo["H-STAT"].ID)
		for _, tb := range []string{"contract_events", "contract_patents", "contracts"} {
			col := "contract_id"
			if tb == "contracts" {
				col = "id"
			}
			exec("DELETE FROM "+tb+" WHERE "+col+" = ?", byNo["H-DEL"].ID)
		}
		vr, err := s.VerifyChains(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]market.BrokenLink{}
		for _, b := range vr.Broken {
			got[b.ContractID] = b
		}
		for _, want := range []struct{ no, problem, expected string }{
			{"H-EFF", market.ChainFacts, "licensee_id="},
			{"H-TERM", market.ChainFacts, "amount_due_fen="},
			{"H-FIL", market.ChainFacts, "filing_no="},
			{"H-CANC", market.ChainFacts, "effective_on="},
			{"H-DEL", market.ChainDeleted, "the contract"},
			{"H-STAT", market.ChainStatus, market.ContractEffective},
		} {
			b, ok := got[byNo[want.no].ID]
			if !ok {
				t.Errorf("%s: tampering not detected", want.no)
				continue
			}
			if b.Problem != want.problem || !strings.Contains(b.Expected, want.expected) || b.ContractNo != want.no {
				t.Errorf("%s: %s", want.no, b)
			}
		}
		if len(vr.Broken) != 6 {
			t.Errorf("broken: %v", vr.Broken)
		}
	})
}
