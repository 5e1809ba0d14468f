package web

// Comparing two runs of a round: lines added, removed and changed from run A to run B, and the
// clawbacks (lines paid in A, when A is frozen, whose deal B finds undone). One section at a time, paged.

import (
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"patentwall/bonus"
	"patentwall/market"
)

var compareSections = []string{"changed", "added", "removed", "clawbacks"}

// changeView is a changed line before and after.
type changeView struct {
	Before, After lineView
}

// clawbackView is a clawback as pages show it.
type clawbackView struct {
	Run                          int
	ContractNo, Patent           string
	RecipientUSCC, RecipientName string
	AmountFen                    int64
	Reason                       string
}

func viewClawback(lang string, names map[string]string, cb *bonus.Clawback) clawbackView {
	return clawbackView{Run: cb.Run, ContractNo: cb.ContractNo, Patent: cb.Patent, RecipientUSCC: cb.RecipientUSCC,
		RecipientName: names[cb.RecipientUSCC], AmountFen: cb.AmountFen, Reason: tr(lang, "bvoid."+cb.Reason.String())}
}

// comparePage is GET /bureau/rounds/{id}/compare?a=&b=&section=&page=.
func (b *bureau) comparePage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	r, err := b.round(c)
	if err != nil {
		return err
	}
	runs, err := bonus.Runs(ctx, b.a.Store, r.ID)
	if err != nil {
		return err
	}
	data := b.pageData(c, "/bureau/rounds")
	data["Round"] = r
	data["Runs"] = runs
	if len(runs) < 2 {
		return b.a.Render(c, fiber.StatusOK, "bureau/compare", data)
	}
	num := func(name string, def int) (int, error) {
		s := bQuery(c, name)
		if s == "" {
			return def, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || slices.IndexFunc(runs, func(i bonus.RunInfo) bool { return i.N == n }) < 0 {
			return 0, market.NewParamError(name, "unknown_run",
				"本轮没有该次计算", "this round has no run with that number")
		}
		return n, nil
	}
	an, err := num("a", runs[1].N)
	if err != nil {
		return err
	}
	bn, err := num("b", runs[0].N)
	if err != nil {
		return err
	}
	section := bQuery(c, "section")
	if !slices.Contains(compareSections, section) {
		section = compareSections[0]
	}
	infoA, err := b.runInfo(ctx, r.ID, an)
	if err != nil {
		return err
	}
	infoB, err := b.runInfo(ctx, r.ID, bn)
	if err != nil {
		return err
	}
	resA, err := b.runs.get(ctx, b.a.Store, infoA)
	if err != nil {
		return err
	}
	resB, err := b.runs.get(ctx, b.a.Store, infoB)
	if err != nil {
		return err
	}
	cmp := bonus.CompareResults(resA, resB, an, bn, infoA.Frozen)
	lang := Lang(c)
	names := resB.Names
	name := func(u string) string {
		if n, ok := names[u]; ok {
			return n
		}
		return resA.Names[u]
	}
	merged := map[string]string{}
	page := bPage(c)
	start := (page - 1) * linesPerPage
	var total int
	switch section {
	case "added", "removed":
		list := cmp.Added
		if section == "removed" {
			list = cmp.Removed
		}
		total = len(list)
		var rows []lineView
		for i := start; i < min(start+linesPerPage, total); i++ {
			merged[list[i].RecipientUSCC], merged[list[i].LicenseeUSCC] = name(list[i].RecipientUSCC), name(list[i].LicenseeUSCC)
			rows = append(rows, viewLine(lang, r, merged, &list[i]))
		}
		data["Lines"] = rows
	case "changed":
		total = len(cmp.Changed)
		var rows []changeView
		for i := start; i < min(start+linesPerPage, total); i++ {
			ch := &cmp.Changed[i]
			for _, u := range []string{ch.Before.RecipientUSCC, ch.Before.LicenseeUSCC, ch.After.RecipientUSCC, ch.After.LicenseeUSCC} {
				merged[u] = name(u)
			}
			rows = append(rows, changeView{Before: viewLine(lang, r, merged, &ch.Before), After: viewLine(lang, r, merged, &ch.After)})
		}
		data["Changes"] = rows
	case "clawbacks":
		total = len(cmp.Clawbacks)
		var rows []clawbackView
		var sum int64
		for i := range cmp.Clawbacks {
			sum += cmp.Clawbacks[i].AmountFen
			if i >= start && i < start+linesPerPage {
				merged[cmp.Clawbacks[i].RecipientUSCC] = name(cmp.Clawbacks[i].RecipientUSCC)
				rows = append(rows, viewClawback(lang, merged, &cmp.Clawbacks[i]))
			}
		}
		data["Clawbacks"] = rows
		data["ClawbackFen"] = sum
	}
	v := url.Values{"a": {strconv.Itoa(an)}, "b": {strconv.Itoa(bn)}}
	sectionURL := func(s string) string {
		v.Set("section", s)
		return "/bureau/rounds/" + r.ID + "/compare?" + v.Encode()
	}
	links := make([]struct {
		Label, URL string
		Count      int
		Current    bool
	}, len(compareSections))
	for i, s := range compareSections {
		links[i].Label, links[i].URL, links[i].Current = tr(lang, "bureau.compare."+s), sectionURL(s), s == section
	}
	links[0].Count, links[1].Count, links[2].Count, links[3].Count = len(cmp.Changed), len(cmp.Added), len(cmp.Removed), len(cmp.Clawbacks)
	data["Cmp"] = cmp
	data["A"], data["B"] = infoA, infoB
	data["Section"] = section
	data["Sections"] = links
	data["Total"] = total
	here := sectionURL(section)
	data["Pager"] = makePager(page, linesPerPage, int64(total), func(n int) string { return here + "&page=" + strconv.Itoa(n) })
	return b.a.Render(c, fiber.StatusOK, "bureau/compare", data)
}
