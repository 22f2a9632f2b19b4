package stats

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// Funnel plot control limits as PHEindicatormethods calculate_funnel_limits (and the PHE
// Fingertips technical guidance) draws them: 95% limits at two-sided tail 0.025 and 99.8%
// limits at 0.001, around the pooled average of the units on the plot.
//
// PHE tabulates the limits on a grid of 100 denominators (proportions) or event counts
// (rates) for charting; here each limit is evaluated at a unit's own denominator, which is
// the same curve (for proportions exactly; for rates it passes through every point of
// PHE's grid, interpolating between integer counts through the gamma function instead of
// a straight line).

// Tail probabilities PHE uses for the two funnels.
const (
	Tail95  = 0.025
	Tail998 = 0.001
)

// FunnelLimits are the control limits at one denominator, on the scale of the value.
type FunnelLimits struct {
	Lower95, Upper95, Lower998, Upper998 float64
}

// Outside reports whether value falls outside the 99.8% limits, the design's outlier rule.
func (l FunnelLimits) Outside(value float64) bool {
	return value < l.Lower998 || value > l.Upper998
}

// Significance labels a value as PHE's assign_funnel_significance does (in lower case):
// "high (0.001)", "high (0.025)", "low (0.001)", "low (0.025)" or "not significant".
func (l FunnelLimits) Significance(value float64) string {
	switch {
	case value < l.Lower998:
		return "low (0.001)"
	case value < l.Lower95:
		return "low (0.025)"
	case value > l.Upper998:
		return "high (0.001)"
	case value > l.Upper95:
		return "high (0.025)"
	default:
		return "not significant"
	}
}

// normalQuantile is Φ⁻¹(p) (R's qnorm).
func normalQuantile(p float64) float64 {
	return math.Sqrt2 * math.Erfinv(2*p-1)
}

// ProportionFunnel returns the funnel limits for a proportion (0–1 scale) at denominator n
// around the average proportion av. This is PHE's sigma_adjustment: the limit is the
// observed proportion whose Wilson score interval (at 1 − tail) just touches av, so a unit
// lies outside the funnel exactly when its own Wilson interval excludes the average.
// Algebraically the limits are av ± z·√(av(1 − av)/n), clamped to [0, 1]; the test holds
// the transcription to that.
func ProportionFunnel(n, av float64) FunnelLimits {
	return FunnelLimits{
		Lower95:  proportionLimit(1-Tail95, n, av, false),
		Upper95:  proportionLimit(1-Tail95, n, av, true),
		Lower998: proportionLimit(1-Tail998, n, av, false),
		Upper998: proportionLimit(1-Tail998, n, av, true),
	}
}

// proportionLimit is sigma_adjustment(p, population = n, average_proportion = av, side,
// multiplier = 1), clamped to [0, 1] as PHE clamps its chart limits.
func proportionLimit(p, n, av float64, high bool) float64 {
	if n <= 0 {
		return math.NaN()
	}
	z2 := math.Pow(normalQuantile(p), 2)
	first := av * (n/z2 + 1)
	disc := math.Pow(-8*av*(n/z2+1), 2) -
		64*(1/z2+1/n)*av*(n*(av*(n/z2+2)-1)+z2*(av-1))
	// At av = 0 or 1 the discriminant is zero on paper and may come out a few ulps
	// negative; it is never meaningfully negative for 0 ≤ av ≤ 1.
	adj := math.Sqrt(math.Max(disc, 0))
	last := 1/z2 + 1/n
	var lim float64
	if high {
		lim = (first + adj/8) / last
	} else {
		lim = (first - adj/8) / last
	}
	return math.Min(math.Max(lim/n, 0), 1)
}

// RateFunnel returns the funnel limits for a crude rate at denominator n (person-time or
// population) around the average rate av (events per unit of denominator), expressed per
// multiplier (e.g. 1000 for per 1,000). PHE's poisson_funnel gives, for o observed events,
// the expected count μ at which o is the exact Poisson limit: P(X ≤ o; μ) = tail for the
// lower funnel and P(X ≥ o; μ) = tail for the upper. Here μ = av·n is known and o is
// solved for, with P(X ≤ o; μ) = Q(o + 1, μ) and P(X ≥ o; μ) = P(o, μ) (regularised
// incomplete gamma functions), which extends the integer grid continuously.
func RateFunnel(n, av, multiplier float64) FunnelLimits {
	if n <= 0 {
		nan := math.NaN()
		return FunnelLimits{nan, nan, nan, nan}
	}
	mu := av * n
	scale := multiplier / n
	return FunnelLimits{
		Lower95:  poissonLowerCount(mu, Tail95) * scale,
		Upper95:  poissonUpperCount(mu, Tail95) * scale,
		Lower998: poissonLowerCount(mu, Tail998) * scale,
		Upper998: poissonUpperCount(mu, Tail998) * scale,
	}
}

// poissonLowerCount solves Q(o + 1, μ) = tail for o ≥ 0, i.e. P(o + 1, μ) = 1 − tail: the
// count at the lower funnel. It is 0 when even o = 0 is not below the limit (small μ).
func poissonLowerCount(mu, tail float64) float64 {
	if mu <= 0 {
		return 0
	}
	target := 1 - tail
	f := func(o float64) float64 { return mathext.GammaIncReg(o+1, mu) } // decreasing in o
	if f(0) < target {
		return 0
	}
	return bisectDecreasing(f, target, 0, mu)
}

// poissonUpperCount solves P(o, μ) = tail for o > 0: the count at the upper funnel.
func poissonUpperCount(mu, tail float64) float64 {
	if mu <= 0 {
		return 0
	}
	f := func(o float64) float64 { return mathext.GammaIncReg(o, mu) } // decreasing in o
	return bisectDecreasing(f, tail, 0, mu)
}

// bisectDecreasing finds x > lo with f(x) = target for f decreasing, starting from hi as a
// guess for the upper bracket and doubling it until f(hi) < target.
func bisectDecreasing(f func(float64) float64, target, lo, hi float64) float64 {
	hi = math.Max(hi, 1)
	for f(hi) >= target {
		lo, hi = hi, 2*hi
	}
	// A count to 1e-9 relative is far finer than any rate is reported; bisection halves the
	// bracket each step, so this takes about 40 evaluations.
	for hi-lo > 1e-9*math.Max(1, hi) {
		mid := lo + (hi-lo)/2
		if f(mid) >= target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + (hi-lo)/2
}
