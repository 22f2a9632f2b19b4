package stats

import (
	"fmt"
	"math"
)

// MOVERDifference returns v1 − v2 with the MOVER-D interval (Zou & Donner 2008) built from
// each value's own 95% interval:
//
//	L = d − √((v1 − l1)² + (u2 − v2)²),  U = d + √((u1 − v1)² + (v2 − l2)²)
//
// With Wilson intervals this is Newcombe's hybrid score interval (1998, method 10); with
// Poisson intervals it is the same construction for a difference of rates.
func MOVERDifference(v1 float64, ci1 Interval, v2 float64, ci2 Interval) (float64, Interval) {
	d := v1 - v2
	return d, Interval{
		Lower: d - math.Hypot(v1-ci1.Lower, ci2.Upper-v2),
		Upper: d + math.Hypot(ci1.Upper-v1, v2-ci2.Lower),
	}
}

// NewcombeDifference returns p1 − p2 = x1/n1 − x2/n2 with Newcombe's hybrid score 95%
// interval (method 10): MOVER over the two Wilson intervals. Unlike the Wald interval it
// is well behaved at 0 and n.
func NewcombeDifference(x1, n1, x2, n2 int64) (float64, Interval, error) {
	ci1, err := Wilson(x1, n1)
	if err != nil {
		return 0, Interval{}, err
	}
	ci2, err := Wilson(x2, n2)
	if err != nil {
		return 0, Interval{}, err
	}
	d, ci := MOVERDifference(float64(x1)/float64(n1), ci1, float64(x2)/float64(n2), ci2)
	return d, ci, nil
}

// RateDifference returns x1/e1 − x2/e2 (× per) with the MOVER interval over the two
// Poisson intervals (exact below 10 events, Byar above).
func RateDifference(x1 int64, e1 float64, x2 int64, e2 float64, per float64) (float64, Interval, error) {
	ci1, err := PoissonRate(x1, e1, per)
	if err != nil {
		return 0, Interval{}, err
	}
	ci2, err := PoissonRate(x2, e2, per)
	if err != nil {
		return 0, Interval{}, err
	}
	d, ci := MOVERDifference(float64(x1)/e1*per, ci1, float64(x2)/e2*per, ci2)
	return d, ci, nil
}

// KatzRatio returns p1 / p2 = (x1/n1) / (x2/n2) with the Katz log 95% interval:
// exp(ln RR ± z √(1/x1 − 1/n1 + 1/x2 − 1/n2)). It is undefined when either numerator is 0.
func KatzRatio(x1, n1, x2, n2 int64) (float64, Interval, error) {
	if n1 <= 0 || n2 <= 0 || x1 < 0 || x2 < 0 || x1 > n1 || x2 > n2 {
		return 0, Interval{}, fmt.Errorf("katz ratio: invalid counts %d/%d, %d/%d", x1, n1, x2, n2)
	}
	if x1 == 0 || x2 == 0 {
		return 0, Interval{}, insufficient("a numerator is 0 (log ratio undefined)")
	}
	f1, m1, f2, m2 := float64(x1), float64(n1), float64(x2), float64(n2)
	rr := (f1 / m1) / (f2 / m2)
	se := math.Sqrt(1/f1 - 1/m1 + 1/f2 - 1/m2)
	return rr, logInterval(rr, se), nil
}

// RateRatio returns (x1/e1) / (x2/e2) with the log interval for a ratio of Poisson rates,
// exp(ln RR ± z √(1/x1 + 1/x2)): Katz's interval with the binomial terms −1/n dropped, as
// the counts are not bounded by the exposures.
func RateRatio(x1 int64, e1 float64, x2 int64, e2 float64) (float64, Interval, error) {
	if e1 <= 0 || e2 <= 0 || x1 < 0 || x2 < 0 {
		return 0, Interval{}, fmt.Errorf("rate ratio: invalid counts %d/%g, %d/%g", x1, e1, x2, e2)
	}
	if x1 == 0 || x2 == 0 {
		return 0, Interval{}, insufficient("a numerator is 0 (log ratio undefined)")
	}
	f1, f2 := float64(x1), float64(x2)
	rr := (f1 / e1) / (f2 / e2)
	return rr, logInterval(rr, math.Sqrt(1/f1+1/f2)), nil
}

func logInterval(ratio, se float64) Interval {
	return Interval{Lower: ratio * math.Exp(-z95*se), Upper: ratio * math.Exp(z95*se)}
}

// ShareRatio is a stratum's share of the numerator over its share of the denominator (the
// Core20 share ratio for quintile 1): above 1, the stratum gets more than its share.
func ShareRatio(num, numTotal, den, denTotal float64) (float64, error) {
	if numTotal <= 0 || den <= 0 || denTotal <= 0 {
		return 0, insufficient("share ratio undefined (empty total or stratum)")
	}
	return (num / numTotal) / (den / denTotal), nil
}

// Extremes returns the indices of the largest and smallest values and their ratio, for an
// unordered dimension's highest/lowest comparison. NaN values are skipped; ok is false
// with fewer than 2 values, and ratio is +Inf when the smallest is 0.
func Extremes(values []float64) (maxIdx, minIdx int, ratio float64, ok bool) {
	maxIdx, minIdx = -1, -1
	n := 0
	for i, v := range values {
		if math.IsNaN(v) {
			continue
		}
		n++
		if maxIdx < 0 || v > values[maxIdx] {
			maxIdx = i
		}
		if minIdx < 0 || v < values[minIdx] {
			minIdx = i
		}
	}
	if n < 2 {
		return -1, -1, math.NaN(), false
	}
	return maxIdx, minIdx, values[maxIdx] / values[minIdx], true
}
