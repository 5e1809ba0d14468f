package web

import (
	"errors"
	"html/template"
	"strconv"
	"strings"
	"time"
	"unicode"

	"patentwall/market"
)

// extraFuncs are template functions other parts of the app add in init() with addFuncs (they must be
// in place before New parses the templates).
var extraFuncs = template.FuncMap{}

// addFuncs adds template functions; a name defined twice is a programming error.
func addFuncs(fm template.FuncMap) {
	for k, v := range fm {
		if _, dup := extraFuncs[k]; dup {
			panic("web: template function " + k + " defined twice")
		}
		extraFuncs[k] = v
	}
}

// templateFuncs returns the template functions with the language bound.
func templateFuncs(lang string) template.FuncMap {
	fm := template.FuncMap{}
	for k, v := range extraFuncs {
		fm[k] = v
	}
	for k, v := range baseFuncs(lang) {
		fm[k] = v
	}
	return fm
}

func baseFuncs(lang string) template.FuncMap {
	return template.FuncMap{
		"t":          func(key string, args ...any) string { return tr(lang, key, args...) },
		"money":      func(fen int64) string { return money(lang, fen) },
		"yuan":       yuanPlain,
		"percent":    percent,
		"date":       formatDate,
		"datetime":   formatDateTime,
		"district":   func(code string) string { return districtName(lang, code) },
		"kind":       func(k string) string { return label(lang, "kind.", k) },
		"ptype":      func(t string) string { return label(lang, "type.", t) },
		"pstatus":    func(s string) string { return label(lang, "status.", s) },
		"feeModel":   func(m string) string { return label(lang, "fee.", m) },
		"band":       func(b string) string { return label(lang, "band.", b) },
		"offer":      func(o string) string { return label(lang, "offer.", o) },
		"declStatus": func(s string) string { return label(lang, "decl.", s) },
		"demand":     func(s string) string { return label(lang, "demand.", s) },
		"role":       func(r string) string { return label(lang, "role.", r) },
		"industry":   func(name string) string { return industryName(lang, name) },
		"ipcSection": func(s string) string { return label(lang, "ipc.", s) },
		"ipcTitle":   func(titles map[string]market.IPCTitle, sym string) string { return ipcTitle(lang, titles, sym) },
		"feeSummary": func(d any) string { return feeSummaryAny(lang, d) },
		"patentNo":   market.PatentNumber,
		"hl":         highlightHTML,
		"static":     func(name string) string { return "/static/" + name + "?v=" + staticVersion },
		"htmlLang":   func() string { return htmlLang(lang) },
		"hasPrefix":  strings.HasPrefix,
		"add":        func(a, b int) int { return a + b },
		"num":        func(n any) string { return groupThousands(toInt64(n)) },
		"dict":       dict,
		"split":      splitList,
	}
}

// label looks up an enumeration value's label ("kind.university"); unknown values show as they are.
func label(lang, prefix, v string) string {
	if v == "" {
		return ""
	}
	if _, ok := catalogue[prefix+v]; ok {
		return tr(lang, prefix+v)
	}
	return v
}

// groupThousands formats n with commas: 1234567 → "1,234,567".
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// yuanPlain formats fen as a plain decimal for forms and query strings: 123450 → "1234.50".
func yuanPlain(fen int64) string { return market.Fen(fen).String() }

// money shows an amount the way readers of each language expect: "1,234.50 元" or "¥1,234.50".
func money(lang string, fen int64) string { return market.Fen(fen).Display(lang) }

// percent shows basis points as a percentage: 550 → "5.50%".
func percent(bp int64) string { return market.PercentText(bp) + "%" }

// formatDate shows a calendar day or an instant's Shanghai day as YYYY-MM-DD ("" for zero/nil).
func formatDate(v any) string {
	switch x := v.(type) {
	case market.Date:
		return x.String()
	case *market.Date:
		if x != nil {
			return x.String()
		}
	case time.Time:
		return market.FormatDay(x)
	case *time.Time:
		if x != nil {
			return market.FormatDay(*x)
		}
	}
	return ""
}

// formatDateTime shows an instant in Shanghai time.
func formatDateTime(v any) string {
	switch x := v.(type) {
	case time.Time:
		return market.FormatDateTime(x)
	case *time.Time:
		if x != nil {
			return market.FormatDateTime(*x)
		}
	}
	return ""
}

// districtsByCode avoids market.LookupDistrict's name matching for the codes pages show by the dozen.
var districtsByCode = func() map[string]market.District {
	m := map[string]market.District{}
	for _, d := range market.Districts() {
		m[d.Code] = d
	}
	return m
}()

func districtName(lang, code string) string {
	if code == "" {
		return tr(lang, "district.outside")
	}
	d, ok := districtsByCode[code]
	if !ok {
		if d, ok = market.LookupDistrict(code); !ok {
			return code
		}
	}
	if lang == LangEN {
		return d.NameEN
	}
	return d.NameZH
}

// industryNames translates the industry names the catalogue uses (Shanghai's leading industries and
// the strategic emerging industries of CNIPA's 2021 concordance); others show as stored.
var industryNames = map[string]string{
	"集成电路":    "Integrated circuits",
	"生物医药":    "Biomedicine",
	"人工智能":    "Artificial intelligence",
	"新一代信息技术": "Next-generation IT",
	"信息技术":    "Information technology",
	"电子信息":    "Electronics and information",
	"高端装备":    "High-end equipment",
	"高端装备制造":  "High-end equipment manufacturing",
	"智能制造":    "Smart manufacturing",
	"新材料":     "New materials",
	"先进材料":    "Advanced materials",
	"新能源":     "New energy",
	"新能源汽车":   "New energy vehicles",
	"智能网联汽车":  "Connected vehicles",
	"汽车":      "Automotive",
	"节能环保":    "Energy saving and environmental protection",
	"绿色低碳":    "Green and low-carbon",
	"数字创意":    "Digital creative industries",
	"生物":      "Biotechnology",
	"医疗器械":    "Medical devices",
	"航空航天":    "Aerospace",
	"民用航空":    "Civil aviation",
	"船舶海工":    "Shipbuilding and offshore",
	"海洋工程":    "Marine engineering",
	"化工":      "Chemicals",
	"新型化工":    "Advanced chemicals",
	"农业":      "Agriculture",
	"现代农业":    "Modern agriculture",
	"食品":      "Food",
	"纺织服装":    "Textiles and apparel",
	"时尚消费品":   "Fashion and consumer goods",
	"建筑":      "Construction",
	"通信":      "Telecommunications",
	"信息通信":    "Information and communications",
	"软件":      "Software",
	"机器人":     "Robotics",
	"量子科技":    "Quantum technology",
	"区块链":     "Blockchain",
	"电子商务":    "E-commerce",
	"金融科技":    "Fintech",
	"物联网":     "Internet of Things",
	"能源":      "Energy",
	"光伏":      "Photovoltaics",
	"储能":      "Energy storage",
	"相关服务业":   "Related services",
	"其他":      "Other",
}

func industryName(lang, name string) string {
	if name == "" {
		return tr(lang, "industry.none")
	}
	if lang == LangEN {
		if en, ok := industryNames[name]; ok {
			return en
		}
	}
	return name
}

// ipcTitle returns the symbol's title in lang, falling back to the other language, then the section
// title, then "".
func ipcTitle(lang string, titles map[string]market.IPCTitle, sym string) string {
	if t, ok := titles[sym]; ok {
		first, second := t.TitleZH, t.TitleEN
		if lang == LangEN {
			first, second = second, first
		}
		if first != "" {
			return sentenceCase(first)
		}
		if second != "" {
			return second
		}
	}
	if len(sym) == 1 {
		return label(lang, "ipc.", sym)
	}
	return ""
}

// sentenceCase turns the IPC scheme's all-capital English class titles ("ELECTRIC ELEMENTS") into
// "Electric elements"; mixed-case and Chinese titles are left alone.
func sentenceCase(s string) string {
	if s != strings.ToUpper(s) || s == strings.ToLower(s) {
		return s
	}
	r := []rune(strings.ToLower(s))
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// feeSummaryAny accepts a declaration by value (history rows) or pointer (nil: no declaration).
func feeSummaryAny(lang string, d any) string {
	switch x := d.(type) {
	case market.Declaration:
		return feeSummary(lang, &x)
	case *market.Declaration:
		return feeSummary(lang, x)
	}
	return feeSummary(lang, nil)
}

// feeSummary is the one-line fee of a declaration for cards and lists.
func feeSummary(lang string, d *market.Declaration) string {
	if d == nil {
		return tr(lang, "fee.none")
	}
	switch d.FeeModel {
	case market.FeeFree:
		return tr(lang, "fee.free")
	case market.FeeLumpSum:
		return tr(lang, "fee.summary.lump_sum", money(lang, d.FeeFen))
	case market.FeeRoyalty:
		return tr(lang, "fee.summary.royalty", percent(d.RoyaltyBP))
	case market.FeeEntryPlusRoyalty:
		return tr(lang, "fee.summary.entry_plus_royalty", money(lang, d.EntryFeeFen), percent(d.RoyaltyBP))
	}
	return d.FeeModel
}

// highlightHTML marks an engine's fragment as safe HTML. Engines escape the text and add only
// <mark>…</mark>; anything else in the fragment means it was not escaped, so it is shown as text.
func highlightHTML(fragment string) template.HTML {
	if !onlyMarkTags(fragment) {
		return template.HTML(template.HTMLEscapeString(fragment))
	}
	return template.HTML(fragment)
}

// onlyMarkTags reports whether every '<' and '>' of s belongs to a <mark> or </mark> tag (scanned left
// to right, as removing the tags and then looking for '<' or '>' would find), without copying s.
func onlyMarkTags(s string) bool {
	for {
		i := strings.IndexAny(s, "<>")
		if i < 0 {
			return true
		}
		switch rest := s[i:]; {
		case strings.HasPrefix(rest, "<mark>"):
			s = rest[len("<mark>"):]
		case strings.HasPrefix(rest, "</mark>"):
			s = rest[len("</mark>"):]
		default:
			return false
		}
	}
}

func toInt64(n any) int64 {
	switch x := n.(type) {
	case int:
		return int64(x)
	case int64:
		return x
	case int32:
		return int64(x)
	}
	return 0
}

// dict builds a map from key/value pairs, to pass several values to a partial template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errors.New("dict: keys must be strings")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// splitList splits a ";"-separated stored list (IPC symbols).
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ";")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
