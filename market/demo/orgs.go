package demo

import (
	"fmt"
	"strings"
	"time"

	"patentwall/market"
)

// holder is a patent-holding organisation with what decides its patents.
type holder struct {
	org     int    // index in ds.Orgs
	primary int    // index in Industries
	mix     [8]int // industry weights of its patents
	weight  int    // relative number of patents
	tcm     bool   // a hospital of traditional Chinese medicine
	founded market.Date
}

// fixedOrgs are the indices of the organisations that run the platform and its showcases.
type fixedOrgs struct {
	bureau       int
	offices      map[string]int // by district code
	agencies     []int
	associations []int // IC, biomed, AI
}

// District weights (by code) for where each kind of organisation sits.
var (
	uniDistricts = map[string]int{"310110": 3, "310112": 3, "310117": 3, "310104": 2, "310113": 2, "310115": 2,
		"310120": 1, "310107": 1, "310105": 1, "310114": 1, "310118": 1, "310116": 1, "310109": 1}
	hospitalDistricts = map[string]int{"310101": 2, "310104": 2, "310106": 2, "310105": 1, "310109": 1, "310110": 1,
		"310107": 1, "310115": 2, "310112": 1, "310113": 1, "310114": 1, "310151": 1, "310117": 1, "310116": 1,
		"310118": 1, "310120": 1}
	instituteDistricts = map[string]int{"310104": 2, "310115": 3, "310114": 2, "310112": 2, "310105": 1, "310110": 1,
		"310113": 1, "310117": 1, "310106": 1}
	// Industry clusters: where enterprises of each industry (Industries order) gather.
	clusters = [8]map[string]int{
		{"310115": 5, "310104": 2, "310112": 2, "310117": 1, "310114": 1},
		{"310115": 5, "310120": 2, "310112": 1, "310104": 1, "310116": 1},
		{"310104": 3, "310115": 3, "310110": 2, "310112": 1, "310105": 1},
		{"310114": 4, "310115": 3, "310118": 1, "310113": 1, "310117": 1},
		{"310112": 3, "310113": 2, "310114": 2, "310115": 2, "310116": 1, "310151": 1},
		{"310116": 3, "310113": 2, "310120": 2, "310117": 1, "310114": 1},
		{"310112": 3, "310115": 3, "310117": 1, "310105": 1},
		{"310105": 2, "310106": 2, "310107": 2, "310110": 2, "310109": 2, "310101": 1, "310115": 2, "310104": 1},
	}
	enterpriseIndustryWeights = []int{3, 3, 3, 2, 2, 2, 1, 2}
	// Place names an enterprise may carry when it sits in that district (e.g. 上海临港微电子材料有限公司).
	enterprisePlaces = map[string][]string{"310115": {"张江", "临港", "金桥"}, "310104": {"漕河泾"},
		"310112": {"紫竹"}, "310114": {"安亭"}, "310116": {"金山"}}
)

// districtCodes are the 16 district codes in code order (the order map iteration must never decide).
var districtCodes = func() []string {
	var out []string
	for _, d := range market.Districts() {
		out = append(out, d.Code)
	}
	return out
}()

func districtName(code string) string {
	d, _ := market.LookupDistrict(code)
	return d.NameZH
}

// pickDistrict draws a district code from weights, in code order so the result is deterministic.
func (r rng) pickDistrict(weights map[string]int) string {
	var codes []string
	var ws []int
	for _, c := range districtCodes {
		if w := weights[c]; w > 0 {
			codes = append(codes, c)
			ws = append(ws, w)
		}
	}
	return codes[r.weighted(ws)]
}

func (g *gen) makeOrgs() {
	r := g.stream(1)
	g.makeFixedOrgs(r)

	n := g.opt.Orgs
	nUni := max(1, (n*10+50)/100)
	nInst := max(1, (n*12+50)/100)
	nHosp := max(1, (n*9+50)/100)
	nEnt := max(1, n-nUni-nInst-nHosp)
	unis := make([]int, 0, nUni)
	for i := 0; i < nUni; i++ {
		unis = append(unis, g.makeUniversity(r, i))
	}
	for i := 0; i < nInst; i++ {
		g.makeInstitute(r, i)
	}
	for i := 0; i < nHosp; i++ {
		g.makeHospital(r, unis)
	}
	for i := 0; i < nEnt; i++ {
		g.makeEnterprise(r, i)
	}
}

// addOrg appends an organisation with the fields every kind shares and returns its index.
func (g *gen) addOrg(r rng, o market.Organisation, prefix, domain, mailbox string) int {
	o.USCC = g.unique(func(int) string { return r.uscc(prefix, o.DistrictCode, o.FoundedOn) })
	o.Phone = g.unique(func(int) string { return fmt.Sprintf("021-%c%07d", "3456"[r.IntN(4)], r.IntN(10_000_000)) })
	o.Email = g.unique(func(i int) string {
		if i == 0 {
			return mailbox + "@" + domain + ".example.com"
		}
		return fmt.Sprintf("%s@%s%d.example.com", mailbox, domain, i+1)
	})
	if o.LegalRep == "" {
		o.LegalRep = g.unique(func(int) string { return r.person() })
	}
	o.Address = g.unique(func(i int) string { return r.address(o.DistrictCode, o.Kind, i) })
	o.OperatingNormally = true
	if o.Kind != market.KindEnterprise || !r.chance(0.02) {
		o.GoodCredit = true
	}
	o.FactsSource = "demo"
	o.FactsAsOf = g.today
	o.CreatedAt = r.timeBetween(g.launch.AddDate(0, 0, -60), g.launch)
	verified := o.CreatedAt.Add(time.Duration(r.between(20, 120)) * time.Hour)
	o.VerifiedAt = &verified
	o.UpdatedAt = verified
	o.ID = int64(len(g.ds.Orgs) + 1)
	g.used[o.Name] = true
	g.ds.Orgs = append(g.ds.Orgs, o)
	return len(g.ds.Orgs) - 1
}

// uscc makes a valid 统一社会信用代码: two type characters, the district's region code, an organisation
// code body with its GB 11714 check character, and the GB 32100 check character. Enterprises registered
// since the 2015 reform get the "MA" bodies of new registrations.
func (r rng) uscc(prefix, region string, founded market.Date) string {
	const alnum = "0123456789ABCDEFGHJKLMNPQRTUWXY" // the USCC alphabet
	var body strings.Builder
	if prefix == "91" && founded.Year() >= 2016 {
		body.WriteString("MA1")
		for i := 0; i < 5; i++ {
			body.WriteByte(alnum[r.IntN(len(alnum))])
		}
	} else {
		body.WriteByte(byte('1' + r.IntN(8)))
		for i := 0; i < 7; i++ {
			body.WriteByte(byte('0' + r.IntN(10)))
		}
	}
	c17, err := market.OrgCodeCheckChar(body.String())
	if err != nil {
		panic(err)
	}
	first17 := prefix + region + body.String() + string(c17)
	c18, err := market.USCCCheckChar(first17)
	if err != nil {
		panic(err)
	}
	return first17 + string(c18)
}

func (r rng) person() string {
	name := r.pick(surnames) + r.pick(givenChars)
	if r.chance(0.7) {
		name += r.pick(givenChars)
	}
	return name
}

func (r rng) address(district, kind string, attempt int) string {
	road := r.pick(split(roads[district]))
	a := fmt.Sprintf("上海市%s%s%d号", districtName(district), road, r.between(1, 1999))
	if kind == market.KindEnterprise || kind == market.KindAgency || kind == market.KindAssociation || attempt > 20 {
		a += fmt.Sprintf("%d幢%d层", r.between(1, 12), r.between(1, 18))
	}
	return a
}

func (r rng) founded(fromYear, toYear int) market.Date {
	return r.dateBetween(market.NewDate(fromYear, time.January, 1), market.NewDate(toYear, time.December, 31))
}

func (g *gen) makeFixedOrgs(r rng) {
	f := &g.fixed
	f.bureau = g.addOrg(r, market.Organisation{Name: "上海市知识产权局", Kind: market.KindBureau,
		DistrictCode: "310101", FoundedOn: market.NewDate(2000, time.September, 1)}, "11", "sipa", "service")
	f.offices = map[string]int{}
	for _, d := range []struct{ code, py string }{{"310115", "pudong"}, {"310104", "xuhui"}, {"310117", "songjiang"}} {
		f.offices[d.code] = g.addOrg(r, market.Organisation{Name: "上海市" + districtName(d.code) + "知识产权局",
			Kind: market.KindDistrictOffice, DistrictCode: d.code, FoundedOn: r.founded(2015, 2019)},
			"11", d.py+"-ipo", "ipo")
	}
	for _, a := range []struct{ name, district, prefix, py string }{
		{"上海浦江知识产权运营有限公司", "310115", "91", "pujiang-ipops"},
		{"上海汇智专利代理事务所（普通合伙）", "310104", "91", "huizhi-patent"},
		{"上海临港技术转移服务有限公司", "310115", "91", "lingang-tt"},
		{"上海云间科技成果转化服务中心", "310117", "52", "yunjian-ttc"},
	} {
		f.agencies = append(f.agencies, g.addOrg(r, market.Organisation{Name: a.name, Kind: market.KindAgency,
			DistrictCode: a.district, FoundedOn: r.founded(2008, 2019)}, a.prefix, a.py, "service"))
	}
	for _, a := range []struct{ name, district, py string }{
		{"上海浦江集成电路产业协会", "310115", "pj-icia"},
		{"上海申江生物医药行业协会", "310104", "sj-biomed"},
		{"上海春申人工智能产业协会", "310104", "cs-aia"},
	} {
		f.associations = append(f.associations, g.addOrg(r, market.Organisation{Name: a.name,
			Kind: market.KindAssociation, DistrictCode: a.district, FoundedOn: r.founded(2005, 2018)},
			"51", a.py, "secretariat"))
	}
}

// The first universities cover every speciality, so small catalogues still have medical schools.
func (g *gen) makeUniversity(r rng, i int) int {
	spec := uniSpecs[i%len(uniSpecs)]
	if i >= len(uniSpecs) {
		spec = uniSpecs[r.IntN(len(uniSpecs))]
	}
	var prefix named
	name := g.unique(func(n int) string {
		prefix = placePrefixes[r.IntN(len(placePrefixes))]
		if n > 50 {
			return fmt.Sprintf("上海%s%s大学第%d学院", prefix.zh, spec.zh, n)
		}
		return "上海" + prefix.zh + spec.zh + "大学"
	})
	district := r.pickDistrict(uniDistricts)
	founded := r.founded(1952, 2005)
	idx := g.addOrg(r, market.Organisation{Name: name, Kind: market.KindUniversity, DistrictCode: district,
		FoundedOn: founded}, "12", prefix.py+"-"+spec.py, "kjc")
	primary := 0
	for k, w := range spec.weights {
		if w > spec.weights[primary] {
			primary = k
		}
	}
	g.hold = append(g.hold, holder{org: idx, primary: primary, mix: spec.weights, weight: r.between(25, 60), founded: founded})
	return idx
}

func (g *gen) makeInstitute(r rng, i int) {
	ind := i % len(Industries)
	if i >= len(Industries) {
		ind = r.IntN(len(Industries))
	}
	var prefix named
	name := g.unique(func(n int) string {
		prefix = placePrefixes[r.IntN(len(placePrefixes))]
		field := r.pick(split(instituteFields[ind]))
		if n > 50 {
			return fmt.Sprintf("上海%s%s第%d分院", prefix.zh, field, n)
		}
		return "上海" + prefix.zh + field
	})
	district := r.pickDistrict(instituteDistricts)
	founded := r.founded(1958, 2019)
	idx := g.addOrg(r, market.Organisation{Name: name, Kind: market.KindInstitute, DistrictCode: district,
		FoundedOn: founded}, "12", prefix.py+"-"+industrySlugs[ind]+"-inst", "office")
	var mix [8]int
	for k := range mix {
		mix[k] = 1
	}
	mix[ind] = 160
	g.hold = append(g.hold, holder{org: idx, primary: ind, mix: mix, weight: r.between(10, 25), founded: founded})
}

var (
	hospitalWards    = split("第一人民医院|第二人民医院|第三人民医院|肿瘤医院|儿童医院|口腔医院|胸科医院|眼耳鼻喉科医院|妇产科医院|精神卫生中心")
	tcmWards         = split("中医医院|中西医结合医院|针灸推拿医院")
	hospitalStandard = split("国际医学中心|肿瘤医院|康复医院|中西医结合医院|心血管病医院")
)

// makeHospital names most hospitals after a (fictional) university they are affiliated to.
func (g *gen) makeHospital(r rng, unis []int) {
	// Universities with medical schools lend their names to hospitals.
	var medical []int
	for _, u := range unis {
		if name := g.ds.Orgs[u].Name; strings.Contains(name, "医") || strings.Contains(name, "科技大学") ||
			strings.Contains(name, "交通") || strings.Contains(name, "理工") {
			medical = append(medical, u)
		}
	}
	if len(medical) == 0 {
		medical = unis
	}
	tcm := false
	var slug string
	name := g.unique(func(n int) string {
		if r.chance(0.65) {
			u := g.ds.Orgs[medical[r.IntN(len(medical))]]
			ward := r.pick(hospitalWards)
			tcm = strings.Contains(u.Name, "中医药")
			if tcm {
				ward = r.pick(tcmWards)
			}
			slug = strings.TrimSuffix(strings.Split(u.Email, "@")[1], ".example.com") + "-hospital"
			if n > 50 {
				return fmt.Sprintf("%s附属第%d医院", u.Name, n)
			}
			return u.Name + "附属" + ward
		}
		p := placePrefixes[r.IntN(len(placePrefixes))]
		kind := r.pick(hospitalStandard)
		tcm = strings.Contains(kind, "中西医")
		slug = p.py + "-hospital"
		if n > 50 {
			return fmt.Sprintf("上海%s第%d%s", p.zh, n, kind)
		}
		return "上海" + p.zh + kind
	})
	district := r.pickDistrict(hospitalDistricts)
	founded := r.founded(1920, 2010)
	idx := g.addOrg(r, market.Organisation{Name: name, Kind: market.KindHospital, DistrictCode: district,
		FoundedOn: founded}, "12", slug, "kyc")
	var mix [8]int
	mix[1] = 1
	g.hold = append(g.hold, holder{org: idx, primary: 1, mix: mix, weight: r.between(4, 12), tcm: tcm, founded: founded})
}

// makeEnterprise: the first eight cover every industry and the first sixteen every district, so even the
// smallest catalogue has all of them.
func (g *gen) makeEnterprise(r rng, i int) {
	ind := i % len(Industries)
	if i >= len(Industries) {
		ind = r.weighted(enterpriseIndustryWeights)
	}
	var district string
	switch {
	case i < len(districtCodes):
		district = districtCodes[(i*7)%len(districtCodes)] // 7 is coprime with 16: a permutation
	case r.chance(0.7):
		district = r.pickDistrict(clusters[ind])
	default:
		district = districtCodes[r.IntN(len(districtCodes))]
	}
	var slug string
	name := g.unique(func(n int) string {
		word := r.pick(split(industryWords[ind]))
		form := r.pick(legalForms)
		if places := enterprisePlaces[district]; len(places) > 0 && r.chance(0.08) {
			place := places[r.IntN(len(places))]
			slug = fmt.Sprintf("%s-%d", industrySlugs[ind], r.IntN(1000))
			return "上海" + place + word + form
		}
		a, b := brandFirst[r.IntN(len(brandFirst))], brandSecond[r.IntN(len(brandSecond))]
		for a.zh == b.zh || brandTaken[a.zh+b.zh] {
			a, b = brandFirst[r.IntN(len(brandFirst))], brandSecond[r.IntN(len(brandSecond))]
		}
		slug = a.py + b.py + "-" + industrySlugs[ind]
		if n > 50 {
			return fmt.Sprintf("上海%s%s%s%s第%d分公司", a.zh, b.zh, word, form, n)
		}
		return "上海" + a.zh + b.zh + word + form
	})
	sme := r.chance(0.75)
	var founded market.Date
	o := market.Organisation{Name: name, Kind: market.KindEnterprise, DistrictCode: district, IsSME: sme,
		SMEConfirmed: true, SMEYear: g.today.Year() - 1, SMEIndustry: "工业"}
	if ind == 2 || ind == 7 { // AI and ICT firms are mostly software and IT services
		o.SMEIndustry = "软件和信息技术服务业"
	}
	if sme {
		founded = r.founded(2003, min(2021, g.today.Year()-2))
		if o.SMEIndustry == "工业" {
			o.SMEEmployees = int64(r.between(15, 600))
		} else {
			o.SMEEmployees = int64(r.between(10, 280))
		}
		o.SMERevenueFen = int64(r.between(300, 30000)) * 10_000_00 // 300万–3亿 yuan
		o.SMEAssetsFen = o.SMERevenueFen / 10 * int64(r.between(6, 20))
		o.SMENote = "依据企业提交的中小企业声明函（演示数据）"
	} else {
		founded = r.founded(1993, 2012)
		o.SMEEmployees = int64(r.between(1000, 12000))
		o.SMERevenueFen = int64(r.between(5, 300)) * 100_000_000_00 // 5亿–300亿 yuan
		o.SMEAssetsFen = o.SMERevenueFen / 10 * int64(r.between(8, 25))
	}
	o.FoundedOn = founded
	idx := g.addOrg(r, o, "91", slug, r.pick([]string{"ip", "contact", "bd", "tech"}))
	var mix [8]int // about one patent in fifteen from another industry
	for k := range mix {
		mix[k] = 1
	}
	mix[ind] = 100
	weight := r.between(1, 8)
	if !sme {
		weight = r.between(8, 30)
	}
	g.hold = append(g.hold, holder{org: idx, primary: ind, mix: mix, weight: weight, founded: founded})
}
