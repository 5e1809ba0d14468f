package market

// The demand board (技术需求): technology needs posted by organisations. docs/rules.md §10.

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Demand statuses.
const (
	DemandOpen    = "open"
	DemandMatched = "matched"
	DemandClosed  = "closed"
)

// Demand is a technology need (技术需求) posted by an organisation, usually an SME.
type Demand struct {
	ID          int64     `gorm:"column:id;primaryKey"`
	OrgID       int64     `gorm:"column:org_id"`
	Title       string    `gorm:"column:title"`
	Description string    `gorm:"column:description"`
	Industry    string    `gorm:"column:industry"`
	IPC         string    `gorm:"column:ipc"`
	BudgetFen   int64     `gorm:"column:budget_fen"`
	Status      string    `gorm:"column:status"`
	CreatedAt   time.Time `gorm:"column:created_at"`
}

func (Demand) TableName() string { return "demands" }

// DemandView is a demand with the name and district of the organisation that posted it.
type DemandView struct {
	Demand
	OrgName     string
	OrgDistrict string
	OrgKind     string
	OrgIsSME    bool
}

// WallDemands returns the newest open demands of a wall's industry (all industries when it has none).
func (s *Store) WallDemands(ctx context.Context, w *Wall, n int) ([]DemandView, error) {
	q := s.demandQuery(ctx).Where("demands.status = ?", DemandOpen)
	if w.Industry != "" {
		q = q.Where("demands.industry = ?", w.Industry)
	}
	var out []DemandView
	if err := q.Order("demands.created_at DESC, demands.id DESC").Limit(n).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("market: wall %s demands: %w", w.Slug, err)
	}
	return out, nil
}

func (s *Store) demandQuery(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Table("demands").
		Select("demands.*, o.name AS org_name, o.district_code AS org_district, o.kind AS org_kind, o.is_sme AS org_is_sme").
		Joins("JOIN organisations o ON o.id = demands.org_id")
}

// Demands returns one page of demands, newest first, and the total count.
func (s *Store) Demands(ctx context.Context, limit, offset int) ([]DemandView, int64, error) {
	var total int64
	if err := s.db.WithContext(ctx).Model(&Demand{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("market: count demands: %w", err)
	}
	var out []DemandView
	err := s.demandQuery(ctx).Order("demands.created_at DESC, demands.id DESC").Limit(limit).Offset(offset).Scan(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("market: list demands: %w", err)
	}
	return out, total, nil
}
