package market

// Sessions and API tokens, in the database: a restart logs nobody out and several server processes
// share them (the form tokens are in csrf.go, the rate limiter in ratelimit.go). Tokens are 32 random bytes; only their SHA-256 is stored,
// so a leaked table lets nobody in.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// Session lifetimes: a session expires after SessionIdleTimeout without requests (sliding) and at the
// latest SessionMaxAge after login.
var (
	SessionIdleTimeout = 12 * time.Hour
	SessionMaxAge      = 7 * 24 * time.Hour
	// sessionTouchEvery limits the writes sliding expiry costs to one per session per minute.
	sessionTouchEvery = time.Minute
)

// DefaultAPITokenTTL is how long an API token works when API_TOKEN_TTL does not say otherwise.
const DefaultAPITokenTTL = 90 * 24 * time.Hour

// APITokenTTL is how long a new API token works (its expires_at is fixed when it is created). The
// binary sets it from API_TOKEN_TTL (docs/interfaces.md §1) before serving.
var APITokenTTL = DefaultAPITokenTTL

// Session is a logged-in browser. ID is the hex SHA-256 of the token the cookie carries.
type Session struct {
	ID         string    `gorm:"column:id;primaryKey"`
	UserID     int64     `gorm:"column:user_id"`
	CSRFSecret string    `gorm:"column:csrf_secret"`
	CreatedAt  time.Time `gorm:"column:created_at"`
	ExpiresAt  time.Time `gorm:"column:expires_at"`
	LastSeenAt time.Time `gorm:"column:last_seen_at"`
}

func (Session) TableName() string { return "sessions" }

// APIToken is a bearer token for /api/v1. TokenHash is the hex SHA-256 of the token.
type APIToken struct {
	ID         int64      `gorm:"column:id;primaryKey"`
	UserID     int64      `gorm:"column:user_id"`
	Name       string     `gorm:"column:name"`
	TokenHash  string     `gorm:"column:token_hash" json:"-"`
	CreatedAt  time.Time  `gorm:"column:created_at"`
	LastUsedAt *time.Time `gorm:"column:last_used_at"`
	RevokedAt  *time.Time `gorm:"column:revoked_at"`
	ExpiresAt  time.Time  `gorm:"column:expires_at"`
}

// Live reports whether the token still works at now: neither revoked nor expired.
func (t APIToken) Live(now time.Time) bool { return t.RevokedAt == nil && now.Before(t.ExpiresAt) }

func (APIToken) TableName() string { return "api_tokens" }

// Auth is who a session or API token belongs to.
type Auth struct {
	User  User
	Org   *Organisation // nil for staff without an organisation
	Actor Actor
	// Session fields ("" for API tokens): the session's ID (token hash) and its CSRF secret.
	SessionID  string
	CSRFSecret string
	ExpiresAt  time.Time
	// TokenID is the API token used (0 for sessions).
	TokenID int64
}

// apiTokenPrefix marks platform tokens so secret scanners and people recognise them.
const apiTokenPrefix = "pwt_"

func newToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("market: random token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, tokenHash(token), nil
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// CreateSession logs a user in and returns the session token for the cookie.
func (s *Store) CreateSession(ctx context.Context, userID int64) (string, error) {
	token, id, err := newToken()
	if err != nil {
		return "", err
	}
	secret, _, err := newToken()
	if err != nil {
		return "", err
	}
	now := s.now()
	sess := Session{ID: id, UserID: userID, CSRFSecret: secret, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(min(SessionIdleTimeout, SessionMaxAge))}
	if err := s.db.WithContext(ctx).Create(&sess).Error; err != nil {
		return "", fmt.Errorf("market: create session for user %d: %w", userID, err)
	}
	return token, nil
}

// authRow is a session or token with its user and organisation, read in one statement (every
// authenticated request needs it, so it is worth one round trip instead of three).
type authRow struct {
	S Session      `gorm:"embedded;embeddedPrefix:s_"`
	T APIToken     `gorm:"embedded;embeddedPrefix:t_"`
	U User         `gorm:"embedded;embeddedPrefix:u_"`
	O Organisation `gorm:"embedded;embeddedPrefix:o_"` // zero for staff without an organisation
}

var (
	authColsOnce             sync.Once
	authUserCols, authOrgCol string
	sessionCols, tokenCols   string
)

func (s *Store) loadAuth(db *gorm.DB, fromSession bool, hash string) (*authRow, error) {
	authColsOnce.Do(func() {
		authUserCols, authOrgCol = selectColumns(db, "u", &User{}), selectColumns(db, "o", &Organisation{})
		sessionCols, tokenCols = selectColumns(db, "s", &Session{}), selectColumns(db, "t", &APIToken{})
	})
	q := "SELECT " + sessionCols + ", " + authUserCols + ", " + authOrgCol +
		" FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN organisations o ON o.id = u.org_id WHERE s.id = ?"
	if !fromSession {
		q = "SELECT " + tokenCols + ", " + authUserCols + ", " + authOrgCol +
			" FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN organisations o ON o.id = u.org_id WHERE t.token_hash = ?"
	}
	var row authRow
	found, err := rawScan(db, &row, q, hash)
	if err != nil || !found {
		return nil, err
	}
	return &row, nil
}

func (r *authRow) auth() *Auth {
	a := &Auth{User: r.U}
	if r.O.ID != 0 {
		org := r.O
		a.Org = &org
	}
	a.Actor = ActorOf(&a.User, a.Org)
	return a
}

// SessionUser resolves a session token. Unknown, expired and disabled-user sessions give ErrUnauth;
// a live session's expiry slides forward (written at most once a minute).
func (s *Store) SessionUser(ctx context.Context, token string) (*Auth, error) {
	if token == "" {
		return nil, ErrUnauth
	}
	db := s.db.WithContext(ctx)
	row, err := s.loadAuth(db, true, tokenHash(token))
	if err != nil {
		return nil, fmt.Errorf("market: load session: %w", err)
	}
	if row == nil {
		return nil, ErrUnauth
	}
	sess := row.S
	now := s.now()
	if !now.Before(sess.ExpiresAt) {
		db.Where("id = ?", sess.ID).Delete(&Session{})
		return nil, ErrUnauth
	}
	if row.U.DisabledAt != nil {
		return nil, ErrUnauth
	}
	if now.Sub(sess.LastSeenAt) >= sessionTouchEvery {
		exp := now.Add(SessionIdleTimeout)
		if hard := sess.CreatedAt.Add(SessionMaxAge); exp.After(hard) {
			exp = hard
		}
		if err := db.Model(&Session{}).Where("id = ?", sess.ID).
			Updates(map[string]any{"last_seen_at": now, "expires_at": exp}).Error; err != nil {
			return nil, fmt.Errorf("market: extend session: %w", err)
		}
		sess.ExpiresAt = exp
	}
	a := row.auth()
	a.SessionID, a.CSRFSecret, a.ExpiresAt = sess.ID, sess.CSRFSecret, sess.ExpiresAt
	return a, nil
}

// DeleteSession logs a session out (unknown tokens are fine).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	if err := s.db.WithContext(ctx).Where("id = ?", tokenHash(token)).Delete(&Session{}).Error; err != nil {
		return fmt.Errorf("market: delete session: %w", err)
	}
	return nil
}

// CreateAPIToken checks an e-mail and password (rate-limited like a login) and returns a new bearer token
// for POST /api/v1/tokens. The token is shown once; only its hash is kept.
func (s *Store) CreateAPIToken(ctx context.Context, email, password, name string) (string, *APIToken, error) {
	u, err := s.Authenticate(ctx, email, password)
	if err != nil {
		return "", nil, err
	}
	return s.createAPIToken(ctx, u.ID, name)
}

// CreateAPITokenFor creates a token for the logged-in actor (e.g. from a settings page).
func (s *Store) CreateAPITokenFor(ctx context.Context, actor Actor, name string) (string, *APIToken, error) {
	if actor.Anonymous() {
		return "", nil, ErrUnauth
	}
	return s.createAPIToken(ctx, actor.UserID, name)
}

func (s *Store) createAPIToken(ctx context.Context, userID int64, name string) (string, *APIToken, error) {
	raw, _, err := newToken()
	if err != nil {
		return "", nil, err
	}
	token := apiTokenPrefix + raw
	name = strings.TrimSpace(name)
	if name == "" {
		name = "api"
	}
	if fe := CheckText("name", "令牌名称", "token name", name, false); fe != nil {
		return "", nil, Errors{fe}
	}
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	now := s.now()
	ttl := APITokenTTL
	if ttl <= 0 {
		ttl = DefaultAPITokenTTL
	}
	t := &APIToken{UserID: userID, Name: name, TokenHash: tokenHash(token), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.db.WithContext(ctx).Create(t).Error; err != nil {
		return "", nil, fmt.Errorf("market: create API token for user %d: %w", userID, err)
	}
	return token, t, nil
}

// TokenUser resolves a bearer token; unknown, revoked and expired tokens and disabled users give ErrUnauth.
func (s *Store) TokenUser(ctx context.Context, token string) (*Auth, error) {
	if !strings.HasPrefix(token, apiTokenPrefix) {
		return nil, ErrUnauth
	}
	hash := tokenHash(token)
	e, cached := s.tokens.get(hash)
	row, epoch, loaded := e.row, e.epoch, e.loaded
	if !cached {
		// The epoch and time before the read: a write counted after it makes the entry unusable.
		epoch, loaded = s.tokens.epoch.Load(), time.Now()
		r, err := s.loadAuth(s.db.WithContext(ctx), false, hash)
		if err != nil {
			return nil, fmt.Errorf("market: load API token: %w", err)
		}
		if r == nil {
			return nil, ErrUnauth
		}
		row = *r
	}
	now := s.now()
	if !row.T.Live(now) || row.U.DisabledAt != nil {
		return nil, ErrUnauth
	}
	if t := row.T; t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= sessionTouchEvery {
		// The throttled touch changes nothing the cache holds (quietTouch).
		db := s.db.WithContext(context.WithValue(ctx, quietTouchKey{}, true))
		if err := db.Model(&APIToken{}).Where("id = ?", t.ID).Update("last_used_at", now).Error; err != nil {
			return nil, fmt.Errorf("market: touch API token: %w", err)
		}
		row.T.LastUsedAt = &now
		cached = false
	}
	if !cached {
		s.tokens.put(hash, row, epoch, loaded)
	}
	a := row.auth()
	a.TokenID = row.T.ID
	return a, nil
}

// APITokens lists the actor's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, actor Actor) ([]APIToken, error) {
	if actor.Anonymous() {
		return nil, ErrUnauth
	}
	var ts []APIToken
	err := s.db.WithContext(ctx).Where("user_id = ?", actor.UserID).Order("created_at DESC, id DESC").Find(&ts).Error
	return ts, err
}

// revokeUserTokens revokes every live token of a user inside tx (password change, disabling).
func revokeUserTokens(tx *gorm.DB, userID int64, now time.Time) error {
	return tx.Model(&APIToken{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", now).Error
}

// RevokeAPIToken revokes one of the actor's tokens (admins may revoke anyone's). Revoking twice is fine.
func (s *Store) RevokeAPIToken(ctx context.Context, actor Actor, tokenID int64) error {
	if actor.Anonymous() {
		return ErrUnauth
	}
	var t APIToken
	if err := s.db.WithContext(ctx).First(&t, tokenID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrNotFound
		}
		return fmt.Errorf("market: load API token %d: %w", tokenID, err)
	}
	if t.UserID != actor.UserID && !actor.IsAdmin() {
		return ErrForbidden
	}
	err := s.db.WithContext(ctx).Model(&APIToken{}).Where("id = ? AND revoked_at IS NULL", tokenID).Update("revoked_at", s.now()).Error
	if err != nil {
		return fmt.Errorf("market: revoke API token %d: %w", tokenID, err)
	}
	return nil
}

// PurgeExpired deletes expired sessions and rate-limit counters older than a week.
// The server calls it now and then; nothing depends on it for correctness.
func (s *Store) PurgeExpired(ctx context.Context) error {
	now := s.now()
	db := s.db.WithContext(ctx)
	if err := db.Where("expires_at <= ?", now).Delete(&Session{}).Error; err != nil {
		return fmt.Errorf("market: purge sessions: %w", err)
	}
	if err := db.Where("window_start < ?", now.Add(-7*24*time.Hour).UnixMilli()).Delete(&rateLimitRow{}).Error; err != nil {
		return fmt.Errorf("market: purge rate limits: %w", err)
	}
	return nil
}
