package market

// Supermarkets run by operators (docs/rules.md §10.2): a district office opens one for a park in its
// own district and names the service agency that runs it; the agency edits it (all but the district
// and the agency) and stocks its shelves; the bureau may do everything.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
)

// MaxShelves bounds a supermarket's shelves; MaxPriceBands its price bands.
const (
	MaxShelves    = 30
	MaxPriceBands = 10
)

// SupermarketInput is the body of POST /supermarkets and PUT /supermarkets/{slug}. On PUT an empty
// District or AgencyUSCC keeps the current one.
type SupermarketInput struct {
	Slug           string    `json:"slug"`
	Name           string    `json:"name"`
	NameEN         string    `json:"name_en"`
	District       string    `json:"district"`
	Park           string    `json:"park"`
	AgencyUSCC     string    `json:"agency_uscc"`
	MaxPriceYuan   Numeric   `json:"max_price_yuan"`
	PriceBandsYuan []Numeric `json:"price_bands_yuan"`
}

// ShelfInput is one shelf of PUT /supermarkets/{slug}/shelves.
type ShelfInput struct {
	Key          string       `json:"key"`
	Title        string       `json:"title"`
	Rules        ChannelRules `json:"rules"`
	Pins         []string     `json:"pins"`
	MaxPriceYuan Numeric      `json:"max_price_yuan"`
}

// StockedShelf is a stored shelf (table supermarket_shelves). MaxPriceFen nil: the supermarket's ceiling.
type StockedShelf struct {
	ID            int64  `gorm:"column:id;primaryKey"`
	SupermarketID int64  `gorm:"column:supermarket_id"`
	Key           string `gorm:"column:key"`
	Title         string `gorm:"column:title"`
	Position      int    `gorm:"column:position"`
	Rules         string `gorm:"column:rules"`
	Pins          string `gorm:"column:pins"` // canonical application numbers as JSON
	MaxPriceFen   *int64 `gorm:"column:max_price_fen"`
}

func (StockedShelf) TableName() string { return "supermarket_shelves" }

// Bands returns the supermarket's price bands' upper bounds in fen (nil: the default bands).
func (s *Supermarket) Bands() []int64 {
	var out []int64
	if s.PriceBands != "" {
		_ = json.Unmarshal([]byte(s.PriceBands), &out) // written only by UpdateSupermarket
	}
	return out
}

// ShelfView is a stored shelf decoded.
type ShelfView struct {
	Key         string
	Title       string
	Rules       ChannelRules
	Pins        []string
	MaxPriceFen int64 // the shelf's limit, or the supermarket's ceiling
}

// smRole is what an actor is to a supermarket.
type smRole int

const (
	smNone smRole = iota
	smAgency
	smOffice
	smBureau
)

func (a Actor) roleIn(sm *Supermarket) smRole {
	switch {
	case a.IsBureau():
		return smBureau
	case a.UserID == 0 || a.Role != RoleOperator || !a.OrgVerified || a.OrgID == 0:
		return smNone
	case a.OrgID == sm.OfficeID:
		return smOffice
	case sm.AgencyID != nil && a.OrgID == *sm.AgencyID:
		return smAgency
	}
	return smNone
}

// MayRunSupermarket reports whether the actor may edit sm and stock its shelves: its office's or its
// agency's operators, or the bureau.
func (a Actor) MayRunSupermarket(sm *Supermarket) error {
	if a.Anonymous() {
		return ErrUnauth
	}
	if a.roleIn(sm) == smNone {
		return ErrForbidden
	}
	return nil
}

// CanOpenSupermarkets reports whether the actor may open supermarkets: the bureau, or an operator of a
// verified district office (in its own district).
func (a Actor) CanOpenSupermarkets() bool {
	return a.IsBureau() || (a.UserID != 0 && a.Role == RoleOperator && a.OrgVerified && a.OrgKind == KindDistrictOffice)
}

// checkSupermarket validates the fields every editor may change and returns the ceiling and bands.
func checkSupermarket(in *SupermarketInput, errs *Errors) (ceiling int64, bands []int64) {
	in.Slug, in.Name, in.NameEN, in.Park = strings.TrimSpace(in.Slug), strings.TrimSpace(in.Name), strings.TrimSpace(in.NameEN), strings.TrimSpace(in.Park)
	if fe := checkSlug(in.Slug); fe != nil {
		*errs = append(*errs, fe)
	}
	checkNames(errs, in.Name, in.NameEN)
	if utf8.RuneCountInString(in.Park) > 100 {
		*errs = append(*errs, NewFieldError("park", "too_long", "园区名称最多 100 个字符", "park: at most 100 characters"))
	} else if fe := CheckText("park", "园区", "park", in.Park, false); fe != nil {
		*errs = append(*errs, fe)
	}
	ceiling = DefaultSupermarketMaxFen
	if strings.TrimSpace(string(in.MaxPriceYuan)) != "" {
		f, fe := ParseYuanFen("max_price_yuan", string(in.MaxPriceYuan))
		switch {
		case fe != nil:
			*errs = append(*errs, fe)
		case f <= 0:
			*errs = append(*errs, NewFieldError("max_price_yuan", "out_of_range", "价格上限应大于 0", "the price ceiling must be above 0"))
		default:
			ceiling = f
		}
	}
	if len(in.PriceBandsYuan) > MaxPriceBands {
		*errs = append(*errs, NewFieldError("price_bands_yuan", "too_many_values", fmt.Sprintf("最多 %d 个价格区间", MaxPriceBands),
			fmt.Sprintf("at most %d price bands", MaxPriceBands)))
		return ceiling, nil
	}
	for i, n := range in.PriceBandsYuan {
		field := fmt.Sprintf("price_bands_yuan[%d]", i)
		f, fe := ParseYuanFen(field, string(n))
		switch {
		case fe != nil:
			*errs = append(*errs, fe)
		case f <= 0:
			*errs = append(*errs, NewFieldError(field, "out_of_range", "价格区间的上限应大于 0", "a price band's upper bound must be above 0"))
		case len(bands) > 0 && f <= bands[len(bands)-1]:
			*errs = append(*errs, NewFieldError(field, "out_of_order", "价格区间应从低到高排列，且互不相同",
				"price bands must be in ascending order, without repeats"))
		case f > ceiling:
			*errs = append(*errs, NewFieldError(field, "above_ceiling",
				fmt.Sprintf("价格区间 %s 元高于价格上限 %s 元", Fen(f), Fen(ceiling)),
				fmt.Sprintf("price band %s yuan is above the ceiling of %s yuan", Fen(f), Fen(ceiling))))
		default:
			bands = append(bands, f)
		}
	}
	return ceiling, bands
}

func bandsJSON(bands []int64) string {
	if len(bands) == 0 {
		return ""
	}
	b, _ := json.Marshal(bands) // integers: cannot fail
	return string(b)
}

// OpenSupermarket opens a supermarket: a district office's operator in its own district (the
// supermarket's office is the actor's), or the bureau (the office is the district's district office).
func (s *Store) OpenSupermarket(ctx context.Context, act Actor, in SupermarketInput) (*Supermarket, error) {
	if act.Anonymous() {
		return nil, ErrUnauth
	}
	if !act.CanOpenSupermarkets() {
		return nil, ErrForbidden
	}
	var errs Errors
	ceiling, bands := checkSupermarket(&in, &errs)
	var out *Supermarket
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		d, ok := LookupDistrict(in.District)
		if !ok {
			errs = append(errs, NewFieldError("district", "unknown_value", "请填写上海市的区（区名或代码）", "district: a Shanghai district (name or code)"))
		}
		var office Organisation
		if ok {
			q := tx.Where("kind = ? AND district_code = ?", KindDistrictOffice, d.Code)
			if !act.IsBureau() {
				q = q.Where("id = ?", act.OrgID)
			}
			if err := q.Order("id").Limit(1).Find(&office).Error; err != nil {
				return err
			}
			if office.ID == 0 {
				msgZH, msgEN := "只能在本局所在的区开设专利超市", "you can open supermarkets in your own district only"
				if act.IsBureau() {
					msgZH, msgEN = "该区还没有区知识产权局", "this district has no district office on the platform"
				}
				errs = append(errs, NewFieldError("district", "not_your_district", msgZH, msgEN))
			}
		}
		agency, err := orgOfKind(tx, "agency_uscc", in.AgencyUSCC, KindAgency)
		if err != nil && AsFieldErrors(err) == nil {
			return err
		}
		errs = append(errs, AsFieldErrors(err)...)
		if len(errs) > 0 {
			return errs
		}
		var n int64
		if err := tx.Model(&Supermarket{}).Where("slug = ?", in.Slug).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return Errors{NewFieldError("slug", "taken", "该标识已被使用", "this slug is taken")}
		}
		now := s.now()
		sm := &Supermarket{Slug: in.Slug, Name: in.Name, NameEN: in.NameEN, DistrictCode: d.Code, OfficeID: office.ID,
			AgencyID: &agency.ID, Park: in.Park, MaxPriceFen: ceiling, PriceBands: bandsJSON(bands), CreatedAt: now, UpdatedAt: &now}
		if err := tx.Create(sm).Error; err != nil {
			return err
		}
		out = sm
		return nil
	})
	if err != nil {
		return nil, wrapUser(err, "open supermarket")
	}
	return out, nil
}

// UpdateSupermarket edits a supermarket. Its agency's operators may change everything but the district
// and the agency (naming another one is refused, naming the same one or none keeps it); the office's
// operators may name another agency but not move the supermarket to another district; the bureau may
// change both.
func (s *Store) UpdateSupermarket(ctx context.Context, act Actor, slug string, in SupermarketInput) (*Supermarket, error) {
	var out *Supermarket
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		sm, err := lockSupermarket(tx, slug)
		if err != nil {
			return err
		}
		role := act.roleIn(sm)
		if act.Anonymous() {
			return ErrUnauth
		}
		if role == smNone {
			return ErrForbidden
		}
		if in.Slug == "" {
			in.Slug = sm.Slug
		}
		var errs Errors
		ceiling, bands := checkSupermarket(&in, &errs)
		district := sm.DistrictCode
		if strings.TrimSpace(in.District) != "" {
			d, ok := LookupDistrict(in.District)
			switch {
			case !ok:
				errs = append(errs, NewFieldError("district", "unknown_value", "请填写上海市的区（区名或代码）", "district: a Shanghai district (name or code)"))
			case d.Code != sm.DistrictCode && role != smBureau:
				errs = append(errs, NewFieldError("district", "read_only", "只有市知识产权局可以更改专利超市所在的区",
					"only the bureau can move a supermarket to another district"))
			default:
				district = d.Code
			}
		}
		agencyID := sm.AgencyID
		if strings.TrimSpace(in.AgencyUSCC) != "" {
			agency, err := orgOfKind(tx, "agency_uscc", in.AgencyUSCC, KindAgency)
			switch {
			case err != nil && AsFieldErrors(err) == nil:
				return err
			case err != nil:
				errs = append(errs, AsFieldErrors(err)...)
			case role == smAgency && (sm.AgencyID == nil || agency.ID != *sm.AgencyID):
				errs = append(errs, NewFieldError("agency_uscc", "read_only", "服务机构不能更改运营机构，请联系区知识产权局",
					"the agency cannot name another agency; ask the district office"))
			default:
				agencyID = &agency.ID
			}
		}
		officeID := sm.OfficeID
		if district != sm.DistrictCode {
			var office Organisation
			if err := tx.Where("kind = ? AND district_code = ?", KindDistrictOffice, district).Order("id").Limit(1).Find(&office).Error; err != nil {
				return err
			}
			if office.ID == 0 {
				errs = append(errs, NewFieldError("district", "not_your_district", "该区还没有区知识产权局", "this district has no district office on the platform"))
			}
			officeID = office.ID
		}
		if len(errs) > 0 {
			return errs
		}
		if in.Slug != sm.Slug {
			var n int64
			if err := tx.Model(&Supermarket{}).Where("slug = ?", in.Slug).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return Errors{NewFieldError("slug", "taken", "该标识已被使用", "this slug is taken")}
			}
		}
		var shelves []StockedShelf
		if err := tx.Where("supermarket_id = ? AND max_price_fen > ?", sm.ID, ceiling).Find(&shelves).Error; err != nil {
			return err
		}
		if len(shelves) > 0 {
			return Errors{NewFieldError("max_price_yuan", "below_shelf", "货架“"+shelves[0].Title+"”的价格上限高于新的价格上限，请先调整货架",
				"the shelf "+shelves[0].Key+" has a price limit above the new ceiling; change the shelf first")}
		}
		now := s.now()
		sm.Slug, sm.Name, sm.NameEN, sm.Park, sm.MaxPriceFen, sm.PriceBands = in.Slug, in.Name, in.NameEN, in.Park, ceiling, bandsJSON(bands)
		sm.DistrictCode, sm.OfficeID, sm.AgencyID, sm.UpdatedAt = district, officeID, agencyID, &now
		if err := tx.Model(sm).Select("slug", "name", "name_en", "park", "max_price_fen", "price_bands", "district_code",
			"office_id", "agency_id", "updated_at").Updates(sm).Error; err != nil {
			return err
		}
		out = sm
		return nil
	})
	if err != nil {
		return nil, wrapUser(err, "update supermarket %s", slug)
	}
	return out, nil
}

// SetShelves replaces a supermarket's shelves, in the given order: keys unique, titles plain text,
// rules as for walls, pins live patents, price limits within the supermarket's ceiling.
func (s *Store) SetShelves(ctx context.Context, act Actor, slug string, in []ShelfInput) error {
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		sm, err := lockSupermarket(tx, slug)
		if err != nil {
			return err
		}
		if err := act.MayRunSupermarket(sm); err != nil {
			return err
		}
		if len(in) > MaxShelves {
			return Errors{NewFieldError("shelves", "too_many_values", fmt.Sprintf("最多 %d 个货架", MaxShelves), fmt.Sprintf("at most %d shelves", MaxShelves))}
		}
		var errs Errors
		rows := make([]StockedShelf, 0, len(in))
		seen := map[string]bool{}
		for i, sh := range in {
			f := func(name string) string { return fmt.Sprintf("[%d].%s", i, name) }
			key := strings.TrimSpace(sh.Key)
			if fe := checkSlug(key); fe != nil {
				errs = append(errs, NewFieldError(f("key"), fe.Code, fe.MessageZH, fe.MessageEN))
			} else if seen[key] {
				errs = append(errs, NewFieldError(f("key"), "duplicate", "货架标识重复", "this shelf key is used twice"))
			}
			seen[key] = true
			title := strings.TrimSpace(sh.Title)
			switch {
			case title == "":
				errs = append(errs, NewFieldError(f("title"), "required", "请填写货架名称", "title is required"))
			case utf8.RuneCountInString(title) > 100:
				errs = append(errs, NewFieldError(f("title"), "too_long", "货架名称最多 100 个字符", "title: at most 100 characters"))
			default:
				if fe := CheckText(f("title"), "货架名称", "title", title, false); fe != nil {
					errs = append(errs, fe)
				}
			}
			rules, err := CheckRules(tx, f("rules"), sh.Rules)
			if err != nil && AsFieldErrors(err) == nil {
				return err
			}
			errs = append(errs, AsFieldErrors(err)...)
			ids, err := livePatentIDs(tx, f("pins"), sh.Pins, MaxPins)
			if err != nil && AsFieldErrors(err) == nil {
				return err
			}
			errs = append(errs, AsFieldErrors(err)...)
			nos, err := orderNos(tx, ids)
			if err != nil {
				return err
			}
			var max *int64
			if strings.TrimSpace(string(sh.MaxPriceYuan)) != "" {
				v, fe := ParseYuanFen(f("max_price_yuan"), string(sh.MaxPriceYuan))
				switch {
				case fe != nil:
					errs = append(errs, fe)
				case v > sm.Ceiling():
					errs = append(errs, NewFieldError(f("max_price_yuan"), "above_ceiling",
						fmt.Sprintf("货架价格上限高于超市的价格上限 %s 元", Fen(sm.Ceiling())),
						fmt.Sprintf("the shelf's price limit is above the supermarket's ceiling of %s yuan", Fen(sm.Ceiling()))))
				default:
					max = &v
				}
			}
			pins, _ := json.Marshal(nos) // strings: cannot fail
			rows = append(rows, StockedShelf{SupermarketID: sm.ID, Key: key, Title: title, Position: i,
				Rules: rulesJSON(rules), Pins: string(pins), MaxPriceFen: max})
		}
		if len(errs) > 0 {
			return errs
		}
		if err := tx.Where("supermarket_id = ?", sm.ID).Delete(&StockedShelf{}).Error; err != nil {
			return err
		}
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
		now := s.now()
		return tx.Model(sm).Update("updated_at", &now).Error
	})
	return wrapUser(err, "set shelves of %s", slug)
}

// orderNos returns the application numbers of ids in the order of ids.
func orderNos(tx *gorm.DB, ids []int64) ([]string, error) {
	out := make([]string, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID            int64
		ApplicationNo string
	}
	if err := tx.Model(&Patent{}).Select("id, application_no").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	by := make(map[int64]string, len(rows))
	for _, r := range rows {
		by[r.ID] = r.ApplicationNo
	}
	for _, id := range ids {
		out = append(out, by[id])
	}
	return out, nil
}

// Shelves returns a supermarket's stocked shelves in order.
func (s *Store) Shelves(ctx context.Context, sm *Supermarket) ([]ShelfView, error) {
	var rows []StockedShelf
	if err := s.reader().WithContext(ctx).Where("supermarket_id = ?", sm.ID).Order("position").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("market: shelves of %s: %w", sm.Slug, err)
	}
	out := make([]ShelfView, len(rows))
	for i, r := range rows {
		rules, err := ParseRulesJSON(r.Rules)
		if err != nil {
			return nil, err
		}
		var pins []string
		if err := json.Unmarshal([]byte(r.Pins), &pins); err != nil {
			return nil, fmt.Errorf("market: shelf %s pins: %w", r.Key, err)
		}
		out[i] = ShelfView{Key: r.Key, Title: r.Title, Rules: rules, Pins: append([]string{}, pins...), MaxPriceFen: sm.Ceiling()}
		if r.MaxPriceFen != nil {
			out[i].MaxPriceFen = *r.MaxPriceFen
		}
	}
	return out, nil
}

// SupermarketsOf lists the supermarkets an actor runs (as office or agency), or all for the bureau.
func (s *Store) SupermarketsOf(ctx context.Context, act Actor) ([]Supermarket, error) {
	q := s.reader().WithContext(ctx).Order("name, id")
	if !act.IsBureau() {
		if act.OrgID == 0 || act.Role != RoleOperator {
			return nil, nil
		}
		q = q.Where("office_id = ? OR agency_id = ?", act.OrgID, act.OrgID)
	}
	var out []Supermarket
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("market: supermarkets of %d: %w", act.OrgID, err)
	}
	return out, nil
}

// PatentIDsOf resolves canonical application numbers to patent IDs with a live declaration, in order
// (unknown or withdrawn ones are left out): a shelf's pins as shown.
func (s *Store) PatentIDsOf(ctx context.Context, nos []string) ([]int64, error) {
	if len(nos) == 0 {
		return nil, nil
	}
	var rows []struct {
		ID            int64
		ApplicationNo string
	}
	err := s.reader().WithContext(ctx).Raw(`SELECT p.id AS id, p.application_no AS application_no FROM patents p
		JOIN declarations d ON d.patent_id = p.id AND d.status = ? WHERE p.application_no IN ?`, DeclLive, nos).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("market: patents by number: %w", err)
	}
	by := make(map[string]int64, len(rows))
	for _, r := range rows {
		by[r.ApplicationNo] = r.ID
	}
	out := make([]int64, 0, len(nos))
	for _, n := range nos {
		if id, ok := by[n]; ok {
			out = append(out, id)
		}
	}
	return out, nil
}

func lockSupermarket(tx *gorm.DB, slug string) (*Supermarket, error) {
	var sm Supermarket
	if err := tx.Where("slug = ?", slug).Limit(1).Find(&sm).Error; err != nil {
		return nil, err
	}
	if sm.ID == 0 {
		return nil, ErrNotFound
	}
	return &sm, nil
}
