package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"patentwall/market"
)

// TestDemandFlowInBrowser: an SME posts a demand to a wall, the wall's operator approves it, the SME
// opens a match and accepts its open licence; the contract records demand:ID as its channel, which the
// bureau's channel statistics count; the holder sees the demand on its patent.
func TestDemandFlowInBrowser(t *testing.T) {
	browserPath(t) // skip before starting anything
	store, base := server(t)
	ctx := context.Background()
	db := store.Gorm()
	now := time.Now().UTC()
	org := func(prefix string, serial int, name, kind, district string) market.Organisation {
		t.Helper()
		o := market.Organisation{USCC: validUSCC(prefix, serial), Name: name, Kind: kind, DistrictCode: district, Address: "上海市测试路 1 号",
			LegalRep: "张三", OperatingNormally: true, GoodCredit: true, IsSME: kind == market.KindEnterprise, VerifiedAt: &now,
			CreatedAt: now, UpdatedAt: now}
		if err := db.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
		return o
	}
	user := func(o *market.Organisation, role, email string) market.Actor {
		t.Helper()
		hash, err := argon2id.CreateHash(password, market.PasswordParams)
		if err != nil {
			t.Fatal(err)
		}
		u := market.User{OrgID: &o.ID, Email: email, Name: strings.Split(email, "@")[0], PasswordHash: hash, Role: role, CreatedAt: now}
		if err := db.Create(&u).Error; err != nil {
			t.Fatal(err)
		}
		return market.ActorOf(&u, o)
	}
	uni := org("12", 5101, "上海需求测试大学", market.KindUniversity, "310110")
	sme := org("91", 5102, "上海储能小微科技有限公司", market.KindEnterprise, "310115")
	assoc := org("51", 5103, "上海新能源测试协会", market.KindAssociation, "310104")
	holder := user(&uni, market.RoleHolder, "tto@demand-uni.example.cn")
	user(&sme, market.RoleLicensee, "boss@storage.example.cn")
	user(&assoc, market.RoleOperator, "op@assoc.example.cn")
	if err := db.Create(&market.Wall{Slug: "energy", Name: "新能源专利墙", Industry: "新能源汽车", OrgID: assoc.ID, CreatedAt: now}).Error; err != nil {
		t.Fatal(err)
	}
	no := appNo(2021, '1', 765432)
	if _, err := store.CreatePatent(ctx, holder, market.PatentInput{ApplicationNo: no, Title: "一种储能电池包液冷热管理系统",
		Abstract: "本发明公开了一种储能电池包的液冷散热结构，降低电芯温差，延长电池循环寿命。", IPC: "H01M 10/613", FilingDate: "2021-03-02",
		GrantDate: "2023-05-09", Status: "granted", Industry: "新能源汽车"}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.PublishDeclaration(ctx, holder, no, market.DeclarationInput{FeeModel: "free", TermMonths: "24"}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateStaffUser(ctx, market.StaffInput{Email: "bureau@demand.example.cn", Password: password, Role: market.RoleBureau, Name: "市局统计员"}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, base)

	// 1. The SME posts its demand to the wall.
	b.login("boss@storage.example.cn", password)
	b.visit("/demands/new", 200)
	b.fill("form.acct-form", map[string]string{"title": "寻求储能电池散热技术",
		"description": "我们做工商业储能柜，夏天电池包温度太高，需要液冷散热的方案，延长电池寿命。", "industry": "新能源汽车",
		"budget_max_yuan": "200000", "deadline": market.DateOf(now.AddDate(0, 3, 0)).String(), "channel": "wall:energy"})
	b.submit("form.acct-form button[type=submit]", 200)
	b.sees("posted", "需求已提交，等待审核", "待审核")
	b.shot("20-demand-posted")
	demandPath := strings.TrimPrefix(strings.SplitN(b.location(), "?", 2)[0], base)
	b.logout()

	// 2. The wall's operator approves it from the moderation queue.
	b.login("op@assoc.example.cn", password)
	b.visit("/operator/demands", 200)
	b.sees("queue", "寻求储能电池散热技术")
	b.shot("21-moderation-queue")
	b.submit(`form[action="`+demandPath+`/moderate"] button[value=approve]`, 200)
	b.sees("approved", "审核结果已保存", "没有待审核的需求")
	b.logout()

	// 3. The SME opens the match (the index has taken the patent in by now) and accepts the licence.
	for i := 0; i < 100; i++ {
		if n, _ := store.OutboxLen(ctx); n == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.login("boss@storage.example.cn", password)
	b.visit(demandPath, 200)
	b.sees("matches", "匹配的专利", "一种储能电池包液冷热管理系统", "共同关键词", "免费开放许可")
	b.shot("22-demand-matches")
	b.submit(`.match-list li:first-child h3 a`, 200)
	if loc := b.location(); !strings.Contains(loc, "/patents/"+no) || !strings.Contains(loc, "via=demand:") {
		t.Fatalf("the match led to %s", loc)
	}
	b.check(`form[action$="/accept"] input[name=agree]`)
	b.submit(`form[action$="/accept"] button[type=submit]`, 200)
	b.sees("signed", "许可合同已成立")
	b.shot("23-demand-licence")
	b.logout()

	// 3b. The contract records the demand as its channel (docs/rules.md §10.5), so the demand gets the
	// credit: in the database, and in the channel statistics the bureau reads.
	demandID := strings.TrimPrefix(demandPath, "/demands/")
	channel := "demand:" + demandID
	var ct market.Contract
	if err := db.Where("licensee_id = ?", sme.ID).Order("id DESC").First(&ct).Error; err != nil {
		t.Fatalf("the SME's contract: %v", err)
	}
	if ct.Channel == nil || *ct.Channel != channel {
		t.Errorf("contract %s channel %v, want %s", ct.ContractNo, ct.Channel, channel)
	}
	b.login("bureau@demand.example.cn", password)
	b.visit("/bureau/channels", 200)
	b.sees("bureau channels", channel)
	b.visit("/operator/channels/"+channel, 200)
	b.sees("demand channel page", channel)
	b.shot("23b-demand-channel")
	b.visit("/operator/channels/"+channel+"?format=json", 200)
	var stats struct {
		Channels []struct {
			Channel       string `json:"channel"`
			Contracts     int64  `json:"contracts"`
			FreeContracts int64  `json:"free_contracts"`
			SMEs          int64  `json:"smes"`
		} `json:"channels"`
	}
	if err := json.Unmarshal([]byte(b.text()), &stats); err != nil {
		t.Fatalf("channel statistics: %v", err)
	}
	if len(stats.Channels) != 1 || stats.Channels[0].Channel != channel || stats.Channels[0].Contracts != 1 ||
		stats.Channels[0].FreeContracts != 1 || stats.Channels[0].SMEs != 1 {
		t.Errorf("statistics of %s: %+v", channel, stats.Channels)
	}
	b.visit("/account", 200)
	b.logout()

	// 4. The holder sees the demand on its patent.
	b.login("tto@demand-uni.example.cn", password)
	b.visit("/patents/"+no, 200)
	b.sees("holder's patent", "本专利可满足的技术需求", "寻求储能电池散热技术")
	b.shot("24-holder-demands")
}
