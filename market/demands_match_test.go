package market_test

import (
	"context"
	"reflect"
	"testing"

	"patentwall/market"
	"patentwall/market/markettest"
)

// MatchRows (one query for what matching reads) agrees with IndexRows on every field matching reads:
// the patent's text, IPC, status and industry, the holder, the transfer price, the live declaration's
// fees (a withdrawn one is no declaration) and the IPC titles; unknown IDs are skipped.
func TestMatchRowsAgreeWithIndexRows(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		ids := seedPatents(t, s, 3)
		db := s.Gorm()
		if err := db.Model(&market.Patent{}).Where("id = ?", ids[1]).Updates(map[string]any{
			"transfer_price_fen": 80_000_00, "abstract": "一种液冷散热的锂电池包。", "industry": "新能源汽车"}).Error; err != nil {
			t.Fatal(err)
		}
		withdrawn := market.Declaration{PatentID: ids[1], FeeModel: market.FeeFree, TermMonths: 12, Status: market.DeclWithdrawn, PublishedAt: t0}
		entry := market.Declaration{PatentID: ids[2], FeeModel: market.FeeEntryPlusRoyalty, EntryFeeFen: 3_000_00, RoyaltyBP: 300,
			RoyaltyBase: "net_sales", TermMonths: 36, Status: market.DeclLive, PublishedAt: t0}
		for _, d := range []*market.Declaration{&withdrawn, &entry} {
			if err := db.Create(d).Error; err != nil {
				t.Fatal(err)
			}
		}
		ask := []int64{ids[2], 999999, ids[0], ids[1]}
		want, err := s.IndexRows(ctx, ask)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.MatchRows(ctx, ask)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || len(want) != 3 {
			t.Fatalf("MatchRows %d rows, IndexRows %d, want 3 each", len(got), len(want))
		}
		type read struct {
			ID                                          int64
			ApplicationNo, Title, Abstract, Status, Ind string
			IPC                                         string
			PatenteeID, TransferFen                     int64
			Name, Kind, District                        string
			HasDecl                                     bool
			FeeModel                                    string
			FeeFen, EntryFeeFen, AmountDue              int64
			Titles                                      []market.IPCTitle
		}
		of := func(r market.IndexRow) read {
			x := read{ID: r.ID, ApplicationNo: r.ApplicationNo, Title: r.Title, Abstract: r.Abstract, Status: r.Status, Ind: r.Industry,
				IPC: r.IPC, PatenteeID: r.PatenteeID, TransferFen: r.TransferPriceFen, Name: r.PatenteeName, Kind: r.PatenteeKind,
				District: r.DistrictCode, Titles: r.IPCTitles}
			if d := r.Declaration; d != nil {
				x.HasDecl, x.FeeModel, x.FeeFen, x.EntryFeeFen, x.AmountDue = true, d.FeeModel, d.FeeFen, d.EntryFeeFen, d.AmountDueFen()
			}
			return x
		}
		for i := range got {
			if g, w := of(got[i]), of(want[i]); !reflect.DeepEqual(g, w) {
				t.Errorf("row %d:\n got %+v\nwant %+v", i, g, w)
			}
		}
		// The facts themselves, not only the agreement.
		if got[0].ID != ids[0] || got[0].Declaration == nil || got[0].Declaration.AmountDueFen() != 5_000_00 {
			t.Errorf("lump sum row: %+v", got[0])
		}
		if got[1].Declaration != nil || got[1].TransferPriceFen != 80_000_00 || got[1].Industry != "新能源汽车" {
			t.Errorf("withdrawn declaration, transfer offer: %+v", got[1])
		}
		if got[2].Declaration == nil || got[2].Declaration.AmountDueFen() != 3_000_00 || len(got[2].IPCTitles) != 2 {
			t.Errorf("entry fee row: %+v", got[2])
		}
		if rows, err := s.MatchRows(ctx, nil); err != nil || rows != nil {
			t.Errorf("no IDs: %v %v", rows, err)
		}
	})
}
