package stats

import (
	"math"
	"testing"
)

// wilson is the Wilson score interval, written out here only to check the funnel from the
// other side: at a proportion funnel limit, the unit's own interval touches the average.
func wilson(p, n, z float64) (lo, hi float64) {
	c := (p + z*z/(2*n)) / (1 + z*z/n)
	h := z / (1 + z*z/n) * math.Sqrt(p*(1-p)/n+z*z/(4*n*n))
	return c - h, c + h
}

func TestProportionFunnel(t *testing.T) {
	tests := []struct {
		name             string
		n, av            float64
		lower95, upper95 float64 // hand-worked from sigma_adjustment, 4 d.p.
	}{
		// z² = 3.841459; first = 0.5·(100/z² + 1) = 13.51590; last = 1/z² + 1/100 = 0.270318;
		// adj/8 = √(108.1272² − 11242.44)/8 = 2.64898; (13.51590 ∓ 2.64898)/0.270318/100.
		{"n=100 around one half", 100, 0.5, 0.4020, 0.5980},
		// The Wilson boundary reduces to av ± z·√(av(1 − av)/n): 0.2 ± 1.96·0.02.
		{"n=400 around 0.2", 400, 0.2, 0.1608, 0.2392},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := ProportionFunnel(tc.n, tc.av)
			if math.Abs(l.Lower95-tc.lower95) > 5e-5 || math.Abs(l.Upper95-tc.upper95) > 5e-5 {
				t.Errorf("95%% limits = %.5f, %.5f; want %.4f, %.4f", l.Lower95, l.Upper95, tc.lower95, tc.upper95)
			}
			for _, c := range []struct {
				z      float64
				lo, hi float64
			}{{1.959963984540054, l.Lower95, l.Upper95}, {3.090232306167813, l.Lower998, l.Upper998}} {
				if _, hi := wilson(c.lo, tc.n, c.z); math.Abs(hi-tc.av) > 1e-9 {
					t.Errorf("Wilson upper at lower limit %.6f = %.9f, want %v", c.lo, hi, tc.av)
				}
				if lo, _ := wilson(c.hi, tc.n, c.z); math.Abs(lo-tc.av) > 1e-9 {
					t.Errorf("Wilson lower at upper limit %.6f = %.9f, want %v", c.hi, lo, tc.av)
				}
			}
			if !(l.Lower998 < l.Lower95 && l.Upper95 < l.Upper998) {
				t.Errorf("99.8%% limits %v do not contain the 95%% limits", l)
			}
		})
	}
}

// TestProportionFunnelClosedForm checks the transcription of sigma_adjustment against the
// score-test boundary it solves, av ± z·√(av(1 − av)/n), over a grid of n and av.
func TestProportionFunnelClosedForm(t *testing.T) {
	for _, n := range []float64{5, 37, 120, 1000, 25000} {
		for _, av := range []float64{0.01, 0.1, 0.35, 0.5, 0.8, 0.97} {
			l := ProportionFunnel(n, av)
			for _, c := range []struct {
				z, lo, hi float64
			}{{1.959963984540054, l.Lower95, l.Upper95}, {3.090232306167813, l.Lower998, l.Upper998}} {
				h := c.z * math.Sqrt(av*(1-av)/n)
				if math.Abs(c.lo-math.Max(av-h, 0)) > 1e-9 || math.Abs(c.hi-math.Min(av+h, 1)) > 1e-9 {
					t.Errorf("n=%v av=%v z=%v: limits %.10f, %.10f; want %.10f, %.10f", n, av, c.z, c.lo, c.hi, av-h, av+h)
				}
			}
		}
	}
}

func TestProportionFunnelDegenerate(t *testing.T) {
	for _, tc := range []struct {
		name string
		av   float64
		want float64
	}{{"average 0", 0, 0}, {"average 1", 1, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			l := ProportionFunnel(50, tc.av)
			for _, v := range []float64{l.Lower95, l.Upper95, l.Lower998, l.Upper998} {
				// PHE's formula cancels catastrophically at av = 1; 1e-7 is far below reporting.
				if math.Abs(v-tc.want) > 1e-7 {
					t.Errorf("limits %v, want all %v", l, tc.want)
				}
			}
		})
	}
}

func TestRateFunnel(t *testing.T) {
	// Exact Poisson limits for 10 events (Garwood; tabulated): 95% 4.7954–18.3904 and
	// 99.8% 2.9605–24.1340 (χ² quantiles 5.921/2 and 48.268/2). A practice whose expected
	// count equals the upper bound for 10 events has 10 events at its lower funnel, and so on.
	const av, mult = 0.01, 1000.0 // 10 per 1,000
	tests := []struct {
		name      string
		mu        float64 // expected events at the practice: av · n
		limit     func(FunnelLimits) float64
		wantCount float64
		tol       float64
	}{
		{"lower 95%", 18.3904, func(l FunnelLimits) float64 { return l.Lower95 }, 10, 2e-4},
		{"upper 95%", 4.7954, func(l FunnelLimits) float64 { return l.Upper95 }, 10, 2e-4},
		{"lower 99.8%", 24.1340, func(l FunnelLimits) float64 { return l.Lower998 }, 10, 2e-3},
		{"upper 99.8%", 2.9605, func(l FunnelLimits) float64 { return l.Upper998 }, 10, 2e-3},
		// 1 − e^{−μ} < 0.975 below μ = ln 40 ≈ 3.689: no count is low enough to flag.
		{"lower 95% floors at zero", 3.6, func(l FunnelLimits) float64 { return l.Lower95 }, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.mu / av
			got := tc.limit(RateFunnel(n, av, mult)) * n / mult
			if math.Abs(got-tc.wantCount) > tc.tol {
				t.Errorf("count at limit = %.6f, want %v", got, tc.wantCount)
			}
		})
	}

	l := RateFunnel(2000, av, mult) // μ = 20
	if !(l.Lower998 < l.Lower95 && l.Lower95 < 10 && 10 < l.Upper95 && l.Upper95 < l.Upper998) {
		t.Errorf("limits %v are not nested around the average 10", l)
	}
	if l.Outside(10) || !l.Outside(l.Upper998+0.01) || !l.Outside(l.Lower998-0.01) {
		t.Errorf("Outside disagrees with limits %v", l)
	}
	if got := l.Significance(l.Upper95 + 1e-6); got != "high (0.025)" {
		t.Errorf("just above the upper 95%% limit: %q", got)
	}
}
