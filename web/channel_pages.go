package web

// The channels' statistics pages: an operator's list of its walls and supermarkets, one channel's
// figures against its targets with a chart by month and CSV/XLSX export, and the bureau's table of every
// channel side by side (docs/interfaces.md §4, §5.9). Exports neutralise cells starting with = + - @.

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"patentwall/bonus"
	"patentwall/market"
)

var targetFields = []string{"from", "to", "listings", "intents", "contracts", "smes", "turnover_yuan"}

// channelsPage is GET /operator/channels: the channels the viewer operates.
func (a *App) channelsPage(c *fiber.Ctx) error {
	names, err := a.Store.OperatedChannels(c.UserContext(), ActorOf(c))
	if err != nil {
		return err
	}
	data := pageData(c)
	data["Channels"] = names
	return a.Render(c, fiber.StatusOK, "deals/channels", data)
}

// channelPage is GET /operator/channels/{channel}?from=&to=[&format=csv|xlsx|json]: one channel's
// statistics and targets.
func (a *App) channelPage(c *fiber.Ctx) error {
	return a.renderChannel(c, fiber.StatusOK, nil)
}

func (a *App) renderChannel(c *fiber.Ctx, status int, failed *form) error {
	from, to, err := a.statsPeriod(c)
	if err != nil {
		return err
	}
	st, err := a.Store.ChannelStatsFor(c.UserContext(), ActorOf(c), channelParam(c), from, to)
	if err != nil {
		return err
	}
	if format := bQuery(c, "format"); format != "" && status == fiber.StatusOK {
		return a.sendChannelStats(c, format, from, to, []market.ChannelStats{*st})
	}
	lang := Lang(c)
	f := failed
	if f == nil {
		f = newForm(lang, targetFields...)
		f.Values["from"], f.Values["to"] = from.String(), to.String()
		if t := st.Targets; t != nil {
			f.Values["from"], f.Values["to"] = t.From.String(), t.To.String()
			for k, v := range map[string]int64{"listings": t.Listings, "intents": t.Intents, "contracts": t.Contracts, "smes": t.SMEs} {
				f.Values[k] = strconv.FormatInt(v, 10)
			}
			f.Values["turnover_yuan"] = market.Fen(t.TurnoverFen).String()
		}
	}
	labels := make([]string, len(st.Months))
	paid, free, intents := make([]int64, len(st.Months)), make([]int64, len(st.Months)), make([]int64, len(st.Months))
	for i, m := range st.Months {
		labels[i], paid[i], free[i], intents[i] = m.Month, m.Contracts-m.Free, m.Free, m.Intents
	}
	chart := &Chart{ID: "chan-months", Title: tr(lang, "chan.chart.title"), Desc: tr(lang, "chan.chart.desc", st.Contracts, st.Intents),
		Kind: ChartBars, Labels: labels, Empty: tr(lang, "chan.chart.empty"), Wide: len(labels) > 12,
		Series: []ChartSeries{{Name: tr(lang, "chan.paid"), Values: paid}, {Name: tr(lang, "chan.free"), Values: free}}}
	intentChart := &Chart{ID: "chan-intents", Title: tr(lang, "chan.chart.intents"), Kind: ChartLine, Labels: labels,
		Empty: tr(lang, "chan.chart.empty"), Series: []ChartSeries{{Name: tr(lang, "chan.intents"), Values: intents}}}
	q := url.Values{"from": {from.String()}, "to": {to.String()}}
	data := pageData(c)
	data["S"], data["Form"], data["Chart"], data["IntentChart"] = st, f, chart, intentChart
	data["Query"] = q.Encode()
	data["ChanPath"] = "/operator/channels/" + st.Channel
	return a.Render(c, status, "deals/channel", data)
}

// channelTargets is POST /operator/channels/{channel}/targets.
func (a *App) channelTargets(c *fiber.Ctx) error {
	f := parseForm(c, targetFields...)
	t, errs := targetInput(f.Get("from"), f.Get("to"), f.Get("turnover_yuan"))
	for _, p := range []struct {
		name string
		v    *int64
	}{{"listings", &t.Listings}, {"intents", &t.Intents}, {"contracts", &t.Contracts}, {"smes", &t.SMEs}} {
		s := f.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			errs = append(errs, market.NewFieldError(p.name, "invalid", "请填写整数", "enter a whole number"))
			continue
		}
		*p.v = n
	}
	var err error = errs.Err()
	if err == nil {
		_, err = a.Store.SetChannelTargets(c.UserContext(), ActorOf(c), channelParam(c), t)
	}
	if err != nil {
		if !userError(err) || isCode(err, market.CodeForbidden) || isCode(err, market.CodeNotFound) {
			return err
		}
		f.AddErr(err)
		status, _, _ := classifyFor(c, err)
		return a.renderChannel(c, status, f)
	}
	q := url.Values{"from": {t.From.String()}, "to": {t.To.String()}, "done": {"done.targets_saved"}}
	return c.Redirect("/operator/channels/"+url.PathEscape(channelParam(c))+"?"+q.Encode(), fiber.StatusSeeOther)
}

// bureauChannelsPage is GET /bureau/channels?from=&to=[&format=…]: every channel side by side.
func (a *App) bureauChannelsPage(c *fiber.Ctx) error {
	from, to, err := a.statsPeriod(c)
	if err != nil {
		return err
	}
	all, err := a.Store.AllChannelStats(c.UserContext(), ActorOf(c), from, to)
	if err != nil {
		return err
	}
	if format := bQuery(c, "format"); format != "" {
		return a.sendChannelStats(c, format, from, to, all)
	}
	data := pageData(c)
	data["All"], data["From"], data["To"] = all, from.String(), to.String()
	data["Query"] = url.Values{"from": {from.String()}, "to": {to.String()}}.Encode()
	return a.Render(c, fiber.StatusOK, "deals/bureau_channels", data)
}

// apiBureauChannels is GET /api/v1/bureau/channels?from=&to=&format=json|csv|xlsx.
func (a *App) apiBureauChannels(c *fiber.Ctx) error {
	from, to, err := a.statsPeriod(c)
	if err != nil {
		return err
	}
	all, err := a.Store.AllChannelStats(c.UserContext(), ActorOf(c), from, to)
	if err != nil {
		return err
	}
	return a.sendChannelStats(c, orDefault(bQuery(c, "format"), formatJSON), from, to, all)
}

// sendChannelStats answers statistics as JSON ({"from","to","channels"}), CSV or XLSX.
func (a *App) sendChannelStats(c *fiber.Ctx, format string, from, to market.Date, sts []market.ChannelStats) error {
	if _, ok := contentTypes[format]; !ok {
		return market.NewParamError("format", "invalid", "文件格式应为 json、csv 或 xlsx", "format must be json, csv or xlsx")
	}
	if format == formatJSON && !isAttachmentWanted(c) {
		out := make([]apiChannelStats, len(sts))
		for i := range sts {
			out[i] = toAPIChannelStats(&sts[i])
		}
		return c.JSON(fiber.Map{"from": from.String(), "to": to.String(), "channels": out})
	}
	rows := channelRows(sts)
	c.Set(fiber.HeaderContentType, contentTypes[format])
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="channels_%s_%s.%s"`, from, to, format))
	c.Set(fiber.HeaderCacheControl, "no-store")
	w := c.Response().BodyWriter()
	switch format {
	case formatCSV:
		return writeChannelCSV(w, rows)
	case formatXLSX:
		return writeChannelXLSX(w, rows)
	}
	out := make([]apiChannelStats, len(sts))
	for i := range sts {
		out[i] = toAPIChannelStats(&sts[i])
	}
	b, err := jsonEncode(fiber.Map{"from": from.String(), "to": to.String(), "channels": out})
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// channelHeaders are the export's columns, Chinese first, the JSON member after the slash.
var channelHeaders = []string{"渠道 channel", "开始 from", "结束 to", "挂牌 listings", "浏览 views", "扫码 qr_scans",
	"意向 intents", "成交 contracts", "免费 free_contracts", "服务中小企业 smes", "成交额（元） turnover_yuan",
	"挂牌至成交中位天数 median_days_listing_to_deal", "目标成交 target_contracts", "目标成交额（元） target_turnover_yuan",
	"成交完成率% progress_contracts"}

// channelRows are the export's cells, neutralised against formula injection.
func channelRows(sts []market.ChannelStats) [][]string {
	out := make([][]string, 0, len(sts))
	for _, s := range sts {
		median, tc, tt, pc := "", "", "", ""
		if s.MedianDays != nil {
			median = strconv.Itoa(*s.MedianDays)
		}
		if t := s.Targets; t != nil {
			tc, tt = strconv.FormatInt(t.Contracts, 10), market.Fen(t.TurnoverFen).String()
		}
		if p, ok := s.Progress["contracts"]; ok {
			pc = strconv.FormatInt(p, 10)
		}
		out = append(out, []string{bonus.Safe(s.Channel), s.From.String(), s.To.String(), n64(s.Listings), n64(s.Views),
			n64(s.QRScans), n64(s.Intents), n64(s.Contracts), n64(s.FreeContracts), n64(s.SMEs),
			market.Fen(s.TurnoverFen).String(), median, tc, tt, pc})
	}
	return out
}

func n64(v int64) string { return strconv.FormatInt(v, 10) }

func writeChannelCSV(w io.Writer, rows [][]string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(channelHeaders); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

func writeChannelXLSX(w io.Writer, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "渠道统计"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	for i, r := range append([][]string{channelHeaders}, rows...) {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = v
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
			return err
		}
	}
	return f.Write(w)
}
