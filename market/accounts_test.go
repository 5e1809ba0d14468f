package market_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"patentwall/market"
	"patentwall/market/markettest"
)

func init() {
	// Real parameters cost 64 MiB and tens of milliseconds per hash; the rules under test do not change.
	market.PasswordParams = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
}

func TestRegister(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		for _, tc := range []struct{ kind, role string }{
			{market.KindUniversity, market.RoleHolder}, {market.KindInstitute, market.RoleHolder},
			{market.KindHospital, market.RoleHolder}, {market.KindEnterprise, market.RoleLicensee},
			{market.KindAssociation, market.RoleOperator}, {market.KindDistrictOffice, market.RoleOperator},
			{market.KindAgency, market.RoleOperator},
		} {
			email := fmt.Sprintf("First.User+%s@Example.CN", tc.kind)
			org, u, err := s.Register(ctx, fxRegistration(t, tc.kind, email))
			if err != nil {
				t.Fatalf("%s: %v", tc.kind, err)
			}
			if org.Verified() || org.ID == 0 || org.DistrictCode != "310115" || u.Role != tc.role || *u.OrgID != org.ID ||
				u.Email != strings.ToLower(email) || u.PasswordHash == "correct horse battery" ||
				!strings.HasPrefix(u.PasswordHash, "$argon2id$") {
				t.Errorf("%s: org %+v user %+v", tc.kind, org, u)
			}
			if got, err := s.Authenticate(ctx, email, "correct horse battery"); err != nil || got.ID != u.ID {
				t.Errorf("%s: login %v %v", tc.kind, got, err)
			}
		}
		// The enterprise declared SME figures: software & IT with 120 staff is an SME.
		var ent market.Organisation
		s.Gorm().Where("kind = ? AND name LIKE ?", market.KindEnterprise, "注册机构%").First(&ent)
		if !ent.IsSME || ent.SMEConfirmed || ent.SMEIndustry != "software_it" || ent.SMEEmployees != 120 ||
			ent.SMERevenueFen != 35_000_000_00 || ent.SMEAssetsFen != 20_000_000_50 || ent.SMEYear != 2024 {
			t.Errorf("SME figures %+v", ent)
		}
	})
}

func TestRegisterRefusals(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		taken := fxRegistration(t, market.KindUniversity, "taken@example.cn")
		if _, _, err := s.Register(ctx, taken); err != nil {
			t.Fatal(err)
		}
		badCheck := fxUSCC(t, fxSerial.Add(1))
		badCheck = badCheck[:17] + map[bool]string{true: "1", false: "0"}[badCheck[17] == '0']
		cases := []struct {
			name  string
			edit  func(in *market.RegisterInput)
			field string
			code  string
		}{
			{"duplicate USCC", func(in *market.RegisterInput) { in.Org.USCC = taken.Org.USCC }, "uscc", "uscc_taken"},
			{"duplicate e-mail in other case", func(in *market.RegisterInput) { in.User.Email = "TAKEN@example.cn" }, "user.email", "email_taken"},
			{"short password", func(in *market.RegisterInput) { in.User.Password = "123456789" }, "user.password", "too_short"},
			{"password is the e-mail", func(in *market.RegisterInput) {
				in.User.Email, in.User.Password = "same.as.pw@example.cn", "same.as.pw@example.cn"
			}, "user.password", "same_as_email"},
			{"bad e-mail", func(in *market.RegisterInput) { in.User.Email = "Name <x@example.cn>" }, "user.email", "invalid"},
			{"no name", func(in *market.RegisterInput) { in.User.Name = " " }, "user.name", "required"},
			{"USCC check fails", func(in *market.RegisterInput) { in.Org.USCC = badCheck }, "uscc", "bad_check_digit"},
			{"USCC malformed", func(in *market.RegisterInput) { in.Org.USCC = "91310000ABC" }, "uscc", "invalid_format"},
			{"bureau cannot register", func(in *market.RegisterInput) { in.Org.Kind = market.KindBureau }, "kind", "kind_not_registrable"},
			{"bank cannot register", func(in *market.RegisterInput) { in.Org.Kind = market.KindBank }, "kind", "kind_not_registrable"},
			{"unknown kind", func(in *market.RegisterInput) { in.Org.Kind = "club" }, "kind", "invalid_choice"},
			{"no legal rep", func(in *market.RegisterInput) { in.Org.LegalRep = "" }, "legal_rep", "required"},
			{"no address", func(in *market.RegisterInput) { in.Org.Address = "" }, "address", "required"},
			{"not Shanghai district", func(in *market.RegisterInput) { in.Org.District = "海淀区" }, "district", "not_shanghai"},
			{"SME unknown industry", func(in *market.RegisterInput) { in.SME.Industry = "mining" }, "sme.industry", "invalid"},
			{"SME negative revenue", func(in *market.RegisterInput) { in.SME.RevenueYuan = "-1" }, "sme.revenue_yuan", "negative"},
			{"SME fractional fen", func(in *market.RegisterInput) { in.SME.AssetsYuan = "10.005" }, "sme.assets_yuan", "too_many_decimals"},
			{"SME employees not whole", func(in *market.RegisterInput) { in.SME.Employees = "12.5" }, "sme.employees", "invalid_format"},
			{"SME year in future", func(in *market.RegisterInput) { in.SME.Year = "2031" }, "sme.year", "invalid"},
			{"SME figures of a university", func(in *market.RegisterInput) {
				in.Org.Kind = market.KindUniversity
				in.SME = market.SMEFigures{Industry: "other", Employees: "10", RevenueYuan: "0", AssetsYuan: "0", Year: "2024"}
			}, "sme.industry", "not_enterprise"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in := fxRegistration(t, market.KindEnterprise, fmt.Sprintf("r%d@example.cn", fxSerial.Add(1)))
				tc.edit(&in)
				_, _, err := s.Register(ctx, in)
				es := market.AsFieldErrors(err)
				found := false
				for _, e := range es {
					if e.Field == tc.field && e.Code == tc.code && e.MessageZH != "" && e.MessageEN != "" {
						found = true
					}
				}
				if !found {
					t.Errorf("want %s/%s, got %v", tc.field, tc.code, err)
				}
			})
		}
		if n := w.count(t, &market.User{}, ""); n != 3 { // the fixture's two users and "taken"
			t.Errorf("%d users after refusals", n)
		}
		// A USCC warning is a warning: with the registrant's confirmation it is accepted and kept.
		in := fxRegistration(t, market.KindEnterprise, "warned@example.cn")
		in.Org.USCC = badCheck
		_, _, err := s.Register(ctx, in)
		if es := market.AsFieldErrors(err); len(es) != 1 || !es[0].Warning {
			t.Fatalf("warning: %v", err)
		}
		in.AcceptUSCCWarning = true
		org, _, err := s.Register(ctx, in)
		if err != nil || org.USCCWarning == "" || org.USCC != badCheck {
			t.Fatalf("accepted warning: %+v %v", org, err)
		}
	})
}

func TestComputeSME(t *testing.T) {
	const wan = 10000 * 100
	for _, tc := range []struct {
		industry                 string
		employees, revenue, asst int64
		want                     bool
	}{
		{"industrial", 999, 50000 * wan, 0, true},   // few employees
		{"industrial", 1000, 39999 * wan, 0, true},  // small revenue
		{"industrial", 1000, 40000 * wan, 0, false}, // both at the ceiling
		{"software_it", 299, 20000 * wan, 0, true},
		{"software_it", 300, 10000 * wan, 0, false},
		{"wholesale", 200, 40000 * wan, 0, false},
		{"retail", 300, 19999 * wan, 0, true},
		{"leasing_business", 300, 0, 119999 * wan, true},
		{"leasing_business", 300, 0, 120000 * wan, false},
		{"info_transmission", 1999, 0, 0, true},
		{"other", 299, 1 << 40, 1 << 40, true},
		{"other", 300, 0, 0, false}, // "other" uses employees only
		{"mining", 1, 0, 0, false},  // unknown industry
	} {
		if got := market.ComputeSME(tc.industry, tc.employees, tc.revenue, tc.asst); got != tc.want {
			t.Errorf("%s %d/%d/%d: %v, want %v", tc.industry, tc.employees, tc.revenue, tc.asst, got, tc.want)
		}
	}
	if len(market.SMEIndustries()) == 0 || market.SMEStandardVersion != "2011" {
		t.Error("SME standard table missing")
	}
}

func TestAuthenticate(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		_, u, err := s.Register(ctx, fxRegistration(t, market.KindUniversity, "login@example.cn"))
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ email, pw, code string }{
			{"login@example.cn", "correct horse battery", ""},
			{"  LOGIN@example.cn ", "correct horse battery", ""},
			{"login@example.cn", "Correct horse battery", "invalid_login"},
			{"nobody@example.cn", "correct horse battery", "invalid_login"},
			{"login@example.cn", strings.Repeat("x", 5000), "invalid_login"},
		} {
			got, err := s.Authenticate(ctx, tc.email, tc.pw)
			if fxCode(err) != tc.code || (err == nil && got.ID != u.ID) {
				t.Errorf("%q/%q: %v %v, want %q", tc.email, tc.pw, got, err, tc.code)
			}
		}
		// Unknown and known addresses fail alike (same error; both run argon2id).
		_, e1 := s.Authenticate(ctx, "nobody@example.cn", "x")
		_, e2 := s.Authenticate(ctx, "login@example.cn", "x")
		if e1.Error() != e2.Error() {
			t.Errorf("failures differ: %v / %v", e1, e2)
		}
		// The rate limit counts attempts per address, right or wrong, across the window.
		for i := range market.LoginMaxAttempts {
			s.Authenticate(ctx, "limited@example.cn", fmt.Sprint(i))
		}
		if _, err := s.Authenticate(ctx, "limited@example.cn", "x"); fxCode(err) != "rate_limited" {
			t.Errorf("after %d attempts: %v", market.LoginMaxAttempts, err)
		}
		w.clock.Advance(market.LoginWindow + time.Second)
		if _, err := s.Authenticate(ctx, "limited@example.cn", "x"); fxCode(err) != "invalid_login" {
			t.Errorf("next window: %v", err)
		}
		// Successful logins reset the count: only failures accumulate, so a user is never locked out
		// by their own logins, while wrong guesses stay limited.
		for i := range market.LoginMaxAttempts + 2 {
			if _, err := s.Authenticate(ctx, "login@example.cn", "correct horse battery"); err != nil {
				t.Fatalf("login %d: %v", i+1, err)
			}
		}
		// A disabled user cannot log in (told so only with the right password).
		admin := w.user(t, nil, market.RoleAdmin)
		if err := s.DisableUser(ctx, admin, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "login@example.cn", "correct horse battery"); fxCode(err) != "account_disabled" {
			t.Errorf("disabled: %v", err)
		}
	})
}

// Login failures count per client address and account together: an attacker failing an account's logins
// from one address locks only that address out of that account; the owner elsewhere still logs in. A
// much higher ceiling per account stops guessing spread over many addresses, for the rest of the window.
func TestLoginLimitPerAddressAndAccount(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		const pw = "correct horse battery"
		if _, _, err := s.Register(w.ctx, fxRegistration(t, market.KindUniversity, "owner@example.cn")); err != nil {
			t.Fatal(err)
		}
		from := func(addr string) context.Context { return market.WithClientAddr(w.ctx, addr) }
		attacker, owner := from("203.0.113.7"), from("198.51.100.2")
		for i := range market.LoginMaxAttempts {
			if _, err := s.Authenticate(attacker, "owner@example.cn", fmt.Sprint("guess ", i)); fxCode(err) != "invalid_login" {
				t.Fatalf("guess %d: %v", i+1, err)
			}
		}
		if _, err := s.Authenticate(attacker, "Owner@example.cn", pw); fxCode(err) != "rate_limited" {
			t.Fatalf("attacker after %d failures, right password: %v", market.LoginMaxAttempts, err)
		}
		if _, err := s.Authenticate(owner, "owner@example.cn", pw); err != nil {
			t.Fatalf("owner from another address: %v", err)
		}
		// The owner's own mistakes count at the owner's address, and a success clears them.
		for range 3 {
			for i := range market.LoginMaxAttempts - 1 {
				s.Authenticate(owner, "owner@example.cn", fmt.Sprint("typo ", i))
			}
			if _, err := s.Authenticate(owner, "owner@example.cn", pw); err != nil {
				t.Fatalf("owner after %d typos: %v", market.LoginMaxAttempts-1, err)
			}
		}
		// The attacker's address is limited on this account only.
		if _, err := s.Authenticate(attacker, "nobody@example.cn", "x"); fxCode(err) != "invalid_login" {
			t.Errorf("attacker on another account: %v", err)
		}

		// Guessing from many addresses, each below its own limit, reaches the account's ceiling (the
		// failures above count towards it too); then even the right password waits for the next window.
		failed := market.LoginMaxAttempts + 3*(market.LoginMaxAttempts-1)
		for i := 0; failed < market.LoginMaxPerAccount; i++ {
			addr := from(fmt.Sprintf("192.0.2.%d", i/(market.LoginMaxAttempts-1)))
			if _, err := s.Authenticate(addr, "owner@example.cn", fmt.Sprint("spread ", i)); fxCode(err) != "invalid_login" {
				t.Fatalf("spread guess %d (%d failures): %v", i+1, failed+1, err)
			}
			failed++
		}
		if _, err := s.Authenticate(from("192.0.2.250"), "owner@example.cn", pw); fxCode(err) != "rate_limited" {
			t.Errorf("after %d failures on the account: %v", failed, err)
		}
		w.clock.Advance(market.LoginWindow + time.Second)
		if _, err := s.Authenticate(owner, "owner@example.cn", pw); err != nil {
			t.Errorf("owner in the next window: %v", err)
		}
	})
}

func TestVerifyOrgAndConfirmSME(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		org, _, err := s.Register(ctx, fxRegistration(t, market.KindEnterprise, "new@example.cn"))
		if err != nil {
			t.Fatal(err)
		}
		unverifiedOp := w.user(t, w.org(t, market.KindDistrictOffice, false), market.RoleOperator)
		agencyOp := w.user(t, w.org(t, market.KindAgency, true), market.RoleOperator)
		operator := w.user(t, w.org(t, market.KindDistrictOffice, true), market.RoleOperator) // Pudong, like org
		bureau := w.user(t, nil, market.RoleBureau)
		for _, a := range []market.Actor{{}, w.holder, w.lic, unverifiedOp, agencyOp, w.user(t, nil, market.RoleAdmin)} {
			if _, err := s.VerifyOrg(ctx, a, org.USCC); fxCode(err) != "forbidden" {
				t.Errorf("%+v verified: %v", a, err)
			}
		}
		pending, err := s.UnverifiedOrgs(ctx, operator, 0)
		if err != nil || !slices.ContainsFunc(pending, func(o market.Organisation) bool { return o.ID == org.ID }) {
			t.Errorf("pending list %v %v", len(pending), err)
		}
		got, err := s.VerifyOrg(ctx, operator, " "+strings.ToLower(org.USCC))
		if err != nil || !got.Verified() || *got.VerifiedBy != operator.UserID {
			t.Fatalf("verify: %+v %v", got, err)
		}
		// Again: nothing changes (the first verifier stays on record).
		if again, err := s.VerifyOrg(ctx, bureau, org.USCC); err != nil || *again.VerifiedBy != operator.UserID {
			t.Errorf("verify again: %+v %v", again, err)
		}
		if _, err := s.VerifyOrg(ctx, bureau, fxUSCC(t, 88888888)); fxCode(err) != "not_found" {
			t.Errorf("unknown org: %v", err)
		}
		// Bureau-only SME decisions, with a reason, kept as history.
		if _, err := s.ConfirmSME(ctx, operator, org.USCC, false, "x", market.SMEDays{}); fxCode(err) != "forbidden" {
			t.Errorf("operator SME: %v", err)
		}
		if _, err := s.ConfirmSME(ctx, bureau, org.USCC, false, "  ", market.SMEDays{}); fxCode(err) != "required" {
			t.Errorf("no note: %v", err)
		}
		o2, err := s.ConfirmSME(ctx, bureau, org.USCC, false, "controlled by a large group (2024 annual report)", market.SMEDays{})
		if err != nil || o2.IsSME || !o2.SMEConfirmed {
			t.Fatalf("override: %+v %v", o2, err)
		}
		ds, err := s.SMEDecisions(ctx, bureau, org.ID)
		if err != nil || len(ds) != 1 || ds[0].IsSME || !ds[0].ComputedSME || ds[0].DecidedBy != bureau.UserID ||
			ds[0].Standard != "2011" || !strings.Contains(ds[0].Note, "large group") {
			t.Errorf("decisions %+v %v", ds, err)
		}
		var stored market.Organisation
		s.Gorm().First(&stored, org.ID)
		if stored.IsSME || !stored.SMEConfirmed || stored.SMENote == "" {
			t.Errorf("stored %+v", stored)
		}
	})
}

func TestStaffAndColleagues(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		assoc := w.org(t, market.KindAssociation, false)
		bureauOrg := w.org(t, market.KindBureau, false)
		for _, tc := range []struct {
			in   market.StaffInput
			code string
		}{
			{market.StaffInput{Email: "b@sipa.gov.cn", Password: "long enough pw", Role: market.RoleBureau}, ""},
			{market.StaffInput{Email: "b2@sipa.gov.cn", Password: "long enough pw", Role: market.RoleBureau, OrgUSCC: bureauOrg.USCC}, ""},
			{market.StaffInput{Email: "a@sipa.gov.cn", Password: "long enough pw", Role: market.RoleAdmin}, ""},
			{market.StaffInput{Email: "op@assoc.cn", Password: "long enough pw", Role: market.RoleOperator, OrgUSCC: assoc.USCC}, ""},
			{market.StaffInput{Email: "op2@assoc.cn", Password: "long enough pw", Role: market.RoleOperator}, "required"},
			{market.StaffInput{Email: "op3@assoc.cn", Password: "long enough pw", Role: market.RoleOperator, OrgUSCC: w.holderOrg.USCC}, "wrong_kind"},
			{market.StaffInput{Email: "b3@sipa.gov.cn", Password: "long enough pw", Role: market.RoleBureau, OrgUSCC: assoc.USCC}, "wrong_kind"},
			{market.StaffInput{Email: "x@sipa.gov.cn", Password: "long enough pw", Role: market.RoleHolder}, "invalid"},
			{market.StaffInput{Email: "y@sipa.gov.cn", Password: "short", Role: market.RoleAdmin}, "too_short"},
			{market.StaffInput{Email: "B@sipa.gov.cn", Password: "long enough pw", Role: market.RoleAdmin}, "email_taken"},
			{market.StaffInput{Email: "z@sipa.gov.cn", Password: "long enough pw", Role: market.RoleOperator, OrgUSCC: fxUSCC(t, 77777777)}, "not_found"},
		} {
			u, err := s.CreateStaffUser(ctx, tc.in)
			if fxCode(err) != tc.code {
				t.Errorf("%+v: %v, want %q", tc.in, err, tc.code)
			}
			if err == nil && (u.Role != tc.in.Role || u.Name == "") {
				t.Errorf("user %+v", u)
			}
		}
		// The operator's association counts as verified: staff vouched for it.
		var a market.Organisation
		s.Gorm().First(&a, assoc.ID)
		if !a.Verified() {
			t.Error("operator's organisation not verified")
		}
		// Colleagues get the organisation's role.
		u, err := s.AddUser(ctx, w.holder, market.UserInput{Name: "同事", Email: "colleague@univ.cn", Password: "another long pw"})
		if err != nil || u.Role != market.RoleHolder || *u.OrgID != w.holderOrg.ID {
			t.Fatalf("colleague %+v %v", u, err)
		}
		if _, err := s.AddUser(ctx, market.Actor{}, market.UserInput{Name: "x", Email: "x@y.cn", Password: "another long pw"}); fxCode(err) != "forbidden" {
			t.Errorf("anonymous add: %v", err)
		}
		users, err := s.OrgUsers(ctx, w.holder, w.holderOrg.ID)
		if err != nil || len(users) != 2 {
			t.Errorf("org users %d %v", len(users), err)
		}
	})
}

// TestAuthorisationMatrix walks every role against every service action and asserts each cell: allowed
// cells succeed, the others are refused with forbidden/unauthenticated/org_unverified.
func TestAuthorisationMatrix(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		w := fxNew(t, s)
		ctx := w.ctx
		otherOrg := w.org(t, market.KindEnterprise, true)
		unverifiedOrg := w.org(t, market.KindEnterprise, false)
		opOrg := w.org(t, market.KindDistrictOffice, true) // the district of every w.org
		actors := map[string]market.Actor{
			"anonymous":  {},
			"holder":     w.holder, // the licensor of every contract below
			"licensee":   w.lic,    // the licensee of every contract below
			"other":      w.user(t, otherOrg, market.RoleLicensee),
			"unverified": w.user(t, unverifiedOrg, market.RoleLicensee),
			"operator":   w.user(t, opOrg, market.RoleOperator),
			"bureau":     w.user(t, nil, market.RoleBureau),
			"admin":      w.user(t, nil, market.RoleAdmin),
		}
		roles := []string{"anonymous", "holder", "licensee", "other", "unverified", "operator", "bureau", "admin"}
		// Fresh state per cell, so one cell's success cannot change another's answer.
		paid := func(t *testing.T) *market.Contract {
			appNo, _ := w.patent(t, w.holderOrg, market.FeeLumpSum, 100_00)
			return w.accept(t, w.lic, appNo)
		}
		effective := func(t *testing.T) *market.Contract {
			appNo, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
			return w.accept(t, w.lic, appNo)
		}
		withPayment := func(t *testing.T) (*market.Contract, *market.Payment) {
			c := paid(t)
			p, err := s.RecordPayment(ctx, w.lic, c.ContractNo, 100_00, market.MustDate("2025-03-03"), "ref")
			if err != nil {
				t.Fatal(err)
			}
			return c, p
		}
		type action struct {
			name    string
			allowed []string
			run     func(t *testing.T, a market.Actor) error
		}
		actions := []action{
			{"accept licence", []string{"licensee", "other"}, func(t *testing.T, a market.Actor) error {
				appNo, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
				_, _, err := s.AcceptLicence(ctx, a, appNo, "")
				return err
			}},
			{"preview licence", []string{"licensee", "other"}, func(t *testing.T, a market.Actor) error {
				appNo, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
				_, err := s.PreviewLicence(ctx, a, appNo)
				return err
			}},
			{"view contract", []string{"holder", "licensee", "bureau"}, func(t *testing.T, a market.Actor) error {
				_, err := s.ContractByNo(ctx, a, effective(t).ContractNo)
				return err
			}},
			{"contract history", []string{"holder", "licensee", "bureau"}, func(t *testing.T, a market.Actor) error {
				_, err := s.ContractHistory(ctx, a, effective(t).ContractNo)
				return err
			}},
			{"list payments", []string{"holder", "licensee", "bureau"}, func(t *testing.T, a market.Actor) error {
				_, err := s.Payments(ctx, a, paid(t).ContractNo)
				return err
			}},
			{"contract in own list", []string{"holder", "licensee", "bureau"}, func(t *testing.T, a market.Actor) error {
				c := effective(t)
				cs, err := s.ContractsForActor(ctx, a, market.ContractQuery{Limit: 1000})
				if err != nil {
					return err
				}
				if !slices.ContainsFunc(cs, func(v market.ContractView) bool { return v.ID == c.ID }) {
					return market.ErrForbidden
				}
				return nil
			}},
			{"record payment", []string{"licensee"}, func(t *testing.T, a market.Actor) error {
				_, err := s.RecordPayment(ctx, a, paid(t).ContractNo, 10_00, market.MustDate("2025-03-03"), "ref")
				return err
			}},
			{"confirm payment", []string{"holder"}, func(t *testing.T, a market.Actor) error {
				c, p := withPayment(t)
				_, err := s.ConfirmPayment(ctx, a, c.ContractNo, p.ID)
				return err
			}},
			{"reject payment", []string{"holder"}, func(t *testing.T, a market.Actor) error {
				c, p := withPayment(t)
				return s.RejectPayment(ctx, a, c.ContractNo, p.ID, "not received")
			}},
			{"record filing", []string{"holder", "licensee"}, func(t *testing.T, a market.Actor) error {
				_, err := s.RecordFiling(ctx, a, effective(t).ContractNo, fmt.Sprintf("X%d", fxSerial.Add(1)), market.MustDate("2025-03-03"))
				return err
			}},
			{"terminate", []string{"holder", "licensee"}, func(t *testing.T, a market.Actor) error {
				_, err := s.TerminateContract(ctx, a, effective(t).ContractNo, "no longer used")
				return err
			}},
			{"cancel", []string{"holder", "licensee"}, func(t *testing.T, a market.Actor) error {
				_, err := s.CancelContract(ctx, a, paid(t).ContractNo, "never paid")
				return err
			}},
			{"create a patent of one's own organisation", []string{"holder", "licensee", "other"}, func(t *testing.T, a market.Actor) error {
				_, err := s.CreatePatent(ctx, a, market.PatentInput{ApplicationNo: fxAppNo(t, fxSerial.Add(1)), Title: "一种测试装置",
					FilingDate: "2020-01-10", GrantDate: "2022-05-20", Status: market.StatusGranted})
				return err
			}},
			{"update the holder's patent", []string{"holder"}, func(t *testing.T, a market.Actor) error {
				appNo, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
				_, err := s.UpdatePatent(ctx, a, appNo, market.PatentInput{Title: "一种改名的测试装置", FilingDate: "2020-01-10",
					GrantDate: "2022-05-20", Status: market.StatusGranted})
				return err
			}},
			{"publish a declaration of the holder's patent", []string{"holder"}, func(t *testing.T, a market.Actor) error {
				appNo, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
				_, err := s.PublishDeclaration(ctx, a, appNo, market.DeclarationInput{FeeModel: market.FeeFree, TermMonths: "36"})
				return err
			}},
			{"withdraw a declaration of the holder's patent", []string{"holder"}, func(t *testing.T, a market.Actor) error {
				appNo, _ := w.patent(t, w.holderOrg, market.FeeFree, 0)
				_, err := s.WithdrawDeclaration(ctx, a, appNo)
				return err
			}},
			{"verify organisation", []string{"operator", "bureau"}, func(t *testing.T, a market.Actor) error {
				_, err := s.VerifyOrg(ctx, a, w.org(t, market.KindEnterprise, false).USCC)
				return err
			}},
			{"list unverified", []string{"operator", "bureau"}, func(t *testing.T, a market.Actor) error {
				_, err := s.UnverifiedOrgs(ctx, a, 10)
				return err
			}},
			{"decide SME status", []string{"bureau"}, func(t *testing.T, a market.Actor) error {
				_, err := s.ConfirmSME(ctx, a, w.org(t, market.KindEnterprise, true).USCC, true, "checked", market.SMEDays{})
				return err
			}},
			{"see SME decisions of the licensee", []string{"licensee", "bureau"}, func(t *testing.T, a market.Actor) error {
				_, err := s.SMEDecisions(ctx, a, w.licOrg.ID)
				return err
			}},
			{"holder dashboard", []string{"holder", "licensee", "other", "unverified"}, func(t *testing.T, a market.Actor) error {
				_, err := s.HolderDashboard(ctx, a)
				return err
			}},
			{"licensee dashboard", []string{"licensee", "other", "unverified"}, func(t *testing.T, a market.Actor) error {
				_, err := s.LicenseeDashboard(ctx, a)
				return err
			}},
			{"list the holder's users", []string{"holder", "bureau", "admin"}, func(t *testing.T, a market.Actor) error {
				_, err := s.OrgUsers(ctx, a, w.holderOrg.ID)
				return err
			}},
			{"disable a holder's user", []string{"holder", "admin"}, func(t *testing.T, a market.Actor) error {
				return s.DisableUser(ctx, a, w.user(t, w.holderOrg, market.RoleHolder).UserID)
			}},
			{"revoke the holder's API token", []string{"holder", "admin"}, func(t *testing.T, a market.Actor) error {
				_, tk, err := s.CreateAPITokenFor(ctx, w.holder, "t")
				if err != nil {
					t.Fatal(err)
				}
				return s.RevokeAPIToken(ctx, a, tk.ID)
			}},
			{"mark a holder notification read", []string{"holder"}, func(t *testing.T, a market.Actor) error {
				c := effective(t)
				var n market.Notification
				s.Gorm().Where("link = ?", market.ContractLink(c.ContractNo)).First(&n)
				return s.MarkNotificationRead(ctx, a, n.ID)
			}},
		}
		refusal := []string{"forbidden", "unauthenticated", "org_unverified"}
		for _, act := range actions {
			for _, role := range roles {
				t.Run(act.name+"/"+role, func(t *testing.T) {
					err := act.run(t, actors[role])
					want := slices.Contains(act.allowed, role)
					switch {
					case want && err != nil:
						t.Errorf("allowed, got %v", err)
					case !want && !slices.Contains(refusal, fxCode(err)):
						t.Errorf("must be refused, got %v", err)
					}
				})
			}
		}
		w.mustVerify(t)
	})
}

// Actor capabilities follow the role, the organisation's kind and its verification.
func TestActorCapabilities(t *testing.T) {
	for _, tc := range []struct {
		a                     market.Actor
		publish, sign, verify bool
	}{
		{market.Actor{}, false, false, false},
		{market.Actor{UserID: 1, OrgID: 1, Role: market.RoleHolder, OrgKind: market.KindUniversity, OrgVerified: true}, true, false, false},
		{market.Actor{UserID: 1, OrgID: 1, Role: market.RoleHolder, OrgKind: market.KindUniversity}, false, false, false},
		{market.Actor{UserID: 1, OrgID: 1, Role: market.RoleLicensee, OrgKind: market.KindEnterprise, OrgVerified: true}, true, true, false},
		{market.Actor{UserID: 1, OrgID: 1, Role: market.RoleLicensee, OrgKind: market.KindEnterprise}, false, false, false},
		{market.Actor{UserID: 1, OrgID: 1, Role: market.RoleOperator, OrgKind: market.KindAgency, OrgVerified: true}, false, false, false},
		{market.Actor{UserID: 1, OrgID: 1, Role: market.RoleOperator, OrgKind: market.KindAssociation, OrgVerified: true}, false, false, false},
		{market.Actor{UserID: 1, OrgID: 1, Role: market.RoleOperator, OrgKind: market.KindDistrictOffice, OrgVerified: true}, false, false, true},
		{market.Actor{UserID: 1, OrgID: 1, Role: market.RoleOperator, OrgKind: market.KindDistrictOffice}, false, false, false},
		{market.Actor{UserID: 1, OrgID: 1, Role: market.RoleOperator, OrgKind: market.KindAgency}, false, false, false},
		{market.Actor{UserID: 1, Role: market.RoleBureau}, false, false, true},
		{market.Actor{UserID: 1, Role: market.RoleAdmin}, false, false, false},
	} {
		if tc.a.CanPublish() != tc.publish || tc.a.CanSign() != tc.sign || tc.a.CanVerifyOrgs() != tc.verify {
			t.Errorf("%+v: publish %v sign %v verify %v", tc.a, tc.a.CanPublish(), tc.a.CanSign(), tc.a.CanVerifyOrgs())
		}
	}
}
