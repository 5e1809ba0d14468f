package market

import (
	"context"
	"fmt"
)

// DealFacts are the facts of a deal that the bureau's reviewers judge a bonus line's fraud flags by.
type DealFacts struct {
	Kind, Status, FilingNo   string
	SignedOn, EffectiveOn    Date
	FiledOn, LicenseeFounded Date
	FeeFen                   int64
}

// DealFactsByNo loads the facts of the contracts numbered nos, by number; unknown numbers are left out.
func (s *Store) DealFactsByNo(ctx context.Context, nos []string) (map[string]*DealFacts, error) {
	out := map[string]*DealFacts{}
	if len(nos) == 0 {
		return out, nil
	}
	rows, err := s.db.WithContext(ctx).Raw(`SELECT c.contract_no, c.kind, c.status, c.filing_no, c.signed_on, c.effective_on,
		c.filed_on, b.founded_on, c.fee_fen FROM contracts c JOIN organisations b ON b.id = c.licensee_id
		WHERE c.contract_no IN ?`, nos).Rows()
	if err != nil {
		return nil, fmt.Errorf("market: deal facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var no string
		d := &DealFacts{}
		if err := rows.Scan(&no, &d.Kind, &d.Status, &d.FilingNo, &d.SignedOn, &d.EffectiveOn, &d.FiledOn, &d.LicenseeFounded, &d.FeeFen); err != nil {
			return nil, fmt.Errorf("market: deal facts: %w", err)
		}
		out[no] = d
	}
	return out, rows.Err()
}
