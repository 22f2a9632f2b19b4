package reports

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/stats"
)

// Figure is a chart with its text alternative and the table it is drawn from. Charts
// read only published Cells, so disclosure control reaches every label and point.
type Figure struct {
	ID, Title, Caption string
	SVG                template.HTML
	Table              *View
}

// View is the part of a table one figure or section shows.
type View struct {
	Columns []Column
	Rows    [][]*disclosure.Cell
}

// view selects rows of a table for a scheme, keeping those for which keep is true.
func view(t *Table, scheme string, keep func(row []*disclosure.Cell) bool) *View {
	if t == nil {
		return &View{}
	}
	v := &View{Columns: t.HTMLColumns()}
	for _, r := range t.SchemeRows(scheme) {
		if keep == nil || keep(r) {
			v.Rows = append(v.Rows, r)
		}
	}
	return v
}

// project keeps only the named columns of a view, in that order.
func (v *View) project(names ...string) *View {
	idx := make([]int, 0, len(names))
	out := &View{}
	for _, n := range names {
		for i, c := range v.Columns {
			if c.Name == n {
				idx = append(idx, i)
				out.Columns = append(out.Columns, c)
			}
		}
	}
	for _, r := range v.Rows {
		row := make([]*disclosure.Cell, len(idx))
		for j, i := range idx {
			row[j] = r[i]
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// measureTitle names a measure with its follow-up window as this report's data has it
// (the configured windows; the design's defaults when a report carries none).
func measureTitle(r *Report, m string) string {
	days := func(def int64) int64 {
		if d, ok := r.Windows[m]; ok && d > 0 {
			return d
		}
		return def
	}
	switch m {
	case "reach":
		return "Reach: people referred per 1,000 registered patients"
	case "contacted":
		return fmt.Sprintf("Contacted: first link-worker contact within %d days", days(90))
	case "engaged":
		return fmt.Sprintf("Engaged: 3 or more link-worker contacts within %d days", days(180))
	case "vcs_uptake":
		return fmt.Sprintf("VCS uptake: an attended voluntary or community sector session within %d days", days(180))
	case "dna":
		return fmt.Sprintf("Did not attend: at least one missed link-worker appointment within %d days (lower is better)", days(180))
	case "outcome_baselined":
		return "Baselined: contacted referrals with a wellbeing baseline, of any measure"
	case "outcome_followed_up":
		return "Followed up: baselined referrals with a follow-up assessment"
	case "gp_referral_rate":
		return "GP-coded referrals per 1,000 registered patients"
	case "gp_declined":
		return fmt.Sprintf("Declined: GP-coded referrals with a decline code within %d days", days(90))
	}
	return m
}

// quintileTable is the table of a measure by deprivation quintile.
func quintileTable(measure string) string {
	if isGP(measure) {
		return "gp_by_quintile"
	}
	return "pathway_by_quintile"
}

// equityFigure draws a measure by quintile at each quintile's relative rank, with 95%
// whiskers and the fitted SII curve, from the published counts and the summary's model.
func equityFigure(r *Report, scheme, measure string) *Figure {
	id := "eq-" + measure
	v := view(r.Table(quintileTable(measure)), scheme, func(row []*disclosure.Cell) bool { return row[0].Text == measure })
	if len(v.Rows) == 0 {
		return nil
	}
	v = v.project("imd_quintile", "numerator_n", "denominator_n", "value", "lower", "upper")
	reach := isRate(measure)
	scale, yLabel, tick := 100.0, "per cent", func(x float64) string { return tick2(x) + "%" }
	if reach {
		scale, yLabel, tick = 1, "per 1,000 registered", numTick
	}
	type pt struct {
		q            int
		x, y, lo, hi float64
		ok, ciOK     bool
		supp         bool // withheld, as against no value
		den          float64
		label        string
	}
	var pts []pt
	var dens []float64
	denOK := true
	for _, row := range v.Rows {
		q, err := strconv.Atoi(row[0].Text)
		if err != nil {
			continue
		}
		p := pt{q: q, label: display(row[3]), supp: row[3].Suppressed}
		p.y, p.ok = row[3].Number()
		lo, lok := row[4].Number()
		hi, hok := row[5].Number()
		p.lo, p.hi, p.ciOK = lo, hi, lok && hok
		d, dok := row[2].Number()
		if !dok {
			denOK = false
		}
		p.den = d
		dens = append(dens, d)
		pts = append(pts, p)
	}
	// relative rank: cumulative denominator share mid-points (equal fifths when a
	// denominator is withheld, so a suppressed cell cannot be read off the x-axis)
	var total float64
	for _, d := range dens {
		total += d
	}
	cum := 0.0
	for i := range pts {
		if denOK && total > 0 {
			pts[i].x = (cum + pts[i].den/2) / total
			cum += pts[i].den
		} else {
			pts[i].x = (float64(pts[i].q) - 0.5) / 5
		}
	}
	plotted, drawn := false, false
	for _, p := range pts {
		plotted = plotted || p.ok || p.supp
		drawn = drawn || p.ok
	}
	if plotted && !drawn && isGP(measure) {
		// every value hidden: a grid of 0 ticks with a row of stars would read as zero
		// (the GP record's small practices often give this)
		return &Figure{ID: id, Title: measureTitle(r, measure), Table: v,
			Caption: "No chart: every quintile's value is hidden (small numbers) or has none in this period."}
	}
	if !plotted {
		// an empty grid with an axis of 0% ticks says less than a sentence
		return &Figure{ID: id, Title: measureTitle(r, measure), Table: v,
			Caption: "No chart: no quintile has a value for this measure in this period (for example, every referral is too recent for its follow-up window)."}
	}
	ymax := 0.0
	for _, p := range pts {
		if p.ok {
			ymax = math.Max(ymax, p.y*scale)
		}
		if p.ciOK {
			ymax = math.Max(ymax, p.hi*scale)
		}
	}
	c := newChart(id, measureTitle(r, measure), "", 560, 300)
	c.top = 30
	c.x0, c.x1, c.y0, c.y1 = 0, 1, 0, niceMax(math.Max(ymax, 0.0001)*1.05)
	if !reach {
		c.y1 = math.Min(c.y1, 100) // a share ends at 100%, even when a quintile reaches it
	}
	c.yAxis(tick, yLabel)
	for _, t := range []float64{0, 0.25, 0.5, 0.75, 1} {
		c.line(c.px(t), c.py(0), c.px(t), c.py(0)+4, cInk, 1, "")
		c.text(c.px(t), c.py(0)+17, tick2(t), "middle", "tick")
	}
	c.xLabel("relative deprivation rank (0 = most deprived, 1 = least)")
	// fitted SII curve
	fit := siiCurve(r, scheme, measure)
	if fit != nil {
		var line [][2]float64
		for i := 0; i <= 40; i++ {
			x := float64(i) / 40
			if y, ok := fit(x); ok {
				line = append(line, [2]float64{x, math.Min(y*scale, c.y1)})
			}
		}
		c.path(line, cVermilion, 2, "6 4")
	}
	var alt []string
	for _, p := range pts {
		x := c.px(p.x)
		if p.ciOK {
			c.line(x, c.py(p.lo*scale), x, c.py(p.hi*scale), cBlue, 1.5, "")
			c.line(x-5, c.py(p.lo*scale), x+5, c.py(p.lo*scale), cBlue, 1.5, "")
			c.line(x-5, c.py(p.hi*scale), x+5, c.py(p.hi*scale), cBlue, 1.5, "")
		}
		if p.ok {
			c.circle(x, c.py(p.y*scale), 5, cBlue, "#ffffff", fmt.Sprintf("Quintile %d: %s", p.q, p.label))
			c.text(x+8, c.py(p.y*scale)-6, "Q"+strconv.Itoa(p.q), "start", "tick")
		} else if p.supp {
			c.text(x, c.py(0)-6, "*", "middle", "supp")
		}
		alt = append(alt, fmt.Sprintf("quintile %d %s", p.q, p.label))
	}
	items := []legendItem{{label: "value with 95% interval", colour: cBlue}}
	if fit != nil {
		items = append(items, legendItem{label: "fitted SII line", colour: cVermilion, dash: "6 4", line: true})
	}
	c.legend(items)
	c.desc = fmt.Sprintf("%s by deprivation quintile (1 = most deprived): %s.", measureTitle(r, measure), strings.Join(alt, "; "))
	if fit == nil {
		c.desc += " No SII line: the summary could not be computed."
	}
	return &Figure{ID: id, Title: measureTitle(r, measure), SVG: c.html(), Table: v, Caption: c.desc}
}

// siiCurve rebuilds the fitted line g(α + βx) from the published SII and RII:
// g(α) = SII / (RII − 1) and g(α + β) = RII · g(α), on logit (proportions) or log (reach).
func siiCurve(r *Report, scheme, measure string) func(x float64) (float64, bool) {
	t := r.Table("inequality_summary")
	if isGP(measure) {
		t = r.Table("gp_inequality_summary")
	}
	if t == nil {
		return nil
	}
	for _, row := range t.SchemeRows(scheme) {
		if row[0].Text != measure {
			continue
		}
		sii, ok1 := row[1].Number()
		rii, ok2 := row[4].Number()
		if !ok1 || !ok2 || math.Abs(rii-1) < 1e-9 {
			return nil
		}
		g0 := sii / (rii - 1)
		g1 := rii * g0
		tr, inv := math.Log, math.Exp
		if !isRate(measure) {
			tr = func(p float64) float64 { return math.Log(p / (1 - p)) }
			inv = func(t float64) float64 { return 1 / (1 + math.Exp(-t)) }
			if g0 <= 0 || g0 >= 1 || g1 <= 0 || g1 >= 1 {
				return nil
			}
		} else if g0 <= 0 || g1 <= 0 {
			return nil
		}
		a, b := tr(g0), tr(g1)-tr(g0)
		scale := 1.0
		if measure == "reach" {
			// equity_strata and the SII are per 1,000 for reach; the chart plots per 1,000
			scale = 1
		}
		return func(x float64) (float64, bool) { return inv(a+b*x) * scale, true }
	}
	return nil
}

// cascadeFigure draws each pathway step's share by quintile as grouped bars.
func cascadeFigure(r *Report, scheme string) *Figure {
	v := view(r.Table("cascade"), scheme, nil)
	if len(v.Rows) == 0 {
		return nil
	}
	plotted := false
	for _, row := range v.Rows {
		for j := range cascadeSteps {
			cell := row[1+3*j+2]
			_, ok := cell.Number()
			plotted = plotted || ok || cell.Suppressed
		}
	}
	if !plotted {
		return &Figure{ID: "cascade", Title: "Pathway cascade by deprivation quintile", Table: v,
			Caption: "No chart: no step of the pathway has a value in this period (for example, every referral is too recent for its follow-up window)."}
	}
	c := newChart("cascade", "Pathway cascade by deprivation quintile", "", 640, 300)
	c.top = 30
	c.x0, c.x1, c.y0, c.y1 = 0, float64(len(v.Rows)), 0, 1
	c.yAxis(pctTick, "share of referrals")
	bw := c.plotW() / float64(len(v.Rows)) / float64(len(cascadeSteps)+1)
	var alt []string
	for i, row := range v.Rows {
		lab := row[0].Text
		if lab != "all quintiles" {
			lab = "Q" + lab
		} else {
			lab = "All"
		}
		c.text(c.px(float64(i)+0.5), c.py(0)+17, lab, "middle", "tick")
		var parts []string
		for j, m := range cascadeSteps {
			cell := row[1+3*j+2]
			x := c.px(float64(i)) + bw*(float64(j)+0.5)
			if y, ok := cell.Number(); ok {
				c.rect(x, c.py(y), bw, c.py(0)-c.py(y), seriesColours[j], fmt.Sprintf("%s, %s: %s", lab, label(m), display(cell)))
			} else if cell.Suppressed {
				c.text(x+bw/2, c.py(0)-4, "*", "middle", "supp")
			}
			parts = append(parts, label(m)+" "+display(cell))
		}
		alt = append(alt, lab+": "+strings.Join(parts, ", "))
	}
	c.xLabel("deprivation quintile (Q1 = most deprived)")
	var items []legendItem
	for j, m := range cascadeSteps {
		items = append(items, legendItem{label: label(m), colour: seriesColours[j]})
	}
	c.legend(items)
	c.desc = "Share of referrals reaching each step of the pathway, by quintile. " + strings.Join(alt, "; ") + "."
	return &Figure{ID: "cascade", Title: "Pathway cascade by deprivation quintile", SVG: c.html(), Table: v, Caption: c.desc}
}

// funnelFigure plots practices' values against their denominators with 95% and 99.8%
// limits around the scheme average.
func funnelFigure(r *Report, scheme, measure string) *Figure {
	id := "funnel-" + measure
	pv := "practice_variation"
	if isGP(measure) {
		pv = "gp_practice_variation"
	}
	v := view(r.Table(pv), scheme, func(row []*disclosure.Cell) bool { return row[0].Text == measure })
	if len(v.Rows) == 0 {
		return nil
	}
	v = v.project("practice_code", "numerator_n", "denominator_n", "value", "lower998", "upper998", "outlier")
	rate := isRate(measure)
	scale, tick, yl := 100.0, func(x float64) string { return tick2(x) + "%" }, "contacted within 90 days"
	title := "Practices: share contacted within 90 days"
	switch measure {
	case "referral_rate":
		scale, tick, yl = 1, numTick, "referrals per 1,000 registered"
		title = "Practices: referrals per 1,000 registered patients"
	case "gp_referral_rate":
		scale, tick, yl = 1, numTick, "coded referrals per 1,000 registered"
		title = "Practices: GP-coded referrals per 1,000 registered patients"
	case "gp_coding_completeness":
		yl, title = "with a referral code in the GP record", "Practices: coding completeness (platform referrals with a GP referral code)"
	case "gp_lost_between_sectors":
		yl, title = "not seen by the platform within 60 days", "Practices: GP-coded referrals the platform did not see (lost between sectors)"
	}
	var base float64
	baseOK, baseText := false, ""
	maxN, maxY := 0.0, 0.0
	type pt struct {
		code    string
		n, y    float64
		outlier bool
	}
	var pts []pt
	hidden := 0
	for _, row := range v.Rows {
		y, yok := row[3].Number()
		n, nok := row[2].Number()
		if row[0].Text == "all practices" {
			base, baseOK, baseText = y, yok, display(row[3])
			continue
		}
		if !yok || !nok {
			hidden++
			continue
		}
		o, _ := row[6].Number()
		pts = append(pts, pt{row[0].Text, n, y, o != 0})
		maxN, maxY = math.Max(maxN, n), math.Max(maxY, y*scale)
	}
	if len(pts) == 0 || !baseOK {
		return &Figure{ID: id, Title: title, Table: v,
			Caption: fmt.Sprintf("No funnel plot: %d practices, all with counts too small to publish.", hidden)}
	}
	c := newChart(id, title, "", 560, 320)
	// room for the last x tick ("20,000") centred on the right edge of the plot
	c.top, c.right = 30, 34
	c.x0, c.x1, c.y0 = 0, niceMax(maxN*1.05), 0
	c.y1 = niceMax(math.Max(maxY, base*scale) * 1.15)
	if !rate {
		c.y1 = math.Min(c.y1, 100)
	}
	c.yAxis(tick, yl)
	c.xTicks(numTick, "denominator (published, rounded)")
	var l95, u95, l998, u998 [][2]float64
	for i := 1; i <= 60; i++ {
		n := c.x1 * float64(i) / 60
		var l stats.FunnelLimits
		if rate {
			l = stats.RateFunnel(n, base/1000, 1000)
		} else {
			l = stats.ProportionFunnel(n, base)
		}
		clamp := func(y float64) float64 { return math.Max(c.y0, math.Min(c.y1, y*scale)) }
		if !math.IsNaN(l.Lower95) {
			l95 = append(l95, [2]float64{n, clamp(l.Lower95)})
			u95 = append(u95, [2]float64{n, clamp(l.Upper95)})
			l998 = append(l998, [2]float64{n, clamp(l.Lower998)})
			u998 = append(u998, [2]float64{n, clamp(l.Upper998)})
		}
	}
	c.line(c.px(c.x0), c.py(base*scale), c.px(c.x1), c.py(base*scale), cInk, 1.5, "")
	c.path(l95, cGrey, 1.2, "4 3")
	c.path(u95, cGrey, 1.2, "4 3")
	c.path(l998, cGrey, 1.2, "")
	c.path(u998, cGrey, 1.2, "")
	outliers := []string{}
	for _, p := range pts {
		fill := cSky
		if p.outlier {
			fill = cVermilion
			outliers = append(outliers, p.code)
		}
		c.circle(c.px(p.n), c.py(math.Min(p.y*scale, c.y1)), 4.5, fill, cInk, p.code)
	}
	c.legend([]legendItem{{label: "practice", colour: cSky}, {label: "outside 99.8%", colour: cVermilion},
		{label: "95% limits", colour: cGrey, dash: "4 3", line: true}, {label: "99.8% limits", colour: cGrey, line: true}})
	c.desc = fmt.Sprintf("Funnel plot of %d practices around the scheme average of %s; %d flagged outside the 99.8%% limits on their unrounded counts%s; %d practices with counts too small to publish are not plotted.",
		len(pts), baseText, len(outliers), listOrNone(outliers), hidden)
	return &Figure{ID: id, Title: title, SVG: c.html(), Table: v, Caption: c.desc}
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return " (" + strings.Join(s, ", ") + ")"
}

// sessionsFigure is the session-count histogram with the cap bin highlighted.
func sessionsFigure(r *Report, scheme string) *Figure {
	v := view(r.Table("session_counts"), scheme, nil)
	if len(v.Rows) == 0 {
		return nil
	}
	var bins [][]*disclosure.Cell
	for _, row := range v.Rows {
		if row[0].Text != "all" {
			bins = append(bins, row)
		}
	}
	maxY := 0.0
	for _, row := range bins {
		if y, ok := row[1].Number(); ok {
			maxY = math.Max(maxY, y)
		}
	}
	c := newChart("sessions", "Link-worker contacts per episode", "", 640, 300)
	c.top = 30
	c.x0, c.x1, c.y0, c.y1 = 0, float64(len(bins)), 0, niceMax(math.Max(maxY, 1)*1.12)
	c.yAxis(numTick, "episodes")
	bw := c.plotW() / float64(len(bins))
	capLabel := ""
	var alt []string
	for i, row := range bins {
		fill := cBlue
		if row[2].Text == "cap" {
			fill, capLabel = cVermilion, row[0].Text
		}
		x := c.px(float64(i))
		if y, ok := row[1].Number(); ok {
			c.rect(x+1, c.py(y), bw-2, c.py(0)-c.py(y), fill, row[0].Text+" contacts: "+display(row[1])+" episodes")
			if y > 0 {
				c.text(x+bw/2, c.py(y)-4, display(row[1]), "middle", "n")
			}
		} else if row[1].Suppressed {
			c.text(x+bw/2, c.py(0)-4, "*", "middle", "supp")
		}
		c.text(x+bw/2, c.py(0)+17, row[0].Text, "middle", "tick")
		alt = append(alt, row[0].Text+": "+display(row[1]))
	}
	c.xLabel("link-worker contacts in the episode")
	items := []legendItem{{label: "episodes", colour: cBlue}}
	if capLabel != "" {
		items = append(items, legendItem{label: "at the session cap (" + capLabel + ")", colour: cVermilion})
	}
	c.legend(items)
	c.desc = "Episodes by number of link-worker contacts: " + strings.Join(alt, ", ") + "."
	if capLabel != "" {
		c.desc += " The bar at the cap of " + capLabel + " is highlighted: a tall bar there with few beyond it is the signature of a fixed session cap."
	}
	return &Figure{ID: "sessions", Title: "Link-worker contacts per episode", SVG: c.html(), Table: v, Caption: c.desc}
}

// firstContactFigure draws the Kaplan–Meier share contacted by day as a step curve.
func firstContactFigure(r *Report, scheme string) *Figure {
	v := view(r.Table("first_contact"), scheme, nil)
	if len(v.Rows) == 0 {
		return nil
	}
	c := newChart("first-contact", "Days to first link-worker contact", "", 560, 300)
	c.top = 30
	c.x0, c.x1, c.y0, c.y1 = 0, 182, 0, 1
	c.yAxis(pctTick, "share contacted")
	for _, d := range []float64{0, 28, 56, 84, 112, 140, 168} {
		c.line(c.px(d), c.py(0), c.px(d), c.py(0)+4, cInk, 1, "")
		c.text(c.px(d), c.py(0)+17, f1(d), "middle", "tick")
	}
	c.xLabel("days since referral")
	var pts [][2]float64
	var alt []string
	prev := math.NaN()
	for _, row := range v.Rows {
		d, _ := strconv.ParseFloat(row[0].Text, 64)
		y, ok := row[3].Number()
		if !ok {
			continue
		}
		if !math.IsNaN(prev) {
			pts = append(pts, [2]float64{d, prev})
		}
		pts = append(pts, [2]float64{d, y})
		prev = y
		if d == 28 || d == 56 || d == 91 || d == 182 {
			alt = append(alt, fmt.Sprintf("%s by day %s", display(row[3]), row[0].Text))
		}
	}
	c.path(pts, cBlue, 2.5, "")
	c.line(c.px(0), c.py(0.5), c.px(182), c.py(0.5), cGrey, 1, "3 3")
	c.text(c.px(182)-2, c.py(0.5)-4, "half contacted", "end", "tick")
	c.legend([]legendItem{{label: "share contacted (Kaplan–Meier)", colour: cBlue, line: true}})
	c.desc = "Share of referrals with a first link-worker contact by days since referral: " + strings.Join(alt, ", ") + "."
	if len(alt) == 0 {
		c.desc = "Too few referrals to draw the curve."
	}
	return &Figure{ID: "first-contact", Title: "Days to first link-worker contact", SVG: c.html(), Table: v, Caption: c.desc}
}

// indexFigure draws the distributions of UPC, COC and SECON as grouped bars per tenth.
func indexFigure(r *Report, scheme string) *Figure {
	v := view(r.Table("index_distribution"), scheme, nil)
	if len(v.Rows) == 0 {
		return nil
	}
	counts := map[string][]*disclosure.Cell{}
	var bins []string
	for _, row := range v.Rows {
		if row[1].Text == "all" {
			continue
		}
		counts[row[0].Text] = append(counts[row[0].Text], row[2])
		if row[0].Text == indexNames[0] {
			bins = append(bins, row[1].Text)
		}
	}
	maxY := 0.0
	for _, cs := range counts {
		for _, cell := range cs {
			if y, ok := cell.Number(); ok {
				maxY = math.Max(maxY, y)
			}
		}
	}
	c := newChart("indices", "Distribution of continuity indices", "", 640, 300)
	c.top = 30
	c.x0, c.x1, c.y0, c.y1 = 0, float64(len(bins)), 0, niceMax(math.Max(maxY, 1)*1.05)
	c.yAxis(numTick, "episodes")
	bw := c.plotW() / float64(len(bins)) / float64(len(indexNames)+1)
	for i, b := range bins {
		c.text(c.px(float64(i)+0.5), c.py(0)+17, strings.Split(b, "–")[0], "middle", "tick")
		for j, idx := range indexNames {
			if i >= len(counts[idx]) {
				continue
			}
			cell := counts[idx][i]
			x := c.px(float64(i)) + bw*(float64(j)+0.5)
			if y, ok := cell.Number(); ok {
				c.rect(x, c.py(y), bw, c.py(0)-c.py(y), seriesColours[j], fmt.Sprintf("%s %s: %s", strings.ToUpper(idx), b, display(cell)))
			} else if cell.Suppressed {
				c.text(x+bw/2, c.py(0)-4, "*", "middle", "supp")
			}
		}
	}
	c.xLabel("index value (lower edge of each tenth; 1 = always the same worker)")
	var items []legendItem
	for j, idx := range indexNames {
		items = append(items, legendItem{label: strings.ToUpper(idx), colour: seriesColours[j]})
	}
	c.legend(items)
	c.desc = "Episodes with 2 or more contacts with a recorded worker, by UPC, COC and SECON in tenths; a pile-up at the right means people mostly saw the same worker."
	return &Figure{ID: "indices", Title: "Distribution of continuity indices", SVG: c.html(), Table: v, Caption: c.desc}
}

// trendFigure draws referrals per period as bars and the contacted share as a line.
func trendFigure(r *Report, scheme string) *Figure {
	v := view(r.Table("trend"), scheme, nil)
	if len(v.Rows) == 0 {
		return nil
	}
	maxY := 0.0
	for _, row := range v.Rows {
		if y, ok := row[1].Number(); ok {
			maxY = math.Max(maxY, y)
		}
	}
	c := newChart("trend", "Referrals and contact over recent periods", "", 640, 300)
	c.top, c.right = 30, 56
	c.x0, c.x1, c.y0, c.y1 = 0, float64(len(v.Rows)), 0, niceMax(math.Max(maxY, 1)*1.12)
	c.yAxis(numTick, "referrals")
	// right axis: contacted share 0–100%
	for _, t := range []float64{0, 0.25, 0.5, 0.75, 1} {
		c.text(c.w-c.right+6, c.py(t*c.y1)+4, pctTick(t), "start", "tick")
	}
	bw := c.plotW() / float64(len(v.Rows))
	var line [][2]float64
	var alt []string
	for i, row := range v.Rows {
		x := c.px(float64(i))
		if y, ok := row[1].Number(); ok {
			c.rect(x+bw*0.2, c.py(y), bw*0.6, c.py(0)-c.py(y), cSky, row[0].Text+": "+display(row[1])+" referrals")
			c.text(x+bw/2, c.py(y)-4, display(row[1]), "middle", "n")
		} else if row[1].Suppressed {
			c.text(x+bw/2, c.py(0)-4, "*", "middle", "supp")
		}
		if s, ok := row[3].Number(); ok {
			line = append(line, [2]float64{float64(i) + 0.5, s * c.y1})
		}
		c.text(x+bw/2, c.py(0)+17, row[0].Text, "middle", "tick")
		alt = append(alt, fmt.Sprintf("%s: %s referrals, %s contacted", row[0].Text, display(row[1]), display(row[3])))
	}
	c.path(line, cVermilion, 2.5, "")
	for _, p := range line {
		c.circle(c.px(p[0]), c.py(p[1]), 3.5, cVermilion, cVermilion, "")
	}
	c.xLabel("period of referral")
	c.legend([]legendItem{{label: "referrals (left axis)", colour: cSky}, {label: "contacted within 90 days (right axis)", colour: cVermilion, line: true}})
	c.desc = "Referrals and the share contacted, by period: " + strings.Join(alt, "; ") + "."
	return &Figure{ID: "trend", Title: "Referrals and contact over recent periods", SVG: c.html(), Table: v, Caption: c.desc}
}
