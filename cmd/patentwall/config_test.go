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

func TestShutdownGrace(t *testing.T) {
	for v, want := range map[string]time.Duration{"": defaultShutdownGrace, "2m": 2 * time.Minute, " 30s ": 30 * time.Second} {
		t.Setenv("SHUTDOWN_GRACE", v)
		if c := LoadConfig(); c.err != nil || c.ShutdownGrace != want {
			t.Errorf("SHUTDOWN_GRACE=%q: %v %v, want %v", v, c.ShutdownGrace, c.err, want)
		}
	}
	for _, v := range []string{"abc", "0s", "-5s", "10"} {
		t.Setenv("SHUTDOWN_GRACE", v)
		if c := LoadConfig(); c.err == nil {
			t.Errorf("SHUTDOWN_GRACE=%q accepted as %v", v, c.ShutdownGrace)
		}
	}
}

func TestAcceptLimits(t *testing.T) {
	for v, want := range map[string][2]int{"": {200, 600}, "off": {-1, -1}, " OFF ": {-1, -1}, "10,30": {10, 30}, " 5 , 7 ": {5, 7}} {
		t.Setenv("ACCEPT_LIMITS", v)
		c := LoadConfig()
		if c.err != nil || c.AcceptLimits.PerOrg != want[0] || c.AcceptLimits.PerAddr != want[1] || c.AcceptLimits.Window != time.Hour {
			t.Errorf("ACCEPT_LIMITS=%q: %+v %v, want %v an hour", v, c.AcceptLimits, c.err, want)
		}
	}
	for _, v := range []string{"200", "0,5", "5,0", "-1,5", "a,b", "5,6,7", "none"} {
		t.Setenv("ACCEPT_LIMITS", v)
		if c := LoadConfig(); c.err == nil {
			t.Errorf("ACCEPT_LIMITS=%q accepted as %+v", v, c.AcceptLimits)
		}
	}
}
