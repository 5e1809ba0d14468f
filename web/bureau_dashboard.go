package web

// The bureau's dashboard (/bureau): the period's deals in charts drawn on the server (per month, free
// and paid; by district; by industry; by fee model; time from listing to deal), each with its numbers
// in a table, and the bonus rounds with their latest runs.

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/gofiber/fiber/v2"

	"patentwall/bonus"
	"patentwall/market"
)

const topIndustries = 12

// dashboardPage is GET /bureau?from=&to=.
func (b *bureau) dashboardPage(c *fiber.Ctx) error {
	ctx, lang := c.UserContext(), Lang(c)
	f := &checkedForm{form: newForm(lang, "from", "to")}
	f.Values["from"], f.Values["to"] = bQuery(c, "from"), bQuery(c, "to")
	to := b.today()
	from := firstOfMonth(to).AddDate(0, -11, 0) // the last twelve months, this one included
	f.date("from", &from)
	f.date("to", &to)
	if to.Before(from) {
		f.add(market.NewFieldError("to", "inverted_window", "结束日期早于开始日期", "the period ends before it starts"))
	} else if to.Time().Sub(from.Time()).Hours() > 24*366*10 {
		f.add(market.NewFieldError("from", "too_long", "统计期间最长十年", "the period can be at most ten years"))
	}
	if f.Valid() { // show the period the figures are for, defaults included
		f.Values["from"], f.Values["to"] = from.String(), to.String()
	}
	data := b.pageData(c, "/bureau")
	data["Form"] = f.form
	data["From"], data["To"] = from, to
	if !f.Valid() {
		return b.a.Render(c, fiber.StatusBadRequest, "bureau/dashboard", data)
	}
	v, err := b.stats.get(from.String()+"/"+to.String(), func() (any, error) {
		return b.a.Store.DealStats(ctx, from, to)
	})
	if err != nil {
		return err
	}
	st := v.(*market.DealStats)
	data["Stats"] = st
	data["Charts"] = dashboardCharts(lang, st)
	if st.Total > 0 {
		data["FreeShare"] = fmt.Sprintf("%.1f%%", float64(st.Free)*100/float64(st.Total))
	}
	rounds, err := bonus.ListRounds(ctx, b.a.Store)
	if err != nil {
		return err
	}
	var rows []roundRow
	for _, r := range rounds {
		runs, err := bonus.Runs(ctx, b.a.Store, r.ID)
		if err != nil {
			return err
		}
		row := roundRow{Round: r, Runs: len(runs)}
		if len(runs) > 0 {
			row.Latest = &runs[0]
		}
		rows = append(rows, row)
	}
	data["Rounds"] = rows
	return b.a.Render(c, fiber.StatusOK, "bureau/dashboard", data)
}

// dashboardCharts builds the five charts of the period.
func dashboardCharts(lang string, st *market.DealStats) []*Chart {
	empty := tr(lang, "bureau.chart.empty")
	deals := func(n int64) string { return tr(lang, "bureau.chart.deals", groupThousands(n)) }
	plain := func(n int64) string { return groupThousands(n) }

	months := &Chart{ID: "ch-months", Kind: ChartBars, Empty: empty, Format: plain, Wide: len(st.Months) > 12,
		Title:  tr(lang, "bureau.chart.months"),
		Series: []ChartSeries{{Name: tr(lang, "bureau.chart.free")}, {Name: tr(lang, "bureau.chart.paid")}}}
	if months.Wide {
		months.Width = 1100
	}
	for _, m := range st.Months {
		months.Labels = append(months.Labels, m.Month)
		months.Series[0].Values = append(months.Series[0].Values, m.Free)
		months.Series[1].Values = append(months.Series[1].Values, m.Paid)
	}
	months.Desc = tr(lang, "bureau.chart.months.desc", st.From.String(), st.To.String(), groupThousands(st.Total), groupThousands(st.Free))

	districts := &Chart{ID: "ch-districts", Kind: ChartHBars, Empty: empty, Format: plain,
		Title:  tr(lang, "bureau.chart.districts"),
		Series: []ChartSeries{{Name: tr(lang, "bureau.chart.licensee_side")}, {Name: tr(lang, "bureau.chart.licensor_side")}}}
	var codes []string
	for _, d := range market.Districts() {
		if st.Licensee[d.Code]+st.Licensor[d.Code] > 0 {
			codes = append(codes, d.Code)
		}
	}
	if st.Licensee[""]+st.Licensor[""] > 0 {
		codes = append(codes, "")
	}
	sortByCount(codes, func(c string) int64 { return st.Licensee[c]*1_000_000_000 + st.Licensor[c] })
	for _, code := range codes {
		districts.Labels = append(districts.Labels, districtName(lang, code))
		districts.Series[0].Values = append(districts.Series[0].Values, st.Licensee[code])
		districts.Series[1].Values = append(districts.Series[1].Values, st.Licensor[code])
	}
	districts.Desc = tr(lang, "bureau.chart.districts.desc")
	if len(codes) > 0 {
		districts.Desc += sentenceGap(lang) + tr(lang, "bureau.chart.top", districtName(lang, codes[0]), deals(st.Licensee[codes[0]]))
	}

	industries := &Chart{ID: "ch-industries", Kind: ChartHBars, Empty: empty, Format: plain,
		Title: tr(lang, "bureau.chart.industries"), Series: []ChartSeries{{Name: tr(lang, "bureau.chart.deals_series")}}}
	var other int64
	for i, ic := range st.Industries {
		if i >= topIndustries {
			other += ic.Count
			continue
		}
		industries.Labels = append(industries.Labels, industryName(lang, ic.Key))
		industries.Series[0].Values = append(industries.Series[0].Values, ic.Count)
	}
	if other > 0 {
		industries.Labels = append(industries.Labels, tr(lang, "bureau.chart.other_industries", len(st.Industries)-topIndustries))
		industries.Series[0].Values = append(industries.Series[0].Values, other)
	}
	industries.Desc = tr(lang, "bureau.chart.industries.desc")
	if len(st.Industries) > 0 {
		industries.Desc += sentenceGap(lang) + tr(lang, "bureau.chart.top", industryName(lang, st.Industries[0].Key), deals(st.Industries[0].Count))
	}

	fees := &Chart{ID: "ch-fees", Kind: ChartBars, Empty: empty, Format: plain,
		Title: tr(lang, "bureau.chart.fees"), Series: []ChartSeries{{Name: tr(lang, "bureau.chart.deals_series")}}}
	for _, fc := range st.FeeModels {
		if fc.Key == "unknown" {
			fees.Labels = append(fees.Labels, tr(lang, "bureau.fee.unknown"))
		} else {
			fees.Labels = append(fees.Labels, label(lang, "fee.", fc.Key))
		}
		fees.Series[0].Values = append(fees.Series[0].Values, fc.Count)
	}
	fees.Desc = tr(lang, "bureau.chart.fees.desc", groupThousands(st.Free), groupThousands(st.Total-st.Free))

	toDeal := &Chart{ID: "ch-todeal", Kind: ChartBars, Empty: empty, Format: plain,
		Title: tr(lang, "bureau.chart.todeal"), Series: []ChartSeries{{Name: tr(lang, "bureau.chart.deals_series")}}}
	lo := 0
	for i, n := range st.ToDeal {
		if i < len(market.ListingBuckets) {
			toDeal.Labels = append(toDeal.Labels, tr(lang, "bureau.chart.days_range", lo, market.ListingBuckets[i]))
			lo = market.ListingBuckets[i] + 1
		} else {
			toDeal.Labels = append(toDeal.Labels, tr(lang, "bureau.chart.days_over", market.ListingBuckets[len(market.ListingBuckets)-1]))
		}
		toDeal.Series[0].Values = append(toDeal.Series[0].Values, n)
	}
	if st.MedianToDeal >= 0 {
		toDeal.Desc = tr(lang, "bureau.chart.todeal.desc", st.MedianToDeal, groupThousands(st.NeverListed))
	} else {
		toDeal.Desc = tr(lang, "bureau.chart.todeal.none", groupThousands(st.NeverListed))
	}
	return []*Chart{months, districts, industries, fees, toDeal}
}

// sortByCount orders keys by a descending weight, then by key.
func sortByCount(keys []string, weight func(string) int64) {
	slices.SortStableFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(weight(b), weight(a)), cmp.Compare(a, b)) })
}

// sentenceGap joins two sentences: Chinese needs no space after its full stop.
func sentenceGap(lang string) string {
	if lang == LangEN {
		return " "
	}
	return ""
}
