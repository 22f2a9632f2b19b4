package reports

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/socrx/socrx/disclosure"
)

//go:embed templates/*
var templateFS embed.FS

// templates parses the embedded templates; a fresh set per call keeps no package state.
func templates() (*template.Template, string, error) {
	css, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		return nil, "", fmt.Errorf("reading embedded css: %w", err)
	}
	t, err := template.New("").Funcs(template.FuncMap{
		"cellclass": cellClass,
		"date":      func(t time.Time) string { return t.Format("2 January 2006") },
		"stamp":     func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		// show is for every id, name or text from data or config that a page prints
		"show": visible,
		"cell": display,
		// cellin is a table cell under its column: codes in words
		"cellin": cellIn,
	}).ParseFS(templateFS, "templates/*.tmpl")
	if err != nil {
		return nil, "", fmt.Errorf("parsing templates: %w", err)
	}
	return t, string(css), nil
}

// cellClass marks table cells for styling and for the scan test: "n" is a published
// count, "s" a suppressed value, "t" text.
func cellClass(c *disclosure.Cell) template.HTMLAttr {
	var cl []string
	switch c.Kind {
	case disclosure.KindText:
		cl = append(cl, "t")
	case disclosure.KindCount:
		cl = append(cl, "n")
	}
	if c.Suppressed {
		cl = append(cl, "s")
	}
	if len(cl) == 0 {
		return ""
	}
	return template.HTMLAttr(` class="` + strings.Join(cl, " ") + `"`)
}

type axisCard struct {
	ID, Title, Poles string
	Signals          []signalView
}

type signalView struct {
	Name, Value, CI string
	// Lead is the reading's first sentence, Detail the rest, behind a disclosure widget
	Lead, Detail string
}

// newSignalView is a signals table row (without its scheme) as a card shows it.
func newSignalView(row []*disclosure.Cell) signalView {
	reading := visible(row[6].Text)
	sv := signalView{Name: visible(signalName(row[2].Text)), Value: display(row[3]), Lead: firstSentence(reading)}
	sv.Detail = strings.TrimSpace(strings.TrimPrefix(reading, sv.Lead))
	if row[4].Published() && row[5].Published() {
		sv.CI = display(row[4]) + " to " + display(row[5])
	}
	return sv
}

// schemeLink is another scheme's report in the same period.
type schemeLink struct {
	Name string
	Href string // escaped relative link to its derived file name
}

type page struct {
	R                               *Report
	Scheme                          Scheme
	Others                          []schemeLink
	XLSX, XLSXName                  string // the period's workbook: escaped link, name
	CSS                             template.CSS
	Axes                            []axisCard
	EquityFigs                      []*Figure
	MeasuredFigs                    []*Figure // who gets measured, with the outcomes
	GroupSummary                    *View     // equity by age band, sex and ethnic group
	GroupFigs                       []*Figure // each measure by group
	GroupsNote, GroupSummaryNote    string
	Cascade                         *Figure
	Summary                         *View
	SummaryNote                     string
	Funnels                         []*Figure
	FunnelNote                      string // what the outlier flag rests on
	Sources                         *View
	Sessions, FirstContact, Indices *Figure
	Continuity                      *View
	ContinuityNote                  string
	OutcomeSummary, OutcomeChange   *View
	OutcomeNote                     string
	Trend                           *Figure
	SIITrend                        []*Figure // the SII of each pathway measure by period, with its test of trend
	Files, Quarantine, NoLSOA       *View
	// Platform is false when no platform data (referrals, attendances) were loaded for
	// this scheme and period: the platform's sections give way to one sentence
	Platform bool
	GP       *gpSection
}

// gpSection is the GP record's part of a scheme report (design §12).
type gpSection struct {
	Signals          []signalView
	Linked           bool
	QuintileFigs     []*Figure
	Summary          *View
	SummaryNote      string
	GroupSummary     *View
	GroupSummaryNote string
	GroupsNote       string
	GroupFigs        []*Figure
	Funnels          []*Figure
	FunnelNote       string
	Unlisted         *View
	UnlistedNote     string
	NoLSOA           *View
	HasPractices     bool
}

var axes = []axisCard{
	{ID: "general_practice", Title: "General practice", Poles: "holistic (keeps the social context) ↔ fragmental (non-medical needs triaged away)"},
	{ID: "link_workers", Title: "Link workers", Poles: "relational (open-ended, same worker) ↔ transactional (fixed caps, hand-offs)"},
	{ID: "vcs", Title: "Voluntary and community sector", Poles: "redistributive (uptake rises with need) ↔ non-redistributive (inverse care law)"},
	{ID: "outcomes", Title: "Outcomes", Poles: "wellbeing before and after, beside the context and the link working that preceded it (no comparison group)"},
}

var signalNames = map[string]string{
	"sii_reach": "Reach by deprivation (SII, per 1,000)", "sii_contacted": "Contact by deprivation (SII)",
	"sii_engaged": "Engagement by deprivation (SII)", "sii_vcs_uptake": "VCS uptake by deprivation (SII)",
	"mean_coc": "Continuity of care (mean COC)", "handoff_rate": "Hand-off rate",
	"cap_heaping_ratio": "Heaping at a session cap (ratio)", "cap_heaping_detected": "Fixed session cap detected",
	"median_days_to_first_contact": "Median days to first contact", "re_referral_rate_90d": "Re-referred within 90 days",
	"re_referral_rate_365d": "Re-referred within a year", "same_worker_retention": "Same worker on re-referral",
	"gp_referral_share": "Share of referrals from GPs", "share_practices_referring": "Share of practices referring",
	"funnel_outliers_contacted": "Practices outside funnel limits (contact)", "funnel_outliers_referral_rate": "Practices outside funnel limits (referral rate)",
	"sii_gp_referral_rate":                    "GP-coded referrals by deprivation (SII, per 1,000)",
	"gp_coding_completeness":                  "Coding completeness (platform referrals with a GP referral code)",
	"gp_lost_between_sectors":                 "Lost between sectors (GP-coded referrals the platform did not see)",
	"funnel_outliers_gp_referral_rate":        "Practices outside funnel limits (GP-coded referral rate)",
	"funnel_outliers_gp_coding_completeness":  "Practices outside funnel limits (coding completeness)",
	"funnel_outliers_gp_lost_between_sectors": "Practices outside funnel limits (lost between sectors)",
}

func signalName(s string) string {
	if n, ok := signalNames[s]; ok {
		return n
	}
	for prefix, what := range map[string]string{"outcome_change_": "Change in %s", "outcome_gradient_": "Change in %s by deprivation (SII)"} {
		if m, ok := strings.CutPrefix(s, prefix); ok {
			return fmt.Sprintf(what, named(outcomeMeasureNames, m))
		}
	}
	return strings.ReplaceAll(s, "_", " ")
}

// renderScheme writes one scheme's HTML report; names are the schemes' file names
// (Report.fileNames), for the links between them.
func renderScheme(r *Report, s Scheme, names map[string]string) ([]byte, error) {
	t, css, err := templates()
	if err != nil {
		return nil, err
	}
	p := page{R: r, Scheme: s, CSS: template.CSS(css), XLSXName: workbookName(fileName(r.Period))} //nolint:gosec // our embedded stylesheet
	p.XLSX = href(p.XLSXName)
	for _, o := range r.Schemes {
		if o.ID != s.ID {
			p.Others = append(p.Others, schemeLink{Name: o.Name, Href: href(names[o.ID] + ".html")})
		}
	}
	for _, a := range axes {
		card := a
		card.Signals = nil
		for _, row := range r.Table("signals").SchemeRows(s.ID) {
			if row[0].Text != a.ID || gpSignal(row[2].Text) {
				continue // the GP record's signals lead its own section
			}
			card.Signals = append(card.Signals, newSignalView(row))
		}
		if len(card.Signals) == 0 && a.ID == "outcomes" {
			continue // no outcomes extract, or no assessments yet
		}
		p.Axes = append(p.Axes, card)
	}
	for _, m := range pathwayMeasures {
		if f := equityFigure(r, s.ID, m); f != nil {
			p.EquityFigs = append(p.EquityFigs, f)
		}
	}
	for _, m := range measuredMeasures {
		if f := equityFigure(r, s.ID, m); f != nil {
			p.MeasuredFigs = append(p.MeasuredFigs, f)
		}
	}
	if g := r.Table("equity_by_group"); g != nil {
		p.GroupsNote = g.Note
		for _, m := range equityMeasures {
			if f := groupFigure(r, s.ID, m); f != nil {
				p.GroupFigs = append(p.GroupFigs, f)
			}
		}
	}
	if g := r.Table("inequality_by_group"); g != nil {
		p.GroupSummary, p.GroupSummaryNote = view(g, s.ID, nil), g.Note
	}
	p.Cascade = cascadeFigure(r, s.ID)
	sum := r.Table("inequality_summary")
	p.Summary = transpose(view(sum, s.ID, nil), "Statistic")
	p.SummaryNote = sum.Note
	if pv := r.Table("practice_variation"); pv != nil {
		p.FunnelNote = pv.Note
	}
	for _, m := range []string{"contacted", "referral_rate"} {
		if f := funnelFigure(r, s.ID, m); f != nil {
			p.Funnels = append(p.Funnels, f)
		}
	}
	p.Sources = view(r.Table("referral_sources"), s.ID, nil)
	p.Sessions = sessionsFigure(r, s.ID)
	p.FirstContact = firstContactFigure(r, s.ID)
	p.Indices = indexFigure(r, s.ID)
	cont := r.Table("continuity")
	p.Continuity = transpose(view(cont, s.ID, nil), "Measure")
	p.ContinuityNote = cont.Note
	if oc := r.Table("outcome_change"); oc != nil {
		// the page shows the reading columns; every column is in the workbook and CSV
		p.OutcomeChange = view(oc, s.ID, nil).project("measure", "dimension", "stratum", "pairs_n", "baseline_mean",
			"followup_mean", "mean_change", "mean_change_lower", "mean_change_upper", "improved_share", "worsened_share",
			"band_baseline", "band_followup")
		p.OutcomeNote = oc.Note
	}
	if os := r.Table("outcome_summary"); os != nil {
		p.OutcomeSummary = view(os, s.ID, nil)
	}
	p.Trend = trendFigure(r, s.ID)
	for _, m := range pathwayMeasures {
		if f := siiTrendFigure(r, s.ID, m); f != nil {
			p.SIITrend = append(p.SIITrend, f)
		}
	}
	p.Files = view(r.Table("files"), "", nil)
	p.Quarantine = view(r.Table("quarantine"), "", nil)
	p.NoLSOA = view(sum, s.ID, nil).project("measure", "excluded_no_lsoa_n")
	p.Platform = s.Platform
	p.GP = gpPart(r, s.ID)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "report.html.tmpl", p); err != nil {
		// the scheme id is data: the error names the period only
		return nil, fmt.Errorf("rendering a report of %s: %w", r.Period, err)
	}
	return buf.Bytes(), nil
}

// transpose turns a wide per-stratum view into rows of measures, which reads better in
// HTML; the first column's values become the headers.
func transpose(v *View, corner string) *View {
	out := &View{Columns: []Column{{Name: "measure", Label: corner, Kind: disclosure.KindText}}}
	for _, r := range v.Rows {
		out.Columns = append(out.Columns, Column{Name: r[0].Text, Label: cellIn(v.Columns[0], r[0]), Kind: disclosure.KindValue})
	}
	for j := 1; j < len(v.Columns); j++ {
		row := []*disclosure.Cell{disclosure.Text(v.Columns[j].Label)}
		for _, r := range v.Rows {
			c := r[j]
			if c.Kind == disclosure.KindText {
				// the cell leaves its column: its words go with it
				c = disclosure.Text(inWords(v.Columns[j].Name, c.Text))
			}
			row = append(row, c)
		}
		out.Rows = append(out.Rows, row)
	}
	if len(v.Rows) == 0 {
		out.Rows = nil
	}
	return out
}

// IndexPeriod is one period of the index page.
type IndexPeriod struct {
	Period    string
	RunID     int64
	Logical   time.Time
	XLSX, CSV string // escaped relative links
	XLSXName  string
	Schemes   []IndexScheme
}

// IndexScheme links one scheme report.
type IndexScheme struct {
	ID, Name string
	Href     string // escaped relative link
}

func renderIndex(periods []IndexPeriod, ov *Overview, p disclosure.Policy) ([]byte, error) {
	t, css, err := templates()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	data := struct {
		CSS                 template.CSS
		Threshold, Rounding int
		Periods             []IndexPeriod
		Overview            *Overview
	}{template.CSS(css), p.Threshold, p.Rounding, periods, ov} //nolint:gosec // our embedded stylesheet
	if err := t.ExecuteTemplate(&buf, "index.html.tmpl", data); err != nil {
		return nil, fmt.Errorf("rendering index: %w", err)
	}
	return buf.Bytes(), nil
}
