package continuity

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms/model"
)

// funnelRow is one practice_variation row as the funnel needs it.
type funnelRow struct {
	scheme, period, practice, measure string
	num                               int64
	den                               sql.NullInt64
}

// referralRateMultiplier expresses referral rates per 1,000 registered patients.
const referralRateMultiplier = 1000

// buildPracticeFunnel is the int_practice_funnel model: funnel limits around each scheme
// × period × measure average (the pooled value: sum of numerators over sum of
// denominators, as PHE's av), and the flag of practices outside the 99.8% limits, for
// practice_variation.sql to join to the counts.
func buildPracticeFunnel(ctx context.Context, tx model.Execer, _ *model.Env) error {
	var all []funnelRow
	type key struct{ scheme, period, measure string }
	type sums struct{ num, den int64 }
	pooled := map[key]*sums{}
	q, err := model.Statement(files, "practice_counts")
	if err != nil {
		return err
	}
	err = model.ForEachRow(ctx, tx, q, func(rows *sql.Rows) error {
		var r funnelRow
		if err := rows.Scan(&r.scheme, &r.period, &r.practice, &r.measure, &r.num, &r.den); err != nil {
			return err
		}
		all = append(all, r)
		// units without a denominator are off the plot and out of the average
		if r.den.Valid && r.den.Int64 > 0 {
			k := key{r.scheme, r.period, r.measure}
			if pooled[k] == nil {
				pooled[k] = &sums{}
			}
			pooled[k].num += r.num
			pooled[k].den += r.den.Int64
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading practice_variation: %w", err)
	}

	out := make([][]any, 0, len(all))
	for _, r := range all {
		s := pooled[key{r.scheme, r.period, r.measure}]
		if s == nil || !r.den.Valid || r.den.Int64 <= 0 {
			continue
		}
		n, av := float64(r.den.Int64), float64(s.num)/float64(s.den)
		var lim stats.FunnelLimits
		var value, baseline float64
		switch r.measure {
		case "contacted", "gp_coding_completeness", "gp_lost_between_sectors":
			lim = stats.ProportionFunnel(n, av)
			value, baseline = float64(r.num)/n, av
		case "referral_rate", "gp_referral_rate":
			lim = stats.RateFunnel(n, av, referralRateMultiplier)
			value, baseline = float64(r.num)/n*referralRateMultiplier, av*referralRateMultiplier
		default:
			return fmt.Errorf("practice_variation measure %q has no funnel", r.measure)
		}
		out = append(out, []any{r.scheme, r.period, r.practice, r.measure, baseline,
			lim.Lower95, lim.Upper95, lim.Lower998, lim.Upper998, lim.Outside(value), lim.Significance(value)})
	}
	if err := model.CreateTable(ctx, tx, files, "int_practice_funnel"); err != nil {
		return err
	}
	return model.InsertRows(ctx, tx, "int_practice_funnel", 11, out)
}
