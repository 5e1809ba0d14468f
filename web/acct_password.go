package web

// Changing one's own password: the current one, the new one twice. Other sessions end; this one stays.

import (
	"github.com/gofiber/fiber/v2"

	"patentwall/market"
)

// fieldConfirmPassword repeats the new password (checked here: the store never sees it).
const fieldConfirmPassword = "password.confirm"

var passwordFields = []string{market.FieldCurrentPassword, market.FieldNewPassword, fieldConfirmPassword}

// passwordPage is GET /account/password.
func (a *App) passwordPage(c *fiber.Ctx) error {
	return a.renderPassword(c, fiber.StatusOK, newForm(Lang(c), passwordFields...))
}

func (a *App) renderPassword(c *fiber.Ctx, status int, f *form) error {
	for _, k := range passwordFields {
		f.Values[k] = "" // a password is never sent back into a page
	}
	data := pageData(c)
	data["Form"] = f
	data["MinPassword"] = market.MinPasswordLen
	return a.Render(c, status, "account/password", data)
}

// passwordChange is POST /account/password.
func (a *App) passwordChange(c *fiber.Ctx) error {
	f := parseForm(c, passwordFields...)
	next := f.Values[market.FieldNewPassword]
	if next != f.Values[fieldConfirmPassword] {
		f.AddErr(market.NewFieldError(fieldConfirmPassword, "mismatch", "两次输入的新密码不一致", "the two new passwords differ"))
		return a.renderPassword(c, fiber.StatusUnprocessableEntity, f)
	}
	err := a.Store.ChangePassword(c.UserContext(), ActorOf(c), c.Cookies(sessionCookie), f.Values[market.FieldCurrentPassword], next)
	if err != nil {
		if !f.AddErr(err) {
			return err
		}
		return a.renderPassword(c, formRefusedStatus(c, err), f)
	}
	return c.Redirect(withDone("/account", "done.password_changed"), fiber.StatusSeeOther)
}
