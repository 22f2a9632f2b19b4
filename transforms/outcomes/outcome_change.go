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

// adverse says whether a fall in the measure is an improvement (design §11).
func adverse(measure string) bool { return measure == "ons4_anxious" || measure == "ucla3" }

// inBand says whether an ONS4 score is in ONS's band of concern: low (0–4) for life
// satisfaction, worthwhile and happiness, high (6–10) for anxiety; ok is false for the
// other measures.
func inBand(measure string, score float64) (in, ok bool) {
	switch measure {
	case "ons4_satisfied", "ons4_worthwhile", "ons4_happy":
		return score <= 4, true
	case "ons4_anxious":
		return score >= 6, true
	}
	return false, false
}

type pair struct{ baseline, followup, change float64 }

type changeKey struct{ scheme, period, dimension, stratum, measure string }

// buildChange is the outcome_change model: the statistics of design §11 over each
// group of pairs of int_outcome_strata.
func buildChange(ctx context.Context, tx model.Execer, env *model.Env) error {
	if err := model.CreateTable(ctx, tx, files, "outcome_change"); err != nil {
		return err
	}
	q, err := model.Statement(files, "outcome_strata")
	if err != nil {
		return err
	}
	var rows [][]any
	var key changeKey
	var group []pair
	flush := func() {
		if len(group) > 0 {
			rows = append(rows, changeRow(key, group, env.Params.MeaningfulChange[key.measure]))
		}
		group = group[:0]
	}
	err = model.ForEachRow(ctx, tx, q, func(r *sql.Rows) error {
		var k changeKey
		var p pair
		if err := r.Scan(&k.scheme, &k.period, &k.dimension, &k.stratum, &k.measure, &p.baseline, &p.followup, &p.change); err != nil {
			return err
		}
		if k != key {
			flush()
			key = k
		}
		group = append(group, p)
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading int_outcome_strata: %w", err)
	}
	flush()
	return model.InsertRows(ctx, tx, "outcome_change", 28, rows)
}

// changeRow is one outcome_change row. mc is the measure's meaningful change (0: none).
func changeRow(k changeKey, ps []pair, mc float64) []any {
	n := len(ps)
	polarity := "favourable"
	if adverse(k.measure) {
		polarity = "adverse"
	}
	var sumB, sumF float64
	d := make([]float64, n)
	for i, p := range ps {
		sumB += p.baseline
		sumF += p.followup
		d[i] = p.change
	}
	row := []any{k.scheme, k.period, k.dimension, k.stratum, k.measure, polarity, int64(n),
		sumB / float64(n), sumF / float64(n)}
	// mean change, its interval, SD and SRM: at least two pairs
	if c, err := stats.PairedChange(d); err == nil {
		srm := any(nil)
		if c.SRMOK {
			srm = c.SRM
		}
		row = append(row, c.Mean, c.CI.Lower, c.CI.Upper, c.SD, srm)
	} else {
		row = append(row, nil, nil, nil, nil, nil)
	}
	// improved and worsened by at least the meaningful change, in the measure's direction
	if mc > 0 {
		var up, down int64
		for _, x := range d {
			if adverse(k.measure) {
				x = -x
			}
			// a tolerance: metric scores are decimals, and 3.0 must count as 3
			switch {
			case x >= mc-1e-9:
				up++
			case x <= -mc+1e-9:
				down++
			}
		}
		row = append(row, up, down)
		for _, x := range []int64{up, down} {
			ci, err := stats.Wilson(x, int64(n))
			if err != nil {
				row = append(row, nil, nil, nil)
				continue
			}
			row = append(row, float64(x)/float64(n), ci.Lower, ci.Upper)
		}
	} else {
		row = append(row, nil, nil, nil, nil, nil, nil, nil, nil)
	}
	// ONS4: the share in the band of concern at each time, and its paired change
	if _, ok := inBand(k.measure, 0); ok {
		var t stats.PairedProportions // A both, B follow-up only, C baseline only, D neither
		for _, p := range ps {
			b, _ := inBand(k.measure, p.baseline)
			f, _ := inBand(k.measure, p.followup)
			switch {
			case b && f:
				t.A++
			case f:
				t.B++
			case b:
				t.C++
			default:
				t.D++
			}
		}
		row = append(row, float64(t.A+t.C)/float64(n), float64(t.A+t.B)/float64(n))
		if diff, ci, err := stats.NewcombePaired(t); err == nil && !math.IsNaN(diff) {
			row = append(row, diff, ci.Lower, ci.Upper)
		} else {
			row = append(row, nil, nil, nil)
		}
	} else {
		row = append(row, nil, nil, nil, nil, nil)
	}
	return append(row, n < minPairsReliable)
}
