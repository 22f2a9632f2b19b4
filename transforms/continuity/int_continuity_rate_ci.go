package continuity

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms/model"
)

// buildRateIntervals is the int_continuity_rate_ci model: the Wilson 95% limits of each
// numerator and denominator of the continuity_summary rates, which continuity_summary.sql
// joins to each rate, with stats.Wilson as the one implementation.
func buildRateIntervals(ctx context.Context, tx model.Execer, _ *model.Env) error {
	var out [][]any
	q, err := model.Statement(files, "rate_counts")
	if err != nil {
		return err
	}
	err = model.ForEachRow(ctx, tx, q, func(rows *sql.Rows) error {
		var num, den int64
		if err := rows.Scan(&num, &den); err != nil {
			return err
		}
		ci, err := stats.Wilson(num, den)
		if err != nil {
			return fmt.Errorf("interval for %d of %d: %w", num, den, err)
		}
		out = append(out, []any{num, den, ci.Lower, ci.Upper})
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading the continuity rates: %w", err)
	}
	if err := model.CreateTable(ctx, tx, files, "int_continuity_rate_ci"); err != nil {
		return err
	}
	return model.InsertRows(ctx, tx, "int_continuity_rate_ci", 4, out)
}
