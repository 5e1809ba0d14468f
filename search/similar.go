package search

import (
	"strings"
	"unicode/utf8"
)

// Similar text ("more like this"): a demand says in an SME's words what it needs, which rarely repeats a
// patent's wording as a contiguous phrase. Its key terms are the Han bigrams and the Latin words left
// once the demander's own boilerplate (我们/需要/希望…) and the patents' (一种/装置…) are cut out; an
// engine ranks documents by how many of them they share, weighted as it weights terms, and requires none
// in particular (docs/architecture.md §4, matching).

// MaxSimilarRunes bounds Query.Similar (a demand's title and description).
const MaxSimilarRunes = 2200

// MaxKeyTerms bounds the key terms one similar text yields.
const MaxKeyTerms = 48

// MaxSimilarQueryTerms bounds the key terms an engine is asked for (docs/architecture.md §4.2):
// every term asked for costs a pass over its postings, so the engines ask for the most discriminative
// ones (Bleve: the rarest in the index; Meilisearch, which reads only the first ten words of a query:
// the first ones). Re-ranking (Rank) still reads all of them.
const MaxSimilarQueryTerms = 16

// demandWords are what demanders write around the technical content: cut out before bigrams are made,
// so 我们希望降低 yields 降低 and not 们希 or 望降.
var demandWords = []string{
	"我们的", "我们", "我司", "本公司", "公司", "企业", "工厂", "需要", "需求", "希望", "寻求", "寻找", "征集",
	"想要", "能够", "可以", "目前", "现在", "现有", "已经", "正在", "问题", "技术", "专利", "产品", "方案",
	"解决", "相关", "方面", "领域", "预算", "万元", "许可", "转让", "合作", "开放", "获得", "引进", "购买",
	"提供", "一个", "一些", "一种", "这个", "那个", "这种", "哪些", "什么", "如何", "怎么", "主要", "从事",
	"研发", "用户", "客户", "比较", "非常", "要求", "实现", "进行", "方法", "装置", "系统", "设备", "及其",
	"用于", "基于", "具有", "使用", "以及", "或者", "并且", "而且", "但是", "因为", "所以", "如果", "时候",
	"经常", "容易", "导致", "造成", "不够", "不足", "有没有", "是否", "的", "了", "我", "你", "他", "它",
	"吗", "呢", "吧", "很", "都", "就", "也", "又", "这", "那", "些", "想", "靠", "太慢", "每天", "全靠",
	"一台", "一套", "越来越", "人工", "机器",
	// Attributes every other patent title claims, which say nothing about the need.
	"处理", "利用", "生产", "加工", "制备", "工艺", "结构", "新型", "高效", "节能", "环保", "智能", "自动",
	"一体", "改进", "改造", "升级", "配方",
}

// cutter replaces every demand word by a separator; longer words first, so 我们的 goes before 我们.
var cutter = func() *strings.Replacer {
	ws := append([]string(nil), demandWords...)
	for i := 1; i < len(ws); i++ { // insertion sort by length, longest first (tiny list, run once)
		for j := i; j > 0 && len([]rune(ws[j])) > len([]rune(ws[j-1])); j-- {
			ws[j], ws[j-1] = ws[j-1], ws[j]
		}
	}
	pairs := make([]string, 0, 2*len(ws))
	for _, w := range ws {
		pairs = append(pairs, w, "|")
	}
	return strings.NewReplacer(pairs...)
}()

// KeyTerms returns the key terms of a similar text in order of first appearance, without duplicates: the
// bigrams of each Han piece left after cutting the demand words (a piece of one character is dropped:
// alone it matches too much), and Latin words of two or more letters or digits that are not common
// words (lower-cased). At most MaxKeyTerms.
func KeyTerms(text string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] && len(out) < MaxKeyTerms {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, run := range splitRuns(text) {
		if !run.Han {
			if w := strings.ToLower(run.Text); len([]rune(w)) >= 2 && !IsCommonWord(w) {
				add(w)
			}
			continue
		}
		for _, piece := range strings.Split(cutter.Replace(run.Text), "|") {
			rs := []rune(piece)
			for i := 0; i+1 < len(rs); i++ {
				add(string(rs[i : i+2]))
			}
		}
	}
	return out
}

// SharedTerms returns the longest stretches of a similar text that a document's text also contains, for
// showing a person why they match: each piece of the text (as KeyTerms cuts it) is read left to right,
// taking at each point the longest stretch of two or more characters found in the document; Latin key
// words found are kept as they are. Coverage is the share of the key terms found in the document (0 when
// there are none).
func SharedTerms(text string, keys []string, doc string) (shared []string, coverage float64) {
	return similarPiecesOf(text).shared(keys, doc)
}

// similarPieces are the Han pieces of a similar text left after cutting the demand words, each with the
// byte offset of every rune (and of its end), cut once per demand rather than once per candidate.
type similarPieces []similarPiece

type similarPiece struct {
	text string
	offs []int
}

func similarPiecesOf(text string) similarPieces {
	var out similarPieces
	for _, run := range splitRuns(text) {
		if !run.Han {
			continue
		}
		for _, piece := range strings.Split(cutter.Replace(run.Text), "|") {
			if utf8.RuneCountInString(piece) < 2 {
				continue
			}
			p := similarPiece{text: piece, offs: make([]int, 0, len(piece)/3+1)}
			for i := range piece {
				p.offs = append(p.offs, i)
			}
			p.offs = append(p.offs, len(piece))
			out = append(out, p)
		}
	}
	return out
}

// shared is SharedTerms over pieces already cut.
func (ps similarPieces) shared(keys []string, doc string) (shared []string, coverage float64) {
	if len(keys) == 0 {
		return nil, 0
	}
	lower := strings.ToLower(doc)
	found := 0
	for _, k := range keys {
		if strings.Contains(lower, k) {
			found++
			if !HasHan(k) && !containsString(shared, k) {
				shared = append(shared, k)
			}
		}
	}
	for _, p := range ps {
		runes := len(p.offs) - 1
		for i := 0; i+1 < runes; {
			end := 0
			for j := i + 2; j <= runes && strings.Contains(lower, p.text[p.offs[i]:p.offs[j]]); j++ {
				end = j
			}
			if end == 0 {
				i++
				continue
			}
			if s := p.text[p.offs[i]:p.offs[end]]; !containsString(shared, s) {
				shared = append(shared, s)
			}
			i = end
		}
	}
	return shared, float64(found) / float64(len(keys))
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s || strings.Contains(x, s) {
			return true
		}
	}
	return false
}
