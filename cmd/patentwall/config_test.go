package main

import (
	"testing"
	"time"
)

func TestParseTokenTTL(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"": 90 * 24 * time.Hour, "30d": 30 * 24 * time.Hour, "7": 7 * 24 * time.Hour, "720h": 720 * time.Hour, " 1h30m ": 90 * time.Minute,
	} {
		if got, err := parseTokenTTL(in); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"0", "-5d", "0h", "-1h", "soon", "99999d", "d"} {
		if got, err := parseTokenTTL(bad); err == nil {
			t.Errorf("%q accepted as %v", bad, got)
		}
	}
}
