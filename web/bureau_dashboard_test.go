package web_test

import (
	"encoding/xml"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var svgRe = regexp.MustCompile(`(?s)<svg .*?</svg>`)

// chartCell is the data table's cell of a chart row: `<th scope="row">LABEL</th><td class="num">N</td>`.
func chartCell(label, n string) string {
	return `<th scope="row">` + label + `</th><td class="num">` + n + `</td>`
}

// The dashboard's figures, worked out by hand from bureauWorld's five deals of 2022:
// months 03 (C1 free), 06 (C2 paid), 08 (C3 paid), 09 (C4 free), 10 (C5 paid); licensees in 徐汇区 ×3
// (SME1), 闵行区 (NEW), 黄浦区 (BIG); licensors 浦东新区 ×4 (LIC), 杨浦区 (UNI); industries 人工智能 ×2,
// 新材料, 集成电路, 生物医药; listed 45 days (C1) and 12 days (C2) before the deal, three never listed.
func TestBureauDashboard(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		e.bureauWorld(t)
		bc := e.bureauClient(t, p)
		r := bc.get(t, "/bureau?from=2022-01-01&to=2022-12-31")
		mustStatus(t, "dashboard", r, http.StatusOK)
		body := r.body
		mustContain(t, "key figures", body, "<dd>5</dd>", "<dd>2 <span class=\"kpi-sub\">(40.0%)</span></dd>", "<dd>12 天</dd>", "<dd>3</dd>")
		mustContain(t, "per month", body, `<th scope="row">2022-03</th><td class="num">1</td><td class="num">0</td><td class="num">1</td>`,
			`<th scope="row">2022-06</th><td class="num">0</td><td class="num">1</td><td class="num">1</td>`,
			`<th scope="row">2022-10</th><td class="num">0</td><td class="num">1</td><td class="num">1</td>`,
			`<th scope="row">2022-12</th><td class="num">0</td><td class="num">0</td><td class="num">0</td>`)
		mustContain(t, "by district", body, `<th scope="row">徐汇区</th><td class="num">3</td><td class="num">0</td>`,
			`<th scope="row">浦东新区</th><td class="num">0</td><td class="num">4</td>`, `<th scope="row">杨浦区</th><td class="num">0</td><td class="num">1</td>`)
		mustContain(t, "by industry", body, chartCell("人工智能", "2"), chartCell("生物医药", "1"), chartCell("新材料", "1"))
		mustContain(t, "by fee model", body, chartCell("免费", "2"), chartCell("一次性支付", "1"), chartCell("提成支付", "0"),
			chartCell("付费（条件未在平台公布）", "2"))
		mustContain(t, "listing to deal", body, chartCell("0–7 天", "0"), chartCell("8–30 天", "1"), chartCell("31–90 天", "1"),
			chartCell("超过 365 天", "0"), "中位数 12 天")

		// Five charts, each a well-formed SVG that names itself.
		svgs := svgRe.FindAllString(body, -1)
		if len(svgs) != 5 {
			t.Fatalf("%d charts", len(svgs))
		}
		for _, s := range svgs {
			if err := xml.Unmarshal([]byte(s), new(struct{})); err != nil {
				t.Errorf("chart is not well-formed XML: %v: %.200s", err, s)
			}
			if !strings.Contains(s, `role="img"`) || !strings.Contains(s, "<title id=") || !strings.Contains(s, "<desc id=") {
				t.Errorf("chart without role, title or desc: %.200s", s)
			}
		}
		mustContain(t, "chart titles", body, ">每月交易笔数</title>", ">各区交易笔数</title>", ">各产业交易笔数</title>",
			">免费与付费许可</title>", ">从挂牌到成交的时间</title>")

		// The default period (the last twelve months) has no deals; a bad period is a 400.
		r = bc.get(t, "/bureau")
		mustStatus(t, "default dashboard", r, http.StatusOK)
		mustContain(t, "default dashboard", r.body, "该期间暂无交易", `value="2023-06-01"`, `value="2024-05-20"`, "art22-2022")
		r = bc.get(t, "/bureau?from=2022-12-31&to=2022-01-01")
		mustStatus(t, "inverted period", r, http.StatusBadRequest)
		mustContain(t, "inverted period", r.body, "结束日期早于开始日期")
		en := bc.get(t, "/bureau?from=2022-01-01&to=2022-12-31&lang=en")
		mustContain(t, "English dashboard", en.body, ">Deals per month</title>", chartCell("Xuhui", "3"), "Free licences")
	})
}
