// Package demo generates the demo catalogue: fictional but plausible Shanghai universities, institutes,
// hospitals and enterprises with Chinese patents of the city's leading industries, most of them offered
// under open-licence declarations, plus the walls, supermarkets and demands that show them. Generation is
// pure and deterministic (same Options, same data); Load writes a dataset into an empty database.
//
// Everything is composed from vocabulary written into this package (vocab.go, names.go, ipc.go); nothing
// is read at run time.
package demo

import (
	"math/rand/v2"
	"time"

	"patentwall/market"
)

// Defaults of the demo catalogue `patentwall serve --demo` loads.
const (
	DefaultSeed    = 1
	DefaultOrgs    = 200
	DefaultPatents = 2400
	// MinOrgs is the smallest number of patent holders Generate makes (one of each kind, and an enterprise).
	MinOrgs = 4
)

// Options choose the size and the randomness of a dataset.
type Options struct {
	Seed int64
	// Orgs is the number of patent holders (universities, institutes, hospitals, enterprises); the bureau,
	// district offices, service agencies and industry associations come on top. 0 means DefaultOrgs.
	Orgs int
	// Patents is the number of patents; 0 means DefaultPatents.
	Patents int
	// Deals is the number of open licences Load signs on the platform after loading the catalogue, with
	// their payments, filings and CNIPA's filing list (deals.go). 0 means DefaultDeals for the default
	// catalogue and none for other sizes; negative means none. Generate ignores it.
	Deals int
	// Now is the generation's "today": dates, statuses and declaration terms are relative to it. Zero
	// means ReferenceNow in Generate (so that Generate stays pure) and the store's clock in Load.
	Now time.Time
}

// ReferenceNow is the "today" of Generate when Options.Now is zero.
var ReferenceNow = time.Date(2025, time.December, 31, 4, 0, 0, 0, time.UTC)

func (o Options) withDefaults() Options {
	if o.Orgs == 0 {
		o.Orgs = DefaultOrgs
	}
	o.Orgs = max(o.Orgs, MinOrgs)
	if o.Patents <= 0 {
		o.Patents = DefaultPatents
	}
	if o.Now.IsZero() {
		o.Now = ReferenceNow
	}
	o.Now = o.Now.UTC().Truncate(time.Microsecond)
	return o
}

// Dataset is a generated catalogue, not yet stored. Rows carry provisional IDs: each one's ID is its
// position in its slice plus one, and references (PatenteeID, PatentID, OrgID, OfficeID, AgencyID) use
// those IDs, so the dataset is consistent in memory; Load maps them to the IDs the database assigns.
type Dataset struct {
	Now          time.Time
	Orgs         []market.Organisation
	Patents      []market.Patent
	Declarations []market.Declaration
	Walls        []market.Wall
	Supermarkets []market.Supermarket
	Demands      []market.Demand
	IPCTitles    []market.IPCTitle
}

// Org returns the organisation with a provisional ID.
func (ds *Dataset) Org(id int64) *market.Organisation { return &ds.Orgs[id-1] }

// Patent returns the patent with a provisional ID.
func (ds *Dataset) Patent(id int64) *market.Patent { return &ds.Patents[id-1] }

// Generate builds a dataset. It reads nothing and writes nothing; the same Options give the same data.
func Generate(opt Options) *Dataset {
	opt = opt.withDefaults()
	g := newGen(opt)
	g.makeOrgs()
	g.makePatents()
	g.makeShowcases()
	g.ds.IPCTitles = IPCTitles()
	return g.ds
}

// gen holds the state of one generation.
type gen struct {
	opt   Options
	ds    *Dataset
	now   time.Time
	today market.Date
	// launch is when the platform opened: organisations register before it, declarations follow it.
	launch time.Time
	used   map[string]bool // names, USCCs, phones, e-mails, addresses, people: each unique
	hold   []holder
	fixed  fixedOrgs
}

func newGen(opt Options) *gen {
	launch := time.Date(2022, time.January, 1, 1, 0, 0, 0, time.UTC)
	if l := opt.Now.AddDate(-1, 0, 0); l.Before(launch) {
		launch = l
	}
	return &gen{
		opt:    opt,
		ds:     &Dataset{Now: opt.Now},
		now:    opt.Now,
		today:  market.DateOf(opt.Now),
		launch: launch,
		used:   map[string]bool{},
	}
}

// rng wraps a seeded PCG stream with the helpers the generator needs. Separate streams for
// organisations, patents and showcases keep the organisations the same when only Patents changes.
type rng struct{ *rand.Rand }

func (g *gen) stream(n uint64) rng {
	return rng{rand.New(rand.NewPCG(uint64(g.opt.Seed), 0x9e3779b97f4a7c15*n))}
}

func (r rng) pick(xs []string) string { return xs[r.IntN(len(xs))] }

func (r rng) chance(p float64) bool { return r.Float64() < p }

// between returns an int in [lo, hi].
func (r rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// weighted returns an index with probability proportional to its weight.
func (r rng) weighted(ws []int) int {
	total := 0
	for _, w := range ws {
		total += w
	}
	n := r.IntN(total)
	for i, w := range ws {
		if n < w {
			return i
		}
		n -= w
	}
	return len(ws) - 1
}

// roundTo rounds v down to a multiple of step, at least step.
func roundTo(v, step int64) int64 { return max(v/step*step, step) }

// dateBetween returns a day in [a, b] (a when b is before a).
func (r rng) dateBetween(a, b market.Date) market.Date {
	days := int(b.Time().Sub(a.Time()).Hours() / 24)
	if days <= 0 {
		return a
	}
	return a.AddDate(0, 0, r.IntN(days+1))
}

// timeBetween returns an instant in [a, b), at microsecond precision like the databases.
func (r rng) timeBetween(a, b time.Time) time.Time {
	d := b.Sub(a)
	if d <= 0 {
		return a
	}
	return a.Add(time.Duration(r.Int64N(int64(d)))).Truncate(time.Microsecond)
}

// officeHours returns a working-hours instant (Shanghai) on day d.
func (r rng) officeHours(d market.Date) time.Time {
	return d.Start().Add(9*time.Hour + time.Duration(r.IntN(8*3600))*time.Second).UTC()
}

// unique calls make until it returns a value not used before (all kinds of value share one set, which is
// harmless because names, numbers and addresses never look alike). make gets the attempt number, so a
// vocabulary that runs out at huge sizes can number its values instead of looping forever.
func (g *gen) unique(make func(attempt int) string) string {
	for i := 0; ; i++ {
		if v := make(i); !g.used[v] {
			g.used[v] = true
			return v
		}
	}
}
