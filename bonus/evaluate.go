package bonus

import (
	"slices"

	"patentwall/market"
)

// line is one evaluated line in compact form: a contract (per-contract rounds) or one patent of it.
type line struct {
	c       int32 // contract index
	p       int32 // patent index, -1 for per-contract rounds
	reasons Reasons
	flags   Flags
	status  Status
	review  Verdict
	void    Void
	amount  int64
}

// Void says whether a line's deal was undone as of the run: what turns a paid line into a clawback.
type Void uint8

// The last three are not undone deals but reviewers' decisions (seed Art. 26); they appear only as the
// reason of a clawback.
const (
	VoidNone                  Void = iota
	VoidContractCancel             // the contract was cancelled (撤销/解除)
	VoidFilingCancelled            // CNIPA's filing (registration) was cancelled (注销)
	VoidContractTerminated         // the contract was terminated (终止)
	VoidRejected                   // a reviewer rejected the paid line
	VoidRecipientDisqualified      // a reviewer disqualified the recipient for the round
	numVoids
)

var voidCodes = [numVoids]string{"", "contract_cancelled", "filing_cancelled", "contract_terminated", "rejected",
	"recipient_disqualified"}
var voidZH = [numVoids]string{"", "合同已撤销", "备案已注销", "合同已终止", "复核不通过（虚假交易）", "受奖单位已被取消资格"}

func (v Void) String() string { return voidCodes[v] }

// ZH is the cause in plain Chinese.
func (v Void) ZH() string { return voidZH[v] }

// evaluator applies one round's rules to the inputs as of one day.
type evaluator struct {
	in        *Inputs
	r         *Round
	asOf      day
	from, to  day
	perPatent bool
	// disqualified[org index]: the recipient is disqualified for this round (nil: nobody is)
	disqualified []bool
}

func newEvaluator(in *Inputs, r *Round, asOf market.Date) *evaluator {
	return &evaluator{in: in, r: r, asOf: dayOf(asOf), from: dayOf(r.WindowFrom), to: dayOf(r.WindowTo), perPatent: r.PerPatent()}
}

// effectiveAsOf reports whether the contract was in force on the as-of day, knowing only what had
// happened by then: a contract that took effect later, or ended later, is judged as it stood.
func (e *evaluator) effectiveAsOf(c *contract) bool {
	if c.eff == noDay || c.eff > e.asOf {
		return false
	}
	switch c.status {
	case statusEffective, statusFiled:
		return true
	case statusTerminated, statusCancelled:
		return c.ended != noDay && c.ended > e.asOf
	}
	return false
}

// contractReasons are the reasons that do not depend on the patent or the filing list.
// The parties' facts are those in force on the deal's effective day as known on the as-of day
// (docs/rules.md §9.4); the licensee must be an enterprise that is a confirmed SME.
func (e *evaluator) contractReasons(c *contract) Reasons {
	lic, lee := &e.in.orgs[c.licensor], &e.in.orgs[c.licensee]
	d := c.eff
	if d == noDay {
		d = e.asOf
	}
	licF, leeF := e.in.factsAt(c.licensor, d, e.asOf), e.in.factsAt(c.licensee, d, e.asOf)
	var rs Reasons
	if e.perPatent {
		if !market.IsInstitution(lic.Kind) {
			rs |= Reasons(ReasonRecipientKind)
		}
	} else {
		if lic.Kind != market.KindEnterprise {
			rs |= Reasons(ReasonRecipientKind)
		}
		if c.kind != kindOpen {
			rs |= Reasons(ReasonNotOpenLicence)
		}
	}
	if licF&factShanghai == 0 {
		rs |= Reasons(ReasonRecipientNotShanghai)
	}
	if licF&(factOperating|factCredit) != factOperating|factCredit {
		rs |= Reasons(ReasonRecipientNotNormal)
	}
	if lee.Kind != market.KindEnterprise || leeF&factSME == 0 {
		rs |= Reasons(ReasonLicenseeNotSME)
	}
	if leeF&factShanghai == 0 {
		rs |= Reasons(ReasonLicenseeNotShanghai)
	}
	if e.disqualified != nil && e.disqualified[c.licensor] {
		rs |= Reasons(ReasonRecipientDisqualified)
	}
	if !e.effectiveAsOf(c) {
		rs |= Reasons(ReasonNotEffective)
	}
	if e.r.Basis != BasisFiled && c.eff != noDay && (c.eff < e.from || c.eff > e.to) {
		rs |= Reasons(ReasonOutsideWindow)
	}
	return rs
}

type filingState uint8

const (
	filingNone filingState = iota
	filingMatched
	filingCancelled
)

// filingOf finds the contract's entry in CNIPA's list as known on the as-of day (nil = none).
func (e *evaluator) filingOf(ci int32) *filing {
	c := &e.in.contracts[ci]
	if c.filingNo == "" || (c.filed != noDay && c.filed > e.asOf) {
		return nil
	}
	k := e.in.filingOf[ci]
	if k < 0 {
		return nil
	}
	f := &e.in.filings[k]
	if f.filed != noDay && f.filed > e.asOf {
		return nil
	}
	return f
}

func (e *evaluator) filingCancelledAsOf(f *filing) bool {
	return f.status == filingCancelledSt && (f.cancelled == noDay || f.cancelled <= e.asOf)
}

// filingState reports whether CNIPA's list confirms the contract for these patents (实绩实奖): same
// filing number, same parties, same kind (licence or transfer), every patent listed.
func (e *evaluator) filingState(ci int32, patents []int32) (filingState, day) {
	c := &e.in.contracts[ci]
	f := e.filingOf(ci)
	if f == nil {
		return filingNone, noDay
	}
	in := e.in
	if f.licensor != c.licensor || f.licensee != c.licensee || (f.kind == kindTransfer) != (c.kind == kindTransfer) {
		return filingNone, noDay
	}
	for _, p := range patents {
		if !listHas(f.patents, in.patents[p]) {
			return filingNone, noDay
		}
	}
	filed := f.filed
	if filed == noDay {
		filed = c.filed
	}
	if e.filingCancelledAsOf(f) {
		return filingCancelled, filed
	}
	return filingMatched, filed
}

// filingReasons are the reasons that depend on the filing list (and the window, on a filing basis).
func (e *evaluator) filingReasons(ci int32, patents []int32) Reasons {
	if !e.r.RequiresFiling && e.r.Basis != BasisFiled {
		return 0
	}
	c := &e.in.contracts[ci]
	st, filed := e.filingState(ci, patents)
	var rs Reasons
	if e.r.RequiresFiling {
		switch st {
		case filingNone:
			rs |= Reasons(ReasonNotFiled)
		case filingCancelled:
			rs |= Reasons(ReasonFilingCancelled)
		}
	}
	if e.r.Basis == BasisFiled {
		if st == filingNone && !e.r.RequiresFiling && c.filed != noDay && c.filed <= e.asOf {
			filed = c.filed // no confirmation required: the contract's own filing date places it
		}
		switch {
		case filed == noDay:
			rs |= Reasons(ReasonNotFiled)
		case filed < e.from || filed > e.to:
			rs |= Reasons(ReasonOutsideWindow)
		}
	}
	return rs
}

// void reports whether the contract had been cancelled or terminated, or its filing cancelled, by the
// as-of day (an end of unknown date: at any as-of day).
func (e *evaluator) void(ci int32) Void {
	c := &e.in.contracts[ci]
	if ended := c.ended == noDay || c.ended <= e.asOf; ended && c.status == statusCancelled {
		return VoidContractCancel
	} else if ended && c.status == statusTerminated {
		return VoidContractTerminated
	}
	if f := e.filingOf(ci); f != nil && e.filingCancelledAsOf(f) {
		return VoidFilingCancelled
	}
	return VoidNone
}

// lines evaluates every contract into lines in output order (contract number, then application
// number), with every reason except the de-duplication ones.
func (e *evaluator) lines() []line {
	in := e.in
	n := len(in.contracts)
	if e.perPatent {
		n = len(in.cpat)
	}
	out := make([]line, 0, n)
	for _, ci := range in.order {
		c := &in.contracts[ci]
		base := e.contractReasons(c)
		void := e.void(ci)
		if !e.perPatent {
			out = append(out, line{c: ci, p: -1, reasons: base | e.filingReasons(ci, in.patentsOf(c)), void: void})
			continue
		}
		for i := c.pStart; i < c.pEnd; i++ {
			out = append(out, line{c: ci, p: in.cpat[i], reasons: base | e.filingReasons(ci, in.cpat[i:i+1]), void: void})
		}
	}
	return out
}

// candidates are the lines without any reason before de-duplication, in output order: all that
// another round needs to know what it counts.
func (e *evaluator) candidates() []line {
	in := e.in
	var out []line
	for _, ci := range in.order {
		c := &in.contracts[ci]
		if e.contractReasons(c) != 0 {
			continue // most contracts: outside the window, wrong kind of party
		}
		if !e.perPatent {
			if e.filingReasons(ci, in.patentsOf(c)) == 0 {
				out = append(out, line{c: ci, p: -1})
			}
			continue
		}
		for i := c.pStart; i < c.pEnd; i++ {
			if e.filingReasons(ci, in.cpat[i:i+1]) == 0 {
				out = append(out, line{c: ci, p: in.cpat[i]})
			}
		}
	}
	return out
}

func pairKey(patent, licensee int32) uint64 {
	return uint64(uint32(patent))<<32 | uint64(uint32(licensee))
}

// counted is what one round counts (lines without reasons): used by other rounds to find double
// claims and re-transfers.
type counted struct {
	contracts []uint64            // bitset over contract indexes
	pairs     map[uint64]struct{} // (patent, licensee)
	transfers map[int32][]int32   // patent → contracts whose transfer of it counted
}

func (k *counted) hasContract(ci int32) bool {
	return k.contracts[ci>>6]&(1<<(uint(ci)&63)) != 0
}

// dedup marks duplicate and retransfer lines. The earlier deal (effective day, then contract number)
// counts; only lines with no other reason and not rejected by a reviewer take part, so neither an
// ineligible nor a rejected deal blocks a later one, while a held line keeps its slot until decided.
// others are the other rounds' counts (nil when evaluating for another round).
func (e *evaluator) dedup(lines []line, others []*counted) {
	in := e.in
	cand := make([]int32, 0, len(lines)/4)
	for i := range lines {
		if lines[i].reasons == 0 && lines[i].review != VerdictRejected {
			cand = append(cand, int32(i))
		}
	}
	// lines are in (contract number, patent) order already; a stable sort on the day keeps it for ties.
	slices.SortStableFunc(cand, func(a, b int32) int {
		return int(in.contracts[lines[a].c].eff) - int(in.contracts[lines[b].c].eff)
	})
	taken := make(map[uint64]struct{}, len(cand))
	transferred := map[int32]struct{}{}
	for _, li := range cand {
		l := &lines[li]
		c := &in.contracts[l.c]
		if e.perPatent {
			k := pairKey(l.p, c.licensee)
			if _, dup := taken[k]; dup {
				l.reasons |= Reasons(ReasonDuplicate)
			}
			if c.kind == kindTransfer {
				if _, done := transferred[l.p]; done || e.transferCountedElsewhere(l, others) {
					l.reasons |= Reasons(ReasonRetransfer)
				}
			}
			if l.reasons == 0 {
				taken[k] = struct{}{}
				if c.kind == kindTransfer {
					transferred[l.p] = struct{}{}
				}
			}
			continue
		}
		ps := in.patentsOf(c)
		for _, p := range ps {
			if _, dup := taken[pairKey(p, c.licensee)]; dup {
				l.reasons |= Reasons(ReasonDuplicate)
				break
			}
		}
		if l.reasons == 0 {
			for _, p := range ps {
				taken[pairKey(p, c.licensee)] = struct{}{}
			}
		}
	}
}

// transferCountedElsewhere reports whether another round counted an earlier transfer of the line's
// patent by another contract.
func (e *evaluator) transferCountedElsewhere(l *line, others []*counted) bool {
	in := e.in
	c := &in.contracts[l.c]
	for _, o := range others {
		for _, oc := range o.transfers[l.p] {
			if oc == l.c {
				continue
			}
			d := &in.contracts[oc]
			if d.eff < c.eff || (d.eff == c.eff && in.rank[oc] < in.rank[l.c]) {
				return true
			}
		}
	}
	return false
}

// count evaluates the round without flags and returns what it counts.
func (e *evaluator) count() *counted {
	lines := e.candidates()
	e.dedup(lines, nil)
	k := &counted{contracts: make([]uint64, (len(e.in.contracts)+63)/64), pairs: map[uint64]struct{}{},
		transfers: map[int32][]int32{}}
	for i := range lines {
		l := &lines[i]
		if l.reasons != 0 {
			continue
		}
		c := &e.in.contracts[l.c]
		k.contracts[l.c>>6] |= 1 << (uint(l.c) & 63)
		ps := e.in.patentsOf(c)
		if l.p >= 0 {
			ps = []int32{l.p}
		}
		for _, p := range ps {
			k.pairs[pairKey(p, c.licensee)] = struct{}{}
			if c.kind == kindTransfer {
				k.transfers[p] = append(k.transfers[p], l.c)
			}
		}
	}
	return k
}
