package bonus

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"

	"patentwall/market"
)

// day is a Shanghai calendar day as days since 1970-01-01; compact and quick to compare.
type day int32

// noDay marks an unknown date.
const noDay day = math.MinInt32

func dayOf(d market.Date) day {
	if d.IsZero() {
		return noDay
	}
	return day(d.Time().Unix() / 86400)
}

// dayOfInstant is the Shanghai calendar day of an instant.
func dayOfInstant(t time.Time) day { return dayOf(market.DateOf(t)) }

func (d day) date() market.Date {
	if d == noDay {
		return market.Date{}
	}
	return market.NewDate(1970, time.January, 1+int(d))
}

// contract kinds and statuses as small integers.
const (
	kindOther uint8 = iota
	kindOpen
	kindOrdinary
	kindSole
	kindExclusive
	kindTransfer
)

func kindCode(s string) uint8 {
	switch s {
	case market.ContractOpenLicence:
		return kindOpen
	case market.ContractOrdinaryLicence:
		return kindOrdinary
	case market.ContractSoleLicence:
		return kindSole
	case market.ContractExclusiveLicence:
		return kindExclusive
	case market.ContractTransfer:
		return kindTransfer
	}
	return kindOther
}

var kindNames = [...]string{"", market.ContractOpenLicence, market.ContractOrdinaryLicence, market.ContractSoleLicence,
	market.ContractExclusiveLicence, market.ContractTransfer}

const (
	statusOther uint8 = iota
	statusAwaiting
	statusEffective
	statusFiled
	statusTerminated
	statusCancelled
)

func statusCode(s string) uint8 {
	switch s {
	case market.ContractAwaitingPayment:
		return statusAwaiting
	case market.ContractEffective:
		return statusEffective
	case market.ContractFiled:
		return statusFiled
	case market.ContractTerminated:
		return statusTerminated
	case market.ContractCancelled:
		return statusCancelled
	}
	return statusOther
}

var statusNames = [...]string{"", market.ContractAwaitingPayment, market.ContractEffective, market.ContractFiled,
	market.ContractTerminated, market.ContractCancelled}

// OrgFacts are the facts about an organisation a run uses (docs/rules.md §3, §9.2).
type OrgFacts struct {
	USCC              string
	Name              string
	Kind              string
	DistrictCode      string // "" = outside Shanghai
	OperatingNormally bool
	GoodCredit        bool
	IsSME             bool
	FoundedOn         market.Date
	LegalRep          string
	Phone             string
	Email             string
	Address           string
}

type org struct {
	OrgFacts
	founded day
	// normalised contact facts for the related-party flag ("" = unknown, never matches)
	nRep, nPhone, nEmail, nAddr string
	// its fact history: Inputs.hist[hStart:hEnd] after prepare. dated: some entry is bounded in time or
	// learned on a day, so the facts depend on the deal's day and the as-of day; otherwise they are
	// static, computed once in prepare.
	hStart, hEnd int32
	dated        bool
	static       factSet
}

// FactEntry is one entry of an organisation's fact history (market.OrgFact; docs/rules.md §3): zero
// dates are open (in force from the start, until further notice, known from the start).
type FactEntry struct {
	Fact                          string // market.FactSME, FactDistrict, FactOperating, FactCredit
	Value                         string
	ValidFrom, ValidTo, KnownFrom market.Date
	Confirmed                     bool
}

// The facts a run judges, as bits of a factSet: set when the fact counts in the organisation's favour.
type factSet uint8

const (
	factSME       factSet = 1 << iota // a confirmed SME
	factShanghai                      // registered in a Shanghai district
	factOperating                     // operating normally (存续)
	factCredit                        // of good credit
	factAll       = factSME | factShanghai | factOperating | factCredit
)

var factNames = [...]string{market.FactSME, market.FactDistrict, market.FactOperating, market.FactCredit}

type factEntry struct {
	org             int32
	fact            factSet // one bit
	ok              bool    // the entry says the fact holds (a self-declared SME status does not)
	from, to, known day     // noDay = open
	FactEntry
}

// rowFacts are the organisation's current facts, used for a fact without any history entry.
func (o *org) rowFacts() factSet {
	var f factSet
	if o.IsSME {
		f |= factSME
	}
	if o.DistrictCode != "" {
		f |= factShanghai
	}
	if o.OperatingNormally {
		f |= factOperating
	}
	if o.GoodCredit {
		f |= factCredit
	}
	return f
}

// factsAt are the organisation's facts in force on day d as known on day asOf: for each fact the entry
// covering d learned last (the later entry on a tie), its current row value when it has no entry at all.
func (in *Inputs) factsAt(oi int32, d, asOf day) factSet {
	o := &in.orgs[oi]
	if !o.dated {
		return o.static
	}
	return in.resolveFacts(oi, d, asOf)
}

func (in *Inputs) resolveFacts(oi int32, d, asOf day) factSet {
	o := &in.orgs[oi]
	var seen, out factSet
	var best [len(factNames)]int32
	for k := range best {
		best[k] = -1
	}
	hs := in.hist[o.hStart:o.hEnd]
	for i := range hs {
		h := &hs[i]
		seen |= h.fact
		if (h.known != noDay && h.known > asOf) || (h.from != noDay && h.from > d) || (h.to != noDay && h.to < d) {
			continue
		}
		k := bits.TrailingZeros8(uint8(h.fact))
		if best[k] < 0 || h.known >= hs[best[k]].known {
			best[k] = int32(i)
		}
	}
	for k, b := range best {
		if b >= 0 && hs[b].ok {
			out |= 1 << k
		}
	}
	return out | in.orgs[oi].rowFacts()&^seen
}

// ContractFacts are the facts about a contract a run uses. Patents are application numbers.
type ContractFacts struct {
	ContractNo   string
	Kind         string
	Status       string
	LicensorUSCC string
	LicenseeUSCC string
	Patents      []string
	// EffectiveAt is the instant the contract took effect (its Shanghai day counts); EffectiveOn is used
	// when the instant is unknown (imported deals).
	EffectiveAt *time.Time
	EffectiveOn market.Date
	FilingNo    string
	FiledOn     market.Date
	// EndedAt is when a terminated or cancelled contract ended (nil = unknown: ended at any as-of).
	EndedAt *time.Time
	FeeFen  int64
}

type contract struct {
	no           string
	filingNo     string
	feeFen       int64
	licensor     int32 // index into orgs
	licensee     int32
	pStart, pEnd int32 // its patents: cpat[pStart:pEnd], sorted by application number
	eff          day
	filed        day
	ended        day
	kind         uint8
	status       uint8
}

// filing is one entry of CNIPA's list. Parties are organisation indexes, or -1-k for the k-th USCC
// unknown to the platform (in Inputs.extraUSCC): most of the list names deals made elsewhere.
type filing struct {
	no                 string
	patents            string // canonical application numbers separated by ";"
	licensor, licensee int32
	filed, cancelled   day
	kind               uint8
	status             uint8 // filingEffective, filingCancelled or filingOther
}

const (
	filingEffective uint8 = iota
	filingCancelledSt
	filingOtherSt
)

func filingStatus(b []byte) uint8 {
	switch string(b) {
	case "effective":
		return filingEffective
	case "cancelled":
		return filingCancelledSt
	}
	return filingOtherSt
}

// Inputs are the facts a run evaluates: organisations, patents, contracts and CNIPA's filing list.
// LoadInputs reads them from the database; tests build them with the Add methods. The structures are
// compact (indexes, not pointers; strings cut from a few large blocks) because a run holds a million
// contracts in memory.
type Inputs struct {
	orgs      []org
	orgByUSCC map[string]int32
	extraUSCC []string // USCCs of CNIPA's list unknown to the platform, one per occurrence (partyOf)
	patents   []string // application numbers
	patByNo   map[string]int32
	contracts []contract
	cpat      []int32
	filings   []filing
	hist      []factEntry // the organisations' fact histories, in the order added (grouped by prepare)

	prepared bool
	order    []int32 // contract indexes sorted by contract number
	rank     []int32 // rank[contract index] = position in order
	orgOrder []int32 // organisation indexes sorted by USCC
	orgRank  []int32 // orgRank[org index] = position in orgOrder
	// filingOf[contract index] is the index of the entry of CNIPA's list with the contract's filing
	// number, -1 when none
	filingOf []int32
}

// NewInputs returns empty inputs.
func NewInputs() *Inputs {
	return &Inputs{orgByUSCC: map[string]int32{}, patByNo: map[string]int32{}}
}

func normContact(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}

func normPhone(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() < 5 { // too short to identify anyone
		return ""
	}
	return b.String()
}

// AddOrg adds an organisation (a later one with the same USCC replaces it).
func (in *Inputs) AddOrg(f OrgFacts) {
	o := org{OrgFacts: f, founded: dayOf(f.FoundedOn), nRep: normContact(f.LegalRep), nPhone: normPhone(f.Phone),
		nEmail: normContact(f.Email), nAddr: normContact(f.Address)}
	if i, ok := in.orgByUSCC[f.USCC]; ok {
		in.orgs[i] = o
		return
	}
	in.orgByUSCC[f.USCC] = int32(len(in.orgs))
	in.orgs = append(in.orgs, o)
	in.prepared = false
}

func (in *Inputs) patentIndex(appNo string) int32 {
	if i, ok := in.patByNo[appNo]; ok {
		return i
	}
	i := int32(len(in.patents))
	in.patents = append(in.patents, appNo)
	in.patByNo[appNo] = i
	return i
}

// AddOrgFact adds an entry to an organisation's fact history (later entries win ties); the
// organisation must have been added.
func (in *Inputs) AddOrgFact(uscc string, f FactEntry) error {
	oi, ok := in.orgByUSCC[uscc]
	if !ok {
		return fmt.Errorf("bonus: fact history of unknown organisation %s", uscc)
	}
	in.addFact(oi, f)
	return nil
}

func (in *Inputs) addFact(oi int32, f FactEntry) {
	h := factEntry{org: oi, from: dayOf(f.ValidFrom), to: dayOf(f.ValidTo), known: dayOf(f.KnownFrom), FactEntry: f}
	switch f.Fact {
	case market.FactSME:
		h.fact, h.ok = factSME, f.Value == "true" && f.Confirmed
	case market.FactDistrict:
		h.fact, h.ok = factShanghai, f.Value != ""
	case market.FactOperating:
		h.fact, h.ok = factOperating, f.Value == "true"
	case market.FactCredit:
		h.fact, h.ok = factCredit, f.Value == "true"
	default:
		return // a fact no run judges
	}
	in.hist = append(in.hist, h)
	in.prepared = false
}

// AddContract adds a contract; both parties must have been added.
func (in *Inputs) AddContract(f ContractFacts) error {
	lic, ok := in.orgByUSCC[f.LicensorUSCC]
	if !ok {
		return fmt.Errorf("bonus: contract %s: unknown licensor %s", f.ContractNo, f.LicensorUSCC)
	}
	lee, ok := in.orgByUSCC[f.LicenseeUSCC]
	if !ok {
		return fmt.Errorf("bonus: contract %s: unknown licensee %s", f.ContractNo, f.LicenseeUSCC)
	}
	c := contract{no: f.ContractNo, filingNo: f.FilingNo, feeFen: f.FeeFen, licensor: lic, licensee: lee,
		kind: kindCode(f.Kind), status: statusCode(f.Status), eff: dayOf(f.EffectiveOn), filed: dayOf(f.FiledOn), ended: noDay}
	if f.EffectiveAt != nil {
		c.eff = dayOfInstant(*f.EffectiveAt)
	}
	if f.EndedAt != nil {
		c.ended = dayOfInstant(*f.EndedAt)
	}
	ps := make([]int32, 0, len(f.Patents))
	for _, p := range f.Patents {
		ps = append(ps, in.patentIndex(p))
	}
	in.addContract(c, ps)
	return nil
}

// addContract appends a contract and its patents (sorted here by application number).
func (in *Inputs) addContract(c contract, patents []int32) {
	if len(patents) > 1 {
		slices.SortFunc(patents, func(a, b int32) int { return strings.Compare(in.patents[a], in.patents[b]) })
		patents = slices.Compact(patents)
	}
	c.pStart = int32(len(in.cpat))
	in.cpat = append(in.cpat, patents...)
	c.pEnd = int32(len(in.cpat))
	in.contracts = append(in.contracts, c)
	in.prepared = false
}

// partyOf resolves a USCC of CNIPA's list to an organisation index, or -1-k for an unknown one, which
// becomes extraUSCC[k]. An unknown party is only ever compared with a contract's parties, which are
// always known, so each occurrence gets its own k: no map of the hundreds of thousands of USCCs of deals
// made elsewhere is kept (docs/architecture.md §8).
func (in *Inputs) partyOf(uscc []byte) int32 {
	if i, ok := in.orgByUSCC[string(uscc)]; ok {
		return i
	}
	in.extraUSCC = append(in.extraUSCC, string(uscc))
	return unknownParty(len(in.extraUSCC) - 1)
}

// unknownParty is the party index of extraUSCC[k].
func unknownParty(k int) int32 { return int32(-1 - k) }

func (in *Inputs) usccOf(party int32) string {
	if party >= 0 {
		return in.orgs[party].USCC
	}
	return in.extraUSCC[-1-party]
}

// AddFiling adds an entry of CNIPA's list. Add organisations first: parties are resolved on adding.
func (in *Inputs) AddFiling(f market.Filing) {
	in.filings = append(in.filings, filing{no: f.FilingNo, patents: f.Patents, licensor: in.partyOf([]byte(f.LicensorUSCC)),
		licensee: in.partyOf([]byte(f.LicenseeUSCC)), filed: dayOf(f.FiledOn), cancelled: dayOf(f.CancelledOn),
		kind: kindCode(f.Kind), status: filingStatus([]byte(f.Status))})
	in.prepared = false
}

// listHas reports whether a ";"-separated list holds item.
func listHas(list, item string) bool {
	for list != "" {
		var tok string
		tok, list, _ = strings.Cut(list, ";")
		if strings.TrimSpace(tok) == item {
			return true
		}
	}
	return false
}

// patentsOf returns a contract's patents.
func (in *Inputs) patentsOf(c *contract) []int32 { return in.cpat[c.pStart:c.pEnd] }

// prepare sorts contracts by number, organisations by USCC and the filing list by number, and links
// contracts to their filings, once: every round evaluated on the same inputs shares the work, and ties
// are broken on ranks (integers) rather than strings.
func (in *Inputs) prepare() error {
	if in.prepared {
		return nil
	}
	// Three independent parts, each on its own core when there is one: the contracts' order, the
	// organisations' order and fact histories, and CNIPA's list with the contracts' entries in it.
	var wg sync.WaitGroup
	var dup error
	wg.Go(func() { dup = in.orderContracts() })
	wg.Go(in.prepareOrgs)
	wg.Go(in.prepareFilings)
	wg.Wait()
	if dup != nil {
		return dup
	}
	in.prepared = true
	return nil
}

// orderContracts sorts the contracts by number, which must be unique.
func (in *Inputs) orderContracts() error {
	cs := in.contracts
	in.order = sortedByKey(len(cs), func(i int) string { return cs[i].no })
	in.rank = make([]int32, len(cs))
	for pos, ci := range in.order {
		if pos > 0 && cs[in.order[pos-1]].no == cs[ci].no {
			return fmt.Errorf("bonus: contract number %s appears twice", cs[ci].no)
		}
		in.rank[ci] = int32(pos)
	}
	return nil
}

// prepareOrgs sorts the organisations by USCC and groups their fact histories.
func (in *Inputs) prepareOrgs() {
	in.orgOrder = sortedByKey(len(in.orgs), func(i int) string { return in.orgs[i].USCC })
	in.orgRank = make([]int32, len(in.orgs))
	for pos, oi := range in.orgOrder {
		in.orgRank[oi] = int32(pos)
	}
	// fact histories grouped by organisation, in the order added within each
	slices.SortStableFunc(in.hist, func(a, b factEntry) int { return cmp.Compare(a.org, b.org) })
	for i := range in.orgs {
		in.orgs[i].hStart, in.orgs[i].hEnd, in.orgs[i].dated = 0, 0, false
	}
	for i := 0; i < len(in.hist); {
		o := &in.orgs[in.hist[i].org]
		o.hStart = int32(i)
		for ; i < len(in.hist) && &in.orgs[in.hist[i].org] == o; i++ {
			h := &in.hist[i]
			o.dated = o.dated || h.from != noDay || h.to != noDay || h.known != noDay
		}
		o.hEnd = int32(i)
	}
	for i := range in.orgs {
		in.orgs[i].static = in.resolveFacts(int32(i), 0, 0)
	}
}

// prepareFilings sorts CNIPA's list by number (a later entry with the same number replaces an earlier
// one) and finds each contract's entry in it.
func (in *Inputs) prepareFilings() {
	fo := sortedByKey(len(in.filings), func(i int) string { return in.filings[i].no })
	sorted := make([]filing, 0, len(fo))
	for k, i := range fo {
		if k+1 < len(fo) && in.filings[fo[k+1]].no == in.filings[i].no {
			continue
		}
		sorted = append(sorted, in.filings[i])
	}
	in.filings = sorted
	cs := in.contracts
	in.filingOf = make([]int32, len(cs))
	for i := range cs {
		in.filingOf[i] = -1
		if no := cs[i].filingNo; no != "" {
			if k, ok := slices.BinarySearchFunc(in.filings, no, func(f filing, no string) int { return strings.Compare(f.no, no) }); ok {
				in.filingOf[i] = int32(k)
			}
		}
	}
}

// sortedByKey returns 0…n-1 ordered by key. The sort compares the keys' first 16 bytes as two integers
// and only looks at the strings on a tie: a million contract numbers sort in a fraction of the time a
// string comparison per step takes.
func sortedByKey(n int, key func(int) string) []int32 {
	type entry struct {
		hi, lo uint64
		i      int32
	}
	es := make([]entry, n)
	var buf [16]byte
	for i := range es {
		k := key(i)
		clear(buf[:])
		copy(buf[:], k)
		es[i] = entry{binary.BigEndian.Uint64(buf[:8]), binary.BigEndian.Uint64(buf[8:]), int32(i)}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if c := cmp.Or(cmp.Compare(a.hi, b.hi), cmp.Compare(a.lo, b.lo)); c != 0 {
			return c
		}
		return cmp.Or(strings.Compare(key(int(a.i)), key(int(b.i))), cmp.Compare(a.i, b.i))
	})
	out := make([]int32, n)
	for i, e := range es {
		out[i] = e.i
	}
	return out
}
