package web

// A holder's patents: add and edit a patent, publish, replace and withdraw its open-licence declaration.
// Every rule of docs/rules.md §5 is checked by market (PublishDeclaration); each violation comes back as a
// FieldError and is shown next to its field, or above the form when it is about the patent itself.

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
)

var patentFields = []string{"application_no", "title", "abstract", "type", "ipc", "filing_date", "grant_date", "status", "industry"}

var declarationFields = []string{"fee_model", "fee_yuan", "royalty_percent", "royalty_base", "entry_fee_yuan", "term_months", "evaluation_report_no"}

func patentInput(f *form) market.PatentInput {
	return market.PatentInput{ApplicationNo: f.Get("application_no"), Title: f.Get("title"), Abstract: f.Get("abstract"),
		Type: f.Get("type"), IPC: f.Get("ipc"), FilingDate: f.Get("filing_date"), GrantDate: f.Get("grant_date"),
		Status: f.Get("status"), Industry: f.Get("industry")}
}

func declarationInput(f *form) market.DeclarationInput {
	return market.DeclarationInput{FeeModel: f.Get("fee_model"), FeeYuan: market.Numeric(f.Get("fee_yuan")),
		RoyaltyPercent: market.Numeric(f.Get("royalty_percent")), RoyaltyBase: f.Get("royalty_base"),
		EntryFeeYuan: market.Numeric(f.Get("entry_fee_yuan")), TermMonths: market.Numeric(f.Get("term_months")),
		EvaluationReportNo: f.Get("evaluation_report_no")}
}

// patentNewPage is GET /account/patents/new.
func (a *App) patentNewPage(c *fiber.Ctx) error {
	if err := ActorOf(c).MayPublish(); err != nil {
		return err
	}
	f := newForm(Lang(c), patentFields...)
	f.Values["status"] = market.StatusGranted
	return a.renderPatentNew(c, fiber.StatusOK, f)
}

func (a *App) renderPatentNew(c *fiber.Ctx, status int, f *form) error {
	data := pageData(c)
	data["Form"] = f
	data["Opts"] = patentOptions(Lang(c))
	return a.Render(c, status, "account/patent_new", data)
}

// patentCreate is POST /account/patents.
func (a *App) patentCreate(c *fiber.Ctx) error {
	act := ActorOf(c)
	if err := act.MayPublish(); err != nil {
		return err
	}
	f := parseForm(c, patentFields...)
	p, err := a.Store.CreatePatent(c.UserContext(), act, patentInput(f))
	if err != nil {
		if errors.Is(err, market.ErrForbidden) || !f.AddErr(err) {
			return err
		}
		return a.renderPatentNew(c, fiber.StatusUnprocessableEntity, f)
	}
	return c.Redirect(withDone("/account/patents/"+p.ApplicationNo, "done.patent_created"), fiber.StatusSeeOther)
}

// ownPatent loads one of the actor's organisation's patents (403 for someone else's, 404 for none).
func (a *App) ownPatent(c *fiber.Ctx, act market.Actor) (*market.PatentView, error) {
	if err := act.MayPublish(); err != nil {
		return nil, err
	}
	pv, err := a.Store.PatentByApplicationNo(c.UserContext(), utils.CopyString(c.Params("no")))
	if err != nil {
		return nil, err
	}
	if pv.PatenteeID != act.OrgID {
		return nil, market.ErrForbidden
	}
	return pv, nil
}

// patentEditPage is GET /account/patents/{no}: the patent's data and its declaration, each in its form.
func (a *App) patentEditPage(c *fiber.Ctx) error {
	pv, err := a.ownPatent(c, ActorOf(c))
	if err != nil {
		return err
	}
	return a.renderPatentEdit(c, fiber.StatusOK, pv, nil, nil)
}

// renderPatentEdit shows both forms; pf or df carry a failed submission, the other is filled from pv.
func (a *App) renderPatentEdit(c *fiber.Ctx, status int, pv *market.PatentView, pf, df *form) error {
	lang := Lang(c)
	if pf == nil {
		pf = newForm(lang, patentFields...)
		p := &pv.Patent
		pf.Values = map[string]string{"application_no": p.ApplicationNo, "title": p.Title, "abstract": p.Abstract,
			"type": p.Type, "ipc": p.IPC, "filing_date": p.FilingDate.String(), "grant_date": p.GrantDate.String(),
			"status": p.Status, "industry": p.Industry}
	}
	if df == nil {
		df = newForm(lang, declarationFields...)
		df.Values["term_months"] = "36"
		df.Values["royalty_base"] = market.RoyaltyOnNetSales
		if d := pv.Declaration; d != nil {
			df.Values = map[string]string{"fee_model": d.FeeModel, "royalty_base": d.RoyaltyBase,
				"term_months": itoa(d.TermMonths), "evaluation_report_no": d.EvaluationReportNo}
			if d.FeeFen > 0 {
				df.Values["fee_yuan"] = market.Fen(d.FeeFen).String()
			}
			if d.RoyaltyBP > 0 {
				df.Values["royalty_percent"] = string(percentNumber(d.RoyaltyBP))
			}
			if d.EntryFeeFen > 0 {
				df.Values["entry_fee_yuan"] = market.Fen(d.EntryFeeFen).String()
			}
		}
	}
	history, err := a.Store.DeclarationHistory(c.UserContext(), pv.ID)
	if err != nil {
		return err
	}
	data := pageData(c)
	data["P"] = pv
	data["Form"] = pf
	data["Decl"] = df
	data["History"] = history
	data["Opts"] = patentOptions(lang)
	if pv.Declaration != nil {
		data["Terms"] = declarationTerms(lang, &pv.Patent, pv.Declaration)
	}
	return a.Render(c, status, "account/patent_edit", data)
}

// patentUpdate is POST /account/patents/{no}.
func (a *App) patentUpdate(c *fiber.Ctx) error {
	act := ActorOf(c)
	pv, err := a.ownPatent(c, act)
	if err != nil {
		return err
	}
	f := parseForm(c, patentFields...)
	if _, err := a.Store.UpdatePatent(c.UserContext(), act, pv.ApplicationNo, patentInput(f)); err != nil {
		if errors.Is(err, market.ErrForbidden) || errors.Is(err, market.ErrNotFound) || !f.AddErr(err) {
			return err
		}
		return a.renderPatentEdit(c, fiber.StatusUnprocessableEntity, pv, f, nil)
	}
	return c.Redirect(withDone("/account/patents/"+pv.ApplicationNo, "done.patent_saved"), fiber.StatusSeeOther)
}

// declarationPublish is POST /account/patents/{no}/declaration: publish, or replace the live declaration.
func (a *App) declarationPublish(c *fiber.Ctx) error {
	act := ActorOf(c)
	pv, err := a.ownPatent(c, act)
	if err != nil {
		return err
	}
	f := parseForm(c, declarationFields...)
	if _, err := a.Store.PublishDeclaration(c.UserContext(), act, pv.ApplicationNo, declarationInput(f)); err != nil {
		if errors.Is(err, market.ErrForbidden) || errors.Is(err, market.ErrNotFound) || !f.AddErr(err) {
			return err
		}
		return a.renderPatentEdit(c, fiber.StatusUnprocessableEntity, pv, nil, f)
	}
	return c.Redirect(withDone("/account/patents/"+pv.ApplicationNo, "done.declared"), fiber.StatusSeeOther)
}

// declarationWithdraw is POST /account/patents/{no}/withdraw. Licences obtained before stay valid.
func (a *App) declarationWithdraw(c *fiber.Ctx) error {
	act := ActorOf(c)
	pv, err := a.ownPatent(c, act)
	if err != nil {
		return err
	}
	if _, err := a.Store.WithdrawDeclaration(c.UserContext(), act, pv.ApplicationNo); err != nil {
		if errors.Is(err, market.ErrNotFound) {
			return market.ErrNothingToWithdraw
		}
		return err
	}
	return c.Redirect(withDone("/account/patents/"+pv.ApplicationNo, "done.withdrawn"), fiber.StatusSeeOther)
}

// patentOpts are the choices of the patent and declaration forms.
type patentOpts struct {
	Types, Statuses, FeeModels, RoyaltyBases []option
}

func patentOptions(lang string) patentOpts {
	var o patentOpts
	o.Types = []option{{Value: "", Label: tr(lang, "holder.type_auto")}}
	for _, t := range []string{market.TypeInvention, market.TypeUtilityModel, market.TypeDesign} {
		o.Types = append(o.Types, option{Value: t, Label: label(lang, "type.", t)})
	}
	for _, s := range market.PatentStatuses {
		o.Statuses = append(o.Statuses, option{Value: s, Label: label(lang, "status.", s)})
	}
	for _, m := range market.FeeModels {
		o.FeeModels = append(o.FeeModels, option{Value: m, Label: label(lang, "fee.", m)})
	}
	for _, b := range []string{market.RoyaltyOnNetSales, market.RoyaltyOnProfit} {
		o.RoyaltyBases = append(o.RoyaltyBases, option{Value: b, Label: label(lang, "royalty_base.", b)})
	}
	return o
}
