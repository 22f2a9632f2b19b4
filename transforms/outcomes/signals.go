package outcomes

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/socrx/socrx/readings"
	"github.com/socrx/socrx/transforms/model"
)

// The outcomes setting's signals (design §8 archetype_signals): per scheme × period ×
// measure, the mean change over every pair and its gradient across deprivation.
const (
	setting = "outcomes"
	axis    = "wellbeing_change"
)

// buildSignals is the sig_outcomes model.
func buildSignals(ctx context.Context, tx model.Execer, _ *model.Env) error {
	if err := model.CreateTable(ctx, tx, files, "sig_outcomes"); err != nil {
		return err
	}
	q, err := model.Statement(files, "signal_inputs")
	if err != nil {
		return err
	}
	var rows [][]any
	err = model.ForEachRow(ctx, tx, q, func(r *sql.Rows) error {
		var scheme, period, measure, polarity string
		var verdict sql.NullString
		var pairs int64
		var base, mean, lo, hi, sii, siiLo, siiHi sql.NullFloat64
		if err := r.Scan(&scheme, &period, &measure, &polarity, &pairs, &base, &mean, &lo, &hi, &verdict, &sii, &siiLo, &siiHi); err != nil {
			return err
		}
		v := func(x sql.NullFloat64) *float64 { return readings.Value(x.Float64, x.Valid) }
		in := readings.Inputs{Outcome: &readings.Outcome{Measure: measure, Adverse: polarity == "adverse", Pairs: pairs,
			BaselineMean: v(base), MeanChange: v(mean), Lower: v(lo), Upper: v(hi),
			Verdict: verdict.String, SII: v(sii), SIILower: v(siiLo), SIIUpper: v(siiHi)}}
		js, err := in.JSON()
		if err != nil {
			return err
		}
		for _, sig := range []struct {
			name          string
			val, low, upp sql.NullFloat64
		}{
			{"outcome_change_" + measure, mean, lo, hi},
			{"outcome_gradient_" + measure, sii, siiLo, siiHi},
		} {
			// stored unsuppressed beside its inputs; reports compose the published reading
			rows = append(rows, []any{scheme, period, setting, axis, sig.name, nullable(sig.val), nullable(sig.low), nullable(sig.upp),
				readings.Compose(sig.name, in, readings.Exact()), js})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading the outcome marts: %w", err)
	}
	return model.InsertRows(ctx, tx, "sig_outcomes", 10, rows)
}

func nullable(x sql.NullFloat64) any {
	if !x.Valid {
		return nil
	}
	return x.Float64
}
