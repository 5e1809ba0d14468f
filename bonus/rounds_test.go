package bonus_test

import (
	"errors"
	"testing"

	"patentwall/bonus"
	"patentwall/market"
	"patentwall/market/markettest"
)

func TestSeedRounds(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		want := map[string]struct {
			rule     string
			from, to string
			unit     int64
			cap      int64
		}{
			"art22-2022": {bonus.RuleLicensorOpenLicence, "2022-01-01", "2022-12-31", 300000, 30000000},
			"art19-2022": {bonus.RuleInstitutionPerPatent, "2022-07-01", "2023-06-30", 150000, 300000000},
		}
		rounds, err := bonus.ListRounds(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(rounds) != len(want) {
			t.Fatalf("%d rounds out of the box, want %d", len(rounds), len(want))
		}
		for _, r := range rounds {
			w := want[r.ID]
			if r.Rule != w.rule || r.WindowFrom.String() != w.from || r.WindowTo.String() != w.to || r.UnitFen != w.unit ||
				r.CapFen != w.cap || r.Basis != bonus.BasisEffective || !r.RequiresFiling || r.RecipientCapFen != nil ||
				r.Flags != bonus.DefaultFlags() || r.Name == "" || r.CreatedAt.IsZero() {
				t.Errorf("%s: %+v", r.ID, r)
			}
		}
	})
}

func validRound() bonus.RoundInput {
	return bonus.RoundInput{ID: "art22-2023", Name: "2023年度", Rule: bonus.RuleLicensorOpenLicence, From: d("2023-01-01"),
		To: d("2023-12-31"), UnitFen: 300000, CapFen: 30000000, RequiresFiling: true, Flags: bonus.DefaultFlags()}
}

func TestCreateRoundRejectsBadInput(t *testing.T) {
	neg, big := int64(-1), int64(30000001)
	cases := []struct {
		name   string
		actor  market.Actor
		change func(in *bonus.RoundInput)
		field  string
		code   string
	}{
		{"inverted window", bureau, func(in *bonus.RoundInput) { in.From, in.To = in.To, in.From }, "window_to", "inverted_window"},
		{"unknown rule", bureau, func(in *bonus.RoundInput) { in.Rule = "per_deal" }, "rule", "unknown_rule"},
		{"zero unit", bureau, func(in *bonus.RoundInput) { in.UnitFen = 0 }, "unit_fen", "not_positive"},
		{"negative cap", bureau, func(in *bonus.RoundInput) { in.CapFen = -100 }, "cap_fen", "not_positive"},
		{"zero cap", bureau, func(in *bonus.RoundInput) { in.CapFen = 0 }, "cap_fen", "not_positive"},
		{"negative recipient cap", bureau, func(in *bonus.RoundInput) { in.RecipientCapFen = &neg }, "recipient_cap_fen", "not_positive"},
		{"recipient cap above the cap", bureau, func(in *bonus.RoundInput) { in.RecipientCapFen = &big }, "recipient_cap_fen", "above_cap"},
		{"bad ID", bureau, func(in *bonus.RoundInput) { in.ID = "Art 22!" }, "id", "invalid"},
		{"bad basis", bureau, func(in *bonus.RoundInput) { in.Basis = "signed" }, "basis", "invalid"},
		{"negative flag setting", bureau, func(in *bonus.RoundInput) { in.Flags.BurstDays = -1 }, "burst_days", "out_of_range"},
		{"taken ID", bureau, func(in *bonus.RoundInput) { in.ID = "art22-2022"; in.From, in.To = d("2030-01-01"), d("2030-12-31") }, "id", "taken"},
		{"overlapping window of the same rule", bureau, func(in *bonus.RoundInput) { in.From = d("2022-12-01") }, "window_from", "overlap"},
	}
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		for _, tc := range cases {
			in := validRound()
			tc.change(&in)
			_, err := bonus.CreateRound(ctx, s, tc.actor, in)
			fes := market.AsFieldErrors(err)
			found := false
			for _, fe := range fes {
				if fe.Field == tc.field && fe.Code == tc.code && fe.MessageZH != "" && fe.MessageEN != "" {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: error %v, want %s/%s", tc.name, err, tc.field, tc.code)
			}
		}
		for _, a := range []market.Actor{{}, {UserID: 3, Role: market.RoleLicensee}, {UserID: 4, Role: market.RoleAdmin}, {Role: market.RoleBureau}} {
			if _, err := bonus.CreateRound(ctx, s, a, validRound()); !errors.Is(err, market.ErrForbidden) {
				t.Errorf("actor %+v: %v, want forbidden", a, err)
			}
		}
		if rounds, _ := bonus.ListRounds(ctx, s); len(rounds) != 2 {
			t.Fatalf("bad input changed the rounds: %d", len(rounds))
		}
	})
}

func TestCreateAndUpdateRound(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		in := validRound()
		rc := int64(600000)
		in.RecipientCapFen = &rc
		r, err := bonus.CreateRound(ctx, s, bureau, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := bonus.GetRound(ctx, s, "art22-2023")
		if err != nil {
			t.Fatal(err)
		}
		if got.RecipientCapFen == nil || *got.RecipientCapFen != 600000 || got.Basis != bonus.BasisEffective ||
			got.CreatedBy == nil || *got.CreatedBy != bureau.UserID || got.WindowTo != r.WindowTo {
			t.Fatalf("stored %+v", got)
		}
		// an overlap of the same rule needs confirmation; another rule's round may overlap freely
		up := got.Input()
		up.From = d("2022-06-01")
		if _, err := bonus.UpdateRound(ctx, s, bureau, up); market.AsFieldErrors(err) == nil {
			t.Fatalf("overlap accepted without confirmation: %v", err)
		}
		up.ConfirmOverlap = true
		up.RecipientCapFen = nil
		up.Flags.LowFeePercent = 0
		if _, err := bonus.UpdateRound(ctx, s, bureau, up); err != nil {
			t.Fatal(err)
		}
		got, _ = bonus.GetRound(ctx, s, "art22-2023")
		if got.WindowFrom.String() != "2022-06-01" || got.RecipientCapFen != nil || got.Flags.LowFeePercent != 0 {
			t.Fatalf("updated %+v", got)
		}
		other := validRound()
		other.ID, other.Rule = "art19-2023", bonus.RuleInstitutionPerPatent
		other.From, other.To = d("2023-07-01"), d("2024-06-30")
		if _, err := bonus.CreateRound(ctx, s, bonus.CommandLine, other); err != nil {
			t.Fatal(err)
		}
		missing := validRound()
		missing.ID = "nope"
		missing.From, missing.To = d("2031-01-01"), d("2031-12-31")
		if _, err := bonus.UpdateRound(ctx, s, bureau, missing); !errors.Is(err, market.ErrNotFound) {
			t.Fatalf("update of a missing round: %v", err)
		}
	})
}
