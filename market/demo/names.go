package demo

import "strings"

// Words for fictional but plausible organisation names, addresses and people. Place-like prefixes are
// old names, rivers and landmarks of Shanghai that no real university or institute carries as
// "上海{prefix}{speciality}大学"; "word:pinyin" pairs give the ASCII slug used in e-mail addresses.

type named struct{ zh, py string }

// pairs parses "词:ci 词:ci".
func pairs(s string) []named {
	var out []named
	for _, f := range strings.Fields(s) {
		zh, py, _ := strings.Cut(f, ":")
		out = append(out, named{zh, py})
	}
	return out
}

var placePrefixes = pairs(`浦江:pujiang 申江:shenjiang 华亭:huating 云间:yunjian 沪滨:hubin 东滩:dongtan 春申:chunshen
	淞滨:songbin 泖湖:maohu 佘山:sheshan 望江:wangjiang 金汇:jinhui 洋山:yangshan 淀湖:dianhu 滨江:binjiang
	海湾:haiwan 九峰:jiufeng 临江:linjiang 申城:shencheng 浦南:punan 松浦:songpu 泗泾:sijing 东海:donghai
	黄歇:huangxie 沪西:huxi 长江口:changjiangkou 吴淞江:wusongjiang 横沙:hengsha 三林:sanlin 杨思:yangsi`)

// University specialities and the industries their patents come from (weights per Industries order:
// IC, biomed, AI, NEV, equipment, materials, aerospace, ICT).
var uniSpecs = []struct {
	zh, py  string
	weights [8]int
}{
	{"理工", "ligong", [8]int{2, 0, 2, 1, 3, 2, 0, 2}},
	{"医科", "yike", [8]int{0, 8, 1, 0, 0, 0, 0, 0}},
	{"交通", "jiaotong", [8]int{0, 0, 1, 2, 2, 0, 2, 1}},
	{"电子科技", "dianzi", [8]int{3, 0, 2, 0, 0, 0, 0, 3}},
	{"中医药", "zhongyiyao", [8]int{0, 8, 0, 0, 0, 0, 0, 0}},
	{"航空航天", "hangtian", [8]int{0, 0, 0, 0, 1, 1, 4, 0}},
	{"化工", "huagong", [8]int{0, 1, 0, 1, 0, 4, 0, 0}},
	{"海事", "haishi", [8]int{0, 0, 0, 0, 3, 1, 0, 1}},
	{"信息工程", "xinxi", [8]int{1, 0, 3, 0, 0, 0, 0, 3}},
	{"科技", "keji", [8]int{1, 1, 1, 1, 1, 1, 1, 1}},
	{"工程技术", "gongcheng", [8]int{0, 0, 1, 2, 2, 1, 0, 0}},
	{"材料科学", "cailiao", [8]int{1, 0, 0, 1, 0, 4, 0, 0}},
}

// Institute names per industry (Industries order), and their slug.
var instituteFields = [8]string{
	"微电子研究院|集成电路研究所|半导体技术研究院",
	"生物医药研究院|药物研究所|医学工程研究院|生物技术研究所",
	"人工智能研究院|智能科学研究院|智能计算研究所",
	"新能源汽车研究院|动力电池研究所|汽车工程研究院",
	"智能制造研究院|先进装备研究所|精密机械研究所|船舶与海洋工程研究院",
	"新材料研究院|先进材料研究所|化工材料研究院",
	"航空技术研究院|航天技术研究所|空天科技研究院",
	"信息通信研究院|光电子研究所|网络安全技术研究院",
}

var industrySlugs = [8]string{"ic", "biomed", "ai", "nev", "equip", "materials", "aero", "ict"}

// Enterprise name parts: a two-character brand, an industry word and a legal form.
var (
	brandFirst = pairs(`芯:xin 睿:rui 澜:lan 擎:qing 汇:hui 博:bo 华:hua 联:lian 启:qi 恒:heng 昇:sheng 曜:yao
		璟:jing 宸:chen 灏:hao 鼎:ding 骏:jun 凌:ling 拓:tuo 迈:mai 元:yuan 景:jing 瀚:han 致:zhi 泓:hong
		森:sen 锦:jin 翊:yi 朗:lang 沐:mu`)
	brandSecond = pairs(`创:chuang 微:wei 芯:xin 智:zhi 科:ke 源:yuan 通:tong 达:da 泰:tai 晟:sheng 辰:chen
		锐:rui 驰:chi 航:hang 光:guang 峰:feng 宇:yu 诺:nuo 维:wei 普:pu 康:kang 盛:sheng 捷:jie 衡:heng
		拓:tuo 屹:yi`)
	// Brands that spell a well-known company's name.
	brandTaken = map[string]bool{"联通": true, "博通": true, "华泰": true, "华通": true, "芯芯": true, "华为": true,
		"元元": true, "拓拓": true, "恒瑞": true, "联创": true}
	industryWords = [8]string{
		"微电子|半导体|集成电路|芯片|电子材料|功率器件",
		"生物医药|生物|医药|医疗器械|基因|细胞治疗|诊断",
		"智能|人工智能|机器人|数据|视觉",
		"新能源汽车|动力电池|电驱动|汽车电子|储能",
		"智能装备|精密机械|自动化|数控|海洋工程|激光",
		"新材料|高分子材料|复合材料|纳米材料|特种合金|化工",
		"航空|航天|空天|无人机|飞行器",
		"通信|光电|网络|信息|云计算|信息安全",
	}
	legalForms = split("有限公司|股份有限公司|科技有限公司|技术有限公司|科技股份有限公司")
)

// Roads per district (real road names; house numbers are made up), by district code.
var roads = map[string]string{
	"310101": "南京东路|西藏中路|延安东路|中山南路|河南南路|打浦路|北京东路",
	"310104": "漕宝路|宜山路|桂平路|虹漕路|田林路|钦州北路|龙华中路|肇嘉浜路",
	"310105": "天山路|仙霞路|延安西路|金钟路|淞虹路|临虹路|协和路",
	"310106": "南京西路|共和新路|万荣路|江场三路|延长路|灵石路|汶水路",
	"310107": "真北路|金沙江路|武威路|中山北路|祁连山路|同普路|云岭东路",
	"310109": "四川北路|东大名路|曲阳路|大连路|汶水东路|水电路|广中路",
	"310110": "国定路|政立路|大学路|军工路|长阳路|黄兴路|殷行路",
	"310112": "剑川路|东川路|紫星路|申长路|吴中路|沪闵路|虹梅南路",
	"310113": "上大路|城银路|逸仙路|友谊路|蕰川路|沪太路|长江西路",
	"310114": "叶城路|曹安公路|墨玉南路|安智路|嘉松北路|城北路|博园路",
	"310115": "张江路|祖冲之路|蔡伦路|碧波路|科苑路|环湖西二路|新元南路|金科路|川沙路|世纪大道",
	"310116": "龙航路|金山大道|卫清西路|亭卫公路|沪杭公路|板桥西路",
	"310117": "沪亭北路|文汇路|荣乐东路|思贤路|广富林路|龙源路|九亭大街",
	"310118": "华徐公路|崧泽大道|盈港东路|外青松公路|漕盈路|嘉松中路",
	"310120": "望园路|金海公路|海泉路|环城东路|大叶公路|海思路|正博路",
	"310151": "陈海公路|北沿公路|八一路|人民路|潘园公路|长兴江南大道",
}

// People.
var (
	surnames   = split("王|李|张|刘|陈|杨|黄|赵|吴|周|徐|孙|马|朱|胡|郭|何|高|林|罗|郑|梁|谢|宋|唐|许|韩|冯|邓|曹|彭|曾|肖|田|董|袁|潘|于|蒋|蔡|余|杜|叶|程|苏|魏|吕|丁|任|沈|姚|卢|姜|崔|钟|谭|陆|汪|范|金|石|廖|贾|夏|韦|方|白|邹|孟|熊|秦|邱|江|尹|薛|段|雷|侯|龙|史|陶|黎|贺|顾|毛|郝|龚|邵|万|钱|严|戴|孔|汤")
	givenChars = split("伟|芳|娜|敏|静|丽|强|磊|军|洋|勇|艳|杰|涛|明|超|秀|霞|平|刚|桂|华|建|国|文|辉|鹏|玲|婷|雪|慧|宇|晨|浩|博|欣|悦|峰|琳|颖|志|立|德|海|俊|嘉|怡|晓|思|佳|子|家|新|蕾|琦|瑞|彬|斌|振|凯")
)
