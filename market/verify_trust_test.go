package market_test

import (
	"fmt"
	"slices"
	"testing"

	"patentwall/market"
	"patentwall/market/markettest"
)

// Who verifies whom (docs/rules.md §3): the bureau any organisation; an operator of a verified district
// office only non-operator organisations of its own district; associations, agencies, unverified offices
// and offices of other districts nobody. The queue (UnverifiedOrgs) lists exactly what VerifyOrg allows.
func TestVerifyOrgTrustMatrix(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		const pudong, xuhui = "310115", "310104"
		orgIn := func(kind, district string, verified bool) *market.Organisation {
			o := w.org(t, kind, verified)
			if err := s.Gorm().Model(o).Update("district_code", district).Error; err != nil {
				t.Fatal(err)
			}
			o.DistrictCode = district
			return o
		}
		op := func(kind, district string, verified bool) market.Actor {
			return w.user(t, orgIn(kind, district, verified), market.RoleOperator)
		}
		actors := []struct {
			name string
			a    market.Actor
			may  func(kind, district string) bool
		}{
			{"bureau", w.user(t, nil, market.RoleBureau), func(string, string) bool { return true }},
			{"pudong office", op(market.KindDistrictOffice, pudong, true), func(kind, district string) bool {
				return district == pudong && !market.IsOperatorKind(kind)
			}},
			{"xuhui office", op(market.KindDistrictOffice, xuhui, true), func(kind, district string) bool {
				return district == xuhui && !market.IsOperatorKind(kind)
			}},
			{"unverified pudong office", op(market.KindDistrictOffice, pudong, false), nil},
			{"association", op(market.KindAssociation, pudong, true), nil},
			{"agency", op(market.KindAgency, pudong, true), nil},
			{"admin", w.user(t, nil, market.RoleAdmin), nil},
			{"enterprise", w.lic, nil},
		}
		// Start from an empty queue, so the queue is exactly the targets below.
		if err := s.Gorm().Model(&market.Organisation{}).Where("verified_at IS NULL").Update("verified_at", fxT0).Error; err != nil {
			t.Fatal(err)
		}
		for _, ac := range actors {
			t.Run(ac.name, func(t *testing.T) {
				var want []int64
				type target struct {
					org            *market.Organisation
					kind, district string
				}
				var targets []target
				for _, kind := range market.OrgKinds {
					for _, district := range []string{pudong, xuhui, ""} {
						targets = append(targets, target{orgIn(kind, district, false), kind, district})
					}
				}
				for _, tg := range targets {
					if ac.may != nil && ac.may(tg.kind, tg.district) {
						want = append(want, tg.org.ID)
					}
				}
				queue, err := s.UnverifiedOrgs(ctx, ac.a, 1000)
				if ac.may == nil {
					if fxCode(err) != "forbidden" {
						t.Errorf("queue: %d orgs, %v; want forbidden", len(queue), err)
					}
				} else {
					var got []int64
					for _, o := range queue {
						got = append(got, o.ID)
					}
					slices.Sort(got)
					if !slices.Equal(got, want) {
						t.Errorf("queue %v, want %v", got, want)
					}
				}
				for _, tg := range targets {
					allowed := ac.may != nil && ac.may(tg.kind, tg.district)
					can, err := s.CanVerifyOrg(ctx, ac.a, tg.org)
					if err != nil || can != allowed {
						t.Errorf("CanVerifyOrg %s in %q: %v %v, want %v", tg.kind, tg.district, can, err, allowed)
					}
					got, err := s.VerifyOrg(ctx, ac.a, tg.org.USCC)
					switch {
					case allowed && (err != nil || !got.Verified()):
						t.Errorf("verify %s in %q: %v, want verified", tg.kind, tg.district, err)
					case !allowed && fxCode(err) != "forbidden":
						t.Errorf("verify %s in %q: %v, want forbidden", tg.kind, tg.district, err)
					}
					if !allowed && w.count(t, &market.Organisation{}, "id = ? AND verified_at IS NULL", tg.org.ID) != 1 {
						t.Errorf("%s in %q verified by a refused actor", tg.kind, tg.district)
					}
				}
				// Tidy up: the next actor's queue starts empty again.
				if err := s.Gorm().Model(&market.Organisation{}).Where("verified_at IS NULL").Update("verified_at", fxT0).Error; err != nil {
					t.Fatal(err)
				}
			})
		}

		// The office is read in the transaction: an actor whose office has lost its verification (or its
		// kind) since the session began verifies nothing.
		office := orgIn(market.KindDistrictOffice, pudong, true)
		stale := w.user(t, office, market.RoleOperator)
		target := orgIn(market.KindEnterprise, pudong, false)
		if err := s.Gorm().Model(office).Update("verified_at", nil).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyOrg(ctx, stale, target.USCC); fxCode(err) != "forbidden" {
			t.Errorf("office no longer verified: %v", err)
		}
		if q, err := s.UnverifiedOrgs(ctx, stale, 10); err != nil || len(q) != 0 {
			t.Errorf("office no longer verified sees a queue: %d %v", len(q), err)
		}
		// Trust does not propagate: a district office the Pudong office cannot verify stays unverified,
		// so its operators verify nothing even in their own district.
		newOffice := orgIn(market.KindDistrictOffice, pudong, false)
		if _, err := s.VerifyOrg(ctx, actors[1].a, newOffice.USCC); fxCode(err) != "forbidden" {
			t.Errorf("an office verified another office: %v", err)
		}
		newOp := w.user(t, newOffice, market.RoleOperator)
		if _, err := s.VerifyOrg(ctx, newOp, target.USCC); fxCode(err) != "forbidden" {
			t.Errorf("%s: an unverified office's operator verified: %v", fmt.Sprint(newOp.OrgID), err)
		}
	})
}
