package demo

// The demo's channels as their operators would run them (docs/rules.md §10): a few pins on every wall,
// two shelves in every supermarket, and one operator account per association, district office and
// agency that runs them, with the documented demo password (README, "Trying it out").

import (
	"context"
	"fmt"
	"time"

	"github.com/alexedwards/argon2id"
	"gorm.io/gorm"

	"patentwall/market"
)

// OperatorPassword is the password of the demo's operator accounts (OperatorEmails).
const OperatorPassword = "demo-operator-2026"

// OperatorEmails are the demo's operator accounts (README, "Trying it out"): the walls' associations,
// the supermarkets' district offices and their agencies.
var OperatorEmails = []string{
	"op-ic@demo.example.com", "op-biomed@demo.example.com", "op-ai@demo.example.com",
	"op-office-310115@demo.example.com", "op-office-310104@demo.example.com", "op-office-310117@demo.example.com",
	"op-agency-zhangjiang@demo.example.com", "op-agency-caohejing@demo.example.com",
	"op-agency-lingang@demo.example.com", "op-agency-songjiang@demo.example.com",
}

// insertChannels adds the operator accounts, the walls' pins and the supermarkets' shelves, through the
// market's own functions (so the demo obeys the rules) inside Load's transaction.
func insertChannels(ctx context.Context, s *market.Store, tx *gorm.DB, ds *Dataset) error {
	hash, err := argon2id.CreateHash(OperatorPassword, market.PasswordParams)
	if err != nil {
		return fmt.Errorf("hash operator password: %w", err)
	}
	orgOf := func(provisional int64) (market.Organisation, error) {
		var o market.Organisation
		err := tx.Where("uscc = ?", ds.Org(provisional).USCC).First(&o).Error
		return o, err
	}
	addOperator := func(email string, org market.Organisation) (market.Actor, error) {
		var n int64
		if err := tx.Model(&market.User{}).Where("email = ?", email).Count(&n).Error; err != nil || n > 0 {
			return market.Actor{UserID: -1, OrgID: org.ID, Role: market.RoleOperator, OrgKind: org.Kind, OrgVerified: true}, err
		}
		u := market.User{OrgID: &org.ID, Email: email, Name: "演示运营账户", PasswordHash: hash, Role: market.RoleOperator, CreatedAt: ds.Now}
		if err := tx.Create(&u).Error; err != nil {
			return market.Actor{}, fmt.Errorf("operator %s: %w", email, err)
		}
		return market.Actor{UserID: u.ID, OrgID: org.ID, Role: market.RoleOperator, OrgKind: org.Kind, OrgVerified: true}, nil
	}
	ts := s.Bound(tx, func() time.Time { return ds.Now })
	livePatents := func(where string, args ...any) ([]string, error) {
		var nos []string
		err := tx.Raw(`SELECT p.application_no FROM patents p
			JOIN declarations d ON d.patent_id = p.id AND d.status = ?
			JOIN organisations o ON o.id = p.patentee_id
			WHERE `+where+` ORDER BY p.id LIMIT 3`, append([]any{market.DeclLive}, args...)...).Scan(&nos).Error
		return nos, err
	}
	for _, w := range ds.Walls {
		org, err := orgOf(w.OrgID)
		if err != nil {
			return fmt.Errorf("wall %s owner: %w", w.Slug, err)
		}
		act, err := addOperator("op-"+w.Slug+"@demo.example.com", org)
		if err != nil {
			return err
		}
		nos, err := livePatents("p.industry = ? AND p.featured = ?", w.Industry, true)
		if err != nil {
			return fmt.Errorf("wall %s pins: %w", w.Slug, err)
		}
		if err := ts.SetWallPatents(ctx, act, w.Slug, market.WallPin, nos); err != nil {
			return fmt.Errorf("wall %s pins: %w", w.Slug, err)
		}
	}
	for _, sm := range ds.Supermarkets {
		office, err := orgOf(sm.OfficeID)
		if err != nil {
			return fmt.Errorf("supermarket %s office: %w", sm.Slug, err)
		}
		if _, err := addOperator("op-office-"+sm.DistrictCode+"@demo.example.com", office); err != nil {
			return err
		}
		agency, err := orgOf(*sm.AgencyID)
		if err != nil {
			return fmt.Errorf("supermarket %s agency: %w", sm.Slug, err)
		}
		act, err := addOperator("op-agency-"+sm.Slug+"@demo.example.com", agency)
		if err != nil {
			return err
		}
		pins, err := livePatents("o.district_code = ? AND p.industry = ?", sm.DistrictCode, IndIC)
		if err != nil {
			return fmt.Errorf("supermarket %s pins: %w", sm.Slug, err)
		}
		half := market.Numeric(market.Fen(sm.MaxPriceFen / 2).String())
		shelves := []market.ShelfInput{
			{Key: "local", Title: "本区新上架", Rules: market.ChannelRules{Districts: []string{sm.DistrictCode}}},
			{Key: "chips", Title: "集成电路精选", Rules: market.ChannelRules{Industries: []string{IndIC}}, Pins: pins, MaxPriceYuan: half},
		}
		if err := ts.SetShelves(ctx, act, sm.Slug, shelves); err != nil {
			return fmt.Errorf("supermarket %s shelves: %w", sm.Slug, err)
		}
	}
	return nil
}
