package market

// The bureau's figures of the deals of a period: deals per month (free and paid), by district, by
// industry, by fee model and the time from listing to deal. Every figure is one GROUP BY over the
// contracts of the period, so a million contracts cost the database a few scans, not the server a
// million rows.

import (
	"context"
	"fmt"
	"sort"
)

// KeyCount is one bar of a figure: a category and its number of deals.
type KeyCount struct {
	Key   string
	Count int64
}

// MonthDeals is one month's deals.
type MonthDeals struct {
	Month      string // YYYY-MM
	Free, Paid int64
}

// ListingBuckets are the buckets of the time from listing to deal, in days (upper bounds, inclusive);
// a last, open bucket follows them.
var ListingBuckets = []int{7, 30, 90, 180, 365}

// DealStats are the figures of the deals of one period.
type DealStats struct {
	From, To     Date
	Total, Free  int64
	Months       []MonthDeals     // every month of the period, the empty ones included
	Licensee     map[string]int64 // district code ("" outside Shanghai) → deals
	Licensor     map[string]int64
	Industries   []KeyCount // most deals first
	FeeModels    []KeyCount // FeeModels order, then "unknown"
	ToDeal       []int64    // per ListingBuckets, plus the open bucket
	NeverListed  int64      // deals with no open-licence declaration before them (made off the platform)
	MedianToDeal int        // days, among listed deals (-1 when none)
}

// dealDay is the day a deal counts on, as in the transaction records: signed, else effective.
const dealDay = "COALESCE(c.signed_on, c.effective_on)"

// dealsWhere selects the period's deals; cancelled contracts are not deals.
const dealsWhere = dealDay + " >= ? AND " + dealDay + " <= ? AND c.status <> 'cancelled'"

// isFree is true for free licences: a free declaration, or an imported deal with no fee.
const isFree = "(d.fee_model = 'free' OR (d.id IS NULL AND c.fee_fen = 0))"

// DealStats computes the figures of the deals made from from to to (both days included).
func (s *Store) DealStats(ctx context.Context, from, to Date) (*DealStats, error) {
	db := s.db.WithContext(ctx)
	st := &DealStats{From: from, To: to, Licensee: map[string]int64{}, Licensor: map[string]int64{}, MedianToDeal: -1}
	wrap := func(what string, err error) error { return fmt.Errorf("market: deal stats: %s: %w", what, err) }

	// per day, then rolled up into months here: grouping by a date works alike on both databases
	var days []struct {
		Day   Date
		Total int64
		Free  int64
	}
	err := db.Raw(`SELECT `+dealDay+` AS day, COUNT(*) AS total, SUM(CASE WHEN `+isFree+` THEN 1 ELSE 0 END) AS free
		FROM contracts c LEFT JOIN declarations d ON d.id = c.declaration_id
		WHERE `+dealsWhere+` GROUP BY `+dealDay, from, to).Scan(&days).Error
	if err != nil {
		return nil, wrap("deals per day", err)
	}
	months := map[string]*MonthDeals{}
	for m := firstOfMonth(from); !m.After(to); m = m.AddDate(0, 1, 0) {
		mc := &MonthDeals{Month: m.String()[:7]}
		months[mc.Month] = mc
		st.Months = append(st.Months, MonthDeals{})
	}
	for _, d := range days {
		if mc := months[d.Day.String()[:7]]; mc != nil {
			mc.Free += d.Free
			mc.Paid += d.Total - d.Free
		}
		st.Total += d.Total
		st.Free += d.Free
	}
	i := 0
	for m := firstOfMonth(from); !m.After(to); m = m.AddDate(0, 1, 0) {
		st.Months[i] = *months[m.String()[:7]]
		i++
	}

	for _, side := range []struct {
		col string
		out map[string]int64
	}{{"c.licensee_id", st.Licensee}, {"c.licensor_id", st.Licensor}} {
		var rows []KeyCount
		err := db.Raw(`SELECT o.district_code AS key, COUNT(*) AS count FROM contracts c
			JOIN organisations o ON o.id = `+side.col+` WHERE `+dealsWhere+` GROUP BY o.district_code`, from, to).Scan(&rows).Error
		if err != nil {
			return nil, wrap("deals by district", err)
		}
		for _, r := range rows {
			side.out[r.Key] += r.Count
		}
	}

	err = db.Raw(`SELECT p.industry AS key, COUNT(DISTINCT c.id) AS count FROM contracts c
		JOIN contract_patents cp ON cp.contract_id = c.id JOIN patents p ON p.id = cp.patent_id
		WHERE `+dealsWhere+` GROUP BY p.industry`, from, to).Scan(&st.Industries).Error
	if err != nil {
		return nil, wrap("deals by industry", err)
	}
	sort.SliceStable(st.Industries, func(i, j int) bool {
		a, b := st.Industries[i], st.Industries[j]
		return a.Count > b.Count || (a.Count == b.Count && a.Key < b.Key)
	})

	var fees []KeyCount
	err = db.Raw(`SELECT COALESCE(d.fee_model, CASE WHEN c.fee_fen = 0 THEN 'free' ELSE 'unknown' END) AS key, COUNT(*) AS count
		FROM contracts c LEFT JOIN declarations d ON d.id = c.declaration_id
		WHERE `+dealsWhere+` GROUP BY COALESCE(d.fee_model, CASE WHEN c.fee_fen = 0 THEN 'free' ELSE 'unknown' END)`, from, to).Scan(&fees).Error
	if err != nil {
		return nil, wrap("deals by fee model", err)
	}
	byFee := map[string]int64{}
	for _, f := range fees {
		byFee[f.Key] += f.Count
	}
	for _, m := range append(append([]string{}, FeeModels...), "unknown") {
		st.FeeModels = append(st.FeeModels, KeyCount{Key: m, Count: byFee[m]})
	}

	if err := s.listingToDeal(ctx, st); err != nil {
		return nil, wrap("time from listing to deal", err)
	}
	return st, nil
}

// listingToDeal counts deals by the days between the patent's listing (its open-licence declaration
// was published) and the deal. A deal signed on the platform has its declaration; an imported one
// counts from the earliest declaration of its patents, when there was one before the deal.
func (s *Store) listingToDeal(ctx context.Context, st *DealStats) error {
	listed := `COALESCE(d.published_at, (SELECT MIN(d2.published_at) FROM contract_patents cp
		JOIN declarations d2 ON d2.patent_id = cp.patent_id WHERE cp.contract_id = c.id))`
	// days between two calendar days; the listing instant is taken as its Shanghai day
	days := `CAST(julianday(` + dealDay + `) - julianday(date(` + listed + `, '+8 hours')) AS INTEGER)`
	if s.IsPostgres() {
		days = `(` + dealDay + ` - CAST((` + listed + ` AT TIME ZONE 'Asia/Shanghai') AS DATE))`
	}
	bucket := "CASE WHEN days IS NULL OR days < 0 THEN -1"
	for i, ub := range ListingBuckets {
		bucket += fmt.Sprintf(" WHEN days <= %d THEN %d", ub, i)
	}
	bucket += fmt.Sprintf(" ELSE %d END", len(ListingBuckets))
	var rows []struct {
		Bucket int
		Count  int64
	}
	err := s.db.WithContext(ctx).Raw(`SELECT `+bucket+` AS bucket, COUNT(*) AS count FROM (SELECT `+days+` AS days
		FROM contracts c LEFT JOIN declarations d ON d.id = c.declaration_id WHERE `+dealsWhere+`) x
		GROUP BY `+bucket, st.From, st.To).Scan(&rows).Error
	if err != nil {
		return err
	}
	st.ToDeal = make([]int64, len(ListingBuckets)+1)
	for _, r := range rows {
		if r.Bucket < 0 {
			st.NeverListed += r.Count
		} else {
			st.ToDeal[r.Bucket] += r.Count
		}
	}
	return s.medianToDeal(ctx, st, days)
}

// medianToDeal finds the median number of days from listing to deal with one ordered query for the
// middle row.
func (s *Store) medianToDeal(ctx context.Context, st *DealStats, days string) error {
	var listed int64
	for _, n := range st.ToDeal {
		listed += n
	}
	if listed == 0 {
		return nil
	}
	var mid []int
	err := s.db.WithContext(ctx).Raw(`SELECT days FROM (SELECT `+days+` AS days FROM contracts c
		LEFT JOIN declarations d ON d.id = c.declaration_id WHERE `+dealsWhere+`) x
		WHERE days >= 0 ORDER BY days LIMIT 1 OFFSET ?`, st.From, st.To, (listed-1)/2).Scan(&mid).Error
	if err != nil {
		return err
	}
	if len(mid) > 0 {
		st.MedianToDeal = mid[0]
	}
	return nil
}

// DealIndustries lists the industries of the patents that deals were made over (whatever their
// period or status), in order, for the transaction records' filter.
func (s *Store) DealIndustries(ctx context.Context) ([]string, error) {
	var out []string
	err := s.db.WithContext(ctx).Raw(`SELECT DISTINCT p.industry FROM contract_patents cp JOIN patents p ON p.id = cp.patent_id
		WHERE p.industry <> '' ORDER BY p.industry`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("market: deal industries: %w", err)
	}
	return out, nil
}

// firstOfMonth is the first day of d's month.
func firstOfMonth(d Date) Date {
	t := d.Time()
	return NewDate(t.Year(), t.Month(), 1)
}
