package web

// One page of transaction records. bonus.ContractRecords returns every record a filter selects, which is
// right for exports but not for a page on screen over a million contracts; this query selects the same
// records in the same order (a test holds it to bonus.ContractRecords) with LIMIT/OFFSET and a count.
// TODO(lead): a paged variant in package bonus would let this file go.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"patentwall/bonus"
	"patentwall/market"
)

const recordsFromSQL = ` FROM contracts c
	JOIN organisations a ON a.id = c.licensor_id
	JOIN organisations b ON b.id = c.licensee_id
	LEFT JOIN declarations d ON d.id = c.declaration_id`

// recordsWhere is the filter's condition; the filter is already validated (district as its code).
func recordsWhere(f bonus.Filter) (string, []any) {
	conds := []string{"1=1"}
	var args []any
	if !f.From.IsZero() {
		conds = append(conds, dealDay+" >= ?")
		args = append(args, f.From)
	}
	if !f.To.IsZero() {
		conds = append(conds, dealDay+" <= ?")
		args = append(args, f.To)
	}
	if f.District != "" {
		conds = append(conds, "(a.district_code = ? OR b.district_code = ?)")
		args = append(args, f.District, f.District)
	}
	if f.Industry != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM contract_patents xp JOIN patents xq ON xq.id = xp.patent_id WHERE xp.contract_id = c.id AND xq.industry = ?)")
		args = append(args, f.Industry)
	}
	if f.Kind != "" {
		conds = append(conds, "c.kind = ?")
		args = append(args, f.Kind)
	}
	if f.FeeModel != "" {
		if f.FeeModel == market.FeeFree {
			conds = append(conds, "(d.fee_model = ? OR (d.id IS NULL AND c.fee_fen = 0))")
		} else {
			conds = append(conds, "d.fee_model = ?")
		}
		args = append(args, f.FeeModel)
	}
	return strings.Join(conds, " AND "), args
}

// recordsPage returns the records at [offset, offset+limit) of the filter's selection and how many it
// selects in all.
func recordsPage(ctx context.Context, s *market.Store, f bonus.Filter, offset, limit int) ([]bonus.ContractRecord, int64, error) {
	where, args := recordsWhere(f)
	db := s.DB.WithContext(ctx)
	var total int64
	if err := db.Raw(`SELECT COUNT(*)`+recordsFromSQL+` WHERE `+where, args...).Row().Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("web: count records: %w", err)
	}
	rows, err := db.Raw(`SELECT c.id, c.contract_no, c.kind, c.status, c.source, c.signed_on, c.effective_on, c.filing_no,
		c.filed_on, a.uscc, a.name, a.kind, a.district_code, b.uscc, b.name, b.district_code, b.is_sme,
		COALESCE(d.fee_model, CASE WHEN c.fee_fen = 0 THEN 'free' ELSE '' END), c.fee_fen, c.amount_due_fen`+
		recordsFromSQL+` WHERE `+where+` ORDER BY `+dealDay+`, c.contract_no LIMIT ? OFFSET ?`,
		append(args, limit, offset)...).Rows()
	if err != nil {
		return nil, 0, fmt.Errorf("web: records page: %w", err)
	}
	defer rows.Close()
	var out []bonus.ContractRecord
	var ids []int64
	for rows.Next() {
		var id int64
		var r bonus.ContractRecord
		if err := rows.Scan(&id, &r.ContractNo, &r.Kind, &r.Status, &r.Source, &r.SignedOn, &r.EffectiveOn, &r.FilingNo,
			&r.FiledOn, &r.LicensorUSCC, &r.LicensorName, &r.LicensorKind, &r.LicensorDistrict, &r.LicenseeUSCC,
			&r.LicenseeName, &r.LicenseeDistrict, &r.LicenseeSME, &r.FeeModel, &r.FeeFen, &r.AmountDueFen); err != nil {
			return nil, 0, fmt.Errorf("web: records page: %w", err)
		}
		ids = append(ids, id)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("web: records page: %w", err)
	}
	rows.Close()
	if len(ids) == 0 {
		return out, total, nil
	}
	prows, err := db.Raw(`SELECT cp.contract_id, p.application_no, p.industry FROM contract_patents cp
		JOIN patents p ON p.id = cp.patent_id WHERE cp.contract_id IN ? ORDER BY cp.contract_id, p.application_no`, ids).Rows()
	if err != nil {
		return nil, 0, fmt.Errorf("web: records' patents: %w", err)
	}
	defer prows.Close()
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	for prows.Next() {
		var id int64
		var no, industry string
		if err := prows.Scan(&id, &no, &industry); err != nil {
			return nil, 0, fmt.Errorf("web: records' patents: %w", err)
		}
		r := &out[at[id]]
		r.Patents = append(r.Patents, no)
		if industry != "" && !slices.Contains(r.Industries, industry) {
			r.Industries = append(r.Industries, industry)
		}
	}
	if err := prows.Err(); err != nil {
		return nil, 0, fmt.Errorf("web: records' patents: %w", err)
	}
	return out, total, nil
}

// contractIndustries lists the industries of the patents that deals were made over, for the filter.
func contractIndustries(ctx context.Context, s *market.Store) (any, error) {
	var out []string
	err := s.DB.WithContext(ctx).Raw(`SELECT DISTINCT p.industry FROM contract_patents cp JOIN patents p ON p.id = cp.patent_id
		WHERE p.industry <> '' ORDER BY p.industry`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("web: contract industries: %w", err)
	}
	return out, nil
}
