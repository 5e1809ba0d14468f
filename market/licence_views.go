package market

// Reading contracts: one by number for a party or staff, and the lists of an actor.

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// ContractView is a contract with what pages show beside it.
type ContractView struct {
	Contract
	Licensor Organisation
	Licensee Organisation
	Patents  []Patent
	// RecordedFen is the sum of payments recorded and not rejected; ConfirmedFen of those confirmed.
	RecordedFen  int64
	ConfirmedFen int64
	// FilingDueOn is the CNIPA filing deadline of an effective, unfiled contract (zero otherwise).
	FilingDueOn Date
}

// ApplicationNo is the first (usually only) patent's application number.
func (v *ContractView) ApplicationNo() string {
	if len(v.Patents) == 0 {
		return ""
	}
	return v.Patents[0].ApplicationNo
}

// OutstandingFen is what the licensee still has to pay up front (recorded payments count).
func (v *ContractView) OutstandingFen() int64 { return max(v.AmountDueFen-v.RecordedFen, 0) }

// CanSeeContract reports whether the actor may see a contract: its two parties and the bureau only.
func CanSeeContract(actor Actor, c *Contract) bool {
	if actor.Anonymous() {
		return false
	}
	return actor.IsBureau() || (actor.OrgID != 0 && (actor.OrgID == c.LicensorID || actor.OrgID == c.LicenseeID))
}

// contractForActor loads a contract by number and checks that the actor may see it.
func (s *Store) contractForActor(ctx context.Context, db *gorm.DB, actor Actor, contractNo string) (*Contract, error) {
	if actor.Anonymous() {
		return nil, ErrUnauth
	}
	var c Contract
	if err := db.Where("contract_no = ?", strings.TrimSpace(contractNo)).Limit(1).Find(&c).Error; err != nil {
		return nil, fmt.Errorf("market: load contract %s: %w", contractNo, err)
	}
	if c.ID == 0 {
		return nil, ErrNotFound
	}
	if !CanSeeContract(actor, &c) {
		return nil, ErrForbidden
	}
	return &c, nil
}

// ContractByNo loads one contract for its parties or the bureau (others: ErrForbidden; unknown: ErrNotFound).
func (s *Store) ContractByNo(ctx context.Context, actor Actor, contractNo string) (*ContractView, error) {
	c, err := s.contractForActor(ctx, s.db.WithContext(ctx), actor, contractNo)
	if err != nil {
		return nil, err
	}
	vs, err := s.contractViews(ctx, []Contract{*c})
	if err != nil {
		return nil, err
	}
	return &vs[0], nil
}

// ContractQuery filters ContractsForActor.
type ContractQuery struct {
	// As limits an organisation's contracts to one side: "licensor", "licensee" or "" for both.
	As     string
	Status string
	// From and To bound the signing day (inclusive); zero = open.
	From, To Date
	Limit    int // default 100, at most 1000
	Offset   int
}

// ContractsForActor lists the contracts the actor may see, newest first: its organisation's as either
// party, or every contract for the bureau.
func (s *Store) ContractsForActor(ctx context.Context, actor Actor, q ContractQuery) ([]ContractView, error) {
	if actor.Anonymous() {
		return nil, ErrUnauth
	}
	db := s.db.WithContext(ctx).Model(&Contract{})
	switch {
	case actor.OrgID != 0 && q.As == "licensor":
		db = db.Where("licensor_id = ?", actor.OrgID)
	case actor.OrgID != 0 && q.As == "licensee":
		db = db.Where("licensee_id = ?", actor.OrgID)
	case actor.OrgID != 0 && !actor.IsBureau():
		db = db.Where("licensor_id = ? OR licensee_id = ?", actor.OrgID, actor.OrgID)
	case !actor.IsBureau():
		return nil, ErrForbidden
	}
	if q.Status != "" {
		db = db.Where("status = ?", q.Status)
	}
	if !q.From.IsZero() {
		db = db.Where("signed_on >= ?", q.From)
	}
	if !q.To.IsZero() {
		db = db.Where("signed_on <= ?", q.To)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	var cs []Contract
	if err := db.Order("created_at DESC, id DESC").Limit(limit).Offset(max(q.Offset, 0)).Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("market: list contracts: %w", err)
	}
	return s.contractViews(ctx, cs)
}

// contractViews attaches parties, patents and payment sums in a few batch queries.
func (s *Store) contractViews(ctx context.Context, cs []Contract) ([]ContractView, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	db := s.db.WithContext(ctx)
	ids := make([]int64, len(cs))
	orgIDs := make([]int64, 0, 2*len(cs))
	for i, c := range cs {
		ids[i] = c.ID
		orgIDs = append(orgIDs, c.LicensorID, c.LicenseeID)
	}
	var orgs []Organisation
	if err := db.Where("id IN ?", orgIDs).Find(&orgs).Error; err != nil {
		return nil, fmt.Errorf("market: load contract parties: %w", err)
	}
	orgByID := make(map[int64]Organisation, len(orgs))
	for _, o := range orgs {
		orgByID[o.ID] = o
	}
	var links []struct {
		ContractID int64
		Patent
	}
	err := db.Table("contract_patents cp").Select("cp.contract_id AS contract_id, p.*").
		Joins("JOIN patents p ON p.id = cp.patent_id").Where("cp.contract_id IN ?", ids).
		Order("cp.contract_id, p.application_no").Scan(&links).Error
	if err != nil {
		return nil, fmt.Errorf("market: load contract patents: %w", err)
	}
	patents := map[int64][]Patent{}
	for _, l := range links {
		patents[l.ContractID] = append(patents[l.ContractID], l.Patent)
	}
	var sums []struct {
		ContractID   int64
		RecordedFen  int64
		ConfirmedFen int64
	}
	err = db.Model(&Payment{}).Select("contract_id, "+
		"COALESCE(SUM(CASE WHEN rejected_at IS NULL THEN amount_fen ELSE 0 END), 0) AS recorded_fen, "+
		"COALESCE(SUM(CASE WHEN confirmed_at IS NOT NULL THEN amount_fen ELSE 0 END), 0) AS confirmed_fen").
		Where("contract_id IN ?", ids).Group("contract_id").Scan(&sums).Error
	if err != nil {
		return nil, fmt.Errorf("market: sum payments: %w", err)
	}
	out := make([]ContractView, len(cs))
	for i, c := range cs {
		out[i] = ContractView{Contract: c, Licensor: orgByID[c.LicensorID], Licensee: orgByID[c.LicenseeID],
			Patents: patents[c.ID], FilingDueOn: FilingDueOn(&cs[i])}
	}
	pos := make(map[int64]int, len(out))
	for i := range out {
		pos[out[i].ID] = i
	}
	for _, sm := range sums {
		if i, ok := pos[sm.ContractID]; ok {
			out[i].RecordedFen, out[i].ConfirmedFen = sm.RecordedFen, sm.ConfirmedFen
		}
	}
	return out, nil
}

// LiveContractNo returns the number of the organisation's live contract of a declaration ("" when it
// has none): a plain indexed look-up on the contract's live key.
func (s *Store) LiveContractNo(ctx context.Context, declarationID, orgID int64) (string, error) {
	var ct Contract
	err := s.db.WithContext(ctx).Select("id", "contract_no").
		Where("live_key = ?", liveKey(declarationID, orgID)).
		Limit(1).Find(&ct).Error
	return ct.ContractNo, err
}

// liveKey is a live contract's key: one per (declaration, licensee).
func liveKey(declarationID, licenseeID int64) string {
	return fmt.Sprintf("%d:%d", declarationID, licenseeID)
}
