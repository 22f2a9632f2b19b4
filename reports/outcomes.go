// Outcomes tables (design §11): wellbeing change by context and mechanism, and its
// gradient across deprivation.

package reports

import (
	"context"
	"database/sql"
	"strings"

	"github.com/socrx/socrx/disclosure"
)

// outcomeMeasureNames are the measures as a reader knows them.
var outcomeMeasureNames = map[string]string{
	"swemwbs": "SWEMWBS (metric score, 7–35)", "wemwbs": "WEMWBS (14–70)", "ucla3": "Loneliness (UCLA-3, 3–9; lower is better)",
	"ons4_satisfied": "Life satisfaction (ONS, 0–10)", "ons4_worthwhile": "Worthwhile (ONS, 0–10)",
	"ons4_happy": "Happiness (ONS, 0–10)", "ons4_anxious": "Anxiety (ONS, 0–10; lower is better)",
}

// outcomeStrata name the strata of the outcome tables.
var outcomeStrata = map[string]string{
	"all": "all pairs", "single_worker": "one link worker (UPC 1)", "mostly_one": "mostly one (UPC 0.5 to under 1)",
	"dispersed": "dispersed (UPC under 0.5)", "under_three_contacts": "under 3 contacts",
}

// outcomeVerdicts read the gradient verdicts in words.
var outcomeVerdicts = map[string]string{
	"larger_gain_in_more_deprived":  "larger gains in the more deprived",
	"smaller_gain_in_more_deprived": "smaller gains in the more deprived",
	"no_clear_gradient":             "no clear gradient",
	"insufficient_data":             "not judged: too few pairs",
}

func named(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// outcomeCells are one outcome_change row's counts, as published.
type outcomeCells struct {
	row                       rec
	pairs, improved, worsened *disclosure.Cell
}

// loadOutcomes reads the period's outcome_change rows and makes their count cells, with
// lines for secondary suppression: the strata of a dimension add up to all pairs
// (continuity exactly; quintiles less those without one, which is cautious).
func (b *builder) loadOutcomes(ctx context.Context, db *sql.DB, period sql.NamedArg) error {
	rows, err := load(ctx, db, "outcome_change.sql", period)
	if err != nil {
		return err
	}
	lines := map[[3]string][]*disclosure.Cell{} // scheme, measure, dimension
	total := map[[2]string]*disclosure.Cell{}
	for _, row := range rows {
		// improved and worsened belong to (S)WEMWBS only, whatever the number of pairs
		c := &outcomeCells{row: row, pairs: b.p.Count(row.int("pairs")), improved: disclosure.Null(), worsened: disclosure.Null()}
		if !row.isNull("improved") {
			c.improved, c.worsened = b.p.Count(row.int("improved")), b.p.Count(row.int("worsened"))
		}
		b.outcomes = append(b.outcomes, c)
		sm := [2]string{row.str("scheme_id"), row.str("measure")}
		if row.str("dimension") == "all" {
			total[sm] = c.pairs
			continue
		}
		k := [3]string{sm[0], sm[1], row.str("dimension")}
		lines[k] = append(lines[k], c.pairs)
	}
	for k, line := range lines {
		if t := total[[2]string{k[0], k[1]}]; t != nil {
			b.lines = append(b.lines, append(line, t))
		}
	}
	return nil
}

// buildOutcomes publishes the outcome tables from the cells loadOutcomes made.
func (b *builder) buildOutcomes(ctx context.Context, db *sql.DB, period sql.NamedArg) error {
	t := &Table{Name: "outcome_change", Title: "Wellbeing before and after", PerScheme: true,
		Note: "Paired assessments of the same people, before and after (baseline near the first contact, follow-up 42 to 270 days later, " +
			"or as the platform staged them). There is no comparison group: change can reflect time, regression to the mean " +
			"and who completed a follow-up as much as social prescribing. Means and intervals are withheld when they rest on " +
			"the threshold or fewer pairs; shares are worked from the published counts.",
		Columns: []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"measure", "Measure", disclosure.KindText},
			{"dimension", "Group by", disclosure.KindText}, {"stratum", "Group", disclosure.KindText},
			{"pairs_n", "Pairs", disclosure.KindCount}, {"baseline_mean", "Mean before", disclosure.KindValue},
			{"followup_mean", "Mean after", disclosure.KindValue}, {"mean_change", "Mean change", disclosure.KindValue},
			{"mean_change_lower", "Lower 95%", disclosure.KindValue}, {"mean_change_upper", "Upper 95%", disclosure.KindValue},
			{"srm", "Standardised response mean", disclosure.KindValue},
			{"improved_n", "Improved", disclosure.KindCount}, {"improved_share", "Share improved", disclosure.KindValue},
			{"worsened_n", "Worsened", disclosure.KindCount}, {"worsened_share", "Share worsened", disclosure.KindValue},
			{"band_baseline", "In the band of concern before", disclosure.KindValue},
			{"band_followup", "In the band after", disclosure.KindValue},
			{"band_difference", "Change in the band", disclosure.KindValue},
			{"band_difference_lower", "Lower 95%", disclosure.KindValue}, {"band_difference_upper", "Upper 95%", disclosure.KindValue}}}
	// the continuity contrast's sides, for suppressing it with them
	sides := map[[2]string][]int64{}
	for _, c := range b.outcomes {
		row := c.row
		n := row.int("pairs")
		summ := func(col string, f disclosure.Format) *disclosure.Cell {
			v, ok := row.num(col)
			return b.p.Summary(v, ok, n, f)
		}
		// the ONS band columns belong to the ONS questions only: elsewhere they are empty
		// whatever the number of pairs (their absence says nothing about it)
		band := func(col string) *disclosure.Cell {
			if !strings.HasPrefix(row.str("measure"), "ons4_") {
				return disclosure.Null()
			}
			return summ(col, disclosure.FmtPercent)
		}
		dim := row.str("dimension")
		stratum := row.str("stratum")
		label := named(outcomeStrata, stratum)
		if dim == "imd_quintile" {
			label = "quintile " + stratum
		}
		if dim == "continuity" && (stratum == "single_worker" || stratum == "dispersed") {
			k := [2]string{row.str("scheme_id"), row.str("measure")}
			sides[k] = append(sides[k], n)
		}
		t.Rows = append(t.Rows, []*disclosure.Cell{disclosure.Text(row.str("scheme_id")), disclosure.Text(named(outcomeMeasureNames, row.str("measure"))),
			disclosure.Text(named(map[string]string{"all": "all", "imd_quintile": "deprivation", "continuity": "continuity of link working"}, dim)),
			disclosure.Text(label), c.pairs,
			summ("baseline_mean", disclosure.FmtDecimal), summ("followup_mean", disclosure.FmtDecimal),
			summ("mean_change", disclosure.FmtDecimal), summ("mean_change_lower", disclosure.FmtDecimal), summ("mean_change_upper", disclosure.FmtDecimal),
			summ("srm", disclosure.FmtDecimal),
			c.improved, b.p.Ratio(c.improved, c.pairs, 1, disclosure.FmtPercent),
			c.worsened, b.p.Ratio(c.worsened, c.pairs, 1, disclosure.FmtPercent),
			band("band_baseline"), band("band_followup"), band("band_difference"), band("band_difference_lower"),
			band("band_difference_upper")})
	}
	b.r.add(t)

	rows, err := load(ctx, db, "outcome_summary.sql", period)
	if err != nil {
		return err
	}
	s := &Table{Name: "outcome_summary", Title: "Is wellbeing change fairer, and does continuity matter?", PerScheme: true,
		Note: "The slope index of inequality (SII) of mean change across deprivation quintiles (below 0: change higher among the more " +
			"deprived; for anxiety and loneliness a fall is the gain), and the difference in mean change between episodes with one link " +
			"worker and episodes spread across several (3 or more contacts each), with Welch's 95% interval, withheld when either " +
			"side has the threshold or fewer pairs. Observational: no comparison group.",
		Columns: []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"measure", "Measure", disclosure.KindText},
			{"pairs_n", "Pairs", disclosure.KindCount}, {"sii", "SII", disclosure.KindValue},
			{"sii_lower", "Lower 95%", disclosure.KindValue}, {"sii_upper", "Upper 95%", disclosure.KindValue},
			{"verdict", "Across deprivation", disclosure.KindText},
			{"continuity_difference", "One worker − dispersed", disclosure.KindValue},
			{"continuity_difference_lower", "Lower 95%", disclosure.KindValue},
			{"continuity_difference_upper", "Upper 95%", disclosure.KindValue}}}
	for _, row := range rows {
		k := [2]string{row.str("scheme_id"), row.str("measure")}
		minSide := int64(0)
		if ns := sides[k]; len(ns) == 2 {
			minSide = min(ns[0], ns[1])
		}
		contrast := func(col string) *disclosure.Cell {
			v, ok := row.num(col)
			return b.p.Summary(v, ok, minSide, disclosure.FmtDecimal)
		}
		model := func(col string) *disclosure.Cell {
			v, ok := row.num(col)
			return b.p.Model(v, ok, disclosure.FmtStat)
		}
		s.Rows = append(s.Rows, []*disclosure.Cell{disclosure.Text(k[0]), disclosure.Text(named(outcomeMeasureNames, k[1])),
			b.outcomePairs(k), model("sii"), model("sii_lower"), model("sii_upper"),
			disclosure.Text(named(outcomeVerdicts, row.str("verdict"))),
			contrast("continuity_difference"), contrast("continuity_difference_lower"), contrast("continuity_difference_upper")})
	}
	b.r.add(s)
	return nil
}

// allPairs finds the change table's row of every pair of a scheme and measure (nil when
// there is none): its cell is the one both outcome tables publish, and its unrounded
// count the base of the means published with it.
func (b *builder) allPairs(scheme, measure string) *outcomeCells {
	for _, c := range b.outcomes {
		if c.row.str("scheme_id") == scheme && c.row.str("measure") == measure && c.row.str("dimension") == "all" {
			return c
		}
	}
	return nil
}

// outcomePairs is the published count of all pairs of a scheme and measure.
func (b *builder) outcomePairs(k [2]string) *disclosure.Cell {
	if c := b.allPairs(k[0], k[1]); c != nil {
		return c.pairs
	}
	return b.p.NullCount()
}
