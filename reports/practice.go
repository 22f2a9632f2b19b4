// General-practice tables (design §5): practice variation for the funnel plots, referral sources.

package reports

import (
	"context"
	"database/sql"
	"sort"

	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/readings"
	"github.com/socrx/socrx/stats"
)

type practiceCells struct {
	scheme, practice, measure string
	num, den                  *disclosure.Cell
	// the mart's flag, decided once on the unrounded counts (design §5): judged is
	// false when the practice has no denominator (the mart's flag is NULL)
	judged, outlier, high bool
}

// funnelSummary is what a scheme × measure's published flags say, for the summary's
// signal and its reading: only practices whose flag is published are counted or named.
type funnelSummary struct {
	judged    int              // practices with a published flag
	high, low []string         // practices flagged, by side of the limits
	hidden    int              // practices whose flag is withheld with their counts
	base      *disclosure.Cell // the published scheme average
}

func (f *funnelSummary) outliers() int { return len(f.high) + len(f.low) }

type sourceCell struct {
	source string
	n      *disclosure.Cell
}

func (b *builder) loadPractices(ctx context.Context, db *sql.DB, period sql.NamedArg) error {
	rows, err := load(ctx, db, "practices.sql", period)
	if err != nil {
		return err
	}
	type tot struct{ num, den int64 }
	totals := map[[2]string]*tot{}
	lineNum := map[[2]string][]*disclosure.Cell{}
	lineDen := map[[2]string][]*disclosure.Cell{}
	for _, row := range rows {
		pc := practiceCells{scheme: row.str("scheme_id"), practice: row.str("practice_code"), measure: row.str("measure"),
			num: b.p.Count(row.int("numerator")), judged: !row.isNull("outlier"), outlier: row.bool("outlier"), high: row.bool("outlier_high")}
		if row.isNull("denominator") {
			pc.den = b.p.NullCount()
		} else {
			pc.den = b.p.Count(row.int("denominator"))
		}
		k := [2]string{pc.scheme, pc.measure}
		if totals[k] == nil {
			totals[k] = &tot{}
		}
		totals[k].num += row.int("numerator")
		totals[k].den += row.int("denominator")
		lineNum[k] = append(lineNum[k], pc.num)
		lineDen[k] = append(lineDen[k], pc.den)
		b.practices = append(b.practices, pc)
	}
	// a practice's counts add up over schemes to its ALL row (registered population, the
	// referral-rate denominator, is the same in every scheme and does not)
	across := map[[2]string][]*disclosure.Cell{}
	acrossDen := map[[2]string][]*disclosure.Cell{}
	for _, pc := range b.practices {
		k := [2]string{pc.practice, pc.measure}
		across[k] = append(across[k], pc.num)
		if !isRate(pc.measure) {
			acrossDen[k] = append(acrossDen[k], pc.den)
		}
	}
	for _, m := range []map[[2]string][]*disclosure.Cell{across, acrossDen} {
		ks := make([][2]string, 0, len(m))
		for k := range m {
			ks = append(ks, k)
		}
		sort.Slice(ks, func(i, j int) bool { return ks[i][0]+ks[i][1] < ks[j][0]+ks[j][1] })
		for _, k := range ks {
			b.lines = append(b.lines, m[k])
		}
	}
	keys := make([][2]string, 0, len(totals))
	for k := range totals {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		t := practiceCells{scheme: k[0], practice: "all practices", measure: k[1], num: b.p.Count(totals[k].num), den: b.p.Count(totals[k].den)}
		b.practices = append(b.practices, t)
		b.lines = append(b.lines, append(lineNum[k], t.num), append(lineDen[k], t.den))
	}
	return nil
}

func (b *builder) loadSources(ctx context.Context, db *sql.DB, period sql.NamedArg) error {
	rows, err := periodRows(ctx, db, b.pre, "referral_sources.sql", period)
	if err != nil {
		return err
	}
	b.sources = map[string][]sourceCell{}
	b.sourceTot = map[string]*disclosure.Cell{}
	b.recorded = map[string]*disclosure.Cell{}
	totals := map[string]int64{}
	for _, row := range rows {
		s := row.str("scheme_id")
		b.sources[s] = append(b.sources[s], sourceCell{source: row.str("source"), n: b.p.Count(row.int("n"))})
		totals[s] += row.int("n")
	}
	bySource := map[string][]*disclosure.Cell{}
	var sources []string
	for _, s := range b.schemes() {
		cs, ok := b.sources[s]
		if !ok {
			continue
		}
		line := []*disclosure.Cell{}
		for _, c := range cs {
			line = append(line, c.n)
			if _, seen := bySource[c.source]; !seen {
				sources = append(sources, c.source)
			}
			bySource[c.source] = append(bySource[c.source], c.n)
		}
		b.sourceTot[s] = b.p.Count(totals[s])
		b.lines = append(b.lines, append(line, b.sourceTot[s]))
		// referrals with a recorded source: the GP share's denominator, and with the
		// not-recorded cell another split of the total
		var recorded int64
		var notRec *disclosure.Cell
		for _, c := range cs {
			if c.source == "not_recorded" {
				notRec = c.n
			} else {
				recorded += c.n.Raw()
			}
		}
		b.recorded[s] = b.p.Count(recorded)
		if notRec != nil {
			b.lines = append(b.lines, []*disclosure.Cell{b.recorded[s], notRec, b.sourceTot[s]})
		}
	}
	// line order decides which cell secondary suppression picks: keep it fixed
	sort.Strings(sources)
	for _, src := range sources {
		b.lines = append(b.lines, bySource[src])
	}
	return nil
}

// ---- tables, built after secondary suppression ----

// practiceNote says what a practice's value, limits and flag rest on.
const practiceNote = "Each practice's value and its funnel limits (around the scheme average, at the practice's denominator) are worked from the published counts. " +
	"Whether a practice is outside the 99.8% limits is decided once, on the unrounded counts, and that one flag is the Outlier column, the chart's highlighting " +
	"and the summary's count; so a practice near a limit can be flagged while its published value looks just inside it, or the reverse. " +
	"The flag is hidden wherever the practice's value or the scheme average is."

// practiceColumns are the columns of a practice variation table.
func practiceColumns() []Column {
	return []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"measure", "Measure", disclosure.KindText}, {"practice_code", "Practice", disclosure.KindText},
		{"numerator_n", "Numerator", disclosure.KindCount}, {"denominator_n", "Denominator", disclosure.KindCount}, {"value", "Value", disclosure.KindValue},
		{"lower95", "Lower 95%", disclosure.KindValue}, {"upper95", "Upper 95%", disclosure.KindValue},
		{"lower998", "Lower 99.8%", disclosure.KindValue}, {"upper998", "Upper 99.8%", disclosure.KindValue}, {"outlier", "Outlier", disclosure.KindValue}}
}

// judgePractices builds the practice variation table and, from the same flag cells, the
// funnel summaries the signals read. It runs before the signals are built, so the
// summary's count, its reading, the chart and the table rest on one set of cells.
func (b *builder) judgePractices() {
	t := &Table{Name: "practice_variation", Title: "Practice variation", PerScheme: true,
		Note: practiceNote, Columns: practiceColumns()}
	gt := &Table{Name: "gp_practice_variation", Title: "GP record: practice variation", PerScheme: true,
		Note: "From the GP record, as the platform's practice variation: coded referrals per 1,000 registered patients and, when the GP and platform " +
			"data are linked, coding completeness (platform referrals from the practice with a referral code in the GP record within 30 days either side) " +
			"and referrals lost between sectors (GP-coded referrals the platform did not see within 60 days). " + practiceNote,
		Columns: practiceColumns()}
	b.gpPracticeTable = gt
	baseline := map[[2]string]*disclosure.Cell{}
	for _, pc := range b.practices {
		if pc.practice == "all practices" {
			f, scale := disclosure.FmtPercent, 1.0
			if isRate(pc.measure) {
				f, scale = disclosure.FmtPer1000, 1000
			}
			baseline[[2]string{pc.scheme, pc.measure}] = b.p.Ratio(pc.num, pc.den, scale, f)
		}
	}
	b.funnels = map[[2]string]*funnelSummary{}
	for _, pc := range b.practices {
		f, scale := disclosure.FmtPercent, 1.0
		if isRate(pc.measure) {
			f, scale = disclosure.FmtPer1000, 1000
		}
		v := b.p.Ratio(pc.num, pc.den, scale, f)
		k := [2]string{pc.scheme, pc.measure}
		base := baseline[k]
		lims := []*disclosure.Cell{disclosure.Null(), disclosure.Null(), disclosure.Null(), disclosure.Null()}
		if pc.practice != "all practices" && base != nil && base.Published() && pc.den.Published() && pc.den.N > 0 {
			var l stats.FunnelLimits
			if isRate(pc.measure) {
				l = stats.RateFunnel(float64(pc.den.N), base.V/1000, 1000)
			} else {
				l = stats.ProportionFunnel(float64(pc.den.N), base.V)
			}
			for i, x := range []float64{l.Lower95, l.Upper95, l.Lower998, l.Upper998} {
				x := x
				lims[i] = b.p.Derived([]*disclosure.Cell{pc.den, base}, f, func() (float64, bool) { return x, true })
			}
		}
		out := disclosure.Null()
		if pc.practice != "all practices" {
			out = practiceFlag(b.p, pc, v, base)
			fs := b.funnels[k]
			if fs == nil {
				fs = &funnelSummary{base: base}
				b.funnels[k] = fs
			}
			switch {
			case out.Published():
				fs.judged++
				if out.V != 0 && pc.high {
					fs.high = append(fs.high, pc.practice)
				} else if out.V != 0 {
					fs.low = append(fs.low, pc.practice)
				}
			case out.Suppressed:
				fs.hidden++
			}
		}
		row := []*disclosure.Cell{disclosure.Text(pc.scheme), disclosure.Text(pc.measure), disclosure.Text(pc.practice), pc.num, pc.den, v, lims[0], lims[1], lims[2], lims[3], out}
		if isGP(pc.measure) {
			gt.Rows = append(gt.Rows, row)
		} else {
			t.Rows = append(t.Rows, row)
		}
	}
	b.practiceTable = t
}

// practiceFlag publishes the mart's outlier flag for a practice: the flag is not judged
// again from the rounded values (rounding a small numerator can move a practice across
// a limit, and then the summary and the table would disagree), and it is hidden wherever
// its inputs are (the practice's value, the scheme average), as any derived value is:
// even when the mart has no flag, since an empty flag beside a hidden value would say
// that the hidden denominator is 0.
func practiceFlag(p disclosure.Policy, pc practiceCells, v, base *disclosure.Cell) *disclosure.Cell {
	if base == nil || (v.Null && !v.Suppressed) {
		return disclosure.Null() // no denominator, and the table shows that
	}
	return p.Derived([]*disclosure.Cell{v, base}, disclosure.FmtBool, func() (float64, bool) {
		return boolf(pc.outlier), pc.judged && v.Published() && base.Published()
	})
}

func (b *builder) buildPractices(context.Context, *sql.DB, sql.NamedArg) error {
	b.r.add(b.practiceTable)
	return nil
}

// publishedFunnel is a funnel reading's inputs from this report's published flags alone,
// so the reading counts and names what the table and chart show.
func (b *builder) publishedFunnel(scheme string, stored *readings.Funnel) *readings.Funnel {
	out := &readings.Funnel{Measure: stored.Measure, WindowDays: stored.WindowDays}
	f := b.funnels[[2]string{scheme, stored.Measure}]
	if f == nil {
		return out
	}
	out.Judged, out.Outliers, out.Hidden = int64(f.judged), int64(f.outliers()), int64(f.hidden)
	out.High, out.Low = f.high, f.low
	if v, ok := f.base.Number(); ok {
		out.Average = &v
	}
	return out
}

func (b *builder) buildSources(context.Context, *sql.DB, sql.NamedArg) error {
	t := &Table{Name: "referral_sources", Title: "Referral sources", PerScheme: true,
		Columns: []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"referral_source", "Source", disclosure.KindText},
			{"referrals_n", "Referrals", disclosure.KindCount}, {"share", "Share", disclosure.KindValue}}}
	for _, s := range b.schemes() {
		tot := b.sourceTot[s]
		if tot == nil {
			continue
		}
		for _, c := range b.sources[s] {
			t.Rows = append(t.Rows, []*disclosure.Cell{disclosure.Text(s), disclosure.Text(c.source), c.n, b.p.Ratio(c.n, tot, 1, disclosure.FmtPercent)})
		}
		t.Rows = append(t.Rows, []*disclosure.Cell{disclosure.Text(s), disclosure.Text("all sources"), tot, b.p.Ratio(tot, tot, 1, disclosure.FmtPercent)})
	}
	b.r.add(t)
	return nil
}
