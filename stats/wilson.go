// Package stats holds the statistics socrx computes in Go because SQL does them badly:
// confidence intervals, inequality indices and the equity verdict. Everything here is pure
// (no database, no I/O) so each routine can be checked against published values.
package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// z95 is the two-sided 95% normal critical value, qnorm(0.975), at full precision: PHE
// hard-codes qnorm(0.975) rather than 1.96, and matching it keeps our limits on theirs to
// the last digit.
var z95 = distuv.UnitNormal.Quantile(0.975)

// Z95 returns qnorm(0.975) ≈ 1.959964.
func Z95() float64 { return z95 }

// Interval is a two-sided 95% confidence interval.
type Interval struct {
	Lower, Upper float64
}

// Contains reports whether v lies in the closed interval.
func (i Interval) Contains(v float64) bool { return i.Lower <= v && v <= i.Upper }

// Wilson returns the Wilson score 95% interval for x successes out of n, without
// continuity correction, as PHEindicatormethods wilson_lower / wilson_upper:
//
//	(2x + z² ∓ z·√(z² + 4x(1 − x/n))) / (2(n + z²))
//
// Unlike the Wald interval it stays inside [0, 1] and is not degenerate at x = 0 or x = n,
// which matters for small strata.
func Wilson(x, n int64) (Interval, error) {
	if n <= 0 {
		return Interval{}, fmt.Errorf("wilson interval: denominator %d is not positive", n)
	}
	if x < 0 || x > n {
		return Interval{}, fmt.Errorf("wilson interval: numerator %d outside 0..%d", x, n)
	}
	fx, fn := float64(x), float64(n)
	z2 := z95 * z95
	root := z95 * math.Sqrt(z2+4*fx*(1-fx/fn))
	den := 2 * (fn + z2)
	lo := (2*fx + z2 - root) / den
	hi := (2*fx + z2 + root) / den
	// At x = 0 (or n) the limit is exactly 0 (or 1) on paper; rounding can leave a few ulps
	// either side, which would make logit(lower) finite but meaningless.
	if x == 0 {
		lo = 0
	}
	if x == n {
		hi = 1
	}
	return Interval{Lower: lo, Upper: hi}, nil
}
