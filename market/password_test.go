package market_test

import (
	"testing"

	"patentwall/market"
	"patentwall/market/markettest"
)

func TestChangePassword(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		const old = "correct horse battery"
		org, u, err := s.Register(ctx, fxRegistration(t, market.KindEnterprise, "pw@example.cn"))
		if err != nil {
			t.Fatal(err)
		}
		actor := market.ActorOf(u, org)
		here, err := s.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		elsewhere, err := s.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}

		// Each problem names its field; nothing changes.
		for _, tc := range []struct {
			current, next string
			field, code   string
		}{
			{"wrong password", "a brand new secret", market.FieldCurrentPassword, "wrong"},
			{old, "short", market.FieldNewPassword, "too_short"},
			{old, "PW@example.cn", market.FieldNewPassword, "same_as_email"},
			{old, old, market.FieldNewPassword, "unchanged"},
		} {
			err := s.ChangePassword(ctx, actor, here, tc.current, tc.next)
			fe := market.AsFieldErrors(err)
			if len(fe) != 1 || fe[0].Field != tc.field || fe[0].Code != tc.code {
				t.Errorf("%q -> %q: %v, want %s %s", tc.current, tc.next, err, tc.field, tc.code)
			}
		}
		if _, err := s.Authenticate(ctx, "pw@example.cn", old); err != nil {
			t.Fatalf("a refused change altered the password: %v", err)
		}
		if err := s.ChangePassword(ctx, market.Actor{}, "", old, "a brand new secret"); fxCode(err) != "unauthenticated" {
			t.Errorf("anonymous: %v", err)
		}

		if err := s.ChangePassword(ctx, actor, here, old, "a brand new secret"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "pw@example.cn", old); fxCode(err) != "invalid_login" {
			t.Errorf("old password after the change: %v", err)
		}
		if _, err := s.Authenticate(ctx, "pw@example.cn", "a brand new secret"); err != nil {
			t.Errorf("new password: %v", err)
		}
		// The session that asked stays; the others end.
		if a, err := s.SessionUser(ctx, here); err != nil || a == nil {
			t.Errorf("own session after the change: %v %v", a, err)
		}
		if a, err := s.SessionUser(ctx, elsewhere); err == nil && a != nil {
			t.Errorf("another session survived the change: %+v", a)
		}

		// Guessing through a left-open session is rate-limited like logins.
		for range market.LoginMaxAttempts {
			s.ChangePassword(ctx, actor, here, "guess", "another new secret")
		}
		if err := s.ChangePassword(ctx, actor, here, "a brand new secret", "another new secret"); fxCode(err) != "rate_limited" {
			t.Errorf("after %d wrong attempts: %v", market.LoginMaxAttempts, err)
		}
	})
}
