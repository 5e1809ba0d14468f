package web

// The API's signing endpoints: accept an open licence, read a contract, record and confirm payments,
// record the CNIPA filing. Authorisation is market's (parties and the bureau only).

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
)

var errKeyRequired = market.NewFieldError("idempotency_key", "required",
	"请提供请求编号（idempotency_key），重试时使用同一编号", "idempotency_key is required: send the same key again when you retry")

// apiAcceptLicence is POST /api/v1/licences {"application_no","idempotency_key"[,"declaration_id"]}: 201 with
// a new contract, 200 with the existing one (same key, or the same licensee and declaration again).
func (a *App) apiAcceptLicence(c *fiber.Ctx) error {
	var in struct {
		ApplicationNo  string `json:"application_no"`
		IdempotencyKey string `json:"idempotency_key"`
		DeclarationID  int64  `json:"declaration_id"`
		// Via names the channel an API client came through (docs/interfaces.md §5.6): checked, recorded as
		// the contract's channel and as the organisation's last touch.
		Via string `json:"via"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.IdempotencyKey) == "" {
		return errKeyRequired
	}
	ct, created, err := a.Store.AcceptLicenceWith(c.UserContext(), ActorOf(c), market.AcceptRequest{
		ApplicationNo: in.ApplicationNo, IdempotencyKey: in.IdempotencyKey, DeclarationID: in.DeclarationID,
		Via: in.Via, Limits: a.acceptLimits(c)})
	if err != nil {
		return a.apiFail(c, err)
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	out, ok := a.contractFromTerms(ct)
	if !ok {
		return a.sendContract(c, status, ct.ContractNo)
	}
	return c.Status(status).JSON(out)
}

// sendContract answers with a contract in full: parties, payments and history.
func (a *App) sendContract(c *fiber.Ctx, status int, no string) error {
	ctx, act := c.UserContext(), ActorOf(c)
	v, err := a.Store.ContractByNo(ctx, act, no)
	if err != nil {
		return err
	}
	pays, err := a.Store.Payments(ctx, act, no)
	if err != nil {
		return err
	}
	evs, err := a.Store.ContractHistory(ctx, act, no)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(a.contractFull(v, pays, evs))
}

// apiGetContract is GET /api/v1/contracts/{no} (its parties and the bureau).
func (a *App) apiGetContract(c *fiber.Ctx) error {
	return a.sendContract(c, fiber.StatusOK, utils.CopyString(c.Params("no")))
}

// parseAmount turns yuan as typed (at most two decimals) into fen; the field is "amount_yuan".
func parseAmount(s string) (int64, *market.FieldError) {
	return market.ParseYuanFen("amount_yuan", s)
}

// parseDay parses YYYY-MM-DD; empty gives the zero date (market then says it is required).
func parseDay(field, s string) (market.Date, *market.FieldError) {
	s = strings.TrimSpace(s)
	if s == "" {
		return market.Date{}, nil
	}
	return market.ParseDateField(field, s)
}

// apiRecordPayment is POST /api/v1/contracts/{no}/payments {"amount_yuan","paid_on","reference"} → 201 {"id",…}.
// An optional "idempotency_key" makes a retried request return the payment it recorded (200) instead of
// recording it twice.
func (a *App) apiRecordPayment(c *fiber.Ctx) error {
	var in struct {
		AmountYuan     market.Numeric `json:"amount_yuan"`
		PaidOn         string         `json:"paid_on"`
		Reference      string         `json:"reference"`
		IdempotencyKey string         `json:"idempotency_key"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	no := utils.CopyString(c.Params("no"))
	var errs market.Errors
	fen, fe := parseAmount(string(in.AmountYuan))
	if fe != nil {
		errs = append(errs, fe)
	}
	day, fe := parseDay("paid_on", in.PaidOn)
	if fe != nil {
		errs = append(errs, fe)
	}
	if len(errs) > 0 {
		// The contract's visibility is checked first, so a stranger learns nothing from the answer.
		if _, err := a.Store.ContractByNo(c.UserContext(), ActorOf(c), no); err != nil {
			return err
		}
		return a.apiFail(c, errs)
	}
	p, replayed, err := a.Store.RecordPaymentOnce(c.UserContext(), ActorOf(c), no, in.IdempotencyKey, fen, day, in.Reference)
	if err != nil {
		return a.apiFail(c, err)
	}
	status := fiber.StatusCreated
	if replayed {
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(toAPIPayment(no, p))
}

// apiConfirmPayment is POST /api/v1/contracts/{no}/payments/{id}/confirm (the licensor).
func (a *App) apiConfirmPayment(c *fiber.Ctx) error {
	no := utils.CopyString(c.Params("no"))
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return market.ErrNotFound
	}
	if _, err := a.Store.ConfirmPayment(c.UserContext(), ActorOf(c), no, id); err != nil {
		return a.apiFail(c, err)
	}
	return a.sendContract(c, fiber.StatusOK, no)
}

// apiRecordFiling is POST /api/v1/contracts/{no}/filing {"filing_no","filed_on"} (either party).
func (a *App) apiRecordFiling(c *fiber.Ctx) error {
	var in struct {
		FilingNo string `json:"filing_no"`
		FiledOn  string `json:"filed_on"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	no := utils.CopyString(c.Params("no"))
	day, fe := parseDay("filed_on", in.FiledOn)
	if fe != nil {
		if _, err := a.Store.ContractByNo(c.UserContext(), ActorOf(c), no); err != nil {
			return err
		}
		return fe
	}
	if _, err := a.Store.RecordFiling(c.UserContext(), ActorOf(c), no, in.FilingNo, day); err != nil {
		return a.apiFail(c, err)
	}
	return a.sendContract(c, fiber.StatusOK, no)
}
