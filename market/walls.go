package market

// Walls run by their association's operators: create and edit a wall with its rules, pin and exclude
// patents (docs/rules.md §10.1). What a wall shows is computed by the web layer through the search
// engine from WallSetup (docs/architecture.md §9).

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Kinds of a wall's hand-picked patents.
const (
	WallPin     = "pin"
	WallExclude = "exclude"
)

// WallPatent is a pinned or excluded patent of a wall (table wall_patents).
type WallPatent struct {
	WallID   int64  `gorm:"column:wall_id;primaryKey"`
	PatentID int64  `gorm:"column:patent_id;primaryKey"`
	Kind     string `gorm:"column:kind"`
	Position int    `gorm:"column:position"`
}

func (WallPatent) TableName() string { return "wall_patents" }

// WallInput is the body of POST /walls and PUT /walls/{slug}. OrgUSCC names the owning association
// when the bureau creates a wall (an operator's wall is its own association's).
type WallInput struct {
	Slug        string       `json:"slug"`
	Name        string       `json:"name"`
	NameEN      string       `json:"name_en"`
	Description string       `json:"description"`
	Rules       ChannelRules `json:"rules"`
	OrgUSCC     string       `json:"org_uscc,omitempty"`
}

// MayRunWall reports whether the actor may change wall w: the bureau, or an operator of the wall's
// own (verified) association. Operators of another association are refused.
func (a Actor) MayRunWall(w *Wall) error {
	switch {
	case a.Anonymous():
		return ErrUnauth
	case a.IsBureau():
		return nil
	case a.Role == RoleOperator && a.OrgVerified && a.OrgID != 0 && a.OrgID == w.OrgID:
		return nil
	}
	return ErrForbidden
}

// CanCreateWalls reports whether the actor may open walls: the bureau, or an operator of a verified
// industry association.
func (a Actor) CanCreateWalls() bool {
	return a.IsBureau() || (a.UserID != 0 && a.Role == RoleOperator && a.OrgVerified && a.OrgKind == KindAssociation)
}

// checkWall validates the wall's own fields (not the rules).
func checkWall(in *WallInput) Errors {
	var errs Errors
	in.Slug = strings.TrimSpace(in.Slug)
	in.Name, in.NameEN = strings.TrimSpace(in.Name), strings.TrimSpace(in.NameEN)
	if fe := checkSlug(in.Slug); fe != nil {
		errs = append(errs, fe)
	}
	checkNames(&errs, in.Name, in.NameEN)
	if utf8.RuneCountInString(in.Description) > MaxChannelText {
		errs = append(errs, NewFieldError("description", "too_long", fmt.Sprintf("介绍最多 %d 个字符", MaxChannelText),
			fmt.Sprintf("description: at most %d characters", MaxChannelText)))
	} else if fe := CheckText("description", "介绍", "description", in.Description, true); fe != nil {
		errs = append(errs, fe)
	}
	return errs
}

// CreateWall opens a wall owned by the actor's association (the bureau names it by OrgUSCC).
func (s *Store) CreateWall(ctx context.Context, act Actor, in WallInput) (*Wall, error) {
	if act.Anonymous() {
		return nil, ErrUnauth
	}
	if !act.CanCreateWalls() {
		return nil, ErrForbidden
	}
	errs := checkWall(&in)
	var out *Wall
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		rules, err := CheckRules(tx, "rules", in.Rules)
		errs = append(errs, AsFieldErrors(err)...)
		if err != nil && AsFieldErrors(err) == nil {
			return err
		}
		orgID := act.OrgID
		if act.IsBureau() {
			org, err := orgOfKind(tx, "org_uscc", in.OrgUSCC, KindAssociation)
			if err != nil {
				errs = append(errs, AsFieldErrors(err)...)
				if AsFieldErrors(err) == nil {
					return err
				}
			} else {
				orgID = org.ID
			}
		}
		if len(errs) > 0 {
			return errs
		}
		var n int64
		if err := tx.Model(&Wall{}).Where("slug = ?", in.Slug).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return Errors{NewFieldError("slug", "taken", "该标识已被使用", "this slug is taken")}
		}
		now := s.now()
		w := &Wall{Slug: in.Slug, Name: in.Name, NameEN: in.NameEN, Description: in.Description, OrgID: orgID,
			Rules: rulesJSON(rules), CreatedAt: now, UpdatedAt: &now}
		if err := tx.Create(w).Error; err != nil {
			return err
		}
		out = w
		return nil
	})
	if err != nil {
		return nil, wrapUser(err, "create wall")
	}
	return out, nil
}

// UpdateWall changes a wall's name, description, rules and slug.
func (s *Store) UpdateWall(ctx context.Context, act Actor, slug string, in WallInput) (*Wall, error) {
	var out *Wall
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		w, err := lockWall(tx, slug)
		if err != nil {
			return err
		}
		if err := act.MayRunWall(w); err != nil {
			return err
		}
		if in.Slug == "" {
			in.Slug = w.Slug
		}
		errs := checkWall(&in)
		rules, err := CheckRules(tx, "rules", in.Rules)
		errs = append(errs, AsFieldErrors(err)...)
		if err != nil && AsFieldErrors(err) == nil {
			return err
		}
		if in.OrgUSCC != "" {
			errs = append(errs, NewFieldError("org_uscc", "read_only", "墙的所属协会不能更改", "a wall's association cannot be changed"))
		}
		if len(errs) > 0 {
			return errs
		}
		if in.Slug != w.Slug {
			var n int64
			if err := tx.Model(&Wall{}).Where("slug = ?", in.Slug).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return Errors{NewFieldError("slug", "taken", "该标识已被使用", "this slug is taken")}
			}
		}
		now := s.now()
		w.Slug, w.Name, w.NameEN, w.Description, w.Rules, w.UpdatedAt = in.Slug, in.Name, in.NameEN, in.Description, rulesJSON(rules), &now
		if err := tx.Model(w).Select("slug", "name", "name_en", "description", "rules", "updated_at").Updates(w).Error; err != nil {
			return err
		}
		out = w
		return nil
	})
	if err != nil {
		return nil, wrapUser(err, "update wall %s", slug)
	}
	return out, nil
}

// SetWallPatents replaces a wall's pinned (kind WallPin, in this order) or excluded (WallExclude)
// patents. Every number must name a patent with a live declaration; a patent pinned is no longer
// excluded and the other way round.
func (s *Store) SetWallPatents(ctx context.Context, act Actor, slug, kind string, appNos []string) error {
	max := MaxPins
	if kind == WallExclude {
		max = MaxExcluded
	}
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		w, err := lockWall(tx, slug)
		if err != nil {
			return err
		}
		if err := act.MayRunWall(w); err != nil {
			return err
		}
		ids, err := livePatentIDs(tx, "application_nos", appNos, max)
		if err != nil {
			return err
		}
		if err := tx.Where("wall_id = ? AND kind = ?", w.ID, kind).Delete(&WallPatent{}).Error; err != nil {
			return err
		}
		if len(ids) > 0 {
			if err := tx.Where("wall_id = ? AND patent_id IN ?", w.ID, ids).Delete(&WallPatent{}).Error; err != nil {
				return err
			}
			rows := make([]WallPatent, len(ids))
			for i, id := range ids {
				rows[i] = WallPatent{WallID: w.ID, PatentID: id, Kind: kind, Position: i}
			}
			if err := tx.CreateInBatches(rows, InsertBatch(tx, 4)).Error; err != nil {
				return err
			}
		}
		now := s.now()
		return tx.Model(w).Update("updated_at", &now).Error
	})
	return wrapUser(err, "set wall %s %s", slug, kind)
}

// PinToWall adds one patent at the end of a wall's pins (the "pin to my wall" action).
func (s *Store) PinToWall(ctx context.Context, act Actor, slug, appNo string) error {
	setup, err := s.WallSetup(ctx, slug)
	if err != nil {
		return err
	}
	nos := make([]string, 0, len(setup.Pins)+1)
	for _, p := range setup.Pins {
		if p.Live {
			nos = append(nos, p.ApplicationNo)
		}
	}
	canon, cerr := NormalizeApplicationNo(appNo)
	for _, n := range nos {
		if cerr == nil && n == canon {
			return nil
		}
	}
	return s.SetWallPatents(ctx, act, slug, WallPin, append(nos, appNo))
}

// WallListed is a pinned or excluded patent as the operator sees it: Live false means its declaration
// was withdrawn (the wall no longer shows it).
type WallListed struct {
	PatentID      int64
	ApplicationNo string
	Title         string
	Live          bool
}

// WallSetup is what decides a wall's content: its rules, its pins in order and its exclusions.
type WallSetup struct {
	Wall     Wall
	Org      Organisation
	Rules    ChannelRules
	Pins     []WallListed
	Excluded []WallListed
}

// LivePinIDs returns the pinned patents that are live, in order: the wall's first patents.
func (w *WallSetup) LivePinIDs() []int64 {
	var out []int64
	for _, p := range w.Pins {
		if p.Live {
			out = append(out, p.PatentID)
		}
	}
	return out
}

// HiddenIDs returns every pinned or excluded patent: the rule-matched part of the listing leaves them out.
func (w *WallSetup) HiddenIDs() []int64 {
	out := make([]int64, 0, len(w.Pins)+len(w.Excluded))
	for _, l := range [][]WallListed{w.Pins, w.Excluded} {
		for _, p := range l {
			out = append(out, p.PatentID)
		}
	}
	return out
}

// WallSetup loads a wall with its owner, rules, pins and exclusions.
func (s *Store) WallSetup(ctx context.Context, slug string) (*WallSetup, error) {
	w, org, err := s.WallBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	out := &WallSetup{Wall: *w, Org: *org}
	if out.Rules, err = ParseRulesJSON(w.Rules); err != nil {
		return nil, err
	}
	var rows []struct {
		WallListed
		Kind string
	}
	err = s.reader().WithContext(ctx).Raw(`SELECT wp.patent_id AS patent_id, p.application_no AS application_no,
			p.title AS title, wp.kind AS kind, (d.id IS NOT NULL) AS live
		FROM wall_patents wp JOIN patents p ON p.id = wp.patent_id
		LEFT JOIN declarations d ON d.patent_id = p.id AND d.status = ?
		WHERE wp.wall_id = ? ORDER BY wp.kind, wp.position`, DeclLive, w.ID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("market: wall %s patents: %w", slug, err)
	}
	for _, r := range rows {
		if r.Kind == WallPin {
			out.Pins = append(out.Pins, r.WallListed)
		} else {
			out.Excluded = append(out.Excluded, r.WallListed)
		}
	}
	return out, nil
}

// WallsOf lists the walls an actor runs: its association's, or every wall for the bureau.
func (s *Store) WallsOf(ctx context.Context, act Actor) ([]Wall, error) {
	q := s.reader().WithContext(ctx).Order("name, id")
	if !act.IsBureau() {
		if act.OrgID == 0 || act.Role != RoleOperator {
			return nil, nil
		}
		q = q.Where("org_id = ?", act.OrgID)
	}
	var out []Wall
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("market: walls of %d: %w", act.OrgID, err)
	}
	return out, nil
}

func lockWall(tx *gorm.DB, slug string) (*Wall, error) {
	var w Wall
	err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Where("slug = ?", slug).First(&w).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &w, err
}

// orgOfKind finds the organisation a USCC names and checks its kind; field names the input.
func orgOfKind(tx *gorm.DB, field, uscc, kind string) (*Organisation, error) {
	canon, _, err := ValidateUSCC(strings.TrimSpace(uscc))
	if err != nil {
		return nil, NewFieldError(field, "invalid_format", "统一社会信用代码格式错误", "not a valid unified social credit code")
	}
	var org Organisation
	if err := tx.Where("uscc = ?", canon).Limit(1).Find(&org).Error; err != nil {
		return nil, err
	}
	if org.ID == 0 {
		return nil, NewFieldError(field, "unknown_org", "平台上没有该统一社会信用代码的单位", "no organisation with this code on the platform")
	}
	if org.Kind != kind {
		return nil, NewFieldError(field, "wrong_kind", "该单位的类型不符（应为 "+kind+"）", "this organisation is not of the kind "+kind)
	}
	return &org, nil
}
