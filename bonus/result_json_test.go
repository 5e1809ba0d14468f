package bonus_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"patentwall/bonus"
	"patentwall/market"
)

// The run's JSON as encoding/json writes it from plain structs: the reference the hand-written encoder
// (RunResult.WriteJSON) must agree with, field by field and in the same order.
type (
	refRun struct {
		Round       string         `json:"round"`
		AsOf        string         `json:"as_of"`
		InputHash   string         `json:"input_hash"`
		Baselines   []int          `json:"baseline_runs"`
		CapFen      int64          `json:"cap_fen"`
		EligibleFen int64          `json:"eligible_fen"`
		TotalFen    int64          `json:"total_fen"`
		Scaled      bool           `json:"scaled"`
		Recipients  []refRecipient `json:"recipients"`
		Lines       []refLine      `json:"lines"`
		Clawbacks   []refClawback  `json:"clawbacks"`
	}
	refRecipient struct {
		USCC      string `json:"uscc"`
		Name      string `json:"name"`
		AmountFen int64  `json:"amount_fen"`
		Lines     int    `json:"lines"`
	}
	refLine struct {
		ContractNo    string   `json:"contract_no"`
		Patent        string   `json:"patent"`
		RecipientUSCC string   `json:"recipient_uscc"`
		LicenseeUSCC  string   `json:"licensee_uscc"`
		Status        string   `json:"status"`
		Reasons       []string `json:"reasons"`
		Flags         []string `json:"flags"`
		Review        string   `json:"review,omitempty"`
		AmountFen     int64    `json:"amount_fen"`
	}
	refClawback struct {
		Run           int    `json:"run"`
		ContractNo    string `json:"contract_no"`
		Patent        string `json:"patent"`
		RecipientUSCC string `json:"recipient_uscc"`
		AmountFen     int64  `json:"amount_fen"`
		RecoveredFen  int64  `json:"recovered_fen"`
		Reason        string `json:"reason"`
	}
)

func refOf(r *bonus.RunResult) refRun {
	out := refRun{Round: r.Round, AsOf: r.AsOf.String(), InputHash: r.InputHash, Baselines: append([]int{}, r.Baselines...), CapFen: r.CapFen,
		EligibleFen: r.EligibleFen, TotalFen: r.TotalFen, Scaled: r.Scaled,
		Recipients: []refRecipient{}, Lines: []refLine{}, Clawbacks: []refClawback{}}
	for _, rc := range r.Recipients {
		out.Recipients = append(out.Recipients, refRecipient{rc.USCC, rc.Name, rc.AmountFen, rc.Lines})
	}
	for _, l := range r.Lines {
		out.Lines = append(out.Lines, refLine{l.ContractNo, l.Patent, l.RecipientUSCC, l.LicenseeUSCC, l.Status.String(),
			append([]string{}, l.Reasons.Codes()...), append([]string{}, l.Flags.Codes()...), l.Review.String(), l.AmountFen})
	}
	for _, c := range r.Clawbacks {
		out.Clawbacks = append(out.Clawbacks, refClawback{c.Run, c.ContractNo, c.Patent, c.RecipientUSCC, c.AmountFen, c.RecoveredFen, c.Reason.String()})
	}
	return out
}

// tokens lists a JSON text's tokens (keys in order, strings decoded, numbers exact), so two encodings
// compare equal when they say the same thing in the same order, whatever their escaping.
func tokens(t *testing.T, what string, b []byte) []any {
	t.Helper()
	if !json.Valid(b) {
		t.Fatalf("%s: invalid JSON: %q", what, b)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out []any
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		out = append(out, tok)
	}
}

func compareRunJSON(t *testing.T, r *bonus.RunResult) {
	t.Helper()
	var got bytes.Buffer
	if err := r.WriteJSON(&got); err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(refOf(r))
	if err != nil {
		t.Fatal(err)
	}
	gt, wt := tokens(t, "WriteJSON", got.Bytes()), tokens(t, "encoding/json", want)
	if len(gt) != len(wt) {
		t.Fatalf("WriteJSON has %d tokens, encoding/json %d:\n got  %s\n want %s", len(gt), len(wt), got.Bytes(), want)
	}
	for i := range gt {
		if gt[i] != wt[i] {
			t.Fatalf("token %d: %#v, encoding/json %#v:\n got  %s\n want %s", i, gt[i], wt[i], got.Bytes(), want)
		}
	}
	// MarshalJSON is the same text without the final newline; encoding/json accepts it as is.
	m, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if mt := tokens(t, "MarshalJSON", m); len(mt) != len(gt) {
		t.Errorf("MarshalJSON differs from WriteJSON: %s", m)
	} else {
		for i := range mt {
			if mt[i] != gt[i] {
				t.Fatalf("MarshalJSON token %d: %#v, WriteJSON %#v", i, mt[i], gt[i])
			}
		}
	}
	// Equal runs are equal bytes.
	var again bytes.Buffer
	if err := r.WriteJSON(&again); err != nil || !bytes.Equal(again.Bytes(), got.Bytes()) {
		t.Errorf("a second WriteJSON differs (err %v)", err)
	}
}

// FuzzRunJSON compares the hand-written run encoder with encoding/json on generated runs: strings with
// quotes, backslashes, control characters, HTML, U+2028, invalid UTF-8, Chinese, empty and long; every
// status, verdict, void cause and combination of reason and flag bits; negative and extreme amounts;
// empty and non-empty lists. The seeds run with every go test; go test -fuzz FuzzRunJSON ./bonus
// explores further.
func FuzzRunJSON(f *testing.F) {
	seeds := [][4]string{
		{"", "", "", ""},
		{"art22-2024", "91310000MA1FL0001X", "上海某某大学", "HT-2024-0001"},
		{`"quoted" \back\slash`, "\x00\x01\x1f\x7f", "<script>&amp;</script>", "\u2028\u2029"},
		{"\xff\xfe broken \xc3", "tab\tnew\nline\rret\b\f", "🙂 emoji 𝄞", strings.Repeat("长", 1000)},
		{"\\u0041", `\"`, "/", "\ufffd"},
	}
	for i, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3], int64(i)*-987_654_321_012, uint64(i)*0x9E3779B97F4A7C15)
	}
	f.Add("max", "min", "", "", int64(-1<<63), ^uint64(0))
	f.Add("max", "min", "", "", int64(1<<63-1), uint64(0))
	f.Fuzz(func(t *testing.T, a, b, c, d string, n int64, bits uint64) {
		r := &bonus.RunResult{Round: a, InputHash: b, CapFen: n, EligibleFen: -n, TotalFen: n / 3, Scaled: bits&1 != 0,
			PerPatent: bits&2 != 0, Names: map[string]string{b: c}}
		if bits&4 != 0 {
			r.AsOf = market.DateOf(time.Unix(n%(1<<35), 0).UTC())
		}
		if bits&8 == 0 {
			r.Recipients = []bonus.Recipient{{USCC: b, Name: c, AmountFen: n, Lines: int(bits >> 40)},
				{USCC: d, Name: a, AmountFen: -n}}
			r.Lines = []bonus.Line{
				{ContractNo: a, Patent: b, RecipientUSCC: c, LicenseeUSCC: d, Status: bonus.Status((bits >> 4) % 3),
					Reasons: bonus.Reasons(bits >> 8), Flags: bonus.Flags(bits >> 24), Review: bonus.Verdict((bits >> 32) % 3),
					AmountFen: n, Void: bonus.Void((bits >> 36) % 3)},
				{ContractNo: d, Status: bonus.StatusEligible, AmountFen: -n},
			}
			r.Clawbacks = []bonus.Clawback{{Run: int(bits >> 44), ContractNo: c, Patent: d, RecipientUSCC: a,
				AmountFen: n, RecoveredFen: n / 7, Reason: bonus.Void((bits >> 38) % 6)}}
			r.Baselines = []int{int(bits >> 44), int(bits>>44) + 2}
		}
		compareRunJSON(t, r)
	})
}
