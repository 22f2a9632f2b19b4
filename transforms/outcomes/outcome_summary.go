package outcomes

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"

	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms/model"
)

// The verdicts of the outcome gradient (design §11), oriented by polarity: a gain is a
// rise for favourable measures and a fall for adverse ones.
const (
	verdictLargerGain  = "larger_gain_in_more_deprived"
	verdictSmallerGain = "smaller_gain_in_more_deprived"
)

// changeCell is an outcome_change row as outcome_summary reads it.
type changeCell struct {
	polarity           string
	dimension, stratum string
	pairs              int64
	mean, lower, upper sql.NullFloat64
	sd                 sql.NullFloat64
}

type summaryKey struct{ scheme, period, measure string }

// buildSummary is the outcome_summary model.
func buildSummary(ctx context.Context, tx model.Execer, _ *model.Env) error {
	if err := model.CreateTable(ctx, tx, files, "outcome_summary"); err != nil {
		return err
	}
	q, err := model.Statement(files, "outcome_summary_inputs")
	if err != nil {
		return err
	}
	var rows [][]any
	var key summaryKey
	var cells []changeCell
	flush := func() {
		if len(cells) > 0 {
			rows = append(rows, summaryRow(key, cells))
		}
		cells = cells[:0]
	}
	err = model.ForEachRow(ctx, tx, q, func(r *sql.Rows) error {
		var k summaryKey
		var c changeCell
		if err := r.Scan(&k.scheme, &k.period, &k.measure, &c.polarity, &c.dimension, &c.stratum, &c.pairs, &c.mean, &c.lower, &c.upper, &c.sd); err != nil {
			return err
		}
		if k != key {
			flush()
			key = k
		}
		cells = append(cells, c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading outcome_change: %w", err)
	}
	flush()
	return model.InsertRows(ctx, tx, "outcome_summary", 12, rows)
}

func summaryRow(k summaryKey, cells []changeCell) []any {
	var pairs int64
	var quintiles []stats.Stratum
	side := map[string]changeCell{}
	for _, c := range cells {
		switch c.dimension {
		case "all":
			pairs = c.pairs
		case "imd_quintile":
			// a quintile's mean change needs 2 or more pairs (its SD and interval)
			if c.pairs >= 2 && c.mean.Valid && c.sd.Valid {
				quintiles = append(quintiles, stats.Stratum{Label: "quintile " + c.stratum, Denominator: float64(c.pairs),
					Value: c.mean.Float64, CI: stats.Interval{Lower: c.lower.Float64, Upper: c.upper.Float64},
					SE: c.sd.Float64 / math.Sqrt(float64(c.pairs))})
			}
		case "continuity":
			side[c.stratum] = c
		}
	}
	row := []any{k.scheme, k.period, k.measure, pairs}
	res, err := stats.SII(quintiles, stats.Mean)
	verdict, reason := judge(res, err, cells[0].polarity == "adverse")
	if err == nil {
		row = append(row, res.SII, res.SIICI.Lower, res.SIICI.Upper)
	} else {
		row = append(row, nil, nil, nil)
	}
	row = append(row, verdict, reason)
	one, dispersed := side["single_worker"], side["dispersed"]
	if one.pairs >= 2 && dispersed.pairs >= 2 && one.sd.Valid && dispersed.sd.Valid {
		if d, ci, err := stats.Welch(one.mean.Float64, one.sd.Float64, int(one.pairs),
			dispersed.mean.Float64, dispersed.sd.Float64, int(dispersed.pairs)); err == nil {
			return append(row, d, ci.Lower, ci.Upper)
		}
	}
	return append(row, nil, nil, nil)
}

// judge reads the SII of mean change (below 0: change higher in the more deprived) as a
// verdict on gains, which for an adverse measure are falls.
func judge(res stats.SIIResult, err error, adverse bool) (string, string) {
	var ide *stats.InsufficientDataError
	switch {
	case errors.As(err, &ide):
		return stats.VerdictInsufficientData, "quintiles with 2 or more pairs: " + ide.Reason
	case err != nil:
		return stats.VerdictInsufficientData, err.Error()
	}
	sii := fmt.Sprintf("SII %.3g (95%% CI %.3g to %.3g)", res.SII, res.SIICI.Lower, res.SIICI.Upper)
	higherInDeprived, lowerInDeprived := res.SIICI.Upper < 0, res.SIICI.Lower > 0
	if adverse {
		// a fall is the gain: change higher in the more deprived is a smaller gain there
		higherInDeprived, lowerInDeprived = lowerInDeprived, higherInDeprived
	}
	switch {
	case higherInDeprived:
		return verdictLargerGain, sii + ": the whole interval shows larger gains in the more deprived quintiles"
	case lowerInDeprived:
		return verdictSmallerGain, sii + ": the whole interval shows smaller gains in the more deprived quintiles"
	}
	return stats.VerdictNoClearGradient, sii + ": the interval spans no gradient"
}
