package reports

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"

	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/stats"
)

// Is the gap narrowing? Each recent period's SII with its interval, per pathway measure,
// and a test of trend across the periods whose referrals are all mature for the measure
// (stats.SIITrend): the slope per period with its 95% interval, read in words. SIIs are
// model outputs, published as they are (design §6).

// trendDirections read stats.SIITrend's directions.
var trendDirections = map[string]string{
	stats.TrendNarrowing:        "narrowing",
	stats.TrendWidening:         "widening",
	stats.TrendChangedDirection: "changed direction",
	stats.TrendNoClearChange:    "no clear change",
}

// siiPoint is one period's SII of one scheme and measure.
type siiPoint struct {
	period            string
	sii, lower, upper float64
	ok, mature        bool
}

func (b *builder) loadSIITrend(ctx context.Context, db *sql.DB, o BuildOptions) error {
	rows, err := load(ctx, db, "sii_trend.sql", sql.Named("period", o.Period), sql.Named("periods", o.TrendLength))
	if err != nil {
		return err
	}
	b.siiTrend = map[[2]string][]siiPoint{}
	for _, row := range rows {
		k := [2]string{row.str("scheme_id"), row.str("measure")}
		v, vok := row.num("sii")
		lo, lok := row.num("sii_lower")
		hi, hok := row.num("sii_upper")
		mature, _ := row["mature"].(bool)
		b.siiTrend[k] = append(b.siiTrend[k], siiPoint{period: row.str("period"), sii: v, lower: lo, upper: hi, ok: vok && lok && hok, mature: mature})
	}
	return nil
}

// siiTrendResult fits the trend of one scheme's measure over its mature periods with an
// interval, in period order (x = the period's place among those shown).
func siiTrendResult(pts []siiPoint) (stats.TrendResult, bool) {
	var in []stats.TrendPoint
	for i, p := range pts {
		if p.ok && p.mature {
			in = append(in, stats.TrendPoint{X: float64(i), Value: p.sii, CI: stats.Interval{Lower: p.lower, Upper: p.upper}})
		}
	}
	res, err := stats.SIITrend(in)
	return res, err == nil
}

// buildSIITrend publishes the SII of each period (sii_trend) and the test of trend
// (sii_trend_test).
func (b *builder) buildSIITrend() {
	per := &Table{Name: "sii_trend", Title: "Inequality across deprivation, period by period", PerScheme: true,
		Note: "The slope index of inequality (SII) across IMD quintiles in each recent period, with its 95% interval. Periods whose referrals are not all past the measure's follow-up window are shown but left out of the test of trend.",
		Columns: []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"measure", "Measure", disclosure.KindText}, {"period", "Period", disclosure.KindText},
			{"sii", "SII", disclosure.KindValue}, {"sii_lower", "Lower 95%", disclosure.KindValue}, {"sii_upper", "Upper 95%", disclosure.KindValue},
			{"in_trend_test", "In the test of trend", disclosure.KindText}}}
	test := &Table{Name: "sii_trend_test", Title: "Is the gap narrowing?", PerScheme: true,
		Note: fmt.Sprintf("Inverse-variance weighted regression of the SII on period order (each SII's standard error from its interval), over at least %d mature periods: the change in SII per period with its 95%% interval.", stats.MinTrendPoints),
		Columns: []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"measure", "Measure", disclosure.KindText},
			{"periods_used", "Periods used", disclosure.KindPlain}, {"slope", "Change in SII per period", disclosure.KindValue},
			{"slope_lower", "Lower 95%", disclosure.KindValue}, {"slope_upper", "Upper 95%", disclosure.KindValue},
			{"fitted_first", "Fitted SII, first period used", disclosure.KindValue}, {"fitted_last", "Fitted SII, last period used", disclosure.KindValue},
			{"direction", "Reading", disclosure.KindText}}}
	for _, s := range b.schemes() {
		for _, m := range pathwayMeasures {
			pts := b.siiTrend[[2]string{s, m}]
			if len(pts) == 0 {
				continue
			}
			for _, p := range pts {
				used := "yes"
				switch {
				case !p.mature:
					used = "no: not all referrals mature"
				case !p.ok:
					used = "no: no SII"
				}
				per.Rows = append(per.Rows, []*disclosure.Cell{disclosure.Text(s), disclosure.Text(m), disclosure.Text(p.period),
					b.p.Model(p.sii, p.ok, disclosure.FmtStat), b.p.Model(p.lower, p.ok, disclosure.FmtStat), b.p.Model(p.upper, p.ok, disclosure.FmtStat),
					disclosure.Text(used)})
			}
			res, ok := siiTrendResult(pts)
			reading := fmt.Sprintf("too few mature periods (fewer than %d)", stats.MinTrendPoints)
			if ok {
				reading = trendDirections[res.Direction]
			}
			test.Rows = append(test.Rows, []*disclosure.Cell{disclosure.Text(s), disclosure.Text(m), disclosure.Plain(int64(res.Points)),
				b.p.Model(res.Slope, ok, disclosure.FmtStat), b.p.Model(res.CI.Lower, ok, disclosure.FmtStat), b.p.Model(res.CI.Upper, ok, disclosure.FmtStat),
				b.p.Model(res.First, ok, disclosure.FmtStat), b.p.Model(res.Last, ok, disclosure.FmtStat), disclosure.Text(reading)})
		}
	}
	b.r.add(per)
	b.r.add(test)
}

// siiTrendFigure draws one measure's SII by period with 95% whiskers (hollow where the
// period is left out of the test) and the fitted line when there is one.
func siiTrendFigure(r *Report, scheme, measure string) *Figure {
	v := view(r.Table("sii_trend"), scheme, func(row []*disclosure.Cell) bool { return row[0].Text == measure })
	if len(v.Rows) == 0 {
		return nil
	}
	v = v.project("period", "sii", "sii_lower", "sii_upper", "in_trend_test")
	lo, hi := 0.0, 0.0
	for _, row := range v.Rows {
		for _, c := range row[1:4] {
			if x, ok := c.Number(); ok {
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
		}
	}
	pad := math.Max((hi-lo)*0.1, 0.01)
	id := "sii-trend-" + measure
	title := "SII by period: " + strings.SplitN(measureTitle(r, measure), ":", 2)[0]
	c := newChart(id, title, "", 640, 260)
	c.x0, c.x1, c.y0, c.y1 = 0, float64(len(v.Rows)), lo-pad, hi+pad
	c.yAxis(func(x float64) string { return tick2(x) }, "SII")
	c.line(c.left, c.py(0), c.w-c.right, c.py(0), cInk, 1, "4 3")
	var alt []string
	for i, row := range v.Rows {
		x := c.px(float64(i) + 0.5)
		c.text(x, c.py(c.y0)+17, row[0].Text, "middle", "tick")
		y, ok := row[1].Number()
		l, lok := row[2].Number()
		u, uok := row[3].Number()
		if !ok {
			alt = append(alt, row[0].Text+": no SII")
			continue
		}
		if lok && uok {
			c.line(x, c.py(l), x, c.py(u), cBlue, 1.5, "")
		}
		fill := cBlue
		if row[4].Text != "yes" {
			fill = "#ffffff"
		}
		c.circle(x, c.py(y), 4, fill, cBlue, row[0].Text+": SII "+display(row[1])+" ("+display(row[2])+" to "+display(row[3])+")")
		alt = append(alt, fmt.Sprintf("%s: %s (%s to %s)", row[0].Text, display(row[1]), display(row[2]), display(row[3])))
	}
	caption := "The SII in each period with its 95% interval; hollow points are periods left out of the test of trend."
	tv := view(r.Table("sii_trend_test"), scheme, func(row []*disclosure.Cell) bool { return row[0].Text == measure })
	if len(tv.Rows) == 1 {
		t := tv.Rows[0]
		first, fok := t[5].Number()
		last, lok := t[6].Number()
		if _, ok := t[2].Number(); ok && fok && lok {
			// the fitted line from the first period in the test to the last
			var xs []float64
			for i, row := range v.Rows {
				if row[4].Text == "yes" {
					xs = append(xs, float64(i)+0.5)
				}
			}
			if len(xs) > 0 {
				c.path([][2]float64{{xs[0], first}, {xs[len(xs)-1], last}}, cVermilion, 2, "6 4")
			}
			caption = fmt.Sprintf("The SII in each period with its 95%% interval (hollow: left out of the test of trend). Over %s mature periods the SII changed by %s per period (95%% interval %s to %s): %s.",
				display(t[1]), display(t[2]), display(t[3]), display(t[4]), t[7].Text)
		} else {
			caption += " Test of trend: " + t[7].Text + "."
		}
	}
	c.xLabel("period of referral")
	c.desc = title + ": " + strings.Join(alt, "; ") + ". " + caption
	return &Figure{ID: id, Title: title, SVG: c.html(), Table: v, Caption: caption}
}
