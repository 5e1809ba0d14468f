package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	qrcode "github.com/skip2/go-qrcode"

	"patentwall/market"
)

// termsText is a declaration's terms in plain words (docs/rules.md §5), one sentence per heading.
type termsText struct {
	Fee      string // what it costs
	Payment  string // when and how it is paid
	Term     string // how long, and until when
	Grant    string // what the licensee gets
	HowTo    string // how to obtain it (Patent Law Arts. 50–52)
	Report   string // the evaluation report, for utility models and designs
	Warnings []string
}

// lastDay is the day before d: PatentExpiry and term ends are "first day after".
func lastDay(d market.Date) market.Date {
	if d.IsZero() {
		return d
	}
	return d.AddDate(0, 0, -1)
}

// declarationTerms puts a declaration's terms into plain words in lang.
func declarationTerms(lang string, p *market.Patent, d *market.Declaration) termsText {
	var t termsText
	base := label(lang, "royalty_base.", d.RoyaltyBase)
	if base == "" {
		base = tr(lang, "royalty_base.net_sales")
	}
	switch d.FeeModel {
	case market.FeeFree:
		t.Fee = tr(lang, "terms.fee.free")
		t.Payment = tr(lang, "terms.pay.free")
	case market.FeeLumpSum:
		t.Fee = tr(lang, "terms.fee.lump_sum", money(lang, d.FeeFen))
		t.Payment = tr(lang, "terms.pay.lump_sum", money(lang, d.FeeFen))
	case market.FeeRoyalty:
		t.Fee = tr(lang, "terms.fee.royalty", percent(d.RoyaltyBP), base)
		t.Payment = tr(lang, "terms.pay.royalty")
	case market.FeeEntryPlusRoyalty:
		t.Fee = tr(lang, "terms.fee.entry_plus_royalty", money(lang, d.EntryFeeFen), percent(d.RoyaltyBP), base)
		t.Payment = tr(lang, "terms.pay.entry_plus_royalty", money(lang, d.EntryFeeFen))
	}
	start := market.DateOf(d.PublishedAt)
	end := lastDay(start.AddDate(0, d.TermMonths, 0))
	t.Term = tr(lang, "terms.term", d.TermMonths, start.String(), end.String())
	if exp := lastDay(market.PatentExpiry(p)); !exp.IsZero() {
		t.Term += tr(lang, "terms.term.expiry", exp.String())
	}
	t.Grant = tr(lang, "terms.grant")
	t.HowTo = tr(lang, "terms.howto")
	if d.EvaluationReportNo != "" {
		t.Report = tr(lang, "terms.report", d.EvaluationReportNo)
	}
	for _, w := range strings.Split(d.Warnings, "\n") {
		if w = strings.TrimSpace(w); w == "" {
			continue
		}
		// Stored as "中文 / English".
		zh, en, found := strings.Cut(w, " / ")
		if found && lang == LangEN {
			w = en
		} else if found {
			w = zh
		}
		t.Warnings = append(t.Warnings, w)
	}
	return t
}

// patentPage is /patents/{application_no}: bibliographic data, IPC titles, the declaration's terms in
// plain words, its history, the patentee, a permalink and a QR code.
func (a *App) patentPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	lang := Lang(c)
	pv, err := a.Store.PatentByApplicationNo(ctx, utils.CopyString(c.Params("no")))
	if err != nil {
		return err
	}
	// A non-canonical spelling (ZL prefix, lower-case x) redirects to the one permalink.
	if c.Params("no") != pv.ApplicationNo {
		return c.Redirect("/patents/"+pv.ApplicationNo, fiber.StatusMovedPermanently)
	}
	ipcs := splitList(pv.IPC)
	titles, err := a.lookupIPCTitles(ctx, ipcs)
	if err != nil {
		return err
	}
	history, err := a.Store.DeclarationHistory(ctx, pv.ID)
	if err != nil {
		return err
	}
	data := fiber.Map{
		"P":         pv,
		"IPC":       ipcRows(lang, ipcs, titles),
		"History":   history,
		"Permalink": a.BaseURL + "/patents/" + pv.ApplicationNo,
		"Expiry":    lastDay(market.PatentExpiry(&pv.Patent)),
	}
	if pv.Declaration != nil {
		data["Terms"] = declarationTerms(lang, &pv.Patent, pv.Declaration)
	}
	for _, h := range a.patentHooks {
		if err := h(c, pv, data); err != nil {
			return err
		}
	}
	return a.Render(c, fiber.StatusOK, "patent", data)
}

// ipcRow is one IPC symbol with its title and the titles of the levels above it.
type ipcRow struct {
	Symbol  string
	Title   string
	Context string // "G 物理 › G06 计算 › G06F 电数字数据处理"
	Main    bool
}

func ipcRows(lang string, syms []string, titles map[string]market.IPCTitle) []ipcRow {
	out := make([]ipcRow, 0, len(syms))
	for i, s := range syms {
		r := ipcRow{Symbol: s, Title: ipcTitle(lang, titles, s), Main: i == 0}
		if ipc, err := market.ParseIPC(s); err == nil {
			var parts []string
			levels := []string{ipc.Section, ipc.Class, ipc.Subclass}
			if ipc.Group == "" {
				levels = levels[:2]
			}
			for _, l := range levels {
				if t := ipcTitle(lang, titles, l); t != "" {
					parts = append(parts, l+" "+t)
				}
			}
			r.Context = strings.Join(parts, " › ")
			if r.Title == "" && ipc.Group != "" {
				r.Title = ipcTitle(lang, titles, ipc.Subclass)
			}
		}
		out = append(out, r)
	}
	return out
}

// qrPNG answers with a QR code of url.
func qrPNG(c *fiber.Ctx, url string, size int) error {
	png, err := qrcode.Encode(url, qrcode.Medium, size)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(png)
}

// patentQR is /patents/{no}/qr.png: the permalink as a QR code, for posters and screens.
func (a *App) patentQR(c *fiber.Ctx) error {
	pv, err := a.Store.PatentByApplicationNo(c.UserContext(), utils.CopyString(c.Params("no")))
	if err != nil {
		return err
	}
	return qrPNG(c, a.BaseURL+"/patents/"+pv.ApplicationNo, 256)
}
