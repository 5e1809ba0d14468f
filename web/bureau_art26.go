package web

// The reviewer's Art. 26 actions on a recipient's statement (docs/rules.md §9.8, §9.10): reject a paid
// line found fake, disqualify the recipient for the round, record money recovered on a clawback. Each
// takes effect from the round's next run; a refusal shows the statement again with the message (422).

import (
	"github.com/gofiber/fiber/v2"

	"patentwall/bonus"
	"patentwall/market"
)

// art26Form is what a failed form posted, to show it again with its messages.
type art26Form struct {
	Action string // reject | disqualify | recover
	Line   string // the posted line ("contract_no|patent")
	Note   string
	Amount string
	On     string
	Ref    string
	Errors []string
}

// statementAction handles POST …/recipients/{uscc}/{reject|disqualify|recover}.
func (b *bureau) statementAction(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		r, info, _, err := b.run(c)
		if err != nil {
			return err
		}
		ctx, act, lang := c.UserContext(), ActorOf(c), Lang(c)
		uscc := bParam(c, "uscc")
		f := &art26Form{Action: action, Line: formValue(c, "line"), Note: formValue(c, "note"), Amount: formValue(c, "amount_yuan"),
			On: formValue(c, "recovered_on"), Ref: formValue(c, "reference")}
		contractNo, patent := splitLineKey(f.Line)
		done := ""
		switch action {
		case "reject":
			_, err = bonus.Review(ctx, b.a.Store, act, r.ID, contractNo, patent, false, f.Note)
			done = "done.rejected"
		case "disqualify":
			_, err = bonus.Disqualify(ctx, b.a.Store, act, r.ID, uscc, f.Note)
			done = "done.disqualified"
		default:
			in := bonus.RecoveryInput{ContractNo: contractNo, Patent: patent, Reference: f.Ref}
			var errs market.Errors
			if v, fe := market.ParseYuanFen("amount_yuan", f.Amount); fe != nil {
				errs = append(errs, fe)
			} else {
				in.AmountFen = v
			}
			if f.On != "" {
				if in.RecoveredOn, err = market.ParseDate(f.On); err != nil {
					errs = append(errs, market.NewFieldError("recovered_on", "invalid_date", "日期格式应为 YYYY-MM-DD", "write the day as YYYY-MM-DD"))
				}
			}
			err = nil
			if len(errs) > 0 {
				err = errs
			} else {
				_, err = bonus.RecordRecovery(ctx, b.a.Store, act, r.ID, in)
			}
			done = "done.recovered"
		}
		if err == nil {
			return c.Redirect(withDone(runPath(info)+"/recipients/"+uscc, done), fiber.StatusSeeOther)
		}
		es := market.AsFieldErrors(err)
		if es == nil || isCode(err, market.CodeForbidden) || isCode(err, market.CodeNotFound) {
			return err
		}
		for _, fe := range es {
			f.Errors = append(f.Errors, fe.Message(lang))
		}
		return b.renderStatement(c, fiber.StatusUnprocessableEntity, f)
	}
}

// splitLineKey reads a line's "contract_no|patent" form value.
func splitLineKey(k string) (string, string) {
	for i := 0; i < len(k); i++ {
		if k[i] == '|' {
			return k[:i], k[i+1:]
		}
	}
	return k, ""
}
