package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Statistics of change in a measure before and after (design §11): observational
// before–after comparisons of the same people, so the paired-t interval for the mean
// change, the standardised response mean, Welch's interval between two groups of
// episodes, and Newcombe's interval for the change in a paired proportion.

// swemwbsMetric converts raw SWEMWBS totals 7–35 to the metric score of the published
// Rasch conversion table (Stewart-Brown et al. 2009), index raw − 7.
var swemwbsMetric = [29]float64{
	7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36,
	16.88, 17.43, 17.98, 18.59, 19.25, 19.98, 20.73, 21.54, 22.35, 23.21,
	24.11, 25.03, 26.02, 27.03, 28.13, 29.31, 30.70, 32.55, 35.00,
}

// SWEMWBSMetric returns the metric score of a raw SWEMWBS total (7–35); ok is false
// outside that range. Raw totals are ordinal, not interval: every statistic of change is
// worked on the metric score.
func SWEMWBSMetric(raw int) (float64, bool) {
	if raw < 7 || raw > 35 {
		return 0, false
	}
	return swemwbsMetric[raw-7], true
}

// tQuantile975 is the 97.5th percentile of Student's t with df degrees of freedom.
func tQuantile975(df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.975)
}

// Change summarises n paired differences d = follow-up − baseline.
type Change struct {
	N    int
	Mean float64  // d̄
	SD   float64  // s_d (n − 1 denominator)
	CI   Interval // d̄ ± t(0.975, n−1) s_d / √n
	// SRM is the standardised response mean d̄ / s_d; SRMOK is false when s_d = 0.
	SRM   float64
	SRMOK bool
}

// PairedChange returns the mean change with its paired-t 95% interval, the SD of change
// and the standardised response mean. It needs at least two pairs.
func PairedChange(d []float64) (Change, error) {
	n := len(d)
	if n < 2 {
		return Change{N: n}, fmt.Errorf("paired change: %d pairs, need at least 2", n)
	}
	var sum float64
	for _, x := range d {
		sum += x
	}
	mean := sum / float64(n)
	var ss float64
	for _, x := range d {
		ss += (x - mean) * (x - mean)
	}
	return PairedChangeOf(n, mean, math.Sqrt(ss/float64(n-1)))
}

// PairedChangeOf is PairedChange from the number of pairs, the mean change and its SD
// (n − 1 denominator), as a database aggregates them.
func PairedChangeOf(n int, mean, sd float64) (Change, error) {
	if n < 2 {
		return Change{N: n}, fmt.Errorf("paired change: %d pairs, need at least 2", n)
	}
	half := tQuantile975(float64(n-1)) * sd / math.Sqrt(float64(n))
	c := Change{N: n, Mean: mean, SD: sd, CI: Interval{Lower: mean - half, Upper: mean + half}}
	if sd > 0 {
		c.SRM, c.SRMOK = mean/sd, true
	}
	return c, nil
}

// Welch returns the difference of two means m1 − m2 (SDs s1, s2 over n1, n2 people) with
// Welch's 95% interval: unequal variances, Welch–Satterthwaite degrees of freedom.
func Welch(m1, s1 float64, n1 int, m2, s2 float64, n2 int) (float64, Interval, error) {
	if n1 < 2 || n2 < 2 {
		return 0, Interval{}, fmt.Errorf("welch interval: groups of %d and %d, need at least 2 each", n1, n2)
	}
	v1, v2 := s1*s1/float64(n1), s2*s2/float64(n2)
	diff := m1 - m2
	se := math.Sqrt(v1 + v2)
	if se == 0 {
		return diff, Interval{Lower: diff, Upper: diff}, nil
	}
	df := (v1 + v2) * (v1 + v2) / (v1*v1/float64(n1-1) + v2*v2/float64(n2-1))
	half := tQuantile975(df) * se
	return diff, Interval{Lower: diff - half, Upper: diff + half}, nil
}

// PairedProportions are the cells of a paired 2×2 table of people in a band at two
// times: A in the band at both, B at follow-up only, C at baseline only, D at neither.
type PairedProportions struct {
	A, B, C, D int64
}

// NewcombePaired returns the change p1 − p2 of a paired proportion, p1 = (A+B)/n the
// share at follow-up and p2 = (A+C)/n at baseline, with Newcombe's score-based 95%
// interval (Newcombe 1998, method 10), in the form of Altman et al., Statistics with
// Confidence (2000): the Wilson limits l1..u1 of p1 and l2..u2 of p2 combined with the
// correlation φ = C'/√((A+B)(C+D)(A+C)(B+D)), where C' is AD − BC less n/2 when AD − BC
// exceeds n/2, AD − BC when it is negative, and 0 otherwise (φ = 0 when a margin is 0):
//
//	lower = p1 − p2 − √((p1 − l1)² − 2φ(p1 − l1)(u2 − p2) + (u2 − p2)²)
//	upper = p1 − p2 + √((u1 − p1)² − 2φ(u1 − p1)(p2 − l2) + (p2 − l2)²)
func NewcombePaired(t PairedProportions) (float64, Interval, error) {
	if t.A < 0 || t.B < 0 || t.C < 0 || t.D < 0 {
		return 0, Interval{}, fmt.Errorf("paired proportions: negative cell")
	}
	n := t.A + t.B + t.C + t.D
	if n == 0 {
		return 0, Interval{}, fmt.Errorf("paired proportions: no pairs")
	}
	fn := float64(n)
	p1, p2 := float64(t.A+t.B)/fn, float64(t.A+t.C)/fn
	w1, err := Wilson(t.A+t.B, n)
	if err != nil {
		return 0, Interval{}, err
	}
	w2, err := Wilson(t.A+t.C, n)
	if err != nil {
		return 0, Interval{}, err
	}
	phi := 0.0
	margins := float64(t.A+t.B) * float64(t.C+t.D) * float64(t.A+t.C) * float64(t.B+t.D)
	if margins > 0 {
		b := float64(t.A)*float64(t.D) - float64(t.B)*float64(t.C)
		c := 0.0
		switch {
		case b > fn/2:
			c = b - fn/2
		case b < 0:
			c = b
		}
		phi = c / math.Sqrt(margins)
	}
	d1, d2 := p1-w1.Lower, w2.Upper-p2
	e1, e2 := w1.Upper-p1, p2-w2.Lower
	delta := math.Sqrt(math.Max(0, d1*d1-2*phi*d1*d2+d2*d2))
	eps := math.Sqrt(math.Max(0, e1*e1-2*phi*e1*e2+e2*e2))
	diff := p1 - p2
	return diff, Interval{Lower: diff - delta, Upper: diff + eps}, nil
}
