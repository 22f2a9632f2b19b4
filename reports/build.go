package reports

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/socrx/socrx/disclosure"
)

// BuildOptions are the inputs of one period's report besides the database.
type BuildOptions struct {
	Period      string
	Policy      disclosure.Policy
	SchemeNames map[string]string // configured names by id
	Prov        Provenance
	TrendLength int // periods in the trend (default 8)

	preloaded map[string]map[string][]rec // Run's preload rows, by query and period
}

// Build reads one period's marts and applies disclosure control to every number.
func Build(ctx context.Context, db *sql.DB, o BuildOptions) (*Report, error) {
	if err := o.Policy.Validate(); err != nil {
		return nil, err
	}
	first, last, err := PeriodSpan(o.Period)
	if err != nil {
		return nil, err
	}
	if o.TrendLength == 0 {
		o.TrendLength = 8
	}
	r := &Report{Period: o.Period, First: first, Last: last, Policy: o.Policy, Prov: o.Prov}
	period := sql.Named("period", o.Period)

	schemes, err := periodRows(ctx, db, o.preloaded, "schemes.sql", period)
	if err != nil {
		return nil, err
	}
	if len(schemes) == 0 {
		return nil, fmt.Errorf("period %s has no referrals and no GP record in the marts", o.Period)
	}
	all := Scheme{ID: "ALL", Name: "All schemes"}
	for _, s := range schemes {
		all.Platform = all.Platform || s.bool("platform")
	}
	r.Schemes = append(r.Schemes, all)
	seen := map[string]bool{"ALL": true}
	for _, s := range schemes {
		id := s.str("scheme_id")
		// A scheme called ALL in the data cannot be told apart from the all-schemes rows
		// of the marts (ingest quarantines it as reserved_id); it is one report, not two
		// written to one file.
		if seen[id] {
			continue
		}
		seen[id] = true
		name := o.SchemeNames[id]
		if name == "" {
			name = id
		}
		r.Schemes = append(r.Schemes, Scheme{ID: id, Name: name, Platform: s.bool("platform")})
	}

	b := &builder{r: r, p: o.Policy, cells: map[string]*disclosure.Cell{}, pre: o.preloaded, heaping: map[[2]string]*disclosure.Cell{}}
	steps := []func(context.Context, *sql.DB, sql.NamedArg) error{
		b.loadPathway, b.loadContinuity, b.loadSessions, b.loadIndexBins, b.loadFirstContact,
		b.loadPractices, b.loadSources, b.loadOutcomes, b.loadGroups,
	}
	for _, step := range steps {
		if err := step(ctx, db, period); err != nil {
			return nil, err
		}
	}
	if err := b.loadTrend(ctx, db, o); err != nil {
		return nil, err
	}
	if err := b.loadSIITrend(ctx, db, o); err != nil {
		return nil, err
	}
	// Secondary suppression runs once over every line of every table before any rate is
	// worked out, so that rates see the final suppression.
	o.Policy.SecondarySuppress(b.lines)
	b.withheld = secondaryValues(o.Policy, b.lines)
	// Flags are published before the signals are built, which count and name them.
	b.judgePractices()
	for _, step := range []func(context.Context, *sql.DB, sql.NamedArg) error{
		b.buildSignals, b.buildPathway, b.buildSummary, b.buildCascade, b.buildPractices,
		b.buildSources, b.buildSessions, b.buildFirstContact, b.buildContinuity, b.buildIndexBins,
		b.buildOutcomes, b.buildGroups, b.buildGP,
	} {
		if err := step(ctx, db, period); err != nil {
			return nil, err
		}
	}
	b.buildTrend()
	b.buildSIITrend()
	if err := b.buildDataQuality(ctx, db); err != nil {
		return nil, err
	}
	return r, nil
}

// builder holds the count cells of a period while lines of totals are collected, so
// every table that shows a count shows the same (secondarily suppressed) cell.
type builder struct {
	r     *Report
	p     disclosure.Policy
	lines [][]*disclosure.Cell
	pre   map[string]map[string][]rec // BuildOptions.preloaded

	strata    map[strataKey]*strataCells // scheme, measure, quintile (0 = total)
	summaries []rec
	// gpSummaries and gpGroupSummaries are the GP record's rows of equity_summary and
	// equity_groups, published in its own tables (gprecord.go)
	gpSummaries, gpGroupSummaries []rec
	gpPracticeTable               *Table
	// groups are the counts by age band, sex and ethnic group (a total last per line)
	groups         []*groupCells
	groupSummaries []rec
	cont           map[[2]string]*contCells // scheme, stratum
	contRaw        map[[2]string]rec
	sessions       map[string][]sessionBin
	indexBins      map[[2]string][]*disclosure.Cell // scheme, index → 10 bins + total
	practices      []practiceCells
	// practiceTable and funnels are built together (judgePractices), so the table's
	// Outlier column and the summary's count and reading are one set of flags.
	practiceTable *Table
	funnels       map[[2]string]*funnelSummary   // scheme, measure
	heaping       map[[2]string]*disclosure.Cell // cap_heaping_detected by scheme, stratum
	sources       map[string][]sourceCell
	sourceTot     map[string]*disclosure.Cell
	recorded      map[string]*disclosure.Cell // referrals with a recorded source, per scheme
	schemeList    []string
	cells         map[string]*disclosure.Cell
	withheld      map[int64]bool // rounded values of secondarily suppressed cells
	kmCells       map[string][]kmPoint
	outcomes      []*outcomeCells
	trend         []trendRow
	siiTrend      map[[2]string][]siiPoint // scheme, measure → recent periods
}

// count returns the published cell for a count under a key naming what it counts, so a
// quantity that appears in several tables (a scheme's episodes in the continuity table,
// the session histogram's total and the trend) is one cell, suppressed everywhere or
// nowhere.
func (b *builder) count(key string, n int64) *disclosure.Cell {
	if c, ok := b.cells[key]; ok && c.Raw() == n {
		return c
	}
	c := b.p.Count(n)
	if _, ok := b.cells[key]; !ok {
		b.cells[key] = c
	}
	return c
}

func (b *builder) schemes() []string {
	if b.schemeList == nil {
		for _, s := range b.r.Schemes {
			b.schemeList = append(b.schemeList, s.ID)
		}
	}
	return b.schemeList
}
