package bonus

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
)

// inputHash is the SHA-256 of a canonical serialisation of the facts a run used: the round and the
// other rounds consulted, the as-of day, the facts of every contract and of the organisations they name
// (with their fact histories), CNIPA's filing list, the reviewers' decisions and disqualifications and
// the recoveries recorded. The frozen runs compared with are no facts and are left out, so the same
// facts give the same hash however often the round is run and frozen. Records are written in a
// fixed order (by natural key, never by database ID), each starts with its tag and has a fixed list of
// fields, and every string is length-prefixed, so equal facts in any database hash equal and no two
// different inputs serialise alike.
func inputHash(in *Inputs, p Params, others []Round) string {
	h := sha256.New()
	w := bufio.NewWriterSize(h, 1<<16)
	b := make([]byte, 0, 512)
	flush := func() {
		w.Write(b)
		b = b[:0]
	}
	b = append(b, "patentwall bonus inputs v2\n"...)
	b = hashRound(b, "round", &p.Round)
	b = hstr(append(b, "as_of|"...), p.AsOf.String())
	b = append(b, '\n')
	for i := range others {
		b = hashRound(b, "other", &others[i])
	}
	flush()

	used := make([]bool, len(in.orgs))
	for i := range in.contracts {
		used[in.contracts[i].licensor], used[in.contracts[i].licensee] = true, true
	}
	for _, oi := range in.orgOrder {
		if !used[oi] {
			continue
		}
		o := &in.orgs[oi]
		b = append(b, "org|"...)
		for _, s := range []string{o.USCC, o.Name, o.Kind, o.DistrictCode, o.FoundedOn.String(), o.LegalRep, o.Phone, o.Email, o.Address} {
			b = hstr(b, s)
		}
		b = hbool(hbool(hbool(b, o.OperatingNormally), o.GoodCredit), o.IsSME)
		b = append(b, '\n')
		for _, h := range in.hist[o.hStart:o.hEnd] {
			b = append(b, "fact|"...)
			b = hstr(hstr(b, h.Fact), h.Value)
			b = hint(hint(hint(b, int64(h.from)), int64(h.to)), int64(h.known))
			b = hbool(b, h.Confirmed)
			b = append(b, '\n')
		}
		flush()
	}
	for _, ci := range in.order {
		c := &in.contracts[ci]
		b = append(b, "contract|"...)
		b = hstr(b, c.no)
		b = hstr(b, kindNames[c.kind])
		b = hstr(b, statusNames[c.status])
		b = hstr(b, in.orgs[c.licensor].USCC)
		b = hstr(b, in.orgs[c.licensee].USCC)
		b = hint(b, int64(c.eff))
		b = hint(b, int64(c.filed))
		b = hint(b, int64(c.ended))
		b = hstr(b, c.filingNo)
		b = hint(b, c.feeFen)
		b = hint(b, int64(c.pEnd-c.pStart))
		for _, p := range in.patentsOf(c) {
			b = hstr(b, in.patents[p])
		}
		b = append(b, '\n')
		if len(b) > 32<<10 {
			flush()
		}
	}
	flush()
	for i := range in.filings { // sorted by number in prepare
		f := &in.filings[i]
		b = append(b, "filing|"...)
		b = hstr(b, f.no)
		b = hint(b, int64(f.filed))
		b = hstr(b, kindNames[f.kind])
		b = hstr(b, f.patents)
		b = hstr(b, in.usccOf(f.licensor))
		b = hstr(b, in.usccOf(f.licensee))
		b = hint(b, int64(f.status))
		b = hint(b, int64(f.cancelled))
		b = append(b, '\n')
		if len(b) > 32<<10 {
			flush()
		}
	}
	flush()
	ds := slices.Clone(p.Decisions)
	slices.SortFunc(ds, func(a, b Decision) int {
		return cmp.Or(strings.Compare(a.ContractNo, b.ContractNo), strings.Compare(a.Patent, b.Patent))
	})
	for _, d := range ds {
		b = append(b, "review|"...)
		b = hstr(hstr(b, d.ContractNo), d.Patent)
		b = hbool(b, d.Approved)
		b = hint(b, int64(d.Flags))
		b = append(b, '\n')
		flush()
	}
	dq := slices.Clone(p.Disqualified)
	slices.SortFunc(dq, func(a, b Disqualification) int { return strings.Compare(a.USCC, b.USCC) })
	for _, d := range dq {
		b = hstr(append(b, "disqualified|"...), d.USCC)
		b = append(b, '\n')
	}
	rv := slices.Clone(p.Recoveries)
	slices.SortFunc(rv, func(a, b Recovery) int {
		return cmp.Or(strings.Compare(a.ContractNo, b.ContractNo), strings.Compare(a.Patent, b.Patent),
			a.RecoveredOn.Time().Compare(b.RecoveredOn.Time()), cmp.Compare(a.AmountFen, b.AmountFen), strings.Compare(a.Reference, b.Reference))
	})
	for _, r := range rv {
		b = append(b, "recovered|"...)
		b = hstr(hstr(b, r.ContractNo), r.Patent)
		b = hint(b, r.AmountFen)
		b = hstr(hstr(b, r.RecoveredOn.String()), r.Reference)
		b = append(b, '\n')
		flush()
	}
	flush()
	w.Flush()
	return hex.EncodeToString(h.Sum(nil))
}

func hashRound(b []byte, tag string, r *Round) []byte {
	b = append(append(b, tag...), '|')
	for _, s := range []string{r.ID, r.Rule, r.WindowFrom.String(), r.WindowTo.String(), r.Basis} {
		b = hstr(b, s)
	}
	b = hint(hint(b, r.UnitFen), r.CapFen)
	if r.RecipientCapFen != nil {
		b = hint(b, *r.RecipientCapFen)
	} else {
		b = hstr(b, "none")
	}
	f := r.Flags
	b = hbool(hbool(hbool(b, r.RequiresFiling), f.RelatedParty), f.DoubleClaim)
	for _, n := range []int{f.CircularDays, f.NewLicenseeDays, f.BurstCount, f.BurstDays, f.ReversalDays, f.LowFeePercent} {
		b = hint(b, int64(n))
	}
	return append(b, '\n')
}

// Fields are binary: strings as a varint length and the bytes, integers as 8 bytes, booleans as one.

func hstr(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func hint(b []byte, v int64) []byte { return binary.LittleEndian.AppendUint64(b, uint64(v)) }

func hbool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}
