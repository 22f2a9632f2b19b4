// Equity by the non-ordered groups (design §4): the pathway measures by age band, sex and
// ethnic group, and WHO's summary measures across them (equity_groups).

package reports

import (
	"context"
	"database/sql"

	"github.com/socrx/socrx/disclosure"
)

// groupDimensions are the non-ordered dimensions, in reading order.
var groupDimensions = []string{"age_band", "sex", "ethnic_group"}

// groupCells are one group's published counts.
type groupCells struct {
	scheme, dimension, group, measure string
	num, den                          *disclosure.Cell
}

// loadGroups makes the groups' count cells; the groups of a scheme × dimension × measure
// add up to their total, a line for secondary suppression.
func (b *builder) loadGroups(ctx context.Context, db *sql.DB, period sql.NamedArg) error {
	rows, err := load(ctx, db, "group_strata.sql", period)
	if err != nil {
		return err
	}
	type key struct{ scheme, dimension, measure string }
	nums, dens := map[key][]*disclosure.Cell{}, map[key][]*disclosure.Cell{}
	sums := map[key][2]int64{}
	var order []key
	for _, row := range rows {
		g := &groupCells{scheme: row.str("scheme_id"), dimension: row.str("dimension"), group: row.str("stratum"),
			measure: row.str("measure"), num: b.p.Count(row.int("numerator")), den: b.p.Count(row.int("denominator"))}
		b.groups = append(b.groups, g)
		k := key{g.scheme, g.dimension, g.measure}
		if _, ok := sums[k]; !ok {
			order = append(order, k)
		}
		nums[k], dens[k] = append(nums[k], g.num), append(dens[k], g.den)
		s := sums[k]
		sums[k] = [2]int64{s[0] + row.int("numerator"), s[1] + row.int("denominator")}
	}
	for _, k := range order {
		total := &groupCells{scheme: k.scheme, dimension: k.dimension, group: "", measure: k.measure,
			num: b.p.Count(sums[k][0]), den: b.p.Count(sums[k][1])}
		b.groups = append(b.groups, total)
		b.lines = append(b.lines, append(nums[k], total.num), append(dens[k], total.den))
	}
	sums2, err := load(ctx, db, "equity_groups.sql", period)
	b.groupSummaries, b.gpGroupSummaries = splitGP(sums2)
	return err
}

// buildGroups publishes the groups' measures and their summary.
func (b *builder) buildGroups(context.Context, *sql.DB, sql.NamedArg) error {
	t := &Table{Name: "equity_by_group", Title: "Pathway measures by age band, sex and ethnic group", PerScheme: true,
		Note:    "Values and 95% intervals are worked from the published (rounded) counts. Groups not stated are shown but left out of the summary.",
		Columns: groupColumns()}
	b.groupRows(t, false)
	b.r.add(t)
	s := &Table{Name: "inequality_by_group", Title: "Inequality across age bands, sexes and ethnic groups", PerScheme: true,
		Note: "WHO's summary measures for groups with no natural order (as the healthequal package), in percentage points for proportions, " +
			"each group weighted by its denominator. Groups whose denominator is at or below the disclosure threshold are left out. " +
			"Difference and ratio: best against worst group; between-group variance, mean difference from the mean and index of disparity need 3 or more groups. " +
			"Model outputs, exempt from rounding.",
		Columns: groupSummaryColumns()}
	b.groupSummaryRows(s, b.groupSummaries)
	b.r.add(s)
	return nil
}

// groupColumns are the columns of a table of measures by group.
func groupColumns() []Column {
	return []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"dimension", "Grouped by", disclosure.KindText},
		{"group", "Group", disclosure.KindText}, {"measure", "Measure", disclosure.KindText},
		{"numerator_n", "Numerator", disclosure.KindCount}, {"denominator_n", "Denominator", disclosure.KindCount},
		{"value", "Value", disclosure.KindValue}, {"lower", "Lower 95%", disclosure.KindValue}, {"upper", "Upper 95%", disclosure.KindValue}}
}

// groupRows adds the groups' rows: the platform's measures, or the GP record's.
func (b *builder) groupRows(t *Table, gp bool) {
	for _, dim := range groupDimensions {
		for _, g := range b.groups {
			if g.dimension != dim || isGP(g.measure) != gp {
				continue
			}
			name := groupLabel(g.group)
			if g.group == "" {
				name = "all groups"
			}
			v, lo, hi := b.measureValue(g.measure, &strataCells{num: g.num, den: g.den})
			t.Rows = append(t.Rows, []*disclosure.Cell{disclosure.Text(g.scheme), disclosure.Text(dimensionLabel(dim)),
				disclosure.Text(name), disclosure.Text(label(g.measure)), g.num, g.den, v, lo, hi})
		}
	}
}

// groupSummaryColumns are the columns of WHO's summary measures across groups.
func groupSummaryColumns() []Column {
	return []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"dimension", "Grouped by", disclosure.KindText},
		{"measure", "Measure", disclosure.KindText}, {"groups", "Groups", disclosure.KindText},
		{"groups_left_out", "Left out (small)", disclosure.KindText},
		{"best_group", "Best", disclosure.KindText}, {"worst_group", "Worst", disclosure.KindText},
		{"d", "Difference (highest − lowest)", disclosure.KindValue}, {"r", "Ratio (highest / lowest)", disclosure.KindValue},
		{"bgv", "Between-group variance", disclosure.KindValue}, {"bgv_se", "Its SE", disclosure.KindValue},
		{"mdmw", "Mean difference from mean", disclosure.KindValue}, {"idisw", "Index of disparity (%)", disclosure.KindValue},
		{"ti", "Theil index (×1,000)", disclosure.KindValue}, {"mld", "Mean log deviation (×1,000)", disclosure.KindValue},
		{"paf", "Population attributable fraction (%)", disclosure.KindValue}}
}

// groupSummaryRows adds the rows of equity_groups.
func (b *builder) groupSummaryRows(s *Table, rows []rec) {
	for _, row := range rows {
		model := func(col string) *disclosure.Cell { v, ok := row.num(col); return b.p.Model(v, ok, disclosure.FmtStat) }
		text := func(col string) *disclosure.Cell {
			if row.isNull(col) {
				return disclosure.Null()
			}
			return disclosure.Text(groupLabel(row.str(col)))
		}
		s.Rows = append(s.Rows, []*disclosure.Cell{disclosure.Text(row.str("scheme_id")), disclosure.Text(dimensionLabel(row.str("dimension"))),
			disclosure.Text(label(row.str("measure"))), disclosure.Text(row.str("groups")), disclosure.Text(row.str("groups_left_out")),
			text("best_group"), text("worst_group"), model("d"), model("r"), model("bgv"), model("bgv_se"), model("mdmw"),
			model("idisw"), model("ti"), model("mld"), model("paf")})
	}
}

// groupDimensionNames and groupNames name the groupings and groups for people.
var (
	groupDimensionNames = map[string]string{"age_band": "age band", "ethnic_group": "ethnic group"}
	groupNames          = map[string]string{"not_stated": "not stated", "unknown": "not stated", "85+": "85 and over"}
)

func dimensionLabel(d string) string { return named(groupDimensionNames, d) }

func groupLabel(g string) string { return named(groupNames, g) }
