package search_test

import (
	"slices"
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/search"
)

func codes(m search.Match) []string {
	var out []string
	for _, r := range m.Reasons {
		out = append(out, r.Code)
	}
	return out
}

// TestRankReasons: each reason appears exactly when its fact holds, and adds to the score.
func TestRankReasons(t *testing.T) {
	d := search.Demand{ID: 1, OrgID: 9, Title: "寻求动力电池热管理技术", Description: "我们的电池包夏天温度过高，需要液冷散热方案。",
		Industry: "新能源汽车", IPC: "H01M 10/613", BudgetMaxFen: 50_000_00, District: "310115"}
	keys := search.KeyTerms(d.SimilarText())
	base := search.Candidate{Doc: search.Document{ID: 7, ApplicationNo: "202010566088.9", Title: "一种动力电池包液冷热管理系统",
		Patentee: "某大学", HolderKind: market.KindUniversity, District: "310115", Industry: "新能源汽车", IPC: []string{"H01M 10/625"}},
		Licence: true, UpfrontFen: 20_000_00}
	m := search.Rank(d, keys, &base, -1)
	if want := []string{"text", "ipc", "industry", "within_budget", "same_district", "holder_kind"}; !slices.Equal(codes(m), want) {
		t.Errorf("reasons %v, want %v", codes(m), want)
	}
	if !strings.Contains(m.Reasons[0].ZH, "动力电池") || !strings.Contains(m.HighlightedTitle(), "<mark>") {
		t.Errorf("text reason %q, title %q", m.Reasons[0].ZH, m.HighlightedTitle())
	}
	if !m.Good() {
		t.Errorf("score %.2f below the match threshold", m.Score)
	}
	// Each fact taken away takes its reason and some score with it.
	for name, edit := range map[string]func(c *search.Candidate){
		"ipc":           func(c *search.Candidate) { c.Doc.IPC = []string{"F28D 1/00"} },
		"industry":      func(c *search.Candidate) { c.Doc.Industry = "高端装备" },
		"within_budget": func(c *search.Candidate) { c.UpfrontFen = 60_000_00 },
		"same_district": func(c *search.Candidate) { c.Doc.District = "310104" },
		"holder_kind":   func(c *search.Candidate) { c.Doc.HolderKind = market.KindEnterprise },
	} {
		c := base
		edit(&c)
		got := search.Rank(d, keys, &c, -1)
		if slices.Contains(codes(got), name) || got.Score >= m.Score {
			t.Errorf("without %s: reasons %v, score %.3f (was %.3f)", name, codes(got), got.Score, m.Score)
		}
	}
	// A free licence says so instead of the budget; a subclass in common is a weaker IPC reason.
	c := base
	c.Free, c.UpfrontFen = true, 0
	c.Doc.IPC = []string{"H01M 4/00"}
	got := search.Rank(d, keys, &c, -1)
	if !slices.Contains(codes(got), "free") || slices.Contains(codes(got), "within_budget") || !strings.Contains(got.Reasons[1].ZH, "H01M") ||
		strings.Contains(got.Reasons[1].ZH, "H01M 10") {
		t.Errorf("free, subclass: %v %v", codes(got), got.Reasons)
	}
	// Nothing shared: no text reason, a low score.
	c = base
	c.Doc.Title = "一种中药组合物"
	if got := search.Rank(d, keys, &c, -1); slices.Contains(codes(got), "text") || got.Good() {
		t.Errorf("unrelated patent: %v %.2f", codes(got), got.Score)
	}
}

func TestKeyTermsCutTheDemandersWords(t *testing.T) {
	got := search.KeyTerms("我们希望降低锂电池的成本，预算50万元。BMS")
	want := []string{"降低", "低锂", "锂电", "电池", "成本", "50", "bms"}
	if !slices.Equal(got, want) {
		t.Errorf("KeyTerms = %v, want %v", got, want)
	}
	shared, cov := search.SharedTerms("我们希望降低锂电池的成本", search.KeyTerms("我们希望降低锂电池的成本"), "一种低成本锂电池")
	if !slices.Equal(shared, []string{"锂电池", "成本"}) || cov != 0.6 {
		t.Errorf("SharedTerms = %v %.2f", shared, cov)
	}
}

func TestParseQueryString(t *testing.T) {
	q, err := search.ParseQueryString("?q=电池&industry=新能源,汽车&district=浦东&max_fee_yuan=100.5&page=3")
	if err != nil {
		t.Fatal(err)
	}
	if q.Text != "电池" || !slices.Equal(q.Industries, []string{"新能源", "汽车"}) || q.Districts[0] != "310115" || *q.MaxFeeFen != 100_50 {
		t.Errorf("parsed %+v", q)
	}
	if s := search.QueryString(q); s != "district=310115&industry=%E6%96%B0%E8%83%BD%E6%BA%90%2C%E6%B1%BD%E8%BD%A6&max_fee_yuan=100.50&q=%E7%94%B5%E6%B1%A0" {
		t.Errorf("QueryString = %s", s)
	}
	for raw, field := range map[string]string{"q=%zz": "query", "colour=red": "query", "type=car": "type", "q=a&q=b": "q", "max_fee_yuan=x": "max_fee_yuan"} {
		_, err := search.ParseQueryString(raw)
		if es := market.AsFieldErrors(err); len(es) == 0 || es[0].Field != field {
			t.Errorf("%q: %v, want field %s", raw, err, field)
		}
	}
}
