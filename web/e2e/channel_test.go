package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"patentwall/market"
)

// TestChannelAttributionInBrowser: an SME follows a wall's screen QR code to a patent, signs in and
// accepts the free open licence; the association's operator sees the wall's statistics count the scan,
// the view and the contract (docs/rules.md §10.5).
func TestChannelAttributionInBrowser(t *testing.T) {
	browserPath(t) // skip before starting anything
	store, base := server(t)
	ctx := context.Background()
	db := store.Gorm()
	now := time.Now().UTC()
	mk := func(v any) {
		t.Helper()
		if err := db.Create(v).Error; err != nil {
			t.Fatal(err)
		}
	}
	assoc := &market.Organisation{USCC: validUSCC("51", 5801), Name: "上海浏览器测试行业协会", Kind: market.KindAssociation,
		DistrictCode: "310104", OperatingNormally: true, GoodCredit: true, VerifiedAt: &now, CreatedAt: now, UpdatedAt: now}
	holder := &market.Organisation{USCC: validUSCC("12", 5802), Name: "上海渠道测试大学", Kind: market.KindUniversity,
		DistrictCode: "310104", OperatingNormally: true, GoodCredit: true, VerifiedAt: &now, CreatedAt: now, UpdatedAt: now}
	sme := &market.Organisation{USCC: validUSCC("91", 5803), Name: "上海扫码科技有限公司", Kind: market.KindEnterprise, IsSME: true,
		SMEConfirmed: true, DistrictCode: "310115", OperatingNormally: true, GoodCredit: true, VerifiedAt: &now, CreatedAt: now, UpdatedAt: now}
	mk(assoc)
	mk(holder)
	mk(sme)
	mk(&market.Wall{Slug: "e2e", Name: "浏览器测试专利墙", Industry: "人工智能", OrgID: assoc.ID, CreatedAt: now})
	no := appNo(2020, '1', 765432)
	p := &market.Patent{ApplicationNo: no, Type: market.TypeInvention, Title: "一种扫码对接的测试方法", PatenteeID: holder.ID,
		FilingDate: market.MustDate("2020-03-02"), GrantDate: market.MustDate("2022-07-15"), Status: market.StatusGranted,
		Industry: "人工智能", CreatedAt: now, UpdatedAt: now}
	mk(p)
	mk(&market.Declaration{PatentID: p.ID, FeeModel: market.FeeFree, TermMonths: 24, Status: market.DeclLive, PublishedAt: now.Add(-48 * time.Hour)})
	hash, err := argon2id.CreateHash(password, market.PasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	mk(&market.User{OrgID: &sme.ID, Email: "scan@smallco.example.cn", Name: "扫码用户", PasswordHash: hash, Role: market.RoleLicensee, CreatedAt: now})
	if _, err := store.CreateStaffUser(ctx, market.StaffInput{Email: "op@assoc.example.cn", Password: password, Role: market.RoleOperator,
		OrgUSCC: assoc.USCC, Name: "协会运营"}); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, base)
	// 1. A visitor scans the wall's screen QR code: the patent page, counted for the wall.
	b.visit("/patents/"+no+"?via=screen:e2e", 200)
	b.sees("patent via QR", "一种扫码对接的测试方法")
	// 2. It signs in (the scan is carried over to its organisation) and accepts the free licence.
	b.login("scan@smallco.example.cn", password)
	b.visit("/patents/"+no, 200)
	b.check(`form[action$="/accept"] input[name=agree]`)
	b.submit(`form[action$="/accept"] button[type=submit]`, 200)
	b.sees("signed", "许可合同已成立", "已生效")
	b.logout()
	// 3. The association's operator sees the wall's statistics count it.
	b.login("op@assoc.example.cn", password)
	b.visit("/operator/channels", 200)
	b.sees("channels", "wall:e2e")
	today := market.DateOf(now).String()
	b.visit("/operator/channels/wall:e2e?from="+today+"&to="+today, 200)
	b.sees("stats", "渠道统计", "wall:e2e", "扫码次数", "成交合同", "按月成交")
	b.shot("09-channel-stats")
	st, err := store.ChannelStatsFor(ctx, market.Actor{UserID: 1, Role: market.RoleBureau}, "wall:e2e", market.DateOf(now), market.DateOf(now))
	if err != nil {
		t.Fatal(err)
	}
	if st.Contracts != 1 || st.FreeContracts != 1 || st.QRScans != 1 || st.Views != 1 || st.SMEs != 1 {
		t.Fatalf("wall statistics after the scan and the acceptance: %+v", st)
	}
}
