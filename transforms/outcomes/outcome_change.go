package outcomes

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms/model"
)

// minPairsReliable is the WEMWBS authors' rule of thumb for comparing two time points:
// fewer pairs are flagged (few_pairs).
const minPairsReliable = 30

// group is one group's aggregates (queries/outcome_strata.sql).
type group struct {
	scheme, period, dimension, stratum, measure, polarity string
	pairs                                                 int64
	baseline, followup, mean                              float64
	sd                                                    sql.NullFloat64
	improved, worsened                                    int64
	hasMC, hasBand                                        bool
	cells                                                 stats.PairedProportions
}

// buildChange is the outcome_change model: the statistics of design §11 from each group's
// aggregates, which DuckDB computes over outcome_pairs and the strata each pair carries.
func buildChange(ctx context.Context, tx model.Execer, env *model.Env) error {
	if err := model.CreateTable(ctx, tx, files, "outcome_change"); err != nil {
		return err
	}
	q, err := model.Statement(files, "outcome_strata")
	if err != nil {
		return err
	}
	mc := func(m string) any {
		if v, ok := env.Params.MeaningfulChange[m]; ok {
			return v
		}
		return nil
	}
	var rows [][]any
	err = model.ForEachRow(ctx, tx, q, func(r *sql.Rows) error {
		var g group
		if err := r.Scan(&g.scheme, &g.period, &g.dimension, &g.stratum, &g.measure, &g.polarity, &g.pairs,
			&g.baseline, &g.followup, &g.mean, &g.sd, &g.improved, &g.worsened, &g.hasMC, &g.hasBand,
			&g.cells.A, &g.cells.B, &g.cells.C, &g.cells.D); err != nil {
			return err
		}
		rows = append(rows, g.row())
		return nil
	}, mc("swemwbs"), mc("wemwbs"))
	if err != nil {
		return fmt.Errorf("reading outcome_pairs: %w", err)
	}
	return model.InsertRows(ctx, tx, "outcome_change", 28, rows)
}

// row is the group's outcome_change row.
func (g group) row() []any {
	n := float64(g.pairs)
	row := []any{g.scheme, g.period, g.dimension, g.stratum, g.measure, g.polarity, g.pairs, g.baseline, g.followup}
	// mean change, its interval, SD and SRM: at least two pairs
	if c, err := stats.PairedChangeOf(int(g.pairs), g.mean, g.sd.Float64); err == nil && g.sd.Valid {
		srm := any(nil)
		if c.SRMOK {
			srm = c.SRM
		}
		row = append(row, c.Mean, c.CI.Lower, c.CI.Upper, c.SD, srm)
	} else {
		row = append(row, nil, nil, nil, nil, nil)
	}
	// improved and worsened by at least the meaningful change, with Wilson intervals
	if g.hasMC {
		row = append(row, g.improved, g.worsened)
		for _, x := range []int64{g.improved, g.worsened} {
			ci, err := stats.Wilson(x, g.pairs)
			if err != nil {
				row = append(row, nil, nil, nil)
				continue
			}
			row = append(row, float64(x)/n, ci.Lower, ci.Upper)
		}
	} else {
		row = append(row, nil, nil, nil, nil, nil, nil, nil, nil)
	}
	// ONS4: the share in the band of concern at each time, and its paired change
	if g.hasBand {
		t := g.cells // A both, B after only, C before only, D neither
		row = append(row, float64(t.A+t.C)/n, float64(t.A+t.B)/n)
		if diff, ci, err := stats.NewcombePaired(t); err == nil && !math.IsNaN(diff) {
			row = append(row, diff, ci.Lower, ci.Upper)
		} else {
			row = append(row, nil, nil, nil)
		}
	} else {
		row = append(row, nil, nil, nil, nil, nil)
	}
	return append(row, g.pairs < minPairsReliable)
}
