package web

// The operators' demand pages: the moderation queue of the channels they run, and the demand analysis
// (the seed's "分析梳理需求"): per channel, demands by industry and IPC, budgets, the share matched and
// fulfilled, and the industries where demand outruns supply, with charts and a CSV/XLSX export.

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"patentwall/bonus"
	"patentwall/market"
	"patentwall/search"
)

// moderationPage is GET /operator/demands: the pending demands the viewer may moderate.
func (a *App) moderationPage(c *fiber.Ctx) error {
	ds, err := a.Store.ModerationQueue(c.UserContext(), ActorOf(c))
	if err != nil {
		return err
	}
	data := pageData(c)
	data["Demands"] = ds
	return a.Render(c, fiber.StatusOK, "operator_demands", data)
}

// analysisRow is one demand in the analysis and its export.
type analysisRow struct {
	D        *market.DemandView
	Matched  bool
	BestNo   string
	BestScor float64
}

// industryRow is one industry's demand against its supply.
type industryRow struct {
	Industry  string
	Demands   int
	Open      int
	Unmatched int
	Offers    int64
	Outruns   bool // most of its open demands find no good offer
}

// demandAnalysis is what the analysis page and its export show for one channel.
type demandAnalysis struct {
	Channel    string
	Rows       []analysisRow
	Industries []industryRow
	Matched    int
	Fulfilled  int
	Closed     int
	Open       int
}

// budgetBands are the budget buckets of the analysis (upper bounds in fen; -1 unbounded).
var budgetBands = []struct {
	Key    string
	MaxFen int64
}{{"none", 0}, {"lt_100k", 100_000_00}, {"100k_500k", 500_000_00}, {"500k_1m", 1_000_000_00}, {"gt_1m", -1}}

func budgetBand(maxFen int64) int {
	for i, b := range budgetBands {
		if (b.MaxFen < 0) || maxFen <= b.MaxFen {
			return i
		}
	}
	return len(budgetBands) - 1
}

// analyse computes a channel's analysis: a demand counts as matched when fulfilled, or when its best
// live offer is a good match now (search.Match.Good).
func (a *App) analyse(c *fiber.Ctx, channel string) (*demandAnalysis, error) {
	ctx := c.UserContext()
	ds, err := a.Store.ChannelDemands(ctx, channel)
	if err != nil {
		return nil, err
	}
	offers, err := a.Store.OffersByIndustry(ctx)
	if err != nil {
		return nil, err
	}
	an := &demandAnalysis{Channel: channel}
	byInd := map[string]*industryRow{}
	for i := range ds {
		d := &ds[i]
		row := analysisRow{D: d}
		switch d.Status {
		case market.DemandFulfilled:
			row.Matched = true
			an.Fulfilled++
		case market.DemandClosed:
			an.Closed++
		case market.DemandOpen:
			an.Open++
			ms, err := search.Matches(ctx, a.Index, a.Store, search.DemandOf(d), 1)
			if err != nil {
				return nil, a.orUnavailable(ctx, err)
			}
			if len(ms) > 0 {
				row.BestNo, row.BestScor = ms[0].ApplicationNo, roundScore(ms[0].Score)
				row.Matched = ms[0].Good()
			}
		}
		if row.Matched {
			an.Matched++
		}
		ir := byInd[d.Industry]
		if ir == nil {
			ir = &industryRow{Industry: d.Industry, Offers: offers[d.Industry]}
			byInd[d.Industry] = ir
		}
		ir.Demands++
		if d.Status == market.DemandOpen {
			ir.Open++
			if !row.Matched {
				ir.Unmatched++
			}
		}
		an.Rows = append(an.Rows, row)
	}
	for _, ir := range byInd {
		ir.Outruns = ir.Unmatched > 0 && 2*ir.Unmatched >= ir.Open
		an.Industries = append(an.Industries, *ir)
	}
	sort.Slice(an.Industries, func(i, j int) bool {
		x, y := an.Industries[i], an.Industries[j]
		if x.Unmatched != y.Unmatched {
			return x.Unmatched > y.Unmatched
		}
		if x.Demands != y.Demands {
			return x.Demands > y.Demands
		}
		return x.Industry < y.Industry
	})
	return an, nil
}

// share is n of total as a whole percentage ("—" for none).
func share(n, total int) string {
	if total == 0 {
		return "—"
	}
	return strconv.Itoa((200*n+total)/(2*total)) + "%"
}

// charts draws the analysis.
func (an *demandAnalysis) charts(lang string) []Chart {
	var inds []string
	var open, closed, fulfilled []int64
	counts := map[string][3]int64{}
	for _, r := range an.Rows {
		v := counts[r.D.Industry]
		switch r.D.Status {
		case market.DemandOpen:
			v[0]++
		case market.DemandClosed:
			v[1]++
		case market.DemandFulfilled:
			v[2]++
		}
		counts[r.D.Industry] = v
	}
	for _, ir := range an.Industries {
		inds = append(inds, industryName(lang, ir.Industry))
		v := counts[ir.Industry]
		open, closed, fulfilled = append(open, v[0]), append(closed, v[1]), append(fulfilled, v[2])
	}
	ipc := map[string]int64{}
	for _, r := range an.Rows {
		if sym, err := market.ParseIPC(r.D.IPC); err == nil && r.D.IPC != "" {
			ipc[sym.Subclass]++
		}
	}
	var ipcs []string
	for k := range ipc {
		ipcs = append(ipcs, k)
	}
	sort.Slice(ipcs, func(i, j int) bool {
		if ipc[ipcs[i]] != ipc[ipcs[j]] {
			return ipc[ipcs[i]] > ipc[ipcs[j]]
		}
		return ipcs[i] < ipcs[j]
	})
	if len(ipcs) > 12 {
		ipcs = ipcs[:12]
	}
	ipcVals := make([]int64, len(ipcs))
	for i, k := range ipcs {
		ipcVals[i] = ipc[k]
	}
	budget := make([]int64, len(budgetBands))
	budgetLabels := make([]string, len(budgetBands))
	for i, b := range budgetBands {
		budgetLabels[i] = tr(lang, "analysis.budget."+b.Key)
	}
	for _, r := range an.Rows {
		budget[budgetBand(r.D.BudgetMaxFen)]++
	}
	var unmatched, matchedOpen []int64
	for _, ir := range an.Industries {
		unmatched = append(unmatched, int64(ir.Unmatched))
		matchedOpen = append(matchedOpen, int64(ir.Open-ir.Unmatched))
	}
	empty := tr(lang, "analysis.empty")
	return []Chart{
		{ID: "by-industry", Title: tr(lang, "analysis.chart.industry"), Desc: tr(lang, "analysis.chart.industry_desc"), Kind: ChartHBars,
			Labels: inds, Empty: empty, Series: []ChartSeries{{tr(lang, "demand.open"), open}, {tr(lang, "demand.closed"), closed}, {tr(lang, "demand.fulfilled"), fulfilled}}},
		{ID: "by-ipc", Title: tr(lang, "analysis.chart.ipc"), Desc: tr(lang, "analysis.chart.ipc_desc"), Kind: ChartHBars,
			Labels: ipcs, Empty: empty, Series: []ChartSeries{{tr(lang, "analysis.demands"), ipcVals}}},
		{ID: "by-budget", Title: tr(lang, "analysis.chart.budget"), Desc: tr(lang, "analysis.chart.budget_desc"), Kind: ChartBars,
			Labels: budgetLabels, Empty: empty, Series: []ChartSeries{{tr(lang, "analysis.demands"), budget}}},
		{ID: "supply", Title: tr(lang, "analysis.chart.supply"), Desc: tr(lang, "analysis.chart.supply_desc"), Kind: ChartHBars,
			Labels: inds, Empty: empty, Series: []ChartSeries{{tr(lang, "analysis.unmatched"), unmatched}, {tr(lang, "analysis.matched_open"), matchedOpen}}},
	}
}

// analysisPage is GET /operator/demands/analysis?channel=&format=csv|xlsx.
func (a *App) analysisPage(c *fiber.Ctx) error {
	act, lang := ActorOf(c), Lang(c)
	channels, err := a.Store.AnalysisChannels(c.UserContext(), act)
	if err != nil {
		return err
	}
	channel, err := queryOne(c, "channel")
	if err != nil {
		return err
	}
	allowed := act.IsBureau() && channel == "" // the bureau may look at the whole board
	for _, ch := range channels {
		allowed = allowed || ch.Key == channel
	}
	if channel == "" && !act.IsBureau() {
		if len(channels) == 0 {
			data := pageData(c)
			data["NoChannels"] = true
			return a.Render(c, fiber.StatusOK, "operator_analysis", data)
		}
		channel, allowed = channels[0].Key, true
	}
	if !allowed {
		return market.ErrForbidden
	}
	an, err := a.analyse(c, channel)
	if err != nil {
		return err
	}
	format, err := queryOne(c, "format")
	if err != nil {
		return err
	}
	switch format {
	case "":
	case "csv", "xlsx":
		return a.sendAnalysis(c, an, format)
	default:
		return badParam("format", "unknown_value", "format 应为 csv 或 xlsx", "format must be csv or xlsx")
	}
	opts := []option{}
	if act.IsBureau() {
		opts = append(opts, option{Value: "", Label: tr(lang, "analysis.all_channels"), Selected: channel == ""})
	}
	for _, ch := range channels {
		opts = append(opts, option{Value: ch.Key, Label: ch.Name, Selected: ch.Key == channel})
	}
	total := len(an.Rows)
	data := pageData(c)
	data["A"], data["Channels"], data["Charts"] = an, opts, an.charts(lang)
	data["Total"], data["MatchedShare"] = total, share(an.Matched, total)
	data["FulfilledShare"] = share(an.Fulfilled, total)
	data["ExportQuery"] = "channel=" + channel
	return a.Render(c, fiber.StatusOK, "operator_analysis", data)
}

var analysisHeader = []string{"demand_id", "title", "org", "industry", "ipc", "budget_min_yuan", "budget_max_yuan",
	"status", "matched", "best_match", "best_score", "contract_no", "posted_on"}

func (r analysisRow) cells() []string {
	budgetMin, budgetMax := "", ""
	if r.D.BudgetMaxFen > 0 {
		budgetMin, budgetMax = market.Fen(r.D.BudgetMinFen).String(), market.Fen(r.D.BudgetMaxFen).String()
	}
	score := ""
	if r.BestNo != "" {
		score = strconv.FormatFloat(r.BestScor, 'f', 3, 64)
	}
	return []string{strconv.FormatInt(r.D.ID, 10), bonus.Safe(r.D.Title), bonus.Safe(r.D.OrgName), bonus.Safe(r.D.Industry),
		r.D.IPC, budgetMin, budgetMax, r.D.Status, strconv.FormatBool(r.Matched), r.BestNo, score, r.D.ContractNo,
		market.FormatDay(r.D.CreatedAt)}
}

// sendAnalysis writes the analysis's demands as CSV, or as XLSX with a second sheet of the industries.
func (a *App) sendAnalysis(c *fiber.Ctx, an *demandAnalysis, format string) error {
	name := "demands_" + channelFileName(an.Channel) + "." + format
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	if format == "csv" {
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		w := csv.NewWriter(c.Response().BodyWriter())
		rows := [][]string{analysisHeader}
		for _, r := range an.Rows {
			rows = append(rows, r.cells())
		}
		return w.WriteAll(rows)
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	return writeAnalysisXLSX(c.Response().BodyWriter(), an)
}

func channelFileName(ch string) string {
	if ch == "" {
		return "all"
	}
	out := []byte(ch)
	for i, b := range out {
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
			out[i] = '_'
		}
	}
	return string(out)
}

func writeAnalysisXLSX(w io.Writer, an *demandAnalysis) error {
	f := excelize.NewFile()
	defer f.Close()
	put := func(sheet string, rows [][]string) error {
		for i, r := range rows {
			vals := make([]any, len(r))
			for j, v := range r {
				vals[j] = v
			}
			cell, err := excelize.CoordinatesToCellName(1, i+1)
			if err != nil {
				return err
			}
			if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
				return err
			}
		}
		return nil
	}
	if err := f.SetSheetName("Sheet1", "demands"); err != nil {
		return err
	}
	rows := [][]string{analysisHeader}
	for _, r := range an.Rows {
		rows = append(rows, r.cells())
	}
	if err := put("demands", rows); err != nil {
		return err
	}
	if _, err := f.NewSheet("industries"); err != nil {
		return err
	}
	irows := [][]string{{"industry", "demands", "open", "open_unmatched", "live_offers", "demand_outruns_supply"}}
	for _, ir := range an.Industries {
		irows = append(irows, []string{bonus.Safe(ir.Industry), strconv.Itoa(ir.Demands), strconv.Itoa(ir.Open),
			strconv.Itoa(ir.Unmatched), strconv.FormatInt(ir.Offers, 10), strconv.FormatBool(ir.Outruns)})
	}
	if err := put("industries", irows); err != nil {
		return err
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("web: demand analysis xlsx: %w", err)
	}
	return nil
}
