package continuity

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms/model"
)

// kmCell identifies one continuity_summary row.
type kmCell struct{ scheme, period, stratum string }

// buildContinuityKM is the int_continuity_km model: the Kaplan–Meier median and 90th
// percentile of days to first contact for every continuity_summary cell, from per-day
// counts aggregated in SQL.
func buildContinuityKM(ctx context.Context, tx model.Execer, _ *model.Env) error {
	counts := map[kmCell][]stats.TimeCount{}
	var order []kmCell
	q, err := model.Statement(files, "km_counts")
	if err != nil {
		return err
	}
	err = model.ForEachRow(ctx, tx, q, func(rows *sql.Rows) error {
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
	if err := model.CreateTable(ctx, tx, files, "int_continuity_km"); err != nil {
		return err
	}
	return model.InsertRows(ctx, tx, "int_continuity_km", 5, out)
}
