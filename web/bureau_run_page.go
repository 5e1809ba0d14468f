package web

// A run's summary page: the cap, the eligible and paid totals, whether the cap scaled the lines, the
// lines counted by status, reason and flag, the recipients with their amounts (each with a printable
// statement), clawbacks, downloads, the freeze form and the way to the lines and the comparison.

import (
	"cmp"
	"io"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"patentwall/bonus"
)

const recipientsPerPage = 50

// codeCount is how many lines carry one reason or flag.
type codeCount struct {
	Code  string
	Text  string
	Count int
}

// runCounts are a run's lines counted by status, review, reason and flag.
type runCounts struct {
	Eligible, Held, Ineligible int
	Approved, Rejected         int
	Reasons                    []codeCount // of ineligible lines, most frequent first
	Flags                      []codeCount // of flagged lines (held, approved or rejected)
}

func countLines(lang string, res *bonus.RunResult) runCounts {
	var rc runCounts
	// a run has few distinct reason and flag sets: count the sets, then their codes
	bySet := map[bonus.Reasons]int{}
	byFlags := map[bonus.Flags]int{}
	for i := range res.Lines {
		l := &res.Lines[i]
		switch l.Status {
		case bonus.StatusEligible:
			rc.Eligible++
		case bonus.StatusHeld:
			rc.Held++
		default:
			rc.Ineligible++
		}
		switch l.Review {
		case bonus.VerdictApproved:
			rc.Approved++
		case bonus.VerdictRejected:
			rc.Rejected++
		}
		if l.Reasons != 0 {
			bySet[l.Reasons]++
		}
		if l.Flags != 0 {
			byFlags[l.Flags]++
		}
	}
	reasons, flags := map[string]int{}, map[string]int{}
	for set, n := range bySet {
		for _, c := range set.Codes() {
			reasons[c] += n
		}
	}
	for set, n := range byFlags {
		for _, c := range set.Codes() {
			flags[c] += n
		}
	}
	rc.Reasons = sortedCounts(reasons, func(code string) string { return tr(lang, "breason."+code) })
	rc.Flags = sortedCounts(flags, func(code string) string { return tr(lang, "bflag."+code) })
	return rc
}

func sortedCounts(m map[string]int, text func(string) string) []codeCount {
	out := make([]codeCount, 0, len(m))
	for c, n := range m {
		out = append(out, codeCount{Code: c, Text: text(c), Count: n})
	}
	slices.SortFunc(out, func(a, b codeCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Code, b.Code))
	})
	return out
}

// runPage is GET /bureau/rounds/{id}/runs/{n}.
func (b *bureau) runPage(c *fiber.Ctx) error {
	return b.renderRun(c, fiber.StatusOK, newForm(Lang(c), "confirm"))
}

func (b *bureau) renderRun(c *fiber.Ctx, status int, f *form) error {
	r, info, res, err := b.run(c)
	if err != nil {
		return err
	}
	runs, err := bonus.Runs(c.UserContext(), b.a.Store, r.ID)
	if err != nil {
		return err
	}
	lang := Lang(c)
	recips := slices.Clone(res.Recipients)
	slices.SortFunc(recips, func(x, y bonus.Recipient) int {
		return cmp.Or(cmp.Compare(y.AmountFen, x.AmountFen), cmp.Compare(x.USCC, y.USCC))
	})
	page := bPage(c)
	start := min((page-1)*recipientsPerPage, len(recips))
	end := min(start+recipientsPerPage, len(recips))
	base := runPath(info)
	data := b.pageData(c, "/bureau/rounds")
	data["Round"] = r
	data["Info"] = info
	data["Res"] = res
	data["Counts"] = countLines(lang, res)
	data["Recipients"] = recips[start:end]
	data["RecipientCount"] = len(recips)
	data["Pager"] = makePager(page, recipientsPerPage, int64(len(recips)), func(n int) string {
		return base + "?page=" + strconv.Itoa(n)
	})
	data["Clawbacks"] = res.Clawbacks[:min(len(res.Clawbacks), 200)]
	data["Runs"] = runs
	data["Base"] = base
	data["Form"] = f
	return b.a.Render(c, status, "bureau/run", data)
}

// runExport is GET /bureau/rounds/{id}/runs/{n}/export?format=csv|xlsx|json: the page's downloads.
func (b *bureau) runExport(c *fiber.Ctx) error {
	return b.sendRun(c, formatCSV, true)
}

// sendRun writes a stored run in the requested format.
func (b *bureau) sendRun(c *fiber.Ctx, def string, attachJSON bool) error {
	format, err := parseFormat(c, def)
	if err != nil {
		return err
	}
	r, info, res, err := b.run(c)
	if err != nil {
		return err
	}
	name := "bonus_" + fileSafe(r.ID) + "_run" + strconv.Itoa(info.N) + "_asof_" + info.AsOf.String() + "." + format
	return b.sendFile(c, format, name, format != formatJSON || attachJSON, func(w io.Writer) error {
		switch format {
		case formatCSV:
			return res.WriteCSV(w)
		case formatXLSX:
			return res.WriteXLSX(w, r.Name)
		}
		return writeRunJSON(w, info, res)
	})
}
