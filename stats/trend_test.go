package stats

import (
	"math"
	"testing"
)

func pointsWithSE(values, ses []float64) []TrendPoint {
	out := make([]TrendPoint, len(values))
	for i, v := range values {
		out[i] = TrendPoint{X: float64(i), Value: v, CI: Interval{Lower: v - z95*ses[i], Upper: v + z95*ses[i]}}
	}
	return out
}

func TestSIITrend(t *testing.T) {
	// equal weights: ordinary least squares. x = 0..3, y = −0.40, −0.30, −0.20, −0.10:
	// slope 0.1, SE = se / √Σ(x − x̄)² = 0.02 / √5, fitted ends −0.40 and −0.10.
	res, err := SIITrend(pointsWithSE([]float64{-0.4, -0.3, -0.2, -0.1}, []float64{0.02, 0.02, 0.02, 0.02}))
	if err != nil {
		t.Fatal(err)
	}
	half := z95 * 0.02 / math.Sqrt(5)
	if math.Abs(res.Slope-0.1) > 1e-12 || math.Abs(res.CI.Lower-(0.1-half)) > 1e-12 || res.Direction != TrendNarrowing {
		t.Errorf("narrowing: %+v", res)
	}
	// hand-worked weights: x = 0, 1, 2; y = 1, 3, 2; se = 1, 0.5, 1 → w = 1, 4, 1;
	// x̄ = 1, ȳ = 2.5, Σw(x−x̄)² = 2, Σw(x−x̄)(y−ȳ) = (−1)(−1.5) + (1)(−0.5) = 1, slope 0.5,
	// SE 1/√2
	res, err = SIITrend(pointsWithSE([]float64{1, 3, 2}, []float64{1, 0.5, 1}))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Slope-0.5) > 1e-12 || math.Abs(res.CI.Upper-(0.5+z95/math.Sqrt2)) > 1e-12 || res.Direction != TrendNoClearChange {
		t.Errorf("weighted: %+v", res)
	}
	for _, c := range []struct {
		values []float64
		want   string
	}{
		{[]float64{0.1, 0.2, 0.3, 0.4}, TrendWidening},
		{[]float64{-0.3, -0.1, 0.1, 0.3}, TrendChangedDirection},
		{[]float64{0.3, 0.2, 0.1, 0.05}, TrendNarrowing},
	} {
		res, err := SIITrend(pointsWithSE(c.values, []float64{0.01, 0.01, 0.01, 0.01}))
		if err != nil || res.Direction != c.want {
			t.Errorf("%v: %s (%v), want %s", c.values, res.Direction, err, c.want)
		}
	}
	if _, err := SIITrend(pointsWithSE([]float64{1, 2}, []float64{1, 1})); err == nil {
		t.Error("two periods accepted")
	}
}
