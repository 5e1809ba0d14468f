package bonus

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"patentwall/market"
)

// Plain-Chinese labels of the codes the records show.
var (
	contractKindZH = map[string]string{market.ContractOpenLicence: "开放许可", market.ContractOrdinaryLicence: "普通许可",
		market.ContractSoleLicence: "排他许可", market.ContractExclusiveLicence: "独占许可", market.ContractTransfer: "转让"}
	contractStatusZH = map[string]string{market.ContractAwaitingPayment: "待付款", market.ContractEffective: "已生效",
		market.ContractFiled: "已备案", market.ContractTerminated: "已终止", market.ContractCancelled: "已撤销"}
	sourceZH  = map[string]string{"platform": "平台签订", "import": "导入"}
	feeZH     = map[string]string{market.FeeFree: "免费", market.FeeLumpSum: "一次性", market.FeeRoyalty: "提成", market.FeeEntryPlusRoyalty: "入门费+提成"}
	orgKindZH = map[string]string{market.KindUniversity: "高校", market.KindInstitute: "科研院所", market.KindHospital: "医院",
		market.KindEnterprise: "企业", market.KindAssociation: "行业协会", market.KindDistrictOffice: "区知识产权局",
		market.KindAgency: "服务机构", market.KindBank: "银行", market.KindBureau: "市知识产权局"}
)

// ContractKindZH is a contract kind in plain Chinese.
func ContractKindZH(kind string) string { return labelOr(contractKindZH, kind) }

// ContractStatusZH is a contract status in plain Chinese.
func ContractStatusZH(status string) string { return labelOr(contractStatusZH, status) }

func labelOr(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// DistrictZH names a district code in Chinese ("外省市" for "", outside Shanghai).
func DistrictZH(code string) string {
	if code == "" {
		return "外省市"
	}
	if d, ok := market.LookupDistrict(code); ok {
		return d.NameZH
	}
	return code
}

var recordHeaders = []string{"合同编号", "合同类型", "状态", "来源", "签订日期", "生效日期", "备案（登记）号", "备案日期",
	"许可方（转让方）统一社会信用代码", "许可方（转让方）名称", "许可方类型", "许可方所在区",
	"被许可方（受让方）统一社会信用代码", "被许可方（受让方）名称", "被许可方所在区", "被许可方是否中小企业",
	"专利申请号", "行业", "许可费模式", "许可费（元）", "应付金额（元）"}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// recordTexts are the cells of a record in recordHeaders order; amounts are filled by the caller.
func recordTexts(r *ContractRecord, out []string) []string {
	return append(out[:0], Safe(r.ContractNo), ContractKindZH(r.Kind), ContractStatusZH(r.Status), labelOr(sourceZH, r.Source),
		r.SignedOn.String(), r.EffectiveOn.String(), Safe(r.FilingNo), r.FiledOn.String(),
		Safe(r.LicensorUSCC), Safe(r.LicensorName), labelOr(orgKindZH, r.LicensorKind), DistrictZH(r.LicensorDistrict),
		Safe(r.LicenseeUSCC), Safe(r.LicenseeName), DistrictZH(r.LicenseeDistrict), yesNo(r.LicenseeSME),
		Safe(strings.Join(r.Patents, ";")), Safe(strings.Join(r.Industries, "；")), labelOr(feeZH, r.FeeModel), "", "")
}

// WriteRecordsCSV writes records as UTF-8 CSV (with a BOM), Chinese headers, amounts in yuan.
func WriteRecordsCSV(out io.Writer, recs []ContractRecord) error {
	bw := bufio.NewWriterSize(out, 1<<16)
	bw.WriteString("\ufeff")
	w := csv.NewWriter(bw)
	if err := w.Write(recordHeaders); err != nil {
		return err
	}
	var row []string
	for i := range recs {
		row = recordTexts(&recs[i], row)
		row[19], row[20] = Yuan(recs[i].FeeFen), Yuan(recs[i].AmountDueFen)
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteRecordsXLSX writes records as one streamed sheet, 交易记录 (more past the row limit).
func WriteRecordsXLSX(out io.Writer, recs []ContractRecord) error {
	wb, err := newWorkbook()
	if err != nil {
		return err
	}
	var texts []string
	cells := make([]any, len(recordHeaders))
	perSheet := maxSheetRows - 1
	for start, part := 0, 1; start < len(recs) || part == 1; start, part = start+perSheet, part+1 {
		name := "交易记录"
		if part > 1 {
			name += strconv.Itoa(part)
		}
		sw, err := wb.sheet(name, 24, 10, 8, 10, 12, 12, 18, 12, 22, 30, 10, 10, 22, 30, 10, 8, 30, 16, 12, 14, 14)
		if err != nil {
			return err
		}
		if err := wb.headerRow(sw, 1, recordHeaders...); err != nil {
			return err
		}
		end := min(start+perSheet, len(recs))
		for i := start; i < end; i++ {
			texts = recordTexts(&recs[i], texts)
			for k, t := range texts {
				cells[k] = t
			}
			cells[19], cells[20] = yuanCell(recs[i].FeeFen, wb.amount), yuanCell(recs[i].AmountDueFen, wb.amount)
			if err := sw.SetRow(cellName(i-start+2), cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return wb.write(out)
}

// WriteRecordsJSON writes {"from","to","count","records":[…]} with amounts in fen and in yuan.
func WriteRecordsJSON(out io.Writer, f Filter, recs []ContractRecord) error {
	type rec struct {
		ContractRecord
		FeeYuan       string `json:"fee_yuan"`
		AmountDueYuan string `json:"amount_due_yuan"`
	}
	list := make([]rec, len(recs))
	for i := range recs {
		list[i] = rec{recs[i], Yuan(recs[i].FeeFen), Yuan(recs[i].AmountDueFen)}
	}
	enc := json.NewEncoder(out)
	return enc.Encode(struct {
		From    market.Date `json:"from"`
		To      market.Date `json:"to"`
		Count   int         `json:"count"`
		Records []rec       `json:"records"`
	}{f.From, f.To, len(recs), list})
}
