package equity

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms/model"
)

// equity_summary (design §4): per scheme × period × dimension × measure, the summary
// statistics over equity_strata: SII/RII, concentration indices, gap and ratio, Core20
// share and the verdict (ordered IMD strata), or the highest/lowest ratio (unordered
// dimensions). The statistics themselves are package stats'; this file gathers their
// inputs and writes the table. The same model leaves sig_vcs (signals.go).

const (
	measureReach    = "reach"
	measureDNA      = "dna"
	measureGPRate   = "gp_referral_rate"
	measureGPDecl   = "gp_declined"
	dimQuintile     = "imd_quintile"
	dimDecile       = "imd_decile"
	reachMultiplier = 1000.0 // the rates are per 1,000 registered patients
)

// isRate says whether a measure is a rate per 1,000 registered patients (Poisson
// intervals) rather than a proportion: reach, and GP-coded referrals.
func isRate(measure string) bool {
	return measure == measureReach || measure == measureGPRate
}

// isAdverse says whether a higher value of a measure is worse (design §4: no verdict).
func isAdverse(measure string) bool {
	return measure == measureDNA || measure == measureGPDecl
}

// isGP says whether a measure comes from the GP record (design §12), whose excluded
// count is of GP-coded referrals rather than platform referrals.
func isGP(measure string) bool {
	return measure == measureGPRate || measure == measureGPDecl
}

// stratumRow is one equity_strata row as the statistics need it.
type stratumRow struct {
	scheme, period, dimension, stratum, measure string
	num                                         int64
	den                                         sql.NullInt64
	immature                                    int64
	window                                      sql.NullInt64 // follow-up days; NULL for reach
	basis                                       sql.NullString
	ci                                          stats.Interval
	hasCI                                       bool
}

func (r stratumRow) kind() stats.Kind {
	if isRate(r.measure) {
		return stats.Rate
	}
	return stats.Proportion
}

func (r stratumRow) value() float64 {
	v := float64(r.num) / float64(r.den.Int64)
	if isRate(r.measure) {
		v *= reachMultiplier
	}
	return v
}

// cell keys a scheme × period.
type cell struct{ scheme, period string }

// buildSummary is the equity_summary model, which also leaves sig_vcs.
func buildSummary(ctx context.Context, tx model.Execer, env *model.Env) error {
	p := env.Params
	rows, err := readStrata(ctx, tx)
	if err != nil {
		return err
	}
	facts, err := readCellFacts(ctx, tx)
	if err != nil {
		return err
	}
	var summaries []summary
	for _, g := range groupRows(rows) {
		summaries = append(summaries, summarise(g, facts, p))
	}
	if err := writeSummary(ctx, tx, summaries); err != nil {
		return err
	}
	return writeSignals(ctx, tx, summaries, facts, p)
}

// readStrata reads equity_strata in summary order; a stratum with limits (a positive
// denominator) takes part in the statistics.
func readStrata(ctx context.Context, tx model.Execer) ([]stratumRow, error) {
	q, err := model.Statement(files, "summary_strata")
	if err != nil {
		return nil, err
	}
	rs, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("reading equity_strata: %w", err)
	}
	defer rs.Close()
	var out []stratumRow
	for rs.Next() {
		var r stratumRow
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

// cellFacts are per-cell and per-scheme facts the summary needs beyond the strata.
type cellFacts struct {
	excluded      map[cell]int64 // referrals without a usable LSOA
	gpExcluded    map[cell]int64 // GP-coded referrals whose patient's LSOA has no stratum
	popUnmatched  map[cell]int64 // registered patients in LSOAs the edition lacks
	hasPopulation bool
}

func readCellFacts(ctx context.Context, tx model.Execer) (cellFacts, error) {
	f := cellFacts{excluded: map[cell]int64{}, gpExcluded: map[cell]int64{}, popUnmatched: map[cell]int64{}}
	queries := []struct {
		name string
		dst  map[cell]int64
	}{{"summary_excluded", f.excluded}, {"summary_gp_excluded", f.gpExcluded}, {"summary_population_unmatched", f.popUnmatched}}
	for _, qq := range queries {
		q, err := model.Statement(files, qq.name)
		if err != nil {
			return f, err
		}
		rs, err := tx.QueryContext(ctx, q)
		if err != nil {
			return f, fmt.Errorf("reading equity cell facts: %w", err)
		}
		for rs.Next() {
			var c cell
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

// groupRows splits the rows (sorted by scheme, period, dimension, measure, stratum order)
// into one slice per summary row.
func groupRows(rows []stratumRow) [][]stratumRow {
	var out [][]stratumRow
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

// summary is one equity_summary row; NaN floats are stored as NULL.
type summary struct {
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
	ends                                 [2]stratumRow // most and least deprived strata, for readings
	haveEnds                             bool
}

func (s summary) values() []any {
	n := nullable
	return []any{s.scheme, s.period, s.dimension, s.measure,
		n(s.sii), n(s.siiLo), n(s.siiHi), n(s.rii), n(s.riiLo), n(s.riiHi),
		n(s.rci), n(s.rciLo), n(s.rciHi), n(s.aci), n(s.erreygers),
		n(s.gap), n(s.gapLo), n(s.gapHi), n(s.ratio), n(s.ratioLo), n(s.ratioHi),
		n(s.core20), s.excluded, s.verdict, s.reason, s.discordant,
		n(s.maxOverMin), s.maxStratum, s.minStratum, s.strataUsed, s.basis, s.unit, s.popUnmatched}
}

// nullable stores NaN and ±Inf as NULL: an undefined statistic is missing, not a number.
func nullable(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func undefinedSummary(g []stratumRow) summary {
	nan := math.NaN()
	s := summary{scheme: g[0].scheme, period: g[0].period, dimension: g[0].dimension, measure: g[0].measure,
		sii: nan, siiLo: nan, siiHi: nan, rii: nan, riiLo: nan, riiHi: nan, rci: nan, rciLo: nan, rciHi: nan,
		aci: nan, erreygers: nan, gap: nan, gapLo: nan, gapHi: nan, ratio: nan, ratioLo: nan, ratioHi: nan,
		core20: nan, maxOverMin: nan, basis: g[0].basis, unit: "proportion", window: g[0].window.Int64}
	if isRate(g[0].measure) {
		s.unit = "per 1,000 registered patients"
	}
	return s
}

func summarise(g []stratumRow, f cellFacts, p model.Params) summary {
	if g[0].dimension == dimQuintile || g[0].dimension == dimDecile {
		return summariseOrdered(g, f, p)
	}
	return summariseUnordered(g)
}

// summariseOrdered computes the summary measures across IMD strata (1 = most deprived).
func summariseOrdered(g []stratumRow, f cellFacts, p model.Params) summary {
	s := undefinedSummary(g)
	c := cell{g[0].scheme, g[0].period}
	s.excluded = sql.NullInt64{Int64: f.excluded[c], Valid: true}
	if isGP(g[0].measure) {
		s.excluded.Int64 = f.gpExcluded[c]
	}
	kind := g[0].kind()
	pol := stats.Favourable
	if isAdverse(g[0].measure) {
		pol = stats.Adverse
	}
	if g[0].measure == measureReach {
		if !f.hasPopulation {
			s.verdict, s.reason = judge(stats.SIIResult{}, &stats.InsufficientDataError{Reason: "no population file"}, pol, g, p)
			return s
		}
		s.popUnmatched = sql.NullInt64{Int64: f.popUnmatched[c], Valid: true}
	}
	strata := make([]stats.Stratum, len(g))
	var numTotal, denTotal, numCore, denCore float64
	for j, r := range g {
		st := stats.Stratum{Label: stratumLabel(r), Numerator: float64(r.num)}
		if r.hasCI {
			st.Denominator, st.Value, st.CI = float64(r.den.Int64), r.value(), r.ci
			s.strataUsed++
			numTotal += st.Numerator
			denTotal += st.Denominator
			// Core20 is quintile 1, which is deciles 1 and 2
			if r.stratum == "1" || (r.dimension == dimDecile && r.stratum == "2") {
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
	if g[0].measure == measureReach && denTotal == 0 {
		siiErr = &stats.InsufficientDataError{Reason: "no registered population for the catchment's practices in the population file"}
	}
	if g[0].measure == measureGPRate && denTotal == 0 {
		siiErr = &stats.InsufficientDataError{Reason: "no one on the GP registered list of the scheme's practices"}
	}
	ci, ciErr := stats.Concentration(strata, kind)
	if ciErr == nil {
		scale := 1.0
		if kind == stats.Rate {
			scale = reachMultiplier
		}
		s.rci, s.rciLo, s.rciHi = ci.RCI, ci.CI.Lower, ci.CI.Upper
		s.aci, s.erreygers = ci.ACI*scale, ci.Erreygers
	}
	if siiErr == nil && ciErr == nil {
		s.discordant = sql.NullBool{Bool: stats.Discordant(res, ci), Valid: true}
	}

	// least vs most deprived: Q5 − Q1 (D10 − D1 for deciles)
	if first, last := g[0], g[len(g)-1]; first.hasCI && last.hasCI {
		s.ends, s.haveEnds = [2]stratumRow{first, last}, true
		if d, ci, err := difference(last, first); err == nil {
			s.gap, s.gapLo, s.gapHi = d, ci.Lower, ci.Upper
		}
		if r, ci, err := quotient(last, first); err == nil {
			s.ratio, s.ratioLo, s.ratioHi = r, ci.Lower, ci.Upper
		}
	}
	if share, err := stats.ShareRatio(numCore, numTotal, denCore, denTotal); err == nil {
		s.core20 = share
	}
	s.verdict, s.reason = judge(res, siiErr, pol, g, p)
	return s
}

// difference is a − b: Newcombe's interval for proportions, MOVER over Poisson limits for the rates.
func difference(a, b stratumRow) (float64, stats.Interval, error) {
	if isRate(a.measure) {
		return stats.RateDifference(a.num, float64(a.den.Int64), b.num, float64(b.den.Int64), reachMultiplier)
	}
	return stats.NewcombeDifference(a.num, a.den.Int64, b.num, b.den.Int64)
}

// quotient is a / b: Katz's log interval for proportions, the rate-ratio one for the rates.
func quotient(a, b stratumRow) (float64, stats.Interval, error) {
	if isRate(a.measure) {
		return stats.RateRatio(a.num, float64(a.den.Int64), b.num, float64(b.den.Int64))
	}
	return stats.KatzRatio(a.num, a.den.Int64, b.num, b.den.Int64)
}

// judge is the design's verdict, with a note when local quantiles were asked for but the
// scheme had no population to rank its catchment with.
func judge(res stats.SIIResult, err error, pol stats.Polarity, g []stratumRow, p model.Params) (string, string) {
	v := stats.Judge(res, err, pol)
	reason := v.Reason
	var immature int64
	for _, r := range g {
		immature += r.immature
	}
	if v.Verdict == stats.VerdictInsufficientData && immature > 0 {
		// often the whole story in a recent period: the referrals are there but too young.
		// No count: reasons are published as they are (equity_strata.immature has it).
		reason += fmt.Sprintf("; some referrals are too recent for the %d-day window", g[0].window.Int64)
	}
	if p.Quantiles == "local" && g[0].basis.Valid && g[0].basis.String == "national" {
		reason += "; local quantiles need registered population for the catchment, so national ones were used"
	}
	return v.Verdict, reason
}

func stratumLabel(r stratumRow) string {
	name := "quintile"
	if r.dimension == dimDecile {
		name = "decile"
	}
	if r.basis.Valid && r.basis.String == "local" {
		name = "local " + name
	}
	return name + " " + r.stratum
}

// unknownStratum reports strata left out of the highest/lowest comparison: "unknown"
// and "not stated" are missing data, not a group of people.
func unknownStratum(s string) bool { return s == "unknown" || s == "not_stated" }

// summariseUnordered gives an unordered dimension (age band, sex, ethnic group) only the
// ratio of its highest to its lowest stratum value; it has no gradient to test.
func summariseUnordered(g []stratumRow) summary {
	s := undefinedSummary(g)
	s.basis = sql.NullString{}
	values := make([]float64, len(g))
	for j, r := range g {
		values[j] = math.NaN()
		if r.hasCI && !unknownStratum(r.stratum) {
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

// writeSummary creates equity_summary (equity_summary.sql) and writes the summaries.
func writeSummary(ctx context.Context, tx model.Execer, summaries []summary) error {
	if err := model.CreateTable(ctx, tx, files, "equity_summary"); err != nil {
		return err
	}
	rows := make([][]any, len(summaries))
	for i, s := range summaries {
		rows[i] = s.values()
	}
	return model.InsertRows(ctx, tx, "equity_summary", len(summary{}.values()), rows)
}
