package bonus

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"patentwall/market"
)

// A stored run is gzip over a compact binary form: varints, length-prefixed strings and organisations
// as indexes into one table. A million lines take about 45 MB before and a few MB after compression,
// and decode in well under a second; JSON would be five times larger and slower to parse back.
// Version 2 adds the baseline runs and each clawback's recovered amount; version 1 runs still decode.
const (
	codecMagic   = "PWBONUS2"
	codecMagicV1 = "PWBONUS1"
)

type encoder struct {
	w   *bufio.Writer
	buf [binary.MaxVarintLen64]byte
}

func (e *encoder) uvarint(v uint64) { e.w.Write(binary.AppendUvarint(e.buf[:0], v)) }
func (e *encoder) varint(v int64)   { e.w.Write(binary.AppendVarint(e.buf[:0], v)) }
func (e *encoder) byte(b byte)      { e.w.WriteByte(b) }
func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.w.WriteString(s)
}
func (e *encoder) bool(v bool) {
	if v {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

// encodeRun writes the run in the stored form.
func encodeRun(out io.Writer, r *RunResult) error {
	zw, err := gzip.NewWriterLevel(out, gzip.BestSpeed)
	if err != nil {
		return err
	}
	e := &encoder{w: bufio.NewWriterSize(zw, 1<<16)}
	e.w.WriteString(codecMagic)
	e.str(r.Round)
	e.str(r.AsOf.String())
	e.str(r.InputHash)
	e.uvarint(uint64(len(r.Baselines)))
	for _, n := range r.Baselines {
		e.uvarint(uint64(n))
	}
	e.varint(r.CapFen)
	e.varint(r.EligibleFen)
	e.varint(r.TotalFen)
	e.bool(r.Scaled)
	e.bool(r.PerPatent)
	usccs := make([]string, 0, len(r.Names))
	for u := range r.Names {
		usccs = append(usccs, u)
	}
	slices.Sort(usccs)
	idx := make(map[string]int, len(usccs))
	e.uvarint(uint64(len(usccs)))
	for i, u := range usccs {
		idx[u] = i
		e.str(u)
		e.str(r.Names[u])
	}
	org := func(u string) {
		i, ok := idx[u]
		if !ok { // not in the name table: written inline after a marker
			e.uvarint(0)
			e.str(u)
			return
		}
		e.uvarint(uint64(i) + 1)
	}
	e.uvarint(uint64(len(r.Recipients)))
	for _, rc := range r.Recipients {
		org(rc.USCC)
		e.varint(rc.AmountFen)
		e.uvarint(uint64(rc.Lines))
	}
	e.uvarint(uint64(len(r.Lines)))
	for i := range r.Lines {
		l := &r.Lines[i]
		e.str(l.ContractNo)
		e.str(l.Patent)
		org(l.RecipientUSCC)
		org(l.LicenseeUSCC)
		e.byte(byte(l.Status))
		e.uvarint(uint64(l.Reasons))
		e.byte(byte(l.Flags))
		e.byte(byte(l.Review))
		e.byte(byte(l.Void))
		e.varint(l.AmountFen)
	}
	e.uvarint(uint64(len(r.Clawbacks)))
	for _, c := range r.Clawbacks {
		e.uvarint(uint64(c.Run))
		e.str(c.ContractNo)
		e.str(c.Patent)
		org(c.RecipientUSCC)
		e.varint(c.AmountFen)
		e.varint(c.RecoveredFen)
		e.byte(byte(c.Reason))
	}
	if err := e.w.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// decoder reads from one string holding the whole decompressed run: every decoded string is a slice
// of it, so a million lines cost no per-line allocations.
type decoder struct {
	s   string
	off int
	err error
}

var errCorrupt = errors.New("bonus: stored run is corrupt")

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	var v uint64
	var shift uint
	for {
		if d.off >= len(d.s) || shift > 63 {
			d.err = errCorrupt
			return 0
		}
		b := d.s[d.off]
		d.off++
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v
		}
		shift += 7
	}
}

func (d *decoder) varint() int64 {
	u := d.uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

func (d *decoder) byte() byte {
	if d.err != nil || d.off >= len(d.s) {
		d.err = errCorrupt
		return 0
	}
	d.off++
	return d.s[d.off-1]
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.s)-d.off) {
		d.err = errCorrupt
		return ""
	}
	s := d.s[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

// decodeRun reads a stored run back.
func decodeRun(blob []byte) (*RunResult, error) {
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return nil, fmt.Errorf("bonus: stored run: %w", err)
	}
	var raw bytes.Buffer
	if _, err := raw.ReadFrom(zr); err != nil {
		return nil, fmt.Errorf("bonus: stored run: %w", err)
	}
	d := &decoder{s: raw.String()}
	if len(d.s) < len(codecMagic) || (d.s[:len(codecMagic)] != codecMagic && d.s[:len(codecMagicV1)] != codecMagicV1) {
		return nil, errCorrupt
	}
	v2 := d.s[:len(codecMagic)] == codecMagic
	d.off = len(codecMagic)
	r := &RunResult{Round: d.str()}
	if asOf := d.str(); asOf != "" {
		if r.AsOf, err = market.ParseDate(asOf); err != nil {
			return nil, errCorrupt
		}
	}
	r.InputHash = d.str()
	if v2 {
		n := d.uvarint()
		if n > uint64(len(d.s)) {
			return nil, errCorrupt
		}
		for range n {
			r.Baselines = append(r.Baselines, int(d.uvarint()))
		}
	}
	r.CapFen, r.EligibleFen, r.TotalFen = d.varint(), d.varint(), d.varint()
	r.Scaled, r.PerPatent = d.byte() == 1, d.byte() == 1
	n := d.uvarint()
	if n > uint64(len(d.s)) {
		return nil, errCorrupt
	}
	usccs := make([]string, n)
	r.Names = make(map[string]string, n)
	for i := range usccs {
		usccs[i] = d.str()
		r.Names[usccs[i]] = d.str()
	}
	org := func() string {
		i := d.uvarint()
		if i == 0 {
			return d.str()
		}
		if i > uint64(len(usccs)) {
			d.err = errCorrupt
			return ""
		}
		return usccs[i-1]
	}
	count := func() int {
		n := d.uvarint()
		if n > uint64(len(d.s)) { // each element takes at least one byte
			d.err = errCorrupt
			return 0
		}
		return int(n)
	}
	r.Recipients = make([]Recipient, count())
	for i := range r.Recipients {
		u := org()
		r.Recipients[i] = Recipient{USCC: u, Name: r.Names[u], AmountFen: d.varint(), Lines: int(d.uvarint())}
	}
	r.Lines = make([]Line, count())
	for i := range r.Lines {
		l := &r.Lines[i]
		l.ContractNo, l.Patent = d.str(), d.str()
		l.RecipientUSCC, l.LicenseeUSCC = org(), org()
		l.Status, l.Reasons, l.Flags = Status(d.byte()), Reasons(d.uvarint()), Flags(d.byte())
		l.Review, l.Void, l.AmountFen = Verdict(d.byte()), Void(d.byte()), d.varint()
		if l.Status > StatusHeld || l.Review > VerdictRejected || l.Void >= numVoids {
			d.err = errCorrupt
		}
		if d.err != nil {
			return nil, d.err
		}
	}
	r.Clawbacks = make([]Clawback, count())
	for i := range r.Clawbacks {
		c := &r.Clawbacks[i]
		c.Run = int(d.uvarint())
		c.ContractNo, c.Patent, c.RecipientUSCC = d.str(), d.str(), org()
		c.AmountFen = d.varint()
		if v2 {
			c.RecoveredFen = d.varint()
		}
		if c.Reason = Void(d.byte()); c.Reason >= numVoids {
			d.err = errCorrupt
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	return r, nil
}
