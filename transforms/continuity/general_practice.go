package continuity

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/socrx/socrx/readings"
	"github.com/socrx/socrx/transforms/model"
)

// The general-practice setting's signals (design §1, §5: holistic or fragmental), the
// sig_general_practice rows of archetype_signals: the referral-source mix, the share of
// a scheme's practices referring, and the practice funnels.

const (
	gpSetting = "general_practice"
	gpAxis    = "holistic_vs_fragmental"
)

// buildGeneralPracticeSignals is the sig_general_practice model.
func buildGeneralPracticeSignals(ctx context.Context, tx model.Execer, env *model.Env) error {
	sigs, err := generalPracticeSignals(ctx, tx, env.Params)
	if err != nil {
		return err
	}
	return writeSignals(ctx, tx, "sig_general_practice", sigs)
}

type cell struct{ scheme, period string }

type sourceN struct {
	source string
	n      int64
}

func generalPracticeSignals(ctx context.Context, tx model.Execer, p model.Params) ([]signal, error) {
	mix := map[cell][]sourceN{}
	var cells []cell
	err := forEachRowOf(ctx, tx, "referral_sources", func(rows *sql.Rows) error {
		var k cell
		var sc sourceN
		if err := rows.Scan(&k.scheme, &k.period, &sc.source, &sc.n); err != nil {
			return err
		}
		if _, ok := mix[k]; !ok {
			cells = append(cells, k)
		}
		mix[k] = append(mix[k], sc)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading referral sources: %w", err)
	}
	var out []signal
	mk := func(k cell, name string, value sql.NullFloat64, in readings.Inputs) signal {
		return signal{scheme: k.scheme, period: k.period, setting: gpSetting, axis: gpAxis, name: name, value: value, inputs: in}
	}
	for _, k := range cells {
		src := &readings.Sources{}
		var gp, recorded int64
		for _, m := range mix[k] {
			src.Mix = append(src.Mix, readings.SourceCount{Source: m.source, Referrals: m.n})
			if m.source != "not_recorded" {
				recorded += m.n
			}
			if m.source == "gp" {
				gp = m.n
			}
		}
		var v sql.NullFloat64
		if recorded >= readings.MinBase { // the share its reading interprets
			v = sql.NullFloat64{Float64: float64(gp) / float64(recorded), Valid: true}
		}
		out = append(out, mk(k, "gp_referral_share", v, readings.Inputs{Sources: src}))
	}

	err = forEachRowOf(ctx, tx, "practices_referring", func(rows *sql.Rows) error {
		var k cell
		var referring, practices int64
		var basis sql.NullString
		if err := rows.Scan(&k.scheme, &k.period, &referring, &practices, &basis); err != nil {
			return err
		}
		var v sql.NullFloat64
		if practices > 0 {
			v = sql.NullFloat64{Float64: float64(referring) / float64(practices), Valid: true}
		}
		out = append(out, mk(k, "share_practices_referring", v, readings.Inputs{Practices: &readings.Practices{
			Period: k.period, Referring: referring, Practices: practices, Basis: basis.String}}))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading practices referring: %w", err)
	}

	err = forEachRowOf(ctx, tx, "practice_funnels", func(rows *sql.Rows) error {
		var k cell
		var measure string
		var high, low any // lists of practice codes
		var plotted, outliers int64
		var baseline sql.NullFloat64
		if err := rows.Scan(&k.scheme, &k.period, &measure, &plotted, &outliers, &high, &low, &baseline); err != nil {
			return err
		}
		v := sql.NullFloat64{Float64: float64(outliers), Valid: plotted > 0}
		f := &readings.Funnel{Measure: measure, WindowDays: int64(p.WindowContacted), Judged: plotted, Outliers: outliers,
			High: strs(high), Low: strs(low), Average: fptr(baseline)}
		out = append(out, mk(k, "funnel_outliers_"+measure, v, readings.Inputs{Funnel: f}))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading practice funnels: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].scheme != out[j].scheme {
			return out[i].scheme < out[j].scheme
		}
		return out[i].period < out[j].period
	})
	return out, nil
}

// strs is a DuckDB list of strings as scanned.
func strs(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// forEachRowOf runs the query queries/name.sql and calls scan for each row.
func forEachRowOf(ctx context.Context, tx model.Execer, name string, scan func(*sql.Rows) error) error {
	q, err := model.Statement(files, name)
	if err != nil {
		return err
	}
	return model.ForEachRow(ctx, tx, q, scan)
}
