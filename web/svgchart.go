package web

// Small bar and line charts drawn on the server as inline SVG: no script, so they render in every
// browser, print on paper as they look on screen and work under the site's strict CSP (only
// presentation attributes, no style attributes). Each chart names itself with <title> and <desc>;
// pages show the same numbers in a table beside it (Chart.Rows) for screen readers and spreadsheets.

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// ChartKind is how a chart draws its values.
type ChartKind int

const (
	// ChartBars are vertical bars, one per label; several series are stacked.
	ChartBars ChartKind = iota
	// ChartHBars are horizontal bars, one row per label (long category names); several series are grouped.
	ChartHBars
	// ChartLine joins each series' values with a line.
	ChartLine
)

// ChartSeries is one named row of values, one per label.
type ChartSeries struct {
	Name   string
	Values []int64
}

// Chart is one chart's data and captions.
type Chart struct {
	ID     string // unique on the page; prefixes the ids of <title> and <desc>
	Title  string
	Desc   string // a sentence saying what the chart shows (and its main finding)
	Kind   ChartKind
	Labels []string
	Series []ChartSeries
	Empty  string // shown instead of bars when every value is zero
	// Format writes values on bars, axes and tooltips (nil: thousands separators).
	Format func(int64) string
	Width  int  // of the viewBox; 0 = 720
	Wide   bool // pages give it the full width (many labels)
}

// chartColours are the series fills: dark enough for white text, apart in lightness for print.
var chartColours = []string{"#0b4f8a", "#e0a100", "#0a6b3d", "#8e1b1b", "#5b2283", "#55606e"}

// ChartColour is the fill of series i (for legends drawn outside the SVG).
func ChartColour(i int) string { return chartColours[i%len(chartColours)] }

const chartFont = `-apple-system, 'PingFang SC', 'Hiragino Sans GB', 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif`

func (c *Chart) format(v int64) string {
	if c.Format != nil {
		return c.Format(v)
	}
	return groupThousands(v)
}

// value returns series s's value at label i (0 when the series is short).
func (c *Chart) value(s, i int) int64 {
	if i < len(c.Series[s].Values) {
		return c.Series[s].Values[i]
	}
	return 0
}

// total is the sum of every series at label i.
func (c *Chart) total(i int) int64 {
	var t int64
	for s := range c.Series {
		t += c.value(s, i)
	}
	return t
}

// max is the largest value the axis must reach: a stack's total for stacked bars, else one value.
func (c *Chart) max() int64 {
	var m int64
	for i := range c.Labels {
		if c.Kind == ChartBars {
			m = max(m, c.total(i))
			continue
		}
		for s := range c.Series {
			m = max(m, c.value(s, i))
		}
	}
	return m
}

// ChartRow is one label of the data table that goes with a chart.
type ChartRow struct {
	Label  string
	Values []string
	Total  string
}

// Rows are the chart's numbers as table rows.
func (c *Chart) Rows() []ChartRow {
	out := make([]ChartRow, len(c.Labels))
	for i, l := range c.Labels {
		r := ChartRow{Label: l, Total: c.format(c.total(i))}
		for s := range c.Series {
			r.Values = append(r.Values, c.format(c.value(s, i)))
		}
		out[i] = r
	}
	return out
}

// niceCeil rounds m up to 1, 2 or 5 times a power of ten, so the axis has round steps.
func niceCeil(m int64) int64 {
	if m <= 0 {
		return 1
	}
	p := int64(math.Pow(10, math.Floor(math.Log10(float64(m)))))
	for _, f := range []int64{1, 2, 5, 10} {
		if f*p >= m {
			return f * p
		}
	}
	return 10 * p
}

// ticks divides [0, top] into round steps (at most five).
func ticks(top int64) []int64 {
	step := top / 5
	if step < 1 {
		step = 1
	}
	step = niceCeil(step)
	var out []int64
	for v := int64(0); v <= top; v += step {
		out = append(out, v)
	}
	return out
}

// textWidth estimates a label's width in pixels at 12px: wide (CJK) characters count double.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		if r > 0x2E80 || unicode.Is(unicode.Han, r) {
			w += 12
		} else {
			w += 7
		}
	}
	return w
}

// truncate shortens s to at most px pixels with an ellipsis.
func truncate(s string, px int) string {
	if textWidth(s) <= px {
		return s
	}
	w := 0
	for i, r := range s {
		cw := 7
		if r > 0x2E80 {
			cw = 12
		}
		if w+cw > px-12 {
			return s[:i] + "…"
		}
		w += cw
	}
	return s
}

type svgWriter struct{ strings.Builder }

func (w *svgWriter) f(format string, args ...any) { fmt.Fprintf(&w.Builder, format, args...) }

func esc(s string) string { return html.EscapeString(s) }

func ff(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// SVG draws the chart.
func (c *Chart) SVG() template.HTML {
	width := c.Width
	if width <= 0 {
		width = 720
	}
	var w svgWriter
	height := 320
	if c.Kind == ChartHBars {
		height = c.hbarsHeight()
	}
	id := esc(c.ID)
	w.f(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="%s-title %s-desc" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMinYMin meet" font-family="%s" font-size="12" fill="#1b2430">`,
		id, id, width, height, chartFont)
	w.f(`<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(c.Title), id, esc(c.Desc))
	w.f(`<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`, width, height)
	top := 12
	if len(c.Series) > 1 {
		c.legend(&w, width)
		top = 34
	}
	switch {
	case len(c.Labels) == 0 || c.max() == 0:
		w.f(`<text x="%d" y="%d" text-anchor="middle" fill="#55606e" font-size="14">%s</text>`, width/2, height/2, esc(c.Empty))
	case c.Kind == ChartHBars:
		c.hbars(&w, width, top)
	default:
		c.vertical(&w, width, height, top)
	}
	w.WriteString(`</svg>`)
	return template.HTML(w.String())
}

func (c *Chart) legend(w *svgWriter, width int) {
	x := 12
	for s, ser := range c.Series {
		w.f(`<rect x="%d" y="8" width="14" height="14" fill="%s" stroke="#1b2430" stroke-width="0.5"/>`, x, ChartColour(s))
		w.f(`<text x="%d" y="19">%s</text>`, x+20, esc(ser.Name))
		x += 20 + textWidth(ser.Name) + 24
		if x > width-60 {
			break
		}
	}
}

// vertical draws bars (stacked) or lines over labels on the x axis.
func (c *Chart) vertical(w *svgWriter, width, height, top int) {
	axisTop := niceCeil(c.max())
	tk := ticks(axisTop)
	axisTop = tk[len(tk)-1]
	if axisTop < c.max() { // the steps stopped short of the maximum: one more
		axisTop += tk[1] - tk[0]
		tk = append(tk, axisTop)
	}
	left := 16 + textWidth(c.format(axisTop))
	n := len(c.Labels)
	longest := 0
	for _, l := range c.Labels {
		longest = max(longest, textWidth(l))
	}
	band := float64(width-left-12) / float64(n)
	rotate := float64(longest) > band-4
	bottom := 28
	if rotate {
		bottom = 16 + min(longest, 110)*7/10
	}
	plotH := float64(height - top - bottom - 8)
	y0 := float64(top+8) + plotH
	yOf := func(v int64) float64 { return y0 - plotH*float64(v)/float64(axisTop) }
	for _, t := range tk {
		y := yOf(t)
		w.f(`<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#d9dee5" stroke-width="1"/>`, left, ff(y), width-12, ff(y))
		w.f(`<text x="%d" y="%s" text-anchor="end" fill="#55606e">%s</text>`, left-6, ff(y+4), esc(c.format(t)))
	}
	w.f(`<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#1b2430" stroke-width="1"/>`, left, ff(y0), width-12, ff(y0))
	// label every k-th band when they would overlap even rotated
	every := 1
	if rotate && band < 14 {
		every = int(math.Ceil(14 / band))
	}
	for i, l := range c.Labels {
		x := float64(left) + band*(float64(i)+0.5)
		if i%every == 0 {
			if rotate {
				w.f(`<text x="%s" y="%s" text-anchor="end" transform="rotate(-40 %s %s)">%s</text>`,
					ff(x+4), ff(y0+14), ff(x+4), ff(y0+14), esc(truncate(l, 110)))
			} else {
				w.f(`<text x="%s" y="%s" text-anchor="middle">%s</text>`, ff(x), ff(y0+18), esc(l))
			}
		}
	}
	if c.Kind == ChartLine {
		c.lines(w, left, band, yOf)
		return
	}
	bw := band * 0.7
	showValues := n <= 24 && bw >= 14
	for i, l := range c.Labels {
		x := float64(left) + band*float64(i) + (band-bw)/2
		var base int64
		for s := range c.Series {
			v := c.value(s, i)
			if v <= 0 {
				continue
			}
			yTop, yBottom := yOf(base+v), yOf(base)
			w.f(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s%s: %s</title></rect>`,
				ff(x), ff(yTop), ff(bw), ff(yBottom-yTop), ChartColour(s), esc(l), seriesSuffix(c, s), esc(c.format(v)))
			base += v
		}
		if showValues && base > 0 {
			w.f(`<text x="%s" y="%s" text-anchor="middle" font-weight="600">%s</text>`, ff(x+bw/2), ff(yOf(base)-4), esc(c.format(base)))
		}
	}
}

func seriesSuffix(c *Chart, s int) string {
	if len(c.Series) < 2 {
		return ""
	}
	return " · " + esc(c.Series[s].Name)
}

func (c *Chart) lines(w *svgWriter, left int, band float64, yOf func(int64) float64) {
	for s := range c.Series {
		var pts []string
		for i := range c.Labels {
			pts = append(pts, ff(float64(left)+band*(float64(i)+0.5))+","+ff(yOf(c.value(s, i))))
		}
		dash := ""
		if s > 0 {
			dash = ` stroke-dasharray="6 3"` // tells series apart on grey paper
		}
		w.f(`<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5"%s/>`, strings.Join(pts, " "), ChartColour(s), dash)
		for i, l := range c.Labels {
			w.f(`<circle cx="%s" cy="%s" r="3.5" fill="%s"><title>%s%s: %s</title></circle>`,
				ff(float64(left)+band*(float64(i)+0.5)), ff(yOf(c.value(s, i))), ChartColour(s), esc(l), seriesSuffix(c, s), esc(c.format(c.value(s, i))))
		}
	}
}

const hbarRow = 26

// hbarRowH is the height of one label's row: taller when several series share it.
func (c *Chart) hbarRowH() int { return hbarRow + 14*(max(1, len(c.Series))-1) }

func (c *Chart) hbarsHeight() int {
	top := 12
	if len(c.Series) > 1 {
		top = 34
	}
	return top + max(len(c.Labels), 1)*c.hbarRowH() + 16
}

// hbars draws one row per label; several series sit side by side within the row.
func (c *Chart) hbars(w *svgWriter, width, top int) {
	left := 0
	for _, l := range c.Labels {
		left = max(left, textWidth(l))
	}
	left = min(left, 200) + 16
	rowH := float64(c.hbarRowH())
	valueRoom := 16 + textWidth(c.format(c.max()))
	plotW := float64(width - left - valueRoom)
	maxV := c.max()
	barH := (rowH - 8) / float64(len(c.Series))
	for i, l := range c.Labels {
		y := float64(top) + rowH*float64(i)
		w.f(`<text x="%d" y="%s" text-anchor="end">%s</text>`, left-8, ff(y+rowH/2+4), esc(truncate(l, 200)))
		for s := range c.Series {
			v := c.value(s, i)
			bw := plotW * float64(v) / float64(maxV)
			by := y + 4 + barH*float64(s)
			if v > 0 {
				w.f(`<rect x="%d" y="%s" width="%s" height="%s" fill="%s"><title>%s%s: %s</title></rect>`,
					left, ff(by), ff(math.Max(bw, 1)), ff(barH-2), ChartColour(s), esc(l), seriesSuffix(c, s), esc(c.format(v)))
			}
			w.f(`<text x="%s" y="%s" fill="#1b2430">%s</text>`, ff(float64(left)+bw+6), ff(by+barH/2+3), esc(c.format(v)))
		}
	}
	w.f(`<line x1="%d" y1="%d" x2="%d" y2="%s" stroke="#1b2430" stroke-width="1"/>`, left, top, left, ff(float64(top)+rowH*float64(len(c.Labels))))
}
