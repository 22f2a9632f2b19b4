package continuity

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms/model"
)

// rateCountsSQL lists every numerator and denominator of the continuity_summary rates
// given Wilson intervals: re-referral within 90 and 365 days, same-worker retention.
const rateCountsSQL = `
SELECT re_referred_90d_episodes, re_referral_eligible_90d FROM int_continuity_summary WHERE re_referral_eligible_90d > 0
UNION
SELECT re_referred_365d_episodes, re_referral_eligible_365d FROM int_continuity_summary WHERE re_referral_eligible_365d > 0
UNION
SELECT retained_episodes, retention_eligible FROM int_continuity_summary WHERE retention_eligible > 0
`

// buildRateIntervals is the int_continuity_rate_ci model: the Wilson 95% limits of each
// numerator and denominator of the continuity_summary rates, which continuity_summary.sql
// joins to each rate, with stats.Wilson as the one implementation.
func buildRateIntervals(ctx context.Context, tx model.Execer, _ *model.Env) error {
	var out [][]any
	err := model.ForEachRow(ctx, tx, rateCountsSQL, func(rows *sql.Rows) error {
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
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE int_continuity_rate_ci (num BIGINT, den BIGINT, lower DOUBLE, upper DOUBLE)`); err != nil {
		return fmt.Errorf("creating int_continuity_rate_ci: %w", err)
	}
	return model.InsertRows(ctx, tx, "int_continuity_rate_ci", 4, out)
}
