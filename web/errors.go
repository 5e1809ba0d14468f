package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"patentwall/market"
	"patentwall/search"
)

// httpError is a user error with an explicit status (e.g. a bad query string is a 400, not a 422).
type httpError struct {
	Status int
	FE     *market.FieldError
}

func (e *httpError) Error() string { return e.FE.Error() }
func (e *httpError) Unwrap() error { return e.FE }

// statusByCode maps the domain's error codes to HTTP statuses in one table (WTF Dial's pattern).
var statusByCode = map[string]int{
	"not_found":       fiber.StatusNotFound,
	"forbidden":       fiber.StatusForbidden,
	"unauthenticated": fiber.StatusUnauthorized,
	"conflict":        fiber.StatusConflict,
	"validation":      fiber.StatusUnprocessableEntity,
}

// apiError is the JSON error body of docs/interfaces.md §5.1.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field"`
}

// classify turns any error into a status and a user-facing error. ok=false means an internal error
// whose details must only be logged.
func classify(err error) (status int, fe *market.FieldError, ok bool) {
	var he *httpError
	if errors.As(err, &he) {
		return he.Status, he.FE, true
	}
	if errors.Is(err, search.ErrBadQuery) {
		if es := market.AsFieldErrors(err); len(es) > 0 {
			return fiber.StatusBadRequest, es[0], true
		}
		// Engines wrap ErrBadQuery with an English detail; keep it in both languages' message.
		detail := strings.TrimPrefix(strings.TrimPrefix(err.Error(), search.ErrBadQuery.Error()), ": ")
		return fiber.StatusBadRequest, &market.FieldError{Field: paramQ, Code: "bad_query",
			MessageZH: joinDetail("检索条件有误", detail), MessageEN: joinDetail("invalid search", detail)}, true
	}
	if es := market.AsFieldErrors(err); len(es) > 0 {
		fe := es[0]
		if st, ok := statusByCode[fe.Code]; ok {
			return st, fe, true
		}
		if fe.Field != "" {
			return fiber.StatusUnprocessableEntity, fe, true
		}
		// A domain refusal that names no field (already withdrawn, no longer live…) is a state conflict.
		return fiber.StatusConflict, fe, true
	}
	var fe2 *fiber.Error
	if errors.As(err, &fe2) {
		return fe2.Code, fiberErrorMessage(fe2.Code), true
	}
	return fiber.StatusInternalServerError, &market.FieldError{Code: "internal",
		MessageZH: "服务器内部错误，请稍后再试", MessageEN: "internal server error; please try again later"}, false
}

func joinDetail(msg, detail string) string {
	if detail == "" {
		return msg
	}
	return msg + ": " + detail
}

// fiberErrorMessage explains the statuses Fiber itself produces (no route, wrong method, body too large…).
func fiberErrorMessage(status int) *market.FieldError {
	switch status {
	case fiber.StatusNotFound:
		return &market.FieldError{Code: "not_found", MessageZH: "页面不存在", MessageEN: "page not found"}
	case fiber.StatusMethodNotAllowed:
		return &market.FieldError{Code: "method_not_allowed", MessageZH: "不支持此请求方法", MessageEN: "method not allowed"}
	case fiber.StatusRequestEntityTooLarge:
		return &market.FieldError{Code: "too_large",
			MessageZH: "上传内容过大：文件不能超过 50 MB", MessageEN: "upload too large: files may be at most 50 MB"}
	case fiber.StatusRequestHeaderFieldsTooLarge:
		return &market.FieldError{Code: "header_too_large", MessageZH: "请求头或网址过长", MessageEN: "request headers or URL too long"}
	case fiber.StatusRequestTimeout:
		return &market.FieldError{Code: "timeout", MessageZH: "请求超时", MessageEN: "request timed out"}
	case fiber.StatusTooManyRequests:
		return &market.FieldError{Code: "rate_limited", MessageZH: "请求过于频繁，请稍后再试", MessageEN: "too many requests; please wait a moment"}
	}
	if status >= 500 {
		return &market.FieldError{Code: "internal", MessageZH: "服务器内部错误，请稍后再试", MessageEN: "internal server error; please try again later"}
	}
	return &market.FieldError{Code: "bad_request", MessageZH: "请求无效", MessageEN: "bad request"}
}

// isAPI reports whether the request is for the JSON API.
func isAPI(c *fiber.Ctx) bool {
	p := c.Path()
	return p == "/api" || strings.HasPrefix(p, "/api/")
}

// handleError is the app's one error handler: JSON under /api/, an HTML page elsewhere.
func (a *App) handleError(c *fiber.Ctx, err error) error {
	status, fe, ok := classify(err)
	if !ok {
		a.Log.Error("internal error", "method", c.Method(), "path", c.Path(), "err", err)
	}
	lang := Lang(c)
	if isAPI(c) {
		return c.Status(status).JSON(fiber.Map{"error": apiError{Code: fe.Code, Message: fe.Message(lang), Field: fe.Field}})
	}
	rerr := a.Render(c, status, "error", fiber.Map{"Status": status, "Error": fe, "Message": fe.Message(lang)})
	if rerr != nil {
		// The error page itself failed: fall back to plain text rather than nothing.
		a.Log.Error("error page failed", "err", rerr)
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.Status(status).SendString(fe.Message(lang))
	}
	return nil
}
