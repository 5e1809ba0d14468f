package demo

// The demo's deals: open licences signed on the platform between the first declarations and today, so a
// fresh demo shows contracts, payments, filings, the bureau dashboard and non-trivial bonus runs.
//
// Planning is pure (planDeals: same dataset and seed, same plan). Running the plan goes through the
// market API, not through INSERTs, so every contract carries its hash-chained history and passes
// `patentwall audit verify`: each step runs on a copy of the store bound to Load's transaction whose clock
// reads the step's instant. The shared store and its clock are never touched, and a failed step rolls
// the whole demo back (LoadIfEmpty stays all or nothing). The market calls nest as savepoints.
//
// Of the deals (DefaultDeals by default), 22 are scripted in the second half of 2022, inside both seed
// bonus rounds, so that both runs always show eligible lines next to ineligible ones with their reasons,
// and held lines: a licensee taking six deals within three weeks (burst), two licensees sharing the
// licensor's legal representative or phone (related_party), two enterprises that moved out of Shanghai,
// non-SME licensees and filings CNIPA later cancelled. The organisations' edits this needs are made
// before the deals so the contracts' snapshots of the parties agree with them.
//
// Declarations are never back-dated: each deal picks among declarations published at least a day
// before it, so the published_at the generator chose stays true.

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"gorm.io/gorm"

	"patentwall/market"
)

// DefaultDeals is the number of platform deals Load makes with the default catalogue.
const DefaultDeals = 400

// dealCount resolves Options.Deals before defaults: negative means none, 0 means DefaultDeals for the
// default catalogue and none for other sizes (benchmark catalogues stay catalogue-only unless asked).
func dealCount(o Options) int {
	switch {
	case o.Deals < 0:
		return 0
	case o.Deals > 0:
		return o.Deals
	}
	if (o.Orgs == 0 || o.Orgs == DefaultOrgs) && (o.Patents <= 0 || o.Patents == DefaultPatents) {
		return DefaultDeals
	}
	return 0
}

// deal is one planned acceptance and what follows it; a zero instant means the step never happens.
type deal struct {
	decl, licensee   int // indexes in ds.Declarations and ds.Orgs
	at               time.Time
	payAt, confirmAt time.Time
	cancelAt         time.Time
	fileAt, endAt    time.Time
	licenseeFiles    bool   // else the licensor records the filing
	filingNo         string // set when fileAt is
	listed           string // status on CNIPA's list: "" (missing from it), "effective" or "cancelled"
	cancelledOn      market.Date
}

// orgEdit changes an organisation (by index) before the deals.
type orgEdit struct {
	org    int
	fields map[string]any
}

type dealPlan struct {
	deals  []deal
	edits  []orgEdit
	others []market.Filing // CNIPA's entries for deals made elsewhere
}

// planner holds the state of one planning.
type planner struct {
	ds       *Dataset
	r        rng
	byTime   []int // declaration indexes by publication
	used     map[[2]int]bool
	from, to time.Time
	serial   int
	plan     *dealPlan
}

// planDeals plans n deals over the dataset. Fewer come out when the catalogue offers too few
// declarations or enterprises.
func planDeals(ds *Dataset, seed int64, n int) *dealPlan {
	p := &planner{ds: ds, r: (&gen{opt: Options{Seed: seed}}).stream(7),
		used: map[[2]int]bool{}, serial: 1000, plan: &dealPlan{}}
	var sme, big []int
	for i, o := range ds.Orgs {
		if o.Kind == market.KindEnterprise {
			if o.IsSME {
				sme = append(sme, i)
			} else {
				big = append(big, i)
			}
		}
	}
	if n <= 0 || len(ds.Declarations) == 0 || len(sme)+len(big) < 2 {
		return p.plan
	}
	for i := range ds.Declarations {
		p.byTime = append(p.byTime, i)
	}
	slices.SortStableFunc(p.byTime, func(a, b int) int {
		return ds.Declarations[a].PublishedAt.Compare(ds.Declarations[b].PublishedAt)
	})
	p.from = ds.Declarations[p.byTime[0]].PublishedAt.Add(24 * time.Hour)
	p.to = ds.Now.Add(-time.Hour)
	if !p.from.Before(p.to) {
		return p.plan
	}

	var moved []int
	if n >= 40 && len(sme) >= 12 && len(big) >= 2 { // the scripted deals take 22 of n
		sme, moved = p.scripted(sme, big)
	}
	pool := append([]int(nil), sme...)
	if len(pool) == 0 {
		pool = big
	}
	times := make([]time.Time, max(n-len(p.plan.deals), 0))
	for i := range times {
		times[i] = p.r.timeBetween(p.from, p.to)
	}
	slices.SortFunc(times, time.Time.Compare)
	for _, t := range times {
		lee := pool[p.r.IntN(len(pool))]
		switch k := p.r.IntN(100); {
		case k < 15 && len(big) > 0:
			lee = big[p.r.IntN(len(big))]
		case k < 19 && len(moved) > 0:
			lee = moved[p.r.IntN(len(moved))]
		}
		p.add(t, lee, nil, false, "")
	}
	slices.SortStableFunc(p.plan.deals, func(a, b deal) int { return a.at.Compare(b.at) })
	p.unmatched()
	return p.plan
}

// scripted adds the deals every demo shows (see the file comment) and returns the SME enterprises left
// for random deals and the two that moved out of Shanghai.
func (p *planner) scripted(sme, big []int) (rest, moved []int) {
	perm := p.r.Perm(len(sme))
	pick := func(k int) int { return sme[perm[k]] }
	burst, rel1, rel2 := pick(0), pick(1), pick(2)
	moved = []int{pick(3), pick(4)}
	for _, k := range perm[5:] {
		rest = append(rest, sme[k])
	}
	anchor := market.NewDate(2022, time.August, 1).Start().Add(9 * time.Hour)
	if anchor.Before(p.from.AddDate(0, 0, 30)) || anchor.After(p.to.AddDate(0, 0, -400)) {
		anchor = p.from.Add(p.to.Sub(p.from) / 3)
	}
	day := func(d int) time.Time {
		return anchor.AddDate(0, 0, d).Add(time.Duration(p.r.IntN(7*3600)) * time.Second)
	}
	ent := func(o *market.Organisation) bool {
		return o.Kind == market.KindEnterprise && o.GoodCredit && o.OperatingNormally
	}
	inst := func(o *market.Organisation) bool { return market.IsInstitution(o.Kind) }
	kinds := []func(*market.Organisation) bool{ent, inst}
	other := func() int { return rest[p.r.IntN(len(rest))] }

	for k := 0; k < 6; k++ { // clean: eligible in the round their licensor's kind belongs to
		p.add(day(2+7*k), other(), kinds[k%2], true, "effective")
	}
	for _, d := range []int{40, 43, 47, 51, 55, 59} { // burst: six deals within three weeks
		p.add(day(d), burst, nil, true, "effective")
	}
	if i := p.add(day(64), rel1, ent, true, "effective"); i >= 0 {
		p.edit(rel1, map[string]any{"legal_rep": p.licensorOf(i).LegalRep})
	}
	if i := p.add(day(68), rel2, inst, true, "effective"); i >= 0 {
		p.edit(rel2, map[string]any{"phone": p.licensorOf(i).Phone})
	}
	for k, org := range moved { // an enterprise that moved away keeps its Shanghai USCC (docs/rules.md §2.2)
		addr := fmt.Sprintf("%s%d号", []string{"江苏省苏州市工业园区星湖街", "浙江省嘉兴市南湖区亚太路"}[k], p.r.between(1, 999))
		p.edit(org, map[string]any{"district_code": "", "address": addr})
		p.add(day(72+4*k), org, kinds[k], true, "effective")
	}
	for k := 0; k < 2; k++ {
		p.add(day(80+4*k), other(), kinds[k], true, "cancelled")
		p.add(day(90+4*k), big[p.r.IntN(len(big))], kinds[k], true, "effective")
	}
	return rest, moved
}

func (p *planner) edit(org int, fields map[string]any) {
	p.plan.edits = append(p.plan.edits, orgEdit{org: org, fields: fields})
}

func (p *planner) licensorOf(i int) *market.Organisation {
	d := &p.ds.Declarations[p.plan.deals[i].decl]
	return p.ds.Org(p.ds.Patent(d.PatentID).PatenteeID)
}

// add plans a deal of licensee lee at t on a declaration published at least a day before, whose
// licensor passes want (nil: any). forced deals are paid, filed within a month and listed as list.
// It returns the deal's index, or -1 when no declaration fits.
func (p *planner) add(t time.Time, lee int, want func(*market.Organisation) bool, forced bool, list string) int {
	if !t.Before(p.to) {
		return -1
	}
	ds := p.ds
	k := sort.Search(len(p.byTime), func(i int) bool {
		return !ds.Declarations[p.byTime[i]].PublishedAt.Before(t.Add(-24 * time.Hour))
	})
	di := -1
	for try := 0; try < 60 && k > 0 && di < 0; try++ {
		i := p.byTime[p.r.IntN(k)]
		d := &ds.Declarations[i]
		pat := ds.Patent(d.PatentID)
		lic := ds.Org(pat.PatenteeID)
		if int(pat.PatenteeID-1) == lee || p.used[[2]int{i, lee}] || (want != nil && !want(lic)) ||
			!market.DeclarationStillValid(pat, d, market.DateOf(t)) {
			continue
		}
		di = i
	}
	if di < 0 {
		return -1
	}
	p.used[[2]int{di, lee}] = true
	dl := deal{decl: di, licensee: lee, at: t.Truncate(time.Microsecond)}
	p.outcome(&dl, forced, list)
	p.plan.deals = append(p.plan.deals, dl)
	return len(p.plan.deals) - 1
}

// officeHours is an instant during Shanghai office hours, days after t.
func (p *planner) officeHours(t time.Time, days int) time.Time {
	return p.r.officeHours(market.DateOf(t).AddDate(0, 0, days))
}

// outcome decides what happens after the acceptance: payment, cancellation, filing, termination.
func (p *planner) outcome(dl *deal, forced bool, list string) {
	r, to := p.r, p.to
	eff := dl.at
	if p.ds.Declarations[dl.decl].AmountDueFen() > 0 {
		recent := dl.at.After(to.AddDate(0, 0, -60))
		switch {
		case !forced && recent && r.chance(0.5):
			if r.chance(0.4) {
				if at := p.officeHours(dl.at, r.between(1, 3)); at.Before(to) {
					dl.payAt = at // recorded, waiting for the licensor
				}
			}
			return
		case !forced && r.chance(0.05):
			if at := p.officeHours(dl.at, r.between(7, 40)); at.Before(to) {
				dl.cancelAt = at
			}
			return
		}
		dl.payAt = p.officeHours(dl.at, r.between(1, 6))
		dl.confirmAt = p.officeHours(dl.payAt, r.between(1, 3))
		switch {
		case !dl.payAt.Before(to):
			dl.payAt, dl.confirmAt = time.Time{}, time.Time{}
			return
		case !dl.confirmAt.Before(to):
			dl.confirmAt = time.Time{}
			return
		}
		eff = dl.confirmAt
	}
	if forced || r.chance(0.88) {
		days := r.between(3, 80)
		if forced {
			days = r.between(5, 30)
		}
		if at := p.officeHours(eff, days); at.Before(to) {
			dl.fileAt, dl.licenseeFiles = at, r.chance(0.4)
			p.serial += r.between(1, 40)
			dl.filingNo = fmt.Sprintf("%d310000%06d", market.DateOf(at).Year(), p.serial)
			dl.listed = list
			if !forced {
				switch k := r.IntN(100); {
				case k < 3:
					dl.listed = "cancelled"
				case k < 92:
					dl.listed = "effective"
				}
			}
			if dl.listed == "cancelled" {
				dl.cancelledOn = market.DateOf(at).AddDate(0, 0, r.between(30, 200))
				if today := market.DateOf(to); dl.cancelledOn.After(today) {
					dl.cancelledOn = today
				}
			}
		}
	}
	if !forced && r.chance(0.03) {
		last := eff
		if dl.fileAt.After(last) {
			last = dl.fileAt
		}
		if at := p.officeHours(last, r.between(60, 400)); at.Before(to) {
			dl.endAt = at
		}
	}
}

// unmatched adds CNIPA entries of deals made off the platform: patents the catalogue lacks, licensed or
// transferred by demo institutions to firms outside Shanghai or between outside firms.
func (p *planner) unmatched() {
	ds, r := p.ds, p.r
	used := make(map[string]bool, len(ds.Patents))
	var inst []int
	for _, pt := range ds.Patents {
		used[strings.ReplaceAll(pt.ApplicationNo[:len(pt.ApplicationNo)-2], ".", "")] = true
	}
	for i, o := range ds.Orgs {
		if market.IsInstitution(o.Kind) {
			inst = append(inst, i)
		}
	}
	kinds := []string{market.ContractTransfer, market.ContractOrdinaryLicence, market.ContractOpenLicence}
	outside := func() string {
		return r.uscc("91", []string{"320500", "330400", "320583"}[r.IntN(3)], r.founded(2005, 2019))
	}
	for k := 0; k < 5; k++ {
		filed := r.dateBetween(market.DateOf(p.from), market.DateOf(p.to))
		f := market.Filing{Kind: kinds[k%len(kinds)], FiledOn: filed, Status: "effective",
			Patents: r.applicationNo(r.between(2016, max(2016, filed.Year()-1)), '1', used), LicenseeUSCC: outside()}
		if k%2 == 0 {
			f.Patents += ";" + r.applicationNo(r.between(2016, max(2016, filed.Year()-1)), '2', used)
		}
		if len(inst) > 0 && k < 3 {
			f.LicensorUSCC = ds.Orgs[inst[r.IntN(len(inst))]].USCC
		} else {
			f.LicensorUSCC = outside()
		}
		p.serial += r.between(1, 40)
		f.FilingNo = fmt.Sprintf("%d310000%06d", filed.Year(), p.serial)
		p.plan.others = append(p.plan.others, f)
	}
}

// Steps of a deal, in the order one deal meets them.
const (
	stepAccept = iota
	stepPay
	stepConfirm
	stepCancel
	stepFile
	stepEnd
)

type step struct {
	at   time.Time
	deal int
	kind int
}

// insertDeals runs the plan inside Load's transaction and writes CNIPA's filing list. It returns the
// contracts made and the filing entries written.
func insertDeals(ctx context.Context, s *market.Store, tx *gorm.DB, ds *Dataset, plan *dealPlan, batch int) (contracts, filings int, err error) {
	if len(plan.deals) == 0 {
		return 0, 0, nil
	}
	for _, e := range plan.edits {
		e.fields["updated_at"] = ds.Now
		if err := tx.Model(&market.Organisation{}).Where("uscc = ?", ds.Orgs[e.org].USCC).Updates(e.fields).Error; err != nil {
			return 0, 0, fmt.Errorf("edit organisation %s: %w", ds.Orgs[e.org].USCC, err)
		}
	}
	actors, err := demoUsers(tx, ds, plan, batch)
	if err != nil {
		return 0, 0, err
	}
	var steps []step
	for i, d := range plan.deals {
		for kind, at := range map[int]time.Time{stepAccept: d.at, stepPay: d.payAt, stepConfirm: d.confirmAt,
			stepCancel: d.cancelAt, stepFile: d.fileAt, stepEnd: d.endAt} {
			if !at.IsZero() {
				steps = append(steps, step{at: at, deal: i, kind: kind})
			}
		}
	}
	slices.SortFunc(steps, func(a, b step) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.deal, b.deal), cmp.Compare(a.kind, b.kind))
	})

	var clock time.Time
	ts := s.Bound(tx, func() time.Time { return clock })
	numbers := make([]string, len(plan.deals))
	payments := make([]int64, len(plan.deals))
	for _, st := range steps {
		clock = st.at
		d := &plan.deals[st.deal]
		decl := &ds.Declarations[d.decl]
		pat := ds.Patent(decl.PatentID)
		lee, lic := actors[d.licensee], actors[int(pat.PatenteeID-1)]
		no := numbers[st.deal]
		var err error
		switch st.kind {
		case stepAccept:
			var c *market.Contract
			c, _, err = ts.AcceptLicence(ctx, lee, pat.ApplicationNo, fmt.Sprintf("demo-%04d", st.deal))
			if err == nil {
				numbers[st.deal] = c.ContractNo
			}
		case stepPay:
			var pay *market.Payment
			ref := fmt.Sprintf("DEMO%s%04d", market.DateOf(st.at).Time().Format("20060102"), st.deal)
			pay, err = ts.RecordPayment(ctx, lee, no, decl.AmountDueFen(), market.DateOf(st.at), ref)
			if err == nil {
				payments[st.deal] = pay.ID
			}
		case stepConfirm:
			_, err = ts.ConfirmPayment(ctx, lic, no, payments[st.deal])
		case stepCancel:
			_, err = ts.CancelContract(ctx, lee, no, "被许可方决定不再实施该专利（演示数据）")
		case stepFile:
			filer := lic
			if d.licenseeFiles {
				filer = lee
			}
			_, err = ts.RecordFiling(ctx, filer, no, d.filingNo, market.DateOf(st.at))
		case stepEnd:
			_, err = ts.TerminateContract(ctx, lic, no, "双方协商一致提前终止许可（演示数据）")
		}
		if err != nil {
			return 0, 0, fmt.Errorf("deal %d (%s, step %d): %w", st.deal, pat.ApplicationNo, st.kind, err)
		}
	}

	list := append([]market.Filing(nil), plan.others...)
	for _, d := range plan.deals {
		if d.listed == "" {
			continue
		}
		pat := ds.Patent(ds.Declarations[d.decl].PatentID)
		list = append(list, market.Filing{FilingNo: d.filingNo, FiledOn: market.DateOf(d.fileAt), Kind: market.ContractOpenLicence,
			Patents: pat.ApplicationNo, LicensorUSCC: ds.Org(pat.PatenteeID).USCC, LicenseeUSCC: ds.Orgs[d.licensee].USCC,
			Status: d.listed, CancelledOn: d.cancelledOn})
	}
	slices.SortFunc(list, func(a, b market.Filing) int { return strings.Compare(a.FilingNo, b.FilingNo) })
	for i := range list {
		list[i].ImportedAt = ds.Now
	}
	if err := tx.CreateInBatches(list, batch).Error; err != nil {
		return 0, 0, fmt.Errorf("insert CNIPA filing list: %w", err)
	}
	return len(plan.deals), len(list), nil
}

// demoUsers creates one user per organisation taking part in a deal (the market API acts for users) and
// returns their actors by organisation index. The password is random and never shown: nobody logs in as
// them.
func demoUsers(tx *gorm.DB, ds *Dataset, plan *dealPlan, batch int) (map[int]market.Actor, error) {
	orgSet := map[int]bool{}
	for _, d := range plan.deals {
		orgSet[d.licensee] = true
		orgSet[int(ds.Patent(ds.Declarations[d.decl].PatentID).PatenteeID-1)] = true
	}
	idx := make([]int, 0, len(orgSet))
	usccs := make([]string, 0, len(orgSet))
	for i := range orgSet {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	for _, i := range idx {
		usccs = append(usccs, ds.Orgs[i].USCC)
	}
	var rows []struct {
		ID   int64
		USCC string
	}
	if err := tx.Model(&market.Organisation{}).Select("id, uscc").Where("uscc IN ?", usccs).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("look up deal parties: %w", err)
	}
	ids := make(map[string]int64, len(rows))
	for _, r := range rows {
		ids[r.USCC] = r.ID
	}
	secret := make([]byte, 24)
	rand.Read(secret)
	hash, err := argon2id.CreateHash(hex.EncodeToString(secret), market.PasswordParams)
	if err != nil {
		return nil, fmt.Errorf("hash demo password: %w", err)
	}
	users := make([]market.User, 0, len(idx))
	for _, i := range idx {
		o := &ds.Orgs[i]
		id, ok := ids[o.USCC]
		if !ok {
			return nil, fmt.Errorf("deal party %s not loaded", o.USCC)
		}
		users = append(users, market.User{OrgID: &id, Email: "demo-" + strings.ToLower(o.USCC) + "@users.example.com",
			Name: "演示账户", PasswordHash: hash, Role: market.RoleForKind(o.Kind), CreatedAt: *o.VerifiedAt})
	}
	if err := tx.CreateInBatches(users, batch).Error; err != nil {
		return nil, fmt.Errorf("insert demo users: %w", err)
	}
	actors := make(map[int]market.Actor, len(idx))
	for k, i := range idx {
		o := &ds.Orgs[i]
		actors[i] = market.Actor{UserID: users[k].ID, OrgID: *users[k].OrgID, Role: users[k].Role, OrgKind: o.Kind, OrgVerified: true}
	}
	return actors, nil
}
