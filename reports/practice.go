// General-practice tables (design §5): practice variation for the funnel plots, referral sources.

package reports

import (
	"context"
	"database/sql"
	"sort"

	"github.com/socrx/socrx/transforms/stats"
)

type practiceCells struct {
	scheme, practice, measure string
	num, den                  *Cell
}

type sourceCell struct {
	source string
	n      *Cell
}

func (b *builder) loadPractices(ctx context.Context, db *sql.DB, period sql.NamedArg) error {
	rows, err := load(ctx, db, "practices.sql", period)
	if err != nil {
		return err
	}
	type tot struct{ num, den int64 }
	totals := map[[2]string]*tot{}
	lineNum := map[[2]string][]*Cell{}
	lineDen := map[[2]string][]*Cell{}
	for _, row := range rows {
		pc := practiceCells{scheme: row.str("scheme_id"), practice: row.str("practice_code"), measure: row.str("measure"),
			num: b.p.Count(row.int("numerator"))}
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
	across := map[[2]string][]*Cell{}
	acrossDen := map[[2]string][]*Cell{}
	for _, pc := range b.practices {
		k := [2]string{pc.practice, pc.measure}
		across[k] = append(across[k], pc.num)
		if pc.measure != "referral_rate" {
			acrossDen[k] = append(acrossDen[k], pc.den)
		}
	}
	for _, m := range []map[[2]string][]*Cell{across, acrossDen} {
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
	b.sourceTot = map[string]*Cell{}
	b.recorded = map[string]*Cell{}
	totals := map[string]int64{}
	for _, row := range rows {
		s := row.str("scheme_id")
		b.sources[s] = append(b.sources[s], sourceCell{source: row.str("source"), n: b.p.Count(row.int("n"))})
		totals[s] += row.int("n")
	}
	bySource := map[string][]*Cell{}
	var sources []string
	for _, s := range b.schemes() {
		cs, ok := b.sources[s]
		if !ok {
			continue
		}
		line := []*Cell{}
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
		var notRec *Cell
		for _, c := range cs {
			if c.source == "not_recorded" {
				notRec = c.n
			} else {
				recorded += c.n.raw
			}
		}
		b.recorded[s] = b.p.Count(recorded)
		if notRec != nil {
			b.lines = append(b.lines, []*Cell{b.recorded[s], notRec, b.sourceTot[s]})
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

func (b *builder) buildPractices(context.Context, *sql.DB, sql.NamedArg) error {
	t := &Table{Name: "practice_variation", Title: "Practice variation", PerScheme: true,
		Note: "Funnel limits are around the scheme average worked from the published counts, at each practice's published denominator; " +
			"a practice is flagged when its published value is outside the 99.8% limits (the summary's count of outliers uses unrounded data, so the two can differ).",
		Columns: []Column{{"scheme_id", "Scheme", KindText}, {"measure", "Measure", KindText}, {"practice_code", "Practice", KindText},
			{"numerator_n", "Numerator", KindCount}, {"denominator_n", "Denominator", KindCount}, {"value", "Value", KindValue},
			{"lower95", "Lower 95%", KindValue}, {"upper95", "Upper 95%", KindValue},
			{"lower998", "Lower 99.8%", KindValue}, {"upper998", "Upper 99.8%", KindValue}, {"outlier", "Outlier", KindValue}}}
	baseline := map[[2]string]*Cell{}
	for _, pc := range b.practices {
		if pc.practice == "all practices" {
			f, scale := FmtPercent, 1.0
			if pc.measure == "referral_rate" {
				f, scale = FmtPer1000, 1000
			}
			baseline[[2]string{pc.scheme, pc.measure}] = b.p.Ratio(pc.num, pc.den, scale, f)
		}
	}
	for _, pc := range b.practices {
		f, scale := FmtPercent, 1.0
		if pc.measure == "referral_rate" {
			f, scale = FmtPer1000, 1000
		}
		v := b.p.Ratio(pc.num, pc.den, scale, f)
		base := baseline[[2]string{pc.scheme, pc.measure}]
		lims := []*Cell{Null(), Null(), Null(), Null()}
		if pc.practice != "all practices" && base != nil && base.Published() && pc.den.Published() && pc.den.N > 0 {
			var l stats.FunnelLimits
			if pc.measure == "referral_rate" {
				l = stats.RateFunnel(float64(pc.den.N), base.V/1000, 1000)
			} else {
				l = stats.ProportionFunnel(float64(pc.den.N), base.V)
			}
			for i, x := range []float64{l.Lower95, l.Upper95, l.Lower998, l.Upper998} {
				x := x
				lims[i] = b.p.Derived([]*Cell{pc.den, base}, f, func() (float64, bool) { return x, true })
			}
		}
		// the flag is judged on the published value against the published limits, so the
		// table, the chart and the flag agree (rounding a small numerator can move a
		// practice across a limit)
		out := Null()
		if pc.practice != "all practices" {
			out = b.p.Derived([]*Cell{v, lims[2], lims[3]}, FmtBool, func() (float64, bool) {
				return boolf(v.V < lims[2].V || v.V > lims[3].V), v.Published() && lims[2].Published() && lims[3].Published()
			})
		}
		t.Rows = append(t.Rows, []*Cell{Text(pc.scheme), Text(pc.measure), Text(pc.practice), pc.num, pc.den, v, lims[0], lims[1], lims[2], lims[3], out})
	}
	b.r.add(t)
	return nil
}

func (b *builder) buildSources(context.Context, *sql.DB, sql.NamedArg) error {
	t := &Table{Name: "referral_sources", Title: "Referral sources", PerScheme: true,
		Columns: []Column{{"scheme_id", "Scheme", KindText}, {"referral_source", "Source", KindText},
			{"referrals_n", "Referrals", KindCount}, {"share", "Share", KindValue}}}
	for _, s := range b.schemes() {
		tot := b.sourceTot[s]
		if tot == nil {
			continue
		}
		for _, c := range b.sources[s] {
			t.Rows = append(t.Rows, []*Cell{Text(s), Text(c.source), c.n, b.p.Ratio(c.n, tot, 1, FmtPercent)})
		}
		t.Rows = append(t.Rows, []*Cell{Text(s), Text("all sources"), tot, b.p.Ratio(tot, tot, 1, FmtPercent)})
	}
	b.r.add(t)
	return nil
}
