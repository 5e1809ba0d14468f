package market_test

import (
	"testing"

	"patentwall/market"
	"patentwall/market/markettest"
)

func TestPingAndMigrate(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("ping: %v", err)
		}
		// markettest migrated the database already: nothing is pending.
		if n, err := s.Migrate(t.Context()); err != nil || n != 0 {
			t.Errorf("second migration: %d applied, %v", n, err)
		}
		s.Close()
		if err := s.Ping(t.Context()); err == nil {
			t.Error("ping on a closed store succeeded")
		}
	})
}
