package demo_test

import (
	"context"
	"testing"

	"patentwall/market"
	"patentwall/market/demo"
	"patentwall/market/markettest"
)

// The demo's operators log in with the documented password and run working channels: every wall has
// rules and pins, every supermarket price bands (or the default ones), an agency and two shelves.
func TestDemoChannels(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		s.Now = markettest.NewClock(testNow).Now
		if _, err := demo.Load(ctx, s, demo.Options{Seed: 5}); err != nil {
			t.Fatal(err)
		}
		for _, email := range demo.OperatorEmails {
			u, err := s.Authenticate(ctx, email, demo.OperatorPassword)
			if err != nil || u.Role != market.RoleOperator {
				t.Errorf("%s: %v", email, err)
			}
		}
		walls, err := s.Walls(ctx)
		if err != nil || len(walls) < 3 {
			t.Fatalf("walls: %d %v", len(walls), err)
		}
		for _, w := range walls {
			setup, err := s.WallSetup(ctx, w.Slug)
			if err != nil || setup.Rules.Empty() || len(setup.LivePinIDs()) == 0 {
				t.Errorf("wall %s: rules %+v, pins %d, %v", w.Slug, setup.Rules, len(setup.Pins), err)
			}
		}
		sms, err := s.Supermarkets(ctx)
		if err != nil || len(sms) < 4 {
			t.Fatalf("supermarkets: %d %v", len(sms), err)
		}
		for _, sm := range sms {
			shelves, err := s.Shelves(ctx, &sm.Supermarket)
			if err != nil || len(shelves) != 2 || sm.AgencyName == "" {
				t.Errorf("supermarket %s: %d shelves, agency %q, %v", sm.Slug, len(shelves), sm.AgencyName, err)
			}
		}
	})
}
