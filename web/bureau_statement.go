package web

// A recipient's statement of a run (奖补明细单): the round, what the recipient is paid for and what it
// is not, line by line with reasons, on one printable page.

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"patentwall/bonus"
	"patentwall/market"
)

// statementPage is GET /bureau/rounds/{id}/runs/{n}/recipients/{uscc}.
func (b *bureau) statementPage(c *fiber.Ctx) error {
	r, info, res, err := b.run(c)
	if err != nil {
		return err
	}
	uscc := bParam(c, "uscc")
	lang := Lang(c)
	var paid, held, refused []lineView
	for i := range res.Lines {
		l := &res.Lines[i]
		if l.RecipientUSCC != uscc {
			continue
		}
		v := viewLine(lang, r, res.Names, l)
		switch l.Status {
		case bonus.StatusEligible:
			paid = append(paid, v)
		case bonus.StatusHeld:
			held = append(held, v)
		default:
			refused = append(refused, v)
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
			clawFen += cb.AmountFen
		}
	}
	org, err := b.a.Store.OrgByUSCC(c.UserContext(), uscc)
	if err != nil && !errors.Is(err, market.ErrNotFound) {
		return err
	}
	data := b.pageData(c, "/bureau/rounds")
	data["Round"] = r
	data["Info"] = info
	data["Recipient"] = rc
	data["Org"] = org
	data["Paid"] = paid
	data["Held"] = held
	data["Refused"] = refused
	data["Clawbacks"] = claws
	data["ClawbackFen"] = clawFen
	data["PrintedAt"] = b.a.Store.Now()
	data["Back"] = runPath(info)
	return b.a.Render(c, fiber.StatusOK, "bureau/statement", data, LayoutPrint)
}
