package bonus_test

import (
	"fmt"
	"io"
	"testing"

	"patentwall/bonus"
)

// syntheticRun is a run of n lines over 5,000 recipients and 20,000 licensees, 5% eligible.
func syntheticRun(n int) *bonus.RunResult {
	r := &bonus.RunResult{Round: "art22-2022", AsOf: d("2023-12-31"), InputHash: "x", CapFen: 30000000, Names: map[string]string{}}
	for i := 0; i < 25000; i++ {
		r.Names[fmt.Sprintf("91310000%010d", i)] = fmt.Sprintf("上海样例%d科技有限公司", i)
	}
	r.Lines = make([]bonus.Line, n)
	for i := range r.Lines {
		l := bonus.Line{ContractNo: fmt.Sprintf("PW%09d", i), RecipientUSCC: fmt.Sprintf("91310000%010d", i%5000),
			LicenseeUSCC: fmt.Sprintf("91310000%010d", 5000+i%20000), Status: bonus.StatusIneligible,
			Reasons: bonus.Reasons(1 << (i % 12))}
		if i%20 == 0 {
			l.Status, l.Reasons, l.AmountFen = bonus.StatusEligible, 0, 300000
		}
		r.Lines[i] = l
	}
	return r
}

func BenchmarkWriteXLSX(b *testing.B) {
	r := syntheticRun(200_000)
	b.ResetTimer()
	for b.Loop() {
		if err := r.WriteXLSX(io.Discard, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteCSV(b *testing.B) {
	r := syntheticRun(200_000)
	b.ResetTimer()
	for b.Loop() {
		if err := r.WriteCSV(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteJSON(b *testing.B) {
	r := syntheticRun(200_000)
	b.ResetTimer()
	for b.Loop() {
		if err := r.WriteJSON(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
