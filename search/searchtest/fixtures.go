package searchtest

import (
	"strings"
	"time"

	"patentwall/search"
)

// fixture describes one test patent compactly; doc() expands it into a search.Document.
type fixture struct {
	id         int64
	appNo      string
	title      string
	abstract   string
	patentee   string
	holderKind string
	district   string
	typ        string
	ipc        []string
	industry   string
	feeModel   string // "" = no declaration
	feeFen     int64
	transfer   bool
	listed     string // YYYY-MM-DD
}

// fixtures mix Chinese and English text; several titles share the boilerplate words (一种, 方法, 装置,
// 系统) that must not drown results, and some texts contain a query only partly (电池 without 锂).
var fixtures = []fixture{
	{1, "202010566088.9", "一种锂电池正极材料及其制备方法", "本发明公开了一种锂电池正极材料，循环寿命长，成本低。",
		"上海交通大学", "university", "310104", "invention", []string{"H01M 4/525", "C01G"}, "新能源", "lump_sum", 5_000_00, false, "2024-01-10"},
	{2, "201921234567.1", "电池管理系统", "用于电动汽车的电池管理系统，实时监测单体电压。",
		"上海汽车集团股份有限公司", "enterprise", "310115", "utility_model", []string{"B60L 58/12", "H02J 7/00"}, "汽车", "royalty", 0, false, "2024-02-01"},
	{3, "202110001111.2", "一种无人机避障方法", "通过激光雷达获取障碍物距离，规划飞行路径。",
		"复旦大学", "university", "310110", "invention", []string{"G05D 1/10", "B64C"}, "人工智能", "free", 0, false, "2024-03-01"},
	{4, "202110002222.3", "基于深度学习的图像识别方法", "An image recognition method based on deep learning: 卷积神经网络提取特征。",
		"上海人工智能研究院", "institute", "310104", "invention", []string{"G06V 10/82", "G06N 3/08"}, "人工智能", "entry_plus_royalty", 20_000_00, false, "2024-04-01"},
	{5, "202010003333.4", "一种中药组合物及其用途", "由黄芪、当归等中药制成，用于治疗慢性胃炎。",
		"上海中医药大学附属龙华医院", "hospital", "310104", "invention", []string{"A61K 36/00"}, "生物医药", "", 0, false, "2023-05-01"},
	{6, "202110004444.5", "Lithium-ion battery separator with ceramic coating", "A separator for lithium ion batteries, coated with alumina.",
		"Shanghai Energy Materials Co., Ltd.", "enterprise", "310112", "invention", []string{"H01M 50/40"}, "新能源", "lump_sum", 300_000_00, false, "2024-05-01"},
	{7, "202110005555.6", "Image recognition system for autonomous driving", "Cameras and radar feed a neural network that labels road users.",
		"上海汽车集团股份有限公司", "enterprise", "310115", "invention", []string{"G06V 20/56", "B60W"}, "汽车", "lump_sum", 80_000_00, false, "2024-06-01"},
	{8, "202120006666.7", "<script>alert(1)</script>一种温湿度传感器", "传感器外壳采用<b>防水</b>结构 & 密封圈。",
		"上海仪器仪表研究所", "institute", "310101", "utility_model", []string{"G01D 11/24"}, "智能制造", "free", 0, false, "2024-06-15"},
	{9, "202120007777.8", "一种太阳能光伏板清洁装置", "光伏板表面自动清扫，节约用水。",
		"上海光能科技有限公司", "enterprise", "310120", "utility_model", []string{"H02S 40/10"}, "新能源", "lump_sum", 8_000_00, false, "2024-07-01"},
	{10, "202120008888.9", "一种电动机控制装置", "控制电动机转速，降低能耗。",
		"上海电机厂有限公司", "enterprise", "310113", "utility_model", []string{"H02P 27/06"}, "智能制造", "", 0, true, "2023-08-01"},
	{11, "202110009999.0", "一种机器人关节减速器", "减速器用于工业机器人关节，传动精度高。",
		"上海机器人产业技术研究院", "institute", "310107", "invention", []string{"F16H 1/32", "B25J"}, "智能制造", "royalty", 0, true, "2024-08-01"},
	{12, "202110010000.1", "一种芯片封装结构", "芯片封装采用倒装焊，散热好。",
		"上海集成电路研发中心", "institute", "310115", "invention", []string{"H01L 23/31"}, "集成电路", "lump_sum", 150_000_00, false, "2024-09-01"},
	{13, "202120011111.2", "一种5G基站天线", "适用于5G通信基站的小型化天线。",
		"上海通信技术有限公司", "enterprise", "310114", "utility_model", []string{"H01Q 1/24"}, "电子信息", "free", 0, false, "2024-10-01"},
	{14, "202110012222.3", "农业植保方法", "利用无人机喷洒农药，提高植保效率。",
		"上海农业科学院", "institute", "310118", "invention", []string{"A01M 7/00"}, "现代农业", "lump_sum", 20_000_00, false, "2024-11-01"},
	{15, "202110013333.4", "一种方法", "一种通用的处理方法。",
		"上海测试有限公司", "enterprise", "", "invention", []string{"G06F"}, "电子信息", "", 0, false, "2023-01-01"},
	{16, "202110014444.5", "一种装置", "一种通用的装置。",
		"上海测试有限公司", "enterprise", "", "design", nil, "", "free", 0, false, "2023-02-01"},
}

func (f fixture) doc() search.Document {
	d := search.Document{
		ID: f.id, ApplicationNo: f.appNo, Title: f.title, Abstract: f.abstract, Patentee: f.patentee,
		HolderKind: f.holderKind, District: f.district, Type: f.typ, Industry: f.industry,
		FeeModel: f.feeModel, FeeFen: f.feeFen, Status: "granted", GrantYear: 2022,
	}
	t, err := time.Parse("2006-01-02", f.listed)
	if err != nil {
		panic(err)
	}
	d.ListedAt = t.UTC()
	seen := map[string]bool{}
	add := func(list *[]string, v string) {
		if !seen[v] {
			seen[v] = true
			*list = append(*list, v)
		}
	}
	for _, s := range f.ipc {
		add(&d.IPC, s)
		add(&d.IPCSection, s[:1])
		add(&d.IPCClass, s[:3])
		add(&d.IPCSubclass, s[:4])
		if slash := strings.Index(s, "/"); slash > 0 {
			add(&d.IPCMainGroup, s[:slash+1])
		}
	}
	d.IPCTitles = strings.Join(ipcTitlesOf(d.IPCSubclass), "；")
	if f.feeModel != "" {
		d.Offers = append(d.Offers, search.OfferOpenLicence)
	}
	if f.transfer {
		d.Offers = append(d.Offers, search.OfferTransfer)
	}
	d.PriceBand = search.PriceBandOf(f.feeModel, f.feeFen)
	return d
}

// ipcTitlesOf gives a few real subclass titles so that IPC titles are searchable text too.
func ipcTitlesOf(subclasses []string) []string {
	known := map[string]string{
		"H01M": "用于直接转变化学能为电能的方法或装置，例如电池组 Processes or means for the direct conversion of chemical energy into electrical energy",
		"G06V": "图像或视频识别或理解 Image or video recognition or understanding",
		"A61K": "医用、牙科用或梳妆用的配制品 Preparations for medical, dental or toiletry purposes",
	}
	var out []string
	for _, s := range subclasses {
		if t, ok := known[s]; ok {
			out = append(out, t)
		}
	}
	return out
}

func docs() []search.Document {
	out := make([]search.Document, len(fixtures))
	for i, f := range fixtures {
		out[i] = f.doc()
	}
	return out
}

// texts returns the searchable text fields of a document.
func texts(d search.Document) []string {
	return []string{d.Title, d.Abstract, d.Patentee, d.IPCTitles}
}

// expectHan is the oracle for Chinese queries: the IDs of documents in which every required term of the
// text occurs as a substring of some text field (common words only rank, see search.ParseText).
func expectHan(all []search.Document, text string, keep func(search.Document) bool) []int64 {
	var out []int64
	terms := search.ParseText(text)
	for _, d := range all {
		if keep != nil && !keep(d) {
			continue
		}
		ok := len(terms) > 0
		for _, t := range terms {
			if t.Common {
				continue
			}
			found := false
			for _, s := range texts(d) {
				if strings.Contains(strings.ToLower(s), strings.ToLower(t.Text)) {
					found = true
				}
			}
			ok = ok && found
		}
		if ok {
			out = append(out, d.ID)
		}
	}
	return out
}
