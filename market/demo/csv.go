package demo

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"patentwall/market"
)

// Headers of the import formats (docs/interfaces.md §3), in the documented order.
var (
	OrgCSVColumns = []string{"uscc", "name", "kind", "district", "address", "legal_rep", "phone", "email",
		"founded_on", "is_sme", "operating_normally", "good_credit"}
	PatentCSVColumns = []string{"application_no", "title", "abstract", "type", "ipc", "patentee_uscc",
		"filing_date", "grant_date", "status", "industry", "fee_model", "fee_yuan", "royalty_percent",
		"entry_fee_yuan", "term_months", "evaluation_report_no"}
)

// WriteCSV writes the dataset's organisations and patents (with their declarations) in the import
// formats, for import benchmarks and as sample files. Money is in yuan and rates in percent, both with
// two decimals. The formats have no royalty base, so a royalty on profit reads back as one on net sales.
func WriteCSV(ds *Dataset, orgsW, patentsW io.Writer) error {
	w := csv.NewWriter(orgsW)
	if err := w.Write(OrgCSVColumns); err != nil {
		return fmt.Errorf("demo: write orgs.csv: %w", err)
	}
	for i := range ds.Orgs {
		o := &ds.Orgs[i]
		district := ""
		if d, ok := market.LookupDistrict(o.DistrictCode); ok {
			district = d.NameZH
		}
		rec := []string{o.USCC, o.Name, o.Kind, district, o.Address, o.LegalRep, o.Phone, o.Email,
			o.FoundedOn.String(), strconv.FormatBool(o.IsSME), strconv.FormatBool(o.OperatingNormally),
			strconv.FormatBool(o.GoodCredit)}
		if err := w.Write(rec); err != nil {
			return fmt.Errorf("demo: write orgs.csv: %w", err)
		}
	}
	if w.Flush(); w.Error() != nil {
		return fmt.Errorf("demo: write orgs.csv: %w", w.Error())
	}

	decl := make(map[int64]*market.Declaration, len(ds.Declarations))
	for i := range ds.Declarations {
		decl[ds.Declarations[i].PatentID] = &ds.Declarations[i]
	}
	w = csv.NewWriter(patentsW)
	if err := w.Write(PatentCSVColumns); err != nil {
		return fmt.Errorf("demo: write patents.csv: %w", err)
	}
	for i := range ds.Patents {
		p := &ds.Patents[i]
		rec := []string{p.ApplicationNo, p.Title, p.Abstract, p.Type, p.IPC, ds.Org(p.PatenteeID).USCC,
			p.FilingDate.String(), p.GrantDate.String(), p.Status, p.Industry, "", "", "", "", "", ""}
		if d := decl[p.ID]; d != nil {
			rec[10] = d.FeeModel
			switch d.FeeModel {
			case market.FeeLumpSum:
				rec[11] = market.Fen(d.FeeFen).String()
			case market.FeeRoyalty:
				rec[12] = market.PercentText(d.RoyaltyBP)
			case market.FeeEntryPlusRoyalty:
				rec[12] = market.PercentText(d.RoyaltyBP)
				rec[13] = market.Fen(d.EntryFeeFen).String()
			}
			rec[14] = strconv.Itoa(d.TermMonths)
			rec[15] = d.EvaluationReportNo
		}
		if err := w.Write(rec); err != nil {
			return fmt.Errorf("demo: write patents.csv: %w", err)
		}
	}
	if w.Flush(); w.Error() != nil {
		return fmt.Errorf("demo: write patents.csv: %w", w.Error())
	}
	return nil
}
