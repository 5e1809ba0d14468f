package bonus_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"patentwall/bonus"
	"patentwall/market"
	"patentwall/market/markettest"
)

func TestContractRecords(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := newDBWorld(t, s)
		w.org("LIC", market.KindEnterprise, "310115", false) // 浦东
		w.org("UNI", market.KindUniversity, "310110", false) // 杨浦
		w.org("SME1", market.KindEnterprise, "310104", true) // 徐汇
		w.org("OUT", market.KindEnterprise, "", true)
		w.patent("P1", "LIC")
		w.patent("P2", "UNI")
		w.patent("P3", "UNI")
		w.exec("UPDATE patents SET industry = ? WHERE application_no = ?", "生物医药", "P2")
		w.exec(`INSERT INTO declarations (patent_id, fee_model, fee_fen, term_months, status, published_at)
			VALUES (?, 'lump_sum', 500000, 12, 'live', ?)`, w.pats["P1"], w.now)
		var declID int64
		s.Gorm().Raw("SELECT id FROM declarations").Scan(&declID)
		c1 := w.contract("C1", market.ContractOpenLicence, "LIC", "SME1", time.Date(2022, 3, 1, 2, 0, 0, 0, time.UTC), "", "P1")
		w.exec("UPDATE contracts SET declaration_id = ?, amount_due_fen = 500000 WHERE id = ?", declID, c1.ID)
		w.contract("C2", market.ContractTransfer, "UNI", "OUT", time.Date(2022, 8, 1, 2, 0, 0, 0, time.UTC), "", "P2", "P3")
		w.contract("C3", market.ContractOrdinaryLicence, "UNI", "SME1", time.Date(2023, 2, 1, 2, 0, 0, 0, time.UTC), "", "P3")
		w.exec("UPDATE contracts SET fee_fen = 0, source = 'import' WHERE contract_no = ?", "C3")

		cases := []struct {
			name   string
			filter bonus.Filter
			want   []string
		}{
			{"everything", bonus.Filter{}, []string{"C1", "C2", "C3"}},
			{"period", bonus.Filter{From: d("2022-03-01"), To: d("2022-12-31")}, []string{"C1", "C2"}},
			{"period edges", bonus.Filter{From: d("2022-03-02"), To: d("2023-02-01")}, []string{"C2", "C3"}},
			{"district by name, either party", bonus.Filter{District: "徐汇区"}, []string{"C1", "C3"}},
			{"district by code", bonus.Filter{District: "310110"}, []string{"C2", "C3"}},
			{"industry", bonus.Filter{Industry: "生物医药"}, []string{"C2"}},
			{"kind", bonus.Filter{Kind: market.ContractTransfer}, []string{"C2"}},
			{"fee model of the declaration", bonus.Filter{FeeModel: market.FeeLumpSum}, []string{"C1"}},
			{"an imported deal without fee is free", bonus.Filter{FeeModel: market.FeeFree}, []string{"C3"}},
		}
		for _, tc := range cases {
			recs, err := bonus.ContractRecords(ctx, s, tc.filter)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var got []string
			for _, r := range recs {
				got = append(got, r.ContractNo)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
		// Pages of every size, concatenated, are the whole list, with its length as the total.
		for _, tc := range cases {
			all, _ := bonus.ContractRecords(ctx, s, tc.filter)
			for size := 1; size <= 3; size++ {
				var got []bonus.ContractRecord
				for off := 0; off <= len(all); off += size {
					page, total, err := bonus.ContractRecordsPage(ctx, s, tc.filter, off, size)
					if err != nil {
						t.Fatalf("%s: page at %d: %v", tc.name, off, err)
					}
					if total != int64(len(all)) || len(page) > size {
						t.Fatalf("%s: page at %d of %d: %d records, total %d; want at most %d of %d", tc.name, off, size, len(page), total, size, len(all))
					}
					got = append(got, page...)
				}
				if !reflect.DeepEqual(got, all) {
					t.Errorf("%s: pages of %d give %+v, want %+v", tc.name, size, got, all)
				}
			}
		}
		if _, _, err := bonus.ContractRecordsPage(ctx, s, bonus.Filter{Kind: "loan"}, 0, 10); market.AsFieldErrors(err) == nil {
			t.Errorf("bad filter of a page: %v, want a field error", err)
		}
		for _, f := range []bonus.Filter{{District: "东京"}, {Kind: "loan"}, {FeeModel: "barter"}, {From: d("2023-01-01"), To: d("2022-01-01")}} {
			if _, err := bonus.ContractRecords(ctx, s, f); market.AsFieldErrors(err) == nil {
				t.Errorf("filter %+v: %v, want a field error", f, err)
			}
		}

		recs, err := bonus.ContractRecords(ctx, s, bonus.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		c2 := recs[1]
		if !slices.Equal(c2.Patents, []string{"P2", "P3"}) || !slices.Equal(c2.Industries, []string{"生物医药", "人工智能"}) ||
			c2.LicenseeDistrict != "" || c2.LicensorKind != market.KindUniversity {
			t.Errorf("C2 record %+v", c2)
		}
		var csvOut, xlsxOut, jsonOut bytes.Buffer
		if err := bonus.WriteRecordsCSV(&csvOut, recs); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"开放许可", "浦东新区", "外省市", "5000.00", "一次性", "P2;P3"} {
			if !strings.Contains(csvOut.String(), want) {
				t.Errorf("CSV lacks %q:\n%s", want, csvOut.String())
			}
		}
		if err := bonus.WriteRecordsXLSX(&xlsxOut, recs); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&xlsxOut)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows("交易记录")
		if len(rows) != 4 || rows[0][0] != "合同编号" || rows[1][20] != "5000.00" {
			t.Errorf("XLSX rows %v", rows)
		}
		f.Close()
		if err := bonus.WriteRecordsJSON(&jsonOut, bonus.Filter{From: d("2022-01-01")}, recs); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			From    string `json:"from"`
			Count   int    `json:"count"`
			Records []struct {
				ContractNo    string `json:"contract_no"`
				AmountDueYuan string `json:"amount_due_yuan"`
			} `json:"records"`
		}
		if err := json.Unmarshal(jsonOut.Bytes(), &doc); err != nil || doc.Count != 3 || doc.From != "2022-01-01" ||
			doc.Records[0].AmountDueYuan != "5000.00" {
			t.Errorf("JSON %s (%v)", jsonOut.String(), err)
		}
	})
}
