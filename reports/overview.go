package reports

import (
	"context"
	"database/sql"
	"fmt"
	"html/template"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/stats"
)

// The overview answers "how are our schemes doing?" on the index page, before any click:
// per scheme, the latest period's headline signal on each axis (value, interval, a
// sparkline over the recent periods and the one-line reading), and what changed since
// the previous period. Everything on it is read from the published signals tables of
// those periods, so it shows nothing a period's report does not.

// overviewPeriods is how many recent periods the sparklines cover.
const overviewPeriods = 8

// headlineSignals are each axis's headline: the signal an analyst would ask about first.
// Outcomes take the first measure with a change signal (SWEMWBS first).
var headlineSignals = []struct{ axis, signal string }{
	{"general_practice", "gp_referral_share"},
	{"link_workers", "mean_coc"},
	{"vcs", "sii_contacted"},
	{"vcs", "sii_reach"}, // when contact is not yet measurable in the latest period
	{"outcomes", "outcome_change_swemwbs"},
	{"outcomes", "outcome_change_wemwbs"},
	{"outcomes", "outcome_change_ons4_satisfied"},
	// the GP record (design §12): the gradient of coded referral, and coding completeness
	// when the GP and platform data are linked
	{gpRecordCard, "sii_gp_referral_rate"},
	{gpLinkedCard, "gp_coding_completeness"},
}

// The GP record's overview cards are not an axis of the framework: named apart.
const (
	gpRecordCard = "gp_record"
	gpLinkedCard = "gp_record_linked"
)

// Overview is the index page's summary of the latest period.
type Overview struct {
	Period, Previous string
	Periods          int // periods in the sparklines
	Schemes          []OverviewScheme
}

// OverviewScheme is one scheme's line of the overview.
type OverviewScheme struct {
	ID, Name  string
	Href      string // its latest report (escaped relative link)
	Headlines []Headline
	Changes   []string // signals whose change from the previous period is clear, in words
}

// Headline is one axis's headline signal.
type Headline struct {
	Axis, Name, Value, CI, Reading string
	Previous                       string // the previous period's value, when published
	Spark                          template.HTML
}

// signalSeries is one scheme's signal over the periods, oldest first (nil: not there).
type signalSeries struct {
	name   string
	axis   string
	cells  [][3]*disclosure.Cell // value, lower, upper per period
	latest []*disclosure.Cell    // the latest period's row
}

// buildOverview reads the signals of reports (the recent periods, oldest first) into the
// overview of the last; links are each scheme's latest report.
func buildOverview(reports []*Report, links map[string]string) *Overview {
	if len(reports) == 0 {
		return nil
	}
	last := reports[len(reports)-1]
	ov := &Overview{Period: last.Period, Periods: len(reports)}
	if len(reports) > 1 {
		ov.Previous = reports[len(reports)-2].Period
	}
	for _, s := range last.Schemes {
		series := map[string]*signalSeries{}
		var order []string
		for i, r := range reports {
			t := r.Table("signals")
			if t == nil {
				continue
			}
			for _, row := range t.SchemeRows(s.ID) {
				sig := row[2].Text
				ss := series[sig]
				if ss == nil {
					ss = &signalSeries{name: sig, axis: row[0].Text, cells: make([][3]*disclosure.Cell, len(reports))}
					series[sig] = ss
					order = append(order, sig)
				}
				ss.cells[i] = [3]*disclosure.Cell{row[3], row[4], row[5]}
				if i == len(reports)-1 {
					ss.latest = row
				}
			}
		}
		os := OverviewScheme{ID: s.ID, Name: s.Name, Href: links[s.ID]}
		// each axis's first headline with a value in the latest period, else its first
		// present (which then says why it has none)
		pick := map[string]*signalSeries{}
		var axisOrder []string
		for _, h := range headlineSignals {
			ss := series[h.signal]
			if ss == nil || ss.latest == nil {
				continue
			}
			cur, seen := pick[h.axis]
			if !seen {
				axisOrder = append(axisOrder, h.axis)
			}
			if !seen || !cur.latest[3].Published() && ss.latest[3].Published() {
				pick[h.axis] = ss
			}
		}
		for _, axis := range axisOrder {
			os.Headlines = append(os.Headlines, headline(pick[axis], axisTitle(axis)))
		}
		sort.Strings(order)
		for _, sig := range order {
			if c := change(series[sig]); c != "" {
				os.Changes = append(os.Changes, c)
			}
		}
		ov.Schemes = append(ov.Schemes, os)
	}
	return ov
}

func axisTitle(id string) string {
	switch id {
	case gpRecordCard:
		return "GP record"
	case gpLinkedCard:
		return "GP record, linked to the platform"
	}
	for _, a := range axes {
		if a.ID == id {
			return a.Title
		}
	}
	return id
}

func headline(ss *signalSeries, axis string) Headline {
	row := ss.latest
	h := Headline{Axis: axis, Name: visible(signalName(ss.name)), Value: display(row[3]), Reading: firstSentence(visible(row[6].Text))}
	if row[4].Published() && row[5].Published() {
		h.CI = display(row[4]) + " to " + display(row[5])
	}
	if n := len(ss.cells); n > 1 {
		if prev := ss.cells[n-2][0]; prev != nil && prev.Published() {
			h.Previous = "Previous period: " + display(prev)
			v0, ok0 := prev.Number()
			v1, ok1 := row[3].Number()
			switch {
			case !ok0 || !ok1 || display(prev) == display(row[3]):
			case v1 > v0:
				h.Previous = "Up from " + display(prev) + " the period before"
			default:
				h.Previous = "Down from " + display(prev) + " the period before"
			}
		}
	}
	h.Spark = sparkline(ss)
	return h
}

// firstSentence is a reading's first sentence, the detail being in the period's report;
// when that sentence is short (a reading that only names its measure before saying why it
// is not judged), the next one with it.
func firstSentence(s string) string {
	i := strings.Index(s, ". ")
	if i < 0 {
		return s
	}
	if i < 60 {
		if j := strings.Index(s[i+2:], ". "); j >= 0 {
			return s[:i+2+j+1]
		}
		return s
	}
	return s[:i+1]
}

// change says how a signal moved from the previous period to the latest when the 95%
// interval of the difference excludes 0: each value's standard error from its interval,
// (upper − lower) / (2 × 1.959964), the two taken as independent. Signals without an
// interval are not judged.
func change(ss *signalSeries) string {
	n := len(ss.cells)
	if n < 2 || ss.cells[n-1][0] == nil || ss.cells[n-2][0] == nil {
		return ""
	}
	get := func(c [3]*disclosure.Cell) (v, se float64, ok bool) {
		v, vok := c[0].Number()
		lo, lok := c[1].Number()
		hi, hok := c[2].Number()
		if !vok || !lok || !hok || !(hi > lo) {
			return 0, 0, false
		}
		return v, (hi - lo) / (2 * stats.Z95()), true
	}
	v1, se1, ok1 := get(ss.cells[n-1])
	v0, se0, ok0 := get(ss.cells[n-2])
	if !ok1 || !ok0 {
		return ""
	}
	d := v1 - v0
	half := stats.Z95() * math.Sqrt(se0*se0+se1*se1)
	if d-half <= 0 && d+half >= 0 {
		return ""
	}
	verb := "rose"
	if d < 0 {
		verb = "fell"
	}
	f := ss.cells[n-1][0].Format
	show := func(x float64) string { return display(&disclosure.Cell{Kind: disclosure.KindValue, Format: f, V: x}) }
	return fmt.Sprintf("%s %s from %s to %s (difference %s, 95%% interval %s to %s).", visible(signalName(ss.name)), verb,
		display(ss.cells[n-2][0]), display(ss.cells[n-1][0]), show(d), show(d-half), show(d+half))
}

// sparkline draws a signal's recent values (with their intervals as a band of whiskers)
// in a small SVG that scales with its box; a hidden or missing value leaves a gap.
func sparkline(ss *signalSeries) template.HTML {
	const w, h, pad = 160.0, 40.0, 4.0
	lo, hi := math.Inf(1), math.Inf(-1)
	var alt []string
	for _, c := range ss.cells {
		for _, x := range c {
			if v, ok := x.Number(); ok {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 0) {
		return ""
	}
	if hi-lo < 1e-9 {
		lo, hi = lo-1, hi+1
	}
	n := len(ss.cells)
	px := func(i int) float64 { return pad + (w-2*pad)*(float64(i)+0.5)/float64(n) }
	py := func(v float64) float64 { return h - pad - (h-2*pad)*(v-lo)/(hi-lo) }
	var b strings.Builder
	var pts []string
	for i, c := range ss.cells {
		v, ok := c[0].Number()
		if !ok {
			if len(pts) > 1 {
				fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="1.5"/>`, strings.Join(pts, " "), cBlue)
			}
			pts = nil
			alt = append(alt, "–")
			continue
		}
		if l, lok := c[1].Number(); lok {
			if u, uok := c[2].Number(); uok {
				fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`, f1(px(i)), f1(py(l)), f1(px(i)), f1(py(u)), "#9ecae1")
			}
		}
		pts = append(pts, f1(px(i))+","+f1(py(v)))
		alt = append(alt, display(c[0]))
	}
	if len(pts) > 1 {
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="1.5"/>`, strings.Join(pts, " "), cBlue)
	}
	if v, ok := ss.cells[n-1][0].Number(); ok {
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.5" fill="%s"/>`, f1(px(n-1)), f1(py(v)), cVermilion)
	}
	label := "Recent periods, oldest first: " + strings.Join(alt, ", ")
	return template.HTML(fmt.Sprintf(`<svg class="spark" viewBox="0 0 %s %s" role="img" aria-label="%s"><title>%s</title>%s</svg>`, //nolint:gosec // built from escaped parts
		f1(w), f1(h), template.HTMLEscapeString(label), template.HTMLEscapeString(label), b.String()))
}

// overviewReports builds the reports of the recent periods that have reports (oldest
// first), reusing those this run built.
func overviewReports(ctx context.Context, db *sql.DB, periods []string, built map[string]*Report, o BuildOptions) ([]*Report, error) {
	periods = slices.Sorted(slices.Values(periods))
	if len(periods) > overviewPeriods {
		periods = periods[len(periods)-overviewPeriods:]
	}
	var out []*Report
	for _, p := range periods {
		if r := built[p]; r != nil {
			out = append(out, r)
			continue
		}
		o.Period = p
		r, err := Build(ctx, db, o)
		if err != nil {
			return nil, fmt.Errorf("building the overview: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}
