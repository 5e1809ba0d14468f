package market

import (
	"errors"
	"fmt"
)

// FieldError is the one kind of user-facing error: a code saying what went wrong, the field it is about
// (empty for a refusal of the whole action) and a message in Chinese and English. Handlers render it
// next to the field; the API returns it as {"error":{"code","message","field"}}. The web layer maps the
// code to an HTTP status in one table (docs/interfaces.md).
type FieldError struct {
	Field     string
	Code      string
	MessageZH string
	MessageEN string
	// Warning marks an overridable finding (e.g. a USCC check digit that old, legal codes fail).
	Warning bool
	// Param marks an error about a parameter of the request (a query-string value, an API option) rather
	// than about submitted data: the request itself is malformed.
	Param bool
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.MessageEN
	}
	return e.Field + ": " + e.MessageEN
}

// Message returns the message in the given language ("zh" or "en").
func (e *FieldError) Message(lang string) string {
	if lang == "en" {
		return e.MessageEN
	}
	return e.MessageZH
}

// NewFieldError builds a FieldError.
func NewFieldError(field, code, zh, en string) *FieldError {
	return &FieldError{Field: field, Code: code, MessageZH: zh, MessageEN: en}
}

// NewParamError builds the FieldError of a request parameter (see FieldError.Param).
func NewParamError(param, code, zh, en string) *FieldError {
	return &FieldError{Field: param, Code: code, MessageZH: zh, MessageEN: en, Param: true}
}

// AsParam returns a copy of e marked as the error of a request parameter.
func (e *FieldError) AsParam() *FieldError {
	c := *e
	c.Param = true
	return &c
}

// Errors is a list of field errors, e.g. every problem of one form or one import row.
type Errors []*FieldError

func (es Errors) Error() string {
	if len(es) == 0 {
		return "no errors"
	}
	s := es[0].Error()
	if len(es) > 1 {
		s += fmt.Sprintf(" (and %d more)", len(es)-1)
	}
	return s
}

// Err returns nil for an empty list so callers can `return errs.Err()`.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// The codes of the domain's refusals, each defined once. Field validations use their own short codes
// (required, too_long, invalid_date…) through NewFieldError. The web layer gives each code below its HTTP
// status in one table, or lets it take the default: 422 when the error names a field, 409 when it does
// not (docs/interfaces.md lists them).
const (
	CodeNotFound        = "not_found"
	CodeForbidden       = "forbidden"
	CodeUnauthenticated = "unauthenticated"
	CodeConflict        = "conflict"
	CodeOrgUnverified   = "org_unverified"
	CodeAccountDisabled = "account_disabled"
	CodeRateLimited     = "rate_limited"
	CodeInvalidLogin    = "invalid_login"

	// Refusals of a licence, a declaration or a contract's next step.
	CodeNoDeclaration        = "no_declaration"
	CodeDeclarationWithdrawn = "declaration_withdrawn"
	CodeTermsChanged         = "terms_changed"
	CodeOwnPatent            = "own_patent"
	CodePatentNotInForce     = "patent_not_in_force"
	CodeIdempotencyKeyReused = "idempotency_key_reused"
	CodeNotAwaitingPayment   = "not_awaiting_payment"
	CodeNotEffective         = "not_effective"
	CodePaymentRejected      = "payment_rejected"
	CodePaymentConfirmed     = "payment_confirmed"
	CodeCannotCancel         = "cannot_cancel"

	// Offers, intents, deals and channels (docs/rules.md §10.3–§10.5).
	CodeNotOffered              = "not_offered"
	CodeIntentExists            = "intent_exists"
	CodeIntentClosed            = "intent_closed"
	CodeDealRecorded            = "deal_recorded"
	CodeNotAwaitingRegistration = "not_awaiting_registration"
	CodeMarkupNotAllowed        = "markup_not_allowed"
	CodeUnknownChannel          = "unknown_channel"

	// CodeInvalidCharacters refuses free text holding a control character or a bidirectional-text
	// control (CheckText).
	CodeInvalidCharacters = "invalid_characters"

	// Refusals of a demand's step (docs/rules.md §10).
	CodeNotModerator = "not_moderator"
	CodeDemandState  = "demand_state"

	// CodeSearchUnavailable answers a search while the search engine fails (docs/architecture.md §9.1):
	// browsing walls, supermarkets and categories goes on from the database.
	CodeSearchUnavailable = "search_unavailable"
)

// Kinds of domain errors that are not about one field.
var (
	ErrNotFound  = &FieldError{Code: CodeNotFound, MessageZH: "未找到", MessageEN: "not found"}
	ErrForbidden = &FieldError{Code: CodeForbidden, MessageZH: "无权执行此操作", MessageEN: "you are not allowed to do this"}
	ErrConflict  = &FieldError{Code: CodeConflict, MessageZH: "与当前状态冲突", MessageEN: "conflicts with the current state"}
	ErrUnauth    = &FieldError{Code: CodeUnauthenticated, MessageZH: "请先登录", MessageEN: "please log in"}

	// ErrOrgUnverified refuses users of an organisation the platform has not verified yet: they may
	// neither sign nor publish.
	ErrOrgUnverified = &FieldError{Code: CodeOrgUnverified,
		MessageZH: "贵单位尚未通过审核，审核通过后才能签约或发布", MessageEN: "your organisation is not verified yet; only verified organisations can sign or publish"}
	// ErrAccountDisabled refuses a user whose account has been disabled.
	ErrAccountDisabled = &FieldError{Code: CodeAccountDisabled, MessageZH: "该账户已停用", MessageEN: "this account is disabled"}
	// ErrRateLimited answers too many attempts in a short time.
	ErrRateLimited = &FieldError{Code: CodeRateLimited, MessageZH: "尝试次数过多，请稍后再试", MessageEN: "too many attempts; try again later"}
	// ErrSearchUnavailable answers a keyword search while the search engine is down.
	ErrSearchUnavailable = &FieldError{Code: CodeSearchUnavailable,
		MessageZH: "搜索服务暂时不可用，请稍后再试；仍可按产业分类、专利墙或专利超市浏览",
		MessageEN: "search is temporarily unavailable; please try again later, or browse by industry, wall or supermarket"}
	// ErrNothingToWithdraw refuses withdrawing the declaration of a patent that has no live one.
	ErrNothingToWithdraw = &FieldError{Code: CodeNoDeclaration,
		MessageZH: "该专利没有生效中的开放许可声明，无需撤回", MessageEN: "this patent has no live open-licence declaration to withdraw"}
)

// AsFieldErrors unwraps err into field errors, or nil when err is not a user error.
func AsFieldErrors(err error) Errors {
	var es Errors
	if errors.As(err, &es) {
		return es
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return Errors{fe}
	}
	return nil
}

// Conflict returns a refusal naming no field, with its own code and message.
func Conflict(code, zh, en string) *FieldError {
	return &FieldError{Code: code, MessageZH: zh, MessageEN: en}
}
