package web

// The pages of offers, intents, deals and registrations (docs/interfaces.md §4): every step is a plain
// form (POST-redirect-GET; a refused form is shown again with its messages and status 422), so the whole
// path works without JavaScript.

import (
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
)

var (
	offerFields  = []string{"transfer_price_yuan", "negotiable_licence"}
	intentFields = []string{"application_no", "kind", "offer_yuan", "message"}
	dealFields   = []string{"fee_yuan", "signed_on", "effective_on"}
	regFields    = []string{"registration_no", "registered_on"}
)

// offerBox is the patent page's box of offers beside the open licence (the "offer" partial).
type offerBox struct {
	// State: holder (its own patent: manage the offer) | login | cannot (the viewer's organisation cannot
	// send intents) | ready (the intent form)
	State             string
	TransferPriceFen  int64
	NegotiableLicence bool
	Form              *form
	Kinds             []option
}

// offerHook gives the patent page its offer box.
func (a *App) offerHook(c *fiber.Ctx, pv *market.PatentView, data fiber.Map) error {
	o, err := a.Store.OfferOf(c.UserContext(), pv.ApplicationNo)
	if err != nil {
		return err
	}
	act := ActorOf(c)
	box := &offerBox{TransferPriceFen: o.TransferPriceFen, NegotiableLicence: o.NegotiableLicence}
	switch {
	case act.OrgID != 0 && act.OrgID == pv.PatenteeID:
		box.State = "holder"
	case !o.Offered():
		return nil
	case act.Anonymous():
		box.State = "login"
	case act.MayPublish() != nil:
		box.State = "cannot"
	default:
		box.State = "ready"
		box.Form = newForm(Lang(c), intentFields...)
		box.Kinds = intentKinds(Lang(c), o)
	}
	data["Offer"] = box
	return nil
}

func intentKinds(lang string, o market.PatentOffer) []option {
	var out []option
	if o.TransferPriceFen > 0 {
		out = append(out, option{Value: market.ContractTransfer, Label: tr(lang, "intent.kind.transfer")})
	}
	if o.NegotiableLicence {
		out = append(out, option{Value: market.ContractOrdinaryLicence, Label: tr(lang, "intent.kind.ordinary_licence")})
	}
	return out
}

// offerPage is GET /patents/{no}/offer: the holder's offer form.
func (a *App) offerPage(c *fiber.Ctx) error {
	pv, err := a.Store.PatentByApplicationNo(c.UserContext(), utils.CopyString(c.Params("no")))
	if err != nil {
		return err
	}
	if act := ActorOf(c); act.OrgID == 0 || act.OrgID != pv.PatenteeID {
		return market.ErrForbidden
	}
	o, err := a.Store.OfferOf(c.UserContext(), pv.ApplicationNo)
	if err != nil {
		return err
	}
	f := newForm(Lang(c), offerFields...)
	if o.TransferPriceFen > 0 {
		f.Values["transfer_price_yuan"] = market.Fen(o.TransferPriceFen).String()
	}
	if o.NegotiableLicence {
		f.Values["negotiable_licence"] = "1"
	}
	return a.renderOffer(c, fiber.StatusOK, pv, f)
}

func (a *App) renderOffer(c *fiber.Ctx, status int, pv *market.PatentView, f *form) error {
	data := pageData(c)
	data["P"], data["Form"] = pv, f
	return a.Render(c, status, "deals/offer", data)
}

// offerSave is POST /patents/{no}/offer.
func (a *App) offerSave(c *fiber.Ctx) error {
	no := utils.CopyString(c.Params("no"))
	f := parseForm(c, offerFields...)
	in := market.OfferInput{NegotiableLicence: f.Checked("negotiable_licence")}
	var err error
	if s := f.Get("transfer_price_yuan"); s != "" {
		var fe *market.FieldError
		if in.TransferPriceFen, fe = market.ParseYuanFen("transfer_price_yuan", s); fe != nil {
			err = fe
		}
	}
	if err == nil {
		_, err = a.Store.SetOffer(c.UserContext(), ActorOf(c), no, in)
	}
	if err != nil {
		if !userError(err) || isCode(err, market.CodeForbidden) || isCode(err, market.CodeNotFound) || isCode(err, market.CodeOrgUnverified) {
			return err
		}
		pv, perr := a.Store.PatentByApplicationNo(c.UserContext(), no)
		if perr != nil {
			return perr
		}
		f.AddErr(err)
		status, _, _ := classifyFor(c, err)
		return a.renderOffer(c, status, pv, f)
	}
	return c.Redirect(withDone("/patents/"+no, "done.offer_saved"), fiber.StatusSeeOther)
}

// intentCreate is POST /intents (the patent page's form); a refused form is shown on its own page.
func (a *App) intentCreate(c *fiber.Ctx) error {
	f := parseForm(c, intentFields...)
	in := market.IntentInput{ApplicationNo: f.Get("application_no"), Kind: f.Get("kind"), Message: f.Values["message"]}
	var err error
	if s := f.Get("offer_yuan"); s != "" {
		v, fe := market.ParseYuanFen("offer_yuan", s)
		if fe != nil {
			err = fe
		}
		in.OfferFen = &v
	}
	var it *market.Intent
	if err == nil {
		err = a.allowIntent(c)
	}
	if err == nil {
		it, err = a.Store.CreateIntent(c.UserContext(), ActorOf(c), in)
	}
	if err != nil {
		if !userError(err) || isCode(err, market.CodeForbidden) || isCode(err, market.CodeOrgUnverified) {
			return err
		}
		pv, perr := a.Store.PatentByApplicationNo(c.UserContext(), in.ApplicationNo)
		if perr != nil {
			return err
		}
		o, oerr := a.Store.OfferOf(c.UserContext(), pv.ApplicationNo)
		if oerr != nil {
			return oerr
		}
		f.AddErr(err)
		status, _, _ := classifyFor(c, err)
		data := pageData(c)
		data["P"], data["Form"], data["Kinds"] = pv, f, intentKinds(Lang(c), o)
		return a.Render(c, status, "deals/intent_new", data)
	}
	return c.Redirect(withDone(market.IntentLink(it.ID), "done.intent_sent"), fiber.StatusSeeOther)
}

// intentsPage is GET /intents?role=buyer|holder&page=: the organisation's intents.
func (a *App) intentsPage(c *fiber.Ctx) error {
	role := bQuery(c, "role")
	if role != "holder" {
		role = "buyer"
	}
	page := bPage(c)
	const per = 20
	vs, total, err := a.Store.Intents(c.UserContext(), ActorOf(c), market.IntentQuery{Role: role, Limit: per, Offset: (page - 1) * per})
	if err != nil {
		return err
	}
	data := pageData(c)
	data["Role"], data["Intents"], data["Total"] = role, vs, total
	data["Pager"] = makePager(page, per, total, func(n int) string { return fmt.Sprintf("/intents?role=%s&page=%d", role, n) })
	return a.Render(c, fiber.StatusOK, "deals/intents", data)
}

// intentPage is GET /intents/{id}: the thread and the steps the viewer may take.
func (a *App) intentPage(c *fiber.Ctx) error {
	return a.renderIntent(c, fiber.StatusOK, nil)
}

func (a *App) renderIntent(c *fiber.Ctx, status int, failed map[string]*form) error {
	id, err := intentID(c)
	if err != nil {
		return err
	}
	act := ActorOf(c)
	v, err := a.Store.IntentByID(c.UserContext(), act, id)
	if err != nil {
		return err
	}
	lang := Lang(c)
	forms := map[string]*form{"message": newForm(lang, "body"), "deal": newForm(lang, dealFields...)}
	today := market.DateOf(a.Store.Now()).String()
	forms["deal"].Values["signed_on"], forms["deal"].Values["effective_on"] = today, today
	if v.OfferFen != nil {
		forms["deal"].Values["fee_yuan"] = market.Fen(*v.OfferFen).String()
	}
	for k, f := range failed {
		forms[k] = f
	}
	data := pageData(c)
	data["I"], data["Forms"] = v, forms
	data["IsBuyer"] = act.OrgID != 0 && act.OrgID == v.BuyerID
	data["IsHolder"] = act.OrgID != 0 && act.OrgID == v.HolderID
	return a.Render(c, status, "deals/intent", data)
}

// intentFormFailed shows the thread again with a refused form; refusals of who may act are error pages.
func (a *App) intentFormFailed(c *fiber.Ctx, err error, name string, f *form) error {
	if !userError(err) {
		return err
	}
	status, _, _ := classifyFor(c, err)
	switch status {
	case fiber.StatusUnauthorized, fiber.StatusForbidden, fiber.StatusNotFound:
		return err
	}
	f.AddErr(err)
	return a.renderIntent(c, status, map[string]*form{name: f})
}

// intentMessage is POST /intents/{id}/messages.
func (a *App) intentMessage(c *fiber.Ctx) error {
	id, err := intentID(c)
	if err != nil {
		return err
	}
	f := parseForm(c, "body")
	if _, err := a.Store.PostIntentMessage(c.UserContext(), ActorOf(c), id, f.Values["body"]); err != nil {
		return a.intentFormFailed(c, err, "message", f)
	}
	return c.Redirect(market.IntentLink(id)+"#thread-end", fiber.StatusSeeOther)
}

// intentClose is POST /intents/{id}/decline (holder) and …/withdraw (buyer).
func (a *App) intentClose(decline bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := intentID(c)
		if err != nil {
			return err
		}
		done := "done.intent_declined"
		if decline {
			_, err = a.Store.DeclineIntent(c.UserContext(), ActorOf(c), id)
		} else {
			done = "done.intent_withdrawn"
			_, err = a.Store.WithdrawIntent(c.UserContext(), ActorOf(c), id)
		}
		if err != nil {
			return a.intentFormFailed(c, err, "close", newForm(Lang(c)))
		}
		return c.Redirect(withDone(market.IntentLink(id), done), fiber.StatusSeeOther)
	}
}

// intentDeal is POST /intents/{id}/deal (holder): the contract page follows.
func (a *App) intentDeal(c *fiber.Ctx) error {
	id, err := intentID(c)
	if err != nil {
		return err
	}
	f := parseForm(c, dealFields...)
	in, errs := dealInput(f.Get("fee_yuan"), f.Get("signed_on"), f.Get("effective_on"))
	if len(errs) > 0 {
		return a.intentFormFailed(c, errs, "deal", f)
	}
	ct, err := a.Store.RecordDeal(c.UserContext(), ActorOf(c), id, in)
	if err != nil {
		return a.intentFormFailed(c, err, "deal", f)
	}
	return c.Redirect(withDone(market.ContractLink(ct.ContractNo), "done.deal_recorded"), fiber.StatusSeeOther)
}

// contractRegistration is POST /contracts/{no}/registration (either party of a transfer).
func (a *App) contractRegistration(c *fiber.Ctx) error {
	no := utils.CopyString(c.Params("no"))
	f := parseForm(c, regFields...)
	on, fe := parseDay("registered_on", f.Get("registered_on"))
	var err error = fe
	if fe == nil {
		_, err = a.Store.RecordRegistration(c.UserContext(), ActorOf(c), no, f.Get("registration_no"), on)
	}
	if err != nil {
		return a.contractFormFailed(c, err, "registration", f)
	}
	return a.backToContract(c, no, "done.transfer_registered")
}
