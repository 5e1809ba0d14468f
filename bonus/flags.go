package bonus

import (
	"cmp"
	"slices"
)

// dealIndex holds every deal in force at some point by the as-of day (any status: a deal cancelled
// since still happened), sorted for the flags that look at other deals. Sort keys pack two integers
// into one so that sorting a million deals compares integers only.
type dealIndex struct {
	byParties []partyDeal    // by (licensor, licensee), then day: circular
	byLicense []licenseeDeal // by (licensee, day): burst
	transfers []transferDeal // by (patent, day): transfer back
}

type partyDeal struct {
	parties uint64 // licensor<<32 | licensee
	d       day
}

type licenseeDeal struct {
	key uint64 // licensee<<32 | day (order-preserving)
	c   int32
}

type transferDeal struct {
	patent             int32
	d                  day
	licensor, licensee int32
	c                  int32
}

func pack(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)^0x80000000) }

func newDealIndex(in *Inputs, asOf day) *dealIndex {
	x := &dealIndex{byParties: make([]partyDeal, 0, len(in.contracts)), byLicense: make([]licenseeDeal, 0, len(in.contracts))}
	for ci := range in.contracts {
		c := &in.contracts[ci]
		if c.eff == noDay || c.eff > asOf {
			continue
		}
		x.byParties = append(x.byParties, partyDeal{pack(c.licensor, c.licensee), c.eff})
		x.byLicense = append(x.byLicense, licenseeDeal{pack(c.licensee, int32(c.eff)), int32(ci)})
		if c.kind == kindTransfer {
			for _, p := range in.patentsOf(c) {
				x.transfers = append(x.transfers, transferDeal{p, c.eff, c.licensor, c.licensee, int32(ci)})
			}
		}
	}
	slices.SortFunc(x.byParties, func(a, b partyDeal) int {
		return cmp.Or(cmp.Compare(a.parties, b.parties), cmp.Compare(a.d, b.d))
	})
	// Deals of one licensee on one day may come in any order: the burst marks depend on the days only.
	slices.SortFunc(x.byLicense, func(a, b licenseeDeal) int { return cmp.Compare(a.key, b.key) })
	slices.SortFunc(x.transfers, func(a, b transferDeal) int {
		return cmp.Or(cmp.Compare(a.patent, b.patent), cmp.Compare(a.d, b.d), cmp.Compare(in.rank[a.c], in.rank[b.c]))
	})
	return x
}

// circular reports a deal from licensee to licensor within days of d (either side).
func (x *dealIndex) circular(licensor, licensee int32, d day, days int) bool {
	if licensor == licensee {
		return false // a deal with oneself is related_party, not a round trip
	}
	back := pack(licensee, licensor)
	i, _ := slices.BinarySearchFunc(x.byParties, partyDeal{back, d - day(days)}, func(a, b partyDeal) int {
		return cmp.Or(cmp.Compare(a.parties, b.parties), cmp.Compare(a.d, b.d))
	})
	return i < len(x.byParties) && x.byParties[i].parties == back && x.byParties[i].d <= d+day(days)
}

// bursts marks the contracts of every licensee that took count or more deals whose first and last
// fall within days of each other, day N included like every threshold (e.g. 5 deals at most 30 days
// apart; docs/rules.md §9.7).
func (x *dealIndex) bursts(nContracts, count, days int) []uint64 {
	marks := make([]uint64, (nContracts+63)/64)
	if count <= 0 || days <= 0 {
		return marks
	}
	deals := x.byLicense
	licensee := func(k int) uint64 { return deals[k].key >> 32 }
	dayOfDeal := func(k int) int64 { return int64(uint32(deals[k].key)) }
	start, marked := 0, -1
	for j := range deals {
		if j > 0 && licensee(j) != licensee(j-1) {
			start = j
		}
		for dayOfDeal(j)-dayOfDeal(start) > int64(days) {
			start++
		}
		if j-start+1 >= count {
			for k := max(start, marked+1); k <= j; k++ {
				c := deals[k].c
				marks[c>>6] |= 1 << (uint(c) & 63)
			}
			marked = j
		}
	}
	return marks
}

// transferredBack reports a transfer of the patent from licensee back to licensor within days after d.
func (x *dealIndex) transferredBack(patent, licensor, licensee int32, d day, days int, self int32) bool {
	i, _ := slices.BinarySearchFunc(x.transfers, patent, func(a transferDeal, p int32) int { return cmp.Compare(a.patent, p) })
	for ; i < len(x.transfers) && x.transfers[i].patent == patent; i++ {
		t := x.transfers[i]
		if t.c != self && t.licensor == licensee && t.licensee == licensor && t.d >= d && t.d <= d+day(days) {
			return true
		}
	}
	return false
}

// flagger computes a round's flags for lines without reasons.
type flagger struct {
	e      *evaluator
	x      *dealIndex
	burst  []uint64
	others []*counted
}

func newFlagger(e *evaluator, x *dealIndex, others []*counted) *flagger {
	fl := e.r.Flags
	return &flagger{e: e, x: x, burst: x.bursts(len(e.in.contracts), fl.BurstCount, fl.BurstDays), others: others}
}

func (f *flagger) relatedParty(c *contract) bool {
	if c.licensor == c.licensee {
		return true
	}
	a, b := &f.e.in.orgs[c.licensor], &f.e.in.orgs[c.licensee]
	same := func(x, y string) bool { return x != "" && x == y }
	return a.USCC == b.USCC || same(a.nRep, b.nRep) || same(a.nPhone, b.nPhone) || same(a.nEmail, b.nEmail) ||
		same(a.nAddr, b.nAddr)
}

// reversal: the filing was cancelled, or the patent transferred back, within the set days.
func (f *flagger) reversal(l *line, c *contract, days int) bool {
	e := f.e
	if fl := e.filingOf(l.c); fl != nil && e.filingCancelledAsOf(fl) {
		from := fl.filed
		if from == noDay {
			from = c.eff
		}
		if fl.cancelled == noDay || from == noDay || fl.cancelled-from <= day(days) {
			return true
		}
	}
	if c.kind != kindTransfer {
		return false
	}
	ps := e.in.patentsOf(c)
	if l.p >= 0 {
		ps = []int32{l.p}
	}
	for _, p := range ps {
		if f.x.transferredBack(p, c.licensor, c.licensee, c.eff, days, l.c) {
			return true
		}
	}
	return false
}

func (f *flagger) doubleClaim(l *line, c *contract) bool {
	ps := f.e.in.patentsOf(c)
	if l.p >= 0 {
		ps = []int32{l.p}
	}
	for _, o := range f.others {
		if o.hasContract(l.c) {
			return true
		}
		for _, p := range ps {
			if _, ok := o.pairs[pairKey(p, c.licensee)]; ok {
				return true
			}
		}
	}
	return false
}

// flags computes the flags of one line that has no reasons.
func (f *flagger) flags(l *line) Flags {
	e := f.e
	s := e.r.Flags
	c := &e.in.contracts[l.c]
	var fs Flags
	if s.RelatedParty && f.relatedParty(c) {
		fs |= Flags(FlagRelatedParty)
	}
	if s.CircularDays > 0 && f.x.circular(c.licensor, c.licensee, c.eff, s.CircularDays) {
		fs |= Flags(FlagCircular)
	}
	if lee := &e.in.orgs[c.licensee]; s.NewLicenseeDays > 0 && lee.founded != noDay && c.eff-lee.founded < day(s.NewLicenseeDays) {
		fs |= Flags(FlagNewLicensee)
	}
	if f.burst[l.c>>6]&(1<<(uint(l.c)&63)) != 0 {
		fs |= Flags(FlagBurst)
	}
	if s.ReversalDays > 0 && f.reversal(l, c, s.ReversalDays) {
		fs |= Flags(FlagReversal)
	}
	if s.DoubleClaim && f.doubleClaim(l, c) {
		fs |= Flags(FlagDoubleClaim)
	}
	// low_fee only adds weight to another flag: free licences are what the rules encourage.
	if fs != 0 && s.LowFeePercent > 0 {
		bonus := e.r.UnitFen
		if e.perPatent {
			bonus *= int64(c.pEnd - c.pStart)
		}
		if c.feeFen*100 < int64(s.LowFeePercent)*bonus {
			fs |= Flags(FlagLowFee)
		}
	}
	return fs
}
