package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// exactPoissonBelow is the count below which PHE uses exact Poisson limits; from it on,
// Byar's approximation is accurate to well under 1% and needs no quantile search.
const exactPoissonBelow = 10

// PoissonCount returns the 95% interval for an observed count x as PHEindicatormethods
// phe_rate does: exact Poisson limits for x < 10, Byar's method otherwise.
func PoissonCount(x int64) (Interval, error) {
	if x < 0 {
		return Interval{}, fmt.Errorf("poisson interval: count %d is negative", x)
	}
	if x < exactPoissonBelow {
		return ExactPoisson(x), nil
	}
	return Byar(x), nil
}

// ExactPoisson returns the exact (Garwood) 95% limits for a Poisson count x ≥ 0 from the
// chi-square distribution: lower = χ²(0.025; 2x)/2 (0 when x = 0), upper = χ²(0.975; 2x+2)/2.
func ExactPoisson(x int64) Interval {
	lo := 0.0
	if x > 0 {
		lo = distuv.ChiSquared{K: float64(2 * x)}.Quantile(0.025) / 2
	}
	hi := distuv.ChiSquared{K: float64(2*x + 2)}.Quantile(0.975) / 2
	return Interval{Lower: lo, Upper: hi}
}

// Byar returns Byar's approximation to the exact 95% Poisson limits (Breslow & Day 1987),
// as PHEindicatormethods byars_lower / byars_upper:
//
//	lower = x (1 − 1/(9x) − z/(3√x))³,  upper = (x+1) (1 − 1/(9(x+1)) + z/(3√(x+1)))³
//
// It is meant for x ≥ 10 (PoissonCount picks); at x = 0 the lower limit is taken as 0.
func Byar(x int64) Interval {
	fx := float64(x)
	lo := 0.0
	if x > 0 {
		lo = fx * math.Pow(1-1/(9*fx)-z95/(3*math.Sqrt(fx)), 3)
	}
	x1 := fx + 1
	hi := x1 * math.Pow(1-1/(9*x1)+z95/(3*math.Sqrt(x1)), 3)
	return Interval{Lower: math.Max(lo, 0), Upper: hi}
}

// PoissonRate returns the 95% interval of the rate x / exposure × per (e.g. per = 1000 for
// a rate per 1,000 registered patients), from PoissonCount's limits on the count.
func PoissonRate(x int64, exposure, per float64) (Interval, error) {
	if exposure <= 0 {
		return Interval{}, fmt.Errorf("poisson rate: exposure %g is not positive", exposure)
	}
	ci, err := PoissonCount(x)
	if err != nil {
		return Interval{}, err
	}
	return Interval{Lower: ci.Lower / exposure * per, Upper: ci.Upper / exposure * per}, nil
}
