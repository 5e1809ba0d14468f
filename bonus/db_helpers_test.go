package bonus_test

import (
	"context"
	"testing"
	"time"

	"patentwall/market"
)

// dbWorld writes facts straight into the market tables, as the platform or an import would.
type dbWorld struct {
	t    *testing.T
	s    *market.Store
	orgs map[string]int64
	pats map[string]int64
	now  time.Time
}

func newDBWorld(t *testing.T, s *market.Store) *dbWorld {
	return &dbWorld{t: t, s: s, orgs: map[string]int64{}, pats: map[string]int64{}, now: time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)}
}

func (w *dbWorld) org(uscc, kind, district string, sme bool) *market.Organisation {
	w.t.Helper()
	o := &market.Organisation{USCC: uscc, Name: "单位" + uscc, Kind: kind, DistrictCode: district, IsSME: sme,
		OperatingNormally: true, GoodCredit: true, FoundedOn: d("2010-01-01"), LegalRep: "法人" + uscc,
		CreatedAt: w.now, UpdatedAt: w.now}
	if err := w.s.Gorm().Create(o).Error; err != nil {
		w.t.Fatal(err)
	}
	w.orgs[uscc] = o.ID
	return o
}

func (w *dbWorld) patent(appNo, holder string) int64 {
	w.t.Helper()
	p := &market.Patent{ApplicationNo: appNo, Type: "invention", Title: "专利" + appNo, PatenteeID: w.orgs[holder],
		Status: market.StatusGranted, Industry: "人工智能", CreatedAt: w.now, UpdatedAt: w.now}
	if err := w.s.Gorm().Create(p).Error; err != nil {
		w.t.Fatal(err)
	}
	w.pats[appNo] = p.ID
	return p.ID
}

// contract writes an effective contract and, when filingNo is set, its matching CNIPA filing entry.
func (w *dbWorld) contract(no, kind, licensor, licensee string, effectiveAt time.Time, filingNo string, patents ...string) *market.Contract {
	w.t.Helper()
	c := &market.Contract{ContractNo: no, Kind: kind, Source: "platform", LicensorID: w.orgs[licensor],
		LicenseeID: w.orgs[licensee], Status: market.ContractEffective, FeeFen: 100000, SignedOn: market.DateOf(effectiveAt),
		EffectiveAt: &effectiveAt, EffectiveOn: market.DateOf(effectiveAt), FilingNo: filingNo, CreatedAt: w.now, UpdatedAt: w.now}
	if filingNo != "" {
		c.FiledOn = market.DateOf(effectiveAt).AddDate(0, 0, 20)
	}
	if err := w.s.Gorm().Create(c).Error; err != nil {
		w.t.Fatal(err)
	}
	for _, p := range patents {
		if err := w.s.Gorm().Create(&market.ContractPatent{ContractID: c.ID, PatentID: w.pats[p]}).Error; err != nil {
			w.t.Fatal(err)
		}
	}
	if filingNo != "" {
		f := &market.Filing{FilingNo: filingNo, FiledOn: c.FiledOn, Kind: kind, Patents: join(patents),
			LicensorUSCC: licensor, LicenseeUSCC: licensee, Status: "effective", ImportedAt: w.now}
		if err := w.s.Gorm().Create(f).Error; err != nil {
			w.t.Fatal(err)
		}
	}
	return c
}

func (w *dbWorld) exec(sql string, args ...any) {
	w.t.Helper()
	if err := w.s.Gorm().Exec(sql, args...).Error; err != nil {
		w.t.Fatal(err)
	}
}

var ctx = context.Background()

var bureau = market.Actor{UserID: 7, Role: market.RoleBureau}
