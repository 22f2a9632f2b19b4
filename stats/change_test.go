package stats

import (
	"math"
	"testing"
)

func TestSWEMWBSMetricEveryRawScore(t *testing.T) {
	// the published conversion table (design §11), raw 7..35
	want := []float64{7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36, 16.88, 17.43, 17.98, 18.59,
		19.25, 19.98, 20.73, 21.54, 22.35, 23.21, 24.11, 25.03, 26.02, 27.03, 28.13, 29.31, 30.70, 32.55, 35.00}
	for i, w := range want {
		got, ok := SWEMWBSMetric(7 + i)
		if !ok || got != w {
			t.Errorf("SWEMWBSMetric(%d) = %v, %v; want %v", 7+i, got, ok, w)
		}
	}
	for _, raw := range []int{6, 36, 0, -1} {
		if _, ok := SWEMWBSMetric(raw); ok {
			t.Errorf("SWEMWBSMetric(%d) accepted", raw)
		}
	}
}

// R's sleep data (Cushny & Peebles): extra hours of sleep under two drugs, the same ten
// patients. R's t.test gives, paired: mean difference 1.58, 95% CI 0.7001142 to 2.4598858
// (t = 4.0621, df = 9); Welch, as two groups: difference −1.58, 95% CI −3.3654832 to
// 0.2054832 (df = 17.776).
var (
	sleep1 = []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}
	sleep2 = []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}
)

func meanSD(x []float64) (float64, float64) {
	var s float64
	for _, v := range x {
		s += v
	}
	m := s / float64(len(x))
	var ss float64
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return m, math.Sqrt(ss / float64(len(x)-1))
}

func TestPairedChange(t *testing.T) {
	d := make([]float64, len(sleep1))
	for i := range d {
		d[i] = sleep2[i] - sleep1[i] // follow-up − baseline
	}
	c, err := PairedChange(d)
	if err != nil {
		t.Fatal(err)
	}
	close := func(name string, got, want, tol float64) {
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.9f, want %.9f", name, got, want)
		}
	}
	close("mean", c.Mean, 1.58, 1e-12)
	close("lower", c.CI.Lower, 0.7001142, 5e-8)
	close("upper", c.CI.Upper, 2.4598858, 5e-8)
	// s_d by hand: Σ(d − 1.58)² = 13.616, / 9 = 1.512888…, √ = 1.229995
	close("sd", c.SD, math.Sqrt(13.616/9), 1e-12)
	close("t", c.Mean/(c.SD/math.Sqrt(10)), 4.0621, 5e-5)
	if !c.SRMOK {
		t.Fatal("SRM not defined")
	}
	close("srm", c.SRM, 1.58/math.Sqrt(13.616/9), 1e-12)

	// a hand-worked small case: changes 2, 4, 6 → mean 4, s_d 2, t(0.975, 2) = 4.302653,
	// half-width 4.302653 × 2/√3 = 4.968275
	c, err = PairedChange([]float64{2, 4, 6})
	if err != nil {
		t.Fatal(err)
	}
	close("small mean", c.Mean, 4, 0)
	close("small sd", c.SD, 2, 1e-12)
	close("small lower", c.CI.Lower, 4-4.968275, 5e-6)
	close("small upper", c.CI.Upper, 4+4.968275, 5e-6)
	close("small srm", c.SRM, 2, 1e-12)

	// no spread: the SRM is undefined, the interval a point
	c, err = PairedChange([]float64{3, 3, 3})
	if err != nil || c.SRMOK || c.CI.Lower != 3 || c.CI.Upper != 3 {
		t.Errorf("constant change: %+v, %v", c, err)
	}
	if _, err := PairedChange([]float64{1}); err == nil {
		t.Error("one pair accepted")
	}
}

func TestWelch(t *testing.T) {
	m1, s1 := meanSD(sleep1)
	m2, s2 := meanSD(sleep2)
	diff, ci, err := Welch(m1, s1, 10, m2, s2, 10)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(diff+1.58) > 1e-12 || math.Abs(ci.Lower+3.3654832) > 5e-8 || math.Abs(ci.Upper-0.2054832) > 5e-8 {
		t.Errorf("Welch = %.7f (%.7f, %.7f), want −1.58 (−3.3654832, 0.2054832)", diff, ci.Lower, ci.Upper)
	}
	if _, _, err := Welch(1, 1, 1, 2, 1, 5); err == nil {
		t.Error("a group of one accepted")
	}
}

func TestNewcombePaired(t *testing.T) {
	for _, c := range []struct {
		cells              PairedProportions
		diff, lower, upper float64
	}{
		// design §11, from Altman et al. (2000)
		{PairedProportions{A: 1, B: 1, C: 7, D: 12}, -0.2857142857, -0.5069202267, -0.0255591242},
		// worked independently (Python, the same formulas from the paper)
		{PairedProportions{A: 30, B: 5, C: 12, D: 53}, -0.07, -0.1500924708, 0.0117871121},
		{PairedProportions{A: 10, B: 0, C: 0, D: 10}, 0, -0.0897566594, 0.0897566594},
		{PairedProportions{A: 0, B: 3, C: 1, D: 40}, 0.0454545455, -0.0615197284, 0.1618053649},
	} {
		diff, ci, err := NewcombePaired(c.cells)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(diff-c.diff) > 1e-9 || math.Abs(ci.Lower-c.lower) > 1e-9 || math.Abs(ci.Upper-c.upper) > 1e-9 {
			t.Errorf("%+v: %.10f (%.10f, %.10f), want %.10f (%.10f, %.10f)", c.cells, diff, ci.Lower, ci.Upper, c.diff, c.lower, c.upper)
		}
	}
	if _, _, err := NewcombePaired(PairedProportions{}); err == nil {
		t.Error("no pairs accepted")
	}
}

// TestSIIForMeans: the SII of a mean over ordered strata, untransformed, against the
// closed form of design §4 worked by hand. Weights a = (0.2, 0.5, 0.3), ranks
// b = (0.1, 0.45, 0.85), values (4, 2, 1), SEs (1, 0.5, 0.8): b̄ = 0.5, ȳ = 2.1,
// Σa(b−b̄)² = 0.07, Σa(b−b̄)(y−ȳ) = −0.265, β = −3.7857143; c = (−8/7, −5/14, 3/2),
// V = 64/49 + 25/196·0.25 + 2.25·0.64 = 2.7780102, so the 95% limits are
// β ± 1.959964·1.6667364 = (−7.0524576, −0.5189710).
func TestSIIForMeans(t *testing.T) {
	strata := []Stratum{
		{Label: "quintile 1", Denominator: 20, Value: 4, SE: 1},
		{Label: "quintile 3", Denominator: 50, Value: 2, SE: 0.5},
		{Label: "quintile 5", Denominator: 30, Value: 1, SE: 0.8},
	}
	res, err := SII(strata, Mean)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"sii", res.SII, -0.265 / 0.07}, {"lower", res.SIICI.Lower, -7.0524576}, {"upper", res.SIICI.Upper, -0.5189710}} {
		if math.Abs(c.got-c.want) > 5e-7 {
			t.Errorf("%s = %.7f, want %.7f", c.name, c.got, c.want)
		}
	}
	// a negative mean is fine on this scale: no logit or log to be undefined
	strata[2].Value = -1.5
	if _, err := SII(strata, Mean); err != nil {
		t.Errorf("negative mean change: %v", err)
	}
}
