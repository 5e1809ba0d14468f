package market

// Form tokens against cross-site request forgery, derived from the session's secret.

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// csrfLabel binds CSRF tokens to their purpose.
const csrfLabel = "patentwall csrf v1"

// CSRFToken derives the form token of a session from its secret (synchroniser-token pattern: one token
// per session, put in every form and checked on every POST).
func CSRFToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(csrfLabel))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// ValidCSRF reports, in constant time, whether token is the session's form token.
func ValidCSRF(secret, token string) bool {
	if secret == "" || token == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(CSRFToken(secret)), []byte(token)) == 1
}
