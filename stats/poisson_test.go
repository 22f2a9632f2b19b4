package stats

import (
	"math"
	"testing"
)

func TestPoissonCount(t *testing.T) {
	cases := []struct {
		name   string
		x      int64
		lo, hi float64
	}{
		// Byar, as PHEindicatormethods testByars.R.
		{"byar 65", 65, 50.163187710459454, 82.849138545939837},
		{"byar 1045", 1045, 982.59320180733255, 1110.3312129856499},
		// Exact at 0: lower 0; upper solves P(X = 0; μ) = e^−μ = 0.025, so μ = −ln 0.025
		// (= χ²(0.975; 2)/2, the chi-square with 2 df being exponential with mean 2).
		{"exact 0", 0, 0, -math.Log(0.025)},
		// Exact at 5: Garwood's limits from chi-square quantiles, χ²(0.025; 10)/2 and
		// χ²(0.975; 12)/2 = 3.246973/2 and 23.336664/2; the tables give 1.6235 and 11.6683.
		// TestExactPoissonDefinition checks the tail probabilities to full precision.
		{"exact 5", 5, 1.6234863901184204, 11.668332079322669},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := PoissonCount(c.x)
			if err != nil {
				t.Fatal(err)
			}
			if !relClose(got.Lower, c.lo, 1e-9) || !relClose(got.Upper, c.hi, 1e-9) {
				t.Errorf("PoissonCount(%d) = %.17g, %.17g; want %.17g, %.17g", c.x, got.Lower, got.Upper, c.lo, c.hi)
			}
		})
	}
}

// TestExactPoissonDefinition holds the exact limits to their definition: at the lower limit
// μ_L, P(X ≥ x; μ_L) = 0.025, and at the upper μ_U, P(X ≤ x; μ_U) = 0.025.
func TestExactPoissonDefinition(t *testing.T) {
	cdf := func(x int64, mu float64) float64 { // P(X ≤ x; μ) by direct summation
		term, sum := math.Exp(-mu), 0.0
		for k := int64(0); k <= x; k++ {
			if k > 0 {
				term *= mu / float64(k)
			}
			sum += term
		}
		return sum
	}
	for x := int64(0); x < exactPoissonBelow; x++ {
		ci := ExactPoisson(x)
		if got := cdf(x, ci.Upper); math.Abs(got-0.025) > 1e-10 {
			t.Errorf("x=%d: P(X ≤ x; upper) = %.12f, want 0.025", x, got)
		}
		if x > 0 {
			if got := 1 - cdf(x-1, ci.Lower); math.Abs(got-0.025) > 1e-10 {
				t.Errorf("x=%d: P(X ≥ x; lower) = %.12f, want 0.025", x, got)
			}
		}
	}
}

// TestPoissonCountSwitch checks that the method changes at 10 events, where PHE changes.
func TestPoissonCountSwitch(t *testing.T) {
	for _, c := range []struct {
		x     int64
		exact bool
	}{{9, true}, {10, false}} {
		got, _ := PoissonCount(c.x)
		want := Byar(c.x)
		if c.exact {
			want = ExactPoisson(c.x)
		}
		if got != want {
			t.Errorf("PoissonCount(%d) = %v, want %v (exact=%v)", c.x, got, want, c.exact)
		}
	}
	if _, err := PoissonCount(-1); err == nil {
		t.Error("PoissonCount(-1): want an error")
	}
}

func TestPoissonRate(t *testing.T) {
	// 65 events over 20,000 registered, per 1,000: the Byar limits scaled by 1000/20000.
	got, err := PoissonRate(65, 20000, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if !relClose(got.Lower, 50.163187710459454/20, 1e-12) || !relClose(got.Upper, 82.849138545939837/20, 1e-12) {
		t.Errorf("PoissonRate = %v", got)
	}
	if _, err := PoissonRate(1, 0, 1000); err == nil {
		t.Error("PoissonRate with zero exposure: want an error")
	}
}
