package searchtest

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"patentwall/search"
)

// builtinTitles stand in for the real titles when shared/data/real is absent, so benchmarks still run.
var builtinTitles = []string{
	"一种锂电池正极材料及其制备方法", "一种无人机避障控制方法", "基于深度学习的图像识别方法", "一种中药组合物及其用途",
	"一种太阳能光伏板清洁装置", "一种电动机控制装置", "一种机器人关节减速器", "一种芯片封装结构", "一种5G基站天线",
	"一种混凝土搅拌装置", "一种新能源汽车电池管理系统", "一种激光切割设备", "一种轴承润滑结构", "一种光纤传感器",
	"一种污水处理系统", "一种智能温控装置", "一种医用导管及其制备方法", "一种半导体晶圆检测方法", "一种建筑用钢结构连接件",
	"一种农业植保无人机", "一种神经网络模型训练方法", "一种储能变流器", "一种液压缸密封结构", "一种食品包装机",
}

// Corpus is a set of generated patent documents and the vocabulary its queries use.
type Corpus struct {
	Docs  []search.Document
	Words []string // frequent two- to four-character words of the titles, for queries
}

var (
	industries = []string{"新能源", "汽车", "人工智能", "生物医药", "集成电路", "智能制造", "电子信息", "现代农业", "新材料", "节能环保"}
	districts  = []string{"310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113",
		"310114", "310115", "310116", "310117", "310118", "310120", "310151"}
	kinds     = []string{"university", "institute", "hospital", "enterprise"}
	feeModels = []string{"", "free", "lump_sum", "royalty", "entry_plus_royalty"}
)

// Synthesize builds n documents by recombining real titles (the head of one with the tail of another;
// abstracts from three more), so term statistics stay those of real Chinese patent text. Without real
// titles it recombines a built-in list. The same seed gives the same corpus.
func Synthesize(real []RealTitle, n int, seed uint64) Corpus {
	minCount := 3 // a word of the real titles is a query word once it is in three titles
	if len(real) == 0 {
		// The built-in list is two dozen titles, in which only 结构 is in three: every query of a
		// benchmark would be that one word. Any word of them is a query word then.
		minCount = 1
		for i, t := range builtinTitles {
			real = append(real, RealTitle{PublicationNo: fmt.Sprintf("CN%09dA", i), Kind: "A", Title: t, Subclasses: []string{"G06F"}})
		}
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	half := func(t string, head bool) string {
		rs := []rune(t)
		cut := len(rs) / 2
		if head {
			return string(rs[:cut])
		}
		return string(rs[cut:])
	}
	pick := func() RealTitle { return real[rng.IntN(len(real))] }
	base := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := make([]search.Document, n)
	for i := range docs {
		a, b := pick(), pick()
		title := half(a.Title, true) + half(b.Title, false)
		abstract := "本发明公开了" + pick().Title + "，包括" + half(pick().Title, false) + "，解决了" + half(pick().Title, true) + "的问题。"
		d := RealTitle{PublicationNo: a.PublicationNo, Kind: a.Kind, Title: title, Subclasses: append(a.Subclasses[:1:1], b.Subclasses...)}.Doc(int64(i + 1))
		d.ApplicationNo = fmt.Sprintf("2022%08d.%d", i, i%10)
		d.Abstract = abstract
		d.Patentee = fmt.Sprintf("上海%s科技有限公司", half(pick().Title, true))
		d.HolderKind = kinds[rng.IntN(len(kinds))]
		d.District = districts[rng.IntN(len(districts))]
		d.Industry = industries[rng.IntN(len(industries))]
		d.IPC = append([]string(nil), d.IPCSubclass...)
		d.FeeModel = feeModels[rng.IntN(len(feeModels))]
		if d.FeeModel == "lump_sum" || d.FeeModel == "entry_plus_royalty" {
			d.FeeFen = int64(rng.IntN(300_000)) * 100
		}
		d.PriceBand = search.PriceBandOf(d.FeeModel, d.FeeFen)
		if d.FeeModel != "" {
			d.Offers = []string{search.OfferOpenLicence}
		}
		d.ListedAt = base.Add(time.Duration(rng.IntN(3*365*24)) * time.Hour)
		docs[i] = d
	}
	return Corpus{Docs: docs, Words: frequentWords(real, 200, minCount)}
}

// frequentWords returns the most frequent Han bigrams, trigrams and 4-grams of the titles that are not
// boilerplate (一种, 方法…) and occur at least minCount times, as query words.
func frequentWords(real []RealTitle, n, minCount int) []string {
	count := map[string]int{}
	for _, r := range real {
		for _, run := range search.ParseText(r.Title) {
			if !run.Han {
				continue
			}
			rs := []rune(run.Text)
			for size := 2; size <= 4; size++ {
				for i := 0; i+size <= len(rs); i++ {
					w := string(rs[i : i+size])
					if !search.IsCommonWord(w) && !strings.ContainsAny(w, "一种的及其和与用于") {
						count[w]++
					}
				}
			}
		}
	}
	type wc struct {
		w string
		c int
	}
	var all []wc
	for w, c := range count {
		if c >= minCount {
			all = append(all, wc{w, c})
		}
	}
	// Most frequent first; ties by word for determinism.
	sort.Slice(all, func(i, j int) bool { return all[i].c > all[j].c || all[i].c == all[j].c && all[i].w < all[j].w })
	var out []string
	for _, x := range all {
		if len(out) == n {
			break
		}
		out = append(out, x.w)
	}
	return out
}

// Queries returns count queries of k words each, drawn from the corpus vocabulary.
func (c Corpus) Queries(k, count int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, uint64(k)))
	out := make([]string, count)
	for i := range out {
		ws := make([]string, k)
		for j := range ws {
			ws[j] = c.Words[rng.IntN(len(c.Words))]
		}
		out[i] = strings.Join(ws, " ")
	}
	return out
}
