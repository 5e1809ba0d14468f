package market_test

import (
	"errors"
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/market/markettest"
)

func TestCheckPatent(t *testing.T) {
	org := &market.Organisation{ID: 5, USCC: "914403001922038216"}
	valid := func() market.PatentInput {
		return market.PatentInput{ApplicationNo: "CN 202010566088.9", Title: " 一种电池 ", FilingDate: "2020-06-19",
			GrantDate: "2022-01-04", Status: "granted", IPC: "h01m10/052；G06F16/9535, H01M 10/052", PatenteeUSCC: org.USCC}
	}
	edit := func(f func(*market.PatentInput)) market.PatentInput { in := valid(); f(&in); return in }
	cases := []struct {
		name     string
		in       market.PatentInput
		patentee *market.Organisation
		want     []string
	}{
		{name: "valid", in: valid(), patentee: org},
		{name: "type given and matching", in: edit(func(in *market.PatentInput) { in.Type = "发明" }), patentee: org},
		{name: "type conflicts with number", in: edit(func(in *market.PatentInput) { in.Type = "design" }), patentee: org,
			want: []string{"type/conflicts_with_number"}},
		{name: "unknown type", in: edit(func(in *market.PatentInput) { in.Type = "plant" }), patentee: org, want: []string{"type/invalid_choice"}},
		{name: "bad check digit", in: edit(func(in *market.PatentInput) { in.ApplicationNo = "202010566088.8" }), patentee: org,
			want: []string{"application_no/bad_check_digit"}},
		{name: "no title", in: edit(func(in *market.PatentInput) { in.Title = "  " }), patentee: org, want: []string{"title/required"}},
		{name: "title of 500", in: edit(func(in *market.PatentInput) { in.Title = strings.Repeat("电", 500) }), patentee: org},
		{name: "title of 501", in: edit(func(in *market.PatentInput) { in.Title = strings.Repeat("电", 501) }), patentee: org,
			want: []string{"title/too_long"}},
		{name: "bad IPC", in: edit(func(in *market.PatentInput) { in.IPC = "G06F;Z99" }), patentee: org, want: []string{"ipc/invalid_format"}},
		{name: "no status", in: edit(func(in *market.PatentInput) { in.Status = "" }), patentee: org, want: []string{"status/required"}},
		{name: "unknown status", in: edit(func(in *market.PatentInput) { in.Status = "expired" }), patentee: org, want: []string{"status/invalid_choice"}},
		{name: "grant before filing", in: edit(func(in *market.PatentInput) { in.GrantDate = "2020-06-18" }), patentee: org,
			want: []string{"grant_date/before_filing"}},
		{name: "filing in the future", in: edit(func(in *market.PatentInput) {
			in.ApplicationNo = catAppNo(t, 2025, 1, 1)
			in.FilingDate = "2025-06-16"
			in.GrantDate = ""
			in.Status = "pending"
		}),
			patentee: org, want: []string{"filing_date/in_future"}},
		{name: "grant in the future", in: edit(func(in *market.PatentInput) { in.GrantDate = "2025-06-16" }), patentee: org,
			want: []string{"grant_date/in_future"}},
		{name: "wrong date format", in: edit(func(in *market.PatentInput) { in.FilingDate = "2020/06/19" }), patentee: org,
			want: []string{"filing_date/invalid_date"}},
		{name: "no filing date", in: edit(func(in *market.PatentInput) { in.FilingDate = "" }), patentee: org, want: []string{"filing_date/required"}},
		{name: "granted without grant date", in: edit(func(in *market.PatentInput) { in.GrantDate = "" }), patentee: org,
			want: []string{"grant_date/required"}},
		{name: "pending with grant date", in: edit(func(in *market.PatentInput) { in.Status = "pending" }), patentee: org,
			want: []string{"grant_date/not_applicable"}},
		{name: "lapsed without grant date", in: edit(func(in *market.PatentInput) { in.Status = "lapsed"; in.GrantDate = "" }), patentee: org},
		{name: "filed after the number's year", in: edit(func(in *market.PatentInput) { in.FilingDate = "2021-01-05" }), patentee: org,
			want: []string{"filing_date/conflicts_with_number"}},
		{name: "unknown patentee", in: valid(), want: []string{"patentee_uscc/unknown_org"}},
		{name: "no patentee", in: edit(func(in *market.PatentInput) { in.PatenteeUSCC = "" }), want: []string{"patentee_uscc/required"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, errs := market.CheckPatent(c.in, c.patentee, catToday)
			if got := strings.Join(catCodes(errs), " "); got != strings.Join(c.want, " ") {
				t.Fatalf("errors %q, want %q", got, strings.Join(c.want, " "))
			}
			if len(c.want) > 0 {
				return
			}
			if p.ApplicationNo != "202010566088.9" && c.name != "filing in the future" {
				t.Errorf("application number %q", p.ApplicationNo)
			}
			if c.name == "valid" && (p.Type != market.TypeInvention || p.Title != "一种电池" || p.IPC != "H01M 10/052;G06F 16/9535" ||
				p.PatenteeID != 5 || p.FilingDate.String() != "2020-06-19" || p.GrantDate.String() != "2022-01-04") {
				t.Errorf("got %+v", p)
			}
		})
	}
}

func TestCreateAndUpdatePatent(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		f := newCatFixture(t, s)
		in := market.PatentInput{ApplicationNo: catAppNo(t, 2019, 1, 42), Title: "一种锂电池", FilingDate: "2019-05-05",
			GrantDate: "2021-02-02", Status: "granted", IPC: "H01M"}
		p, err := s.CreatePatent(f.ctx, f.act, in)
		if err != nil {
			t.Fatal(err)
		}
		if p.ID == 0 || p.PatenteeID != f.org.ID || f.outbox(t, p.ID) != 1 {
			t.Fatalf("created %+v, outbox %d", p, f.outbox(t, p.ID))
		}
		if _, err := s.CreatePatent(f.ctx, f.act, in); catCode(err) != "application_no/already_exists" {
			t.Errorf("duplicate: %v", err)
		}
		other := in
		other.ApplicationNo, other.PatenteeUSCC = catAppNo(t, 2019, 1, 43), f.other.USCC
		if _, err := s.CreatePatent(f.ctx, f.act, other); !errors.Is(err, market.ErrForbidden) {
			t.Errorf("creating another org's patent: %v", err)
		}
		bad := in
		bad.ApplicationNo, bad.Title = catAppNo(t, 2019, 1, 44), ""
		if _, err := s.CreatePatent(f.ctx, f.act, bad); catCode(err) != "title/required" {
			t.Errorf("no title: %v", err)
		}

		// Update: only the holder; unchanged data writes nothing.
		if _, err := s.UpdatePatent(f.ctx, f.otherAct, p.ApplicationNo, in); !errors.Is(err, market.ErrForbidden) {
			t.Errorf("update by another org: %v", err)
		}
		if _, err := s.UpdatePatent(f.ctx, f.act, p.ApplicationNo, in); err != nil || f.outbox(t, p.ID) != 1 {
			t.Errorf("unchanged update: %v, outbox %d", err, f.outbox(t, p.ID))
		}
		moved := in
		moved.ApplicationNo = catAppNo(t, 2019, 1, 45)
		if _, err := s.UpdatePatent(f.ctx, f.act, p.ApplicationNo, moved); catCode(err) != "application_no/immutable" {
			t.Errorf("changing the number: %v", err)
		}
		if _, err := s.PublishDeclaration(f.ctx, f.act, p.ApplicationNo, market.DeclarationInput{FeeModel: "free", TermMonths: "24"}); err != nil {
			t.Fatal(err)
		}
		retitled := in
		retitled.Title = "一种固态锂电池"
		u, err := s.UpdatePatent(f.ctx, f.act, p.ApplicationNo, retitled)
		if err != nil || u.Title != "一种固态锂电池" {
			t.Fatalf("retitle: %+v, %v", u, err)
		}
		if n := f.count(t, &market.Declaration{}, "patent_id = ? AND status = ?", p.ID, market.DeclLive); n != 1 {
			t.Errorf("retitling ended the declaration")
		}
		// A lapse ends the declaration, keeping it as history.
		lapsed := retitled
		lapsed.Status = "lapsed"
		if _, err := s.UpdatePatent(f.ctx, f.act, p.ApplicationNo, lapsed); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, &market.Declaration{}, "patent_id = ? AND status = ?", p.ID, market.DeclWithdrawn); n != 1 {
			t.Errorf("lapse did not withdraw the declaration")
		}
		got, err := s.PatentByApplicationNo(f.ctx, p.ApplicationNo)
		if err != nil || got.Status != market.StatusLapsed || got.Title != "一种固态锂电池" || got.Declaration != nil {
			t.Errorf("after updates: %+v, %v", got, err)
		}
	})
}
