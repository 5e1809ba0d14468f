package demo_test

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/demo"
)

// testNow is the generations' "today" in these tests.
var testNow = time.Date(2026, time.March, 15, 6, 0, 0, 0, time.UTC)

func generate(t testing.TB, opt demo.Options) *demo.Dataset {
	t.Helper()
	if opt.Now.IsZero() {
		opt.Now = testNow
	}
	return demo.Generate(opt)
}

// usccPrefix is the registration-type prefix each kind of organisation must carry (docs/rules.md §2.2).
var usccPrefix = map[string][]string{
	market.KindUniversity: {"12"}, market.KindInstitute: {"12"}, market.KindHospital: {"12"},
	market.KindEnterprise: {"91"}, market.KindAssociation: {"51"}, market.KindAgency: {"91", "52"},
	market.KindDistrictOffice: {"11"}, market.KindBureau: {"11"},
}

func TestOrganisationsAreValid(t *testing.T) {
	ds := generate(t, demo.Options{Seed: 7})
	today := market.DateOf(ds.Now)
	seen := map[string]string{}
	unique := func(what, v string) {
		if prev, dup := seen[what+v]; dup {
			t.Errorf("%s %q used twice (%s)", what, v, prev)
		}
		seen[what+v] = v
	}
	for i, o := range ds.Orgs {
		if o.ID != int64(i+1) {
			t.Fatalf("org %d has provisional ID %d", i, o.ID)
		}
		canon, warning, err := market.ValidateUSCC(o.USCC)
		if err != nil || warning != "" || canon != o.USCC {
			t.Errorf("%s: USCC %s: canon %s, warning %q, err %v", o.Name, o.USCC, canon, warning, err)
		}
		if got := market.USCCRegion(o.USCC); got != o.DistrictCode {
			t.Errorf("%s: USCC region %s, district %s", o.Name, got, o.DistrictCode)
		}
		if !contains(usccPrefix[o.Kind], o.USCC[:2]) {
			t.Errorf("%s (%s): USCC prefix %s, want one of %v", o.Name, o.Kind, o.USCC[:2], usccPrefix[o.Kind])
		}
		d, _ := market.LookupDistrict(o.DistrictCode)
		checked, errs := market.CheckOrg(market.OrgRecord{USCC: o.USCC, Name: o.Name, Kind: o.Kind, District: d.NameZH,
			Address: o.Address, LegalRep: o.LegalRep, Phone: o.Phone, Email: o.Email, FoundedOn: o.FoundedOn.String()}, today, true)
		if len(errs) > 0 {
			t.Errorf("%s: CheckOrg: %v", o.Name, errs)
			continue
		}
		if checked.DistrictCode != o.DistrictCode || checked.Email != o.Email || checked.FoundedOn != o.FoundedOn {
			t.Errorf("%s: CheckOrg changed the record: %+v", o.Name, checked)
		}
		if !strings.HasPrefix(o.Address, "上海市"+d.NameZH) {
			t.Errorf("%s: address %q is not in %s", o.Name, o.Address, d.NameZH)
		}
		if !strings.HasSuffix(o.Email, ".example.com") {
			t.Errorf("%s: e-mail %q is not on a reserved domain", o.Name, o.Email)
		}
		if o.VerifiedAt == nil || o.VerifiedAt.After(ds.Now) || !o.OperatingNormally {
			t.Errorf("%s: verified %v, operating normally %v", o.Name, o.VerifiedAt, o.OperatingNormally)
		}
		if o.Kind == market.KindEnterprise && (o.SMEEmployees == 0 || o.SMERevenueFen == 0 || o.SMEYear != today.Year()-1) {
			t.Errorf("%s: SME figures missing: %+v", o.Name, o)
		}
		if o.IsSME && o.Kind != market.KindEnterprise {
			t.Errorf("%s: a %s cannot be an SME", o.Name, o.Kind)
		}
		// Shared identifiers would make the bonus rules' related-party check flag unrelated demo orgs.
		for what, v := range map[string]string{"USCC": o.USCC, "name": o.Name, "phone": o.Phone, "e-mail": o.Email,
			"legal rep": o.LegalRep, "address": o.Address} {
			unique(what, v)
		}
	}
}

func TestPatentsAreValid(t *testing.T) {
	ds := generate(t, demo.Options{Seed: 7})
	today := market.DateOf(ds.Now)
	titles := map[string]bool{}
	for _, it := range demo.IPCTitles() {
		if titles[it.Symbol] {
			t.Errorf("IPC title %s twice", it.Symbol)
		}
		titles[it.Symbol] = true
		if it.TitleZH == "" || it.TitleEN == "" {
			t.Errorf("IPC %s lacks a title: %+v", it.Symbol, it)
		}
	}
	apps := map[string]bool{}
	for i := range ds.Patents {
		p := &ds.Patents[i]
		if p.ID != int64(i+1) {
			t.Fatalf("patent %d has provisional ID %d", i, p.ID)
		}
		if apps[p.ApplicationNo] {
			t.Errorf("application number %s twice", p.ApplicationNo)
		}
		apps[p.ApplicationNo] = true
		patentee := ds.Org(p.PatenteeID)
		checked, errs := market.CheckPatent(market.PatentInput{ApplicationNo: p.ApplicationNo, Title: p.Title,
			Abstract: p.Abstract, Type: p.Type, IPC: p.IPC, PatenteeUSCC: patentee.USCC, FilingDate: p.FilingDate.String(),
			GrantDate: p.GrantDate.String(), Status: p.Status, Industry: p.Industry}, patentee, today)
		if len(errs) > 0 {
			t.Errorf("%s: CheckPatent: %v", p.ApplicationNo, errs)
			continue
		}
		if checked.ApplicationNo != p.ApplicationNo || checked.Type != p.Type || checked.IPC != p.IPC {
			t.Errorf("%s: not canonical: %+v", p.ApplicationNo, checked)
		}
		if y := p.FilingDate.Year(); y < 2012 || y > 2025 || !patentee.FoundedOn.Before(p.FilingDate) {
			t.Errorf("%s: filed %s by %s founded %s", p.ApplicationNo, p.FilingDate, patentee.Name, patentee.FoundedOn)
		}
		if p.Status == market.StatusGranted && !market.PatentExpiry(p).After(today) {
			t.Errorf("%s: granted but expired on %s", p.ApplicationNo, market.PatentExpiry(p))
		}
		if !contains(demo.Industries, p.Industry) {
			t.Errorf("%s: industry %q", p.ApplicationNo, p.Industry)
		}
		symbols := strings.Split(p.IPC, ";")
		switch {
		case p.Type == market.TypeDesign && p.IPC != "":
			t.Errorf("%s: a design has IPC %s (designs use Locarno)", p.ApplicationNo, p.IPC)
		case p.Type != market.TypeDesign && (len(symbols) < 1 || len(symbols) > 3):
			t.Errorf("%s: %d IPC symbols", p.ApplicationNo, len(symbols))
		}
		for _, sym := range symbols {
			if sym == "" {
				continue
			}
			main, _, _ := strings.Cut(sym, "/")
			for _, need := range []string{sym, main + "/00", sym[:4], sym[:3], sym[:1]} {
				if !titles[need] {
					t.Errorf("%s: no IPC title for %s", p.ApplicationNo, need)
				}
			}
		}
	}
}

// declInput is what a holder would post for a generated declaration (the API's and the import's form).
func declInput(d *market.Declaration) market.DeclarationInput {
	h := func(n int64) market.Numeric {
		if n == 0 {
			return ""
		}
		return market.Numeric(fmt.Sprintf("%d.%02d", n/100, n%100))
	}
	return market.DeclarationInput{FeeModel: d.FeeModel, FeeYuan: h(d.FeeFen), RoyaltyPercent: h(d.RoyaltyBP),
		RoyaltyBase: d.RoyaltyBase, EntryFeeYuan: h(d.EntryFeeFen), TermMonths: market.Numeric(strconv.Itoa(d.TermMonths)),
		EvaluationReportNo: d.EvaluationReportNo}
}

// TestDeclarationsObeyTheRules runs every declaration through market.CheckDeclaration (docs/rules.md §5), both
// on the day it was published and on the generation's today.
func TestDeclarationsObeyTheRules(t *testing.T) {
	ds := generate(t, demo.Options{Seed: 7})
	declared := map[int64]bool{}
	for i := range ds.Declarations {
		d := &ds.Declarations[i]
		p := ds.Patent(d.PatentID)
		if declared[p.ID] {
			t.Errorf("%s: two declarations", p.ApplicationNo)
		}
		declared[p.ID] = true
		if d.Status != market.DeclLive || d.PublishedAt.After(ds.Now) || market.DateOf(d.PublishedAt).Before(p.GrantDate) {
			t.Errorf("%s: declaration %+v (granted %s)", p.ApplicationNo, d, p.GrantDate)
		}
		for _, day := range []market.Date{market.DateOf(d.PublishedAt), market.DateOf(ds.Now)} {
			got, errs := market.CheckDeclaration(p, declInput(d), market.DeclarationFacts{Today: day})
			if len(errs) > 0 {
				t.Errorf("%s (%s, %s) on %s: %v", p.ApplicationNo, p.Type, p.Status, day, errs)
				continue
			}
			if !market.SameTerms(got, d) || got.Warnings != "" {
				t.Errorf("%s: checked terms %+v differ from generated %+v", p.ApplicationNo, got, d)
			}
		}
		if !market.DeclarationStillValid(p, d, market.DateOf(ds.Now)) {
			t.Errorf("%s: declaration no longer valid", p.ApplicationNo)
		}
		if p.Type != market.TypeInvention && !evalReport(d.EvaluationReportNo) {
			t.Errorf("%s: evaluation report number %q", p.ApplicationNo, d.EvaluationReportNo)
		}
	}
	for i := range ds.Patents {
		if p := &ds.Patents[i]; !declared[p.ID] && p.Status == market.StatusGranted && p.Featured {
			t.Errorf("%s: featured without a declaration", p.ApplicationNo)
		}
	}
}

// evalReport matches "2024-PJ-012345".
func evalReport(s string) bool {
	y, rest, ok := strings.Cut(s, "-PJ-")
	n, err := strconv.Atoi(rest)
	return ok && len(y) == 4 && len(rest) == 6 && err == nil && n > 0
}

func TestDefaultCatalogueCoversTheIssue(t *testing.T) {
	ds := generate(t, demo.Options{})
	holders := map[string]int{}
	orgDistricts := map[string]bool{}
	kinds := map[string]int{}
	for _, o := range ds.Orgs {
		kinds[o.Kind]++
		orgDistricts[o.DistrictCode] = true
	}
	declared := map[int64]*market.Declaration{}
	fees := map[string]int{}
	lumpSums, cheap := 0, 0
	for i := range ds.Declarations {
		d := &ds.Declarations[i]
		declared[d.PatentID] = d
		fees[d.FeeModel]++
		if d.FeeModel == market.FeeLumpSum {
			lumpSums++
			if d.FeeFen <= 200_000_00 {
				cheap++
			}
		}
	}
	status, types, industries, declaredIndustries := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	holderOrgs := map[int64]bool{}
	featured := 0
	for i := range ds.Patents {
		p := &ds.Patents[i]
		o := ds.Org(p.PatenteeID)
		holders[o.Kind]++
		holderOrgs[o.ID] = true
		status[p.Status]++
		types[p.Type]++
		industries[p.Industry]++
		if declared[p.ID] != nil {
			declaredIndustries[p.Industry]++
		}
		if p.Featured {
			featured++
		}
	}
	checks := []struct {
		what string
		ok   bool
	}{
		{fmt.Sprintf("≥ 2000 patents (%d)", len(ds.Patents)), len(ds.Patents) >= 2000},
		{fmt.Sprintf("≥ 150 patent-holding organisations (%d)", len(holderOrgs)), len(holderOrgs) >= 150},
		{fmt.Sprintf("all four kinds of holder %v", holders), holders[market.KindUniversity] > 0 &&
			holders[market.KindInstitute] > 0 && holders[market.KindHospital] > 0 && holders[market.KindEnterprise] > 0},
		{fmt.Sprintf("all 16 districts (%d)", len(orgDistricts)), len(orgDistricts) == 16},
		{fmt.Sprintf("all four fee models %v", fees), len(fees) == 4},
		{fmt.Sprintf("most patents declared (%d of %d)", len(ds.Declarations), len(ds.Patents)),
			2*len(ds.Declarations) > len(ds.Patents)},
		{fmt.Sprintf("lump sums mostly low or mid price (%d of %d ≤ 200,000 yuan)", cheap, lumpSums), cheap*10 >= lumpSums*9},
		{fmt.Sprintf("mostly inventions and utility models, a few designs %v", types),
			types[market.TypeDesign] > 0 && types[market.TypeDesign]*10 < len(ds.Patents)},
		{fmt.Sprintf("mostly granted, some pending and lapsed %v", status), status[market.StatusGranted]*2 > len(ds.Patents) &&
			status[market.StatusPending] > 0 && status[market.StatusLapsed] > 0},
		{fmt.Sprintf("a few featured patents (%d)", featured), featured >= len(demo.Industries) && featured <= 50},
		{fmt.Sprintf("one bureau (%d)", kinds[market.KindBureau]), kinds[market.KindBureau] == 1},
	}
	for _, ind := range demo.Industries {
		checks = append(checks, struct {
			what string
			ok   bool
		}{fmt.Sprintf("industry %s has patents (%d) and declarations (%d)", ind, industries[ind], declaredIndustries[ind]),
			industries[ind] > 0 && declaredIndustries[ind] > 0})
	}
	for _, c := range checks {
		if !c.ok {
			t.Error("want " + c.what)
		}
	}
	for i := range ds.Patents {
		if p := &ds.Patents[i]; p.Status != market.StatusGranted && declared[p.ID] != nil {
			t.Errorf("%s is %s but declared", p.ApplicationNo, p.Status)
		}
	}
}

func TestShowcases(t *testing.T) {
	ds := generate(t, demo.Options{Seed: 3})
	wantWalls := map[string]string{"ic": demo.IndIC, "biomed": demo.IndBiomed, "ai": demo.IndAI}
	if len(ds.Walls) != len(wantWalls) {
		t.Errorf("%d walls, want %d", len(ds.Walls), len(wantWalls))
	}
	for _, w := range ds.Walls {
		if wantWalls[w.Slug] != w.Industry || ds.Org(w.OrgID).Kind != market.KindAssociation || w.Name == "" || w.NameEN == "" {
			t.Errorf("wall %+v (owner %s)", w, ds.Org(w.OrgID).Kind)
		}
	}
	if n := len(ds.Supermarkets); n < 3 || n > 4 {
		t.Errorf("%d supermarkets", n)
	}
	slugs := map[string]bool{}
	for _, m := range ds.Supermarkets {
		slugs[m.Slug] = true
		office := ds.Org(m.OfficeID)
		if office.Kind != market.KindDistrictOffice || office.DistrictCode != m.DistrictCode || m.AgencyID == nil ||
			ds.Org(*m.AgencyID).Kind != market.KindAgency || m.Park == "" || m.MaxPriceFen <= 0 {
			t.Errorf("supermarket %+v (office %s in %s)", m, office.Kind, office.DistrictCode)
		}
	}
	for _, s := range []string{"zhangjiang", "caohejing", "lingang"} {
		if !slugs[s] {
			t.Errorf("no supermarket %s", s)
		}
	}
	if n := len(ds.Demands); n < 30 || n > 50 {
		t.Errorf("%d demands, want about 40", n)
	}
	for _, d := range ds.Demands {
		o := ds.Org(d.OrgID)
		if o.Kind != market.KindEnterprise || !o.IsSME || d.Title == "" || d.BudgetMaxFen <= 0 || d.BudgetMinFen > d.BudgetMaxFen || !contains(demo.Industries, d.Industry) {
			t.Errorf("demand %+v by %s (%s, SME %v)", d, o.Name, o.Kind, o.IsSME)
		}
		if _, err := market.ParseIPC(d.IPC); err != nil {
			t.Errorf("demand IPC %q: %v", d.IPC, err)
		}
		if d.CreatedAt.After(ds.Now) {
			t.Errorf("demand posted in the future: %s", d.CreatedAt)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a := generate(t, demo.Options{Seed: 42, Orgs: 60, Patents: 500})
	b := generate(t, demo.Options{Seed: 42, Orgs: 60, Patents: 500})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same options gave different datasets")
	}
	c := generate(t, demo.Options{Seed: 43, Orgs: 60, Patents: 500})
	if reflect.DeepEqual(a.Patents, c.Patents) || reflect.DeepEqual(a.Orgs, c.Orgs) {
		t.Error("different seeds gave the same data")
	}
	// The organisations do not depend on the number of patents, so catalogues of several sizes share them.
	// (Featured flags are chosen among all patents, so they may differ.)
	d := generate(t, demo.Options{Seed: 42, Orgs: 60, Patents: 900})
	unfeatured := func(ps []market.Patent) []market.Patent {
		out := append([]market.Patent(nil), ps...)
		for i := range out {
			out[i].Featured = false
		}
		return out
	}
	if !reflect.DeepEqual(a.Orgs, d.Orgs) || !reflect.DeepEqual(unfeatured(a.Patents[:60]), unfeatured(d.Patents[:60])) {
		t.Error("changing the number of patents changed the organisations or the first patents")
	}
}

func TestSizes(t *testing.T) {
	for _, opt := range []demo.Options{{Orgs: 1, Patents: 1}, {Orgs: 4, Patents: 30}, {Orgs: 1000, Patents: 300}, {Orgs: 30, Patents: 20000}} {
		t.Run(fmt.Sprintf("%d_%d", opt.Orgs, opt.Patents), func(t *testing.T) {
			ds := generate(t, opt)
			if len(ds.Patents) != opt.Patents {
				t.Errorf("%d patents, want %d", len(ds.Patents), opt.Patents)
			}
			holders := 0
			for _, o := range ds.Orgs {
				if market.IsInstitution(o.Kind) || o.Kind == market.KindEnterprise {
					holders++
				}
			}
			if want := max(opt.Orgs, demo.MinOrgs); holders != want {
				t.Errorf("%d holders, want %d", holders, want)
			}
		})
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
