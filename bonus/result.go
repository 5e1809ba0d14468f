package bonus

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"unicode/utf8"

	"patentwall/market"
)

// RunResult is a computed run, as docs/interfaces.md §6 shapes its JSON.
type RunResult struct {
	Round       string
	AsOf        market.Date
	InputHash   string
	CapFen      int64
	EligibleFen int64 // the eligible lines' unit amounts before any cap
	TotalFen    int64 // what the run pays after the caps
	Scaled      bool  // a cap cut the total
	PerPatent   bool  // lines are per patent (else per contract, Patent "")
	Recipients  []Recipient
	Lines       []Line
	// Clawbacks are lines the round's frozen runs paid that are now undone, until recovered in full.
	Clawbacks []Clawback
	// Baselines are the frozen runs compared with to find the clawbacks (not part of the input hash).
	Baselines []int
	// Names maps every USCC in the lines to the organisation's name (for statements and exports).
	Names map[string]string
}

// Recipient is one recipient's total; Lines counts its eligible lines.
type Recipient struct {
	USCC      string
	Name      string
	AmountFen int64
	Lines     int
}

// Line is one contract (per-contract rounds) or one patent of a contract (per-patent rounds).
type Line struct {
	ContractNo    string
	Patent        string
	RecipientUSCC string
	LicenseeUSCC  string
	Status        Status
	Reasons       Reasons
	Flags         Flags
	Review        Verdict // the reviewer's decision that applied, if any
	AmountFen     int64
	Void          Void // the deal was undone by the as-of day (for clawbacks; not in the JSON)
}

// Clawback is a paid line to recover (seed Art. 26: 追回有关资金): AmountFen is what the frozen runs paid
// for it, RecoveredFen what was recovered by the as-of day.
type Clawback struct {
	Run           int // the frozen run that paid it
	ContractNo    string
	Patent        string
	RecipientUSCC string
	AmountFen     int64
	RecoveredFen  int64
	Reason        Void
}

// OwedFen is what is still to recover.
func (c Clawback) OwedFen() int64 { return c.AmountFen - c.RecoveredFen }

// MarshalJSON renders the JSON of docs/interfaces.md §6 (see WriteJSON).
func (r *RunResult) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	err := r.WriteJSON(&b)
	return bytes.TrimRight(b.Bytes(), "\n"), err
}

// WriteJSON streams the run as JSON: the fields of docs/interfaces.md §6 in a fixed order, one line per
// element of lines, so equal runs are equal bytes and a million lines never sit in memory twice. "review"
// appears only on lines a reviewer decided.
func (r *RunResult) WriteJSON(out io.Writer) error {
	w := bufio.NewWriterSize(out, 1<<16)
	b := make([]byte, 0, 512)
	b = append(b, `{"round":`...)
	b = appendJSONString(b, r.Round)
	b = append(b, `,"as_of":`...)
	b = appendJSONString(b, r.AsOf.String())
	b = append(b, `,"input_hash":`...)
	b = appendJSONString(b, r.InputHash)
	b = append(b, `,"baseline_runs":[`...)
	for i, n := range r.Baselines {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	b = append(b, ']')
	b = appendInt(b, `,"cap_fen":`, r.CapFen)
	b = appendInt(b, `,"eligible_fen":`, r.EligibleFen)
	b = appendInt(b, `,"total_fen":`, r.TotalFen)
	b = append(b, `,"scaled":`...)
	b = strconv.AppendBool(b, r.Scaled)
	b = append(b, `,"recipients":[`...)
	for i := range r.Recipients {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRecipientJSON(append(b, '\n'), &r.Recipients[i])
		if _, err := w.Write(b); err != nil {
			return err
		}
		b = b[:0]
	}
	b = append(b, `],"lines":[`...)
	for i := range r.Lines {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendLineJSON(append(b, '\n'), &r.Lines[i])
		if _, err := w.Write(b); err != nil {
			return err
		}
		b = b[:0]
	}
	b = append(b, `],"clawbacks":[`...)
	for i := range r.Clawbacks {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendClawbackJSON(append(b, '\n'), &r.Clawbacks[i])
	}
	b = append(b, "]}\n"...)
	if _, err := w.Write(b); err != nil {
		return err
	}
	return w.Flush()
}

func appendLineJSON(b []byte, l *Line) []byte {
	b = append(b, `{"contract_no":`...)
	b = appendJSONString(b, l.ContractNo)
	b = append(b, `,"patent":`...)
	b = appendJSONString(b, l.Patent)
	b = append(b, `,"recipient_uscc":`...)
	b = appendJSONString(b, l.RecipientUSCC)
	b = append(b, `,"licensee_uscc":`...)
	b = appendJSONString(b, l.LicenseeUSCC)
	b = append(b, `,"status":"`...)
	b = append(b, l.Status.String()...)
	b = append(b, `","reasons":`...)
	b = appendCodes(b, uint64(l.Reasons), reasonCodes[:])
	b = append(b, `,"flags":`...)
	b = appendCodes(b, uint64(l.Flags), flagCodes[:])
	if l.Review != VerdictNone {
		b = append(b, `,"review":"`...)
		b = append(b, l.Review.String()...)
		b = append(b, '"')
	}
	b = appendInt(b, `,"amount_fen":`, l.AmountFen)
	return append(b, '}')
}

func appendRecipientJSON(b []byte, rc *Recipient) []byte {
	b = append(b, `{"uscc":`...)
	b = appendJSONString(b, rc.USCC)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, rc.Name)
	b = appendInt(b, `,"amount_fen":`, rc.AmountFen)
	b = appendInt(b, `,"lines":`, int64(rc.Lines))
	return append(b, '}')
}

func appendClawbackJSON(b []byte, c *Clawback) []byte {
	b = appendInt(b, `{"run":`, int64(c.Run))
	b = append(b, `,"contract_no":`...)
	b = appendJSONString(b, c.ContractNo)
	b = append(b, `,"patent":`...)
	b = appendJSONString(b, c.Patent)
	b = append(b, `,"recipient_uscc":`...)
	b = appendJSONString(b, c.RecipientUSCC)
	b = appendInt(b, `,"amount_fen":`, c.AmountFen)
	b = appendInt(b, `,"recovered_fen":`, c.RecoveredFen)
	b = append(b, `,"reason":`...)
	b = appendJSONString(b, c.Reason.String())
	return append(b, '}')
}

func appendInt(b []byte, key string, v int64) []byte {
	return strconv.AppendInt(append(b, key...), v, 10)
}

func appendCodes(b []byte, set uint64, names []string) []byte {
	b = append(b, '[')
	first := true
	for i, n := range names {
		if set&(1<<i) == 0 {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, n...)
		b = append(b, '"')
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as a JSON string (invalid UTF-8 becomes U+FFFD, as encoding/json does).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// MarshalJSON renders a line as in a run's JSON.
func (l Line) MarshalJSON() ([]byte, error) { return appendLineJSON(nil, &l), nil }

// MarshalJSON renders a clawback as in a run's JSON.
func (c Clawback) MarshalJSON() ([]byte, error) { return appendClawbackJSON(nil, &c), nil }

// MarshalJSON renders a recipient as in a run's JSON.
func (rc Recipient) MarshalJSON() ([]byte, error) { return appendRecipientJSON(nil, &rc), nil }
