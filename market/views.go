package market

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// PatentView is a patent with what pages show beside it: its patentee and live declaration.
type PatentView struct {
	Patent
	Patentee    Organisation
	Declaration *Declaration // nil when no live declaration
}

// PatentsByIDs loads patents in the order of ids (the search engine's ranking); unknown IDs are skipped.
func (s *Store) PatentsByIDs(ctx context.Context, ids []int64) ([]PatentView, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var ps []Patent
	if err := s.reader().WithContext(ctx).Where("id IN ?", ids).Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("market: load patents: %w", err)
	}
	views, err := s.viewsOf(ctx, ps)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]PatentView, len(views))
	for _, v := range views {
		byID[v.ID] = v
	}
	out := make([]PatentView, 0, len(ids))
	for _, id := range ids {
		if v, ok := byID[id]; ok {
			out = append(out, v)
		}
	}
	return out, nil
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
	out := map[int64]*Declaration{}
	if len(patentIDs) == 0 {
		return out, nil
	}
	var ds []Declaration
	if err := s.reader().WithContext(ctx).Where("patent_id IN ? AND status = ?", patentIDs, DeclLive).Find(&ds).Error; err != nil {
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
