package stats

import (
	"errors"
	"math"
	"testing"
)

// TestNewcombeDifference: Newcombe (1998, Stat Med 17:873) example (a), 56/70 − 48/80,
// whose method 10 interval is published as 0.0524 to 0.3339. By hand: the Wilson limits
// are 0.691834, 0.876953 for 56/70 and 0.490455, 0.700382 for 48/80, so
// L = 0.2 − √((0.8 − 0.691834)² + (0.700382 − 0.6)²) = 0.2 − √(0.011700 + 0.010077) = 0.052431
// U = 0.2 + √((0.876953 − 0.8)² + (0.6 − 0.490455)²) = 0.2 + √(0.005922 + 0.012000) = 0.333873
func TestNewcombeDifference(t *testing.T) {
	d, ci, err := NewcombeDifference(56, 70, 48, 80)
	if err != nil {
		t.Fatal(err)
	}
	if !relClose(d, 0.2, 1e-12) || math.Abs(ci.Lower-0.052431) > 5e-7 || math.Abs(ci.Upper-0.333873) > 5e-7 {
		t.Errorf("d = %.6f (%.6f, %.6f), want 0.2 (0.052431, 0.333873)", d, ci.Lower, ci.Upper)
	}
	// At the boundary (0 of n) the interval stays finite and contains the estimate.
	d, ci, err = NewcombeDifference(0, 20, 5, 20)
	if err != nil || !ci.Contains(d) || ci.Lower < -1 || ci.Upper > 1 {
		t.Errorf("0/20 − 5/20: %g %v %v", d, ci, err)
	}
}

// TestKatzRatio: (56/70)/(48/80) = 0.8/0.6 = 4/3. By hand,
// se = √(1/56 − 1/70 + 1/48 − 1/80) = √(0.0178571 − 0.0142857 + 0.0208333 − 0.0125)
// = √0.0119048 = 0.1091089, and the limits are (4/3)·exp(∓1.959964 · 0.1091089) =
// (4/3)·exp(∓0.2138495) = 1.076626, 1.651249.
func TestKatzRatio(t *testing.T) {
	r, ci, err := KatzRatio(56, 70, 48, 80)
	if err != nil {
		t.Fatal(err)
	}
	if !relClose(r, 4.0/3, 1e-12) || math.Abs(ci.Lower-1.076626) > 5e-7 || math.Abs(ci.Upper-1.651249) > 5e-7 {
		t.Errorf("ratio = %.6f (%.6f, %.6f), want 1.333333 (1.076626, 1.651249)", r, ci.Lower, ci.Upper)
	}
	var ide *InsufficientDataError
	if _, _, err := KatzRatio(0, 10, 5, 10); !errors.As(err, &ide) {
		t.Errorf("zero numerator: err = %v", err)
	}
	if _, _, err := KatzRatio(11, 10, 5, 10); err == nil || errors.As(err, &ide) {
		t.Errorf("numerator above denominator: err = %v", err)
	}
}

// TestRates: 20 referrals among 4,000 vs 10 among 4,000 registered, per 1,000.
// Ratio 2, se = √(1/20 + 1/10) = √0.15 = 0.3872983, limits 2·exp(∓1.959964·0.3872983)
// = 2·exp(∓0.7590908) = 0.936184, 4.272666. Difference 5 − 2.5 = 2.5 per 1,000 with MOVER
// over the Byar intervals; Byar(20) = 20(1 − 1/180 − z/(3√20))³ = 20·0.848359³ = 12.21143
// (upper 30.88988) and Byar(10) = 4.787450, 18.39146, as counts, ÷ 4 for per 1,000.
func TestRates(t *testing.T) {
	r, ci, err := RateRatio(20, 4000, 10, 4000)
	if err != nil {
		t.Fatal(err)
	}
	if !relClose(r, 2, 1e-12) || math.Abs(ci.Lower-0.936184) > 5e-7 || math.Abs(ci.Upper-4.272666) > 5e-7 {
		t.Errorf("rate ratio %g %v", r, ci)
	}
	d, dci, err := RateDifference(20, 4000, 10, 4000, 1000)
	if err != nil {
		t.Fatal(err)
	}
	b20, b10 := Byar(20), Byar(10)
	wantLo := 2.5 - math.Hypot(5-b20.Lower/4, b10.Upper/4-2.5)
	wantHi := 2.5 + math.Hypot(b20.Upper/4-5, 2.5-b10.Lower/4)
	if !relClose(d, 2.5, 1e-12) || !relClose(dci.Lower, wantLo, 1e-12) || !relClose(dci.Upper, wantHi, 1e-12) {
		t.Errorf("rate difference %g %v, want %g..%g", d, dci, wantLo, wantHi)
	}
	if math.Abs(b20.Lower-12.21143) > 5e-5 || math.Abs(b20.Upper-30.88988) > 5e-5 ||
		math.Abs(b10.Lower-4.787450) > 5e-6 || math.Abs(b10.Upper-18.39146) > 5e-5 {
		t.Errorf("Byar limits moved: %v %v", b20, b10)
	}
}

func TestShareRatio(t *testing.T) {
	// Quintile 1 has 30 of 100 referrals but 20% of the population: 0.3/0.2 = 1.5.
	got, err := ShareRatio(30, 100, 200, 1000)
	if err != nil || !relClose(got, 1.5, 1e-12) {
		t.Errorf("ShareRatio = %g, %v", got, err)
	}
	if _, err := ShareRatio(0, 0, 200, 1000); err == nil {
		t.Error("no numerator: want an error")
	}
}

func TestExtremes(t *testing.T) {
	cases := []struct {
		name     string
		values   []float64
		max, min int
		ratio    float64
		ok       bool
	}{
		{"plain", []float64{0.2, 0.5, 0.1}, 1, 2, 5, true},
		{"nan skipped", []float64{math.NaN(), 0.4, 0.2}, 1, 2, 2, true},
		{"zero minimum", []float64{0.4, 0}, 0, 1, math.Inf(1), true},
		{"one value", []float64{0.4, math.NaN()}, -1, -1, math.NaN(), false},
	}
	for _, c := range cases {
		mx, mn, r, ok := Extremes(c.values)
		if mx != c.max || mn != c.min || ok != c.ok || !(r == c.ratio || math.IsNaN(r) && math.IsNaN(c.ratio)) {
			t.Errorf("%s: Extremes = %d %d %g %v", c.name, mx, mn, r, ok)
		}
	}
}
