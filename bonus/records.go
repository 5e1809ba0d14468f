package bonus

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"patentwall/market"
)

// Filter selects transaction records (the bureau's 交易记录). Zero fields select everything.
type Filter struct {
	From, To market.Date // on the signing day (the effective day when unsigned), inclusive
	District string      // a Shanghai district (code or name): either party registered there
	Industry string      // an industry of one of the contract's patents
	Kind     string      // a contract kind
	FeeModel string      // the declaration's fee model; an imported deal with no fee counts as free
}

// ContractRecord is one deal as the bureau's transaction records list it.
type ContractRecord struct {
	ContractNo       string      `json:"contract_no"`
	Kind             string      `json:"kind"`
	Status           string      `json:"status"`
	Source           string      `json:"source"`
	SignedOn         market.Date `json:"signed_on"`
	EffectiveOn      market.Date `json:"effective_on"`
	FilingNo         string      `json:"filing_no"`
	FiledOn          market.Date `json:"filed_on"`
	LicensorUSCC     string      `json:"licensor_uscc"`
	LicensorName     string      `json:"licensor_name"`
	LicensorKind     string      `json:"licensor_kind"`
	LicensorDistrict string      `json:"licensor_district"` // code, "" = outside Shanghai
	LicenseeUSCC     string      `json:"licensee_uscc"`
	LicenseeName     string      `json:"licensee_name"`
	LicenseeDistrict string      `json:"licensee_district"`
	LicenseeSME      bool        `json:"licensee_sme"`
	Patents          []string    `json:"patents"`
	Industries       []string    `json:"industries"`
	FeeModel         string      `json:"fee_model"` // "" when unknown (imported paid deal)
	FeeFen           int64       `json:"fee_fen"`
	AmountDueFen     int64       `json:"amount_due_fen"`
}

// where builds the filter's SQL condition over contracts c, licensor a, licensee b, declaration d.
func (f *Filter) where() (string, []any, error) {
	var errs market.Errors
	conds := []string{"1=1"}
	var args []any
	if !f.From.IsZero() {
		conds = append(conds, "COALESCE(c.signed_on, c.effective_on) >= ?")
		args = append(args, f.From)
	}
	if !f.To.IsZero() {
		conds = append(conds, "COALESCE(c.signed_on, c.effective_on) <= ?")
		args = append(args, f.To)
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		errs = append(errs, fieldErr("to", "inverted_window", "结束日期早于开始日期", "the period ends before it starts"))
	}
	if f.District != "" {
		d, ok := market.LookupDistrict(f.District)
		if !ok {
			errs = append(errs, fieldErr("district", "unknown", "未知的上海市辖区", "unknown Shanghai district"))
		}
		conds = append(conds, "(a.district_code = ? OR b.district_code = ?)")
		args = append(args, d.Code, d.Code)
	}
	if f.Industry != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM contract_patents xp JOIN patents xq ON xq.id = xp.patent_id WHERE xp.contract_id = c.id AND xq.industry = ?)")
		args = append(args, f.Industry)
	}
	if f.Kind != "" {
		if kindCode(f.Kind) == kindOther {
			errs = append(errs, fieldErr("kind", "invalid", "未知的合同类型", "unknown contract kind"))
		}
		conds = append(conds, "c.kind = ?")
		args = append(args, f.Kind)
	}
	if f.FeeModel != "" {
		if !slices.Contains(market.FeeModels, f.FeeModel) {
			errs = append(errs, fieldErr("fee_model", "invalid", "未知的许可费模式", "unknown fee model"))
		}
		if f.FeeModel == market.FeeFree {
			conds = append(conds, "(d.fee_model = ? OR (d.id IS NULL AND c.fee_fen = 0))")
		} else {
			conds = append(conds, "d.fee_model = ?")
		}
		args = append(args, f.FeeModel)
	}
	return strings.Join(conds, " AND "), args, errs.Err()
}

const recordsFrom = ` FROM contracts c
	JOIN organisations a ON a.id = c.licensor_id
	JOIN organisations b ON b.id = c.licensee_id
	LEFT JOIN declarations d ON d.id = c.declaration_id`

// ContractRecords lists the deals the filter selects, by signing day then contract number.
func ContractRecords(ctx context.Context, s *market.Store, f Filter) ([]ContractRecord, error) {
	recs, _, err := records(ctx, s, f, 0, 0)
	return recs, err
}

// ContractRecordsPage returns the records at [offset, offset+limit) of the filter's selection, in the
// order of ContractRecords, and how many the filter selects in all (a page on screen over a million
// contracts).
func ContractRecordsPage(ctx context.Context, s *market.Store, f Filter, offset, limit int) ([]ContractRecord, int64, error) {
	if limit <= 0 || offset < 0 {
		return nil, 0, fmt.Errorf("bonus: contract records page: offset %d, limit %d", offset, limit)
	}
	return records(ctx, s, f, offset, limit)
}

// records selects the filter's records, all of them when limit is 0 (the total is then not counted).
func records(ctx context.Context, s *market.Store, f Filter, offset, limit int) ([]ContractRecord, int64, error) {
	where, args, err := f.where()
	if err != nil {
		return nil, 0, err
	}
	db := s.Gorm().WithContext(ctx)
	var total int64
	page, pageArgs := "", args
	if limit > 0 {
		if err := db.Raw(`SELECT COUNT(*)`+recordsFrom+` WHERE `+where, args...).Row().Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("bonus: count contract records: %w", err)
		}
		page, pageArgs = ` LIMIT ? OFFSET ?`, append(slices.Clip(args), limit, offset)
	}
	rows, err := db.Raw(`SELECT c.id, c.contract_no, c.kind, c.status, c.source, c.signed_on, c.effective_on, c.filing_no,
		c.filed_on, a.uscc, a.name, a.kind, a.district_code, b.uscc, b.name, b.district_code, b.is_sme,
		COALESCE(d.fee_model, CASE WHEN c.fee_fen = 0 THEN 'free' ELSE '' END), c.fee_fen, c.amount_due_fen`+
		recordsFrom+` WHERE `+where+` ORDER BY COALESCE(c.signed_on, c.effective_on), c.contract_no`+page, pageArgs...).Rows()
	if err != nil {
		return nil, 0, fmt.Errorf("bonus: contract records: %w", err)
	}
	defer rows.Close()
	var out []ContractRecord
	var ids []int64
	byID := map[int64]int{}
	for rows.Next() {
		var id int64
		var r ContractRecord
		if err := rows.Scan(&id, &r.ContractNo, &r.Kind, &r.Status, &r.Source, &r.SignedOn, &r.EffectiveOn, &r.FilingNo,
			&r.FiledOn, &r.LicensorUSCC, &r.LicensorName, &r.LicensorKind, &r.LicensorDistrict, &r.LicenseeUSCC,
			&r.LicenseeName, &r.LicenseeDistrict, &r.LicenseeSME, &r.FeeModel, &r.FeeFen, &r.AmountDueFen); err != nil {
			return nil, 0, fmt.Errorf("bonus: contract records: %w", err)
		}
		if limit > 0 {
			ids = append(ids, id)
		}
		byID[id] = len(out)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("bonus: contract records: %w", err)
	}
	rows.Close()
	if limit == 0 {
		total = int64(len(out))
	}
	// The patents of the selected contracts in one query: with the same filter for all of them, by ID for
	// a page.
	patentsOf, patentsArgs := `(SELECT c.id`+recordsFrom+` WHERE `+where+`)`, args
	if limit > 0 {
		if len(ids) == 0 {
			return out, total, nil
		}
		patentsOf, patentsArgs = `?`, []any{ids}
	}
	prows, err := db.Raw(`SELECT cp.contract_id, p.application_no, p.industry FROM contract_patents cp
		JOIN patents p ON p.id = cp.patent_id
		WHERE cp.contract_id IN `+patentsOf+`
		ORDER BY cp.contract_id, p.application_no`, patentsArgs...).Rows()
	if err != nil {
		return nil, 0, fmt.Errorf("bonus: contract records' patents: %w", err)
	}
	defer prows.Close()
	for prows.Next() {
		var id int64
		var no, industry string
		if err := prows.Scan(&id, &no, &industry); err != nil {
			return nil, 0, fmt.Errorf("bonus: contract records' patents: %w", err)
		}
		i, ok := byID[id]
		if !ok {
			continue
		}
		r := &out[i]
		r.Patents = append(r.Patents, no)
		if industry != "" && !slices.Contains(r.Industries, industry) {
			r.Industries = append(r.Industries, industry)
		}
	}
	if err := prows.Err(); err != nil {
		return nil, 0, fmt.Errorf("bonus: contract records' patents: %w", err)
	}
	for i := range out {
		if out[i].Patents == nil {
			out[i].Patents = []string{}
		}
		if out[i].Industries == nil {
			out[i].Industries = []string{}
		}
	}
	return out, total, nil
}
