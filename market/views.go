package market

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// PatentView is a patent with what pages show beside it: its patentee and live declaration.
type PatentView struct {
	Patent
	Patentee    Organisation
	Declaration *Declaration // nil when no live declaration
}

// PatentsByIDs loads patents for listings, in the order of ids (the search engine's ranking); unknown
// IDs are skipped. It loads what listings show: the patent without its abstract and timestamps, the
// patentee's ID, USCC, Name, Kind and DistrictCode, and the whole live declaration. It runs for every
// search page, so it is one query with a hand-written scan of those columns: the ORM loading of whole
// rows cost as much as the search itself.
func (s *Store) PatentsByIDs(ctx context.Context, ids []int64) ([]PatentView, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	db := s.listing
	if db == nil {
		db = s.reader()
	}
	rows, err := db.WithContext(ctx).Raw(`SELECT `+viewColumns+`
		FROM patents p JOIN organisations o ON o.id = p.patentee_id
		LEFT JOIN declarations d ON d.patent_id = p.id AND d.status = '`+DeclLive+`'
		WHERE p.id IN ?`, listingIDs(ids)).Rows()
	if err != nil {
		return nil, fmt.Errorf("market: load patents: %w", err)
	}
	defer rows.Close()
	// Rows are scanned straight into their place in the answer (a PatentView is large: copying it
	// through a map was most of a search request's allocation).
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		if _, ok := at[id]; !ok {
			at[id] = i
		}
	}
	out := make([]PatentView, len(ids))
	found := make([]bool, len(ids))
	var v PatentView
	var d declarationScan
	dests := viewDests(&v, &d)
	for rows.Next() {
		v, d = PatentView{}, declarationScan{}
		if err := rows.Scan(dests...); err != nil {
			return nil, fmt.Errorf("market: load patents: %w", err)
		}
		v.Declaration = d.declaration()
		if i, ok := at[v.ID]; ok {
			out[i], found[i] = v, true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("market: load patents: %w", err)
	}
	if len(at) == len(ids) && !slices.Contains(found, false) {
		return out, nil
	}
	// In the order asked, without the IDs not found; an ID asked twice is answered twice.
	kept := make([]PatentView, 0, len(ids))
	for _, id := range ids {
		if j := at[id]; found[j] {
			kept = append(kept, out[j])
		}
	}
	return kept, nil
}

// listingIDs pads ids to the next power of two (at least 8) by repeating the first, so that
// PatentsByIDs's statement has one of a few shapes, each prepared once per connection. A repeated ID
// matches the same row: the answer does not change.
func listingIDs(ids []int64) []int64 {
	n := 8
	for n < len(ids) {
		n *= 2
	}
	if n == len(ids) {
		return ids
	}
	out := make([]int64, n)
	copy(out, ids)
	for i := len(ids); i < n; i++ {
		out[i] = ids[0]
	}
	return out
}

// viewColumns and viewDests list the same columns in the same order (a test compares PatentsByIDs with
// the ORM loading of every field).
const viewColumns = `p.id, p.application_no, p.type, p.title, p.patentee_id, p.filing_date,
	p.grant_date, p.status, p.industry, p.ipc, p.fees_unpaid, p.under_dispute, p.pledged_no_consent,
	p.transfer_price_fen, p.featured,
	o.id, o.uscc, o.name, o.kind, o.district_code,
	d.id, d.patent_id, d.fee_model, d.fee_fen, d.royalty_bp, d.royalty_base, d.entry_fee_fen, d.term_months,
	d.evaluation_report_no, d.status, d.warnings, d.published_at, d.withdrawn_at, d.created_by`

func viewDests(v *PatentView, d *declarationScan) []any {
	p, o := &v.Patent, &v.Patentee
	return []any{&p.ID, &p.ApplicationNo, &p.Type, &p.Title, &p.PatenteeID, &p.FilingDate,
		&p.GrantDate, &p.Status, &p.Industry, &p.IPC, &p.FeesUnpaid, &p.UnderDispute, &p.PledgedNoConsent,
		&p.TransferPriceFen, &p.Featured,
		&o.ID, &o.USCC, &o.Name, &o.Kind, &o.DistrictCode,
		&d.ID, &d.PatentID, &d.FeeModel, &d.FeeFen, &d.RoyaltyBP, &d.RoyaltyBase, &d.EntryFeeFen, &d.TermMonths,
		&d.EvaluationReportNo, &d.Status, &d.Warnings, &d.PublishedAt, &d.WithdrawnAt, &d.CreatedBy}
}

// declarationScan receives the declaration columns of an outer join: all NULL when there is none.
type declarationScan struct {
	ID, PatentID, FeeFen, RoyaltyBP, EntryFeeFen, TermMonths    *int64
	FeeModel, RoyaltyBase, EvaluationReportNo, Status, Warnings *string
	PublishedAt, WithdrawnAt                                    *time.Time
	CreatedBy                                                   *int64
}

func (d *declarationScan) declaration() *Declaration {
	if d.ID == nil {
		return nil
	}
	i := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	out := &Declaration{ID: *d.ID, PatentID: i(d.PatentID), FeeModel: str(d.FeeModel), FeeFen: i(d.FeeFen),
		RoyaltyBP: i(d.RoyaltyBP), RoyaltyBase: str(d.RoyaltyBase), EntryFeeFen: i(d.EntryFeeFen),
		TermMonths: int(i(d.TermMonths)), EvaluationReportNo: str(d.EvaluationReportNo), Status: str(d.Status),
		Warnings: str(d.Warnings), WithdrawnAt: d.WithdrawnAt, CreatedBy: d.CreatedBy}
	if d.PublishedAt != nil {
		out.PublishedAt = *d.PublishedAt
	}
	return out
}

// viewsOf attaches patentees and live declarations to patents in two queries.
func (s *Store) viewsOf(ctx context.Context, ps []Patent) ([]PatentView, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	orgIDs := make([]int64, 0, len(ps))
	pIDs := make([]int64, 0, len(ps))
	for _, p := range ps {
		orgIDs = append(orgIDs, p.PatenteeID)
		pIDs = append(pIDs, p.ID)
	}
	var orgs []Organisation
	if err := s.reader().WithContext(ctx).Where("id IN ?", orgIDs).Find(&orgs).Error; err != nil {
		return nil, fmt.Errorf("market: load patentees: %w", err)
	}
	orgByID := make(map[int64]Organisation, len(orgs))
	for _, o := range orgs {
		orgByID[o.ID] = o
	}
	decls, err := s.LiveDeclarations(ctx, pIDs)
	if err != nil {
		return nil, err
	}
	out := make([]PatentView, len(ps))
	for i, p := range ps {
		out[i] = PatentView{Patent: p, Patentee: orgByID[p.PatenteeID], Declaration: decls[p.ID]}
	}
	return out, nil
}

// LiveDeclarations returns the live declaration of each patent that has one.
func (s *Store) LiveDeclarations(ctx context.Context, patentIDs []int64) (map[int64]*Declaration, error) {
	return liveDeclarations(s.reader().WithContext(ctx), patentIDs)
}

// liveDeclarations is LiveDeclarations read through db (a transaction sees its own writes).
func liveDeclarations(db *gorm.DB, patentIDs []int64) (map[int64]*Declaration, error) {
	out := map[int64]*Declaration{}
	if len(patentIDs) == 0 {
		return out, nil
	}
	var ds []Declaration
	if err := db.Where("patent_id IN ? AND status = ?", patentIDs, DeclLive).Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("market: load declarations: %w", err)
	}
	for i := range ds {
		out[ds[i].PatentID] = &ds[i]
	}
	return out, nil
}

// PatentByApplicationNo loads one patent by its application or patent number in any accepted spelling.
func (s *Store) PatentByApplicationNo(ctx context.Context, no string) (*PatentView, error) {
	canon, err := NormalizeApplicationNo(no)
	if err != nil {
		return nil, ErrNotFound
	}
	var p Patent
	err = s.reader().WithContext(ctx).Where("application_no = ?", canon).First(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("market: load patent %s: %w", canon, err)
	}
	vs, err := s.viewsOf(ctx, []Patent{p})
	if err != nil {
		return nil, err
	}
	return &vs[0], nil
}

// DeclarationHistory lists every declaration a patent ever had, newest first.
func (s *Store) DeclarationHistory(ctx context.Context, patentID int64) ([]Declaration, error) {
	var ds []Declaration
	err := s.reader().WithContext(ctx).Where("patent_id = ?", patentID).Order("published_at DESC, id DESC").Find(&ds).Error
	return ds, err
}

// LatestDeclared returns the patents whose live declarations were published most recently.
func (s *Store) LatestDeclared(ctx context.Context, n int) ([]PatentView, error) {
	var ps []Patent
	err := s.reader().WithContext(ctx).Model(&Patent{}).
		Joins("JOIN declarations d ON d.patent_id = patents.id AND d.status = ?", DeclLive).
		Order("d.published_at DESC, patents.id DESC").Limit(n).Find(&ps).Error
	if err != nil {
		return nil, fmt.Errorf("market: latest declared: %w", err)
	}
	return s.viewsOf(ctx, ps)
}

// Featured returns featured patents with live declarations, newest first.
func (s *Store) Featured(ctx context.Context, n int) ([]PatentView, error) {
	var ps []Patent
	err := s.reader().WithContext(ctx).Model(&Patent{}).
		Joins("JOIN declarations d ON d.patent_id = patents.id AND d.status = ?", DeclLive).
		Where("patents.featured = ?", true).
		Order("d.published_at DESC, patents.id DESC").Limit(n).Find(&ps).Error
	if err != nil {
		return nil, fmt.Errorf("market: featured: %w", err)
	}
	return s.viewsOf(ctx, ps)
}

// IndustryCount is how many patents with a live declaration an industry has.
type IndustryCount struct {
	Industry string
	Count    int64
}

// IndustryCounts counts open-licence patents per industry, largest first.
func (s *Store) IndustryCounts(ctx context.Context) ([]IndustryCount, error) {
	var out []IndustryCount
	err := s.reader().WithContext(ctx).Model(&Patent{}).
		Select("patents.industry AS industry, count(*) AS count").
		Joins("JOIN declarations d ON d.patent_id = patents.id AND d.status = ?", DeclLive).
		Group("patents.industry").Order("count DESC, industry").Scan(&out).Error
	return out, err
}

// LatestPerIndustry returns, for each of the given industries, its n newest open-licence patents, in
// three queries whatever the number of industries (one window query, then patentees and declarations).
func (s *Store) LatestPerIndustry(ctx context.Context, industries []string, n int) (map[string][]PatentView, error) {
	out := make(map[string][]PatentView, len(industries))
	if len(industries) == 0 || n <= 0 {
		return out, nil
	}
	var ids []int64
	err := s.reader().WithContext(ctx).Raw(`SELECT id FROM (
  SELECT p.id, p.industry, d.published_at,
         ROW_NUMBER() OVER (PARTITION BY p.industry ORDER BY d.published_at DESC, p.id DESC) AS pos
  FROM patents p JOIN declarations d ON d.patent_id = p.id AND d.status = ?
  WHERE p.industry IN ?) ranked
WHERE pos <= ? ORDER BY industry, published_at DESC, id DESC`, DeclLive, industries, n).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("market: latest per industry: %w", err)
	}
	views, err := s.PatentsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, v := range views {
		out[v.Industry] = append(out[v.Industry], v)
	}
	return out, nil
}

// OrgByUSCC loads an organisation by its canonical USCC.
func (s *Store) OrgByUSCC(ctx context.Context, uscc string) (*Organisation, error) {
	var o Organisation
	err := s.reader().WithContext(ctx).Where("uscc = ?", uscc).First(&o).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("market: load organisation %s: %w", uscc, err)
	}
	return &o, nil
}

// OrgByID loads an organisation.
func (s *Store) OrgByID(ctx context.Context, id int64) (*Organisation, error) {
	var o Organisation
	err := s.reader().WithContext(ctx).First(&o, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &o, err
}
