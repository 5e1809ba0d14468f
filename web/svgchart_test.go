package web

import (
	"encoding/xml"
	"strconv"
	"strings"
	"testing"
)

// svgDoc is the part of a chart the tests read back.
type svgDoc struct {
	Title string `xml:"title"`
	Desc  string `xml:"desc"`
	Rects []struct {
		Height string `xml:"height,attr"`
		Width  string `xml:"width,attr"`
		Title  string `xml:"title"`
	} `xml:"rect"`
	Texts    []string `xml:"text"`
	Polyline []struct {
		Points string `xml:"points,attr"`
	} `xml:"polyline"`
}

func parseSVG(t *testing.T, c *Chart) svgDoc {
	t.Helper()
	var d svgDoc
	if err := xml.Unmarshal([]byte(c.SVG()), &d); err != nil {
		t.Fatalf("%s: not well-formed: %v\n%s", c.ID, err, c.SVG())
	}
	return d
}

// bars returns the data bars (those with a tooltip) by tooltip.
func (d svgDoc) bars() map[string]float64 {
	out := map[string]float64{}
	for _, r := range d.Rects {
		if r.Title == "" {
			continue
		}
		h, _ := strconv.ParseFloat(r.Height, 64)
		out[r.Title] = h
	}
	return out
}

func TestChartBars(t *testing.T) {
	c := &Chart{ID: "c1", Title: `Deals <per> "month"`, Desc: "a & b", Kind: ChartBars,
		Labels: []string{"2024-01", "2024-02", "2024-03"},
		Series: []ChartSeries{{Name: "free", Values: []int64{2, 0, 5}}, {Name: "paid", Values: []int64{2, 1}}}}
	d := parseSVG(t, c)
	if d.Title != `Deals <per> "month"` || d.Desc != "a & b" {
		t.Fatalf("title %q desc %q", d.Title, d.Desc)
	}
	bars := d.bars()
	// stacked: 2024-01 is 2+2, 2024-02 0+1, 2024-03 5+0 (the short series counts as 0)
	if len(bars) != 4 {
		t.Fatalf("bars %v", bars)
	}
	free1, paid1, free3 := bars["2024-01 · free: 2"], bars["2024-01 · paid: 2"], bars["2024-03 · free: 5"]
	if free1 <= 0 || free1 != paid1 || free3/free1 < 2.49 || free3/free1 > 2.51 {
		t.Fatalf("bar heights not proportional: %v", bars)
	}
	if _, ok := bars["2024-02 · paid: 1"]; !ok {
		t.Fatalf("missing a bar: %v", bars)
	}
	if rows := c.Rows(); len(rows) != 3 || rows[0].Total != "4" || rows[2].Values[1] != "0" {
		t.Fatalf("rows %+v", rows)
	}
	if !strings.Contains(string(c.SVG()), `aria-labelledby="c1-title c1-desc"`) {
		t.Fatal("the chart is not labelled by its title and description")
	}
}

func TestChartEscapesLabels(t *testing.T) {
	for _, kind := range []ChartKind{ChartBars, ChartHBars, ChartLine} {
		c := &Chart{ID: "x", Title: "t", Kind: kind, Labels: []string{`<script>alert(1)</script>`, `a"b`},
			Series: []ChartSeries{{Name: `<b>s</b>`, Values: []int64{3, 4}}, {Name: "s2", Values: []int64{1, 1}}}}
		svg := string(c.SVG())
		if strings.Contains(svg, "<script>") || strings.Contains(svg, "<b>") {
			t.Fatalf("kind %d: unescaped label: %s", kind, svg)
		}
		parseSVG(t, c)
	}
}

func TestChartHBarsAndEmpty(t *testing.T) {
	c := &Chart{ID: "h", Title: "by district", Kind: ChartHBars, Labels: []string{"浦东新区", "徐汇区", "一个非常非常非常非常非常非常非常长的产业名称"},
		Series: []ChartSeries{{Name: "n", Values: []int64{10, 5, 0}}}}
	d := parseSVG(t, c)
	var w10, w5 float64
	for _, r := range d.Rects {
		switch r.Title {
		case "浦东新区: 10":
			w10, _ = strconv.ParseFloat(r.Width, 64)
		case "徐汇区: 5":
			w5, _ = strconv.ParseFloat(r.Width, 64)
		}
	}
	if w10 <= 0 || w10/w5 < 1.99 || w10/w5 > 2.01 {
		t.Fatalf("widths %v %v", w10, w5)
	}
	if !strings.Contains(string(c.SVG()), "…") {
		t.Fatal("a long label is not shortened")
	}
	empty := &Chart{ID: "e", Title: "none", Kind: ChartBars, Labels: []string{"a"}, Series: []ChartSeries{{Values: []int64{0}}},
		Empty: "暂无数据"}
	if d := parseSVG(t, empty); len(d.bars()) != 0 || !contains(d.Texts, "暂无数据") {
		t.Fatalf("empty chart: %+v", d)
	}
}

func TestChartLine(t *testing.T) {
	c := &Chart{ID: "l", Title: "line", Kind: ChartLine, Labels: []string{"a", "b", "c"},
		Series: []ChartSeries{{Name: "x", Values: []int64{0, 10, 5}}}}
	d := parseSVG(t, c)
	if len(d.Polyline) != 1 {
		t.Fatalf("polylines %+v", d.Polyline)
	}
	pts := strings.Fields(d.Polyline[0].Points)
	y := func(p string) float64 { v, _ := strconv.ParseFloat(strings.Split(p, ",")[1], 64); return v }
	if len(pts) != 3 || !(y(pts[1]) < y(pts[2]) && y(pts[2]) < y(pts[0])) {
		t.Fatalf("points %v", pts)
	}
}

func TestNiceAxis(t *testing.T) {
	for m, want := range map[int64]int64{0: 1, 1: 1, 3: 5, 7: 10, 11: 20, 45: 50, 99: 100, 101: 200, 1234: 2000} {
		if got := niceCeil(m); got != want {
			t.Errorf("niceCeil(%d) = %d, want %d", m, got, want)
		}
	}
	if tk := ticks(50); tk[len(tk)-1] != 50 || len(tk) > 6 {
		t.Errorf("ticks(50) = %v", tk)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.TrimSpace(x) == s {
			return true
		}
	}
	return false
}
