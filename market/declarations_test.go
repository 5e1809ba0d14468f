package market_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

// catToday is the day every catalogue test runs on (noon in Shanghai).
var catToday = market.MustDate("2025-06-15")

var catNow = time.Date(2025, 6, 15, 4, 0, 0, 0, time.UTC)

// catAppNo builds a valid application number: year, type digit, serial, check character.
func catAppNo(t testing.TB, year, typ, serial int) string {
	t.Helper()
	digits := fmt.Sprintf("%04d%d%07d", year, typ, serial)
	c, err := market.ApplicationCheckChar(digits)
	if err != nil {
		t.Fatal(err)
	}
	return digits + "." + string(c)
}

// catUSCC builds a USCC that passes both checks from a number.
func catUSCC(t testing.TB, n int) string {
	t.Helper()
	body := fmt.Sprintf("%08d", n)
	c17, err := market.OrgCodeCheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	first17 := "12310000" + body + string(c17)
	c18, err := market.USCCCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c18)
}

// catCodes lists "field/code" of every error, for comparing with a table's expectation.
func catCodes(errs market.Errors) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Field + "/" + e.Code
		if e.MessageZH == "" || e.MessageEN == "" {
			out[i] += "(missing message)"
		}
	}
	return out
}

func catPatent(typ, status, filed string) *market.Patent {
	p := &market.Patent{ID: 7, Type: typ, Status: status, FilingDate: market.MustDate(filed)}
	if status != market.StatusPending {
		p.GrantDate = p.FilingDate.AddDate(1, 0, 0)
	}
	return p
}

func TestCheckDeclarationRules(t *testing.T) {
	inv := catPatent(market.TypeInvention, market.StatusGranted, "2020-01-10") // expires 2040-01-10
	um := catPatent(market.TypeUtilityModel, market.StatusGranted, "2021-05-01")
	designOld := catPatent(market.TypeDesign, market.StatusGranted, "2020-07-01") // 10 years: 2030-07-01
	designNew := catPatent(market.TypeDesign, market.StatusGranted, "2021-06-01") // 15 years: 2036-06-01
	umExpired := catPatent(market.TypeUtilityModel, market.StatusGranted, "2014-01-01")
	with := func(p *market.Patent, f func(*market.Patent)) *market.Patent { c := *p; f(&c); return &c }
	free := market.DeclarationInput{FeeModel: "free", TermMonths: "12"}
	lump := func(fee string) market.DeclarationInput {
		return market.DeclarationInput{FeeModel: "lump_sum", FeeYuan: market.Numeric(fee), TermMonths: "36"}
	}
	royalty := func(rate, base string) market.DeclarationInput {
		return market.DeclarationInput{FeeModel: "royalty", RoyaltyPercent: market.Numeric(rate), RoyaltyBase: base, TermMonths: "24"}
	}
	umDecl := func(in market.DeclarationInput) market.DeclarationInput {
		in.EvaluationReportNo = "PJ2023-0001"
		return in
	}

	cases := []struct {
		name   string
		p      *market.Patent
		in     market.DeclarationInput
		excl   string
		want   []string // field/code of every error, in order
		check  func(t *testing.T, d *market.Declaration)
		warned bool
	}{
		{name: "free", p: inv, in: free, check: func(t *testing.T, d *market.Declaration) {
			if d.FeeModel != "free" || d.FeeFen != 0 || d.TermMonths != 12 || d.Status != market.DeclLive || d.PatentID != 7 {
				t.Errorf("got %+v", d)
			}
		}},
		{name: "free alias 免费 with zero fee", p: inv, in: market.DeclarationInput{FeeModel: "免费", FeeYuan: "0", TermMonths: "12"}},
		{name: "free with a fee", p: inv, in: market.DeclarationInput{FeeModel: "free", FeeYuan: "10", TermMonths: "12"},
			want: []string{"fee_yuan/not_applicable"}},
		{name: "free with a royalty", p: inv, in: market.DeclarationInput{FeeModel: "free", RoyaltyPercent: "1", TermMonths: "12"},
			want: []string{"royalty_percent/not_applicable"}},
		{name: "lump sum exact fen", p: inv, in: lump("5000.5"), check: func(t *testing.T, d *market.Declaration) {
			if d.FeeFen != 500050 || d.AmountDueFen() != 500050 {
				t.Errorf("fee %d, due %d", d.FeeFen, d.AmountDueFen())
			}
		}},
		{name: "lump sum missing fee", p: inv, in: lump(""), want: []string{"fee_yuan/required"}},
		{name: "lump sum zero", p: inv, in: lump("0"), want: []string{"fee_yuan/required"}},
		{name: "lump sum three decimals", p: inv, in: lump("12.345"), want: []string{"fee_yuan/too_many_decimals"}},
		{name: "lump sum negative", p: inv, in: lump("-5"), want: []string{"fee_yuan/negative"}},
		{name: "lump sum exponent", p: inv, in: lump("1e3"), want: []string{"fee_yuan/invalid_format"}},
		{name: "lump sum at the ceiling", p: inv, in: lump("20000000")},
		{name: "lump sum above the ceiling warns", p: inv, in: lump("20000000.01"), warned: true},
		{name: "lump sum with a royalty", p: inv, in: market.DeclarationInput{FeeModel: "lump_sum", FeeYuan: "10", RoyaltyPercent: "2", TermMonths: "12"},
			want: []string{"royalty_percent/not_applicable"}},
		{name: "royalty in basis points", p: inv, in: royalty("5.25", ""), check: func(t *testing.T, d *market.Declaration) {
			if d.RoyaltyBP != 525 || d.RoyaltyBase != market.RoyaltyOnNetSales || d.AmountDueFen() != 0 {
				t.Errorf("got %+v", d)
			}
		}},
		{name: "royalty 20% of net sales", p: inv, in: royalty("20", "net_sales")},
		{name: "royalty above 20% of net sales warns", p: inv, in: royalty("20.01", "net_sales"), warned: true},
		{name: "royalty 40% of profit", p: inv, in: royalty("40", "profit")},
		{name: "royalty above 40% of profit warns", p: inv, in: royalty("40.01", "利润"), warned: true},
		{name: "royalty missing rate", p: inv, in: royalty("", ""), want: []string{"royalty_percent/required"}},
		{name: "royalty over 100%", p: inv, in: royalty("100.01", ""), want: []string{"royalty_percent/too_large"}},
		{name: "royalty bad base", p: inv, in: royalty("5", "revenue"), want: []string{"royalty_base/invalid_choice"}},
		{name: "royalty with a lump sum", p: inv, in: market.DeclarationInput{FeeModel: "royalty", FeeYuan: "5", RoyaltyPercent: "5", TermMonths: "12"},
			want: []string{"fee_yuan/not_applicable"}},
		{name: "entry plus royalty", p: inv, in: market.DeclarationInput{FeeModel: "entry_plus_royalty", EntryFeeYuan: "10000", RoyaltyPercent: "3", TermMonths: "12"},
			check: func(t *testing.T, d *market.Declaration) {
				if d.EntryFeeFen != 1000000 || d.RoyaltyBP != 300 || d.AmountDueFen() != 1000000 {
					t.Errorf("got %+v", d)
				}
			}},
		{name: "entry plus royalty needs both", p: inv, in: market.DeclarationInput{FeeModel: "entry_plus_royalty", TermMonths: "12"},
			want: []string{"royalty_percent/required", "entry_fee_yuan/required"}},
		{name: "entry fee above the ceiling warns", p: inv, in: market.DeclarationInput{FeeModel: "entry_plus_royalty", EntryFeeYuan: "30000000", RoyaltyPercent: "3", TermMonths: "12"}, warned: true},
		{name: "no fee model", p: inv, in: market.DeclarationInput{TermMonths: "12"}, want: []string{"fee_model/required"}},
		{name: "unknown fee model", p: inv, in: market.DeclarationInput{FeeModel: "barter", TermMonths: "12"}, want: []string{"fee_model/invalid_choice"}},
		{name: "term under a year", p: inv, in: market.DeclarationInput{FeeModel: "free", TermMonths: "11"}, want: []string{"term_months/term_too_short"}},
		{name: "term missing", p: inv, in: market.DeclarationInput{FeeModel: "free"}, want: []string{"term_months/required"}},
		{name: "term not whole", p: inv, in: market.DeclarationInput{FeeModel: "free", TermMonths: "12.5"}, want: []string{"term_months/invalid_format"}},
		{name: "term up to expiry", p: inv, in: market.DeclarationInput{FeeModel: "free", TermMonths: "174"}},
		{name: "term past expiry", p: inv, in: market.DeclarationInput{FeeModel: "free", TermMonths: "175"}, want: []string{"term_months/term_past_expiry"}},
		{name: "utility model needs a report", p: um, in: free, want: []string{"evaluation_report_no/required"}},
		{name: "utility model with a report", p: um, in: umDecl(free)},
		{name: "invention has no report", p: inv, in: umDecl(free), want: []string{"evaluation_report_no/not_applicable"}},
		{name: "design needs a report", p: designNew, in: free, want: []string{"evaluation_report_no/required"}},
		{name: "old design: 10 years", p: designOld, in: umDecl(market.DeclarationInput{FeeModel: "free", TermMonths: "61"}),
			want: []string{"term_months/term_past_expiry"}},
		{name: "old design within 10 years", p: designOld, in: umDecl(market.DeclarationInput{FeeModel: "free", TermMonths: "60"})},
		{name: "new design: 15 years", p: designNew, in: umDecl(market.DeclarationInput{FeeModel: "free", TermMonths: "131"})},
		{name: "utility model: 10 years", p: um, in: umDecl(market.DeclarationInput{FeeModel: "free", TermMonths: "71"}),
			want: []string{"term_months/term_past_expiry"}},
		{name: "pending", p: with(inv, func(p *market.Patent) { p.Status = market.StatusPending }), in: free, want: []string{"status/not_granted"}},
		{name: "lapsed", p: with(inv, func(p *market.Patent) { p.Status = market.StatusLapsed }), in: free, want: []string{"status/not_in_force"}},
		{name: "invalidated", p: with(inv, func(p *market.Patent) { p.Status = market.StatusInvalidated }), in: free, want: []string{"status/not_in_force"}},
		{name: "expired", p: umExpired, in: umDecl(free), want: []string{"status/expired"}},
		{name: "fees unpaid", p: with(inv, func(p *market.Patent) { p.FeesUnpaid = true }), in: free, want: []string{"application_no/fees_unpaid"}},
		{name: "under dispute", p: with(inv, func(p *market.Patent) { p.UnderDispute = true }), in: free, want: []string{"application_no/under_dispute"}},
		{name: "pledged without consent", p: with(inv, func(p *market.Patent) { p.PledgedNoConsent = true }), in: free, want: []string{"application_no/pledged_no_consent"}},
		{name: "exclusive licence in force", p: inv, in: free, excl: "C-1", want: []string{"application_no/exclusive_licence"}},
		{name: "every problem at once", p: with(um, func(p *market.Patent) { p.Status = market.StatusLapsed; p.FeesUnpaid = true }),
			in:   market.DeclarationInput{FeeModel: "lump_sum", TermMonths: "6"},
			want: []string{"status/not_in_force", "application_no/fees_unpaid", "fee_yuan/required", "term_months/term_too_short", "evaluation_report_no/required"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, errs := market.CheckDeclaration(c.p, c.in, market.DeclarationFacts{Today: catToday, ExclusiveLicence: c.excl})
			if got := strings.Join(catCodes(errs), " "); got != strings.Join(c.want, " ") {
				t.Fatalf("errors %q, want %q", got, strings.Join(c.want, " "))
			}
			if len(c.want) > 0 {
				if d != nil {
					t.Errorf("declaration %+v returned with errors", d)
				}
				return
			}
			if d == nil {
				t.Fatal("no declaration")
			}
			if warned := d.Warnings != ""; warned != c.warned {
				t.Errorf("warnings %q, want warned=%v", d.Warnings, c.warned)
			}
			if c.warned && (!strings.Contains(d.Warnings, " / ") || len(market.DeclarationWarnings(d)) != 1) {
				t.Errorf("warning %q is not one zh / en line", d.Warnings)
			}
			if c.check != nil {
				c.check(t, d)
			}
		})
	}
}

func TestPatentExpiry(t *testing.T) {
	for _, c := range []struct{ typ, filed, want string }{
		{market.TypeInvention, "2020-01-10", "2040-01-10"},
		{market.TypeUtilityModel, "2020-01-10", "2030-01-10"},
		{market.TypeDesign, "2021-05-31", "2031-05-31"},
		{market.TypeDesign, "2021-06-01", "2036-06-01"},
	} {
		p := &market.Patent{Type: c.typ, FilingDate: market.MustDate(c.filed)}
		if got := market.PatentExpiry(p).String(); got != c.want {
			t.Errorf("%s filed %s: expiry %s, want %s", c.typ, c.filed, got, c.want)
		}
	}
	if !market.PatentExpiry(&market.Patent{Type: market.TypeInvention}).IsZero() {
		t.Error("expiry without a filing date should be zero")
	}
}

func TestParseYuanAndPercent(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		code string
	}{
		{"0", 0, ""}, {"12", 1200, ""}, {"12.5", 1250, ""}, {"12.50", 1250, ""}, {"0.01", 1, ""}, {" 7 ", 700, ""},
		{"１２.５", 1250, ""}, {"007.1", 710, ""}, {"9999999999999.99", 999999999999999, ""},
		{"", 0, "required"}, {"12.", 0, "invalid_format"}, {".5", 0, "invalid_format"}, {"+5", 0, "invalid_format"},
		{"1,000", 0, "invalid_format"}, {"1e3", 0, "invalid_format"}, {"¥5", 0, "invalid_format"}, {"NaN", 0, "invalid_format"},
		{"-0.5", 0, "negative"}, {"1.005", 0, "too_many_decimals"}, {"10000000000000", 0, "too_large"},
	} {
		got, fe := market.ParseYuanFen("fee_yuan", c.in)
		code := ""
		if fe != nil {
			code = fe.Code
			if fe.Field != "fee_yuan" || fe.MessageZH == "" || fe.MessageEN == "" {
				t.Errorf("%q: incomplete error %+v", c.in, fe)
			}
		}
		if got != c.want || code != c.code {
			t.Errorf("ParseYuanFen(%q) = %d, %q; want %d, %q", c.in, got, code, c.want, c.code)
		}
	}
	if bp, fe := market.ParsePercentBP("royalty_percent", "5.25"); bp != 525 || fe != nil {
		t.Errorf("5.25%% = %d bp, %v", bp, fe)
	}
	if _, fe := market.ParsePercentBP("royalty_percent", "5%"); fe == nil || fe.Code != "invalid_format" {
		t.Errorf("5%% accepted: %v", fe)
	}
}

func TestDeclarationInputJSON(t *testing.T) {
	var in market.DeclarationInput
	body := `{"fee_model":"royalty","fee_yuan":null,"royalty_percent":5.25,"entry_fee_yuan":"","term_months":36,"evaluation_report_no":""}`
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	if in.RoyaltyPercent != "5.25" || in.TermMonths != "36" || !in.FeeYuan.Blank() {
		t.Fatalf("decoded %+v", in)
	}
	d, errs := market.CheckDeclaration(catPatent(market.TypeInvention, market.StatusGranted, "2020-01-10"), in,
		market.DeclarationFacts{Today: catToday})
	if len(errs) > 0 || d.RoyaltyBP != 525 || d.TermMonths != 36 {
		t.Fatalf("got %+v, %v", d, errs)
	}
	// A float that cannot be written in fen stays an error instead of being rounded.
	if err := json.Unmarshal([]byte(`{"fee_yuan": 0.125}`), &in); err != nil {
		t.Fatal(err)
	}
	if _, fe := market.ParseYuanFen("fee_yuan", string(in.FeeYuan)); fe == nil || fe.Code != "too_many_decimals" {
		t.Errorf("0.125 yuan: %v", fe)
	}
}

// catFixture is a store with a clock at catNow and two verified organisations, each with a user who
// publishes its patents.
type catFixture struct {
	s             *market.Store
	ctx           context.Context
	org, other    *market.Organisation
	act, otherAct market.Actor
}

func newCatFixture(t *testing.T, s *market.Store) *catFixture {
	t.Helper()
	s.Now = markettest.NewClock(catNow).Now
	f := &catFixture{s: s, ctx: context.Background()}
	verified := catNow.Add(-time.Hour)
	orgs := []market.Organisation{
		{USCC: catUSCC(t, 1), Name: "上海测试大学", Kind: market.KindUniversity, DistrictCode: "310110", VerifiedAt: &verified},
		{USCC: catUSCC(t, 2), Name: "另一家企业", Kind: market.KindEnterprise, DistrictCode: "310115", VerifiedAt: &verified},
	}
	if _, err := s.UpsertOrgs(f.ctx, orgs); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.org, err = s.OrgByUSCC(f.ctx, orgs[0].USCC); err != nil {
		t.Fatal(err)
	}
	if f.other, err = s.OrgByUSCC(f.ctx, orgs[1].USCC); err != nil {
		t.Fatal(err)
	}
	f.act = f.publisher(t, f.org, market.RoleHolder)
	f.otherAct = f.publisher(t, f.other, market.RoleLicensee)
	return f
}

// publisher inserts a user of org (no password) and returns it as an actor.
func (f *catFixture) publisher(t *testing.T, org *market.Organisation, role string) market.Actor {
	t.Helper()
	u := &market.User{Email: fmt.Sprintf("publisher-%d@example.cn", org.ID), Name: "发布人", PasswordHash: "-",
		Role: role, OrgID: &org.ID, CreatedAt: catNow}
	if err := f.s.Gorm().Create(u).Error; err != nil {
		t.Fatal(err)
	}
	return market.ActorOf(u, org)
}

// patent creates a granted invention (or the given type digit) of the fixture's organisation.
func (f *catFixture) patent(t *testing.T, typ, serial int) *market.Patent {
	t.Helper()
	p, err := f.s.CreatePatent(f.ctx, f.act, market.PatentInput{
		ApplicationNo: catAppNo(t, 2020, typ, serial), Title: fmt.Sprintf("一种测试装置 %d", serial),
		FilingDate: "2020-03-01", GrantDate: "2021-09-01", Status: "granted", IPC: "G06F16/9535;H04L 9/32",
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *catFixture) count(t *testing.T, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := f.s.Gorm().Model(model).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *catFixture) outbox(t *testing.T, patentID int64) int64 {
	return f.count(t, &market.OutboxRow{}, "patent_id = ?", patentID)
}

func catCode(err error) string {
	if fes := market.AsFieldErrors(err); len(fes) > 0 {
		return fes[0].Field + "/" + fes[0].Code
	}
	if err != nil {
		return "other: " + err.Error()
	}
	return ""
}

func TestPublishReplaceWithdraw(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		f := newCatFixture(t, s)
		p := f.patent(t, 1, 1)
		base := f.outbox(t, p.ID)

		d1, err := s.PublishDeclaration(f.ctx, f.act, p.ApplicationNo, market.DeclarationInput{FeeModel: "lump_sum", FeeYuan: "8000", TermMonths: "36"})
		if err != nil {
			t.Fatal(err)
		}
		if d1.ID == 0 || d1.FeeFen != 800000 || d1.Status != market.DeclLive || !d1.PublishedAt.Equal(catNow) {
			t.Fatalf("published %+v", d1)
		}
		if got := f.outbox(t, p.ID); got != base+1 {
			t.Errorf("outbox rows %d, want %d", got, base+1)
		}
		// The same terms again (a repeated PUT) keep the live declaration.
		again, err := s.PublishDeclaration(f.ctx, f.act, "ZL "+p.ApplicationNo, market.DeclarationInput{FeeModel: "lump_sum", FeeYuan: "8000.00", TermMonths: "36"})
		if err != nil || again.ID != d1.ID {
			t.Fatalf("republish: %+v, %v", again, err)
		}
		if n := f.count(t, &market.Declaration{}, "patent_id = ?", p.ID); n != 1 {
			t.Errorf("%d declarations after identical republish", n)
		}
		// New terms replace it; the old one stays as history.
		d2, err := s.PublishDeclaration(f.ctx, f.act, p.ApplicationNo, market.DeclarationInput{FeeModel: "free", TermMonths: "24"})
		if err != nil {
			t.Fatal(err)
		}
		hist, err := s.DeclarationHistory(f.ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 2 || hist[0].ID != d2.ID || hist[1].ID != d1.ID || hist[1].Status != market.DeclReplaced || hist[0].Status != market.DeclLive {
			t.Fatalf("history %+v", hist)
		}
		// Someone else's patent.
		if _, err := s.PublishDeclaration(f.ctx, f.otherAct, p.ApplicationNo, market.DeclarationInput{FeeModel: "free", TermMonths: "12"}); !errors.Is(err, market.ErrForbidden) {
			t.Errorf("other org publish: %v", err)
		}
		if _, err := s.WithdrawDeclaration(f.ctx, f.otherAct, p.ApplicationNo); !errors.Is(err, market.ErrForbidden) {
			t.Errorf("other org withdraw: %v", err)
		}
		// Withdrawal keeps the row.
		w, err := s.WithdrawDeclaration(f.ctx, f.act, p.ApplicationNo)
		if err != nil || w.ID != d2.ID || w.Status != market.DeclWithdrawn || w.WithdrawnAt == nil {
			t.Fatalf("withdraw: %+v, %v", w, err)
		}
		hist, _ = s.DeclarationHistory(f.ctx, p.ID)
		if len(hist) != 2 || hist[0].Status != market.DeclWithdrawn || hist[0].WithdrawnAt == nil {
			t.Fatalf("history after withdrawal %+v", hist)
		}
		if _, err := s.WithdrawDeclaration(f.ctx, f.act, p.ApplicationNo); !errors.Is(err, market.ErrNotFound) {
			t.Errorf("second withdrawal: %v", err)
		}
		if _, err := s.PublishDeclaration(f.ctx, f.act, catAppNo(t, 2020, 1, 999), market.DeclarationInput{FeeModel: "free", TermMonths: "12"}); !errors.Is(err, market.ErrNotFound) {
			t.Errorf("unknown patent: %v", err)
		}
		// Republishing after a withdrawal starts a new live declaration.
		if _, err := s.PublishDeclaration(f.ctx, f.act, p.ApplicationNo, market.DeclarationInput{FeeModel: "free", TermMonths: "24"}); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, &market.Declaration{}, "patent_id = ? AND status = ?", p.ID, market.DeclLive); n != 1 {
			t.Errorf("%d live declarations", n)
		}
		if got := f.outbox(t, p.ID); got != base+4 {
			t.Errorf("outbox rows %d, want %d (publish, replace, withdraw, publish)", got, base+4)
		}
	})
}

func TestPublishDeclarationRefusals(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		f := newCatFixture(t, s)
		free := market.DeclarationInput{FeeModel: "free", TermMonths: "12"}

		// A rule violation comes back as field errors and writes nothing.
		um := f.patent(t, 2, 2)
		_, err := s.PublishDeclaration(f.ctx, f.act, um.ApplicationNo, free)
		if catCode(err) != "evaluation_report_no/required" {
			t.Errorf("utility model without report: %v", err)
		}
		if n := f.count(t, &market.Declaration{}, "patent_id = ?", um.ID); n != 0 {
			t.Errorf("%d declarations written", n)
		}

		// An exclusive licence in force blocks; once terminated it does not.
		p := f.patent(t, 1, 3)
		c := market.Contract{ContractNo: "EXC-1", Kind: market.ContractExclusiveLicence, Source: "import", LicensorID: f.org.ID,
			LicenseeID: f.other.ID, Status: market.ContractEffective, CreatedAt: catNow, UpdatedAt: catNow}
		if err := s.Gorm().Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.Gorm().Create(&market.ContractPatent{ContractID: c.ID, PatentID: p.ID}).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.PublishDeclaration(f.ctx, f.act, p.ApplicationNo, free); catCode(err) != "application_no/exclusive_licence" {
			t.Errorf("exclusive licence in force: %v", err)
		}
		if err := s.Gorm().Model(&c).Update("status", market.ContractTerminated).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.PublishDeclaration(f.ctx, f.act, p.ApplicationNo, free); err != nil {
			t.Errorf("after the exclusive licence ended: %v", err)
		}

		// The one-live-declaration index is reported as a field error.
		dup := market.Declaration{PatentID: p.ID, FeeModel: "free", TermMonths: 12, Status: market.DeclLive, PublishedAt: catNow}
		if err := market.CreateDeclaration(s.Gorm(), []market.Declaration{dup}); catCode(err) != "application_no/already_declared" {
			t.Errorf("second live declaration: %v", err)
		}

		// An unverified patentee cannot publish (its user's actor still says verified: the database decides).
		q := f.patent(t, 1, 4)
		if err := s.Gorm().Model(&market.Organisation{}).Where("id = ?", f.org.ID).Update("verified_at", nil).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.PublishDeclaration(f.ctx, f.act, q.ApplicationNo, free); err == nil || !strings.Contains(catCode(err), "org_unverified") {
			t.Errorf("unverified org: %v", err)
		}
	})
}
