package migrations_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"patentwall/market"
	"patentwall/market/markettest"
	"patentwall/migrations"
)

// Migration 00007 gives tokens made before expiry existed 90 days from the migration (docs/interfaces.md
// §5.2): they keep working on the day of the upgrade and stop 90 days later.
func TestTokenExpiryMigration(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		sqlDB, err := s.Gorm().DB()
		if err != nil {
			t.Fatal(err)
		}
		fsys, err := migrations.FS(s.Dialect)
		if err != nil {
			t.Fatal(err)
		}
		gd := goose.DialectSQLite3
		if s.Dialect == "postgres" {
			gd = goose.DialectPostgres
		}
		p, err := goose.NewProvider(gd, sqlDB, fsys)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 6); err != nil { // back to before 00007
			t.Fatal(err)
		}
		created := time.Now().UTC().Add(-400 * 24 * time.Hour).Truncate(time.Second)
		u := market.User{Email: "old-token@example.cn", Name: "老令牌", PasswordHash: "-", Role: market.RoleAdmin, CreatedAt: created}
		if err := s.Gorm().Create(&u).Error; err != nil {
			t.Fatal(err)
		}
		const token = "pwt_tokenmadebeforeexpiryexisted"
		h := sha256.Sum256([]byte(token))
		if err := s.Gorm().Exec("INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
			u.ID, "old", hex.EncodeToString(h[:]), created).Error; err != nil {
			t.Fatal(err)
		}
		before := time.Now().UTC()
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var tk market.APIToken
		if err := s.Gorm().Where("user_id = ?", u.ID).First(&tk).Error; err != nil {
			t.Fatal(err)
		}
		ttl := 90 * 24 * time.Hour
		if tk.ExpiresAt.Before(before.Add(ttl-time.Minute)) || tk.ExpiresAt.After(time.Now().UTC().Add(ttl+time.Minute)) {
			t.Errorf("expires_at %v, want about %v", tk.ExpiresAt, before.Add(ttl))
		}
		s.Now = func() time.Time { return before.Add(ttl - time.Hour) }
		if _, err := s.TokenUser(ctx, token); err != nil {
			t.Errorf("an old token just before its new expiry: %v", err)
		}
		s.Now = func() time.Time { return before.Add(ttl + time.Hour) }
		if _, err := s.TokenUser(ctx, token); err == nil {
			t.Error("an old token works after its new expiry")
		}
	})
}
