package market

// A fixed-window rate limiter in the database: several server processes count the same attempts.

import (
	"context"
	"fmt"
	"time"
)

// AllowAttempt counts one attempt under key in a fixed window and reports whether it is within max.
// One upsert statement does the counting, so concurrent requests on several servers count exactly.
func (s *Store) AllowAttempt(ctx context.Context, key string, max int, window time.Duration) (bool, error) {
	now := s.now().UnixMilli()
	expired := now - window.Milliseconds()
	var n int
	err := s.db.WithContext(ctx).Raw(`INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.count + 1 END,
  window_start = CASE WHEN rate_limits.window_start <= ? THEN excluded.window_start ELSE rate_limits.window_start END
RETURNING count`, key, now, expired, expired).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("market: rate limit %s: %w", key, err)
	}
	return n <= max, nil
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
