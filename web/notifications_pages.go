package web

// The signed-in user's notifications (the bell in the header links here) and saved searches.

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"patentwall/market"
)

// notificationsPage is GET /notifications[?unread=true].
func (a *App) notificationsPage(c *fiber.Ctx) error {
	act := ActorOf(c)
	unread := c.Query("unread") == "true"
	ns, err := a.Store.Notifications(c.UserContext(), act, unread, 200)
	if err != nil {
		return err
	}
	data := pageData(c)
	data["Notifications"], data["UnreadOnly"] = ns, unread
	return a.Render(c, fiber.StatusOK, "notifications", data)
}

// notificationsMarkRead is POST /notifications/read (id: one of them; none: all).
func (a *App) notificationsMarkRead(c *fiber.Ctx) error {
	var ids []int64
	if s := strings.TrimSpace(c.FormValue("id")); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return market.ErrNotFound
		}
		ids = append(ids, id)
	}
	if err := a.Store.MarkNotificationsRead(c.UserContext(), ActorOf(c), ids); err != nil {
		return err
	}
	return c.Redirect(withDone("/notifications", "done.notifications_read"), fiber.StatusSeeOther)
}

// savedSearchesPage is GET /saved-searches.
func (a *App) savedSearchesPage(c *fiber.Ctx) error {
	return a.renderSavedSearches(c, fiber.StatusOK, newForm(Lang(c), "name", "query"))
}

func (a *App) renderSavedSearches(c *fiber.Ctx, status int, f *form) error {
	ss, err := a.Store.SavedSearches(c.UserContext(), ActorOf(c))
	if err != nil {
		return err
	}
	data := pageData(c)
	data["Saved"], data["Form"] = ss, f
	return a.Render(c, status, "saved_searches", data)
}

// savedSearchCreate is POST /saved-searches (name, query): the search page's "save this search" too.
func (a *App) savedSearchCreate(c *fiber.Ctx) error {
	f := parseForm(c, "name", "query")
	q, err := savedQuery(f.Get("query"))
	if err == nil {
		_, err = a.Store.SaveSearch(c.UserContext(), ActorOf(c), f.Get("name"), q)
	}
	if err != nil {
		if !f.AddErr(err) || isCode(err, market.CodeForbidden) {
			return err
		}
		return a.renderSavedSearches(c, fiber.StatusUnprocessableEntity, f)
	}
	return c.Redirect(withDone("/saved-searches", "done.search_saved"), fiber.StatusSeeOther)
}

// savedSearchDelete is POST /saved-searches/{id}/delete.
func (a *App) savedSearchDelete(c *fiber.Ctx) error {
	id, err := demandID(c)
	if err != nil {
		return err
	}
	if err := a.Store.DeleteSavedSearch(c.UserContext(), ActorOf(c), id); err != nil {
		return err
	}
	return c.Redirect(withDone("/saved-searches", "done.search_deleted"), fiber.StatusSeeOther)
}
