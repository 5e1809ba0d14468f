package bonus

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
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

// Baseline is the latest frozen run of the round: what was paid, to find clawbacks.
type Baseline struct {
	N         int
	InputHash string
	Lines     []Line
}

// Params are what a run evaluates besides the facts.
type Params struct {
	Round Round
	AsOf  market.Date
	// Others are the other rounds: a deal they count too is a double claim, and a patent whose transfer
	// they counted is not counted again (re-transfer).
	Others    []Round
	Decisions []Decision
	Baseline  *Baseline
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
	others := slices.Clone(p.Others)
	slices.SortFunc(others, func(a, b Round) int { return strings.Compare(a.ID, b.ID) })
	var used []Round
	for _, o := range others {
		// re-transfers only ever count in per-patent rounds; double claims in any round.
		if o.ID != r.ID && (r.Flags.DoubleClaim || (e.perPatent && o.PerPatent())) {
			used = append(used, o)
		}
	}
	// the hash reads the inputs only: compute it beside the evaluation
	hash := make(chan string, 1)
	go func() { hash <- inputHash(in, p, used) }()
	counts := make([]*counted, len(used))
	for i := range used {
		counts[i] = newEvaluator(in, &used[i], p.AsOf).count()
	}

	lines := e.lines()
	e.dedup(lines, counts)
	decisions := make(map[string]*Decision, len(p.Decisions))
	for i := range p.Decisions {
		d := &p.Decisions[i]
		decisions[lineKey(d.ContractNo, d.Patent)] = d
	}
	fl := newFlagger(e, newDealIndex(in, e.asOf), counts)
	for i := range lines {
		l := &lines[i]
		if l.reasons != 0 {
			l.status = StatusIneligible
			continue
		}
		l.flags = fl.flags(l)
		if l.flags == 0 {
			l.status = StatusEligible
			continue
		}
		l.status = StatusHeld
		d := decisions[lineKey(in.contracts[l.c].no, e.patentNo(l))]
		switch {
		case d == nil:
		case !d.Approved:
			l.status, l.review = StatusIneligible, VerdictRejected
		case l.flags&^d.Flags == 0: // an approval covers the flags the reviewer saw, not new ones
			l.status, l.review = StatusEligible, VerdictApproved
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
	res.Clawbacks = clawbacks(p.Baseline, res.Lines)
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

// clawbacks lists the lines paid in the baseline whose deal has since been undone (contract or filing
// cancelled). Both line lists are in (contract number, patent) order.
func clawbacks(b *Baseline, now []Line) []Clawback {
	out := []Clawback{}
	if b == nil {
		return out
	}
	j := 0
	for _, old := range b.Lines {
		for j < len(now) && compareLines(&now[j], &old) < 0 {
			j++
		}
		if old.AmountFen <= 0 || j >= len(now) || compareLines(&now[j], &old) != 0 || now[j].Void == VoidNone {
			continue
		}
		out = append(out, Clawback{Run: b.N, ContractNo: old.ContractNo, Patent: old.Patent,
			RecipientUSCC: old.RecipientUSCC, AmountFen: old.AmountFen, Reason: now[j].Void})
	}
	return out
}

func compareLines(a, b *Line) int {
	return cmp.Or(strings.Compare(a.ContractNo, b.ContractNo), strings.Compare(a.Patent, b.Patent))
}
