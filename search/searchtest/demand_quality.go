package searchtest

import (
	"context"
	_ "embed"
	"encoding/json"
	"testing"

	"patentwall/search"
)

// LabelledDemand is one demand of the labelled set: written in an SME's own words for a need one or more
// real patents answer, with the patents a person would accept (publication numbers) and why.
type LabelledDemand struct {
	ID       int      `json:"id"`
	Demand   string   `json:"demand"`
	Relevant []string `json:"relevant"`
	Why      string   `json:"why"`
}

//go:embed testdata/demands_labelled.json
var labelledJSON []byte

// LabelledDemands returns the labelled set (search/QUALITY.md, "Matching demands").
func LabelledDemands(t testing.TB) []LabelledDemand {
	t.Helper()
	var out []LabelledDemand
	if err := json.Unmarshal(labelledJSON, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// DemandQualityResult is what DemandQuality measured.
type DemandQualityResult struct {
	Demands    int
	RecallAt10 float64 // mean over demands of (relevant patents in the first 10) / (relevant patents)
	MRR        float64 // mean reciprocal rank of the first relevant patent in the first 10 (0 if none)
	Misses     []int   // demands whose first 10 hold none of their patents
}

// Demand quality thresholds.
const (
	MinRecallAt10 = 0.9
	MinMRR        = 0.7
)

// DemandQuality indexes the real titles as live offers and runs every labelled demand through the
// matching (search.SearchSimilar, then search.RankHits) as the demand page does. It asserts mean
// recall@10 ≥ MinRecallAt10 and MRR ≥ MinMRR.
func DemandQuality(t *testing.T, newIndex NewIndex) DemandQualityResult {
	titles := RealTitles(t)
	labelled := LabelledDemands(t)
	ds := make([]search.Document, len(titles))
	cands := make(map[int64]*search.Candidate, len(titles))
	byNo := make(map[string]int64, len(titles))
	for i, r := range titles {
		d := r.Doc(int64(i + 1))
		d.Offers = []string{search.OfferOpenLicence}
		d.FeeModel = "free"
		ds[i] = d
		cands[d.ID] = &search.Candidate{Doc: d, Licence: true}
		byNo[r.PublicationNo] = d.ID
	}
	idx := open(t, newIndex, nil)
	ctx := context.Background()
	for i := 0; i < len(ds); i += search.Batch {
		if err := idx.Upsert(ctx, ds[i:min(i+search.Batch, len(ds))]); err != nil {
			t.Fatal(err)
		}
	}
	var res DemandQualityResult
	for _, l := range labelled {
		want := map[int64]bool{}
		for _, no := range l.Relevant {
			id, ok := byNo[no]
			if !ok {
				t.Fatalf("demand %d: %s is not in the corpus", l.ID, no)
			}
			want[id] = true
		}
		d := search.Demand{ID: int64(l.ID), Title: l.Demand}
		hits, err := search.SearchSimilar(ctx, idx, d, nil)
		if err != nil {
			t.Fatal(err)
		}
		ms := search.RankHits(d, hits.Hits, cands, 10)
		found, rr := 0, 0.0
		for i, m := range ms {
			if want[m.PatentID] {
				found++
				if rr == 0 {
					rr = 1 / float64(i+1)
				}
			}
		}
		if found == 0 {
			res.Misses = append(res.Misses, l.ID)
		}
		if testing.Verbose() && found < len(want) {
			var got []string
			for _, m := range ms {
				got = append(got, m.Title)
			}
			t.Logf("demand %d: %d of %d, rr %.2f; top: %q", l.ID, found, len(want), rr, got)
		}
		res.RecallAt10 += float64(found) / float64(len(want))
		res.MRR += rr
		res.Demands++
	}
	res.RecallAt10 /= float64(res.Demands)
	res.MRR /= float64(res.Demands)
	t.Logf("%d labelled demands against %d real patents: recall@10 %.3f, MRR %.3f, no hit in 10: %v",
		res.Demands, len(ds), res.RecallAt10, res.MRR, res.Misses)
	if res.Demands < 40 {
		t.Errorf("only %d labelled demands, want at least 40", res.Demands)
	}
	if res.RecallAt10 < MinRecallAt10 {
		t.Errorf("mean recall@10 %.3f, want ≥ %.2f", res.RecallAt10, MinRecallAt10)
	}
	if res.MRR < MinMRR {
		t.Errorf("MRR %.3f, want ≥ %.2f", res.MRR, MinMRR)
	}
	return res
}
