package web

// Accepting an open licence from the patent page (Patent Law Art. 51): a verified enterprise reads the
// posted terms and the written notice (书面通知) it is about to send, confirms, and the contract forms
// when the notice reaches the patentee through the platform. The form carries a fresh idempotency key,
// so a double click or a retried post returns the same contract; the declaration's ID, so terms changed
// in the meantime are never signed unread.

import (
	"crypto/rand"
	"encoding/base64"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
)

// acceptBox is the state of the accept form for the viewer (the "accept" partial draws it).
type acceptBox struct {
	// State: login | own | not_licensee | unverified | holding | unavailable | ready
	State         string
	Reason        string // why it is unavailable, in the page's language
	ContractNo    string // the viewer's live contract of this declaration (holding)
	Notice        string // the written notice about to be sent (ready), zh-CN as delivered
	DeclarationID int64
	Key           string // fresh idempotency key
	AmountDueFen  int64
	Error         string // a failed confirmation
}

// acceptHook gives the patent page its accept box.
func (a *App) acceptHook(c *fiber.Ctx, pv *market.PatentView, data fiber.Map) error {
	if pv.Declaration == nil {
		return nil
	}
	box, err := a.acceptState(c, pv)
	if err != nil {
		return err
	}
	data["Accept"] = box
	return nil
}

func (a *App) acceptState(c *fiber.Ctx, pv *market.PatentView) (*acceptBox, error) {
	act := ActorOf(c)
	box := &acceptBox{}
	switch {
	case act.Anonymous():
		box.State = "login"
	case act.OrgID != 0 && act.OrgID == pv.PatenteeID:
		box.State = "own"
	case act.OrgID == 0 || act.Role != market.RoleLicensee || act.OrgKind != market.KindEnterprise:
		box.State = "not_licensee"
	case !act.OrgVerified:
		box.State = "unverified"
	}
	if box.State != "" || pv.Declaration == nil {
		return box, nil
	}
	held, err := a.Store.LiveContractNo(c.UserContext(), pv.Declaration.ID, act.OrgID)
	if err != nil {
		return nil, err
	}
	if held != "" {
		box.State, box.ContractNo = "holding", held
		return box, nil
	}
	terms, err := a.Store.PreviewLicence(c.UserContext(), act, pv.ApplicationNo)
	if err != nil {
		es := market.AsFieldErrors(err)
		if es == nil {
			return nil, err
		}
		box.State, box.Reason = "unavailable", es[0].Message(Lang(c))
		return box, nil
	}
	box.State, box.Notice, box.DeclarationID = "ready", terms.Notice, pv.Declaration.ID
	box.AmountDueFen, box.Key = terms.AmountDueFen, newIdempotencyKey()
	return box, nil
}

func newIdempotencyKey() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return "web-" + base64.RawURLEncoding.EncodeToString(b)
}

var errMustAgree = &market.FieldError{Field: "agree", Code: "required",
	MessageZH: "请先勾选确认：已阅读许可条件和书面通知", MessageEN: "tick the box to confirm you have read the terms and the written notice"}

// acceptLicence is POST /patents/{no}/accept.
func (a *App) acceptLicence(c *fiber.Ctx) error {
	act := ActorOf(c)
	no := utils.CopyString(c.Params("no"))
	f := parseForm(c, "declaration_id", "idempotency_key", "agree")
	declID, _ := strconv.ParseInt(f.Get("declaration_id"), 10, 64)
	if !f.Checked("agree") {
		return a.renderAcceptPage(c, no, fiber.StatusUnprocessableEntity, errMustAgree)
	}
	ct, _, err := a.Store.AcceptLicenceWith(c.UserContext(), act, market.AcceptRequest{
		ApplicationNo: no, IdempotencyKey: f.Get("idempotency_key"), DeclarationID: declID, Limits: a.acceptLimits(c)})
	if err != nil {
		if !userError(err) {
			return err
		}
		status, fe, _ := classifyFor(c, err)
		if status == fiber.StatusNotFound {
			return err
		}
		return a.renderAcceptPage(c, no, status, fe)
	}
	return c.Redirect(withDone("/contracts/"+ct.ContractNo, "done.signed"), fiber.StatusSeeOther)
}

// renderAcceptPage shows the terms, the notice and the form again with the reason the confirmation
// failed (e.g. the terms changed meanwhile: the new ones are shown, with a new key).
func (a *App) renderAcceptPage(c *fiber.Ctx, no string, status int, fe *market.FieldError) error {
	pv, err := a.Store.PatentByApplicationNo(c.UserContext(), no)
	if err != nil {
		return err
	}
	data := pageData(c)
	data["P"] = pv
	box, err := a.acceptState(c, pv)
	if err != nil {
		return err
	}
	box.Error = fe.Message(Lang(c))
	data["Accept"] = box
	if pv.Declaration != nil {
		data["Terms"] = declarationTerms(Lang(c), &pv.Patent, pv.Declaration)
	}
	return a.Render(c, status, "account/accept", data)
}
