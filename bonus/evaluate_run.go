package bonus

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"patentwall/market"
)

// Decision is a reviewer's decision on a held line (Patent is "" in per-contract rounds).
type Decision struct {
	ContractNo     string    `json:"contract_no"`
	Patent         string    `json:"patent"`
	Approved       bool      `json:"approved"`
	Flags          Flags     `json:"-"` // the flags the reviewer saw
	Note           string    `json:"note"`
	ReviewerUserID *int64    `json:"reviewer_user_id"`
	DecidedAt      time.Time `json:"decided_at"`
}

// Baseline is a frozen run of the round: what it paid (its lines; those paying nothing may be left out)
// and the clawbacks it recorded, to find what is still owed.
type Baseline struct {
	N         int
	InputHash string
	Lines     []Line
	Clawbacks []Clawback
}

// Disqualification takes a recipient's bonus of a round away (seed Art. 26, 取消承接资格).
type Disqualification struct {
	USCC      string    `json:"uscc"`
	Note      string    `json:"note"`
	DecidedBy *int64    `json:"decided_by"`
	DecidedAt time.Time `json:"decided_at"`
}

// Recovery is money recovered on a clawback of a line (Patent "" in per-contract rounds).
type Recovery struct {
	ContractNo  string      `json:"contract_no"`
	Patent      string      `json:"patent"`
	AmountFen   int64       `json:"amount_fen"`
	RecoveredOn market.Date `json:"recovered_on"`
	Reference   string      `json:"reference"`
}

// Params are what a run evaluates besides the facts.
type Params struct {
	Round Round
	AsOf  market.Date
	// Others are the other rounds: a deal they count too is a double claim, and a patent whose transfer
	// they counted is not counted again (re-transfer).
	Others       []Round
	Decisions    []Decision
	Disqualified []Disqualification
	Recoveries   []Recovery
	// Frozen are the round's frozen runs, oldest first: what they paid in total is compared with this
	// run to find clawbacks. They are no facts: the input hash leaves them out (docs/rules.md §9.10).
	Frozen []Baseline
}

func lineKey(contractNo, patent string) string { return contractNo + "\x00" + patent }

// Evaluate computes a run: every contract against the round, then de-duplication, flags, reviewers'
// decisions and the caps. Same inputs, same result, byte for byte.
func Evaluate(in *Inputs, p Params) (*RunResult, error) {
	r := &p.Round
	if r.Rule != RuleLicensorOpenLicence && r.Rule != RuleInstitutionPerPatent {
		return nil, fmt.Errorf("bonus: round %s has unknown rule %q", r.ID, r.Rule)
	}
	if p.AsOf.IsZero() {
		return nil, fmt.Errorf("bonus: run of %s needs an as-of day", r.ID)
	}
	if err := in.prepare(); err != nil {
		return nil, err
	}
	e := newEvaluator(in, r, p.AsOf)
	if len(p.Disqualified) > 0 {
		e.disqualified = make([]bool, len(in.orgs))
		for _, dq := range p.Disqualified {
			if oi, ok := in.orgByUSCC[dq.USCC]; ok {
				e.disqualified[oi] = true
			}
		}
	}
	others := slices.Clone(p.Others)
	slices.SortFunc(others, func(a, b Round) int { return strings.Compare(a.ID, b.ID) })
	var used []Round
	for _, o := range others {
		// re-transfers only ever count in per-patent rounds; double claims in any round.
		if o.ID != r.ID && (r.Flags.DoubleClaim || (e.perPatent && o.PerPatent())) {
			used = append(used, o)
		}
	}
	// The passes that only read the inputs run beside the evaluation of the lines: the input hash, the
	// other rounds' counts and the index of deals the flags look in (docs/architecture.md §8).
	hash := make(chan string, 1)
	go func() { hash <- inputHash(in, p, used) }()
	var side sync.WaitGroup
	counts := make([]*counted, len(used))
	for i := range used {
		side.Go(func() { counts[i] = newEvaluator(in, &used[i], p.AsOf).count() })
	}
	var deals *dealIndex
	side.Go(func() { deals = newDealIndex(in, e.asOf) })

	lines := e.lines()
	decisions := make(map[string]*Decision, len(p.Decisions))
	for i := range p.Decisions {
		d := &p.Decisions[i]
		decisions[lineKey(d.ContractNo, d.Patent)] = d
	}
	decision := func(l *line) *Decision {
		if len(decisions) == 0 {
			return nil
		}
		return decisions[lineKey(in.contracts[l.c].no, e.patentNo(l))]
	}
	// A rejection (of a flagged line, or of a paid line without flags: a fake deal found later) is
	// applied before de-duplication, so the rejected line frees its slot (docs/rules.md §9.6).
	for i := range lines {
		if l := &lines[i]; l.reasons == 0 {
			if d := decision(l); d != nil && !d.Approved {
				l.review = VerdictRejected
			}
		}
	}
	side.Wait()
	e.dedup(lines, counts)
	fl := newFlagger(e, deals, counts)
	for i := range lines {
		l := &lines[i]
		if l.reasons != 0 {
			l.status, l.review = StatusIneligible, VerdictNone
			continue
		}
		l.flags = fl.flags(l)
		switch d := decision(l); {
		case l.review == VerdictRejected:
			l.status = StatusIneligible
		case l.flags == 0:
			l.status = StatusEligible
		case d != nil && d.Approved && l.flags&^d.Flags == 0: // an approval covers the flags the reviewer saw
			l.status, l.review = StatusEligible, VerdictApproved
		default:
			l.status = StatusHeld
		}
	}
	eligible := e.allocate(lines)

	res := &RunResult{Round: r.ID, AsOf: p.AsOf, CapFen: r.CapFen, EligibleFen: eligible, PerPatent: e.perPatent,
		Names: map[string]string{}}
	res.InputHash = <-hash
	res.Lines = make([]Line, len(lines))
	named := make([]bool, len(in.orgs))
	byRecipient := map[int32]*Recipient{}
	for i := range lines {
		l := &lines[i]
		c := &in.contracts[l.c]
		lic, lee := &in.orgs[c.licensor], &in.orgs[c.licensee]
		res.Lines[i] = Line{ContractNo: c.no, Patent: e.patentNo(l), RecipientUSCC: lic.USCC, LicenseeUSCC: lee.USCC,
			Status: l.status, Reasons: l.reasons, Flags: l.flags, Review: l.review, AmountFen: l.amount, Void: l.void}
		named[c.licensor], named[c.licensee] = true, true
		if l.status != StatusEligible {
			continue
		}
		res.TotalFen += l.amount
		rc := byRecipient[c.licensor]
		if rc == nil {
			rc = &Recipient{USCC: lic.USCC, Name: lic.Name}
			byRecipient[c.licensor] = rc
		}
		rc.AmountFen += l.amount
		rc.Lines++
	}
	for i, ok := range named {
		if ok {
			res.Names[in.orgs[i].USCC] = in.orgs[i].Name
		}
	}
	res.Scaled = res.TotalFen < res.EligibleFen
	for _, rc := range byRecipient {
		res.Recipients = append(res.Recipients, *rc)
	}
	slices.SortFunc(res.Recipients, func(a, b Recipient) int { return strings.Compare(a.USCC, b.USCC) })
	for _, b := range p.Frozen {
		res.Baselines = append(res.Baselines, b.N)
	}
	recovered := map[string]int64{}
	for _, rv := range p.Recoveries {
		if !rv.RecoveredOn.After(p.AsOf) {
			recovered[lineKey(rv.ContractNo, rv.Patent)] += rv.AmountFen
		}
	}
	res.Clawbacks = clawbacks(p.Frozen, res.Lines, recovered)
	return res, nil
}

func (e *evaluator) patentNo(l *line) string {
	if l.p < 0 {
		return ""
	}
	return e.in.patents[l.p]
}

// allocate gives every eligible line the unit amount, then applies the per-recipient cap and the total
// cap, each pro rata with largest remainders. It returns the eligible total before the caps.
func (e *evaluator) allocate(lines []line) int64 {
	in := e.in
	var elig []int32
	for i := range lines {
		if lines[i].status == StatusEligible {
			elig = append(elig, int32(i))
		}
	}
	amounts := make([]int64, len(lines))
	for _, i := range elig {
		amounts[i] = e.r.UnitFen
	}
	if rc := e.r.RecipientCapFen; rc != nil {
		groups := map[int32][]int32{}
		for _, i := range elig {
			o := in.contracts[lines[i].c].licensor
			groups[o] = append(groups[o], i) // in line order: contract number, then patent
		}
		for _, g := range groups {
			scaleTo(amounts, g, *rc)
		}
	}
	// ties for the last fen go by recipient (USCC), then contract number, then patent
	byRecipient := slices.Clone(elig)
	slices.SortStableFunc(byRecipient, func(a, b int32) int {
		return cmp.Compare(in.orgRank[in.contracts[lines[a].c].licensor], in.orgRank[in.contracts[lines[b].c].licensor])
	})
	scaleTo(amounts, byRecipient, e.r.CapFen)
	for _, i := range elig {
		lines[i].amount = amounts[i]
	}
	return int64(len(elig)) * e.r.UnitFen
}

// clawbacks lists what the frozen runs paid for lines that are now undone: the contract cancelled or
// terminated, the filing cancelled, the line rejected by a reviewer or its recipient disqualified.
// Clawbacks are cumulative (docs/rules.md §9.10): a line's paid total is the most any frozen run granted
// it (each frozen run pays what it grants beyond what earlier ones paid), and a clawback stays listed,
// with what was recovered so far, until a frozen run recorded it as recovered in full. now is in (contract
// number, patent) order.
func clawbacks(frozen []Baseline, now []Line, recovered map[string]int64) []Clawback {
	out := []Clawback{}
	if len(frozen) == 0 {
		return out
	}
	type paid struct {
		run       int
		amount    int64
		recipient string
	}
	paidTotal := map[string]paid{}
	settled := map[string]bool{}
	for _, b := range frozen {
		for i := range b.Lines {
			l := &b.Lines[i]
			k := lineKey(l.ContractNo, l.Patent)
			if p := paidTotal[k]; l.AmountFen > p.amount {
				paidTotal[k] = paid{b.N, l.AmountFen, l.RecipientUSCC}
			}
		}
		for _, c := range b.Clawbacks {
			if c.RecoveredFen >= c.AmountFen {
				settled[lineKey(c.ContractNo, c.Patent)] = true
			}
		}
	}
	for i := range now {
		l := &now[i]
		if l.Status == StatusEligible {
			continue
		}
		k := lineKey(l.ContractNo, l.Patent)
		p, ok := paidTotal[k]
		if !ok || settled[k] {
			continue
		}
		cause := l.Void
		switch {
		case l.Reasons.Has(ReasonRecipientDisqualified):
			cause = VoidRecipientDisqualified
		case l.Review == VerdictRejected:
			cause = VoidRejected
		}
		if cause == VoidNone {
			continue
		}
		out = append(out, Clawback{Run: p.run, ContractNo: l.ContractNo, Patent: l.Patent, RecipientUSCC: p.recipient,
			AmountFen: p.amount, RecoveredFen: min(recovered[k], p.amount), Reason: cause})
	}
	return out
}

func compareLines(a, b *Line) int {
	return cmp.Or(strings.Compare(a.ContractNo, b.ContractNo), strings.Compare(a.Patent, b.Patent))
}
