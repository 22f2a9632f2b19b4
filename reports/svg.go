package reports

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// A small SVG module of our own rather than a charting library: the charts need whiskers,
// a fitted curve, funnel limits and a highlighted cap bin, every label must be a disclosed
// disclosure.Cell, the output must be byte-stable and accessible (role, title, desc, no embedded
// fonts), and a few hundred lines do all of that with no dependency.

// Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
const (
	cBlue      = "#0072B2"
	cOrange    = "#E69F00"
	cGreen     = "#009E73"
	cSky       = "#56B4E9"
	cVermilion = "#D55E00"
	cPurple    = "#CC79A7"
	cGrey      = "#6b6b6b"
	cInk       = "#1a1a1a"
)

var seriesColours = []string{cBlue, cOrange, cGreen, cPurple, cSky, cVermilion}

// chart is one SVG plot with a data-to-pixel mapping.
type chart struct {
	id, title, desc       string
	w, h                  float64
	left, right, top, bot float64
	x0, x1, y0, y1        float64
	keys                  []legendItem
	b                     strings.Builder
}

func newChart(id, title, desc string, w, h float64) *chart {
	return &chart{id: id, title: title, desc: desc, w: w, h: h, left: 62, right: 16, top: 16, bot: 52, x0: 0, x1: 1, y0: 0, y1: 1}
}

// f1 writes a coordinate or label to one decimal, never as "-0".
func f1(v float64) string {
	r := math.Round(v*10) / 10
	if r == 0 {
		return "0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func (c *chart) px(x float64) float64 {
	return c.left + (x-c.x0)/(c.x1-c.x0)*(c.w-c.left-c.right)
}

func (c *chart) py(y float64) float64 {
	return c.h - c.bot - (y-c.y0)/(c.y1-c.y0)*(c.h-c.top-c.bot)
}

func (c *chart) plotW() float64 { return c.w - c.left - c.right }

// title is a tooltip for sighted mouse users; the figure's table carries the same data.
func tip(s string) string {
	if s == "" {
		return ""
	}
	return "<title>" + html.EscapeString(visible(s)) + "</title>"
}

func (c *chart) rect(x, y, w, h float64, fill, t string) {
	fmt.Fprintf(&c.b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s">%s</rect>`+"\n", f1(x), f1(y), f1(math.Max(w, 0)), f1(math.Max(h, 0)), fill, tip(t))
}

func (c *chart) line(x1, y1, x2, y2 float64, stroke string, width float64, dash string) {
	d := ""
	if dash != "" {
		d = ` stroke-dasharray="` + dash + `"`
	}
	fmt.Fprintf(&c.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"%s/>`+"\n", f1(x1), f1(y1), f1(x2), f1(y2), stroke, f1(width), d)
}

// path draws a polyline through data points (pixel conversion done here).
func (c *chart) path(pts [][2]float64, stroke string, width float64, dash string) {
	if len(pts) < 2 {
		return
	}
	var b strings.Builder
	for i, p := range pts {
		if i == 0 {
			b.WriteString("M")
		} else {
			b.WriteString(" L")
		}
		b.WriteString(f1(c.px(p[0])) + " " + f1(c.py(p[1])))
	}
	d := ""
	if dash != "" {
		d = ` stroke-dasharray="` + dash + `"`
	}
	fmt.Fprintf(&c.b, `<path d="%s" fill="none" stroke="%s" stroke-width="%s"%s/>`+"\n", b.String(), stroke, f1(width), d)
}

func (c *chart) circle(x, y, r float64, fill, stroke, t string) {
	fmt.Fprintf(&c.b, `<circle cx="%s" cy="%s" r="%s" fill="%s" stroke="%s" stroke-width="1.5">%s</circle>`+"\n", f1(x), f1(y), f1(r), fill, stroke, tip(t))
}

// text writes a label; class "n" marks a published count (the scan test reads these).
func (c *chart) text(x, y float64, s, anchor, class string) {
	cl := ""
	if class != "" {
		cl = ` class="` + class + `"`
	}
	fmt.Fprintf(&c.b, `<text x="%s" y="%s" text-anchor="%s"%s>%s</text>`+"\n", f1(x), f1(y), anchor, cl, html.EscapeString(visible(s)))
}

// yAxis draws gridlines and labels at nice ticks between y0 and y1.
func (c *chart) yAxis(format func(float64) string, label string) {
	for _, t := range niceTicks(c.y0, c.y1, 5) {
		y := c.py(t)
		c.line(c.left, y, c.w-c.right, y, "#dddddd", 1, "")
		c.text(c.left-6, y+4, format(t), "end", "tick")
	}
	c.line(c.left, c.py(c.y0), c.w-c.right, c.py(c.y0), cInk, 1, "")
	if label != "" {
		fmt.Fprintf(&c.b, `<text x="14" y="%s" text-anchor="middle" transform="rotate(-90 14 %s)" class="axis">%s</text>`+"\n",
			f1((c.top+c.h-c.bot)/2), f1((c.top+c.h-c.bot)/2), html.EscapeString(visible(label)))
	}
}

// xTicks draws numeric x ticks.
func (c *chart) xTicks(format func(float64) string, label string) {
	for _, t := range niceTicks(c.x0, c.x1, 6) {
		x := c.px(t)
		c.line(x, c.py(c.y0), x, c.py(c.y0)+4, cInk, 1, "")
		c.text(x, c.py(c.y0)+17, format(t), "middle", "tick")
	}
	c.xLabel(label)
}

func (c *chart) xLabel(label string) {
	if label != "" {
		c.text(c.left+c.plotW()/2, c.h-8, label, "middle", "axis")
	}
}

// legend keeps the chart's key for html, which writes it as an HTML list above the
// drawing: there it wraps and keeps the page's text size when a phone shrinks the chart.
func (c *chart) legend(items []legendItem) {
	c.keys = append(c.keys, items...)
}

// legendHTML writes the key: a small swatch and the label per item.
func (c *chart) legendHTML(b *strings.Builder) {
	if len(c.keys) == 0 {
		return
	}
	b.WriteString(`<ul class="legend">`)
	for _, it := range c.keys {
		b.WriteString(`<li><svg width="16" height="12" viewBox="0 0 16 12" aria-hidden="true">`)
		if it.line {
			d := ""
			if it.dash != "" {
				d = ` stroke-dasharray="` + it.dash + `"`
			}
			fmt.Fprintf(b, `<line x1="0" y1="6" x2="16" y2="6" stroke="%s" stroke-width="2.5"%s/>`, it.colour, d)
		} else {
			fmt.Fprintf(b, `<rect x="2" y="0" width="12" height="12" fill="%s"/>`, it.colour)
		}
		b.WriteString(`</svg>` + html.EscapeString(visible(it.label)) + "</li>")
	}
	b.WriteString("</ul>\n")
}

type legendItem struct {
	label, colour, dash string
	line                bool
}

// html wraps the drawing in an accessible svg element, its key before it. The svg has a
// viewBox and no width or height: the page's CSS scales it to its column.
func (c *chart) html() template.HTML {
	var b strings.Builder
	c.legendHTML(&b)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" role="img" aria-labelledby="%s-t %s-d" class="chart">`+"\n",
		f1(c.w), f1(c.h), c.id, c.id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`+"\n", c.id, html.EscapeString(visible(c.title)))
	fmt.Fprintf(&b, `<desc id="%s-d">%s</desc>`+"\n", c.id, html.EscapeString(visible(c.desc)))
	b.WriteString(c.b.String())
	b.WriteString("</svg>")
	return template.HTML(b.String()) //nolint:gosec // every text node is escaped (and made visible) above
}

// niceTicks returns about n round tick values covering [lo, hi].
func niceTicks(lo, hi float64, n int) []float64 {
	if hi <= lo {
		return []float64{lo}
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for t := math.Ceil(lo/step-1e-9) * step; t <= hi+step*1e-9; t += step {
		out = append(out, math.Round(t/step)*step)
	}
	return out
}

// niceMax rounds a maximum up to a tick, so axes end on a labelled value.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	t := niceTicks(0, v, 5)
	step := v / 5
	if len(t) > 1 {
		step = t[1] - t[0]
	}
	return math.Ceil(v/step-1e-9) * step
}

func pctTick(v float64) string { return tick2(v*100) + "%" }

// tick2 writes a tick value with at most two decimals.
func tick2(v float64) string {
	r := math.Round(v*100) / 100
	if r == 0 {
		return "0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func numTick(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) >= 1 {
		return thousands(int64(v))
	}
	return tick2(v)
}
