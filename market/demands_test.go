package market_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

// demandWorld is the showcase fixture plus users: an SME poster, another enterprise, the wall's
// association, an agency running nothing, and the bureau; a wall "ic" run by the association.
type demandWorld struct {
	sc                                    showcase
	poster, other, assocOp, agencyOp, bur market.Actor
	agency                                market.Organisation
}

func newDemandWorld(t *testing.T, s *market.Store) demandWorld {
	t.Helper()
	w := demandWorld{sc: showcaseFixture(t, s)}
	now := time.Now().UTC()
	db := s.Gorm()
	verify := func(o *market.Organisation) {
		if err := db.Model(o).Update("verified_at", now).Error; err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	user := func(org *market.Organisation, role string) market.Actor {
		t.Helper()
		n++
		u := market.User{Email: fmt.Sprintf("u%d@example.cn", n), PasswordHash: "x", Role: role, CreatedAt: now}
		if org != nil {
			u.OrgID = &org.ID
		}
		if err := db.Create(&u).Error; err != nil {
			t.Fatal(err)
		}
		if org == nil {
			return market.Actor{UserID: u.ID, Role: role}
		}
		return market.Actor{UserID: u.ID, OrgID: org.ID, Role: role, OrgKind: org.Kind, OrgVerified: true}
	}
	verify(&w.sc.pudong)
	w.agency = market.Organisation{USCC: "91310115MA1K4XXX0C", Name: "服务机构", Kind: market.KindAgency, DistrictCode: "310115",
		OperatingNormally: true, GoodCredit: true, CreatedAt: now, UpdatedAt: now}
	if err := db.Create(&w.agency).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&market.Wall{Slug: "ic", Name: "集成电路专利墙", Industry: "集成电路", OrgID: w.sc.assoc.ID, CreatedAt: now}).Error; err != nil {
		t.Fatal(err)
	}
	w.poster = user(&w.sc.pudong, market.RoleLicensee)
	w.other = user(&w.sc.yangpu, market.RoleHolder)
	verify(&w.sc.yangpu)
	w.assocOp = user(&w.sc.assoc, market.RoleOperator)
	w.agencyOp = user(&w.agency, market.RoleOperator)
	w.bur = user(nil, market.RoleBureau)
	return w
}

func goodDemand() market.DemandInput {
	return market.DemandInput{Title: "寻求芯片散热技术", Description: "我们生产功率模块，芯片发热严重，希望找到能降低结温的封装散热专利。",
		Industry: "集成电路", IPC: "h01l23/36", BudgetMinYuan: "10000", BudgetMaxYuan: "50000",
		Deadline: time.Now().In(market.Shanghai).AddDate(0, 2, 0).Format("2006-01-02"), Channel: "wall:ic"}
}

func demandCount(t *testing.T, s *market.Store) int64 {
	t.Helper()
	var n int64
	if err := s.Gorm().Model(&market.Demand{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDemandBadInputNamesTheFieldAndChangesNothing(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		w := newDemandWorld(t, s)
		before := demandCount(t, s)
		cases := []struct {
			field string
			edit  func(*market.DemandInput)
		}{
			{"budget_min_yuan", func(in *market.DemandInput) { in.BudgetMinYuan = "-5" }},
			{"budget_max_yuan", func(in *market.DemandInput) { in.BudgetMaxYuan = "-1" }},
			{"budget_min_yuan", func(in *market.DemandInput) { in.BudgetMinYuan = "60000" }},
			{"deadline", func(in *market.DemandInput) { in.Deadline = "2020-01-01" }},
			{"deadline", func(in *market.DemandInput) { in.Deadline = "明天" }},
			{"industry", func(in *market.DemandInput) { in.Industry = "炼金术" }},
			{"ipc", func(in *market.DemandInput) { in.IPC = "Z99Q" }},
			{"title", func(in *market.DemandInput) { in.Title = "散热\u202e技术" }},
			{"title", func(in *market.DemandInput) { in.Title = "" }},
			{"description", func(in *market.DemandInput) { in.Description = "需要\x07散热" }},
			{"channel", func(in *market.DemandInput) { in.Channel = "wall:nowhere" }},
		}
		for _, c := range cases {
			in := goodDemand()
			c.edit(&in)
			_, err := s.PostDemand(ctx, w.poster, in)
			es := market.AsFieldErrors(err)
			if len(es) == 0 || es[0].Field != c.field || es[0].MessageZH == "" || es[0].MessageEN == "" {
				t.Errorf("%s: got %v", c.field, err)
			}
		}
		if n := demandCount(t, s); n != before {
			t.Errorf("bad input wrote demands: %d → %d", before, n)
		}
		// Nor does an unverified organisation post.
		if _, err := s.PostDemand(ctx, market.Actor{UserID: w.poster.UserID, OrgID: w.sc.office.ID, Role: market.RoleOperator}, goodDemand()); !errors.Is(err, market.ErrOrgUnverified) {
			t.Errorf("unverified: %v", err)
		}
	})
}

func TestDemandModerationByTheChannelsOperators(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		w := newDemandWorld(t, s)
		d, err := s.PostDemand(ctx, w.poster, goodDemand())
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != market.DemandPending || d.IPC != "H01L 23/36" || d.BudgetMinFen != 10000_00 || d.BudgetMaxFen != 50000_00 {
			t.Fatalf("posted %+v", d)
		}
		// Not public yet.
		if _, err := s.DemandByID(ctx, market.Actor{}, d.ID); !errors.Is(err, market.ErrNotFound) {
			t.Errorf("pending demand shown to a visitor: %v", err)
		}
		// An operator of another organisation, a licensee and a visitor are refused; nothing changes.
		for _, a := range []market.Actor{w.agencyOp, w.other, {}} {
			if _, err := s.ModerateDemand(ctx, a, d.ID, market.DecisionApprove, ""); err == nil {
				t.Errorf("actor %+v moderated", a)
			}
		}
		if _, err := s.ModerateDemand(ctx, w.agencyOp, d.ID, market.DecisionApprove, ""); !errors.Is(err, market.ErrNotModerator) {
			t.Errorf("other channel's operator: %v", err)
		}
		if q, _ := s.ModerationQueue(ctx, w.agencyOp); len(q) != 0 {
			t.Errorf("queue of another operator: %d", len(q))
		}
		if q, _ := s.ModerationQueue(ctx, w.assocOp); len(q) != 1 {
			t.Errorf("queue of the wall's operator: %d", len(q))
		}
		// Rejecting needs a note.
		if _, err := s.ModerateDemand(ctx, w.assocOp, d.ID, market.DecisionReject, ""); fieldOf(err) != "note" {
			t.Errorf("reject without note: %v", err)
		}
		got, err := s.ModerateDemand(ctx, w.assocOp, d.ID, market.DecisionApprove, "")
		if err != nil || got.Status != market.DemandOpen {
			t.Fatalf("approve: %v %+v", err, got)
		}
		if _, err := s.DemandByID(ctx, market.Actor{}, d.ID); err != nil {
			t.Errorf("approved demand hidden: %v", err)
		}
		// Moderating twice is a state conflict.
		if _, err := s.ModerateDemand(ctx, w.bur, d.ID, market.DecisionReject, "重复"); !errors.Is(err, market.ErrDemandState) {
			t.Errorf("second decision: %v", err)
		}
		// A demand posted to no channel: any operator moderates it; the bureau moderates any.
		in := goodDemand()
		in.Channel = ""
		d2, _ := s.PostDemand(ctx, w.poster, in)
		if _, err := s.ModerateDemand(ctx, w.agencyOp, d2.ID, market.DecisionReject, "请补充技术指标"); err != nil {
			t.Errorf("any operator, no channel: %v", err)
		}
		d3, _ := s.PostDemand(ctx, w.poster, goodDemand())
		if _, err := s.ModerateDemand(ctx, w.bur, d3.ID, market.DecisionApprove, ""); err != nil {
			t.Errorf("bureau: %v", err)
		}
		// The poster was told of the rejection.
		ns, _ := s.Notifications(ctx, w.poster, true, 10)
		if len(ns) == 0 || ns[0].Kind != market.NoticeDemandApproved {
			t.Errorf("poster's notifications: %+v", ns)
		}
	})
}

func fieldOf(err error) string {
	if es := market.AsFieldErrors(err); len(es) > 0 {
		return es[0].Field
	}
	return ""
}

func TestDemandOnlyThePosterEditsAndCloses(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		w := newDemandWorld(t, s)
		d, _ := s.PostDemand(ctx, w.poster, goodDemand())
		if _, err := s.ModerateDemand(ctx, w.assocOp, d.ID, market.DecisionApprove, ""); err != nil {
			t.Fatal(err)
		}
		in := goodDemand()
		in.Title = "寻求功率芯片散热技术"
		for _, a := range []market.Actor{w.other, w.assocOp, w.bur} {
			if _, err := s.EditDemand(ctx, a, d.ID, in); err == nil {
				t.Errorf("%+v edited another's demand", a)
			}
			if _, err := s.CloseDemand(ctx, a, d.ID, ""); err == nil {
				t.Errorf("%+v closed another's demand", a)
			}
		}
		var still market.Demand
		s.Gorm().First(&still, d.ID)
		if still.Title != "寻求芯片散热技术" || still.Status != market.DemandOpen {
			t.Errorf("changed by others: %+v", still)
		}
		// A bad edit changes nothing either.
		bad := in
		bad.BudgetMaxYuan = "5"
		if _, err := s.EditDemand(ctx, w.poster, d.ID, bad); fieldOf(err) != "budget_min_yuan" {
			t.Errorf("bad edit: %v", err)
		}
		got, err := s.EditDemand(ctx, w.poster, d.ID, in)
		if err != nil || got.Status != market.DemandPending || got.Title != in.Title {
			t.Fatalf("edit: %v %+v", err, got)
		}
		// Fulfilled needs a contract of the poster's organisation.
		if _, err := s.CloseDemand(ctx, w.poster, d.ID, "KF20200101-999999"); fieldOf(err) != "contract_no" {
			t.Errorf("unknown contract: %v", err)
		}
		c := market.Contract{ContractNo: "KF20240101-000001", Kind: market.ContractOpenLicence, Source: "platform",
			LicensorID: w.sc.yangpu.ID, LicenseeID: w.sc.pudong.ID, Status: market.ContractEffective, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := s.Gorm().Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		got, err = s.CloseDemand(ctx, w.poster, d.ID, c.ContractNo)
		if err != nil || got.Status != market.DemandFulfilled || got.ContractID == nil || *got.ContractID != c.ID {
			t.Fatalf("fulfil: %v %+v", err, got)
		}
		if _, err := s.EditDemand(ctx, w.poster, d.ID, in); !errors.Is(err, market.ErrDemandState) {
			t.Errorf("edit after fulfilment: %v", err)
		}
	})
}

// A pending demand is "not found" to whoever may not see it, editing and closing included, so a refusal
// does not confirm it exists; its moderators, who see it, are forbidden; once public, everyone else is
// forbidden (docs/rules.md §10.6).
func TestDemandEditAndCloseByOthersHideAPendingDemand(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		w := newDemandWorld(t, s)
		// the operators' organisations verified, so posting rights do not decide the refusal
		for _, o := range []*market.Organisation{&w.sc.assoc, &w.agency} {
			if err := s.Gorm().Model(o).Update("verified_at", time.Now().UTC()).Error; err != nil {
				t.Fatal(err)
			}
		}
		d, err := s.PostDemand(ctx, w.poster, goodDemand())
		if err != nil {
			t.Fatal(err)
		}
		in := goodDemand()
		in.Title = "寻求功率芯片散热技术"
		check := func(a market.Actor, want error) {
			t.Helper()
			if _, err := s.EditDemand(ctx, a, d.ID, in); !errors.Is(err, want) {
				t.Errorf("edit by %+v: %v, want %v", a, err, want)
			}
			if _, err := s.CloseDemand(ctx, a, d.ID, ""); !errors.Is(err, want) {
				t.Errorf("close by %+v: %v, want %v", a, err, want)
			}
		}
		check(w.other, market.ErrNotFound)
		check(w.agencyOp, market.ErrNotFound) // an operator of no channel of the demand
		check(w.assocOp, market.ErrForbidden) // the wall's moderator sees it
		if _, err := s.CloseDemand(ctx, w.bur, d.ID, ""); !errors.Is(err, market.ErrForbidden) {
			t.Errorf("close by the bureau: %v", err)
		}
		if _, err := s.ModerateDemand(ctx, w.assocOp, d.ID, market.DecisionApprove, ""); err != nil {
			t.Fatal(err)
		}
		check(w.other, market.ErrForbidden)
		check(w.agencyOp, market.ErrForbidden)
		var still market.Demand
		s.Gorm().First(&still, d.ID)
		if still.Title != goodDemand().Title || still.Status != market.DemandOpen {
			t.Errorf("changed by others: %+v", still)
		}
	})
}
