package market

// The first pages of holders and licensees: what waits for them (payments to confirm, filings due).

import (
	"context"
	"fmt"
	"slices"
)

// FilingDue is an effective contract still to be filed at CNIPA.
type FilingDue struct {
	Contract ContractView
	DueOn    Date
	DaysLeft int // negative when overdue
}

// PaymentToConfirm is a recorded payment waiting for the licensor.
type PaymentToConfirm struct {
	Payment
	ContractNo string
	Licensee   Organisation
}

// HolderDashboard is what a holder (licensor) sees first.
type HolderDashboard struct {
	Patents           []PatentView // its newest patents (up to 100) with their live declarations
	PatentCount       int64
	DeclaredCount     int64 // patents with a live declaration
	Incoming          []ContractView
	PaymentsToConfirm []PaymentToConfirm
	FilingsDue        []FilingDue // as licensor, soonest first
}

// LicenseeDashboard is what a licensee sees first.
type LicenseeDashboard struct {
	Contracts       []ContractView
	AwaitingPayment []ContractView
	FilingsDue      []FilingDue // as licensee, soonest first (either party may file)
}

// HolderDashboard gathers a holder's patents, incoming licences, payments to confirm and filings due.
func (s *Store) HolderDashboard(ctx context.Context, actor Actor) (*HolderDashboard, error) {
	if actor.Anonymous() {
		return nil, ErrUnauth
	}
	if actor.OrgID == 0 || (actor.Role != RoleHolder && actor.Role != RoleLicensee) {
		return nil, ErrForbidden
	}
	db := s.db.WithContext(ctx)
	out := &HolderDashboard{}
	if err := db.Model(&Patent{}).Where("patentee_id = ?", actor.OrgID).Count(&out.PatentCount).Error; err != nil {
		return nil, fmt.Errorf("market: holder dashboard: %w", err)
	}
	err := db.Model(&Patent{}).Joins("JOIN declarations d ON d.patent_id = patents.id AND d.status = ?", DeclLive).
		Where("patents.patentee_id = ?", actor.OrgID).Count(&out.DeclaredCount).Error
	if err != nil {
		return nil, fmt.Errorf("market: holder dashboard: %w", err)
	}
	var ps []Patent
	if err := db.Where("patentee_id = ?", actor.OrgID).Order("created_at DESC, id DESC").Limit(100).Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("market: holder dashboard: %w", err)
	}
	if out.Patents, err = s.viewsOf(ctx, ps); err != nil {
		return nil, err
	}
	if out.Incoming, err = s.ContractsForActor(ctx, actor, ContractQuery{As: "licensor", Limit: 100}); err != nil {
		return nil, err
	}
	var pays []struct {
		Payment
		ContractNo string
		LicenseeID int64
	}
	err = db.Table("payments").Select("payments.*, c.contract_no AS contract_no, c.licensee_id AS licensee_id").
		Joins("JOIN contracts c ON c.id = payments.contract_id").
		Where("c.licensor_id = ? AND c.status = ? AND payments.confirmed_at IS NULL AND payments.rejected_at IS NULL",
			actor.OrgID, ContractAwaitingPayment).Order("payments.id").Scan(&pays).Error
	if err != nil {
		return nil, fmt.Errorf("market: payments to confirm: %w", err)
	}
	orgs := map[int64]Organisation{}
	for _, p := range pays {
		if _, ok := orgs[p.LicenseeID]; !ok {
			o, err := s.OrgByID(ctx, p.LicenseeID)
			if err != nil {
				return nil, err
			}
			orgs[p.LicenseeID] = *o
		}
		out.PaymentsToConfirm = append(out.PaymentsToConfirm, PaymentToConfirm{Payment: p.Payment, ContractNo: p.ContractNo, Licensee: orgs[p.LicenseeID]})
	}
	out.FilingsDue, err = s.filingsDue(ctx, actor, "licensor")
	return out, err
}

// LicenseeDashboard gathers a licensee's contracts, those awaiting payment and filings due.
func (s *Store) LicenseeDashboard(ctx context.Context, actor Actor) (*LicenseeDashboard, error) {
	if actor.Anonymous() {
		return nil, ErrUnauth
	}
	if actor.OrgID == 0 || actor.Role != RoleLicensee {
		return nil, ErrForbidden
	}
	out := &LicenseeDashboard{}
	var err error
	if out.Contracts, err = s.ContractsForActor(ctx, actor, ContractQuery{As: "licensee", Limit: 100}); err != nil {
		return nil, err
	}
	if out.AwaitingPayment, err = s.ContractsForActor(ctx, actor, ContractQuery{As: "licensee", Status: ContractAwaitingPayment, Limit: 100}); err != nil {
		return nil, err
	}
	out.FilingsDue, err = s.filingsDue(ctx, actor, "licensee")
	return out, err
}

func (s *Store) filingsDue(ctx context.Context, actor Actor, as string) ([]FilingDue, error) {
	cs, err := s.ContractsForActor(ctx, actor, ContractQuery{As: as, Status: ContractEffective, Limit: 1000})
	if err != nil {
		return nil, err
	}
	today := DateOf(s.now())
	out := make([]FilingDue, 0, len(cs))
	for _, c := range cs {
		due := FilingDueOn(&c.Contract)
		out = append(out, FilingDue{Contract: c, DueOn: due, DaysLeft: DaysUntil(today, due)})
	}
	slices.SortStableFunc(out, func(a, b FilingDue) int { return a.DueOn.Time().Compare(b.DueOn.Time()) })
	return out, nil
}
