package web

// A recipient's statement of a run (奖补明细单): the round, what the recipient is paid for and what it
// is not, line by line with reasons, on one printable page.

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"patentwall/bonus"
	"patentwall/market"
)

// statementRefusedMax bounds the lines that do not count listed on a statement: what is paid and held is
// always listed in full, but a recipient may have many thousands of refused lines (they stay in the
// downloads and on the lines page).
const statementRefusedMax = 2000

// statementPage is GET /bureau/rounds/{id}/runs/{n}/recipients/{uscc}.
func (b *bureau) statementPage(c *fiber.Ctx) error {
	return b.renderStatement(c, fiber.StatusOK, nil)
}

// renderStatement shows the statement; f holds a reviewer's form that failed (bureau_art26.go).
func (b *bureau) renderStatement(c *fiber.Ctx, status int, f *art26Form) error {
	r, info, res, err := b.run(c)
	if err != nil {
		return err
	}
	uscc := bParam(c, "uscc")
	lang := Lang(c)
	var paid, held, refused []lineView
	more := 0 // ineligible lines past the statement's limit
	for i := range res.Lines {
		l := &res.Lines[i]
		if l.RecipientUSCC != uscc {
			continue
		}
		switch l.Status {
		case bonus.StatusEligible:
			paid = append(paid, viewLine(lang, r, res.Names, l))
		case bonus.StatusHeld:
			held = append(held, viewLine(lang, r, res.Names, l))
		default:
			if len(refused) >= statementRefusedMax {
				more++
				continue
			}
			refused = append(refused, viewLine(lang, r, res.Names, l))
		}
	}
	if len(paid)+len(held)+len(refused) == 0 {
		return market.ErrNotFound
	}
	rc := bonus.Recipient{USCC: uscc, Name: res.Names[uscc]}
	for _, x := range res.Recipients {
		if x.USCC == uscc {
			rc = x
		}
	}
	var claws []bonus.Clawback
	var clawFen int64
	for _, cb := range res.Clawbacks {
		if cb.RecipientUSCC == uscc {
			claws = append(claws, cb)
			clawFen += cb.OwedFen()
		}
	}
	org, err := b.a.Store.OrgByUSCC(c.UserContext(), uscc)
	if err != nil && !errors.Is(err, market.ErrNotFound) {
		return err
	}
	dqs, err := bonus.Disqualifications(c.UserContext(), b.a.Store, r.ID)
	if err != nil {
		return err
	}
	var disqualified *bonus.Disqualification
	for i := range dqs {
		if dqs[i].USCC == uscc {
			disqualified = &dqs[i]
		}
	}
	data := b.pageData(c, "/bureau/rounds")
	data["Round"] = r
	data["Info"] = info
	data["Recipient"] = rc
	data["Org"] = org
	data["Paid"] = paid
	data["Held"] = held
	data["Refused"] = refused
	data["MoreRefused"] = more
	data["Clawbacks"] = claws
	data["ClawbackFen"] = clawFen
	data["PrintedAt"] = b.a.Store.Now()
	data["Back"] = runPath(info)
	data["Disqualified"] = disqualified
	data["Self"] = runPath(info) + "/recipients/" + uscc
	if f == nil {
		f = &art26Form{}
	}
	data["F"] = f
	return b.a.Render(c, status, "bureau/statement", data, LayoutPrint)
}
