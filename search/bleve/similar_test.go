package bleve_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"patentwall/search"
	"patentwall/search/bleve"
)

// A similar query asks for the most discriminative key terms (docs/architecture.md §4.2): a Han
// term the index does not hold is left out, at most search.MaxSimilarQueryTerms of the rarest are asked
// for, a term in more than a tenth of the documents only while fewer than four would be left; the terms
// keep the text's order. And the query still finds the document that shares the rare terms.
func TestSimilarAsksForTheRarestKeyTerms(t *testing.T) {
	ctx := context.Background()
	idx := bleve.New(filepath.Join(t.TempDir(), "index"))
	defer idx.Close()
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	// 20 two-character words; word k is in the titles of documents 0..k (document frequency k+1). Every
	// one of the 200 documents says 材料.
	const chars = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土日月星山川江河湖海风云雷霜雪"
	rs := []rune(chars)
	words := make([]string, 20)
	for k := range words {
		words[k] = string(rs[2*k : 2*k+2])
	}
	docs := make([]search.Document, 200)
	for i := range docs {
		title := []string{"材料"}
		for k := i; k < len(words); k++ {
			title = append(title, words[k])
		}
		docs[i] = search.Document{ID: int64(i + 1), ApplicationNo: fmt.Sprintf("2021100000%02d.0", i), Title: strings.Join(title, "，"),
			Offers: []string{search.OfferOpenLicence}}
	}
	if err := idx.Upsert(ctx, docs); err != nil {
		t.Fatal(err)
	}
	keys := func(text string) []string {
		t.Helper()
		got, err := idx.SimilarKeysForTest(ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	// All 20 words, most common first, and 材料 (in every document): the 16 rarest, in the text's order.
	var text []string
	for k := len(words) - 1; k >= 0; k-- {
		text = append(text, words[k])
	}
	text = append(text, "材料")
	var want []string
	for k := search.MaxSimilarQueryTerms - 1; k >= 0; k-- {
		want = append(want, words[k])
	}
	if got := keys(strings.Join(text, "，")); !slices.Equal(got, want) {
		t.Errorf("20 words and 材料: asked for %v, want %v", got, want)
	}
	// Four rare words and 材料: 材料 (in all 200 documents, above a tenth) is left out.
	if got, want := keys("材料，"+strings.Join(words[:4], "，")), words[:4]; !slices.Equal(got, want) {
		t.Errorf("four rare words: asked for %v, want %v", got, want)
	}
	// Two rare words, 材料 and a word no document holds: 材料 stays (fewer than four would be left),
	// the unknown word goes.
	if got, want := keys("鲸鲨，"+words[0]+"，材料，"+words[1]), []string{words[0], "材料", words[1]}; !slices.Equal(got, want) {
		t.Errorf("few words: asked for %v, want %v", got, want)
	}

	// The query finds the one document holding the rarest words first.
	q, err := search.Query{Similar: strings.Join(text, "，"), PerPage: 3}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	res, err := idx.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].ID != 1 {
		t.Errorf("similar search: %+v", res.Hits)
	}
}
