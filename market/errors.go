package market

import (
	"errors"
	"fmt"
)

// FieldError is a user-facing validation failure: it names the field that failed and why, in
// Chinese and English. Handlers render it next to the field; the API returns it as
// {"error":{"code","message","field"}}.
type FieldError struct {
	Field     string
	Code      string
	MessageZH string
	MessageEN string
	// Warning marks an overridable finding (e.g. a USCC check digit that old, legal codes fail).
	Warning bool
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

// Kinds of domain errors that are not about one field. Handlers map them to HTTP statuses in one table.
var (
	ErrNotFound  = &FieldError{Code: "not_found", MessageZH: "未找到", MessageEN: "not found"}
	ErrForbidden = &FieldError{Code: "forbidden", MessageZH: "无权执行此操作", MessageEN: "you are not allowed to do this"}
	ErrConflict  = &FieldError{Code: "conflict", MessageZH: "与当前状态冲突", MessageEN: "conflicts with the current state"}
	ErrUnauth    = &FieldError{Code: "unauthenticated", MessageZH: "请先登录", MessageEN: "please log in"}
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

// Conflict returns a conflict error with a specific message.
func Conflict(code, zh, en string) *FieldError {
	return &FieldError{Code: code, MessageZH: zh, MessageEN: en}
}
