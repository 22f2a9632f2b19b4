package equity

import (
	"context"
	"fmt"

	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms/model"
)

// buildStrataLimits is the int_equity_strata_limits model: each stratum's 95% interval
// (Wilson, or Poisson for the rates) where its denominator is positive.
func buildStrataLimits(ctx context.Context, tx model.Execer, _ *model.Env) error {
	q, err := model.Statement(files, "strata_counts")
	if err != nil {
		return err
	}
	rs, err := tx.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("reading int_equity_strata: %w", err)
	}
	defer rs.Close()
	var out [][]any
	for rs.Next() {
		var r stratumRow
		if err := rs.Scan(&r.scheme, &r.period, &r.dimension, &r.stratum, &r.measure, &r.num, &r.den); err != nil {
			return fmt.Errorf("reading int_equity_strata: %w", err)
		}
		if isRate(r.measure) {
			r.ci, err = stats.PoissonRate(r.num, float64(r.den.Int64), reachMultiplier)
		} else {
			r.ci, err = stats.Wilson(r.num, r.den.Int64)
		}
		if err != nil {
			return fmt.Errorf("equity_strata %s %s %s %s %s: %w", r.scheme, r.period, r.dimension, r.stratum, r.measure, err)
		}
		out = append(out, []any{r.scheme, r.period, r.dimension, r.stratum, r.measure, r.ci.Lower, r.ci.Upper})
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("reading int_equity_strata: %w", err)
	}
	if err := model.CreateTable(ctx, tx, files, "int_equity_strata_limits"); err != nil {
		return err
	}
	return model.InsertRows(ctx, tx, "int_equity_strata_limits", 7, out)
}
