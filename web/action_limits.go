package web

// Rate limits on the actions that commit an organisation to something: accepting an open licence and
// sending an intent (docs/interfaces.md §5.2). They count in the database like the login limits
// (market.AllowAttempt), so several servers count together, and they key on the organisation and on the
// client address as clientIP sees it: the connection's, or the nearest untrusted X-Forwarded-For entry
// from a proxy in TRUSTED_PROXIES only, so a forged header never resets a count.

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"patentwall/market"
)

// ActionLimits bounds one action per organisation and per client address in a fixed window. A zero
// field takes the default's value; a negative maximum turns that count off.
type ActionLimits struct {
	PerOrg  int
	PerAddr int
	Window  time.Duration
}

// DefaultAcceptLimits bound open-licence acceptances (page and API): 200 per organisation and 600 per
// client address per hour. An SME accepts a handful of licences at a time; the address limit leaves
// room for an agency's office or a company's NAT acting for several organisations.
var DefaultAcceptLimits = ActionLimits{PerOrg: 200, PerAddr: 600, Window: time.Hour}

// DefaultIntentLimits bound intents per client address (page and API): 120 per hour. The limit per
// organisation is market.IntentsPerHour, counted by market.CreateIntent itself, so PerOrg is off here.
var DefaultIntentLimits = ActionLimits{PerOrg: -1, PerAddr: 120, Window: time.Hour}

func (l ActionLimits) orDefault(d ActionLimits) ActionLimits {
	if l.PerOrg == 0 {
		l.PerOrg = d.PerOrg
	}
	if l.PerAddr == 0 {
		l.PerAddr = d.PerAddr
	}
	if l.Window <= 0 {
		l.Window = d.Window
	}
	return l
}

// allowAction counts one attempt at action by the request's organisation and client address; a count
// beyond its limit is market.ErrRateLimited (429 rate_limited). Attempts count whether or not they
// succeed, like registrations.
func (a *App) allowAction(c *fiber.Ctx, action string, l ActionLimits) error {
	ctx := c.UserContext()
	for _, al := range a.actionLimits(c, action, l) {
		if err := a.Store.AllowAttempt(ctx, al.Key, al.Max, al.Window); err != nil {
			return err
		}
	}
	return nil
}

// actionLimits are the counts one attempt at action by the request's organisation and client address
// goes into.
func (a *App) actionLimits(c *fiber.Ctx, action string, l ActionLimits) []market.AttemptLimit {
	var out []market.AttemptLimit
	if act := ActorOf(c); l.PerOrg > 0 && act.OrgID != 0 {
		out = append(out, market.AttemptLimit{Key: action + "-org:" + strconv.FormatInt(act.OrgID, 10), Max: l.PerOrg, Window: l.Window})
	}
	if l.PerAddr > 0 {
		out = append(out, market.AttemptLimit{Key: action + "-ip:" + a.clientIP(c), Max: l.PerAddr, Window: l.Window})
	}
	return out
}

// defaultRetryAfter is the Retry-After of a 429 whose wait is unknown.
const defaultRetryAfter = time.Minute

// setRetryAfter sets the Retry-After header of a 429 answer to err: the whole seconds, rounded up,
// until the window that refused the attempt ends (docs/interfaces.md §5.2).
func setRetryAfter(c *fiber.Ctx, err error) {
	wait, ok := market.RetryAfter(err)
	if !ok {
		wait = defaultRetryAfter
	}
	c.Set(fiber.HeaderRetryAfter, strconv.FormatInt(int64((wait+time.Second-1)/time.Second), 10))
}

// formRefusedStatus is the status of a form page shown again with err's message: 429 with Retry-After
// for a rate limit, 422 for any other refusal.
func formRefusedStatus(c *fiber.Ctx, err error) int {
	if isCode(err, market.CodeRateLimited) {
		setRetryAfter(c, err)
		return fiber.StatusTooManyRequests
	}
	return fiber.StatusUnprocessableEntity
}

// acceptLimits are the counts of one open-licence acceptance (POST /api/v1/licences, POST
// /patents/{no}/accept); market.AcceptLicenceWith counts them in the acceptance's own transaction.
func (a *App) acceptLimits(c *fiber.Ctx) []market.AttemptLimit {
	return a.actionLimits(c, "accept", a.AcceptLimits.orDefault(DefaultAcceptLimits))
}

// allowIntent counts one intent (POST /api/v1/intents and the patent page's form).
func (a *App) allowIntent(c *fiber.Ctx) error {
	return a.allowAction(c, "intents", a.IntentLimits.orDefault(DefaultIntentLimits))
}
