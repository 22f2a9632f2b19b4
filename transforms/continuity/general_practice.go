package continuity

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

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

// gpMixSQL counts referrals by source per scheme (and ALL) × period (and all).
const gpMixSQL = `
SELECT
    CASE WHEN grouping(scheme_id) = 1 THEN 'ALL' ELSE scheme_id END AS g_scheme,
    CASE WHEN grouping(period) = 1 THEN 'all' ELSE period END AS g_period,
    coalesce(nullif(trim(referral_source), ''), 'not_recorded') AS source,
    count(*) AS n
FROM episode_metrics
GROUP BY GROUPING SETS ((scheme_id, period, source), (scheme_id, source), (period, source), (source))
ORDER BY g_scheme, g_period, n DESC, source
`

// gpPracticesSQL gives the share of a scheme's practices that referred in each period.
// The denominator (the scheme's practices) is the list configured for it; for a scheme
// without one, the practices that referred to it at any time in the data, which cannot
// count practices that never referred. ALL uses the union of the schemes' denominators.
const gpPracticesSQL = `
WITH refs AS (
    SELECT DISTINCT scheme_id, period, upper(trim(practice_code)) AS practice_code
    FROM episode_metrics
),
configured AS (
    SELECT DISTINCT scheme_id, upper(trim(practice_code)) AS practice_code FROM cfg_scheme_practices
),
catchment AS (
    SELECT scheme_id, practice_code, 'configured' AS basis FROM configured
    UNION
    SELECT DISTINCT scheme_id, practice_code, 'referred_any_period'
    FROM refs
    WHERE scheme_id NOT IN (SELECT scheme_id FROM configured)
),
cells AS (
    SELECT DISTINCT scheme_id, period FROM refs
    UNION SELECT DISTINCT scheme_id, 'all' FROM refs
    UNION SELECT DISTINCT 'ALL', period FROM refs
    UNION SELECT 'ALL', 'all' FROM refs
),
referring AS (
    SELECT scheme_id, period, practice_code FROM refs
    UNION SELECT scheme_id, 'all', practice_code FROM refs
    UNION SELECT 'ALL', period, practice_code FROM refs
    UNION SELECT 'ALL', 'all', practice_code FROM refs
),
catchment_all AS (
    SELECT scheme_id, practice_code, basis FROM catchment
    UNION
    SELECT 'ALL', practice_code, NULL FROM catchment
)
SELECT
    c.scheme_id,
    c.period,
    count(DISTINCT k.practice_code) FILTER (WHERE r.practice_code IS NOT NULL) AS referring,
    count(DISTINCT k.practice_code) AS practices,
    CASE WHEN c.scheme_id = 'ALL' THEN
        CASE WHEN (SELECT count(DISTINCT basis) FROM catchment) > 1 THEN 'mixed'
             ELSE (SELECT min(basis) FROM catchment) END
    ELSE min(k.basis) END AS basis
FROM cells c
JOIN catchment_all k ON k.scheme_id = c.scheme_id
LEFT JOIN referring r ON r.scheme_id = c.scheme_id AND r.period = c.period AND r.practice_code = k.practice_code
GROUP BY c.scheme_id, c.period
ORDER BY c.scheme_id, c.period
`

// gpFunnelSQL summarises the practice funnels per scheme × period × measure, counting the
// one flag int_practice_funnel decided on the unrounded counts. Reports do not republish
// this count or its reading (which names every flagged practice, for researchers inside
// the secure environment): they count and name only the flags their tables publish
// (reports/practice.go, design §5).
const gpFunnelSQL = `
SELECT scheme_id, period, measure,
    count(*) FILTER (WHERE lower998 IS NOT NULL) AS plotted,
    count(*) FILTER (WHERE outlier) AS outliers,
    coalesce(string_agg(practice_code, ', ' ORDER BY practice_code) FILTER (WHERE outlier AND value > upper998), '') AS high,
    coalesce(string_agg(practice_code, ', ' ORDER BY practice_code) FILTER (WHERE outlier AND value < lower998), '') AS low,
    any_value(baseline) AS baseline
FROM practice_variation
GROUP BY scheme_id, period, measure
ORDER BY scheme_id, period, measure
`

type cell struct{ scheme, period string }

type sourceN struct {
	source string
	n      int64
}

func generalPracticeSignals(ctx context.Context, tx model.Execer, p model.Params) ([]signal, error) {
	mix := map[cell][]sourceN{}
	var cells []cell
	err := model.ForEachRow(ctx, tx, gpMixSQL, func(rows *sql.Rows) error {
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
	mk := func(k cell, name string, value sql.NullFloat64, reading string) signal {
		return signal{scheme: k.scheme, period: k.period, setting: gpSetting, axis: gpAxis, name: name, value: value, reading: reading}
	}
	for _, k := range cells {
		v, reading := gpShareReading(mix[k])
		out = append(out, mk(k, "gp_referral_share", v, reading))
	}

	err = model.ForEachRow(ctx, tx, gpPracticesSQL, func(rows *sql.Rows) error {
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
		out = append(out, mk(k, "share_practices_referring", v, practicesReading(k, referring, practices, basis.String)))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading practices referring: %w", err)
	}

	err = model.ForEachRow(ctx, tx, gpFunnelSQL, func(rows *sql.Rows) error {
		var k cell
		var measure, high, low string
		var plotted, outliers int64
		var baseline sql.NullFloat64
		if err := rows.Scan(&k.scheme, &k.period, &measure, &plotted, &outliers, &high, &low, &baseline); err != nil {
			return err
		}
		v := sql.NullFloat64{Float64: float64(outliers), Valid: plotted > 0}
		out = append(out, mk(k, "funnel_outliers_"+measure, v, funnelReading(measure, p.WindowContacted, plotted, outliers, high, low, baseline)))
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
