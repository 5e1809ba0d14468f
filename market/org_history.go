package market

// The dated history of the organisation facts a bonus run judges (docs/rules.md §3, §9.4): SME status,
// district, operating state and credit. Every change is an entry with the days it is in force, the day
// the platform learned it and who confirmed it; entries are never changed, a correction is a new one.

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// The facts with a history (org_facts.fact).
const (
	FactSME       = "sme"       // "true" | "false"
	FactDistrict  = "district"  // a district code, "" = outside Shanghai
	FactOperating = "operating" // 存续: "true" | "false"
	FactCredit    = "credit"    // good credit: "true" | "false"
)

// Sources of a fact entry.
const (
	FactSourceImport       = "import"
	FactSourceRegistration = "registration"
	FactSourceBureau       = "bureau"
)

// OrgFact is one entry of an organisation's fact history. Zero dates are open: ValidFrom zero = in force
// from the start, ValidTo zero = until further notice, KnownFrom zero = known from the start.
type OrgFact struct {
	ID          int64     `gorm:"column:id;primaryKey"`
	OrgID       int64     `gorm:"column:org_id"`
	Fact        string    `gorm:"column:fact"`
	Value       string    `gorm:"column:value"`
	ValidFrom   Date      `gorm:"column:valid_from"`
	ValidTo     Date      `gorm:"column:valid_to"`
	KnownFrom   Date      `gorm:"column:known_from"`
	Confirmed   bool      `gorm:"column:confirmed"`
	Source      string    `gorm:"column:source"`
	ConfirmedBy *int64    `gorm:"column:confirmed_by"`
	Note        string    `gorm:"column:note"`
	RecordedAt  time.Time `gorm:"column:recorded_at"`
}

func (OrgFact) TableName() string { return "org_facts" }

// Overlaps reports whether the entry's days in force share a day with [from, to] (zero = open).
func (f *OrgFact) Overlaps(from, to Date) bool {
	return (to.IsZero() || f.ValidFrom.IsZero() || !f.ValidFrom.After(to)) &&
		(from.IsZero() || f.ValidTo.IsZero() || !from.After(f.ValidTo))
}

func boolFact(v bool) string { return strconv.FormatBool(v) }

// initialFacts are a new organisation's first facts: in force and known from the start.
func initialFacts(o *Organisation, source string, confirmed bool, at time.Time) []OrgFact {
	return []OrgFact{
		{OrgID: o.ID, Fact: FactSME, Value: boolFact(o.IsSME), Confirmed: o.SMEConfirmed, Source: source, RecordedAt: at},
		{OrgID: o.ID, Fact: FactDistrict, Value: o.DistrictCode, Confirmed: confirmed, Source: source, RecordedAt: at},
		{OrgID: o.ID, Fact: FactOperating, Value: boolFact(o.OperatingNormally), Confirmed: confirmed, Source: source, RecordedAt: at},
		{OrgID: o.ID, Fact: FactCredit, Value: boolFact(o.GoodCredit), Confirmed: confirmed, Source: source, RecordedAt: at},
	}
}

// changedFacts are the entries for the facts an update changes (upd holds the new column values): in
// force and known from today.
func changedFacts(orgID int64, cur *Organisation, upd map[string]any, at time.Time) []OrgFact {
	today := DateOf(at)
	entry := func(fact, value string, confirmed bool) OrgFact {
		return OrgFact{OrgID: orgID, Fact: fact, Value: value, ValidFrom: today, KnownFrom: today, Confirmed: confirmed,
			Source: FactSourceImport, RecordedAt: at}
	}
	var out []OrgFact
	_, sme := upd["is_sme"]
	_, conf := upd["sme_confirmed"]
	if sme || conf {
		v, c := cur.IsSME, cur.SMEConfirmed
		if x, ok := upd["is_sme"].(bool); ok {
			v = x
		}
		if x, ok := upd["sme_confirmed"].(bool); ok {
			c = x
		}
		out = append(out, entry(FactSME, boolFact(v), c))
	}
	if v, ok := upd["district_code"].(string); ok {
		out = append(out, entry(FactDistrict, v, true))
	}
	if v, ok := upd["operating_normally"].(bool); ok {
		out = append(out, entry(FactOperating, boolFact(v), true))
	}
	if v, ok := upd["good_credit"].(bool); ok {
		out = append(out, entry(FactCredit, boolFact(v), true))
	}
	return out
}

// datedFacts are the entries for an import row dated by its facts_from (in.FactsFrom): each fact the
// file gives, in force from that day and known from today, unless the latest entry of that fact already
// says the same from the same day (so the same file imported twice records nothing the second time).
func datedFacts(orgID int64, in *Organisation, use map[string]bool, latest map[string]OrgFact, at time.Time) []OrgFact {
	var out []OrgFact
	for _, f := range []struct {
		column, fact, value string
		confirmed           bool
	}{{"is_sme", FactSME, boolFact(in.IsSME), in.SMEConfirmed}, {"district_code", FactDistrict, in.DistrictCode, true},
		{"operating_normally", FactOperating, boolFact(in.OperatingNormally), true}, {"good_credit", FactCredit, boolFact(in.GoodCredit), true}} {
		if !use[f.column] {
			continue
		}
		if l, ok := latest[f.fact]; ok && l.Value == f.value && sameDay(l.ValidFrom, in.FactsFrom) {
			continue
		}
		out = append(out, OrgFact{OrgID: orgID, Fact: f.fact, Value: f.value, ValidFrom: in.FactsFrom, KnownFrom: DateOf(at),
			Confirmed: f.confirmed, Source: FactSourceImport, RecordedAt: at})
	}
	return out
}

// latestFacts maps each organisation to its latest entry per fact.
func latestFacts(tx *gorm.DB, orgIDs []int64) (map[int64]map[string]OrgFact, error) {
	out := map[int64]map[string]OrgFact{}
	if len(orgIDs) == 0 {
		return out, nil
	}
	var rows []OrgFact
	if err := tx.Where("org_id IN ?", orgIDs).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		if out[r.OrgID] == nil {
			out[r.OrgID] = map[string]OrgFact{}
		}
		out[r.OrgID][r.Fact] = r
	}
	return out, nil
}

func insertFacts(tx *gorm.DB, facts []OrgFact) error {
	if len(facts) == 0 {
		return nil
	}
	return tx.CreateInBatches(facts, InsertBatch(tx, 12)).Error
}

// OrgFactHistory lists an organisation's fact history, newest first (bureau only).
func (s *Store) OrgFactHistory(ctx context.Context, actor Actor, orgID int64) ([]OrgFact, error) {
	if !actor.IsBureau() {
		return nil, ErrForbidden
	}
	var out []OrgFact
	if err := s.db.WithContext(ctx).Where("org_id = ?", orgID).Order("recorded_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("market: fact history of organisation %d: %w", orgID, err)
	}
	return out, nil
}

// checkSMEPeriod refuses a bureau SME decision whose days in force are inverted, or overlap the bounded
// days (with a last day) of an earlier bureau decision without being the same days: restating the same
// days corrects that decision. A decision until further notice is superseded by later ones from their
// first day on.
func checkSMEPeriod(tx *gorm.DB, orgID int64, from, to Date) error {
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return Errors{NewFieldError("valid_to", "inverted_period", "截止日期早于起始日期", "the last day is before the first day")}
	}
	var earlier []OrgFact
	if err := tx.Where("org_id = ? AND fact = ? AND source = ?", orgID, FactSME, FactSourceBureau).Order("id").Find(&earlier).Error; err != nil {
		return err
	}
	for i := range earlier {
		e := &earlier[i]
		if sameDay(e.ValidFrom, from) && sameDay(e.ValidTo, to) {
			continue
		}
		if !e.ValidTo.IsZero() && e.Overlaps(from, to) {
			return Errors{NewFieldError("valid_from", "overlapping_dates",
				fmt.Sprintf("与 %s 作出的中小企业认定（%s）的适用期间重叠：请调整日期，或按原期间重新认定以更正", DateOf(e.RecordedAt), periodText(e.ValidFrom, e.ValidTo)),
				fmt.Sprintf("overlaps the days of the SME decision of %s (%s): change the dates, or restate that decision's days to correct it", DateOf(e.RecordedAt), periodText(e.ValidFrom, e.ValidTo)))}
		}
	}
	return nil
}

func sameDay(a, b Date) bool { return !a.Before(b) && !a.After(b) }

// periodText writes days in force as "FROM – TO", open ends as "…".
func periodText(from, to Date) string {
	f, t := "…", "…"
	if !from.IsZero() {
		f = from.String()
	}
	if !to.IsZero() {
		t = to.String()
	}
	return f + " – " + t
}
