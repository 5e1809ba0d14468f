package market_test

import (
	"strings"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

func TestCheckOrg(t *testing.T) {
	good := func() market.OrgRecord {
		return market.OrgRecord{USCC: "9144 0300 1922 0382 16", Name: "深圳测试有限公司", Kind: "enterprise", District: "浦东",
			Phone: "021-6439 2000", Email: "IP@Example.cn", FoundedOn: "2001-02-03"}
	}
	edit := func(f func(*market.OrgRecord)) market.OrgRecord { r := good(); f(&r); return r }
	// 12310000MA1234567 with a wrong 18th character: legal shape, failed check.
	badCheck := catUSCC(t, 1)
	badCheck = badCheck[:17] + map[bool]string{true: "1", false: "0"}[badCheck[17] == '0']
	cases := []struct {
		name    string
		in      market.OrgRecord
		strict  bool
		want    []string
		warning bool
	}{
		{name: "valid", in: good()},
		{name: "kind alias", in: edit(func(r *market.OrgRecord) { r.Kind = "高校" })},
		{name: "outside Shanghai", in: edit(func(r *market.OrgRecord) { r.District = "" })},
		{name: "district code", in: edit(func(r *market.OrgRecord) { r.District = "310115" })},
		{name: "district elsewhere", in: edit(func(r *market.OrgRecord) { r.District = "海淀区" }), want: []string{"district/not_shanghai"}},
		{name: "unknown kind", in: edit(func(r *market.OrgRecord) { r.Kind = "club" }), want: []string{"kind/invalid_choice"}},
		{name: "no name", in: edit(func(r *market.OrgRecord) { r.Name = "" }), want: []string{"name/required"}},
		{name: "USCC too short", in: edit(func(r *market.OrgRecord) { r.USCC = "91440300192203821" }), want: []string{"uscc/invalid_format"}},
		{name: "USCC check fails: warning only", in: edit(func(r *market.OrgRecord) { r.USCC = badCheck }), warning: true},
		{name: "USCC check fails, strict", in: edit(func(r *market.OrgRecord) { r.USCC = badCheck }), strict: true,
			want: []string{"uscc/bad_check_digit"}, warning: true},
		{name: "bad e-mail", in: edit(func(r *market.OrgRecord) { r.Email = "ip@example" }), want: []string{"email/invalid_format"}},
		{name: "bad phone", in: edit(func(r *market.OrgRecord) { r.Phone = "call me" }), want: []string{"phone/invalid_format"}},
		{name: "bad date", in: edit(func(r *market.OrgRecord) { r.FoundedOn = "2001-2-3" }), want: []string{"founded_on/invalid_date"}},
		{name: "founded tomorrow", in: edit(func(r *market.OrgRecord) { r.FoundedOn = "2025-06-16" }), want: []string{"founded_on/in_future"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, errs := market.CheckOrg(c.in, catToday, c.strict)
			if got := strings.Join(catCodes(errs), " "); got != strings.Join(c.want, " ") {
				t.Fatalf("errors %q, want %q", got, strings.Join(c.want, " "))
			}
			if (o.USCCWarning != "") != c.warning {
				t.Errorf("warning %q, want %v", o.USCCWarning, c.warning)
			}
			if c.strict && len(errs) > 0 && !errs[0].Warning {
				t.Error("strict USCC failure not marked as a warning")
			}
			if c.name == "valid" && (o.USCC != "914403001922038216" || o.DistrictCode != "310115" || o.Email != "ip@example.cn" ||
				o.Kind != market.KindEnterprise || o.FoundedOn.String() != "2001-02-03" || !o.OperatingNormally || !o.GoodCredit) {
				t.Errorf("got %+v", o)
			}
		})
	}
}

func TestUpsertOrgs(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		f := newCatFixture(t, s) // two organisations, verified an hour before catNow
		p := f.patent(t, 1, 1)
		before := f.outbox(t, p.ID)
		var stored market.Organisation
		if err := s.Gorm().First(&stored, f.org.ID).Error; err != nil {
			t.Fatal(err)
		}

		// The same data again: nothing is rewritten.
		same := stored
		same.ID = 0
		c, err := s.UpsertOrgs(f.ctx, []market.Organisation{same})
		if err != nil || c != (market.UpsertCounts{Unchanged: 1}) {
			t.Fatalf("unchanged upsert: %+v, %v", c, err)
		}

		// A partial update: only the named columns change; verification and SME figures stay.
		if err := s.Gorm().Model(&market.Organisation{}).Where("id = ?", f.org.ID).Update("sme_employees", 42).Error; err != nil {
			t.Fatal(err)
		}
		s.Now = markettest.NewClock(catNow.Add(time.Hour)).Now
		later := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		upd := market.Organisation{USCC: stored.USCC, Name: "上海测试大学（新名）", Kind: "enterprise", Address: "ignored",
			VerifiedAt: &later, IsSME: true, SMEConfirmed: true, FactsSource: "import", FactsAsOf: catToday}
		c, err = s.UpsertOrgs(f.ctx, []market.Organisation{upd, {USCC: catUSCC(t, 3), Name: "新机构", Kind: "hospital"}},
			"name", "is_sme", "sme_confirmed")
		if err != nil || c != (market.UpsertCounts{Created: 1, Updated: 1}) {
			t.Fatalf("upsert: %+v, %v", c, err)
		}
		var got market.Organisation
		if err := s.Gorm().First(&got, f.org.ID).Error; err != nil {
			t.Fatal(err)
		}
		if got.Name != "上海测试大学（新名）" || got.Kind != market.KindUniversity || got.Address != "" || got.SMEEmployees != 42 ||
			!got.IsSME || !got.SMEConfirmed || got.FactsSource != "import" || got.VerifiedAt == nil || !got.VerifiedAt.Equal(*stored.VerifiedAt) ||
			!got.UpdatedAt.Equal(catNow.Add(time.Hour)) || !got.CreatedAt.Equal(stored.CreatedAt) {
			t.Errorf("after partial update %+v", got)
		}
		// The name is shown with the patents, so they are re-indexed.
		if n := f.outbox(t, p.ID); n != before+1 {
			t.Errorf("outbox %d, want %d", n, before+1)
		}
		created, err := s.OrgByUSCC(f.ctx, catUSCC(t, 3))
		if err != nil || created.Name != "新机构" || !created.CreatedAt.Equal(catNow.Add(time.Hour)) {
			t.Errorf("created %+v, %v", created, err)
		}
	})
}
