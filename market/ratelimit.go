package market

// A fixed-window rate limiter in the database: several server processes count the same attempts.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// RateLimitError is ErrRateLimited (errors.Is matches it, and it is that field error to
// AsFieldErrors) with the time until the window that refused the attempt ends: the HTTP answer's
// Retry-After (docs/interfaces.md §5.2).
type RateLimitError struct {
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string { return ErrRateLimited.Error() }

// Unwrap is ErrRateLimited.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// RetryAfter is the wait a rate-limit error carries (at least one second); ok is false for any other
// error, and for ErrRateLimited without a known wait.
func RetryAfter(err error) (wait time.Duration, ok bool) {
	var rl *RateLimitError
	if !errors.As(err, &rl) {
		return 0, false
	}
	return max(rl.RetryAfter, time.Second), true
}

// AllowAttempt counts one attempt under key in a fixed window: nil while the count is within max,
// beyond it a *RateLimitError telling when the window ends. One upsert statement does the counting, so
// concurrent requests on several servers count exactly.
func (s *Store) AllowAttempt(ctx context.Context, key string, max int, window time.Duration) error {
	now := s.now()
	n, start, err := countAttempt(s.db.WithContext(ctx), key, window, now)
	if err != nil {
		return fmt.Errorf("market: rate limit %s: %w", key, err)
	}
	if n > max {
		return &RateLimitError{RetryAfter: windowLeft(start, window, now)}
	}
	return nil
}

// windowLeft is the time from now until a window that began at start (Unix ms) ends.
func windowLeft(start int64, window time.Duration, now time.Time) time.Duration {
	return max(time.UnixMilli(start).Add(window).Sub(now), 0)
}

// upsertAttemptSQL counts one attempt: arguments key, now (ms), window start (ms), window start (ms).
// It returns the count in the window, this attempt included, and the window's start (Unix ms).
const upsertAttemptSQL = `INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.count + 1 END,
  window_start = CASE WHEN rate_limits.window_start <= ? THEN excluded.window_start ELSE rate_limits.window_start END
RETURNING count, window_start`

func attemptArgs(key string, window time.Duration, now time.Time) []any {
	ms := now.UnixMilli()
	expired := ms - window.Milliseconds()
	return []any{key, ms, expired, expired}
}

// countAttempt counts one attempt under key and returns the count in the window, including this one,
// and the window's start (Unix ms).
func countAttempt(db *gorm.DB, key string, window time.Duration, now time.Time) (n int, start int64, err error) {
	err = db.Raw(upsertAttemptSQL, attemptArgs(key, window, now)...).Row().Scan(&n, &start)
	return n, start, err
}

// AttemptLimit is one fixed-window count an action must stay within (AllowAttempt's arguments), for
// actions that count their attempts in their own transaction (AcceptRequest.Limits).
type AttemptLimit struct {
	Key    string
	Max    int
	Window time.Duration
}

// allowAttempts counts one attempt under every limit (in db's transaction, if any): nil when all are
// within their maximum, otherwise a *RateLimitError with the longest wait of those exceeded. Every
// limit is counted, even after one is exceeded.
func allowAttempts(db *gorm.DB, limits []AttemptLimit, now time.Time) error {
	var refused *RateLimitError
	for _, l := range limits {
		n, start, err := countAttempt(db, l.Key, l.Window, now)
		if err != nil {
			return fmt.Errorf("market: rate limit %s: %w", l.Key, err)
		}
		if wait := windowLeft(start, l.Window, now); n > l.Max && (refused == nil || wait > refused.RetryAfter) {
			refused = &RateLimitError{RetryAfter: wait}
		}
	}
	if refused != nil {
		return refused
	}
	return nil
}

// ResetAttempts forgets the attempts counted under key (after a successful login, so that only
// failures accumulate: someone who knows the password is never locked out by their own logins).
func (s *Store) ResetAttempts(ctx context.Context, key string) error {
	if err := s.db.WithContext(ctx).Exec("DELETE FROM rate_limits WHERE key = ?", key).Error; err != nil {
		return fmt.Errorf("market: reset rate limit %s: %w", key, err)
	}
	return nil
}

// uncountAttempt takes back one attempt counted under key (a successful login, so that a per-account
// count holds failures only).
func (s *Store) uncountAttempt(ctx context.Context, key string) error {
	if err := s.db.WithContext(ctx).Exec("UPDATE rate_limits SET count = count - 1 WHERE key = ? AND count > 0", key).Error; err != nil {
		return fmt.Errorf("market: rate limit %s: %w", key, err)
	}
	return nil
}

type rateLimitRow struct {
	Key         string `gorm:"column:key;primaryKey"`
	WindowStart int64  `gorm:"column:window_start"`
	Count       int    `gorm:"column:count"`
}

func (rateLimitRow) TableName() string { return "rate_limits" }
