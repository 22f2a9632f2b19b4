// Equity tables (design §4): pathway measures by quintile, the inequality summary, the cascade.

package reports

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/stats"
)

// measures in pathway order; reach first because it is the entry to the pathway.
var pathwayMeasures = []string{"reach", "contacted", "engaged", "vcs_uptake", "dna"}

// measuredMeasures say who gets measured (design §11): present when an outcomes extract
// is loaded, shown with the outcomes.
var measuredMeasures = []string{"outcome_baselined", "outcome_followed_up"}

// equityMeasures are every measure of the pathway tables.
var equityMeasures = append(append([]string{}, pathwayMeasures...), measuredMeasures...)

// cascadeSteps are the pathway steps after referral, drawn as the cascade.
var cascadeSteps = []string{"contacted", "engaged", "vcs_uptake"}

type strataKey struct {
	scheme, measure string
	q               int
}

type strataCells struct{ num, den, immature *disclosure.Cell }

func (b *builder) loadPathway(ctx context.Context, db *sql.DB, period sql.NamedArg) error {
	rows, err := load(ctx, db, "strata.sql", period)
	if err != nil {
		return err
	}
	b.strata = map[strataKey]*strataCells{}
	type tot struct{ num, den, imm int64 }
	totals := map[[2]string]*tot{}
	hasDen := map[[2]string]bool{}
	for _, row := range rows {
		k := strataKey{row.str("scheme_id"), row.str("measure"), int(row.int("stratum"))}
		c := &strataCells{num: b.p.Count(row.int("numerator")), immature: b.p.Count(row.int("immature"))}
		if row.isNull("denominator") {
			c.den = b.p.NullCount()
		} else {
			c.den = b.p.Count(row.int("denominator"))
			hasDen[[2]string{k.scheme, k.measure}] = true
		}
		b.strata[k] = c
		if d, ok := row.num("window_days"); ok {
			if b.r.Windows == nil {
				b.r.Windows = map[string]int64{}
			}
			b.r.Windows[k.measure] = int64(d)
		}
		t := totals[[2]string{k.scheme, k.measure}]
		if t == nil {
			t = &tot{}
			totals[[2]string{k.scheme, k.measure}] = t
		}
		t.num += row.int("numerator")
		t.den += row.int("denominator")
		t.imm += row.int("immature")
	}
	for sm, t := range totals {
		c := &strataCells{num: b.p.Count(t.num), immature: b.p.Count(t.imm), den: b.p.NullCount()}
		if hasDen[sm] {
			c.den = b.p.Count(t.den)
		}
		b.strata[strataKey{sm[0], sm[1], 0}] = c
	}
	// lines: the quintiles of a scheme × measure add up to its total; schemes add up to
	// ALL (except reach, where a person may be referred to two schemes)
	for _, s := range b.schemes() {
		for _, m := range equityMeasures {
			var nums, dens, imms []*disclosure.Cell
			for q := 0; q <= 5; q++ {
				if c := b.strata[strataKey{s, m, q}]; c != nil {
					nums, dens, imms = append(nums, c.num), append(dens, c.den), append(imms, c.immature)
				}
			}
			b.lines = append(b.lines, nums, dens, imms)
		}
	}
	for _, m := range equityMeasures[1:] {
		for q := 0; q <= 5; q++ {
			var nums, dens, imms []*disclosure.Cell
			for _, s := range b.schemes() {
				if c := b.strata[strataKey{s, m, q}]; c != nil {
					nums, dens, imms = append(nums, c.num), append(dens, c.den), append(imms, c.immature)
				}
			}
			b.lines = append(b.lines, nums, dens, imms)
		}
	}
	// the GP record's measures: a scheme's quintiles add up to its total (ALL covers
	// practices no scheme lists, so schemes do not add up to it)
	for _, s := range b.schemes() {
		for _, m := range gpMeasures {
			var nums, dens, imms []*disclosure.Cell
			for q := 0; q <= 5; q++ {
				if c := b.strata[strataKey{s, m, q}]; c != nil {
					nums, dens, imms = append(nums, c.num), append(dens, c.den), append(imms, c.immature)
				}
			}
			b.lines = append(b.lines, nums, dens, imms)
		}
	}
	rows, err = load(ctx, db, "summary.sql", period)
	b.summaries, b.gpSummaries = splitGP(rows)
	return err
}

func (b *builder) buildPathway(context.Context, *sql.DB, sql.NamedArg) error {
	t := &Table{Name: "pathway_by_quintile", Title: "Pathway measures by deprivation quintile", PerScheme: true,
		Note: "Quintile 1 = most deprived. Values and 95% intervals are worked from the published (rounded) counts. " +
			"Referrals too recent for a measure's follow-up window are left out of it (immature_n).",
		Columns: quintileColumns()}
	b.quintileRows(t, equityMeasures)
	b.r.add(t)
	return nil
}

// quintileColumns are the columns of a table of measures by deprivation quintile.
func quintileColumns() []Column {
	return []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"measure", "Measure", disclosure.KindText}, {"imd_quintile", "IMD quintile", disclosure.KindText},
		{"numerator_n", "Numerator", disclosure.KindCount}, {"denominator_n", "Denominator", disclosure.KindCount}, {"value", "Value", disclosure.KindValue},
		{"lower", "Lower 95%", disclosure.KindValue}, {"upper", "Upper 95%", disclosure.KindValue}, {"immature_n", "Too recent", disclosure.KindCount}}
}

// quintileRows adds each scheme's rows of measures by quintile, then all quintiles.
func (b *builder) quintileRows(t *Table, measures []string) {
	for _, s := range b.schemes() {
		for _, m := range measures {
			for q := 1; q <= 5; q++ {
				c := b.strata[strataKey{s, m, q}]
				if c == nil {
					continue
				}
				v, lo, hi := b.measureValue(m, c)
				t.Rows = append(t.Rows, []*disclosure.Cell{disclosure.Text(s), disclosure.Text(m), disclosure.Text(strconv.Itoa(q)), c.num, c.den, v, lo, hi, c.immature})
			}
			if c := b.strata[strataKey{s, m, 0}]; c != nil {
				v, lo, hi := b.measureValue(m, c)
				t.Rows = append(t.Rows, []*disclosure.Cell{disclosure.Text(s), disclosure.Text(m), disclosure.Text("all quintiles"), c.num, c.den, v, lo, hi, c.immature})
			}
		}
	}
}

// measureValue works a stratum's value and 95% interval from its published counts:
// Wilson for proportions, Poisson (exact below 10, else Byar) for reach per 1,000.
func (b *builder) measureValue(measure string, c *strataCells) (v, lo, hi *disclosure.Cell) {
	if isRate(measure) {
		v = b.p.Ratio(c.num, c.den, 1000, disclosure.FmtPer1000)
	} else {
		v = b.p.Ratio(c.num, c.den, 1, disclosure.FmtPercent)
	}
	f := v.Format
	if !v.Published() {
		return v, &disclosure.Cell{Kind: disclosure.KindValue, Format: f, Null: v.Null, Suppressed: v.Suppressed}, &disclosure.Cell{Kind: disclosure.KindValue, Format: f, Null: v.Null, Suppressed: v.Suppressed}
	}
	var iv stats.Interval
	var err error
	if isRate(measure) {
		iv, err = stats.PoissonRate(c.num.N, float64(c.den.N), 1000)
	} else {
		iv, err = stats.Wilson(c.num.N, c.den.N)
	}
	if err != nil {
		return v, disclosure.Null(), disclosure.Null()
	}
	return v, b.p.Derived([]*disclosure.Cell{c.num, c.den}, f, func() (float64, bool) { return iv.Lower, true }),
		b.p.Derived([]*disclosure.Cell{c.num, c.den}, f, func() (float64, bool) { return iv.Upper, true })
}

func (b *builder) buildSummary(context.Context, *sql.DB, sql.NamedArg) error {
	t := &Table{Name: "inequality_summary", Title: "Inequality across deprivation quintiles", PerScheme: true,
		Note: "SII, RII and the concentration indices are model outputs, exempt from suppression. " +
			"The gap, ratio and Core20 share ratio are worked from the published counts. SII < 0 means higher values in the more deprived.",
		Columns: summaryColumns()}
	b.summaryRows(t, b.summaries)
	b.r.add(t)
	return nil
}

// summaryColumns are the columns of an inequality summary across quintiles.
func summaryColumns() []Column {
	return []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"measure", "Measure", disclosure.KindText},
		{"sii", "SII", disclosure.KindValue}, {"sii_lower", "SII lower", disclosure.KindValue}, {"sii_upper", "SII upper", disclosure.KindValue},
		{"rii", "RII", disclosure.KindValue}, {"rii_lower", "RII lower", disclosure.KindValue}, {"rii_upper", "RII upper", disclosure.KindValue},
		{"rci", "RCI", disclosure.KindValue}, {"rci_lower", "RCI lower", disclosure.KindValue}, {"rci_upper", "RCI upper", disclosure.KindValue},
		{"aci", "ACI", disclosure.KindValue}, {"erreygers", "Erreygers", disclosure.KindValue},
		{"q5_minus_q1", "Q5 − Q1", disclosure.KindValue}, {"q5_over_q1", "Q5 / Q1", disclosure.KindValue}, {"core20_share_ratio", "Core20 share ratio", disclosure.KindValue},
		{"excluded_no_lsoa_n", "No usable LSOA", disclosure.KindCount}, {"verdict", "Verdict", disclosure.KindText},
		{"verdict_reason", "Why", disclosure.KindText}, {"discordant", "RCI disagrees", disclosure.KindValue}}
}

// summaryRows adds the rows of equity_summary, with the gap, ratio and Core20 share
// ratio worked from the published counts.
func (b *builder) summaryRows(t *Table, rows []rec) {
	for _, row := range rows {
		s, m := row.str("scheme_id"), row.str("measure")
		model := func(col string) *disclosure.Cell { v, ok := row.num(col); return b.p.Model(v, ok, disclosure.FmtStat) }
		q1, q5, all := b.strata[strataKey{s, m, 1}], b.strata[strataKey{s, m, 5}], b.strata[strataKey{s, m, 0}]
		gap, ratio, core20 := disclosure.Null(), disclosure.Null(), disclosure.Null()
		if q1 != nil && q5 != nil && all != nil {
			scale := 1.0
			if isRate(m) {
				scale = 1000
			}
			v1 := b.p.Ratio(q1.num, q1.den, scale, disclosure.FmtStat)
			v5 := b.p.Ratio(q5.num, q5.den, scale, disclosure.FmtStat)
			gap = b.p.Derived([]*disclosure.Cell{v1, v5}, disclosure.FmtStat, func() (float64, bool) { return v5.V - v1.V, v1.Published() && v5.Published() })
			ratio = b.p.Derived([]*disclosure.Cell{v1, v5}, disclosure.FmtStat, func() (float64, bool) { return v5.V / v1.V, v1.Published() && v5.Published() && v1.V > 0 })
			core20 = b.p.Derived([]*disclosure.Cell{q1.num, q1.den, all.num, all.den}, disclosure.FmtStat, func() (float64, bool) {
				ok := q1.num.Published() && q1.den.Published() && all.num.N > 0 && all.den.Published() && all.den.N > 0 && q1.den.N > 0
				return (float64(q1.num.N) / float64(all.num.N)) / (float64(q1.den.N) / float64(all.den.N)), ok
			})
		}
		disc := disclosure.Null()
		if !row.isNull("discordant") {
			disc = &disclosure.Cell{Kind: disclosure.KindValue, Format: disclosure.FmtBool, V: boolf(row.bool("discordant"))}
		}
		t.Rows = append(t.Rows, []*disclosure.Cell{disclosure.Text(s), disclosure.Text(m), model("sii"), model("sii_lower"), model("sii_upper"),
			model("rii"), model("rii_lower"), model("rii_upper"), model("rci"), model("rci_lower"), model("rci_upper"),
			model("aci"), model("erreygers"), gap, ratio, core20, b.p.Count(row.int("excluded_no_lsoa")),
			disclosure.Text(row.str("verdict")), disclosure.Text(row.str("verdict_reason")), disc})
	}
}

func boolf(v bool) float64 {
	if v {
		return 1
	}
	return 0
}

func (b *builder) buildCascade(context.Context, *sql.DB, sql.NamedArg) error {
	t := &Table{Name: "cascade", Title: "Pathway cascade by deprivation quintile", PerScheme: true,
		Note:    "Each step as a share of the referrals old enough for its follow-up window (90 days for contact, 180 for engagement and VCS uptake).",
		Columns: []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"imd_quintile", "IMD quintile", disclosure.KindText}}}
	for _, m := range cascadeSteps {
		t.Columns = append(t.Columns, Column{m + "_n", label(m), disclosure.KindCount}, Column{m + "_denominator_n", "referrals (" + label(m) + ")", disclosure.KindCount},
			Column{m + "_share", label(m) + " %", disclosure.KindValue})
	}
	for _, s := range b.schemes() {
		for q := 1; q <= 6; q++ {
			key, name := q, strconv.Itoa(q)
			if q == 6 {
				key, name = 0, "all quintiles"
			}
			row := []*disclosure.Cell{disclosure.Text(s), disclosure.Text(name)}
			any := false
			for _, m := range cascadeSteps {
				c := b.strata[strataKey{s, m, key}]
				if c == nil {
					row = append(row, b.p.NullCount(), b.p.NullCount(), disclosure.Null())
					continue
				}
				any = true
				row = append(row, c.num, c.den, b.p.Ratio(c.num, c.den, 1, disclosure.FmtPercent))
			}
			if any {
				t.Rows = append(t.Rows, row)
			}
		}
	}
	b.r.add(t)
	return nil
}

// label is a measure's name for people.
func label(m string) string {
	switch m {
	case "reach":
		return "reach"
	case "contacted":
		return "contacted"
	case "engaged":
		return "engaged"
	case "vcs_uptake":
		return "VCS uptake"
	case "dna":
		return "DNA"
	case "outcome_baselined":
		return "baselined"
	case "outcome_followed_up":
		return "followed up"
	case "gp_referral_rate":
		return "coded referrals per 1,000"
	case "gp_declined":
		return "declined"
	}
	return m
}
