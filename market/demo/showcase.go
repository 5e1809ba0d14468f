package demo

import (
	"fmt"
	"strings"
	"time"

	"patentwall/market"
)

// DemandCount is how many technology demands (技术需求) the demo posts.
const DemandCount = 40

func (g *gen) makeShowcases() {
	r := g.stream(3)
	f := &g.fixed
	// Each wall's rules (docs/rules.md §10.1): its industry, narrowed differently on each wall.
	walls := []struct {
		slug, industry, name, nameEN string
		assoc                        int
		rules                        string
	}{
		{"ic", IndIC, "集成电路专利墙", "Integrated Circuits Patent Wall", f.associations[0],
			`{"industries":["集成电路"],"ipc":[],"keywords":[],"holder_kinds":[],"districts":[]}`},
		{"biomed", IndBiomed, "生物医药专利墙", "Biomedicine Patent Wall", f.associations[1],
			`{"industries":["生物医药"],"ipc":[],"keywords":[],"holder_kinds":["university","institute","hospital"],"districts":[]}`},
		{"ai", IndAI, "人工智能专利墙", "Artificial Intelligence Patent Wall", f.associations[2],
			`{"industries":["人工智能","信息通信"],"ipc":["G06"],"keywords":[],"holder_kinds":[],"districts":[]}`},
	}
	for i, w := range walls {
		org := &g.ds.Orgs[w.assoc]
		g.ds.Walls = append(g.ds.Walls, market.Wall{ID: int64(i + 1), Slug: w.slug, Name: w.name, NameEN: w.nameEN,
			Industry: w.industry, Rules: w.rules, OrgID: org.ID, CreatedAt: r.timeBetween(g.launch, g.launch.AddDate(0, 1, 0)),
			Description: fmt.Sprintf("由%s运营，集中展示本市高校、科研院所、医院和企业在%s领域声明开放许可的专利，以及会员企业发布的技术需求，供活动现场大屏展示和企业对接。",
				org.Name, w.industry)})
	}

	agency := func(i int) *int64 { id := g.ds.Orgs[f.agencies[i]].ID; return &id }
	markets := []struct {
		slug, name, nameEN, district, park string
		agency                             int
		maxYuan                            int64
		bands                              string // upper bounds in fen ("" = the default bands)
	}{
		{"zhangjiang", "张江专利超市", "Zhangjiang Patent Supermarket", "310115", "张江科学城", 0, 200_000, "[1000000,5000000,20000000]"},
		{"caohejing", "漕河泾专利超市", "Caohejing Patent Supermarket", "310104", "漕河泾新兴技术开发区", 1, 200_000, ""},
		{"lingang", "临港专利超市", "Lingang Patent Supermarket", "310115", "临港新片区", 2, 300_000, "[2000000,10000000,30000000]"},
		{"songjiang", "松江G60专利超市", "Songjiang G60 Patent Supermarket", "310117", "G60科创走廊", 3, 100_000, "[500000,2000000,10000000]"},
	}
	for i, m := range markets {
		g.ds.Supermarkets = append(g.ds.Supermarkets, market.Supermarket{ID: int64(i + 1), Slug: m.slug, Name: m.name,
			NameEN: m.nameEN, DistrictCode: m.district, OfficeID: g.ds.Orgs[f.offices[m.district]].ID,
			AgencyID: agency(m.agency), Park: m.park, MaxPriceFen: m.maxYuan * 100, PriceBands: m.bands,
			CreatedAt: r.timeBetween(g.launch, g.launch.AddDate(0, 2, 0))})
	}

	g.makeDemands(r)
}

var demandTitles = []string{
	"寻求%[1]s相关专利技术",
	"征集%[2]s领域的%[1]s解决方案",
	"求购%[3]s%[1]s技术",
	"%[1]s技术合作需求",
	"寻求%[4]s的改进技术",
}

// makeDemands posts technology needs of SME enterprises, mostly in their own industry.
func (g *gen) makeDemands(r rng) {
	var smes []*holder
	for i := range g.hold {
		if o := &g.ds.Orgs[g.hold[i].org]; o.Kind == market.KindEnterprise && o.IsSME {
			smes = append(smes, &g.hold[i])
		}
	}
	if len(smes) == 0 {
		return
	}
	for i := 0; i < DemandCount; i++ {
		h := smes[r.IntN(len(smes))]
		org := &g.ds.Orgs[h.org]
		ind := h.primary
		if r.chance(0.2) {
			ind = r.IntN(len(Industries))
		}
		tp := r.topicFor(h, org.Kind, ind)
		thing, use := r.pick(tp.things), r.pick(tp.uses)
		title := fmt.Sprintf(r.pick(demandTitles), thing, use, r.pick(tp.feats), r.pick(tp.devices))
		e1, e2, _ := r.three(tp.effects)
		budget := int64(r.between(5, 100)) * 10_000_00
		desc := fmt.Sprintf("我司主要从事%s相关产品的研发与生产，目前在%s方面遇到技术瓶颈，希望获得%s方面的专利许可或技术转让，要求能够%s、%s。可接受开放许可、普通许可或专利转让，预算约%d万元，可提供中试场地。",
			tp.field, use, thing, strings.Replace(e1, "了", "", 1), strings.Replace(e2, "了", "", 1), budget/1_000_000)
		// Every state of the board (docs/rules.md §10); Load marks some open ones fulfilled by demo contracts.
		status, note := market.DemandOpen, ""
		switch k := r.IntN(100); {
		case k < 6:
			status = market.DemandPending
		case k < 8:
			status, note = market.DemandRejected, "需求描述过于笼统，请补充具体的技术指标和应用场景后重新提交。"
		case k < 12:
			status = market.DemandClosed
		}
		// Whatever the draws, the board shows every state at least once (fulfilled: Load).
		switch i {
		case 0:
			status, note = market.DemandPending, ""
		case 1:
			status, note = market.DemandRejected, "需求描述过于笼统，请补充具体的技术指标和应用场景后重新提交。"
		case 2:
			status, note = market.DemandClosed, ""
		}
		created := r.timeBetween(g.now.Add(-180*24*time.Hour), g.now)
		min := int64(0)
		if i%3 != 0 {
			min = budget / 2
		}
		channel := ""
		for _, w := range g.ds.Walls {
			if i%2 == 0 && w.Industry == tp.industry {
				channel = "wall:" + w.Slug
			}
		}
		g.ds.Demands = append(g.ds.Demands, market.Demand{ID: int64(i + 1), OrgID: org.ID, Title: title,
			Description: desc, Industry: tp.industry, IPC: tp.ipc[0], BudgetMinFen: min, BudgetMaxFen: budget,
			Deadline: market.DateOf(created).AddDate(0, 0, 120+30*(i%9)), Channel: channel, Status: status,
			ModerationNote: note, CreatedAt: created})
	}
}
