package soakcheck_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
	"patentwall/market/soakcheck"
)

func uscc(prefix string, serial int) string {
	code := fmt.Sprintf("%08d", serial)
	c17, _ := market.OrgCodeCheckChar(code)
	body := prefix + "310104" + code + string(c17)
	c18, _ := market.USCCCheckChar(body)
	return body + string(c18)
}

func appNo(serial int) string {
	digits := fmt.Sprintf("2019%c%07d", '1', serial)
	c, _ := market.ApplicationCheckChar(digits)
	return digits + "." + string(c)
}

type world struct {
	holder             market.Organisation
	licensees          []market.Organisation
	actors             []market.Actor
	patents            []market.Patent
	holderID, licensee int64
}

func setup(t *testing.T, s *market.Store) *world {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	verified := now.Add(-time.Hour)
	w := &world{}
	mk := func(kind, prefix string, serial int) market.Organisation {
		o := market.Organisation{USCC: uscc(prefix, serial), Name: fmt.Sprintf("检查机构%d", serial), Kind: kind, DistrictCode: "310104",
			Address: "上海市徐汇区测试路 1 号", LegalRep: "测试", OperatingNormally: true, GoodCredit: true,
			IsSME: kind == market.KindEnterprise, VerifiedAt: &verified, CreatedAt: now, UpdatedAt: now}
		if err := s.Gorm().Create(&o).Error; err != nil {
			t.Fatal(err)
		}
		return o
	}
	w.holder = mk(market.KindUniversity, "12", 810001)
	for i := range 2 {
		o := mk(market.KindEnterprise, "91", 820001+i)
		orgID := o.ID
		u := market.User{OrgID: &orgID, Email: fmt.Sprintf("check%d@check.example.cn", i), Name: "check", PasswordHash: "-",
			Role: market.RoleLicensee, CreatedAt: now}
		if err := s.Gorm().Create(&u).Error; err != nil {
			t.Fatal(err)
		}
		act, err := s.Actor(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		w.licensees = append(w.licensees, o)
		w.actors = append(w.actors, act)
	}
	for i := range 3 {
		p := market.Patent{ApplicationNo: appNo(4100000 + i), Type: market.TypeInvention, Title: fmt.Sprintf("一种检查装置%d", i),
			PatenteeID: w.holder.ID, FilingDate: market.MustDate("2019-06-10"), GrantDate: market.MustDate("2021-05-20"),
			Status: market.StatusGranted, CreatedAt: now, UpdatedAt: now}
		if err := s.Gorm().Create(&p).Error; err != nil {
			t.Fatal(err)
		}
		d := market.Declaration{PatentID: p.ID, FeeModel: market.FeeFree, TermMonths: 36, Status: market.DeclLive, PublishedAt: now}
		if err := s.Gorm().Create(&d).Error; err != nil {
			t.Fatal(err)
		}
		w.patents = append(w.patents, p)
	}
	return w
}

func accept(t *testing.T, s *market.Store, w *world, lee, patent int, key string) soakcheck.Ack {
	t.Helper()
	c, created, err := s.AcceptLicence(context.Background(), w.actors[lee], w.patents[patent].ApplicationNo, key)
	if err != nil {
		t.Fatal(err)
	}
	return soakcheck.Ack{Attempt: soakcheck.Attempt{LicenseeUSCC: w.licensees[lee].USCC, Key: key, AppNo: w.patents[patent].ApplicationNo},
		ContractNo: c.ContractNo, Created: created}
}

func has(list []string, part string) bool {
	for _, s := range list {
		if strings.Contains(s, part) {
			return true
		}
	}
	return false
}

func TestCheck(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		w := setup(t, s)
		a1 := accept(t, s, w, 0, 0, "k1")
		a2 := accept(t, s, w, 1, 0, "k2")
		retry := accept(t, s, w, 0, 0, "k1") // the same key again: the same contract, 200
		if retry.Created || retry.ContractNo != a1.ContractNo {
			t.Fatalf("retry: %+v vs %+v", retry, a1)
		}
		unacked := accept(t, s, w, 1, 1, "k3") // committed, answer lost
		never := soakcheck.Attempt{LicenseeUSCC: w.licensees[0].USCC, Key: "k4", AppNo: w.patents[2].ApplicationNo}
		attempts := []soakcheck.Attempt{a1.Attempt, a2.Attempt, retry.Attempt, unacked.Attempt, never}
		acks := []soakcheck.Ack{a1, a2, retry}

		rep, err := soakcheck.Check(ctx, s, attempts, acks)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() || rep.Attempts != 4 || rep.Acknowledged != 2 || rep.Contracts != 3 || rep.Unacknowledged != 1 || rep.Absent != 1 {
			t.Fatalf("clean run: %+v", rep)
		}

		// An acknowledgement of a contract that is not there, or not the licensee's for that patent, is lost.
		ghost := a1
		ghost.Key, ghost.ContractNo = "k9", "KF20990101-999999"
		wrong := a2
		wrong.Key, wrong.AppNo = "k8", w.patents[1].ApplicationNo
		rep, err = soakcheck.Check(ctx, s, attempts, append(acks, ghost, wrong))
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Lost) != 2 || !has(rep.Lost, "KF20990101-999999") || !has(rep.Lost, a2.ContractNo) || len(rep.Duplicated)+len(rep.HalfExisting) != 0 {
			t.Fatalf("lost: %+v", rep)
		}

		// A second contract for the same licensee and patent, written without its history: duplicated
		// and half-existing.
		now := time.Now().UTC()
		key := fmt.Sprintf("%d:k5", w.licensees[0].ID)
		dup := market.Contract{ContractNo: "KF20990101-888888", Kind: "licence", Source: "platform", LicensorID: w.holder.ID,
			LicenseeID: w.licensees[0].ID, Status: "effective", TermsJSON: "{}", ContentSHA256: strings.Repeat("0", 64),
			IdempotencyKey: &key, SignedOn: market.DateOf(now), CreatedAt: now, UpdatedAt: now}
		if err := s.Gorm().Create(&dup).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.Gorm().Create(&market.ContractPatent{ContractID: dup.ID, PatentID: w.patents[0].ID}).Error; err != nil {
			t.Fatal(err)
		}
		rep, err = soakcheck.Check(ctx, s, attempts, acks)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK() || len(rep.Lost) != 0 || len(rep.Duplicated) != 1 || !has(rep.Duplicated, a1.ContractNo) || !has(rep.Duplicated, dup.ContractNo) ||
			!has(rep.HalfExisting, dup.ContractNo+": no history events") || !has(rep.HalfExisting, dup.ContractNo+": neither anchored nor pending") {
			t.Fatalf("duplicate: %+v", rep)
		}

		n, err := soakcheck.PatentCount(ctx, s)
		if err != nil || n != 3 {
			t.Fatalf("patent count: %d %v", n, err)
		}
	})
}
