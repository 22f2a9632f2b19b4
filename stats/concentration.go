package stats

import "math"

// ConcentrationResult is the concentration index of a measure over ordered strata.
// Mean and ACI are per unit of denominator (a proportion, or events per person for
// rates); Erreygers is NaN for rates, which have no upper bound.
type ConcentrationResult struct {
	RCI       float64  // relative concentration index
	CI        Interval // 95% interval of RCI
	SE        float64
	Mean      float64 // μ, the overall value
	ACI       float64 // absolute (generalised) index μ·RCI
	Erreygers float64 // 4μ·RCI, for proportions bounded by [0, 1]
	N         float64 // people (total denominator) the variance rests on
}

// Concentration computes the concentration index over grouped ranks, strata ordered from
// most to least deprived (so, like the SII, a negative index means the measure is
// concentrated among the more deprived):
//
//	RCI = 2 Σ a_j μ_j b_j / μ − 1
//
// with a_j and b_j the strata's denominator shares and mid-point ranks (GroupedRanks).
// Its variance is the grouped-data formula of Kakwani, Wagstaff & van Doorslaer (1997,
// J Econometrics 77:87–103), as in O'Donnell et al. (2008, eq. 8.7):
//
//	var = (1/n) [Σ a_j w_j² − (1 + C)²] + (1/(n μ²)) Σ a_j σ_j² (2b_j − 1 − C)²
//	w_j = (μ_j/μ)(2b_j − 1 − C) + 2 − q_{j−1} − q_j,  q_j = Σ_{k≤j} a_k μ_k / μ
//
// where n is the total denominator and σ_j² the within-stratum variance of the individual
// outcome: μ_j(1 − μ_j) for a proportion, μ_j for a rate (a Poisson count per person).
func Concentration(strata []Stratum, kind Kind) (ConcentrationResult, error) {
	s, err := nonEmpty(strata)
	if err != nil {
		return ConcentrationResult{}, err
	}
	den := make([]float64, len(s))
	mu := make([]float64, len(s))
	var n, events float64
	for j, st := range s {
		den[j] = st.Denominator
		mu[j] = st.Numerator / st.Denominator
		n += st.Denominator
		events += st.Numerator
	}
	if events <= 0 {
		return ConcentrationResult{}, insufficient("no events in any stratum (concentration index undefined)")
	}
	a, b := GroupedRanks(den)
	m := events / n
	var sum float64
	for j := range s {
		sum += a[j] * mu[j] * b[j]
	}
	c := 2*sum/m - 1

	var sw, sv, qPrev float64
	for j := range s {
		q := qPrev + a[j]*mu[j]/m
		w := mu[j]/m*(2*b[j]-1-c) + 2 - qPrev - q
		sw += a[j] * w * w
		sigma2 := mu[j]
		if kind == Proportion {
			sigma2 = mu[j] * (1 - mu[j])
		}
		d := 2*b[j] - 1 - c
		sv += a[j] * sigma2 * d * d
		qPrev = q
	}
	// The first term is a difference of nearly equal sums; rounding can take it a hair
	// below zero when the outcome barely varies between strata.
	v := math.Max((sw-(1+c)*(1+c))/n+sv/(n*m*m), 0)
	se := math.Sqrt(v)
	res := ConcentrationResult{
		RCI: c, SE: se, Mean: m, ACI: m * c, N: n,
		CI:        Interval{Lower: c - z95*se, Upper: c + z95*se},
		Erreygers: math.NaN(),
	}
	if kind == Proportion {
		res.Erreygers = 4 * m * c
	}
	return res, nil
}

// Discordant reports whether the concentration index tells a different story from the
// SII: a different sign, or one interval excluding 0 while the other does not.
func Discordant(sii SIIResult, rci ConcentrationResult) bool {
	sigS := !sii.SIICI.Contains(0)
	sigC := !rci.CI.Contains(0)
	return sign(sii.SII) != sign(rci.RCI) || sigS != sigC
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}
