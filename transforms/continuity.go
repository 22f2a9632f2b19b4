package transforms

// Continuity and link-worker metrics (design §5): per-episode continuity indices, the
// scheme summaries with Kaplan–Meier time to first contact, cap heaping, practice
// variation with funnel limits, and the link-worker and general-practice archetype signals.
// episode_metrics and int_continuity_caps (sql/episodes) are built by the episode_metrics
// Go model (episodes.go), which the continuity marts read.

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/socrx/socrx/stats"
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
func buildContinuityKM(ctx context.Context, tx Execer, _ Params) error {
	counts := map[kmCell][]stats.TimeCount{}
	var order []kmCell
	err := forEachRow(ctx, tx, kmCountsSQL, func(rows *sql.Rows) error {
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
	return insertRows(ctx, tx, "int_continuity_km", 5, out)
}

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
func buildRateIntervals(ctx context.Context, tx Execer, _ Params) error {
	var out [][]any
	err := forEachRow(ctx, tx, rateCountsSQL, func(rows *sql.Rows) error {
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
	return insertRows(ctx, tx, "int_continuity_rate_ci", 4, out)
}

// funnelRow is one practice_variation row as the funnel needs it.
type funnelRow struct {
	scheme, period, practice, measure string
	num                               int64
	den                               sql.NullInt64
}

// rateMultiplier expresses referral rates per 1,000 registered patients.
const referralRateMultiplier = 1000

// buildPracticeFunnel is the int_practice_funnel model: funnel limits around each scheme
// × period × measure average (the pooled value: sum of numerators over sum of
// denominators, as PHE's av), and the flag of practices outside the 99.8% limits, for
// practice_variation.sql to join to the counts.
func buildPracticeFunnel(ctx context.Context, tx Execer, _ Params) error {
	var all []funnelRow
	type key struct{ scheme, period, measure string }
	type sums struct{ num, den int64 }
	pooled := map[key]*sums{}
	err := forEachRow(ctx, tx, `SELECT scheme_id, period, practice_code, measure, numerator, denominator
		FROM int_practice_variation`, func(rows *sql.Rows) error {
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
		case "contacted":
			lim = stats.ProportionFunnel(n, av)
			value, baseline = float64(r.num)/n, av
		case "referral_rate":
			lim = stats.RateFunnel(n, av, referralRateMultiplier)
			value, baseline = float64(r.num)/n*referralRateMultiplier, av*referralRateMultiplier
		default:
			return fmt.Errorf("practice_variation measure %q has no funnel", r.measure)
		}
		out = append(out, []any{r.scheme, r.period, r.practice, r.measure, baseline,
			lim.Lower95, lim.Upper95, lim.Lower998, lim.Upper998, lim.Outside(value), lim.Significance(value)})
	}
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE int_practice_funnel
		(scheme_id VARCHAR, period VARCHAR, practice_code VARCHAR, measure VARCHAR, baseline DOUBLE,
		 lower95 DOUBLE, upper95 DOUBLE, lower998 DOUBLE, upper998 DOUBLE, outlier BOOLEAN, significance VARCHAR)`); err != nil {
		return fmt.Errorf("creating int_practice_funnel: %w", err)
	}
	return insertRows(ctx, tx, "int_practice_funnel", 11, out)
}

// Signals ------------------------------------------------------------------------------

// lwSignal is one archetype_signals row (link-worker or general-practice setting).
type lwSignal struct {
	scheme, period, setting, axis, name string
	value, lower, upper                 sql.NullFloat64
	reading                             string
}

func (s lwSignal) row() []any {
	return []any{s.scheme, s.period, s.setting, s.axis, s.name, s.value, s.lower, s.upper, s.reading}
}

const (
	lwSetting = "link_workers"
	lwAxis    = "relational_vs_transactional"
	gpSetting = "general_practice"
	gpAxis    = "holistic_vs_fragmental"
)

// buildContinuitySignals leaves sig_link_workers and sig_general_practice for the
// archetype_signals model: one row per scheme × period × signal, each with a reading that
// quotes the numbers it rests on and says what they cannot show.
func buildContinuitySignals(ctx context.Context, tx Execer, p Params) error {
	lw, err := linkWorkerSignals(ctx, tx, p)
	if err != nil {
		return err
	}
	gp, err := generalPracticeSignals(ctx, tx, p)
	if err != nil {
		return err
	}
	for _, t := range []struct {
		name string
		sigs []lwSignal
	}{{"sig_link_workers", lw}, {"sig_general_practice", gp}} {
		if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+quoteIdent(t.name)+`
			(scheme_id VARCHAR, period VARCHAR, setting VARCHAR, axis VARCHAR, signal VARCHAR,
			 value DOUBLE, lower DOUBLE, upper DOUBLE, reading VARCHAR)`); err != nil {
			return fmt.Errorf("creating %s: %w", t.name, err)
		}
		rows := make([][]any, len(t.sigs))
		for i, s := range t.sigs {
			rows[i] = s.row()
		}
		if err := insertRows(ctx, tx, t.name, 9, rows); err != nil {
			return err
		}
	}
	return nil
}

// continuityRow is the part of a continuity_summary row the link-worker signals read.
type continuityRow struct {
	scheme, period                                    string
	episodes, episodesN2                              int64
	meanCOC, cocLower, cocUpper, meanUPC, meanSECON   sql.NullFloat64
	handoffRate                                       sql.NullFloat64
	handoffs, pairs                                   int64
	missingShare                                      sql.NullFloat64
	cap                                               sql.NullInt64
	capSource                                         sql.NullString
	closedContacted, atCap, belowCap, nextAbove       int64
	aboveShare, heapingRatio                          sql.NullFloat64
	heapingDetected                                   sql.NullBool
	medianDays, p90Days                               sql.NullInt64
	kmReferrals                                       int64
	reRef90, retention                                sql.NullFloat64
	reRef90Eligible, retentionEligible, reRef90Events int64
	// counts behind shares that readings quote, so they can be worked from published values
	noWorker, contacts, aboveCap, retained int64
}

func linkWorkerSignals(ctx context.Context, tx Execer, p Params) ([]lwSignal, error) {
	rows, err := tx.QueryContext(ctx, `SELECT scheme_id, period, episodes, episodes_n2,
		mean_coc, mean_coc_lower, mean_coc_upper, mean_upc, mean_secon,
		handoff_rate, handoffs, worker_pairs, missing_worker_share,
		cap, cap_source, closed_contacted_episodes, coalesce(episodes_at_cap, 0), coalesce(episodes_at_cap_minus_1, 0),
		coalesce(episodes_at_cap_plus_1, 0), share_above_cap, heaping_ratio, cap_heaping_detected,
		median_days_to_first_contact, p90_days_to_first_contact, km_referrals,
		re_referral_rate_90d, same_worker_retention, re_referral_eligible_90d, retention_eligible,
		re_referred_90d_episodes, contacts_without_worker, contacts, coalesce(episodes_above_cap, 0), retained_episodes
		FROM continuity_summary WHERE stratum = 'all' ORDER BY scheme_id, period`)
	if err != nil {
		return nil, fmt.Errorf("reading continuity_summary: %w", err)
	}
	defer rows.Close()
	var out []lwSignal
	dataEnd := p.DataEnd.Format("2006-01-02")
	for rows.Next() {
		var r continuityRow
		if err := rows.Scan(&r.scheme, &r.period, &r.episodes, &r.episodesN2,
			&r.meanCOC, &r.cocLower, &r.cocUpper, &r.meanUPC, &r.meanSECON,
			&r.handoffRate, &r.handoffs, &r.pairs, &r.missingShare,
			&r.cap, &r.capSource, &r.closedContacted, &r.atCap, &r.belowCap,
			&r.nextAbove, &r.aboveShare, &r.heapingRatio, &r.heapingDetected,
			&r.medianDays, &r.p90Days, &r.kmReferrals,
			&r.reRef90, &r.retention, &r.reRef90Eligible, &r.retentionEligible, &r.reRef90Events,
			&r.noWorker, &r.contacts, &r.aboveCap, &r.retained); err != nil {
			return nil, fmt.Errorf("reading continuity_summary: %w", err)
		}
		mk := func(name string, value, lower, upper sql.NullFloat64, reading string) lwSignal {
			return lwSignal{scheme: r.scheme, period: r.period, setting: lwSetting, axis: lwAxis,
				name: name, value: value, lower: lower, upper: upper, reading: reading}
		}
		none := sql.NullFloat64{}
		out = append(out,
			mk("mean_coc", r.meanCOC, r.cocLower, r.cocUpper, cocReading(r)),
			mk("handoff_rate", r.handoffRate, none, none, handoffReading(r)),
			mk("cap_heaping_ratio", r.heapingRatio, none, none, heapingReading(r)),
			mk("cap_heaping_detected", nullBoolValue(r.heapingDetected), none, none, heapingDetectedReading(r)),
			mk("median_days_to_first_contact", nullIntValue(r.medianDays), none, none, firstContactReading(r, dataEnd)),
			mk("re_referral_rate_90d", r.reRef90, none, none, reReferralReading(r)),
			mk("same_worker_retention", r.retention, none, none, retentionReading(r)),
		)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading continuity_summary: %w", err)
	}
	return out, nil
}

// roundedCount writes a count of people or events the way reports may publish it (1–7
// as "fewer than 8", otherwise rounded to 5): a reading is free text that disclosure
// control cannot reach into later. Practice counts are not about people and stay exact.
func roundedCount(n int64) string {
	r, ok := eqPublishedCount(n)
	switch {
	case !ok:
		return "fewer than 8"
	case r == 0:
		return "no"
	default:
		return "about " + withThousands(r)
	}
}

// minReadingBase is the smallest base a reading interprets; below it, it says so instead.
const minReadingBase = 8

func withThousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func pctText(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) }

// pctOfText is an exact share, for counts that are not of people (practices).
func pctOfText(num, den int64) string {
	if den == 0 {
		return "–"
	}
	return pctText(float64(num) / float64(den))
}

// publishedPct is a share of people or events as reports may publish it (design §6):
// worked from the rounded counts, and withheld when either count would be suppressed.
// A reading is free text that disclosure control cannot reach into later.
func publishedPct(num, den int64, decimals int) string {
	n, nok := eqPublishedCount(num)
	d, dok := eqPublishedCount(den)
	if !nok || !dok || d == 0 {
		return "an undisclosed share"
	}
	return fmt.Sprintf("%.*f%%", decimals, 100*float64(n)/float64(d))
}

func nullBoolValue(b sql.NullBool) sql.NullFloat64 {
	if !b.Valid {
		return sql.NullFloat64{}
	}
	if b.Bool {
		return sql.NullFloat64{Float64: 1, Valid: true}
	}
	return sql.NullFloat64{Float64: 0, Valid: true}
}

func nullIntValue(i sql.NullInt64) sql.NullFloat64 {
	return sql.NullFloat64{Float64: float64(i.Int64), Valid: i.Valid}
}

func cocReading(r continuityRow) string {
	if r.episodesN2 < minReadingBase || !r.meanCOC.Valid {
		return fmt.Sprintf("Continuity cannot be read: %s episodes had 2 or more contacts with a recorded link worker.",
			roundedCount(r.episodesN2))
	}
	s := fmt.Sprintf("Mean continuity of care (Bice–Boxerman COC) was %.2f (95%% CI %.2f–%.2f) over %s episodes "+
		"with 2 or more contacts with a recorded link worker (UPC %.2f, SECON %.2f; 1 = always the same worker, "+
		"0 = never the same worker twice).",
		r.meanCOC.Float64, r.cocLower.Float64, r.cocUpper.Float64, roundedCount(r.episodesN2),
		r.meanUPC.Float64, r.meanSECON.Float64)
	if r.noWorker > 0 {
		s += fmt.Sprintf(" %s of contacts had no worker recorded and are left out of the indices.", publishedPct(r.noWorker, r.contacts, 0))
	}
	return s + " It cannot show whether a change of worker was the person's choice, a planned hand-over or staff turnover."
}

func handoffReading(r continuityRow) string {
	if r.pairs < minReadingBase || !r.handoffRate.Valid {
		return fmt.Sprintf("Hand-offs cannot be read: %s pairs of consecutive contacts had a recorded link worker.", roundedCount(r.pairs))
	}
	return fmt.Sprintf("%s of consecutive contacts with a recorded link worker changed worker (%s hand-offs in %s pairs of contacts). "+
		"Pairs within one episode are not independent, so no interval is given. "+
		"It cannot show whether a hand-off was planned (for example to a specialist worker) or a break in the relationship.",
		publishedPct(r.handoffs, r.pairs, 0), roundedCount(r.handoffs), roundedCount(r.pairs))
}

// capNote says where k came from when it was not configured: a mode is the highest bar
// by construction, so its ratio leans upwards.
func capNote(r continuityRow) string {
	if r.capSource.String == "configured" {
		return ""
	}
	return fmt.Sprintf(" No cap is configured: %d is the most common count among closed episodes with 3 or more contacts, "+
		"which biases the ratio upwards.", r.cap.Int64)
}

func heapingEvidence(r continuityRow) string {
	k := r.cap.Int64
	s := fmt.Sprintf("%s of closed episodes with a contact ended at exactly %d contacts vs %s at %d and %s at %d",
		publishedPct(r.atCap, r.closedContacted, 0), k, publishedPct(r.belowCap, r.closedContacted, 0), k-1,
		publishedPct(r.nextAbove, r.closedContacted, 0), k+1)
	// the ratio quoted is worked from published counts, so it cannot reveal a small one
	at, aok := eqPublishedCount(r.atCap)
	below, bok := eqPublishedCount(r.belowCap)
	next, nok := eqPublishedCount(r.nextAbove)
	switch {
	case r.belowCap+r.nextAbove == 0:
		s += fmt.Sprintf(" (heaping ratio not defined: none ended at %d or %d", k-1, k+1)
	case !aok || !bok || !nok || below+next == 0:
		s += " (heaping ratio not published: small counts"
	default:
		s += fmt.Sprintf(" (heaping ratio %.1f", float64(at)/(float64(below+next)/2))
	}
	// one decimal: the detection threshold is 2% beyond the cap
	s += fmt.Sprintf("; %s went beyond %d; %s such episodes)", publishedPct(r.aboveCap, r.closedContacted, 1), k, roundedCount(r.closedContacted))
	return s
}

func heapingReading(r continuityRow) string {
	if !r.cap.Valid {
		return "Cap heaping cannot be read: no cap is configured and no closed episode had 3 or more contacts."
	}
	if r.closedContacted < minReadingBase {
		return fmt.Sprintf("Cap heaping cannot be read: %s closed episodes had a contact.", roundedCount(r.closedContacted))
	}
	what := fmt.Sprintf("Session counts around %d", r.cap.Int64)
	if r.capSource.String == "configured" {
		what = fmt.Sprintf("Session counts around the configured cap of %d", r.cap.Int64)
	}
	return fmt.Sprintf("%s: %s. A ratio of 2 or more with under 2%% beyond the cap is the signature of a fixed session cap.%s "+
		"It cannot show whether a cap was a service rule or patient choice.", what, heapingEvidence(r), capNote(r))
}

func heapingDetectedReading(r continuityRow) string {
	if !r.heapingDetected.Valid || r.closedContacted < minReadingBase {
		return heapingReading(r)
	}
	if r.heapingDetected.Bool {
		return fmt.Sprintf("Contacts clustered at %d sessions: %s — the signature of a fixed session cap.%s "+
			"It cannot show whether the cap was a service rule or patient choice.", r.cap.Int64, heapingEvidence(r), capNote(r))
	}
	return fmt.Sprintf("No fixed session cap is evident at %d sessions: %s.%s It cannot rule out a cap applied flexibly "+
		"or at another count.", r.cap.Int64, heapingEvidence(r), capNote(r))
}

func firstContactReading(r continuityRow, dataEnd string) string {
	if r.kmReferrals < minReadingBase {
		return fmt.Sprintf("Time to first contact cannot be read: %s referrals.", roundedCount(r.kmReferrals))
	}
	method := fmt.Sprintf("(Kaplan–Meier over %s referrals; those closed without contact are censored at closure, "+
		"those still open at data_end %s)", roundedCount(r.kmReferrals), dataEnd)
	if !r.medianDays.Valid {
		return fmt.Sprintf("Fewer than half of referrals had a first link-worker contact by the end of follow-up, so the median "+
			"time is not estimable %s. It cannot show why contact was delayed or did not happen.", method)
	}
	s := fmt.Sprintf("Half of referrals had a first link-worker contact within %d days", r.medianDays.Int64)
	if r.p90Days.Valid {
		s += fmt.Sprintf(" and 90%% within %d days", r.p90Days.Int64)
	} else {
		s += "; fewer than 90% were contacted by the end of follow-up, so the 90th percentile is not estimable"
	}
	return s + " " + method + ". It cannot show whether delays came from capacity, from failed attempts to reach people, " +
		"or from people choosing to wait."
}

func reReferralReading(r continuityRow) string {
	if r.reRef90Eligible < minReadingBase || !r.reRef90.Valid {
		return fmt.Sprintf("Re-referral cannot be read: %s episodes ended at least 90 days before data_end.", roundedCount(r.reRef90Eligible))
	}
	return fmt.Sprintf("%s of episodes with 90 days of follow-up after they ended were followed by a new referral of the same "+
		"person to the same scheme within 90 days (%s of %s episodes). Quick re-referral can mean needs were not met, "+
		"or a planned return; the records cannot tell which.",
		publishedPct(r.reRef90Events, r.reRef90Eligible, 0), roundedCount(r.reRef90Events), roundedCount(r.reRef90Eligible))
}

func retentionReading(r continuityRow) string {
	if r.retentionEligible < minReadingBase || !r.retention.Valid {
		return fmt.Sprintf("Same-worker retention cannot be read: %s re-referrals within a year had a recorded worker on both sides.",
			roundedCount(r.retentionEligible))
	}
	return fmt.Sprintf("When people were re-referred within a year, %s first saw the link worker they had last seen before "+
		"(%s re-referrals with a recorded worker on both sides). It cannot show whether the person asked for that worker "+
		"or whether the worker was still in post.", publishedPct(r.retained, r.retentionEligible, 0), roundedCount(r.retentionEligible))
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

type contCell struct{ scheme, period string }

type sourceN struct {
	source string
	n      int64
}

func generalPracticeSignals(ctx context.Context, tx Execer, p Params) ([]lwSignal, error) {
	mix := map[contCell][]sourceN{}
	var cells []contCell
	err := forEachRow(ctx, tx, gpMixSQL, func(rows *sql.Rows) error {
		var k contCell
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
	var out []lwSignal
	mk := func(k contCell, name string, value sql.NullFloat64, reading string) lwSignal {
		return lwSignal{scheme: k.scheme, period: k.period, setting: gpSetting, axis: gpAxis, name: name, value: value, reading: reading}
	}
	for _, k := range cells {
		v, reading := gpShareReading(mix[k])
		out = append(out, mk(k, "gp_referral_share", v, reading))
	}

	err = forEachRow(ctx, tx, gpPracticesSQL, func(rows *sql.Rows) error {
		var k contCell
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

	err = forEachRow(ctx, tx, gpFunnelSQL, func(rows *sql.Rows) error {
		var k contCell
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

// forEachRow runs q and calls scan for each row.
func forEachRow(ctx context.Context, tx Execer, q string, scan func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// referralSourceLabel names a referral source for a reading.
func referralSourceLabel(source string) string {
	switch source {
	case "gp":
		return "GP"
	case "other_primary_care":
		return "other primary care"
	case "secondary_care":
		return "secondary care"
	case "social_care":
		return "social care"
	case "vcs":
		return "VCS"
	default:
		return source // nurse, self, other and unmapped codes read as they are
	}
}

func gpShareReading(mix []sourceN) (sql.NullFloat64, string) {
	var total, recorded, gp, missing int64
	for _, m := range mix {
		total += m.n
		if m.source == "not_recorded" {
			missing = m.n
			continue
		}
		recorded += m.n
		if m.source == "gp" {
			gp = m.n
		}
	}
	if recorded < minReadingBase {
		return sql.NullFloat64{}, fmt.Sprintf("The referral-source mix cannot be read: %s referrals had a recorded source.", roundedCount(recorded))
	}
	var parts []string
	for _, m := range mix {
		if m.source == "gp" || m.source == "not_recorded" {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s", referralSourceLabel(m.source), publishedPct(m.n, recorded, 0)))
	}
	s := fmt.Sprintf("%s of referrals with a recorded source came from GPs", publishedPct(gp, recorded, 0))
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	s += fmt.Sprintf("; %s referrals in all", roundedCount(total))
	if missing > 0 {
		s += fmt.Sprintf(", %s with no source recorded", publishedPct(missing, total, 0))
	}
	return sql.NullFloat64{Float64: float64(gp) / float64(recorded), Valid: true},
		s + ". A high GP share suggests social needs are being picked up in consultations; it cannot show whether GPs kept " +
			"the social context in view after referring (feedback to the referrer is not recorded), nor what share of " +
			"other sources were prompted by the practice."
}

func practicesReading(k contCell, referring, practices int64, basis string) string {
	when := "in " + k.period
	if k.period == "all" {
		when = "over the whole span"
	}
	s := fmt.Sprintf("%d of %d practices (%s) made at least one referral %s. ", referring, practices, pctOfText(referring, practices), when)
	switch basis {
	case "configured":
		s += "Denominator: the practices configured for the scheme."
	case "referred_any_period":
		s += "Denominator: the practices that referred to the scheme at any time in the data; no practice list is " +
			"configured, so practices that never referred are not counted and the share is biased upwards."
	default:
		s += "Denominator: every scheme's practices (its configured list, else the practices that ever referred to it)."
	}
	return s + " A practice that never refers may be holding social needs itself or not engaging with the scheme; " +
		"the records cannot tell which."
}

func funnelReading(measure string, window int, plotted, outliers int64, high, low string, baseline sql.NullFloat64) string {
	what := fmt.Sprintf("contacted proportion (first link-worker contact within %d days of referral)", window)
	avg := ""
	if baseline.Valid {
		avg = pctText(baseline.Float64)
	}
	if measure == "referral_rate" {
		what = "referral rate per 1,000 registered patients"
		if baseline.Valid {
			avg = fmt.Sprintf("%.1f per 1,000", baseline.Float64)
		}
	}
	if plotted == 0 {
		return fmt.Sprintf("No practice had a denominator for the %s, so there is no funnel plot.", what)
	}
	s := fmt.Sprintf("%d of %d practices had a %s outside the 99.8%% funnel limits around the scheme average of %s",
		outliers, plotted, what, avg)
	var who []string
	if high != "" {
		who = append(who, "high: "+high)
	}
	if low != "" {
		who = append(who, "low: "+low)
	}
	if len(who) > 0 {
		s += " (" + strings.Join(who, "; ") + ")"
	}
	return s + ". Funnel limits allow only for chance; variation can reflect list size, case mix and how referrals " +
		"are recorded as much as practice behaviour, and many practices are tested at once."
}
