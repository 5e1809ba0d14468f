package web

// Request body limits per route. fasthttp reads a request's whole body before any handler runs and
// reserves memory for its declared Content-Length up front, so one limit sized for uploads let anyone
// make the server reserve 50 MB per connection on any route. fasthttp's HeaderReceived hook picks the
// limit from the request line and headers alone: a declared length above it is refused with 413 before a
// byte of the body is read (a chunked body is cut off at the limit) and the connection is closed.

import (
	"bytes"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"patentwall/market"
)

const (
	// maxBodyBytes bounds JSON bodies and ordinary forms.
	maxBodyBytes = 64 << 10
	// maxTextBodyBytes bounds the patent forms and API bodies: a 20,000-character Chinese abstract is
	// 180 KB percent-encoded.
	maxTextBodyBytes = 256 << 10
	// uploadPath is the one route that takes files (MaxUploadBytes plus the multipart envelope).
	uploadPath = "/account/patents/import"
)

// bodyLimitFor is the largest body the request may carry, from its headers alone: the upload limit only
// for a multipart POST to the upload route from a browser with a session cookie (the handler checks the
// session), the text limit for the patent forms and API, maxBodyBytes for everything else.
func bodyLimitFor(h *fasthttp.RequestHeader) int {
	path := h.RequestURI()
	if i := bytes.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	path = bytes.TrimSuffix(path, []byte("/"))
	switch {
	case string(path) == uploadPath && string(h.Method()) == fiber.MethodPost &&
		bytes.HasPrefix(h.ContentType(), []byte(fiber.MIMEMultipartForm)) && len(h.Cookie(sessionCookie)) > 0:
		return bodyLimit
	case bytes.HasPrefix(path, []byte("/account/patents")) || bytes.HasPrefix(path, []byte("/api/v1/patents")):
		return maxTextBodyBytes
	}
	return maxBodyBytes
}

// limitBodies installs bodyLimitFor on the app's server.
func (a *App) limitBodies() {
	a.Fiber.Server().HeaderReceived = func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
		return fasthttp.RequestConfig{MaxRequestBodySize: bodyLimitFor(h)}
	}
}

// errRequestTooLarge is the 413 of a route other than the upload (that one keeps Fiber's "too_large"
// upload message), naming the route's limit.
func errRequestTooLarge(c *fiber.Ctx) *market.FieldError {
	kb := itoa(bodyLimitFor(&c.Request().Header) >> 10)
	return &market.FieldError{Code: codeRequestTooLarge,
		MessageZH: "请求内容过大：此地址最多接受 " + kb + " KB", MessageEN: "request too large: this address accepts at most " + kb + " KB"}
}
