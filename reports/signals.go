package reports

import (
	"context"
	"database/sql"
	"regexp"
	"strconv"
	"strings"
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
		Columns: []Column{{"scheme_id", "Scheme", KindText}, {"setting", "Setting", KindText}, {"axis", "Axis", KindText},
			{"signal", "Signal", KindText}, {"value", "Value", KindValue}, {"lower", "Lower 95%", KindValue},
			{"upper", "Upper 95%", KindValue}, {"reading", "Reading", KindText}}}
	for _, row := range rows {
		s, sig := row.str("scheme_id"), row.str("signal")
		v, lo, hi := b.signalValue(s, sig, row)
		reading := b.signalReading(s, sig, row)
		t.Rows = append(t.Rows, []*Cell{Text(s), Text(row.str("setting")), Text(row.str("axis")), Text(sig), v, lo, hi, Text(reading)})
	}
	b.r.add(t)
	return nil
}

func (b *builder) signalValue(scheme, sig string, row rec) (v, lo, hi *Cell) {
	val, ok := row.num("value")
	l, lok := row.num("lower")
	u, uok := row.num("upper")
	c := b.cont[[2]string{scheme, "all"}]
	raw := b.contRaw[[2]string{scheme, "all"}]
	withCI := func(f func(x float64, ok bool) *Cell) (*Cell, *Cell, *Cell) { return f(val, ok), f(l, lok), f(u, uok) }
	switch {
	case strings.HasPrefix(sig, "sii_"):
		return withCI(func(x float64, ok bool) *Cell { return b.p.Model(x, ok, FmtStat) })
	case sig == "mean_coc" && raw != nil:
		n := raw.int("episodes_n2")
		return withCI(func(x float64, ok bool) *Cell { return b.p.Summary(x, ok, n, FmtDecimal) })
	case sig == "median_days_to_first_contact" && raw != nil:
		return b.p.Summary(val, ok, raw.int("km_referrals"), FmtDays), Null(), Null()
	case sig == "handoff_rate" && c != nil:
		return b.p.Ratio(c.handoffs, c.pairs, 1, FmtPercent), Null(), Null()
	case sig == "re_referral_rate_90d" && c != nil:
		return b.p.Ratio(c.rr90, c.rr90den, 1, FmtPercent), Null(), Null()
	case sig == "re_referral_rate_365d" && c != nil:
		return b.p.Ratio(c.rr365, c.rr365den, 1, FmtPercent), Null(), Null()
	case sig == "same_worker_retention" && c != nil:
		return b.p.Ratio(c.retained, c.retainDen, 1, FmtPercent), Null(), Null()
	case sig == "cap_heaping_ratio" && c != nil:
		return b.p.Derived([]*Cell{c.atCap, c.atCapMinus, c.atCapPlus}, FmtDecimal, func() (float64, bool) {
			d := float64(c.atCapMinus.N+c.atCapPlus.N) / 2
			return float64(c.atCap.N) / d, c.atCap.Published() && d > 0
		}), Null(), Null()
	case sig == "cap_heaping_detected":
		// the continuity table's cell: one decision, hidden with its inputs
		return b.heapingFlag(scheme, "all"), Null(), Null()
	case sig == "gp_referral_share":
		return b.gpShare(scheme), Null(), Null()
	case strings.HasPrefix(sig, "share_practices"):
		return b.p.Model(val, ok, FmtPercent), Null(), Null()
	case strings.HasPrefix(sig, funnelSignal):
		// a number of practices (not of people): those whose published flag is set, so
		// the count is the table's and the chart's, never the mart's unrounded count
		// (which would count practices whose flag the table hides)
		f := b.funnels[[2]string{scheme, strings.TrimPrefix(sig, funnelSignal)}]
		if f == nil || f.judged == 0 {
			return Null(), Null(), Null()
		}
		return Plain(int64(f.outliers())), Null(), Null()
	}
	// A signal this build does not know: publish nothing rather than an unchecked number.
	return &Cell{Kind: KindValue, Null: true}, Null(), Null()
}

// funnelSignal prefixes the signals that count a measure's funnel outliers.
const funnelSignal = "funnel_outliers_"

// heapingWithheld replaces the cap-heaping readings when the flag is hidden: the
// transforms' readings quote shares of the counts the flag rests on.
const heapingWithheld = "Cap heaping is not read here: a count it rests on (closed episodes ending at k − 1, k or k + 1 contacts, or beyond k) " +
	"is too small to publish, or hidden so that a small one cannot be worked out. A longer period may show it."

// signalReading is the plain-English reading published beside a signal. Readings that
// rest on a flag follow the flag: the funnel reading is written here from the published
// flags, and the cap-heaping readings are withheld with the flag, so no reading says
// what its table hides.
func (b *builder) signalReading(scheme, sig string, row rec) string {
	switch {
	case strings.HasPrefix(sig, funnelSignal):
		// written under this report's disclosure settings, so never withheld for them
		return funnelReading(strings.TrimPrefix(sig, funnelSignal), b.funnels[[2]string{scheme, strings.TrimPrefix(sig, funnelSignal)}])
	case (sig == "cap_heaping_detected" || sig == "cap_heaping_ratio") && b.heapingFlag(scheme, "all").Suppressed:
		return heapingWithheld
	case b.r.ReadingsWithheld:
		return "Reading withheld: it was written for the default disclosure settings (7, 5), not this report's."
	}
	return redactReading(row.str("reading"), b.withheld)
}

// gpShare is the share of referrals with a recorded source that came from a GP, from the
// published GP count and the published count of referrals with a recorded source.
func (b *builder) gpShare(scheme string) *Cell {
	for _, sc := range b.sources[scheme] {
		if sc.source == "gp" && b.recorded[scheme] != nil {
			return b.p.Ratio(sc.n, b.recorded[scheme], 1, FmtPercent)
		}
	}
	return Null()
}

// The transforms' readings quote counts as "about N", rounded as a primary count would
// be. A count that secondary suppression hides in a table must not survive in prose, so
// every "about N" equal to the rounded value of a secondarily suppressed cell is withheld
// (over-cautious: any such value anywhere in the period).
var reAbout = regexp.MustCompile(`about ([0-9][0-9,]*)`)

func redactReading(s string, withheld map[int64]bool) string {
	if len(withheld) == 0 {
		return s
	}
	return reAbout.ReplaceAllStringFunc(s, func(m string) string {
		n, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimPrefix(m, "about "), ",", ""), 10, 64)
		if err == nil && withheld[n] {
			return "an undisclosed number of"
		}
		return m
	})
}

// secondaryValues are the values secondary suppression hid, as they would have been
// published.
func secondaryValues(p Policy, lines [][]*Cell) map[int64]bool {
	out := map[int64]bool{}
	for _, line := range lines {
		for _, c := range line {
			if c.Secondary {
				out[p.Round(c.raw)] = true
			}
		}
	}
	return out
}
