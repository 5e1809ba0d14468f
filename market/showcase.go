package market

// The public showcases: patent walls (专利墙) of industry associations, patent supermarkets (专利超市) of
// district offices. docs/rules.md §10. Read-only queries for the public pages; the demand board is in
// demands.go.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Wall is an industry association's patent wall: it shows the open-licence patents of its industry.
type Wall struct {
	ID          int64      `gorm:"column:id;primaryKey"`
	Slug        string     `gorm:"column:slug"`
	Name        string     `gorm:"column:name"`
	NameEN      string     `gorm:"column:name_en"`
	Industry    string     `gorm:"column:industry"` // "" = every industry (featured patents)
	OrgID       int64      `gorm:"column:org_id"`
	Description string     `gorm:"column:description"`
	Rules       string     `gorm:"column:rules"` // ChannelRules as JSON (walls.go)
	CreatedAt   time.Time  `gorm:"column:created_at"`
	UpdatedAt   *time.Time `gorm:"column:updated_at"`
}

func (Wall) TableName() string { return "walls" }

// Supermarket is a district office's patent supermarket: shelves of low- and mid-price licence and
// transfer offers, run by a service agency in a park.
type Supermarket struct {
	ID           int64  `gorm:"column:id;primaryKey"`
	Slug         string `gorm:"column:slug"`
	Name         string `gorm:"column:name"`
	NameEN       string `gorm:"column:name_en"`
	DistrictCode string `gorm:"column:district_code"`
	OfficeID     int64  `gorm:"column:office_id"`
	AgencyID     *int64 `gorm:"column:agency_id"`
	Park         string `gorm:"column:park"`
	// MaxPriceFen is the dearest offer the supermarket shows; 0 = the default ceiling.
	MaxPriceFen int64      `gorm:"column:max_price_fen"`
	PriceBands  string     `gorm:"column:price_bands"` // upper bounds in fen as JSON ("" = default bands; supermarkets.go)
	CreatedAt   time.Time  `gorm:"column:created_at"`
	UpdatedAt   *time.Time `gorm:"column:updated_at"`
}

func (Supermarket) TableName() string { return "supermarkets" }

// DefaultSupermarketMaxFen is the "中低价" ceiling used when a supermarket sets none: 200,000 yuan, the top
// of the highest bounded price band.
const DefaultSupermarketMaxFen = 200_000_00

// Ceiling returns the supermarket's price ceiling in fen.
func (s *Supermarket) Ceiling() int64 {
	if s.MaxPriceFen > 0 {
		return s.MaxPriceFen
	}
	return DefaultSupermarketMaxFen
}

// WallSummary is a wall with its owner's name and how many open-licence patents it shows (counted
// through the search engine by the web layer: docs/architecture.md §9).
type WallSummary struct {
	Wall
	OrgName string
	Patents int64
}

// Walls lists every wall with its owner, by name (the web layer counts what each shows).
func (s *Store) Walls(ctx context.Context) ([]WallSummary, error) {
	var ws []Wall
	if err := s.db.WithContext(ctx).Order("name, id").Find(&ws).Error; err != nil {
		return nil, fmt.Errorf("market: list walls: %w", err)
	}
	out := make([]WallSummary, len(ws))
	for i := range ws {
		out[i].Wall = ws[i]
		var org Organisation
		if err := s.db.WithContext(ctx).Select("name").Where("id = ?", ws[i].OrgID).Limit(1).Find(&org).Error; err != nil {
			return nil, fmt.Errorf("market: wall %s owner: %w", ws[i].Slug, err)
		}
		out[i].OrgName = org.Name
	}
	return out, nil
}

// WallBySlug loads one wall with its owner.
func (s *Store) WallBySlug(ctx context.Context, slug string) (*Wall, *Organisation, error) {
	var w Wall
	err := s.db.WithContext(ctx).Where("slug = ?", slug).First(&w).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("market: load wall %s: %w", slug, err)
	}
	org, err := s.OrgByID(ctx, w.OrgID)
	if err != nil {
		return nil, nil, fmt.Errorf("market: wall %s owner: %w", slug, err)
	}
	return &w, org, nil
}

// SupermarketSummary is a supermarket with the names of its office and agency.
type SupermarketSummary struct {
	Supermarket
	OfficeName string
	AgencyName string
}

// Supermarkets lists every supermarket by district and name.
func (s *Store) Supermarkets(ctx context.Context) ([]SupermarketSummary, error) {
	var out []SupermarketSummary
	err := s.db.WithContext(ctx).Table("supermarkets").
		Select("supermarkets.*, o.name AS office_name, COALESCE(a.name, '') AS agency_name").
		Joins("JOIN organisations o ON o.id = supermarkets.office_id").
		Joins("LEFT JOIN organisations a ON a.id = supermarkets.agency_id").
		Order("supermarkets.district_code, supermarkets.name, supermarkets.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("market: list supermarkets: %w", err)
	}
	return out, nil
}

// SupermarketBySlug loads one supermarket with its office and agency names.
func (s *Store) SupermarketBySlug(ctx context.Context, slug string) (*SupermarketSummary, error) {
	var out []SupermarketSummary
	err := s.db.WithContext(ctx).Table("supermarkets").
		Select("supermarkets.*, o.name AS office_name, COALESCE(a.name, '') AS agency_name").
		Joins("JOIN organisations o ON o.id = supermarkets.office_id").
		Joins("LEFT JOIN organisations a ON a.id = supermarkets.agency_id").
		Where("supermarkets.slug = ?", slug).Limit(1).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("market: load supermarket %s: %w", slug, err)
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return &out[0], nil
}

// Shelf is one price band of a supermarket: a few offers and how many there are in all.
type Shelf struct {
	Band    string // the band's name, or "transfer"
	MinFen  int64  // exclusive lower bound of the up-front fee
	MaxFen  int64  // inclusive upper bound (the supermarket's ceiling at most)
	Total   int64
	Patents []PatentView
}

// upfrontSQL is the up-front fee of a live declaration (d), as Declaration.AmountDueFen computes it.
const upfrontSQL = "(CASE d.fee_model WHEN 'lump_sum' THEN d.fee_fen WHEN 'entry_plus_royalty' THEN d.entry_fee_fen ELSE 0 END)"

// supermarketIsLocal reports whether any patentee in the supermarket's district has an offer. When none
// has, the supermarket shows the whole city's offers rather than empty shelves.
func (s *Store) supermarketIsLocal(ctx context.Context, sm *Supermarket) (bool, error) {
	if sm.DistrictCode == "" {
		return false, nil
	}
	var ids []int64
	err := s.db.WithContext(ctx).Model(&Patent{}).
		Joins("JOIN organisations o ON o.id = patents.patentee_id").
		Joins("LEFT JOIN declarations d ON d.patent_id = patents.id AND d.status = ?", DeclLive).
		Where("o.district_code = ? AND (d.id IS NOT NULL OR patents.transfer_price_fen > 0)", sm.DistrictCode).
		Limit(1).Pluck("patents.id", &ids).Error
	if err != nil {
		return false, fmt.Errorf("market: supermarket %s scope: %w", sm.Slug, err)
	}
	return len(ids) > 0, nil
}

// ShelfBand is one licence shelf: offers whose up-front fee is in (MinFen, MaxFen] (MaxFen -1:
// unbounded, cut at the supermarket's ceiling), or the free offers when Free is set. Royalty-only
// terms have no up-front fee, so a band with MinFen -1 holds them.
type ShelfBand struct {
	Name   string
	Free   bool
	MinFen int64
	MaxFen int64
}

// inScope narrows a query over patents to the supermarket's district holders when local.
func inScope(q *gorm.DB, sm *Supermarket, local bool) *gorm.DB {
	if !local {
		return q
	}
	return q.Joins("JOIN organisations po ON po.id = patents.patentee_id").Where("po.district_code = ?", sm.DistrictCode)
}

// transferOffers narrows a query over patents to the supermarket's transfer shelf: granted patents of its
// scope offered for sale at no more than its ceiling.
func transferOffers(q *gorm.DB, sm *Supermarket, local bool) *gorm.DB {
	return inScope(q, sm, local).Where("patents.transfer_price_fen > 0 AND patents.transfer_price_fen <= ? AND patents.status = ?",
		sm.Ceiling(), StatusGranted)
}

// SupermarketShelves returns the licence shelves (one per band below the supermarket's ceiling) and the
// transfer shelf, each with up to perShelf offers, cheapest first. local reports whether the offers are
// the district's own (false: the district has none, so the city's are shown).
//
// The licence shelves come from one statement: each live offer gets the index of its band (bands do not
// overlap), a window function numbers the offers of each band and counts them, and only the first
// perShelf of each are read. One scan instead of a count and a select per band (the supermarket page
// was the slowest page under load: README, "Operations").
func (s *Store) SupermarketShelves(ctx context.Context, sm *Supermarket, bands []ShelfBand, perShelf int) (shelves []Shelf, local bool, err error) {
	local, err = s.supermarketIsLocal(ctx, sm)
	if err != nil {
		return nil, false, err
	}
	db := s.reader().WithContext(ctx)
	scopeSQL, scopeArgs := "", []any{}
	if local {
		scopeSQL, scopeArgs = " JOIN organisations po ON po.id = patents.patentee_id AND po.district_code = ?", []any{sm.DistrictCode}
	}
	ceiling := sm.Ceiling()
	var cases []string
	var caseArgs []any
	for _, b := range bands {
		if !b.Free && b.MinFen >= ceiling {
			continue
		}
		max := b.MaxFen
		if max < 0 || max > ceiling {
			max = ceiling
		}
		if b.Free {
			cases = append(cases, "WHEN d.fee_model = ? THEN ?")
			caseArgs = append(caseArgs, FeeFree, len(shelves))
		} else {
			cases = append(cases, "WHEN d.fee_model <> ? AND "+upfrontSQL+" > ? AND "+upfrontSQL+" <= ? THEN ?")
			caseArgs = append(caseArgs, FeeFree, b.MinFen, max, len(shelves))
		}
		shelves = append(shelves, Shelf{Band: b.Name, MinFen: b.MinFen, MaxFen: max})
	}
	var ids []int64
	var bandOf []int // shelf index of ids[i]
	if len(shelves) > 0 {
		var rows []struct {
			ID    int64 `gorm:"column:id"`
			Band  int   `gorm:"column:band"`
			Total int64 `gorm:"column:total"`
		}
		q := `SELECT id, band, total FROM (
  SELECT id, band, ROW_NUMBER() OVER (PARTITION BY band ORDER BY fee, published_at DESC, id) AS rn,
         COUNT(*) OVER (PARTITION BY band) AS total
  FROM (SELECT patents.id AS id, ` + upfrontSQL + ` AS fee, d.published_at AS published_at,
               CASE ` + strings.Join(cases, " ") + ` ELSE -1 END AS band
        FROM patents JOIN declarations d ON d.patent_id = patents.id AND d.status = ?` + scopeSQL + `) offers
  WHERE band >= 0) ranked
WHERE rn <= ? ORDER BY band, rn`
		args := append(append(append(caseArgs, DeclLive), scopeArgs...), perShelf)
		if err := db.Raw(q, args...).Scan(&rows).Error; err != nil {
			return nil, false, fmt.Errorf("market: supermarket %s shelves: %w", sm.Slug, err)
		}
		for _, r := range rows {
			if r.Band < 0 || r.Band >= len(shelves) {
				return nil, false, fmt.Errorf("market: supermarket %s shelves: band %d out of range", sm.Slug, r.Band)
			}
			shelves[r.Band].Total = r.Total
			ids, bandOf = append(ids, r.ID), append(bandOf, r.Band)
		}
	}
	tq := transferOffers(db.Model(&Patent{}), sm, local)
	transfer := Shelf{Band: "transfer", MaxFen: ceiling}
	if err := tq.Session(&gorm.Session{}).Count(&transfer.Total).Error; err != nil {
		return nil, false, fmt.Errorf("market: supermarket %s transfers: %w", sm.Slug, err)
	}
	var tids []int64
	if err := tq.Session(&gorm.Session{}).Order("patents.transfer_price_fen, patents.id").Limit(perShelf).
		Pluck("patents.id", &tids).Error; err != nil {
		return nil, false, fmt.Errorf("market: supermarket %s transfers: %w", sm.Slug, err)
	}
	for _, id := range tids {
		ids, bandOf = append(ids, id), append(bandOf, len(shelves))
	}
	shelves = append(shelves, transfer)
	// Every shelf's patents in one load (a patent may sit on a licence shelf and the transfer shelf).
	views, err := s.PatentsByIDs(ctx, ids)
	if err != nil {
		return nil, false, err
	}
	byID := make(map[int64]PatentView, len(views))
	for _, v := range views {
		byID[v.ID] = v
	}
	for i, id := range ids {
		if v, ok := byID[id]; ok {
			shelves[bandOf[i]].Patents = append(shelves[bandOf[i]].Patents, v)
		}
	}
	return shelves, local, nil
}
