package bonus_test

import (
	"bytes"
	"encoding/csv"
	"math"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"patentwall/bonus"
	"patentwall/market"
)

func TestYuan(t *testing.T) {
	for fen, want := range map[int64]string{0: "0.00", 5: "0.05", 10: "0.10", 300000: "3000.00", 123456789: "1234567.89",
		-5: "-0.05", -12345: "-123.45", math.MaxInt64: "92233720368547758.07", math.MinInt64: "-92233720368547758.08"} {
		if got := bonus.Yuan(fen); got != want {
			t.Errorf("Yuan(%d) = %q, want %q", fen, got, want)
		}
	}
}

func TestSafe(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+86": "'+86", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)",
		"\t=x": "'\t=x", "C-1": "C-1", "": "", "合同": "合同"} {
		if got := bonus.Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}

// exportWorld has an eligible line, a held one, an ineligible one and hostile text in names and numbers.
func exportWorld() *world {
	w := licensorWorld()
	w.orgs["SME1"].Name = "=HYPERLINK(\"http://evil\")"
	w.deal("-C2", market.ContractOpenLicence, "LIC", "SME2", "2022-06-01", "P2").FeeFen = 0
	w.orgs["SME2"].IsSME = false
	w.deal("C3", market.ContractOpenLicence, "LIC", "SME1", "2022-07-01", "P3")
	w.contract("C3").FilingNo = ""
	return w
}

func TestWriteCSV(t *testing.T) {
	res := evaluate(t, exportWorld(), bonus.Params{Round: art22()})
	var b bytes.Buffer
	if err := res.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\ufeff")) {
		t.Error("no BOM")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+len(res.Lines) || recs[0][0] != "合同编号" || recs[0][10] != "奖补金额（元）" {
		t.Fatalf("header %v, %d rows", recs[0], len(recs))
	}
	rows := map[string][]string{}
	for _, r := range recs[1:] {
		rows[r[0]] = r
	}
	c1 := rows["C1"]
	if c1 == nil || c1[10] != "3000.00" || c1[6] != "符合条件" || c1[5] != "'=HYPERLINK(\"http://evil\")" {
		t.Errorf("C1 row %q", c1)
	}
	c2 := rows["'-C2"]
	if c2 == nil || c2[10] != "0.00" || c2[12] != "licensee_not_sme" || !strings.Contains(c2[7], "中小企业") {
		t.Errorf("-C2 row %q", c2)
	}
	if c3 := rows["C3"]; c3 == nil || c3[12] != "not_filed" || c3[11] != "ineligible" {
		t.Errorf("C3 row %q", c3)
	}
}

func TestWriteXLSX(t *testing.T) {
	w := exportWorld()
	w.orgs["LIC"].LegalRep = w.orgs["SME1"].LegalRep // C1 held, C3 ineligible
	w.deal("C4", market.ContractOpenLicence, "LIC", "SME3", "2022-08-01", "P4")
	w.addOrg(ent("SME3"))
	r := art22()
	r.CapFen = 100001 // C4 alone is eligible and scaled to the cap
	res := evaluate(t, w, bonus.Params{Round: r})
	var b bytes.Buffer
	if err := res.WriteXLSX(&b, "测试轮次"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); len(sheets) != 2 || sheets[0] != "汇总" || sheets[1] != "明细" {
		t.Fatalf("sheets %v", sheets)
	}
	summary, err := f.GetRows("汇总")
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]string{}
	for _, row := range summary {
		if len(row) >= 2 {
			cells[row[0]] = row[1]
		}
	}
	if cells["实际奖补总额（元）"] != "1000.01" || cells["轮次名称"] != "测试轮次" || cells["输入数据哈希（SHA-256）"] != res.InputHash {
		t.Errorf("summary %v", cells)
	}
	var recipientRow []string
	for _, row := range summary {
		if len(row) > 0 && row[0] == "LIC" {
			recipientRow = row
		}
	}
	if len(recipientRow) != 4 || recipientRow[2] != "1" || recipientRow[3] != "1000.01" {
		t.Errorf("recipient row %v", recipientRow)
	}
	lines, err := f.GetRows("明细")
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1+len(res.Lines) || lines[0][0] != "合同编号" {
		t.Fatalf("%d rows, header %v", len(lines), lines[0])
	}
	byNo := map[string][]string{}
	for _, row := range lines[1:] {
		byNo[row[0]] = row
	}
	if row := byNo["C1"]; row[6] != "待复核" || row[8] == "" || row[13] != "related_party" || row[5] != "'=HYPERLINK(\"http://evil\")" {
		t.Errorf("C1 %q", row)
	}
	if row := byNo["C4"]; row[10] != "1000.01" || row[6] != "符合条件" {
		t.Errorf("C4 %q", row)
	}
	// the amount cell is a number, so staff can sum the column
	if typ, err := f.GetCellType("明细", "K2"); err != nil || typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
		t.Errorf("amount cell type %v %v", typ, err)
	}
}
