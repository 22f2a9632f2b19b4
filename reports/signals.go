package reports

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"strings"

	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/readings"
)

// buildSignals publishes the framework's signals (design §1). archetype_signals holds
// values worked from unrounded data, so each value is republished here by its kind:
// model outputs as they are, shares from the published counts behind them, means and
// percentiles subject to their base, practice counts exact (they are not about people).
func (b *builder) buildSignals(ctx context.Context, db *sql.DB, period sql.NamedArg) error {
	rows, err := load(ctx, db, "signals.sql", period)
	if err != nil {
		return err
	}
	t := &Table{Name: "signals", Title: "The three axes of the framework", PerScheme: true,
		Note: "Signals with their 95% intervals where one is meaningful, and what each can and cannot show. They are signals, not a checklist or a score.",
		Columns: []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"setting", "Setting", disclosure.KindText}, {"axis", "Axis", disclosure.KindText},
			{"signal", "Signal", disclosure.KindText}, {"value", "Value", disclosure.KindValue}, {"lower", "Lower 95%", disclosure.KindValue},
			{"upper", "Upper 95%", disclosure.KindValue}, {"reading", "Reading", disclosure.KindText}}}
	for _, row := range rows {
		s, sig := row.str("scheme_id"), row.str("signal")
		v, lo, hi := b.signalValue(s, sig, row)
		reading, err := b.signalReading(s, sig, row)
		if err != nil {
			return err
		}
		t.Rows = append(t.Rows, []*disclosure.Cell{disclosure.Text(s), disclosure.Text(row.str("setting")), disclosure.Text(row.str("axis")), disclosure.Text(sig), v, lo, hi, disclosure.Text(reading)})
	}
	b.r.add(t)
	return nil
}

func (b *builder) signalValue(scheme, sig string, row rec) (v, lo, hi *disclosure.Cell) {
	val, ok := row.num("value")
	l, lok := row.num("lower")
	u, uok := row.num("upper")
	c := b.cont[[2]string{scheme, "all"}]
	raw := b.contRaw[[2]string{scheme, "all"}]
	withCI := func(f func(x float64, ok bool) *disclosure.Cell) (*disclosure.Cell, *disclosure.Cell, *disclosure.Cell) {
		return f(val, ok), f(l, lok), f(u, uok)
	}
	switch {
	case strings.HasPrefix(sig, "outcome_change_"):
		// a mean over people: withheld with its pairs
		var n int64
		if c := b.allPairs(scheme, strings.TrimPrefix(sig, "outcome_change_")); c != nil {
			n = c.row.int("pairs")
		}
		return withCI(func(x float64, ok bool) *disclosure.Cell { return b.p.Summary(x, ok, n, disclosure.FmtDecimal) })
	case strings.HasPrefix(sig, "outcome_gradient_"):
		return withCI(func(x float64, ok bool) *disclosure.Cell { return b.p.Model(x, ok, disclosure.FmtStat) })
	case strings.HasPrefix(sig, "sii_"):
		return withCI(func(x float64, ok bool) *disclosure.Cell { return b.p.Model(x, ok, disclosure.FmtStat) })
	case sig == "mean_coc" && raw != nil:
		n := raw.int("episodes_n2")
		return withCI(func(x float64, ok bool) *disclosure.Cell { return b.p.Summary(x, ok, n, disclosure.FmtDecimal) })
	case sig == "median_days_to_first_contact" && raw != nil:
		return b.p.Summary(val, ok, raw.int("km_referrals"), disclosure.FmtDays), disclosure.Null(), disclosure.Null()
	case sig == "handoff_rate" && c != nil:
		return b.p.Ratio(c.handoffs, c.pairs, 1, disclosure.FmtPercent), disclosure.Null(), disclosure.Null()
	case sig == "re_referral_rate_90d" && c != nil:
		return b.p.Ratio(c.rr90, c.rr90den, 1, disclosure.FmtPercent), disclosure.Null(), disclosure.Null()
	case sig == "re_referral_rate_365d" && c != nil:
		return b.p.Ratio(c.rr365, c.rr365den, 1, disclosure.FmtPercent), disclosure.Null(), disclosure.Null()
	case sig == "same_worker_retention" && c != nil:
		return b.p.Ratio(c.retained, c.retainDen, 1, disclosure.FmtPercent), disclosure.Null(), disclosure.Null()
	case sig == "cap_heaping_ratio" && c != nil:
		return b.p.Derived([]*disclosure.Cell{c.atCap, c.atCapMinus, c.atCapPlus}, disclosure.FmtDecimal, func() (float64, bool) {
			d := float64(c.atCapMinus.N+c.atCapPlus.N) / 2
			return float64(c.atCap.N) / d, c.atCap.Published() && d > 0
		}), disclosure.Null(), disclosure.Null()
	case sig == "cap_heaping_detected":
		// the continuity table's cell: one decision, hidden with its inputs
		return b.heapingFlag(scheme, "all"), disclosure.Null(), disclosure.Null()
	case sig == "gp_referral_share":
		return b.gpShare(scheme), disclosure.Null(), disclosure.Null()
	case sig == "gp_coding_completeness" || sig == "gp_lost_between_sectors":
		return b.linkageShare(row)
	case strings.HasPrefix(sig, "share_practices"):
		return b.p.Model(val, ok, disclosure.FmtPercent), disclosure.Null(), disclosure.Null()
	case strings.HasPrefix(sig, funnelSignal):
		// a number of practices (not of people): those whose published flag is set, so
		// the count is the table's and the chart's, never the mart's unrounded count
		// (which would count practices whose flag the table hides)
		f := b.funnels[[2]string{scheme, strings.TrimPrefix(sig, funnelSignal)}]
		if f == nil || f.judged == 0 {
			return disclosure.Null(), disclosure.Null(), disclosure.Null()
		}
		return disclosure.Plain(int64(f.outliers())), disclosure.Null(), disclosure.Null()
	}
	// A signal this build does not know: publish nothing rather than an unchecked number.
	return &disclosure.Cell{Kind: disclosure.KindValue, Null: true}, disclosure.Null(), disclosure.Null()
}

// funnelSignal prefixes the signals that count a measure's funnel outliers.
const funnelSignal = "funnel_outliers_"

// signalReading is the plain-English reading published beside a signal, composed from
// the signal's inputs under this report's policy (package readings). Readings that rest
// on a flag follow the flag: the funnel reading counts the published flags, and the
// cap-heaping readings are withheld with the flag, so no reading says what its table
// hides.
func (b *builder) signalReading(scheme, sig string, row rec) (string, error) {
	in, err := readings.Parse(row.str("inputs"))
	if err != nil {
		return "", fmt.Errorf("signal %s: %w", sig, err)
	}
	switch {
	case strings.HasPrefix(sig, funnelSignal) && in.Funnel != nil:
		in.Funnel = b.publishedFunnel(scheme, in.Funnel)
	case (sig == "cap_heaping_detected" || sig == "cap_heaping_ratio") && b.heapingFlag(scheme, "all").Suppressed:
		return readings.HeapingWithheld, nil
	}
	w := readings.Writer{Policy: b.p, Withheld: b.withheld}
	if in.Outcome != nil {
		w.Withheld = b.outcomeWithheld(scheme, in.Outcome.Measure)
	}
	return readings.Compose(sig, in, w), nil
}

// outcomeWithheld is the Withheld set of an outcomes reading, whose one count is the
// scheme's pairs of the measure: where the outcomes table publishes that very cell, the
// reading may quote it even if secondary suppression hid another cell of the same value
// (it restores nothing the tables hide; without this the headline card showed a mean
// whose reading said its pairs were undisclosed).
func (b *builder) outcomeWithheld(scheme, measure string) map[int64]bool {
	c := b.allPairs(scheme, measure)
	if c == nil || !c.pairs.Published() || !b.withheld[c.pairs.N] {
		return b.withheld
	}
	w := maps.Clone(b.withheld)
	delete(w, c.pairs.N)
	return w
}

// linkageShare is a linkage signal's share (design §12) and its Wilson interval, worked
// from its published counts (the signal's inputs), as its reading quotes them.
func (b *builder) linkageShare(row rec) (v, lo, hi *disclosure.Cell) {
	in, err := readings.Parse(row.str("inputs"))
	if err != nil || in.Linkage == nil {
		return disclosure.Null(), disclosure.Null(), disclosure.Null()
	}
	c := &strataCells{num: b.p.Count(in.Linkage.Numerator), den: b.p.Count(in.Linkage.Denominator)}
	// a count equal to a value secondary suppression hid is not quoted by the reading
	// (readings.Writer), and the share and interval would give it away: withheld with it
	for _, n := range []*disclosure.Cell{c.num, c.den} {
		if n.Published() && n.N > 0 && b.withheld[n.N] {
			n.Suppressed = true
		}
	}
	return b.measureValue(in.Linkage.Measure, c)
}

// gpShare is the share of referrals with a recorded source that came from a GP, from the
// published GP count and the published count of referrals with a recorded source.
func (b *builder) gpShare(scheme string) *disclosure.Cell {
	for _, sc := range b.sources[scheme] {
		if sc.source == "gp" && b.recorded[scheme] != nil {
			return b.p.Ratio(sc.n, b.recorded[scheme], 1, disclosure.FmtPercent)
		}
	}
	return disclosure.Null()
}

// secondaryValues are the values secondary suppression hid, as they would have been
// published.
func secondaryValues(p disclosure.Policy, lines [][]*disclosure.Cell) map[int64]bool {
	out := map[int64]bool{}
	for _, line := range lines {
		for _, c := range line {
			if c.Secondary {
				out[p.Round(c.Raw())] = true
			}
		}
	}
	return out
}
