package bonus

import (
	"cmp"
	"math/bits"
	"slices"
)

// scaleTo scales amounts (all ≥ 0, summing to more than target) down to sum exactly to target, pro
// rata, with the largest-remainder method: each gets floor(a·target/sum), and the fen left over go one
// each to the largest remainders; ties go in the order of idx (the caller's deterministic order).
// amounts is indexed by the values of idx.
func scaleTo(amounts []int64, idx []int32, target int64) {
	var sum uint64
	for _, i := range idx {
		sum += uint64(amounts[i])
	}
	if target < 0 || sum <= uint64(target) {
		return
	}
	rem := make([]uint64, len(idx))
	var given uint64
	for k, i := range idx {
		// a·target fits in 128 bits; a ≤ sum and target < sum keep the quotient's high word below sum.
		hi, lo := bits.Mul64(uint64(amounts[i]), uint64(target))
		q, r := bits.Div64(hi, lo, sum)
		amounts[i] = int64(q)
		rem[k] = r
		given += q
	}
	left := uint64(target) - given // < len(idx)
	if left == 0 {
		return
	}
	order := make([]int32, len(idx))
	for k := range order {
		order[k] = int32(k)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(rem[b], rem[a]) })
	for _, k := range order[:left] {
		amounts[idx[k]]++
	}
}
