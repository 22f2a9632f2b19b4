package stats

import (
	"math"
)

// Is the gap narrowing? The SII of each period, with its interval, regressed on period
// order with inverse-variance weights (each SII's standard error from its interval,
// (upper − lower) / (2 × 1.959964)): the slope with its 95% interval, and a reading of
// the fitted line from the first period to the last.

// TrendPoint is one period's SII: X its order (0, 1, 2, …), CI its 95% interval.
type TrendPoint struct {
	X, Value float64
	CI       Interval
}

// Trend directions of the SII across periods.
const (
	TrendNarrowing        = "narrowing"         // |SII| falling, same sign
	TrendWidening         = "widening"          // |SII| rising, same sign
	TrendChangedDirection = "changed_direction" // the fitted SII crosses 0
	TrendNoClearChange    = "no_clear_change"   // the slope's interval spans 0
)

// TrendResult is the weighted regression of SII on period order.
type TrendResult struct {
	Slope       float64  // change in SII per period
	CI          Interval // 95%, normal
	Points      int
	First, Last float64 // the fitted SII at the first and last period
	Direction   string
}

// MinTrendPoints is the fewest periods a trend is fitted over.
const MinTrendPoints = 3

// SIITrend fits the trend; points with no spread in their interval are left out (they
// would take all the weight).
func SIITrend(points []TrendPoint) (TrendResult, error) {
	var xs, ys, ws []float64
	for _, p := range points {
		se := (p.CI.Upper - p.CI.Lower) / (2 * z95)
		if !(se > 0) || math.IsNaN(p.Value) {
			continue
		}
		xs, ys, ws = append(xs, p.X), append(ys, p.Value), append(ws, 1/(se*se))
	}
	res := TrendResult{Points: len(xs)}
	if len(xs) < MinTrendPoints {
		return res, insufficient("fewer than %d periods with an SII interval (%d)", MinTrendPoints, len(xs))
	}
	var sw, sx, sy float64
	for i := range xs {
		sw += ws[i]
		sx += ws[i] * xs[i]
		sy += ws[i] * ys[i]
	}
	xbar, ybar := sx/sw, sy/sw
	var sxx, sxy float64
	for i := range xs {
		sxx += ws[i] * (xs[i] - xbar) * (xs[i] - xbar)
		sxy += ws[i] * (xs[i] - xbar) * (ys[i] - ybar)
	}
	if sxx == 0 {
		return res, insufficient("all periods at one point")
	}
	res.Slope = sxy / sxx
	half := z95 / math.Sqrt(sxx) // the variances are known: no residual scale
	res.CI = Interval{Lower: res.Slope - half, Upper: res.Slope + half}
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	res.First = ybar + res.Slope*(lo-xbar)
	res.Last = ybar + res.Slope*(hi-xbar)
	switch {
	case res.CI.Contains(0):
		res.Direction = TrendNoClearChange
	case res.First*res.Last < 0:
		res.Direction = TrendChangedDirection
	case math.Abs(res.Last) < math.Abs(res.First):
		res.Direction = TrendNarrowing
	default:
		res.Direction = TrendWidening
	}
	return res, nil
}
