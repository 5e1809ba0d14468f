package web

// The API's publishing endpoints: a holder creates its patents and publishes, replaces or withdraws
// their open-licence declarations. The rules are market's; this file only translates.

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
)

// apiCreatePatent is POST /api/v1/patents: a patent of the caller's own organisation.
func (a *App) apiCreatePatent(c *fiber.Ctx) error {
	act := ActorOf(c)
	if err := act.MayPublish(); err != nil {
		return err
	}
	var in market.PatentInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.Store.CreatePatent(c.UserContext(), act, in)
	if err != nil {
		return a.apiFail(c, err)
	}
	pv, err := a.Store.PatentByApplicationNo(c.UserContext(), p.ApplicationNo)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a.toAPIPatent(pv, true))
}

// apiPutDeclaration is PUT /api/v1/patents/{no}/declaration: publish, or replace the live declaration
// (identical terms keep it).
func (a *App) apiPutDeclaration(c *fiber.Ctx) error {
	act := ActorOf(c)
	if err := act.MayPublish(); err != nil {
		return err
	}
	var in market.DeclarationInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	no := utils.CopyString(c.Params("no"))
	d, err := a.Store.PublishDeclaration(c.UserContext(), act, no, in)
	if err != nil {
		return a.apiFail(c, err)
	}
	return a.sendDeclaration(c, no, d)
}

// apiDeleteDeclaration is DELETE /api/v1/patents/{no}/declaration: withdraw it.
func (a *App) apiDeleteDeclaration(c *fiber.Ctx) error {
	act := ActorOf(c)
	if err := act.MayPublish(); err != nil {
		return err
	}
	no := utils.CopyString(c.Params("no"))
	d, err := a.Store.WithdrawDeclaration(c.UserContext(), act, no)
	if err != nil {
		if errors.Is(err, market.ErrNotFound) {
			// Tell an unknown patent from one without a live declaration.
			if _, perr := a.Store.PatentByApplicationNo(c.UserContext(), no); perr == nil {
				return market.ErrNothingToWithdraw
			}
		}
		return err
	}
	return a.sendDeclaration(c, no, d)
}

// sendDeclaration answers with a declaration in the shape GET /patents/{no} uses.
func (a *App) sendDeclaration(c *fiber.Ctx, no string, d *market.Declaration) error {
	pv, err := a.Store.PatentByApplicationNo(c.UserContext(), no)
	if err != nil {
		return err
	}
	v := *pv
	v.Declaration = d
	return c.JSON(a.toAPIPatent(&v, false).Declaration)
}
