package market_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

func TestSessions(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		token, err := s.CreateSession(ctx, w.lic.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if len(token) < 43 {
			t.Fatalf("token %q is short", token)
		}
		// Only the hash is stored.
		if n := w.count(t, &market.Session{}, "id = ?", token); n != 0 {
			t.Error("the raw token is stored")
		}
		a, err := s.SessionUser(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if a.User.ID != w.lic.UserID || a.Org == nil || a.Org.ID != w.licOrg.ID || a.Actor != w.lic || a.CSRFSecret == "" {
			t.Fatalf("auth %+v", a)
		}
		if !a.ExpiresAt.Equal(fxT0.Add(market.SessionIdleTimeout)) {
			t.Errorf("expires %v", a.ExpiresAt)
		}
		// A second store on the same database (another server, or after a restart) knows the session.
		if _, err := s.SessionUser(ctx, "not-a-token"); fxCode(err) != "unauthenticated" {
			t.Errorf("unknown token: %v", err)
		}
		// Sliding expiry: a request after 11 hours extends it by the idle timeout.
		w.clock.Advance(11 * time.Hour)
		a, err = s.SessionUser(ctx, token)
		if err != nil || !a.ExpiresAt.Equal(fxT0.Add(11*time.Hour+market.SessionIdleTimeout)) {
			t.Fatalf("after 11h: %v %v", a, err)
		}
		// ... but never past the absolute maximum.
		for range 20 {
			w.clock.Advance(10 * time.Hour)
			if _, err := s.SessionUser(ctx, token); err != nil {
				break
			}
		}
		if _, err := s.SessionUser(ctx, token); fxCode(err) != "unauthenticated" {
			t.Errorf("session outlived the maximum age: %v", err)
		}
		if w.clock.Now().Sub(fxT0) > market.SessionMaxAge+10*time.Hour {
			t.Errorf("session lived %v", w.clock.Now().Sub(fxT0))
		}
		// Idle too long: gone (and the row deleted).
		token2, _ := s.CreateSession(ctx, w.lic.UserID)
		w.clock.Advance(market.SessionIdleTimeout)
		if _, err := s.SessionUser(ctx, token2); fxCode(err) != "unauthenticated" {
			t.Errorf("idle session: %v", err)
		}
		// Logout.
		token3, _ := s.CreateSession(ctx, w.lic.UserID)
		if err := s.DeleteSession(ctx, token3); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionUser(ctx, token3); fxCode(err) != "unauthenticated" {
			t.Errorf("after logout: %v", err)
		}
		// Staff without an organisation.
		bureau := w.user(t, nil, market.RoleBureau)
		token4, _ := s.CreateSession(ctx, bureau.UserID)
		if a, err := s.SessionUser(ctx, token4); err != nil || a.Org != nil || !a.Actor.IsBureau() {
			t.Errorf("bureau session: %+v %v", a, err)
		}
		// Disabling a user ends its sessions.
		token5, _ := s.CreateSession(ctx, w.lic.UserID)
		admin := w.user(t, nil, market.RoleAdmin)
		if err := s.DisableUser(ctx, admin, w.lic.UserID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionUser(ctx, token5); fxCode(err) != "unauthenticated" {
			t.Errorf("disabled user's session: %v", err)
		}
	})
}

func TestCSRF(t *testing.T) {
	tok := market.CSRFToken("secret-1")
	if !market.ValidCSRF("secret-1", tok) {
		t.Error("own token refused")
	}
	for _, bad := range []struct{ secret, token string }{
		{"secret-2", tok}, {"secret-1", ""}, {"", tok}, {"secret-1", tok + "x"}, {"secret-1", strings.ToUpper(tok)},
	} {
		if market.ValidCSRF(bad.secret, bad.token) {
			t.Errorf("accepted %q for %q", bad.token, bad.secret)
		}
	}
}

func TestAPITokens(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		org, u, err := s.Register(ctx, fxRegistration(t, market.KindEnterprise, "Token@Example.cn"))
		if err != nil {
			t.Fatal(err)
		}
		token, tk, err := s.CreateAPIToken(ctx, "token@example.CN", "correct horse battery", "ci")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(token, "pwt_") || tk.Name != "ci" || tk.UserID != u.ID {
			t.Errorf("token %q %+v", token, tk)
		}
		a, err := s.TokenUser(ctx, token)
		if err != nil || a.User.ID != u.ID || a.Org.ID != org.ID || a.TokenID != tk.ID || a.SessionID != "" {
			t.Fatalf("token user %+v %v", a, err)
		}
		if _, _, err := s.CreateAPIToken(ctx, "token@example.cn", "wrong password!", "x"); fxCode(err) != "invalid_login" {
			t.Errorf("wrong password: %v", err)
		}
		for _, bad := range []string{"", "pwt_", "pwt_nope", token[4:], token + "x"} {
			if _, err := s.TokenUser(ctx, bad); fxCode(err) != "unauthenticated" {
				t.Errorf("token %q: %v", bad, err)
			}
		}
		// Someone else cannot revoke it; its owner can, once or twice.
		if err := s.RevokeAPIToken(ctx, w.lic, tk.ID); fxCode(err) != "forbidden" {
			t.Errorf("foreign revoke: %v", err)
		}
		owner := market.ActorOf(u, org)
		list, _ := s.APITokens(ctx, owner)
		if len(list) != 1 || list[0].ID != tk.ID {
			t.Errorf("tokens %+v", list)
		}
		for range 2 {
			if err := s.RevokeAPIToken(ctx, owner, tk.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.TokenUser(ctx, token); fxCode(err) != "unauthenticated" {
			t.Errorf("revoked token: %v", err)
		}
		if err := s.RevokeAPIToken(ctx, owner, 999999); fxCode(err) != "not_found" {
			t.Errorf("unknown token: %v", err)
		}
	})
}

// AllowAttempt counts exactly under concurrency, on both databases.
func TestAllowAttempt(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		var (
			wg      sync.WaitGroup
			allowed atomic.Int32
		)
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := s.AllowAttempt(w.ctx, "login:a@b.cn", 25, time.Minute)
				switch {
				case err == nil:
					allowed.Add(1)
				case !errors.Is(err, market.ErrRateLimited):
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if allowed.Load() != 25 {
			t.Errorf("%d allowed, want 25", allowed.Load())
		}
		// Another key has its own count; a new window starts afresh.
		if err := s.AllowAttempt(w.ctx, "login:c@d.cn", 25, time.Minute); err != nil {
			t.Errorf("other key refused: %v", err)
		}
		// A refusal tells how long the window has left (the window began when the clock stood still).
		w.clock.Advance(59*time.Second + 200*time.Millisecond)
		err := s.AllowAttempt(w.ctx, "login:a@b.cn", 25, time.Minute)
		if !errors.Is(err, market.ErrRateLimited) {
			t.Fatalf("within the window: %v, want rate_limited", err)
		}
		if fes := market.AsFieldErrors(err); len(fes) != 1 || fes[0].Code != market.CodeRateLimited {
			t.Errorf("field errors of a refusal: %v", fes)
		}
		if wait, ok := market.RetryAfter(err); !ok || wait != time.Second {
			t.Errorf("retry after %v (%v), want 1s (0.8 s left, at least a second)", wait, ok)
		}
		w.clock.Advance(-30 * time.Second)
		if wait, _ := market.RetryAfter(s.AllowAttempt(w.ctx, "login:a@b.cn", 25, time.Minute)); wait != 30*time.Second+800*time.Millisecond {
			t.Errorf("retry after %v, want 30.8s", wait)
		}
		if _, ok := market.RetryAfter(market.ErrRateLimited); ok {
			t.Error("a wait for the bare sentinel")
		}
		w.clock.Advance(32 * time.Second)
		if err := s.AllowAttempt(w.ctx, "login:a@b.cn", 25, time.Minute); err != nil {
			t.Errorf("refused in a new window: %v", err)
		}
		w.clock.Advance(8 * 24 * time.Hour)
		if err := s.PurgeExpired(w.ctx); err != nil {
			t.Fatal(err)
		}
		var n int64
		s.Gorm().Table("rate_limits").Count(&n)
		if n != 0 {
			t.Errorf("%d rate-limit rows after purge", n)
		}
	})
}

func TestPurgeExpiredSessions(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		for i := range 3 {
			if _, err := s.CreateSession(w.ctx, w.lic.UserID); err != nil {
				t.Fatal(err)
			}
			w.clock.Advance(time.Duration(i+1) * time.Hour)
		}
		w.clock.Set(fxT0.Add(market.SessionIdleTimeout + 90*time.Minute)) // the first two have expired
		if err := s.PurgeExpired(w.ctx); err != nil {
			t.Fatal(err)
		}
		if n := w.count(t, &market.Session{}, ""); n != 1 {
			t.Errorf("%d sessions left, want 1", n)
		}
	})
}

func fxRegistration(t testing.TB, kind, email string) market.RegisterInput {
	n := fxSerial.Add(1)
	in := market.RegisterInput{
		Org: market.OrgRecord{USCC: fxUSCC(t, n), Name: fmt.Sprintf("注册机构%d", n), Kind: kind, District: "浦东新区",
			Address: "上海市浦东新区张江路1号", LegalRep: "李四", Phone: "021-5080 1234", Email: "office@example.cn", FoundedOn: "2015-06-01"},
		User: market.UserInput{Name: "王五", Email: email, Password: "correct horse battery"},
	}
	if kind == market.KindEnterprise {
		in.SME = market.SMEFigures{Industry: "software_it", Employees: "120", RevenueYuan: "35000000", AssetsYuan: "20000000.50", Year: "2024"}
	}
	return in
}

// A resolved API token is reused for a moment (tokencache.go), but a revocation, a disabled user or a
// changed organisation written through this store take effect at the next request; a change written
// behind the store's back (another process) within the cache's lifetime.
func TestTokenCache(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		s.SetTokenCacheTTL(time.Hour)
		org, u, err := s.Register(ctx, fxRegistration(t, market.KindEnterprise, "cache@example.cn"))
		if err != nil {
			t.Fatal(err)
		}
		owner := market.ActorOf(u, org)
		mint := func(name string) (string, int64) {
			tok, tk, err := s.CreateAPIToken(ctx, "cache@example.cn", "correct horse battery", name)
			if err != nil {
				t.Fatal(err)
			}
			return tok, tk.ID
		}
		resolve := func(tok string) *market.Auth {
			t.Helper()
			for range 2 { // the second one from the cache
				a, err := s.TokenUser(ctx, tok)
				if err != nil {
					t.Fatalf("token: %v", err)
				}
				if a.Org == nil || a.Org.ID != org.ID {
					t.Fatalf("auth %+v", a)
				}
			}
			a, _ := s.TokenUser(ctx, tok)
			return a
		}
		raw, err := s.Gorm().DB()
		if err != nil {
			t.Fatal(err)
		}

		// Behind the store's back (as another process would): unseen while the entry lives …
		tok, _ := mint("other-process")
		resolve(tok)
		if _, err := raw.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = created_at WHERE token_hash IS NOT NULL AND name = 'other-process'"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenUser(ctx, tok); err != nil {
			t.Fatalf("cached token: %v", err)
		}
		// … and seen once it has lived its time.
		s.SetTokenCacheTTL(50 * time.Millisecond)
		short, _ := mint("short")
		resolve(short)
		time.Sleep(60 * time.Millisecond)
		if _, err := s.TokenUser(ctx, tok); fxCode(err) != "unauthenticated" {
			t.Errorf("revoked elsewhere, after the cache's lifetime: %v", err)
		}
		s.SetTokenCacheTTL(time.Hour)

		// Revoked here: at once.
		tok, id := mint("revoked")
		resolve(tok)
		if err := s.RevokeAPIToken(ctx, owner, id); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenUser(ctx, tok); fxCode(err) != "unauthenticated" {
			t.Errorf("revoked token: %v", err)
		}

		// The organisation's verification withdrawn and its name changed (a GORM update, a raw statement):
		// at once.
		tok, _ = mint("org")
		if a := resolve(tok); a.Org.VerifiedAt == nil && org.VerifiedAt != nil {
			t.Fatalf("verified org read as unverified")
		}
		if err := s.Gorm().Model(&market.Organisation{}).Where("id = ?", org.ID).Update("verified_at", nil).Error; err != nil {
			t.Fatal(err)
		}
		if a, err := s.TokenUser(ctx, tok); err != nil || a.Org.VerifiedAt != nil || a.Actor.OrgVerified {
			t.Errorf("after unverifying: %+v %v", a, err)
		}
		resolve(tok)
		if err := s.Gorm().Exec(`UPDATE "organisations" SET name = ? WHERE id = ?`, "改名后的公司", org.ID).Error; err != nil {
			t.Fatal(err)
		}
		if a, err := s.TokenUser(ctx, tok); err != nil || a.Org.Name != "改名后的公司" {
			t.Errorf("after renaming: %+v %v", a, err)
		}

		// The user disabled (a transaction that also revokes): at once.
		resolve(tok)
		admin := w.user(t, nil, market.RoleAdmin)
		if err := s.DisableUser(ctx, admin, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenUser(ctx, tok); fxCode(err) != "unauthenticated" {
			t.Errorf("token of a disabled user: %v", err)
		}
	})
}
