package web

// The dashboard (/account): what needs the user's attention first. Holders see their patents and live
// declarations, incoming licences, payments to confirm and filings due with the 3-month deadline counted
// down; enterprises also see the licences they took; staff see their queues.

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"patentwall/market"
)

// dashboardPage is GET /account.
func (a *App) dashboardPage(c *fiber.Ctx) error {
	ctx, act := c.UserContext(), ActorOf(c)
	data := pageData(c)
	if act.OrgID != 0 {
		org, err := a.Store.OrgByID(ctx, act.OrgID)
		if err != nil {
			return err
		}
		data["Org"] = org
		notes, err := a.Store.Notifications(ctx, act, false, 20)
		if err != nil {
			return err
		}
		data["Notifications"] = notes
		unread, err := a.Store.UnreadCount(ctx, act)
		if err != nil {
			return err
		}
		data["Unread"] = unread
	}
	if act.OrgID != 0 && (act.Role == market.RoleHolder || act.Role == market.RoleLicensee) {
		h, err := a.Store.HolderDashboard(ctx, act)
		if err != nil {
			return err
		}
		data["Holder"] = h
	}
	if act.OrgID != 0 && act.Role == market.RoleLicensee {
		l, err := a.Store.LicenseeDashboard(ctx, act)
		if err != nil {
			return err
		}
		data["Licensee"] = l
	}
	if act.CanVerifyOrgs() {
		pending, err := a.Store.UnverifiedOrgs(ctx, act, 200)
		if err != nil {
			return err
		}
		data["PendingOrgs"] = len(pending)
	}
	if err := a.dashboardDemands(c, data); err != nil {
		return err
	}
	tokens, err := a.Store.APITokens(ctx, act)
	if err != nil {
		return err
	}
	data["Tokens"] = tokens
	data["Now"] = a.Store.Now()
	data["CanPublish"] = act.CanPublish()
	data["CanVerify"] = act.CanVerifyOrgs()
	return a.Render(c, fiber.StatusOK, "account/dashboard", data)
}

// tokenRevoke is POST /account/tokens/{id}/revoke: one of the user's API tokens stops working.
func (a *App) tokenRevoke(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return market.ErrNotFound
	}
	if err := a.Store.RevokeAPIToken(c.UserContext(), ActorOf(c), id); err != nil {
		return err
	}
	return c.Redirect(withDone("/account", "done.token_revoked"), fiber.StatusSeeOther)
}

// notificationsRead is POST /account/notifications/read: mark them all read.
func (a *App) notificationsRead(c *fiber.Ctx) error {
	if ActorOf(c).OrgID == 0 {
		return market.ErrForbidden // staff without an organisation get no notifications
	}
	if err := a.Store.MarkNotificationRead(c.UserContext(), ActorOf(c), 0); err != nil {
		return err
	}
	return c.Redirect(withDone("/account", "done.notifications_read"), fiber.StatusSeeOther)
}
