package market

// A fixed-window rate limiter in the database: several server processes count the same attempts.

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// AllowAttempt counts one attempt under key in a fixed window and reports whether it is within max.
// One upsert statement does the counting, so concurrent requests on several servers count exactly.
func (s *Store) AllowAttempt(ctx context.Context, key string, max int, window time.Duration) (bool, error) {
	n, err := countAttempt(s.db.WithContext(ctx), key, window, s.now())
	if err != nil {
		return false, fmt.Errorf("market: rate limit %s: %w", key, err)
	}
	return n <= max, nil
}

// upsertAttemptSQL counts one attempt: arguments key, now (ms), window start (ms), window start (ms).
const upsertAttemptSQL = `INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.count + 1 END,
  window_start = CASE WHEN rate_limits.window_start <= ? THEN excluded.window_start ELSE rate_limits.window_start END
RETURNING count`

func attemptArgs(key string, window time.Duration, now time.Time) []any {
	ms := now.UnixMilli()
	expired := ms - window.Milliseconds()
	return []any{key, ms, expired, expired}
}

// countAttempt counts one attempt under key and returns the count in the window, including this one.
func countAttempt(db *gorm.DB, key string, window time.Duration, now time.Time) (int, error) {
	var n int
	err := db.Raw(upsertAttemptSQL, attemptArgs(key, window, now)...).Row().Scan(&n)
	return n, err
}

// AttemptLimit is one fixed-window count an action must stay within (AllowAttempt's arguments), for
// actions that count their attempts in their own transaction (AcceptRequest.Limits).
type AttemptLimit struct {
	Key    string
	Max    int
	Window time.Duration
}

// allowAttempts counts one attempt under every limit (in db's transaction, if any) and reports whether
// all are within their maximum. Every limit is counted, even after one is exceeded.
func allowAttempts(db *gorm.DB, limits []AttemptLimit, now time.Time) (bool, error) {
	ok := true
	for _, l := range limits {
		n, err := countAttempt(db, l.Key, l.Window, now)
		if err != nil {
			return false, fmt.Errorf("market: rate limit %s: %w", l.Key, err)
		}
		ok = ok && n <= l.Max
	}
	return ok, nil
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
