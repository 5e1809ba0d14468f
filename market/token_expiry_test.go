package market_test

import (
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

// An API token works until APITokenTTL after its creation and is refused from then on (the injected
// clock moves); the listing shows when it expires.
func TestAPITokenExpires(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		if _, _, err := s.Register(ctx, fxRegistration(t, market.KindEnterprise, "expiry@example.cn")); err != nil {
			t.Fatal(err)
		}
		token, tk, err := s.CreateAPIToken(ctx, "expiry@example.cn", "correct horse battery", "ci")
		if err != nil {
			t.Fatal(err)
		}
		if want := fxT0.Add(market.APITokenTTL); !tk.ExpiresAt.Equal(want) {
			t.Errorf("expires_at %v, want %v", tk.ExpiresAt, want)
		}
		w.clock.Advance(market.APITokenTTL - time.Second)
		a, err := s.TokenUser(ctx, token)
		if err != nil {
			t.Fatalf("a second before expiry: %v", err)
		}
		list, err := s.APITokens(ctx, a.Actor)
		if err != nil || len(list) != 1 || !list[0].ExpiresAt.Equal(fxT0.Add(market.APITokenTTL)) || !list[0].Live(w.clock.Now()) {
			t.Fatalf("listed %+v %v", list, err)
		}
		w.clock.Advance(time.Second)
		if _, err := s.TokenUser(ctx, token); fxCode(err) != "unauthenticated" {
			t.Errorf("at expiry: %v", err)
		}
		if list, _ := s.APITokens(ctx, a.Actor); len(list) != 1 || list[0].Live(w.clock.Now()) {
			t.Errorf("an expired token is listed live: %+v", list)
		}
	})
}

// Changing the password revokes every API token of the user (and no one else's); disabling a user does
// too.
func TestTokensRevokedOnPasswordChangeAndDisable(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		const pw = "correct horse battery"
		org, u, err := s.Register(ctx, fxRegistration(t, market.KindEnterprise, "rev@example.cn"))
		if err != nil {
			t.Fatal(err)
		}
		actor := market.ActorOf(u, org)
		var mine []string
		for _, name := range []string{"ci", "erp"} {
			tok, _, err := s.CreateAPIToken(ctx, "rev@example.cn", pw, name)
			if err != nil {
				t.Fatal(err)
			}
			mine = append(mine, tok)
		}
		other, otherUser := w.tokenFor(t, actor, "colleague@example.cn")
		if err := s.ChangePassword(ctx, actor, "", pw, "a brand new secret"); err != nil {
			t.Fatal(err)
		}
		for i, tok := range mine {
			if _, err := s.TokenUser(ctx, tok); fxCode(err) != "unauthenticated" {
				t.Errorf("token %d after the password change: %v", i, err)
			}
		}
		if _, err := s.TokenUser(ctx, other); err != nil {
			t.Errorf("a colleague's token after my password change: %v", err)
		}
		// A token made with the new password works until the user is disabled.
		fresh, _, err := s.CreateAPIToken(ctx, "rev@example.cn", "a brand new secret", "new")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenUser(ctx, fresh); err != nil {
			t.Fatalf("new token: %v", err)
		}
		admin := w.user(t, nil, market.RoleAdmin)
		for _, id := range []int64{u.ID, otherUser} {
			if err := s.DisableUser(ctx, admin, id); err != nil {
				t.Fatal(err)
			}
		}
		if n := w.count(t, &market.APIToken{}, "user_id IN (?, ?) AND revoked_at IS NULL", u.ID, otherUser); n != 0 {
			t.Errorf("%d tokens of disabled users are not revoked", n)
		}
		for _, tok := range []string{fresh, other} {
			if _, err := s.TokenUser(ctx, tok); fxCode(err) != "unauthenticated" {
				t.Errorf("token of a disabled user: %v", err)
			}
		}
	})
}

// tokenFor adds a colleague of actor with a password and returns one API token and the user's ID.
func (w *fxWorld) tokenFor(t *testing.T, actor market.Actor, email string) (string, int64) {
	t.Helper()
	u, err := w.s.AddUser(w.ctx, actor, market.UserInput{Email: email, Name: "同事", Password: "another long secret"})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := w.s.CreateAPIToken(w.ctx, email, "another long secret", "colleague")
	if err != nil {
		t.Fatal(err)
	}
	return tok, u.ID
}
