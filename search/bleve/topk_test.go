package bleve

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// A hit that outranked says cannot be kept is one that offer refuses: collecting with the check keeps
// the same hits as offering every one, for every rank, page size and run of tied scores.
func TestOutrankedAsOffer(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 400 {
		rk := rank(round % 4)
		k := round % 25 // 0 included: a page past what is kept
		every, checked := topK{k: k, rank: rk}, topK{k: k, rank: rk}
		refused := 0
		for i := range 300 {
			h := hitRef{local: uint64(i), id: int64(r.IntN(1000)), listed: int64(r.IntN(50)), fee: int64(r.IntN(20)),
				score: float64(r.IntN(12)) / 4} // few distinct scores: many ties
			if rk != byScore {
				h.score = 0
			}
			every.offer(&h)
			if checked.outranked(h.score) {
				refused++
				continue
			}
			checked.offer(&h)
		}
		if !reflect.DeepEqual(every.sorted(), checked.sorted()) {
			t.Fatalf("rank %d, k %d: kept %v, want %v", rk, k, checked.sorted(), every.sorted())
		}
		if rk == byScore && k > 0 && refused == 0 {
			t.Fatalf("k %d: outranked refused nothing of 300 hits", k)
		}
		if rk != byScore && refused > 0 {
			t.Fatalf("rank %d: outranked refused %d hits, but only ranks by score", rk, refused)
		}
	}
}
