package search_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"patentwall/market"
	"patentwall/market/markettest"
	"patentwall/search"
	"patentwall/search/bleve"
)

// alertWorld: a holder institute, an SME with a user who keeps two saved searches and posted a demand,
// and a second user of another organisation with one saved search.
type alertWorld struct {
	holder, sme, other market.Organisation
	smeUser, otherUser market.User
	serial             int
}

func newAlertWorld(t *testing.T, s *market.Store) *alertWorld {
	t.Helper()
	db := s.Gorm()
	w := &alertWorld{}
	for i, o := range []*market.Organisation{&w.holder, &w.sme, &w.other} {
		body := fmt.Sprintf("91310115%08dX", 100+i)
		c, _ := market.USCCCheckChar(body)
		*o = market.Organisation{USCC: body + string(c), Name: fmt.Sprintf("单位%d", i), Kind: []string{market.KindInstitute, market.KindEnterprise, market.KindEnterprise}[i],
			DistrictCode: "310115", CreatedAt: t0, UpdatedAt: t0, VerifiedAt: &t0}
		if err := db.Create(o).Error; err != nil {
			t.Fatal(err)
		}
	}
	for i, u := range []*market.User{&w.smeUser, &w.otherUser} {
		org := []int64{w.sme.ID, w.other.ID}[i]
		*u = market.User{OrgID: &org, Email: fmt.Sprintf("alert%d@example.cn", i), PasswordHash: "x", Role: market.RoleLicensee, CreatedAt: t0}
		if err := db.Create(u).Error; err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *alertWorld) actor(u market.User) market.Actor {
	return market.Actor{UserID: u.ID, OrgID: *u.OrgID, Role: u.Role, OrgKind: market.KindEnterprise, OrgVerified: true}
}

// publish creates patents with live free declarations through market.CreateDeclaration (which enqueues
// the alerts) and their search outbox rows, in one transaction like an import.
func (w *alertWorld) publish(t *testing.T, s *market.Store, titles ...string) []int64 {
	t.Helper()
	var ids []int64
	err := s.Tx(context.Background(), func(tx *gorm.DB) error {
		var ds []market.Declaration
		for _, title := range titles {
			w.serial++
			digits := fmt.Sprintf("20211%07d", w.serial)
			c, _ := market.ApplicationCheckChar(digits)
			p := market.Patent{ApplicationNo: digits + "." + string(c), Type: market.TypeInvention, Title: title,
				PatenteeID: w.holder.ID, Status: market.StatusGranted, Industry: "新能源汽车", IPC: "H01M 10/42",
				FilingDate: market.NewDate(2021, 1, 1), GrantDate: market.NewDate(2022, 5, 1), CreatedAt: t0, UpdatedAt: t0}
			if err := tx.Create(&p).Error; err != nil {
				return err
			}
			ids = append(ids, p.ID)
			ds = append(ds, market.Declaration{PatentID: p.ID, FeeModel: market.FeeFree, TermMonths: 24,
				Status: market.DeclLive, PublishedAt: time.Now().UTC()})
		}
		if err := market.CreateDeclaration(tx, ds); err != nil {
			return err
		}
		return market.EnqueueIndex(tx, t0, ids...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// drain indexes the outbox into idx, then runs the alert worker; it returns the notifications written.
func drain(t *testing.T, s *market.Store, idx search.Index) int {
	t.Helper()
	ctx := context.Background()
	a := &search.Alerts{Store: s, NewScratch: bleve.Scratch}
	// Before indexing, nothing is percolated: the alert rows wait for the search index.
	if n, err := a.DrainOnce(ctx); err != nil || n != 0 {
		t.Fatalf("alerts before indexing: %d, %v", n, err)
	}
	if _, err := (&search.Worker{Store: s, Index: idx}).DrainOnce(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := a.DrainOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := s.AlertsLen(ctx); left != 0 {
		t.Fatalf("%d alert rows left", left)
	}
	return n
}

func notes(t *testing.T, s *market.Store, a market.Actor) []market.Notification {
	t.Helper()
	ns, err := s.Notifications(context.Background(), a, false, 500)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func TestAlertsOnePerUserPerPatentAndDigests(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		w := newAlertWorld(t, s)
		idx, dispose, err := bleve.Scratch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer dispose()
		sme, other := w.actor(w.smeUser), w.actor(w.otherUser)
		// Two saved searches of one user that both match a battery patent, one of another user.
		for _, q := range []string{"q=电池", "industry=新能源汽车&offer=open_licence"} {
			if _, err := s.SaveSearch(ctx, sme, "", q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.SaveSearch(ctx, other, "热管理", "q=热管理"); err != nil {
			t.Fatal(err)
		}
		// The SME's open demand about battery thermal management (approved by staff).
		uid := w.smeUser.ID
		d := market.Demand{OrgID: w.sme.ID, PostedBy: &uid, Title: "寻求动力电池热管理技术", Description: "我们的电池包夏天温度过高，需要液冷散热方案。",
			Industry: "新能源汽车", Status: market.DemandOpen, CreatedAt: t0}
		if err := s.Gorm().Create(&d).Error; err != nil {
			t.Fatal(err)
		}

		w.publish(t, s, "一种动力电池包液冷热管理系统")
		if n := drain(t, s, idx); n != 2 {
			t.Errorf("one patent: %d notifications, want 2 (one per user)", n)
		}
		ns := notes(t, s, sme)
		if len(ns) != 1 || ns[0].Kind != market.NoticeNewMatches || !strings.HasPrefix(ns[0].Link, "/patents/") ||
			!strings.Contains(ns[0].Body, "订阅") || !strings.Contains(ns[0].Body, "需求") {
			t.Fatalf("the SME user's notifications: %+v", ns)
		}
		// The other organisation's user sees only its own.
		if got := notes(t, s, other); len(got) != 1 || got[0].ID == ns[0].ID {
			t.Errorf("other user's notifications: %+v", got)
		}

		// A bulk publication of 30 matching patents: one digest per user, not 30 messages.
		titles := make([]string, 30)
		for i := range titles {
			titles[i] = fmt.Sprintf("一种电池模组热管理结构%d", i)
		}
		w.publish(t, s, titles...)
		if n := drain(t, s, idx); n != 2 {
			t.Errorf("bulk: %d notifications, want 2 digests", n)
		}
		ns = notes(t, s, sme)
		if len(ns) != 2 || ns[0].Link != "/notifications" || !strings.Contains(ns[0].Subject, "30") {
			t.Errorf("digest: %+v", ns[0])
		}
		var pairs int64
		s.Gorm().Model(&market.Alerted{}).Where("user_id = ?", w.smeUser.ID).Count(&pairs)
		if pairs != 31 {
			t.Errorf("alerted pairs %d, want 31", pairs)
		}
		// Publishing new terms for a patent already announced tells nobody again.
		if err := s.Tx(ctx, func(tx *gorm.DB) error {
			var p market.Patent
			if err := tx.Where("title = ?", "一种动力电池包液冷热管理系统").Take(&p).Error; err != nil {
				return err
			}
			if err := tx.Model(&market.Declaration{}).Where("patent_id = ?", p.ID).Update("status", market.DeclReplaced).Error; err != nil {
				return err
			}
			if err := market.CreateDeclaration(tx, []market.Declaration{{PatentID: p.ID, FeeModel: market.FeeFree, TermMonths: 36,
				Status: market.DeclLive, PublishedAt: time.Now().UTC()}}); err != nil {
				return err
			}
			return market.EnqueueIndex(tx, t0, p.ID)
		}); err != nil {
			t.Fatal(err)
		}
		if n := drain(t, s, idx); n != 0 {
			t.Errorf("republished patent: %d notifications, want 0", n)
		}
		// Unread count and marking read.
		if c, _ := s.UnreadCount(ctx, sme); c != 2 {
			t.Errorf("unread %d", c)
		}
		if err := s.MarkNotificationsRead(ctx, sme, []int64{ns[0].ID}); err != nil {
			t.Fatal(err)
		}
		if c, _ := s.UnreadCount(ctx, sme); c != 1 {
			t.Errorf("unread after reading one: %d", c)
		}
		if err := s.MarkNotificationsRead(ctx, other, []int64{ns[1].ID}); err == nil {
			t.Error("another user marked the SME's notification read")
		}
	})
}
