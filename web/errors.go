package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"patentwall/market"
	"patentwall/search"
)

// Codes of the web layer's own refusals (the domain's are market's Code constants).
const (
	codeBadJSON    = "bad_json"    // a request body that is not JSON
	codeBadQuery   = "bad_query"   // a search the engine refused
	codeCSRFFailed = "csrf_failed" // a page form without its CSRF token
	// codeRequestTooLarge: a body above its route's limit (web/bodylimit.go); the upload route answers
	// Fiber's "too_large" upload message instead.
	codeRequestTooLarge = "request_too_large"
)

// statusByCode is the one table from an error code to its HTTP status (docs/interfaces.md). A code
// without an entry takes the default of statusOf.
var statusByCode = map[string]int{
	market.CodeNotFound:        fiber.StatusNotFound,
	market.CodeForbidden:       fiber.StatusForbidden,
	market.CodeOrgUnverified:   fiber.StatusForbidden,
	market.CodeAccountDisabled: fiber.StatusForbidden,
	codeCSRFFailed:             fiber.StatusForbidden,
	market.CodeUnauthenticated: fiber.StatusUnauthorized,
	market.CodeInvalidLogin:    fiber.StatusUnauthorized,
	market.CodeConflict:        fiber.StatusConflict,
	market.CodeRateLimited:     fiber.StatusTooManyRequests,
	codeBadJSON:                fiber.StatusBadRequest,
	codeBadQuery:               fiber.StatusBadRequest,
	codeRequestTooLarge:        fiber.StatusRequestEntityTooLarge,
	market.CodeNotModerator:    fiber.StatusForbidden,
	market.CodeDemandState:     fiber.StatusConflict,
	// The engine is down: the request may be repeated later (docs/architecture.md §9.1).
	market.CodeSearchUnavailable: fiber.StatusServiceUnavailable,
}

// statusOf is the HTTP status of a user error: its code's entry in statusByCode; otherwise 400 for a
// request parameter's error (FieldError.Param), 422 for a field's error, and 409 for a refusal naming no
// field (already withdrawn, no longer live…: a conflict with the current state).
func statusOf(fe *market.FieldError) int {
	if st, ok := statusByCode[fe.Code]; ok {
		return st
	}
	switch {
	case fe.Param:
		return fiber.StatusBadRequest
	case fe.Field != "":
		return fiber.StatusUnprocessableEntity
	}
	return fiber.StatusConflict
}

// apiError is the JSON error body (docs/interfaces.md).
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field"`
}

// classify turns any error into a status and a user-facing error. ok=false means an internal error
// whose details must only be logged.
func classify(err error) (status int, fe *market.FieldError, ok bool) {
	if errors.Is(err, search.ErrBadQuery) {
		// A search query's errors are about the request's parameters.
		if es := market.AsFieldErrors(err); len(es) > 0 {
			fe := es[0].AsParam()
			return statusOf(fe), fe, true
		}
		// Engines wrap ErrBadQuery with an English detail; keep it in both languages' message.
		detail := strings.TrimPrefix(strings.TrimPrefix(err.Error(), search.ErrBadQuery.Error()), ": ")
		fe := &market.FieldError{Field: paramQ, Code: codeBadQuery,
			MessageZH: joinDetail("检索条件有误", detail), MessageEN: joinDetail("invalid search", detail)}
		return statusOf(fe), fe, true
	}
	if es := market.AsFieldErrors(err); len(es) > 0 {
		return statusOf(es[0]), es[0], true
	}
	var fe2 *fiber.Error
	if errors.As(err, &fe2) {
		return fe2.Code, fiberErrorMessage(fe2.Code), true
	}
	return fiber.StatusInternalServerError, &market.FieldError{Code: "internal",
		MessageZH: "服务器内部错误，请稍后再试", MessageEN: "internal server error; please try again later"}, false
}

// classifyFor is classify for an answer to c: a 429 also gets its Retry-After header.
func classifyFor(c *fiber.Ctx, err error) (status int, fe *market.FieldError, ok bool) {
	status, fe, ok = classify(err)
	if status == fiber.StatusTooManyRequests {
		setRetryAfter(c, err)
	}
	return status, fe, ok
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
		return &market.FieldError{Code: market.CodeNotFound, MessageZH: "页面不存在", MessageEN: "page not found"}
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
		return &market.FieldError{Code: market.CodeRateLimited, MessageZH: "请求过于频繁，请稍后再试", MessageEN: "too many requests; please wait a moment"}
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
	var ferr *fiber.Error
	if errors.As(err, &ferr) && ferr.Code == fiber.StatusRequestEntityTooLarge && bodyLimitFor(&c.Request().Header) != bodyLimit {
		err = errRequestTooLarge(c)
	}
	status, fe, ok := classifyFor(c, err)
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
