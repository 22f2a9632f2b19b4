package equity

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms/model"
)

// notStated are the strata shown in equity_strata but left out of the group summaries
// (design §4).
var notStated = map[string]bool{"unknown": true, "not_stated": true}

// groupRow is one stratum of a non-ordered dimension (queries/groups_strata.sql).
type groupRow struct {
	scheme, period, dimension, stratum, measure, unit, polarity string
	den                                                         sql.NullInt64
	value, lower, upper                                         sql.NullFloat64
}

// buildGroups is the equity_groups model: WHO's summary measures for non-ordered groups
// (stats.GroupMeasures) per scheme × period × dimension × measure.
func buildGroups(ctx context.Context, tx model.Execer, env *model.Env) error {
	if err := model.CreateTable(ctx, tx, files, "equity_groups"); err != nil {
		return err
	}
	q, err := model.Statement(files, "groups_strata")
	if err != nil {
		return err
	}
	var out [][]any
	var run []groupRow
	flush := func() {
		if len(run) > 0 {
			out = append(out, groupSummary(run, env.Params.GroupMinDenominator))
		}
		run = run[:0]
	}
	err = model.ForEachRow(ctx, tx, q, func(r *sql.Rows) error {
		var g groupRow
		if err := r.Scan(&g.scheme, &g.period, &g.dimension, &g.stratum, &g.measure, &g.den, &g.value, &g.lower, &g.upper,
			&g.unit, &g.polarity); err != nil {
			return err
		}
		if len(run) > 0 && (g.scheme != run[0].scheme || g.period != run[0].period || g.dimension != run[0].dimension || g.measure != run[0].measure) {
			flush()
		}
		run = append(run, g)
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading equity_strata: %w", err)
	}
	flush()
	return model.InsertRows(ctx, tx, "equity_groups", 21, out)
}

// groupSummary is one equity_groups row from a run of strata: the stated groups whose
// denominator is above minDen take part, on the published unit.
func groupSummary(run []groupRow, minDen int) []any {
	g0 := run[0]
	scale, unit := 100.0, "per cent"
	if g0.unit != "proportion" {
		scale, unit = 1, g0.unit
	}
	var groups []stats.Group
	leftOut := 0
	for _, r := range run {
		if notStated[r.stratum] {
			continue
		}
		if !r.den.Valid || r.den.Int64 <= int64(minDen) || !r.value.Valid || !r.lower.Valid || !r.upper.Valid {
			leftOut++
			continue
		}
		groups = append(groups, stats.Group{Label: r.stratum, Value: r.value.Float64 * scale, Pop: float64(r.den.Int64),
			CI: stats.Interval{Lower: r.lower.Float64 * scale, Upper: r.upper.Float64 * scale}})
	}
	row := []any{g0.scheme, g0.period, g0.dimension, g0.measure, len(groups), leftOut}
	// fewer than 2 groups (every group taking part has a positive denominator)
	s, err := stats.GroupMeasures(groups, g0.polarity != "adverse")
	if err != nil {
		return append(row, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, unit)
	}
	opt := func(v float64, ok bool) any {
		if ok {
			return v
		}
		return nil
	}
	c := s.ComplexOK
	return append(row, s.Best, s.Worst, s.D, opt(s.R, s.ROK), opt(s.BGV, c), opt(s.BGVSE, c), opt(s.MDMU, c), opt(s.MDMW, c),
		opt(s.IDISU, c && s.RelativeOK), opt(s.IDISW, c && s.RelativeOK), opt(s.TI, c && s.TIOK), opt(s.MLD, c && s.TIOK),
		opt(s.PARisk, c), opt(s.PAF, c && s.RelativeOK), unit)
}
