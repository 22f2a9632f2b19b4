package continuity

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms/model"
)

// kmCountsSQL aggregates time to first contact into per-day event and censoring counts
// for every continuity_summary cell, labelled exactly as int_continuity_summary.sql labels
// them, so the Kaplan–Meier curve is computed over days rather than over referrals.
const kmCountsSQL = `
SELECT
    CASE WHEN grouping(scheme_id) = 1 THEN 'ALL' ELSE scheme_id END AS g_scheme,
    CASE WHEN grouping(period) = 1 THEN 'all' ELSE period END AS g_period,
    CASE WHEN grouping(imd_quintile) = 1 THEN 'all' ELSE CAST(imd_quintile AS VARCHAR) END AS g_stratum,
    days_to_first_contact AS t,
    count(*) FILTER (WHERE first_contact_event) AS events,
    count(*) FILTER (WHERE NOT first_contact_event) AS censored
FROM episode_metrics
WHERE days_to_first_contact IS NOT NULL
GROUP BY GROUPING SETS (
    (scheme_id, period, imd_quintile, days_to_first_contact),
    (scheme_id, period, days_to_first_contact),
    (scheme_id, imd_quintile, days_to_first_contact),
    (scheme_id, days_to_first_contact),
    (period, imd_quintile, days_to_first_contact),
    (period, days_to_first_contact),
    (imd_quintile, days_to_first_contact),
    (days_to_first_contact)
)
HAVING grouping(imd_quintile) = 1 OR imd_quintile IS NOT NULL
ORDER BY g_scheme, g_period, g_stratum, t
`

// kmCell identifies one continuity_summary row.
type kmCell struct{ scheme, period, stratum string }

// buildContinuityKM is the int_continuity_km model: the Kaplan–Meier median and 90th
// percentile of days to first contact for every continuity_summary cell, from per-day
// counts aggregated in SQL.
func buildContinuityKM(ctx context.Context, tx model.Execer, _ *model.Env) error {
	counts := map[kmCell][]stats.TimeCount{}
	var order []kmCell
	err := model.ForEachRow(ctx, tx, kmCountsSQL, func(rows *sql.Rows) error {
		var c kmCell
		var t, ev, cens int64
		if err := rows.Scan(&c.scheme, &c.period, &c.stratum, &t, &ev, &cens); err != nil {
			return err
		}
		if _, ok := counts[c]; !ok {
			order = append(order, c)
		}
		counts[c] = append(counts[c], stats.TimeCount{T: float64(t), Events: ev, Censored: cens})
		return nil
	})
	if err != nil {
		return fmt.Errorf("aggregating days to first contact: %w", err)
	}

	out := make([][]any, 0, len(order))
	for _, c := range order {
		steps, err := stats.KaplanMeier(counts[c])
		if err != nil {
			return fmt.Errorf("kaplan-meier for %s %s %s: %w", c.scheme, c.period, c.stratum, err)
		}
		row := []any{c.scheme, c.period, c.stratum, nil, nil}
		for i, p := range []float64{0.5, 0.9} {
			if t, ok := stats.KMQuantile(steps, p); ok {
				row[3+i] = int64(t)
			}
		}
		out = append(out, row)
	}
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE int_continuity_km
		(scheme_id VARCHAR, period VARCHAR, stratum VARCHAR, median_days INTEGER, p90_days INTEGER)`); err != nil {
		return fmt.Errorf("creating int_continuity_km: %w", err)
	}
	return model.InsertRows(ctx, tx, "int_continuity_km", 5, out)
}
