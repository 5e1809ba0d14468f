package web

// A run's lines, page by page (a run may have a million): each with its status, the reasons it does not
// count and the flags that hold it, in plain language, filtered by status, reason, flag or a search for a
// contract, patent or organisation. Pages are cut from the decoded run in memory (see runCache).

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"patentwall/bonus"
	"patentwall/market"
)

const linesPerPage = 50

// lineView is one line as pages show it.
type lineView struct {
	ContractNo, Patent          string
	RecipientUSCC, RecipientNm  string
	LicenseeUSCC, LicenseeNm    string
	Status, StatusText          string
	Reasons                     []string // plain-language reasons it does not count
	Flags                       []string // plain-language flags, with the round's thresholds
	Review, ReviewText          string
	AmountFen                   int64
	Approved, Rejected, Pending bool
}

func viewLine(lang string, r *bonus.Round, names map[string]string, l *bonus.Line) lineView {
	v := lineView{ContractNo: l.ContractNo, Patent: l.Patent, RecipientUSCC: l.RecipientUSCC, RecipientNm: names[l.RecipientUSCC],
		LicenseeUSCC: l.LicenseeUSCC, LicenseeNm: names[l.LicenseeUSCC], Status: l.Status.String(),
		StatusText: tr(lang, "bstatus."+l.Status.String()), AmountFen: l.AmountFen, Review: l.Review.String(),
		Approved: l.Review == bonus.VerdictApproved, Rejected: l.Review == bonus.VerdictRejected}
	if v.Review != "" {
		v.ReviewText = tr(lang, "breview."+v.Review)
	}
	for _, code := range l.Reasons.Codes() {
		v.Reasons = append(v.Reasons, tr(lang, "breason."+code))
	}
	v.Flags = flagTexts(lang, r, l.Flags)
	return v
}

// flagTexts explains each flag of a set with the round's thresholds ("founded fewer than 180 days…").
func flagTexts(lang string, r *bonus.Round, fs bonus.Flags) []string {
	var out []string
	fl := r.Flags
	for _, code := range fs.Codes() {
		var s string
		switch code {
		case "circular":
			s = tr(lang, "bflag.explain.circular", fl.CircularDays)
		case "new_licensee":
			s = tr(lang, "bflag.explain.new_licensee", fl.NewLicenseeDays)
		case "burst":
			s = tr(lang, "bflag.explain.burst", fl.BurstDays, fl.BurstCount)
		case "reversal":
			s = tr(lang, "bflag.explain.reversal", fl.ReversalDays)
		case "low_fee":
			s = tr(lang, "bflag.explain.low_fee", fl.LowFeePercent)
		default:
			s = tr(lang, "bflag.explain."+code)
		}
		out = append(out, s)
	}
	return out
}

var (
	lineStatuses = []string{"eligible", "held", "ineligible"}
	reasonCodes  = bonus.Reasons(1<<16 - 1).Codes()
	flagCodes    = bonus.Flags(1<<8 - 1).Codes()
)

// lineFilter selects lines of a run.
type lineFilter struct {
	Status, Reason, Flag, Q string
	status                  bonus.Status
	reason                  bonus.Reasons
	flag                    bonus.Flags
}

func (f *lineFilter) match(names map[string]string, l *bonus.Line) bool {
	if f.Status != "" && l.Status != f.status {
		return false
	}
	if f.reason != 0 && l.Reasons&f.reason == 0 {
		return false
	}
	if f.flag != 0 && l.Flags&f.flag == 0 {
		return false
	}
	if f.Q != "" {
		q := f.Q
		return strings.Contains(l.ContractNo, q) || strings.Contains(l.Patent, q) || l.RecipientUSCC == q ||
			l.LicenseeUSCC == q || strings.Contains(names[l.RecipientUSCC], q) || strings.Contains(names[l.LicenseeUSCC], q)
	}
	return true
}

func (f *lineFilter) query() string {
	v := url.Values{}
	for k, s := range map[string]string{"status": f.Status, "reason": f.Reason, "flag": f.Flag, "q": f.Q} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v.Encode()
}

var errBadLineFilter = market.NewParamError("status", "invalid", "筛选条件无效：未知的状态、原因或标记",
	"invalid filter: unknown status, reason or flag")

func parseLineFilter(c *fiber.Ctx) (*lineFilter, error) {
	f := &lineFilter{Status: bQuery(c, "status"), Reason: bQuery(c, "reason"), Flag: bQuery(c, "flag"), Q: bQuery(c, "q")}
	bad := errBadLineFilter
	if f.Status != "" {
		i := slices.Index(lineStatuses, f.Status)
		if i < 0 {
			return nil, bad
		}
		f.status = []bonus.Status{bonus.StatusEligible, bonus.StatusHeld, bonus.StatusIneligible}[i]
	}
	if f.Reason != "" {
		if f.reason = bonus.ParseReasons([]string{f.Reason}); f.reason == 0 {
			return nil, bad
		}
	}
	if f.Flag != "" {
		if f.flag = bonus.ParseFlags([]string{f.Flag}); f.flag == 0 {
			return nil, bad
		}
	}
	if len(f.Q) > 200 {
		f.Q = f.Q[:200]
	}
	return f, nil
}

// linesPage is GET /bureau/rounds/{id}/runs/{n}/lines?status=&reason=&flag=&q=&page=.
func (b *bureau) linesPage(c *fiber.Ctx) error {
	flt, err := parseLineFilter(c)
	if err != nil {
		return err
	}
	r, info, res, err := b.run(c)
	if err != nil {
		return err
	}
	lang := Lang(c)
	page := bPage(c)
	start := (page - 1) * linesPerPage
	var rows []lineView
	total := 0
	for i := range res.Lines {
		l := &res.Lines[i]
		if !flt.match(res.Names, l) {
			continue
		}
		if total >= start && total < start+linesPerPage {
			rows = append(rows, viewLine(lang, r, res.Names, l))
		}
		total++
	}
	base := runPath(info) + "/lines"
	q := flt.query()
	data := b.pageData(c, "/bureau/rounds")
	data["Round"] = r
	data["Info"] = info
	data["Lines"] = rows
	data["Total"] = total
	data["Filter"] = flt
	data["StatusOptions"] = codeOptions(lang, "bstatus.", lineStatuses, flt.Status)
	data["ReasonOptions"] = codeOptions(lang, "breason.", reasonCodes, flt.Reason)
	data["FlagOptions"] = codeOptions(lang, "bflag.", flagCodes, flt.Flag)
	data["Pager"] = makePager(page, linesPerPage, int64(total), func(n int) string {
		return base + joinQuery(q, "page="+strconv.Itoa(n))
	})
	return b.a.Render(c, fiber.StatusOK, "bureau/lines", data)
}

// codeOptions are a select's options for codes labelled from the catalogue ("<prefix><code>").
func codeOptions(lang, prefix string, codes []string, selected string) []option {
	out := make([]option, len(codes))
	for i, c := range codes {
		out[i] = option{Value: c, Label: tr(lang, prefix+c), Selected: c == selected}
	}
	return out
}
