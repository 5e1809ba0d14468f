package market_test

import (
	"testing"

	"patentwall/market"
	"patentwall/market/markettest"
)

// TestPublishingAuthorisation: CreatePatent, UpdatePatent, PublishDeclaration and WithdrawDeclaration
// check the acting user themselves. Visitors, users who may not publish, users of another organisation,
// of an unverified organisation (also when only the database knows it) and disabled users are refused,
// and nothing changes; the owner's user succeeds.
func TestPublishingAuthorisation(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		target, decl := w.patent(t, w.holderOrg, market.FeeFree, 0)

		disabled := w.user(t, w.holderOrg, market.RoleHolder) // disabled after its session began
		if err := s.Gorm().Model(&market.User{}).Where("id = ?", disabled.UserID).Update("disabled_at", w.clock.Now()).Error; err != nil {
			t.Fatal(err)
		}
		revokedOrg := w.org(t, market.KindUniversity, true)
		stale := w.user(t, revokedOrg, market.RoleHolder) // its session still says verified
		if err := s.Gorm().Model(&market.Organisation{}).Where("id = ?", revokedOrg.ID).Update("verified_at", nil).Error; err != nil {
			t.Fatal(err)
		}
		forged := w.user(t, w.org(t, market.KindUniversity, true), market.RoleHolder)
		forged.OrgID = w.holderOrg.ID // an actor claiming an organisation its user does not belong to

		refused := []struct {
			name string
			act  market.Actor
			code string
		}{
			{"visitor", market.Actor{}, market.CodeUnauthenticated},
			{"operator", w.user(t, w.org(t, market.KindAssociation, true), market.RoleOperator), market.CodeForbidden},
			{"bureau", w.user(t, nil, market.RoleBureau), market.CodeForbidden},
			{"admin", w.user(t, nil, market.RoleAdmin), market.CodeForbidden},
			{"holder of another organisation", w.user(t, w.org(t, market.KindUniversity, true), market.RoleHolder), market.CodeForbidden},
			{"enterprise user of another organisation", w.lic, market.CodeForbidden},
			{"claimed organisation", forged, market.CodeForbidden},
			{"unverified organisation", w.user(t, w.org(t, market.KindUniversity, false), market.RoleHolder), market.CodeOrgUnverified},
			{"verification withdrawn", stale, market.CodeOrgUnverified},
			{"disabled user", disabled, market.CodeAccountDisabled},
		}
		newNo := fxAppNo(t, fxSerial.Add(1))
		create := market.PatentInput{ApplicationNo: newNo, Title: "一种新的测试装置", FilingDate: "2020-01-10",
			GrantDate: "2022-05-20", Status: market.StatusGranted, PatenteeUSCC: w.holderOrg.USCC}
		update := market.PatentInput{Title: "一种改名的测试装置", FilingDate: "2020-01-10", GrantDate: "2022-05-20",
			Status: market.StatusGranted}
		terms := market.DeclarationInput{FeeModel: market.FeeFree, TermMonths: "36"}
		calls := []struct {
			name string
			run  func(a market.Actor) error
		}{
			{"CreatePatent", func(a market.Actor) error { _, err := s.CreatePatent(ctx, a, create); return err }},
			{"UpdatePatent", func(a market.Actor) error { _, err := s.UpdatePatent(ctx, a, target, update); return err }},
			{"PublishDeclaration", func(a market.Actor) error { _, err := s.PublishDeclaration(ctx, a, target, terms); return err }},
			{"WithdrawDeclaration", func(a market.Actor) error { _, err := s.WithdrawDeclaration(ctx, a, target); return err }},
		}
		for _, r := range refused {
			for _, c := range calls {
				if got := fxCode(c.run(r.act)); got != r.code {
					t.Errorf("%s by %s: %q, want %q", c.name, r.name, got, r.code)
				}
			}
		}
		if n := w.count(t, &market.Patent{}, "application_no = ?", newNo); n != 0 {
			t.Errorf("a refused CreatePatent wrote %d patents", n)
		}
		if n := w.count(t, &market.Patent{}, "application_no = ? AND title = ?", target, update.Title); n != 0 {
			t.Error("a refused UpdatePatent changed the patent")
		}
		if n := w.count(t, &market.Declaration{}, "id = ? AND status = ?", decl.ID, market.DeclLive); n != 1 {
			t.Error("a refused PublishDeclaration or WithdrawDeclaration ended the live declaration")
		}

		// The owner's user does each.
		for _, c := range calls {
			if err := c.run(w.holder); err != nil {
				t.Errorf("%s by the owner: %v", c.name, err)
			}
		}
		if n := w.count(t, &market.Patent{}, "application_no = ? AND patentee_id = ?", newNo, w.holderOrg.ID); n != 1 {
			t.Errorf("the owner's CreatePatent wrote %d patents", n)
		}
		if n := w.count(t, &market.Declaration{}, "id = ? AND status = ?", decl.ID, market.DeclReplaced); n != 1 {
			t.Error("the owner's PublishDeclaration did not replace the live declaration")
		}
		if n := w.count(t, &market.Declaration{}, "status = ? AND patent_id = (SELECT id FROM patents WHERE application_no = ?)",
			market.DeclLive, target); n != 0 {
			t.Error("the owner's WithdrawDeclaration left a live declaration")
		}
	})
}
