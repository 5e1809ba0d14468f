package bonus

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"patentwall/market"
)

// LoadInputs reads every organisation, patent, contract (with its patents) and CNIPA filing. Each table
// is one ordered query streamed into compact structures; on Postgres the queries run in parallel on
// their own connections and rows arrive in binary form (see rows.go), so a million contracts load in a
// few seconds and a few hundred megabytes.
func LoadInputs(ctx context.Context, s *market.Store) (*Inputs, error) {
	db, err := s.Gorm().DB()
	if err != nil {
		return nil, fmt.Errorf("bonus: load inputs: %w", err)
	}
	q := querier{db: db, pg: s.IsPostgres()}
	in := NewInputs()
	sizes := q.sizes(ctx)
	var (
		patentIDs []int64
		cs        contractsLoad
		links     []link
		facts     []orgFactLoad
	)
	// The estimated sizes reserve the arrays, which would otherwise grow by copying themselves.
	in.orgs = slices.Grow(in.orgs, sizes["organisations"])
	in.hist = slices.Grow(in.hist, sizes["org_facts"])
	// Organisations first: contracts and filings resolve their parties while they stream in.
	orgIDs, err := loadOrgs(ctx, q, in)
	if err != nil {
		return nil, err
	}
	orgs := newIDIndex(orgIDs)
	g, gctx := errgroup.WithContext(ctx)
	if !q.pg {
		g.SetLimit(1) // SQLite: one connection
	}
	g.Go(func() (err error) { patentIDs, err = loadPatents(gctx, q, in, sizes["patents"]); return })
	g.Go(func() (err error) { cs, err = loadContracts(gctx, q, orgs, sizes["contracts"]); return })
	g.Go(func() (err error) { links, err = loadLinks(gctx, q, sizes["contract_patents"]); return })
	g.Go(func() error { return loadFilings(gctx, q, in, sizes["filings"]) })
	g.Go(func() (err error) { facts, err = loadFactHistory(gctx, q, orgs, sizes["org_facts"]); return })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, f := range facts {
		in.addFact(f.org, f.FactEntry)
	}
	if err := in.attach(cs, links, patentIDs); err != nil {
		return nil, err
	}
	return in, nil
}

// arena collects many short strings into one block: a million contract numbers become one allocation
// the garbage collector sees once, instead of a million.
type arena struct {
	b    strings.Builder
	ends []uint32
	// expect is how many strings are coming (0: unknown). After the first arenaSample strings the block
	// is grown once to hold them all at their average length: growing it by doubling copied every
	// string several times, a fifth of a bonus run's load.
	expect int
}

// arenaSample is how many strings an arena sees before it sizes its block (arena.expect).
const arenaSample = 1024

func newArena(expect int) arena {
	return arena{ends: make([]uint32, 0, expect), expect: expect}
}

func (a *arena) add(p []byte) {
	if len(a.ends) == arenaSample && a.expect > arenaSample {
		// The average so far, and an eighth more for the rows that are longer.
		a.b.Grow(a.b.Len() / arenaSample * (a.expect - arenaSample) * 9 / 8)
	}
	a.b.Write(p)
	a.ends = append(a.ends, uint32(a.b.Len()))
}

// each calls fn with the strings added, in order; they share the arena's memory.
func (a *arena) each(fn func(i int, s string)) {
	s := a.b.String()
	start := uint32(0)
	for i, e := range a.ends {
		fn(i, s[start:e])
		start = e
	}
}

// idIndex maps database IDs (ascending) to positions: by a dense table when the IDs are about 1…n, as
// they are in practice, else by binary search.
type idIndex struct {
	ids   []int64
	dense []int32 // dense[id] = position + 1, 0 = absent
}

func newIDIndex(ids []int64) idIndex {
	x := idIndex{ids: ids}
	if n := len(ids); n > 0 && ids[0] >= 0 && ids[n-1] < int64(4*n+1024) {
		x.dense = make([]int32, ids[n-1]+1)
		for i, id := range ids {
			x.dense[id] = int32(i) + 1
		}
	}
	return x
}

func (x idIndex) of(id int64) (int32, bool) {
	if x.dense != nil {
		if id < 0 || id >= int64(len(x.dense)) || x.dense[id] == 0 {
			return 0, false
		}
		return x.dense[id] - 1, true
	}
	i, ok := slices.BinarySearch(x.ids, id)
	return int32(i), ok
}

func loadOrgs(ctx context.Context, q querier, in *Inputs) ([]int64, error) {
	var ids []int64
	err := q.each(ctx, "organisations", `SELECT id, uscc, name, kind, district_code, address, legal_rep, phone, email,
		founded_on, is_sme, operating_normally, good_credit FROM organisations ORDER BY id`, func(r row) error {
		ids = append(ids, r.int64(0))
		in.AddOrg(OrgFacts{USCC: r.str(1), Name: r.str(2), Kind: r.str(3), DistrictCode: r.str(4), Address: r.str(5),
			LegalRep: r.str(6), Phone: r.str(7), Email: r.str(8), FoundedOn: r.day(9).date(), IsSME: r.bool(10),
			OperatingNormally: r.bool(11), GoodCredit: r.bool(12)})
		return nil
	})
	return ids, err
}

type orgFactLoad struct {
	org int32
	FactEntry
}

// loadFactHistory reads the organisations' fact histories (docs/rules.md §3), in the order recorded.
func loadFactHistory(ctx context.Context, q querier, orgs idIndex, size int) ([]orgFactLoad, error) {
	out := make([]orgFactLoad, 0, size)
	err := q.each(ctx, "organisation facts", `SELECT org_id, fact, value, valid_from, valid_to, known_from, confirmed
		FROM org_facts ORDER BY org_id, id`, func(r row) error {
		oi, ok := orgs.of(r.int64(0))
		if !ok {
			return fmt.Errorf("a fact names an unknown organisation")
		}
		out = append(out, orgFactLoad{oi, FactEntry{Fact: r.str(1), Value: r.str(2), ValidFrom: r.day(3).date(),
			ValidTo: r.day(4).date(), KnownFrom: r.day(5).date(), Confirmed: r.bool(6)}})
		return nil
	})
	return out, err
}

func loadPatents(ctx context.Context, q querier, in *Inputs, size int) ([]int64, error) {
	ids := make([]int64, 0, size)
	nos := newArena(size)
	err := q.each(ctx, "patents", `SELECT id, application_no FROM patents ORDER BY id`, func(r row) error {
		ids = append(ids, r.int64(0))
		nos.add(r.bytes(1))
		return nil
	})
	in.patents = make([]string, len(nos.ends))
	nos.each(func(i int, s string) { in.patents[i] = s })
	return ids, err
}

// contractsLoad is the contracts table in ID order.
type contractsLoad struct {
	cs      []contract
	ids     []int64
	strings arena // contract_no, filing_no of each contract
}

func loadContracts(ctx context.Context, q querier, orgs idIndex, size int) (contractsLoad, error) {
	l := contractsLoad{cs: make([]contract, 0, size), ids: make([]int64, 0, size), strings: newArena(2 * size)}
	err := q.each(ctx, "contracts", `SELECT id, contract_no, kind, status, licensor_id, licensee_id, fee_fen,
		effective_at, effective_on, filing_no, filed_on, ended_at FROM contracts ORDER BY id`, func(r row) error {
		c := contract{kind: kindCode(string(r.bytes(2))), status: statusCode(string(r.bytes(3))), feeFen: r.int64(6),
			eff: r.day(8), filed: r.day(10), ended: r.instantDay(11)}
		if d := r.instantDay(7); d != noDay {
			c.eff = d // the instant decides the Shanghai day when known
		}
		var ok1, ok2 bool
		c.licensor, ok1 = orgs.of(r.int64(4))
		c.licensee, ok2 = orgs.of(r.int64(5))
		if !ok1 || !ok2 {
			return fmt.Errorf("contract %s names an unknown organisation", r.bytes(1))
		}
		l.cs = append(l.cs, c)
		l.ids = append(l.ids, r.int64(0))
		l.strings.add(r.bytes(1))
		l.strings.add(r.bytes(9))
		return nil
	})
	return l, err
}

type link struct {
	contractID int64
	patentID   int64
}

func loadLinks(ctx context.Context, q querier, size int) ([]link, error) {
	out := make([]link, 0, size)
	err := q.each(ctx, "contract patents", `SELECT contract_id, patent_id FROM contract_patents ORDER BY contract_id, patent_id`,
		func(r row) error {
			out = append(out, link{r.int64(0), r.int64(1)})
			return nil
		})
	return out, err
}

// loadFilings reads CNIPA's list, resolving each party's USCC to an organisation as it goes.
func loadFilings(ctx context.Context, q querier, in *Inputs, size int) error {
	fs := make([]filing, 0, size)
	strs := newArena(2 * size) // filing_no, patents of each entry
	var extra arena            // the USCCs unknown to the platform, in the order met (Inputs.partyOf)
	base := len(in.extraUSCC)
	party := func(uscc []byte) int32 {
		if i, ok := in.orgByUSCC[string(uscc)]; ok {
			return i
		}
		extra.add(uscc)
		return unknownParty(base + len(extra.ends) - 1)
	}
	err := q.each(ctx, "filings", `SELECT filing_no, filed_on, kind, patents, licensor_uscc, licensee_uscc, status,
		cancelled_on FROM filings`, func(r row) error {
		fs = append(fs, filing{filed: r.day(1), kind: kindCode(string(r.bytes(2))), cancelled: r.day(7),
			licensor: party(r.bytes(4)), licensee: party(r.bytes(5)), status: filingStatus(r.bytes(6))})
		strs.add(r.bytes(0))
		strs.add(r.bytes(3))
		return nil
	})
	in.extraUSCC = slices.Grow(in.extraUSCC, len(extra.ends))
	extra.each(func(_ int, s string) { in.extraUSCC = append(in.extraUSCC, s) })
	strs.each(func(i int, s string) {
		if i%2 == 0 {
			fs[i/2].no = s
		} else {
			fs[i/2].patents = s
		}
	})
	in.filings = fs
	return err
}

// attach resolves the contracts' patents to indexes; contracts and links are in contract-ID order.
func (in *Inputs) attach(l contractsLoad, links []link, patentIDs []int64) error {
	l.strings.each(func(i int, s string) {
		if i%2 == 0 {
			l.cs[i/2].no = s
		} else {
			l.cs[i/2].filingNo = s
		}
	})
	in.contracts = l.cs
	in.cpat = make([]int32, 0, len(links))
	patents := newIDIndex(patentIDs)
	j := 0
	for i := range in.contracts {
		c := &in.contracts[i]
		id := l.ids[i]
		for j < len(links) && links[j].contractID < id {
			j++
		}
		c.pStart = int32(len(in.cpat))
		for ; j < len(links) && links[j].contractID == id; j++ {
			p, ok := patents.of(links[j].patentID)
			if !ok {
				return fmt.Errorf("bonus: contract %s names an unknown patent", c.no)
			}
			in.cpat = append(in.cpat, p)
		}
		c.pEnd = int32(len(in.cpat))
		if ps := in.cpat[c.pStart:c.pEnd]; len(ps) > 1 {
			slices.SortFunc(ps, func(a, b int32) int { return strings.Compare(in.patents[a], in.patents[b]) })
		}
	}
	in.prepared = false
	return nil
}

// querier runs the loading queries: through pgx in binary on Postgres, through database/sql otherwise.
type querier struct {
	db *sql.DB
	pg bool
}

// sizes are the planner's row estimates on Postgres (after ANALYZE, close to exact), used to size the
// slices up front instead of growing them by doubling; 0 when unknown.
func (q querier) sizes(ctx context.Context) map[string]int {
	out := map[string]int{}
	if !q.pg {
		return out
	}
	rows, err := q.db.QueryContext(ctx, `SELECT relname, reltuples FROM pg_class
		WHERE relname IN ('organisations', 'org_facts', 'patents', 'contracts', 'contract_patents', 'filings')
		AND relkind = 'r'`)
	if err != nil {
		return out
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var n float64
		if rows.Scan(&name, &n) == nil && n > 0 && n < 1e9 {
			out[name] = int(n * 1.02)
		}
	}
	return out
}

func (q querier) each(ctx context.Context, what, query string, fn func(row) error) error {
	var err error
	if q.pg {
		err = eachPg(ctx, q.db, query, fn)
	}
	if !q.pg || errors.Is(err, errNoPgx) { // another Postgres driver still works, only slower
		err = eachSQL(ctx, q.db, query, fn)
	}
	if err != nil {
		return fmt.Errorf("bonus: load %s: %w", what, err)
	}
	return nil
}
