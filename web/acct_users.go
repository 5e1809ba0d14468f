package web

// Colleagues: every user of an organisation may add another, with the organisation's role.

import (
	"github.com/gofiber/fiber/v2"

	"patentwall/market"
)

var userFields = []string{market.FieldUserName, market.FieldUserEmail, market.FieldUserPassword}

// usersPage is GET /account/users.
func (a *App) usersPage(c *fiber.Ctx) error {
	return a.renderUsers(c, fiber.StatusOK, newForm(Lang(c), userFields...))
}

func (a *App) renderUsers(c *fiber.Ctx, status int, f *form) error {
	act := ActorOf(c)
	if act.OrgID == 0 {
		return market.ErrForbidden
	}
	users, err := a.Store.OrgUsers(c.UserContext(), act, act.OrgID)
	if err != nil {
		return err
	}
	data := pageData(c)
	data["Users"] = users
	data["Form"] = f
	data["MinPassword"] = market.MinPasswordLen
	return a.Render(c, status, "account/users", data)
}

// userAdd is POST /account/users.
func (a *App) userAdd(c *fiber.Ctx) error {
	act := ActorOf(c)
	if act.OrgID == 0 {
		return market.ErrForbidden
	}
	f := parseForm(c, userFields...)
	_, err := a.Store.AddUser(c.UserContext(), act, market.UserInput{Name: f.Get(market.FieldUserName),
		Email: f.Get(market.FieldUserEmail), Password: f.Values[market.FieldUserPassword]})
	if err != nil {
		if !f.AddErr(err) || isCode(err, market.CodeForbidden) {
			return err
		}
		f.Values[market.FieldUserPassword] = ""
		return a.renderUsers(c, fiber.StatusUnprocessableEntity, f)
	}
	return c.Redirect(withDone("/account/users", "done.user_added"), fiber.StatusSeeOther)
}
