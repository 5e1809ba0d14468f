package market

// Channel statistics and targets (docs/rules.md §10.5): what a wall or supermarket brought about in a
// period, against its performance targets (绩效目标). Every figure is one GROUP BY over the period's
// rows for all the channels asked at once, so the bureau's table of every channel costs the same few
// scans as one channel's page.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ChannelTarget is a channel's performance targets for a period.
type ChannelTarget struct {
	ID          int64     `gorm:"column:id;primaryKey"`
	Channel     string    `gorm:"column:channel"`
	From        Date      `gorm:"column:period_from"`
	To          Date      `gorm:"column:period_to"`
	Listings    int64     `gorm:"column:listings"`
	Intents     int64     `gorm:"column:intents"`
	Contracts   int64     `gorm:"column:contracts"`
	SMEs        int64     `gorm:"column:smes"`
	TurnoverFen int64     `gorm:"column:turnover_fen"`
	SetBy       int64     `gorm:"column:set_by"`
	SetAt       time.Time `gorm:"column:set_at"`
}

func (ChannelTarget) TableName() string { return "channel_targets" }

// ChannelMonth is one month of a channel's deals and intents.
type ChannelMonth struct {
	Month     string // YYYY-MM
	Contracts int64
	Free      int64
	Intents   int64
}

// ChannelStats are a channel's figures for a period. MedianDays is nil when no deal had a listing before
// it; Progress maps each target set (above 0) to the percentage reached.
type ChannelStats struct {
	Channel       string
	From, To      Date
	Listings      int64
	Views         int64
	QRScans       int64
	Intents       int64
	Contracts     int64
	FreeContracts int64
	SMEs          int64
	TurnoverFen   int64
	MedianDays    *int
	Targets       *ChannelTarget
	Progress      map[string]int64
	Months        []ChannelMonth
}

// HasMedian reports whether some deal had a listing before it (pages show MedianValue then).
func (s ChannelStats) HasMedian() bool { return s.MedianDays != nil }

// MedianValue is MedianDays for pages (0 when there is none).
func (s ChannelStats) MedianValue() int {
	if s.MedianDays == nil {
		return 0
	}
	return *s.MedianDays
}

// ownerSQL folds a screen's channel into its wall's.
func ownerSQL(col string) string {
	return "CASE WHEN " + col + " LIKE 'screen:%' THEN 'wall:' || substr(" + col + ", 8) ELSE " + col + " END"
}

// checkPeriod validates a statistics period (from ≤ to, at most 10 years).
func checkPeriod(from, to Date) error {
	switch {
	case from.IsZero():
		return NewParamError("from", "required", "请填写起始日期", "from is required")
	case to.IsZero():
		return NewParamError("to", "required", "请填写截止日期", "to is required")
	case to.Before(from):
		return NewParamError("to", "before_from", "截止日期不能早于起始日期", "to cannot be before from")
	case to.After(from.AddDate(10, 0, 0)):
		return NewParamError("to", "too_long", "统计期间最长 10 年", "the period may be at most 10 years")
	}
	return nil
}

// ChannelStatsFor computes one channel's statistics for its operators and the bureau, with its months.
func (s *Store) ChannelStatsFor(ctx context.Context, act Actor, channel string, from, to Date) (*ChannelStats, error) {
	ch, err := s.mayOperate(s.reader().WithContext(ctx), act, channel)
	if err != nil {
		return nil, err
	}
	if err := checkPeriod(from, to); err != nil {
		return nil, err
	}
	out, err := s.channelStats(ctx, []Channel{ch}, from, to, true)
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}

// AllChannelStats computes every wall's and supermarket's statistics (and those of demands that brought
// intents or deals in the period) side by side, for the bureau.
func (s *Store) AllChannelStats(ctx context.Context, act Actor, from, to Date) ([]ChannelStats, error) {
	if act.Anonymous() {
		return nil, ErrUnauth
	}
	if !act.IsBureau() {
		return nil, ErrForbidden
	}
	if err := checkPeriod(from, to); err != nil {
		return nil, err
	}
	names, err := s.OperatedChannels(ctx, act)
	if err != nil {
		return nil, err
	}
	var demands []string
	err = s.reader().WithContext(ctx).Raw(`SELECT DISTINCT channel FROM contracts WHERE channel LIKE 'demand:%'
		UNION SELECT DISTINCT channel FROM intents WHERE channel LIKE 'demand:%'`).Scan(&demands).Error
	if err != nil {
		return nil, fmt.Errorf("market: channel stats: demands: %w", err)
	}
	sort.Strings(demands)
	chs := make([]Channel, 0, len(names)+len(demands))
	for _, n := range append(names, demands...) {
		if ch, fe := ParseChannel("channel", n); fe == nil {
			chs = append(chs, ch)
		}
	}
	return s.channelStats(ctx, chs, from, to, false)
}

// channelStats computes the statistics of owner channels (walls, supermarkets, demands).
func (s *Store) channelStats(ctx context.Context, chs []Channel, from, to Date, months bool) ([]ChannelStats, error) {
	db := s.reader().WithContext(ctx)
	out := make([]ChannelStats, len(chs))
	idx := map[string]int{}
	var members []string
	for i, ch := range chs {
		out[i] = ChannelStats{Channel: ch.String(), From: from, To: to, Progress: map[string]int64{}}
		idx[ch.String()] = i
		members = append(members, ch.Members()...)
	}
	if len(chs) == 0 {
		return out, nil
	}
	at := func(key string) *ChannelStats {
		if i, ok := idx[key]; ok {
			return &out[i]
		}
		return nil
	}
	startAt, endAt := from.Start().UTC(), to.AddDate(0, 0, 1).Start().UTC()

	// The figures are independent queries, each writing its own fields: they run side by side on the
	// read pool (a million contracts take a scan each; two of them in parallel halve the wait).
	g := new(errgroup.Group)
	// deals (contracts of the period by signing day, else effective day, cancelled ones excepted), free
	// ones, turnover and the days from listing to deal, in one scan
	g.Go(func() error { return wrapErr("deals", s.channelDeals(db, members, from, to, at)) })
	// SMEs served: distinct licensees that are SME enterprises
	g.Go(func() error {
		var smes []struct {
			Ch string
			N  int64
		}
		err := db.Raw(`SELECT `+ownerSQL("c.channel")+` AS ch, COUNT(DISTINCT c.licensee_id) AS n
			FROM contracts c JOIN organisations o ON o.id = c.licensee_id
			WHERE c.channel IN ? AND `+dealsWhere+` AND o.is_sme AND o.kind = ? GROUP BY `+ownerSQL("c.channel"),
			members, from, to, KindEnterprise).Scan(&smes).Error
		for _, r := range smes {
			if st := at(r.Ch); st != nil {
				st.SMEs = r.N
			}
		}
		return wrapErr("smes", err)
	})
	// intents sent in the period
	g.Go(func() error {
		var intents []struct {
			Ch string
			N  int64
		}
		err := db.Raw(`SELECT `+ownerSQL("channel")+` AS ch, COUNT(*) AS n FROM intents
			WHERE channel IN ? AND created_at >= ? AND created_at < ? GROUP BY `+ownerSQL("channel"), members, startAt, endAt).Scan(&intents).Error
		for _, r := range intents {
			if st := at(r.Ch); st != nil {
				st.Intents = r.N
			}
		}
		return wrapErr("intents", err)
	})
	// views (patent pages, once per visitor, patent and day) and QR scans (every arrival from a screen)
	g.Go(func() error {
		var visits []struct {
			Ch    string
			Views int64
			QR    int64
		}
		err := db.Raw(`SELECT `+ownerSQL("channel")+` AS ch, SUM(CASE WHEN patent_id > 0 THEN 1 ELSE 0 END) AS views,
			SUM(CASE WHEN channel LIKE 'screen:%' THEN hits ELSE 0 END) AS qr
			FROM channel_visits WHERE channel IN ? AND day >= ? AND day <= ? GROUP BY `+ownerSQL("channel"), members, from, to).Scan(&visits).Error
		for _, r := range visits {
			if st := at(r.Ch); st != nil {
				st.Views, st.QRScans = r.Views, r.QR
			}
		}
		return wrapErr("visits", err)
	})
	g.Go(func() error { return wrapErr("listings", s.channelListings(db, chs, at)) })
	if months {
		g.Go(func() error { return wrapErr("months", s.channelMonths(db, members, &out[0])) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := channelTargets(db, out); err != nil {
		return nil, wrapErr("targets", err)
	}
	return out, nil
}

// wrapErr says which figure failed (nil stays nil).
func wrapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("market: channel stats: %s: %w", what, err)
}

// channelDeals counts each channel's deals, free ones and turnover, and finds its median days from
// listing to deal: the listing is the open-licence declaration the contract accepted, or (a deal from an
// intent) the day its patent was offered. Grouping by (channel, days) keeps the result small however many
// contracts there are, and costs one scan.
func (s *Store) channelDeals(db *gorm.DB, members []string, from, to Date, at func(string) *ChannelStats) error {
	listed := `COALESCE(d.published_at, c.listed_at)`
	days := `CAST(julianday(` + dealDay + `) - julianday(date(` + listed + `, '+8 hours')) AS INTEGER)`
	if s.IsPostgres() {
		days = `(` + dealDay + ` - CAST((` + listed + ` AT TIME ZONE 'Asia/Shanghai') AS DATE))`
	}
	var rows []struct {
		Ch       string
		Days     *int
		N        int64
		Free     int64
		Turnover int64
	}
	err := db.Raw(`SELECT `+ownerSQL("c.channel")+` AS ch, `+days+` AS days, COUNT(*) AS n,
		SUM(CASE WHEN `+isFree+` THEN 1 ELSE 0 END) AS free, COALESCE(SUM(c.fee_fen), 0) AS turnover
		FROM contracts c LEFT JOIN declarations d ON d.id = c.declaration_id
		WHERE c.channel IN ? AND `+dealsWhere+` GROUP BY 1, 2 ORDER BY 1, 2`, members, from, to).Scan(&rows).Error
	if err != nil {
		return err
	}
	withListing := map[string]int64{}
	for _, r := range rows {
		if st := at(r.Ch); st != nil {
			st.Contracts += r.N
			st.FreeContracts += r.Free
			st.TurnoverFen += r.Turnover
		}
		if r.Days != nil && *r.Days >= 0 {
			withListing[r.Ch] += r.N
		}
	}
	seen := map[string]int64{}
	for _, r := range rows {
		st := at(r.Ch)
		if st == nil || st.MedianDays != nil || r.Days == nil || *r.Days < 0 {
			continue
		}
		// the lower median, as the bureau's deal figures take it
		if mid := (withListing[r.Ch] - 1) / 2; seen[r.Ch]+r.N > mid {
			d := *r.Days
			st.MedianDays = &d
		}
		seen[r.Ch] += r.N
	}
	return nil
}

// channelListings counts what each channel offers now (docs/rules.md §10.5): a wall what its page shows
// (its live pins and the live open-licence patents its rules select, one count each); a supermarket what
// its page shows (supermarketListing); a demand lists nothing. Every channel's count is a condition
// summed over one scan of the patents with their live declaration (d) and holder (o): each patent is one
// row there, so a condition counts distinct patents, and the bureau's table of every channel costs one
// scan however many channels there are (docs/architecture.md §9).
func (s *Store) channelListings(db *gorm.DB, chs []Channel, at func(string) *ChannelStats) error {
	ctx := db.Statement.Context
	var walls, markets []string
	for _, ch := range chs {
		switch ch.Kind {
		case ChannelWall:
			walls = append(walls, ch.Key)
		case ChannelSupermarket:
			markets = append(markets, ch.Key)
		}
	}
	if len(walls) == 0 && len(markets) == 0 {
		return nil
	}
	var sms []Supermarket
	if err := db.Where("slug IN ?", append(markets, "")).Find(&sms).Error; err != nil {
		return err
	}
	// one per channel counted, in the order of the statement's columns
	type listing struct {
		channel string
		pins    int64 // a wall's live pins, counted besides its condition (0 for a supermarket)
		cond    string
		args    []any
	}
	var ls []listing
	for _, slug := range walls {
		w, err := s.WallSetup(ctx, slug)
		if errors.Is(err, ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		cond, as := RulesFilter(w.Rules, w.HiddenIDs()).conds()
		if cond == "" {
			cond = "d.id IS NOT NULL"
		} else {
			cond = "d.id IS NOT NULL AND " + cond
		}
		ls = append(ls, listing{ChannelWall + ":" + slug, int64(len(w.LivePinIDs())), cond, as})
	}
	for i := range sms {
		cond, as, err := s.supermarketListing(ctx, &sms[i])
		if err != nil {
			return err
		}
		ls = append(ls, listing{ChannelSupermarket + ":" + sms[i].Slug, 0, cond, as})
	}
	if len(ls) == 0 {
		return nil
	}
	cols := make([]string, len(ls))
	var args []any
	for i, l := range ls {
		cols[i] = fmt.Sprintf("COALESCE(SUM(CASE WHEN %s THEN 1 ELSE 0 END), 0)", l.cond)
		args = append(args, l.args...)
	}
	rows, err := db.Raw(`SELECT `+strings.Join(cols, ", ")+` FROM patents
		LEFT JOIN declarations d ON d.patent_id = patents.id AND d.status = '`+DeclLive+`'
		JOIN organisations o ON o.id = patents.patentee_id`, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	counts := make([]int64, len(ls))
	dests := make([]any, len(ls))
	for i := range counts {
		dests[i] = &counts[i]
	}
	if !rows.Next() {
		return errors.New("the count returned no row")
	}
	if err := rows.Scan(dests...); err != nil {
		return err
	}
	for i, l := range ls {
		at(l.channel).Listings = l.pins + counts[i]
	}
	return rows.Err()
}

// supermarketListing is the condition, over patents, d and o as channelListings joins them, of the
// patents a supermarket's page shows (SupermarketShelves and the stocked shelves): the live open-licence
// offers of its scope (its district's holders, or the city's when the district has none) up to its price
// ceiling, the transfer offers of that scope up to the ceiling, and each stocked shelf's live pins and
// the offers its rules select under its price limit.
func (s *Store) supermarketListing(ctx context.Context, sm *Supermarket) (string, []any, error) {
	local, err := s.supermarketIsLocal(ctx, sm)
	if err != nil {
		return "", nil, err
	}
	scope, scopeArgs := "1 = 1", []any{}
	if local {
		scope, scopeArgs = "o.district_code = ?", []any{sm.DistrictCode}
	}
	parts := []string{"(d.id IS NOT NULL AND " + scope + " AND " + upfrontSQL + " <= ?)",
		"(" + scope + " AND patents.transfer_price_fen > 0 AND patents.transfer_price_fen <= ? AND patents.status = ?)"}
	args := append(slices.Clone(scopeArgs), sm.Ceiling())
	args = append(append(args, scopeArgs...), sm.Ceiling(), StatusGranted)
	shelves, err := s.Shelves(ctx, sm)
	if err != nil {
		return "", nil, err
	}
	for _, sh := range shelves {
		pins, err := s.PatentIDsOf(ctx, sh.Pins) // live pins only
		if err != nil {
			return "", nil, err
		}
		if len(pins) > 0 {
			parts, args = append(parts, "patents.id IN ?"), append(args, pins)
		}
		f := RulesFilter(sh.Rules, pins)
		limit := sh.MaxPriceFen
		f.MaxFeeFen = &limit
		cond, as := f.conds() // never empty: the price limit is a condition
		parts, args = append(parts, "(d.id IS NOT NULL AND "+cond+")"), append(args, as...)
	}
	return "(" + strings.Join(parts, " OR ") + ")", args, nil
}

// channelTargets attaches to each channel the targets of its period: those set for exactly the period,
// else the latest set whose period overlaps it; and the progress against them.
func channelTargets(db *gorm.DB, out []ChannelStats) error {
	names := make([]string, len(out))
	for i := range out {
		names[i] = out[i].Channel
	}
	var ts []ChannelTarget
	if err := db.Where("channel IN ?", names).Order("set_at DESC, id DESC").Find(&ts).Error; err != nil {
		return err
	}
	for i := range out {
		st := &out[i]
		for j := range ts {
			t := &ts[j]
			if t.Channel != st.Channel || t.To.Before(st.From) || t.From.After(st.To) {
				continue
			}
			if st.Targets == nil || (t.From == st.From && t.To == st.To && (st.Targets.From != st.From || st.Targets.To != st.To)) {
				st.Targets = t
			}
		}
		if t := st.Targets; t != nil {
			for _, p := range []struct {
				key            string
				target, actual int64
			}{{"listings", t.Listings, st.Listings}, {"intents", t.Intents, st.Intents}, {"contracts", t.Contracts, st.Contracts},
				{"smes", t.SMEs, st.SMEs}, {"turnover", t.TurnoverFen, st.TurnoverFen}} {
				if p.target > 0 {
					st.Progress[p.key] = p.actual * 100 / p.target
				}
			}
		}
	}
	return nil
}

// channelMonths fills the months of the period with the channel's deals and intents.
func (s *Store) channelMonths(db *gorm.DB, members []string, st *ChannelStats) error {
	var days []struct {
		Day   Date
		Total int64
		Free  int64
	}
	err := db.Raw(`SELECT `+dealDay+` AS day, COUNT(*) AS total, SUM(CASE WHEN `+isFree+` THEN 1 ELSE 0 END) AS free
		FROM contracts c LEFT JOIN declarations d ON d.id = c.declaration_id
		WHERE c.channel IN ? AND `+dealsWhere+` GROUP BY `+dealDay, members, st.From, st.To).Scan(&days).Error
	if err != nil {
		return err
	}
	var created []time.Time
	err = db.Model(&Intent{}).Where("channel IN ? AND created_at >= ? AND created_at < ?", members,
		st.From.Start().UTC(), st.To.AddDate(0, 0, 1).Start().UTC()).Pluck("created_at", &created).Error
	if err != nil {
		return err
	}
	byMonth := map[string]*ChannelMonth{}
	for m := firstOfMonth(st.From); !m.After(st.To); m = m.AddDate(0, 1, 0) {
		st.Months = append(st.Months, ChannelMonth{Month: m.String()[:7]})
	}
	for i := range st.Months {
		byMonth[st.Months[i].Month] = &st.Months[i]
	}
	for _, d := range days {
		if m := byMonth[d.Day.String()[:7]]; m != nil {
			m.Contracts += d.Total
			m.Free += d.Free
		}
	}
	for _, t := range created {
		if m := byMonth[DateOf(t).String()[:7]]; m != nil {
			m.Intents++
		}
	}
	return nil
}

// TargetInput is a channel's targets for a period.
type TargetInput struct {
	From, To                           Date
	Listings, Intents, Contracts, SMEs int64
	TurnoverFen                        int64
}

// SetChannelTargets sets (or replaces) a channel's targets for a period, by its operators or the bureau.
func (s *Store) SetChannelTargets(ctx context.Context, act Actor, channel string, in TargetInput) (*ChannelTarget, error) {
	var out *ChannelTarget
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		ch, err := s.mayOperate(tx, act, channel)
		if err != nil {
			return err
		}
		var errs Errors
		switch {
		case in.From.IsZero():
			errs = append(errs, NewFieldError("from", "required", "请填写起始日期", "from is required"))
		case in.To.IsZero():
			errs = append(errs, NewFieldError("to", "required", "请填写截止日期", "to is required"))
		case in.To.Before(in.From):
			errs = append(errs, NewFieldError("to", "before_from", "截止日期不能早于起始日期", "to cannot be before from"))
		case in.To.After(in.From.AddDate(10, 0, 0)):
			errs = append(errs, NewFieldError("to", "too_long", "目标期间最长 10 年", "the period may be at most 10 years"))
		}
		for _, f := range []struct {
			name string
			v    int64
		}{{"listings", in.Listings}, {"intents", in.Intents}, {"contracts", in.Contracts}, {"smes", in.SMEs}, {"turnover_yuan", in.TurnoverFen}} {
			if f.v < 0 {
				errs = append(errs, NewFieldError(f.name, "negative", "目标不能为负数", "a target must not be negative"))
			}
		}
		if len(errs) > 0 {
			return errs
		}
		t := &ChannelTarget{Channel: ch.String(), From: in.From, To: in.To, Listings: in.Listings, Intents: in.Intents,
			Contracts: in.Contracts, SMEs: in.SMEs, TurnoverFen: in.TurnoverFen, SetBy: act.UserID, SetAt: s.now()}
		err = tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "channel"}, {Name: "period_from"}, {Name: "period_to"}},
			DoUpdates: clause.AssignmentColumns([]string{"listings", "intents", "contracts", "smes", "turnover_fen", "set_by", "set_at"}),
		}).Create(t).Error
		if err != nil {
			return err
		}
		out = t
		return tx.Where("channel = ? AND period_from = ? AND period_to = ?", t.Channel, t.From, t.To).Take(t).Error
	})
	if err != nil {
		return nil, wrapUser(err, "set targets of %s", strings.TrimSpace(channel))
	}
	return out, nil
}
