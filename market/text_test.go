package market_test

import (
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/market/markettest"
)

// CheckText refuses every control character (tab, LF and CR only in multi-line fields), every
// bidirectional-text control and invalid UTF-8, and accepts ordinary text of any script.
func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		name      string
		v         string
		multiline bool
		ok        bool
	}{
		{"chinese", "一种锂电池及其制备方法（改进型）", false, true},
		{"mixed scripts", "Procédé — 方法 α/β ≤ 5 % «x» العربية עברית", false, true},
		{"empty", "", false, true},
		{"replacement character written out", "a\uFFFDb", false, true},
		{"zero-width joiner", "👩\u200D💻", false, true},
		{"NUL", "ab\x00c", false, false},
		{"NUL multi-line", "ab\x00c", true, false},
		{"bell", "a\x07", true, false},
		{"escape", "a\x1b[31m", true, false},
		{"DEL", "a\x7f", true, false},
		{"C1 next line", "a\u0085b", true, false},
		{"tab one-line", "a\tb", false, false},
		{"newline one-line", "a\nb", false, false},
		{"carriage return one-line", "a\rb", false, false},
		{"tab multi-line", "a\tb", true, true},
		{"CRLF multi-line", "first\r\nsecond\n", true, true},
		{"invalid UTF-8", "a\xffb", true, false},
		{"LRM", "a\u200Eb", false, false},
		{"RLM", "a\u200Fb", true, false},
		{"ALM", "a\u061Cb", false, false},
		{"LRE", "\u202Aa", false, false},
		{"RLE", "\u202Ba", false, false},
		{"PDF", "\u202Ca", false, false},
		{"LRO", "\u202Da", false, false},
		{"RLO", "\u202Ea", true, false},
		{"LRI", "\u2066a", false, false},
		{"RLI", "\u2067a", false, false},
		{"FSI", "\u2068a", false, false},
		{"PDI", "\u2069a", true, false},
	} {
		fe := market.CheckText("title", "专利名称", "title", tc.v, tc.multiline)
		if (fe == nil) != tc.ok {
			t.Errorf("%s: %v, want ok=%v", tc.name, fe, tc.ok)
			continue
		}
		if fe != nil && (fe.Field != "title" || fe.Code != market.CodeInvalidCharacters ||
			!strings.HasPrefix(fe.MessageZH, "专利名称") || !strings.HasPrefix(fe.MessageEN, "title")) {
			t.Errorf("%s: error %+v", tc.name, fe)
		}
	}
}

// Every validator of user free text uses CheckText: the field is named, the code is the one constant.
func TestFreeTextValidators(t *testing.T) {
	today := market.MustDate("2025-03-03")
	org := &market.Organisation{ID: 5, USCC: "914403001922038216"}
	patent := func(f func(*market.PatentInput)) market.Errors {
		in := market.PatentInput{ApplicationNo: "CN 202010566088.9", Title: "一种电池", Abstract: "第一段。\n第二段。", FilingDate: "2020-06-19",
			GrantDate: "2022-01-04", Status: "granted", PatenteeUSCC: org.USCC, Industry: "新能源"}
		f(&in)
		_, errs := market.CheckPatent(in, org, today)
		return errs
	}
	orgRec := func(f func(*market.OrgRecord)) market.Errors {
		in := market.OrgRecord{USCC: "914403001922038216", Name: "上海测试有限公司", Kind: "enterprise", District: "浦东新区",
			Address: "上海市浦东新区张江路1号", LegalRep: "张三"}
		f(&in)
		_, errs := market.CheckOrg(in, today, false)
		return errs
	}
	for _, tc := range []struct {
		name  string
		errs  market.Errors
		field string
	}{
		{"valid patent", patent(func(*market.PatentInput) {}), ""},
		{"title NUL", patent(func(in *market.PatentInput) { in.Title = "一种\x00电池" }), "title"},
		{"title RLO", patent(func(in *market.PatentInput) { in.Title = "一种\u202E池电" }), "title"},
		{"abstract RLI", patent(func(in *market.PatentInput) { in.Abstract = "摘要\u2067文本" }), "abstract"},
		{"abstract NUL", patent(func(in *market.PatentInput) { in.Abstract = "摘要\x00" }), "abstract"},
		{"industry LRM", patent(func(in *market.PatentInput) { in.Industry = "新能源\u200E" }), "industry"},
		{"valid org", orgRec(func(*market.OrgRecord) {}), ""},
		{"org name RLO", orgRec(func(in *market.OrgRecord) { in.Name = "上海\u202E司公" }), "name"},
		{"org address NUL", orgRec(func(in *market.OrgRecord) { in.Address = "上海\x00" }), "address"},
		{"org address newline", orgRec(func(in *market.OrgRecord) { in.Address = "上海市\n浦东新区" }), "address"},
		{"legal rep ALM", orgRec(func(in *market.OrgRecord) { in.LegalRep = "张\u061C三" }), "legal_rep"},
	} {
		switch {
		case tc.field == "" && len(tc.errs) != 0:
			t.Errorf("%s: %v", tc.name, tc.errs)
		case tc.field != "" && (len(tc.errs) != 1 || tc.errs[0].Field != tc.field || tc.errs[0].Code != market.CodeInvalidCharacters):
			t.Errorf("%s: %v, want %s %s", tc.name, tc.errs, tc.field, market.CodeInvalidCharacters)
		}
	}
}

// The store refuses control and bidi characters wherever users type free text, and writes nothing.
func TestStoreRefusesControlCharacters(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		check := func(what string, err error, field string) {
			t.Helper()
			es := market.AsFieldErrors(err)
			if len(es) == 0 || es[0].Field != field || es[0].Code != market.CodeInvalidCharacters {
				t.Errorf("%s: %v, want %s on %s", what, err, market.CodeInvalidCharacters, field)
			}
		}
		appNo := fxAppNo(t, fxSerial.Add(1))
		_, err := s.CreatePatent(ctx, w.holder, market.PatentInput{ApplicationNo: appNo, Title: "一种\u202E置装试测",
			FilingDate: "2020-01-10", GrantDate: "2022-05-20", Status: market.StatusGranted})
		check("patent title", err, "title")
		_, err = s.CreatePatent(ctx, w.holder, market.PatentInput{ApplicationNo: appNo, Title: "一种测试装置", Abstract: "摘要\x00",
			FilingDate: "2020-01-10", GrantDate: "2022-05-20", Status: market.StatusGranted})
		check("patent abstract", err, "abstract")
		if n := w.count(t, &market.Patent{}, "application_no = ?", appNo); n != 0 {
			t.Errorf("a refused patent was stored")
		}
		// A multi-line abstract is fine.
		if _, err := s.CreatePatent(ctx, w.holder, market.PatentInput{ApplicationNo: appNo, Title: "一种测试装置", Abstract: "第一段。\r\n\t第二段。",
			FilingDate: "2020-01-10", GrantDate: "2022-05-20", Status: market.StatusGranted}); err != nil {
			t.Fatalf("multi-line abstract: %v", err)
		}
		if _, err := s.UpdatePatent(ctx, w.holder, appNo, market.PatentInput{ApplicationNo: appNo, Title: "一种\u2066测试装置",
			FilingDate: "2020-01-10", GrantDate: "2022-05-20", Status: market.StatusGranted}); err == nil {
			t.Error("update with an isolate in the title accepted")
		} else {
			check("patent update", err, "title")
		}

		in := fxRegistration(t, market.KindEnterprise, "bidi@example.cn")
		in.Org.Name = "上海\u202E司公限有技科"
		in.User.Name = "王\x00五"
		_, _, err = s.Register(ctx, in)
		es := market.AsFieldErrors(err)
		fields := map[string]bool{}
		for _, e := range es {
			if e.Code == market.CodeInvalidCharacters {
				fields[e.Field] = true
			}
		}
		if !fields["name"] || !fields[market.FieldUserName] {
			t.Errorf("registration: %v", err)
		}
		if n := w.count(t, &market.User{}, "email = ?", "bidi@example.cn"); n != 0 {
			t.Error("a refused registration was stored")
		}
		_, err = s.AddUser(ctx, w.lic, market.UserInput{Name: "同\u200F事", Email: "colleague-bidi@example.cn", Password: "another long secret"})
		check("colleague's name", err, market.FieldUserName)

		bureau := w.user(t, nil, market.RoleBureau)
		_, err = s.ConfirmSME(ctx, bureau, w.licOrg.USCC, true, "核实\x1b[2J", market.SMEDays{})
		check("SME note", err, "note")

		c := w.accept(t, w.lic, func() string { no, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, 100_00); return no }())
		_, err = s.RecordPayment(ctx, w.lic, c.ContractNo, 100_00, market.DateOf(w.clock.Now()), "TX\u202E123")
		check("payment reference", err, "reference")
		_, err = s.CancelContract(ctx, w.lic, c.ContractNo, "不再需要\x00")
		check("cancel reason", err, "reason")
		if got := w.contract(t, c.ContractNo); got.Status != market.ContractAwaitingPayment {
			t.Errorf("status %s after refused cancellation", got.Status)
		}
	})
}
