package transforms

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"

	"github.com/socrx/socrx/stats"
)

// Equity indicators (design §4). int_equity_strata counts every measure's numerator and
// denominator per stratum; the Go models here are the one place the statistics are
// computed: buildStrataLimits gives each stratum its confidence limits
// (int_equity_strata_limits, which equity_strata.sql joins to the counts), and
// buildEquity, over equity_strata, builds equity_summary (SII/RII, concentration
// indices, gap and ratio, Core20 share, verdict) and leaves sig_vcs, the VCS setting's
// rows of archetype_signals.

const (
	eqReach    = "reach"
	eqDNA      = "dna"
	eqQuintile = "imd_quintile"
	eqDecile   = "imd_decile"
	eqPerReach = 1000.0 // reach is people referred per 1,000 registered patients
)

// eqRow is one equity_strata row as the statistics need it.
type eqRow struct {
	scheme, period, dimension, stratum, measure string
	num                                         int64
	den                                         sql.NullInt64
	immature                                    int64
	window                                      sql.NullInt64 // follow-up days; NULL for reach
	basis                                       sql.NullString
	ci                                          stats.Interval
	hasCI                                       bool
}

func (r eqRow) kind() stats.Kind {
	if r.measure == eqReach {
		return stats.Rate
	}
	return stats.Proportion
}

func (r eqRow) value() float64 {
	v := float64(r.num) / float64(r.den.Int64)
	if r.measure == eqReach {
		v *= eqPerReach
	}
	return v
}

// eqCell keys a scheme × period.
type eqCell struct{ scheme, period string }

// buildEquity is the equity_summary model: the summary statistics over equity_strata.
func buildEquity(ctx context.Context, tx Execer, p Params) error {
	rows, err := eqReadStrata(ctx, tx)
	if err != nil {
		return err
	}
	facts, err := eqReadCellFacts(ctx, tx)
	if err != nil {
		return err
	}
	var summaries []eqSummary
	for _, g := range eqGroup(rows) {
		summaries = append(summaries, eqSummarise(g, facts, p))
	}
	if err := eqWriteSummary(ctx, tx, summaries); err != nil {
		return err
	}
	return eqWriteSignals(ctx, tx, summaries, facts, p)
}

// eqReadStrata reads equity_strata in summary order; a stratum with limits (a positive
// denominator) takes part in the statistics.
func eqReadStrata(ctx context.Context, tx Execer) ([]eqRow, error) {
	q := `SELECT scheme_id, period, dimension, stratum, measure, numerator, denominator, immature, window_days,
		quantile_basis, lower, upper
		FROM equity_strata ORDER BY scheme_id, period, dimension, measure, stratum_order, stratum`
	rs, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("reading equity_strata: %w", err)
	}
	defer rs.Close()
	var out []eqRow
	for rs.Next() {
		var r eqRow
		var lower, upper sql.NullFloat64
		if err := rs.Scan(&r.scheme, &r.period, &r.dimension, &r.stratum, &r.measure, &r.num, &r.den,
			&r.immature, &r.window, &r.basis, &lower, &upper); err != nil {
			return nil, fmt.Errorf("reading equity_strata: %w", err)
		}
		r.ci, r.hasCI = stats.Interval{Lower: lower.Float64, Upper: upper.Float64}, lower.Valid
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("reading equity_strata: %w", err)
	}
	return out, nil
}

// buildStrataLimits is the int_equity_strata_limits model: each stratum's 95% interval
// (Wilson, or Poisson for reach) where its denominator is positive.
func buildStrataLimits(ctx context.Context, tx Execer, _ Params) error {
	rs, err := tx.QueryContext(ctx, `SELECT scheme_id, period, dimension, stratum, measure, numerator, denominator
		FROM int_equity_strata WHERE denominator > 0`)
	if err != nil {
		return fmt.Errorf("reading int_equity_strata: %w", err)
	}
	defer rs.Close()
	var out [][]any
	for rs.Next() {
		var r eqRow
		if err := rs.Scan(&r.scheme, &r.period, &r.dimension, &r.stratum, &r.measure, &r.num, &r.den); err != nil {
			return fmt.Errorf("reading int_equity_strata: %w", err)
		}
		if r.measure == eqReach {
			r.ci, err = stats.PoissonRate(r.num, float64(r.den.Int64), eqPerReach)
		} else {
			r.ci, err = stats.Wilson(r.num, r.den.Int64)
		}
		if err != nil {
			return fmt.Errorf("equity_strata %s %s %s %s %s: %w", r.scheme, r.period, r.dimension, r.stratum, r.measure, err)
		}
		out = append(out, []any{r.scheme, r.period, r.dimension, r.stratum, r.measure, r.ci.Lower, r.ci.Upper})
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("reading int_equity_strata: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE int_equity_strata_limits (scheme_id VARCHAR, period VARCHAR,
		dimension VARCHAR, stratum VARCHAR, measure VARCHAR, lower DOUBLE, upper DOUBLE)`); err != nil {
		return fmt.Errorf("creating int_equity_strata_limits: %w", err)
	}
	return insertRows(ctx, tx, "int_equity_strata_limits", 7, out)
}

// eqFacts are per-cell and per-scheme facts the summary needs beyond the strata.
type eqFacts struct {
	excluded      map[eqCell]int64 // referrals without a usable LSOA
	popUnmatched  map[eqCell]int64 // registered patients in LSOAs the edition lacks
	hasPopulation bool
}

func eqReadCellFacts(ctx context.Context, tx Execer) (eqFacts, error) {
	f := eqFacts{excluded: map[eqCell]int64{}, popUnmatched: map[eqCell]int64{}}
	queries := []struct {
		q   string
		dst map[eqCell]int64
	}{
		// lsoa_status is decided once, in int_referrals; matched and mapped referrals are
		// the ones with a deprivation stratum
		{`SELECT CASE WHEN grouping(scheme_id) = 1 THEN 'ALL' ELSE scheme_id END,
			CASE WHEN grouping(period) = 1 THEN 'all' ELSE period END,
			count(*) FILTER (WHERE lsoa_status NOT IN ('matched', 'mapped'))
			FROM int_referrals WHERE referral_date IS NOT NULL
			GROUP BY GROUPING SETS ((scheme_id, period), (scheme_id), (period), ())`, f.excluded},
		{`SELECT scheme_id, period, coalesce(sum(patients) FILTER (WHERE imd_rank IS NULL), 0)
			FROM int_equity_population GROUP BY ALL`, f.popUnmatched},
	}
	for _, qq := range queries {
		rs, err := tx.QueryContext(ctx, qq.q)
		if err != nil {
			return f, fmt.Errorf("reading equity cell facts: %w", err)
		}
		for rs.Next() {
			var c eqCell
			var n int64
			if err := rs.Scan(&c.scheme, &c.period, &n); err != nil {
				rs.Close()
				return f, fmt.Errorf("reading equity cell facts: %w", err)
			}
			qq.dst[c] = n
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return f, fmt.Errorf("reading equity cell facts: %w", err)
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM population)`).Scan(&f.hasPopulation); err != nil {
		return f, fmt.Errorf("checking population: %w", err)
	}
	return f, nil
}

// eqGroup splits the rows (sorted by scheme, period, dimension, measure, stratum order)
// into one slice per summary row.
func eqGroup(rows []eqRow) [][]eqRow {
	var out [][]eqRow
	start := 0
	for i := 1; i <= len(rows); i++ {
		if i == len(rows) || rows[i].scheme != rows[start].scheme || rows[i].period != rows[start].period ||
			rows[i].dimension != rows[start].dimension || rows[i].measure != rows[start].measure {
			out = append(out, rows[start:i])
			start = i
		}
	}
	return out
}

// eqSummary is one equity_summary row; NaN floats are stored as NULL.
type eqSummary struct {
	scheme, period, dimension, measure   string
	sii, siiLo, siiHi, rii, riiLo, riiHi float64
	rci, rciLo, rciHi, aci, erreygers    float64
	gap, gapLo, gapHi, ratio, ratioLo    float64
	ratioHi, core20                      float64
	excluded                             sql.NullInt64
	verdict, reason                      string
	discordant                           sql.NullBool
	maxOverMin                           float64
	maxStratum, minStratum               sql.NullString
	strataUsed                           int
	basis                                sql.NullString
	unit                                 string
	popUnmatched                         sql.NullInt64
	window                               int64
	ends                                 [2]eqRow // most and least deprived strata, for readings
	haveEnds                             bool
}

func (s eqSummary) values() []any {
	return []any{s.scheme, s.period, s.dimension, s.measure,
		eqNF(s.sii), eqNF(s.siiLo), eqNF(s.siiHi), eqNF(s.rii), eqNF(s.riiLo), eqNF(s.riiHi),
		eqNF(s.rci), eqNF(s.rciLo), eqNF(s.rciHi), eqNF(s.aci), eqNF(s.erreygers),
		eqNF(s.gap), eqNF(s.gapLo), eqNF(s.gapHi), eqNF(s.ratio), eqNF(s.ratioLo), eqNF(s.ratioHi),
		eqNF(s.core20), s.excluded, s.verdict, s.reason, s.discordant,
		eqNF(s.maxOverMin), s.maxStratum, s.minStratum, s.strataUsed, s.basis, s.unit, s.popUnmatched}
}

// eqNF stores NaN and ±Inf as NULL: an undefined statistic is missing, not a number.
func eqNF(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func eqNaNSummary(g []eqRow) eqSummary {
	nan := math.NaN()
	s := eqSummary{scheme: g[0].scheme, period: g[0].period, dimension: g[0].dimension, measure: g[0].measure,
		sii: nan, siiLo: nan, siiHi: nan, rii: nan, riiLo: nan, riiHi: nan, rci: nan, rciLo: nan, rciHi: nan,
		aci: nan, erreygers: nan, gap: nan, gapLo: nan, gapHi: nan, ratio: nan, ratioLo: nan, ratioHi: nan,
		core20: nan, maxOverMin: nan, basis: g[0].basis, unit: "proportion", window: g[0].window.Int64}
	if g[0].measure == eqReach {
		s.unit = "per 1,000 registered patients"
	}
	return s
}

func eqSummarise(g []eqRow, f eqFacts, p Params) eqSummary {
	if g[0].dimension == eqQuintile || g[0].dimension == eqDecile {
		return eqSummariseOrdered(g, f, p)
	}
	return eqSummariseUnordered(g)
}

// eqSummariseOrdered computes the summary measures across IMD strata (1 = most deprived).
func eqSummariseOrdered(g []eqRow, f eqFacts, p Params) eqSummary {
	s := eqNaNSummary(g)
	cell := eqCell{g[0].scheme, g[0].period}
	s.excluded = sql.NullInt64{Int64: f.excluded[cell], Valid: true}
	kind := g[0].kind()
	pol := stats.Favourable
	if g[0].measure == eqDNA {
		pol = stats.Adverse
	}
	if g[0].measure == eqReach {
		if !f.hasPopulation {
			s.verdict, s.reason = eqJudge(stats.SIIResult{}, &stats.InsufficientDataError{Reason: "no population file"}, pol, g, p)
			return s
		}
		s.popUnmatched = sql.NullInt64{Int64: f.popUnmatched[cell], Valid: true}
	}
	strata := make([]stats.Stratum, len(g))
	var numTotal, denTotal, numCore, denCore float64
	for j, r := range g {
		st := stats.Stratum{Label: eqStratumLabel(r), Numerator: float64(r.num)}
		if r.hasCI {
			st.Denominator, st.Value, st.CI = float64(r.den.Int64), r.value(), r.ci
			s.strataUsed++
			numTotal += st.Numerator
			denTotal += st.Denominator
			// Core20 is quintile 1, which is deciles 1 and 2
			if r.stratum == "1" || (r.dimension == eqDecile && r.stratum == "2") {
				numCore += st.Numerator
				denCore += st.Denominator
			}
		}
		strata[j] = st
	}

	res, siiErr := stats.SII(strata, kind)
	if siiErr == nil {
		s.sii, s.siiLo, s.siiHi = res.SII, res.SIICI.Lower, res.SIICI.Upper
		s.rii, s.riiLo, s.riiHi = res.RII, res.RIICI.Lower, res.RIICI.Upper
	}
	if g[0].measure == eqReach && denTotal == 0 {
		siiErr = &stats.InsufficientDataError{Reason: "no registered population for the catchment's practices in the population file"}
	}
	ci, ciErr := stats.Concentration(strata, kind)
	if ciErr == nil {
		scale := 1.0
		if kind == stats.Rate {
			scale = eqPerReach
		}
		s.rci, s.rciLo, s.rciHi = ci.RCI, ci.CI.Lower, ci.CI.Upper
		s.aci, s.erreygers = ci.ACI*scale, ci.Erreygers
	}
	if siiErr == nil && ciErr == nil {
		s.discordant = sql.NullBool{Bool: stats.Discordant(res, ci), Valid: true}
	}

	// least vs most deprived: Q5 − Q1 (D10 − D1 for deciles)
	if first, last := g[0], g[len(g)-1]; first.hasCI && last.hasCI {
		s.ends, s.haveEnds = [2]eqRow{first, last}, true
		if d, ci, err := eqGap(last, first); err == nil {
			s.gap, s.gapLo, s.gapHi = d, ci.Lower, ci.Upper
		}
		if r, ci, err := eqRatio(last, first); err == nil {
			s.ratio, s.ratioLo, s.ratioHi = r, ci.Lower, ci.Upper
		}
	}
	if share, err := stats.ShareRatio(numCore, numTotal, denCore, denTotal); err == nil {
		s.core20 = share
	}
	s.verdict, s.reason = eqJudge(res, siiErr, pol, g, p)
	return s
}

// eqGap is a − b: Newcombe's interval for proportions, MOVER over Poisson limits for reach.
func eqGap(a, b eqRow) (float64, stats.Interval, error) {
	if a.measure == eqReach {
		return stats.RateDifference(a.num, float64(a.den.Int64), b.num, float64(b.den.Int64), eqPerReach)
	}
	return stats.NewcombeDifference(a.num, a.den.Int64, b.num, b.den.Int64)
}

// eqRatio is a / b: Katz's log interval for proportions, the rate-ratio one for reach.
func eqRatio(a, b eqRow) (float64, stats.Interval, error) {
	if a.measure == eqReach {
		return stats.RateRatio(a.num, float64(a.den.Int64), b.num, float64(b.den.Int64))
	}
	return stats.KatzRatio(a.num, a.den.Int64, b.num, b.den.Int64)
}

// eqJudge is the design's verdict, with a note when local quantiles were asked for but the
// scheme had no population to rank its catchment with.
func eqJudge(res stats.SIIResult, err error, pol stats.Polarity, g []eqRow, p Params) (string, string) {
	v := stats.Judge(res, err, pol)
	reason := v.Reason
	var immature int64
	for _, r := range g {
		immature += r.immature
	}
	if v.Verdict == stats.VerdictInsufficientData && immature > 0 {
		// often the whole story in a recent period: the referrals are there but too young
		reason += fmt.Sprintf("; %s too recent for the %d-day window", strings.ToLower(eqCountText(immature, "referral")),
			g[0].window.Int64)
	}
	if p.Quantiles == "local" && g[0].basis.Valid && g[0].basis.String == "national" {
		reason += "; local quantiles need registered population for the catchment, so national ones were used"
	}
	return v.Verdict, reason
}

func eqStratumLabel(r eqRow) string {
	name := "quintile"
	if r.dimension == eqDecile {
		name = "decile"
	}
	if r.basis.Valid && r.basis.String == "local" {
		name = "local " + name
	}
	return name + " " + r.stratum
}

// eqUnknownStratum reports strata left out of the highest/lowest comparison: "unknown"
// and "not stated" are missing data, not a group of people.
func eqUnknownStratum(s string) bool { return s == "unknown" || s == "not_stated" }

// eqSummariseUnordered gives an unordered dimension (age band, sex, ethnic group) only the
// ratio of its highest to its lowest stratum value; it has no gradient to test.
func eqSummariseUnordered(g []eqRow) eqSummary {
	s := eqNaNSummary(g)
	s.basis = sql.NullString{}
	values := make([]float64, len(g))
	for j, r := range g {
		values[j] = math.NaN()
		if r.hasCI && !eqUnknownStratum(r.stratum) {
			values[j] = r.value()
			s.strataUsed++
		}
	}
	s.verdict = stats.VerdictNotApplicable
	s.reason = "unordered dimension: highest/lowest ratio only (no gradient to test)"
	if hi, lo, ratio, ok := stats.Extremes(values); ok {
		s.maxStratum = sql.NullString{String: g[hi].stratum, Valid: true}
		s.minStratum = sql.NullString{String: g[lo].stratum, Valid: true}
		s.maxOverMin = ratio // +Inf (stored NULL) when the lowest is 0
	}
	return s
}

// eqSummaryColumns is equity_summary's DDL: the design §8 columns, then ours.
func eqSummaryColumns() []string {
	return []string{
		"scheme_id VARCHAR", "period VARCHAR", "dimension VARCHAR", "measure VARCHAR",
		"sii DOUBLE", "sii_lower DOUBLE", "sii_upper DOUBLE", "rii DOUBLE", "rii_lower DOUBLE", "rii_upper DOUBLE",
		"rci DOUBLE", "rci_lower DOUBLE", "rci_upper DOUBLE", "aci DOUBLE", "erreygers DOUBLE",
		"q5_minus_q1 DOUBLE", "q5_minus_q1_lower DOUBLE", "q5_minus_q1_upper DOUBLE",
		"q5_over_q1 DOUBLE", "q5_over_q1_lower DOUBLE", "q5_over_q1_upper DOUBLE",
		"core20_share_ratio DOUBLE", "excluded_no_lsoa BIGINT", "verdict VARCHAR", "verdict_reason VARCHAR",
		"discordant BOOLEAN", "max_over_min DOUBLE", "max_stratum VARCHAR", "min_stratum VARCHAR",
		"strata_used INTEGER", "quantile_basis VARCHAR", "unit VARCHAR", "population_unmatched BIGINT",
	}
}

func eqWriteSummary(ctx context.Context, tx Execer, summaries []eqSummary) error {
	cols := eqSummaryColumns()
	ddl := "CREATE OR REPLACE TABLE equity_summary (" + strings.Join(cols, ", ") + ")"
	if _, err := tx.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("creating equity_summary: %w", err)
	}
	rows := make([][]any, len(summaries))
	for i, s := range summaries {
		rows[i] = s.values()
	}
	return insertRows(ctx, tx, "equity_summary", len(cols), rows)
}

// Signals --------------------------------------------------------------------------------

const (
	eqSetting = "vcs"
	eqAxis    = "redistributive_vs_non_redistributive"
)

// eqWriteSignals leaves sig_vcs for archetype_signals: per scheme × period, the SII of
// each favourable measure across IMD quintiles with a reading that quotes its numbers.
func eqWriteSignals(ctx context.Context, tx Execer, summaries []eqSummary, f eqFacts, p Params) error {
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE sig_vcs (scheme_id VARCHAR, period VARCHAR,
		setting VARCHAR, axis VARCHAR, signal VARCHAR, value DOUBLE, lower DOUBLE, upper DOUBLE, reading VARCHAR)`); err != nil {
		return fmt.Errorf("creating sig_vcs: %w", err)
	}
	var rows [][]any
	for _, s := range summaries {
		if s.dimension != eqQuintile || s.measure == eqDNA {
			continue
		}
		rows = append(rows, []any{s.scheme, s.period, eqSetting, eqAxis, "sii_" + s.measure,
			eqNF(s.sii), eqNF(s.siiLo), eqNF(s.siiHi), eqReading(s, f, p)})
	}
	return insertRows(ctx, tx, "sig_vcs", 9, rows)
}

// eqMeasureText names a measure in a reading.
func eqMeasureText(measure string, window int64, p Params) string {
	switch measure {
	case "contacted":
		return fmt.Sprintf("Contact with a link worker within %d days", window)
	case "engaged":
		return fmt.Sprintf("Engagement (%d or more link-worker contacts within %d days)", p.EngagedMinContacts, window)
	case "vcs_uptake":
		return fmt.Sprintf("Uptake of a VCS activity within %d days", window)
	case eqReach:
		return "Reach (people referred per 1,000 registered patients)"
	}
	return measure
}

// eqReading is the plain-English reading of a VCS signal. Counts quoted in free text
// cannot be reached by the reports' disclosure control later, so they are published as
// design §6 would publish them, and values are worked from the rounded counts.
func eqReading(s eqSummary, f eqFacts, p Params) string {
	var b strings.Builder
	b.WriteString(eqMeasureText(s.measure, s.window, p))
	fifth := "fifth"
	if s.basis.Valid && s.basis.String == "local" {
		fifth = "local fifth"
	}
	switch s.verdict {
	case stats.VerdictRedistributive:
		b.WriteString(" rose with deprivation")
	case stats.VerdictNonRedistributive:
		b.WriteString(" fell with deprivation")
	case stats.VerdictNoClearGradient:
		b.WriteString(" showed no clear gradient by deprivation")
	}
	if s.haveEnds {
		b.WriteString(": " + eqEndsText(s, fifth))
	}
	if !math.IsNaN(s.sii) {
		fmt.Fprintf(&b, "; SII %s (95%% CI %s to %s)", eqNum(s.sii), eqNum(s.siiLo), eqNum(s.siiHi))
	}
	b.WriteString(". ")
	switch s.verdict {
	case stats.VerdictRedistributive:
		b.WriteString("Uptake is higher where need is higher, the redistributive pattern. ")
	case stats.VerdictNonRedistributive:
		b.WriteString("Uptake is lower where need is higher, the inverse care law (non-redistributive) pattern. ")
	case stats.VerdictNoClearGradient:
		b.WriteString("The interval includes no gradient at all, so neither pattern is shown. ")
	default:
		b.WriteString("Not judged: " + s.reason + ". ")
	}
	if s.discordant.Valid && s.discordant.Bool {
		fmt.Fprintf(&b, "The concentration index (%s, 95%% CI %s to %s) tells a different story, so read this with care. ",
			eqNum(s.rci), eqNum(s.rciLo), eqNum(s.rciHi))
	}
	if n := f.excluded[eqCell{s.scheme, s.period}]; n > 0 {
		fmt.Fprintf(&b, "%s without a usable LSOA %s left out. ", eqCountText(n, "referral"), eqWere(n))
	}
	b.WriteString("This is one signal among many tests, not a verdict on the scheme.")
	return b.String()
}

// eqEndsText compares the most and least deprived fifths from published (rounded) counts.
func eqEndsText(s eqSummary, fifth string) string {
	most, least := s.ends[0], s.ends[1]
	mv, mok := eqPublishedValue(most)
	lv, lok := eqPublishedValue(least)
	if !mok || !lok {
		return fmt.Sprintf("too few people in the most or least deprived %s to quote their values", fifth)
	}
	return fmt.Sprintf("%s in the most deprived %s vs %s in the least", mv, fifth, lv)
}

// eqPublishedValue is a stratum's value worked from counts rounded as reports publish them;
// ok is false when either count would be suppressed.
func eqPublishedValue(r eqRow) (string, bool) {
	num, nok := eqPublishedCount(r.num)
	den, dok := eqPublishedCount(r.den.Int64)
	if !nok || !dok || den == 0 {
		return "", false
	}
	v := float64(num) / float64(den)
	if r.measure == eqReach {
		return fmt.Sprintf("%.1f per 1,000", v*eqPerReach), true
	}
	return fmt.Sprintf("%.0f%%", 100*v), true
}

// eqPublishedCount applies design §6 to a count: 0 stays 0, 1–7 is suppressed, ≥ 8 is
// rounded to the nearest 5.
func eqPublishedCount(n int64) (int64, bool) {
	switch {
	case n == 0:
		return 0, true
	case n < 8:
		return 0, false
	}
	return int64(math.Round(float64(n)/5) * 5), true
}

func eqCountText(n int64, noun string) string {
	r, ok := eqPublishedCount(n)
	if !ok {
		return "Fewer than 8 " + noun + "s"
	}
	return fmt.Sprintf("About %d %ss", r, noun)
}

func eqWere(n int64) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// eqNum formats a statistic for a reading with a true minus sign.
func eqNum(v float64) string {
	var s string
	switch a := math.Abs(v); {
	case a >= 0.1:
		s = fmt.Sprintf("%.2f", v)
	case a >= 0.001:
		s = fmt.Sprintf("%.2g", v)
	default:
		// a fitted slope of exactly nothing comes out as ±1e-17; it reads as zero
		return "0.00"
	}
	return strings.Replace(s, "-", "\u2212", 1)
}
