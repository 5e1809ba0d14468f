package web

// The API's accounts endpoints: tokens, registration and verification. Bearer tokens only: the API
// never reads the session cookie, so it needs no CSRF token.

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
)

var errBadJSON = &market.FieldError{Code: codeBadJSON, MessageZH: "请求体不是有效的 JSON", MessageEN: "the request body is not valid JSON"}

// badJSON is a 400 bad_json saying what is wrong with the body (field: the member concerned, if any).
func badJSON(field, zh, en string) *market.FieldError {
	return &market.FieldError{Code: codeBadJSON, Field: field, MessageZH: "请求体有误：" + zh, MessageEN: "bad request body: " + en}
}

// decodeJSON reads the request body into v strictly: one JSON value and nothing after it, no member v
// does not define (a misspelt field is an error, not silently ignored), and neither an empty body nor
// null. Each is a 400 bad_json naming what was wrong.
func decodeJSON(c *fiber.Ctx, v any) error {
	body := bytes.TrimSpace(c.Body())
	switch {
	case len(body) == 0:
		return badJSON("", "请求体为空，应为 JSON 对象", "the body is empty; send a JSON object")
	case string(body) == "null":
		return badJSON("", "请求体为 null，应为 JSON 对象", "the body is null; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			at := strconv.FormatInt(syn.Offset, 10)
			return badJSON("", "不是有效的 JSON（第 "+at+" 字节附近）", "not valid JSON (near byte "+at+")")
		case errors.As(err, &typ):
			if typ.Field == "" {
				return badJSON("", "应为 JSON 对象，而不是 "+typ.Value, "expected a JSON object, not "+typ.Value)
			}
			return badJSON(typ.Field, "字段 "+typ.Field+" 的类型不对（收到 "+typ.Value+"）",
				"field "+typ.Field+" has the wrong type (got "+typ.Value+")")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
			return badJSON(name, "未知字段 "+strconv.Quote(name)+"（字段名请见接口文档）",
				"unknown field "+strconv.Quote(name)+" (see the API documentation for the field names)")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return badJSON("", "JSON 不完整", "the JSON ends too early")
		}
		return errBadJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return badJSON("", "JSON 值之后还有多余内容", "there is more data after the JSON value")
	}
	return nil
}

// apiFail answers a user error with every field error: the shape of docs/interfaces.md §5.1 ("error": the
// first one) plus "errors" listing them all, so a client can show each field's message at once. Other
// errors go to the app's error handler.
func (a *App) apiFail(c *fiber.Ctx, err error) error {
	es := market.AsFieldErrors(err)
	if len(es) == 0 {
		return err
	}
	status, _, _ := classifyFor(c, err)
	lang := Lang(c)
	all := make([]apiError, len(es))
	for i, fe := range es {
		all[i] = apiError{Code: fe.Code, Message: fe.Message(lang), Field: fe.Field}
	}
	return c.Status(status).JSON(fiber.Map{"error": all[0], "errors": all})
}

// apiOrg is an organisation in JSON.
type apiOrg struct {
	USCC         string     `json:"uscc"`
	Name         string     `json:"name"`
	Kind         string     `json:"kind"`
	District     string     `json:"district"`
	Verified     bool       `json:"verified"`
	VerifiedAt   *time.Time `json:"verified_at"`
	IsSME        bool       `json:"is_sme"`
	SMEConfirmed bool       `json:"sme_confirmed"`
	USCCWarning  string     `json:"uscc_warning,omitempty"`
}

func toAPIOrg(o *market.Organisation) apiOrg {
	return apiOrg{USCC: o.USCC, Name: o.Name, Kind: o.Kind, District: o.DistrictCode, Verified: o.Verified(),
		VerifiedAt: o.VerifiedAt, IsSME: o.IsSME, SMEConfirmed: o.SMEConfirmed, USCCWarning: o.USCCWarning}
}

// apiCreateToken is POST /api/v1/tokens {"email","password"[,"name"]} → 201 {"token"}.
func (a *App) apiCreateToken(c *fiber.Ctx) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Name     string `json:"name"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.loginAllowedFrom(c); err != nil {
		return err
	}
	tok, t, err := a.Store.CreateAPIToken(c.UserContext(), in.Email, in.Password, in.Name)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": tok, "id": t.ID, "name": t.Name, "created_at": t.CreatedAt, "expires_at": t.ExpiresAt})
}

// apiRevokeCurrentToken is DELETE /api/v1/tokens/current: the token of this request stops working.
func (a *App) apiRevokeCurrentToken(c *fiber.Ctx) error {
	au := authOf(c)
	if au.TokenID == 0 {
		return market.ErrUnauth
	}
	if err := a.Store.RevokeAPIToken(c.UserContext(), au.Actor, au.TokenID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiRegister is POST /api/v1/register {"org": {…}, "sme": {…}, "user": {…}, "accept_uscc_warning"}.
func (a *App) apiRegister(c *fiber.Ctx) error {
	if err := a.registerAllowedFrom(c); err != nil {
		return err
	}
	// "org" may carry every column of the orgs import (docs/interfaces.md §5.5): "is_sme",
	// "operating_normally" and "good_credit" are accepted and ignored, since a registrant's SME status comes
	// from its "sme" figures and the staff's confirmation, and its operating state and credit from staff.
	var in struct {
		market.RegisterInput
		Org struct {
			market.OrgRecord
			IsSME             *bool `json:"is_sme"`
			OperatingNormally *bool `json:"operating_normally"`
			GoodCredit        *bool `json:"good_credit"`
		} `json:"org"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	in.RegisterInput.Org = in.Org.OrgRecord
	org, u, err := a.Store.Register(c.UserContext(), in.RegisterInput)
	if err != nil {
		return a.apiFail(c, err)
	}
	return c.Status(fiber.StatusCreated).JSON(struct {
		apiOrg
		User fiber.Map `json:"user"`
	}{toAPIOrg(org), fiber.Map{"id": u.ID, "name": u.Name, "email": u.Email, "role": u.Role}})
}

// apiVerifyOrg is POST /api/v1/orgs/{uscc}/verify (the bureau, or an operator of a verified district
// office for an organisation of its district: market.Actor.MayVerify).
func (a *App) apiVerifyOrg(c *fiber.Ctx) error {
	org, err := a.Store.VerifyOrg(c.UserContext(), ActorOf(c), utils.CopyString(c.Params("uscc")))
	if err != nil {
		return err
	}
	return c.JSON(toAPIOrg(org))
}
