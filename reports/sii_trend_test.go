package reports

import (
	"math"
	"strings"
	"testing"

	"github.com/socrx/socrx/disclosure"
)

// TestSIITrendTable: the test of trend uses the mature periods with an interval, at their
// places among the periods shown, and the table and figure say so.
func TestSIITrendTable(t *testing.T) {
	const z = 1.959963984540054
	pt := func(per string, v, se float64, mature bool) siiPoint {
		return siiPoint{period: per, sii: v, lower: v - z*se, upper: v + z*se, ok: true, mature: mature}
	}
	cases := []struct {
		name      string
		pts       []siiPoint
		used      int64
		slope     float64 // NaN: no test
		direction string
	}{
		// hand-worked: places 0, 1, 3 (the period at 2 is immature, 4 has no SII); y = 1,
		// 3, 2 with SE 1, 0.5, 1 → w = 1, 4, 1; x̄ = (0 + 4 + 3)/6 = 7/6, ȳ = (1 + 12 + 2)/6
		// = 2.5; Σw(x−x̄)² = 49/36 + 4·1/36 + 121/36 = 174/36; Σw(x−x̄)(y−ȳ) =
		// (−7/6)(−1.5) + 4(−1/6)(0.5) + (11/6)(−0.5) = (10.5 − 2 − 5.5)/6 = 0.5;
		// slope = 0.5 / (174/36) = 18/174
		{"left out", []siiPoint{pt("2024-Q1", 1, 1, true), pt("2024-Q2", 3, 0.5, true), pt("2024-Q3", 9, 0.1, false),
			pt("2024-Q4", 2, 1, true), {period: "2025-Q1"}}, 3, 18.0 / 174, "no clear change"},
		{"narrowing", []siiPoint{pt("2024-Q1", -0.4, 0.02, true), pt("2024-Q2", -0.3, 0.02, true), pt("2024-Q3", -0.2, 0.02, true),
			pt("2024-Q4", -0.1, 0.02, true)}, 4, 0.1, "narrowing"},
		{"too few", []siiPoint{pt("2024-Q1", 1, 1, true), pt("2024-Q2", 3, 0.5, false), pt("2024-Q3", 2, 1, true)}, 2, math.NaN(),
			"too few mature periods (fewer than 3)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &Report{Period: "2025-Q1", Schemes: []Scheme{{ID: "ALL", Name: "All schemes"}}}
			b := &builder{r: r, p: disclosure.Default(), siiTrend: map[[2]string][]siiPoint{{"ALL", "contacted"}: c.pts}}
			b.buildSIITrend()
			per, test := r.Table("sii_trend"), r.Table("sii_trend_test")
			if len(per.Rows) != len(c.pts) || len(test.Rows) != 1 {
				t.Fatalf("%d period rows, %d test rows", len(per.Rows), len(test.Rows))
			}
			row := test.Rows[0]
			if row[2].N != c.used {
				t.Errorf("periods used %d, want %d", row[2].N, c.used)
			}
			slope, ok := row[3].Number()
			switch {
			case math.IsNaN(c.slope) && ok:
				t.Errorf("a slope over %d periods", c.used)
			case !math.IsNaN(c.slope) && (!ok || math.Abs(slope-c.slope) > 1e-12):
				t.Errorf("slope %v, want %v", slope, c.slope)
			}
			if row[8].Text != c.direction {
				t.Errorf("reading %q, want %q", row[8].Text, c.direction)
			}
			f := siiTrendFigure(r, "ALL", "contacted")
			if f == nil || !strings.Contains(f.Caption, c.direction) && !math.IsNaN(c.slope) {
				t.Errorf("figure caption %q does not give the reading", f.Caption)
			}
			if !strings.Contains(string(f.SVG), `viewBox=`) && !strings.Contains(string(f.SVG), `<svg`) {
				t.Error("no chart")
			}
		})
	}
}
