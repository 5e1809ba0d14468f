package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"patentwall/market"
)

// load fills the database with COPY through the pgx connection under database/sql.
func load(ctx context.Context, db *sql.DB, n int) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		g := newGenerator(n)
		steps := []struct {
			table string
			cols  []string
			rows  func() [][]any
		}{
			{"organisations", []string{"id", "uscc", "name", "kind", "district_code", "address", "legal_rep", "phone", "email",
				"founded_on", "is_sme", "sme_confirmed", "operating_normally", "good_credit", "created_at", "updated_at"}, g.orgRows},
			{"org_facts", []string{"org_id", "fact", "value", "valid_from", "known_from", "confirmed", "source", "recorded_at"}, g.factRows},
			{"patents", []string{"id", "application_no", "type", "title", "patentee_id", "status", "industry", "created_at", "updated_at"}, g.patentRows},
			{"contracts", []string{"id", "contract_no", "kind", "source", "licensor_id", "licensee_id", "status", "fee_fen",
				"signed_on", "effective_at", "effective_on", "filing_no", "filed_on", "ended_at", "created_at", "updated_at"}, g.contractRows},
			{"contract_patents", []string{"contract_id", "patent_id"}, g.linkRows},
			{"filings", []string{"filing_no", "filed_on", "kind", "patents", "licensor_uscc", "licensee_uscc", "status",
				"cancelled_on", "imported_at"}, g.filingRows},
		}
		for _, st := range steps {
			rows := st.rows()
			if _, err := pc.CopyFrom(ctx, pgx.Identifier{st.table}, st.cols, pgx.CopyFromRows(rows)); err != nil {
				return fmt.Errorf("copy %s: %w", st.table, err)
			}
			fmt.Printf("  %-16s %9d rows\n", st.table, len(rows))
			rows = nil
		}
		for _, t := range []string{"organisations", "patents", "contracts"} {
			if _, err := pc.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT MAX(id) FROM %s))", t, t)); err != nil {
				return err
			}
		}
		_, err := pc.Exec(ctx, "ANALYZE")
		return err
	})
}

// generator makes a realistic mix: most deals are open licences between Shanghai parties, a fifth of
// licensees are not SMEs or not in Shanghai, some deals are unfiled, cancelled or outside 2022, and a
// few share contacts (related parties).
type generator struct {
	rng       *rand.Rand
	n         int
	now       time.Time
	orgs      []orgGen
	holders   []int // org index of each patent's holder
	byHolder  map[int][]int
	contracts []contractGen
}

type orgGen struct {
	uscc, kind, district string
	sme, normal, credit  bool
	founded              market.Date
	rep                  string
}

type contractGen struct {
	no                 string
	kind, status       string
	licensor, licensee int
	patents            []int
	eff                time.Time
	filingNo           string
	filed              market.Date
}

func newGenerator(n int) *generator {
	return &generator{rng: rand.New(rand.NewPCG(2022, 4)), n: n, now: time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC), byHolder: map[int][]int{}}
}

func usccFor(prefix string, serial int) string {
	body := fmt.Sprintf("%08d", serial)
	c17, _ := market.OrgCodeCheckChar(body)
	first := prefix + body + string(c17)
	c18, _ := market.USCCCheckChar(first)
	return first + string(c18)
}

func (g *generator) orgRows() [][]any {
	nOrgs := max(100, g.n/40)
	districts := market.Districts()
	var rows [][]any
	for i := 0; i < nOrgs; i++ {
		o := orgGen{kind: market.KindEnterprise, normal: g.rng.IntN(100) < 98, credit: g.rng.IntN(100) < 98,
			founded: market.NewDate(2000+g.rng.IntN(23), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28)), rep: fmt.Sprintf("代表%d", i)}
		prefix := "91"
		switch {
		case i%50 == 0:
			o.kind, prefix = market.KindUniversity, "12"
		case i%50 == 1:
			o.kind, prefix = market.KindInstitute, "12"
		case i%50 == 2:
			o.kind, prefix = market.KindHospital, "12"
		default:
			o.sme = g.rng.IntN(100) < 75
		}
		if g.rng.IntN(100) < 88 || o.kind != market.KindEnterprise {
			o.district = districts[g.rng.IntN(len(districts))].Code
		}
		if i > 0 && g.rng.IntN(200) == 0 {
			o.rep = g.orgs[i-1].rep // a related party
		}
		o.uscc = usccFor(prefix+"310000", 10_000_000+i)
		g.orgs = append(g.orgs, o)
		rows = append(rows, []any{int64(i + 1), o.uscc, fmt.Sprintf("上海样例%d有限公司", i), o.kind, o.district,
			fmt.Sprintf("上海市某区某路%d号", i), o.rep, fmt.Sprintf("021-%08d", 60000000+i), fmt.Sprintf("ip%d@example.cn", i),
			o.founded.Time(), o.sme, o.sme, o.normal, o.credit, g.now, g.now})
	}
	return rows
}

// factRows are the organisations' fact histories (docs/rules.md §3): the facts of each, known from the
// start, and for one in ten a dated change of SME status learned later, so that runs resolve facts by
// the deal's day for their deals.
func (g *generator) factRows() [][]any {
	rng := rand.New(rand.NewPCG(2022, 19)) // its own: the other tables stay as they were before the histories
	var rows [][]any
	for i, o := range g.orgs {
		id := int64(i + 1)
		for _, f := range []struct {
			fact  string
			value string
		}{{market.FactSME, fmt.Sprint(o.sme)}, {market.FactDistrict, o.district}, {market.FactOperating, fmt.Sprint(o.normal)},
			{market.FactCredit, fmt.Sprint(o.credit)}} {
			rows = append(rows, []any{id, f.fact, f.value, nil, nil, true, market.FactSourceImport, g.now})
		}
		if i%10 == 5 && o.kind == market.KindEnterprise {
			from := market.NewDate(2022, time.Month(1+rng.IntN(12)), 1+rng.IntN(28))
			rows = append(rows, []any{id, market.FactSME, fmt.Sprint(!o.sme), from.Time(), from.AddDate(0, 2, 0).Time(), true,
				market.FactSourceImport, g.now})
		}
	}
	return rows
}

func appNo(serial int) string {
	digits := fmt.Sprintf("%04d1%07d", 2010+serial%12, serial)
	c, _ := market.ApplicationCheckChar(digits)
	return digits + "." + string(c)
}

func (g *generator) patentRows() [][]any {
	nPatents := g.n * 2 / 5
	var rows [][]any
	for i := 0; i < nPatents; i++ {
		// a third of the patents belong to universities, institutes and hospitals
		h := g.rng.IntN(len(g.orgs))
		if g.rng.IntN(3) == 0 {
			h = (h / 50) * 50 // every 50th org (and the next two) is an institution
			h += g.rng.IntN(3)
			h = min(h, len(g.orgs)-1)
		}
		g.holders = append(g.holders, h)
		g.byHolder[h] = append(g.byHolder[h], i)
		rows = append(rows, []any{int64(i + 1), appNo(i), "invention", fmt.Sprintf("一种样例装置%d", i), int64(h + 1), "granted", "人工智能", g.now, g.now})
	}
	return rows
}

func (g *generator) contractRows() [][]any {
	perm := g.rng.Perm(g.n) // contract numbers in another order than IDs
	var rows [][]any
	for i := 0; i < g.n; i++ {
		p := g.rng.IntN(len(g.holders))
		lic := g.holders[p]
		ps := []int{p}
		if k := g.rng.IntN(100); k < 15 && len(g.byHolder[lic]) > 2 {
			for len(ps) < 2+k%2 {
				q := g.byHolder[lic][g.rng.IntN(len(g.byHolder[lic]))]
				if !slices.Contains(ps, q) {
					ps = append(ps, q)
				}
			}
		}
		lee := g.rng.IntN(len(g.orgs))
		for lee == lic || g.orgs[lee].kind != market.KindEnterprise {
			lee = g.rng.IntN(len(g.orgs))
		}
		c := contractGen{no: fmt.Sprintf("PW%09d", perm[i]), licensor: lic, licensee: lee, patents: ps,
			eff: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.rng.Int64N(int64(3 * 365 * 24 * time.Hour))))}
		switch k := g.rng.IntN(100); {
		case k < 60:
			c.kind = market.ContractOpenLicence
		case k < 85:
			c.kind = market.ContractOrdinaryLicence
		case k < 90:
			c.kind = market.ContractExclusiveLicence
		default:
			c.kind = market.ContractTransfer
		}
		var ended any
		switch k := g.rng.IntN(100); {
		case k < 90:
			c.status = market.ContractEffective
		case k < 94:
			c.status = market.ContractFiled
		case k < 97:
			c.status, ended = market.ContractTerminated, c.eff.AddDate(0, 6, 0)
		case k < 99:
			c.status, ended = market.ContractCancelled, c.eff.AddDate(0, 2, 0)
		default:
			c.status = market.ContractAwaitingPayment
		}
		var filingNo, filed any = "", nil
		if g.rng.IntN(100) < 85 && c.status != market.ContractAwaitingPayment {
			c.filingNo = fmt.Sprintf("%04d31%09d", c.eff.Year(), i)
			c.filed = market.DateOf(c.eff).AddDate(0, 1, 0)
			filingNo, filed = c.filingNo, c.filed.Time()
		}
		var effAt, effOn any
		if c.status != market.ContractAwaitingPayment {
			effAt, effOn = c.eff, market.DateOf(c.eff).Time()
		}
		g.contracts = append(g.contracts, c)
		rows = append(rows, []any{int64(i + 1), c.no, c.kind, "platform", int64(lic + 1), int64(lee + 1), c.status,
			int64(g.rng.IntN(5) * 100000), market.DateOf(c.eff).AddDate(0, 0, -3).Time(), effAt, effOn, filingNo, filed, ended, g.now, g.now})
	}
	return rows
}

func (g *generator) linkRows() [][]any {
	var rows [][]any
	for i, c := range g.contracts {
		for _, p := range c.patents {
			rows = append(rows, []any{int64(i + 1), int64(p + 1)})
		}
	}
	return rows
}

func (g *generator) filingRows() [][]any {
	var rows [][]any
	for i, c := range g.contracts {
		if c.filingNo == "" {
			continue
		}
		nos := make([]string, len(c.patents))
		for k, p := range c.patents {
			nos[k] = appNo(p)
		}
		lic, lee := g.orgs[c.licensor].uscc, g.orgs[c.licensee].uscc
		status, cancelled := "effective", any(nil)
		switch k := g.rng.IntN(100); {
		case k < 3:
			status, cancelled = "cancelled", c.filed.AddDate(0, 4, 0).Time()
		case k < 5:
			lee = g.orgs[(c.licensee+1)%len(g.orgs)].uscc // CNIPA names another licensee: no match
		}
		rows = append(rows, []any{c.filingNo, c.filed.Time(), c.kind, strings.Join(nos, ";"), lic, lee, status, cancelled, g.now})
		if i%10 == 0 { // deals made elsewhere
			rows = append(rows, []any{fmt.Sprintf("EX%09d", i), c.filed.Time(), "ordinary_licence", appNo(g.n + i), usccFor("91440000", i),
				usccFor("91440000", i+1), "effective", nil, g.now})
		}
	}
	return rows
}
