package bonus

import (
	"context"
	"fmt"

	"patentwall/market"
)

// LineChange is a line present in both runs whose outcome changed.
type LineChange struct {
	Before Line `json:"before"`
	After  Line `json:"after"`
}

// Comparison lists what changed from run A to run B of one round.
type Comparison struct {
	Round    string       `json:"round"`
	A        int          `json:"a"`
	B        int          `json:"b"`
	TotalA   int64        `json:"total_fen_a"`
	TotalB   int64        `json:"total_fen_b"`
	SameHash bool         `json:"same_input_hash"`
	Added    []Line       `json:"added"`
	Removed  []Line       `json:"removed"`
	Changed  []LineChange `json:"changed"`
	// Clawbacks are lines paid in A (when A is frozen) whose deal B finds undone.
	Clawbacks []Clawback `json:"clawbacks"`
}

// CompareResults compares two runs' lines (both in their stored order). aFrozen says whether A was paid.
func CompareResults(a, b *RunResult, aN, bN int, aFrozen bool) *Comparison {
	c := &Comparison{Round: b.Round, A: aN, B: bN, TotalA: a.TotalFen, TotalB: b.TotalFen, SameHash: a.InputHash == b.InputHash,
		Added: []Line{}, Removed: []Line{}, Changed: []LineChange{}, Clawbacks: []Clawback{}}
	i, j := 0, 0
	for i < len(a.Lines) || j < len(b.Lines) {
		switch {
		case j >= len(b.Lines) || (i < len(a.Lines) && compareLines(&a.Lines[i], &b.Lines[j]) < 0):
			c.Removed = append(c.Removed, a.Lines[i])
			i++
		case i >= len(a.Lines) || compareLines(&a.Lines[i], &b.Lines[j]) > 0:
			c.Added = append(c.Added, b.Lines[j])
			j++
		default:
			x, y := a.Lines[i], b.Lines[j]
			if x.Status != y.Status || x.AmountFen != y.AmountFen || x.Reasons != y.Reasons || x.Flags != y.Flags ||
				x.Review != y.Review || x.RecipientUSCC != y.RecipientUSCC || x.LicenseeUSCC != y.LicenseeUSCC {
				c.Changed = append(c.Changed, LineChange{Before: x, After: y})
			}
			i++
			j++
		}
	}
	if aFrozen {
		c.Clawbacks = clawbacks([]Baseline{{N: aN, InputHash: a.InputHash, Lines: a.Lines, Clawbacks: a.Clawbacks}}, b.Lines, nil)
	}
	return c
}

// Compare loads runs a and b of a round and compares them.
func Compare(ctx context.Context, s *market.Store, roundID string, a, b int) (*Comparison, error) {
	ia, ra, err := LoadRun(ctx, s, roundID, a)
	if err != nil {
		return nil, fmt.Errorf("bonus: compare: run %d: %w", a, err)
	}
	_, rb, err := LoadRun(ctx, s, roundID, b)
	if err != nil {
		return nil, fmt.Errorf("bonus: compare: run %d: %w", b, err)
	}
	return CompareResults(ra, rb, a, b, ia.Frozen), nil
}
