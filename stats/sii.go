package stats

import (
	"errors"
	"fmt"
	"math"
)

// Kind is what a measure's values are; it decides the SII's transform (PHE phe_sii with
// transform = TRUE: logit for proportions, log for rates) and the concentration index's
// within-stratum variance.
type Kind int

const (
	// Proportion: numerator ≤ denominator, value = numerator / denominator.
	Proportion Kind = iota + 1
	// Rate: a count over an exposure (e.g. people referred per 1,000 registered).
	Rate
	// Mean: a mean of person-level values (e.g. the mean change in a wellbeing score),
	// fitted untransformed (phe_sii for values that need no transform). Its strata carry
	// their standard errors (Stratum.SE) and Denominator is the people averaged.
	Mean
)

func (k Kind) String() string {
	switch k {
	case Proportion:
		return "proportion"
	case Rate:
		return "rate"
	case Mean:
		return "mean"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// transform maps a value to the scale the regression is fitted on.
func (k Kind) transform(v float64) float64 {
	switch k {
	case Rate:
		return math.Log(v)
	case Mean:
		return v
	}
	return math.Log(v / (1 - v))
}

// inverse maps a fitted value back to the value scale.
func (k Kind) inverse(t float64) float64 {
	switch k {
	case Rate:
		return math.Exp(t)
	case Mean:
		return t
	}
	return 1 / (1 + math.Exp(-t))
}

func (k Kind) transformName() string {
	switch k {
	case Rate:
		return "log"
	case Mean:
		return "identity"
	}
	return "logit"
}

// Stratum is one group of an ordered dimension (1 = most deprived first) with its value
// and 95% interval on the value scale (Wilson for proportions, Poisson for rates, already
// multiplied for rates). Label names it in reasons ("quintile 3").
type Stratum struct {
	Label                  string
	Numerator, Denominator float64
	Value                  float64
	CI                     Interval
	// SE, when positive, is the stratum's standard error on the fitted scale, used
	// instead of one derived from CI (a mean's s/√n, where CI is a t interval).
	SE float64
}

// InsufficientDataError says why a summary measure cannot be computed; Reason is the plain
// English that becomes verdict_reason.
type InsufficientDataError struct {
	Reason string
}

func (e *InsufficientDataError) Error() string { return "insufficient data: " + e.Reason }

func insufficient(format string, args ...any) error {
	return &InsufficientDataError{Reason: fmt.Sprintf(format, args...)}
}

// MinStrata is the fewest non-empty strata a summary across strata is computed from.
const MinStrata = 3

// nonEmpty keeps the strata with a positive denominator, in order: a stratum with no
// denominator has no weight in the regression (design §4), so it is left out rather than
// failing the whole summary as PHE does.
func nonEmpty(strata []Stratum) ([]Stratum, error) {
	out := make([]Stratum, 0, len(strata))
	for _, s := range strata {
		if s.Denominator > 0 {
			out = append(out, s)
		}
	}
	if len(out) < MinStrata {
		return nil, insufficient("fewer than %d non-empty strata (%d)", MinStrata, len(out))
	}
	return out, nil
}

// GroupedRanks returns, for strata in order with denominators den, the weights a_j (share
// of the total denominator) and relative ranks b_j (mid-point of the stratum's cumulative
// share), as PHE's FindXValues: the first stratum, the most deprived, gets the smallest b.
func GroupedRanks(den []float64) (a, b []float64) {
	var total float64
	for _, d := range den {
		total += d
	}
	a = make([]float64, len(den))
	b = make([]float64, len(den))
	cum := 0.0
	for j, d := range den {
		a[j] = d / total
		b[j] = cum + a[j]/2
		cum += a[j]
	}
	return a, b
}

// SIIResult is the slope and relative index of inequality with their 95% intervals.
// Intercept and Slope are α and β on the transformed scale, SlopeSE is √V.
type SIIResult struct {
	SII, RII         float64
	SIICI, RIICI     Interval
	Intercept, Slope float64
	SlopeSE          float64
	Strata           int // non-empty strata used
}

// SII computes the slope index of inequality as PHEindicatormethods phe_sii with
// transform = TRUE and multiplier = 1, strata ordered from most to least deprived:
// weighted least squares of T(value_j) on b_j with weights a_j, back-transformed as
// SII = g(α+β) − g(α) and RII = g(α+β)/g(α). b = 0 is the most deprived end, so SII < 0
// means higher values in the more deprived.
//
// PHE gets the 95% interval by simulation; this is the closed form of design §4: each
// stratum's standard error on the transformed scale comes from its 95% interval,
// se_j = (T(upper_j) − T(lower_j)) / (2z); β is linear in the y_j with coefficients
// c_j = a_j (b_j − b̄) / Σ a_j (b_j − b̄)², so V = Σ c_j² se_j²; β's limits β ± z√V are
// back-transformed with the line pivoted about its mid-point x_h = α + β/2, which is what
// PHE does with each simulated slope.
func SII(strata []Stratum, kind Kind) (SIIResult, error) {
	s, err := nonEmpty(strata)
	if err != nil {
		return SIIResult{}, err
	}
	for _, st := range s {
		if kind == Mean {
			continue // any value is on the scale; no transform to be undefined
		}
		if st.Numerator <= 0 {
			return SIIResult{}, insufficient("%s has numerator 0 (%s undefined)", st.Label, kind.transformName())
		}
		if kind == Proportion && st.Numerator >= st.Denominator {
			return SIIResult{}, insufficient("%s has numerator equal to its denominator (logit undefined)", st.Label)
		}
	}
	den := make([]float64, len(s))
	for j, st := range s {
		den[j] = st.Denominator
	}
	a, b := GroupedRanks(den)
	y := make([]float64, len(s))
	se := make([]float64, len(s))
	var bbar, ybar float64
	for j, st := range s {
		y[j] = kind.transform(st.Value)
		se[j] = (kind.transform(st.CI.Upper) - kind.transform(st.CI.Lower)) / (2 * z95)
		if st.SE > 0 {
			se[j] = st.SE
		}
		bbar += a[j] * b[j]
		ybar += a[j] * y[j]
	}
	var sbb, sby float64
	for j := range s {
		sbb += a[j] * (b[j] - bbar) * (b[j] - bbar)
		sby += a[j] * (b[j] - bbar) * (y[j] - ybar)
	}
	beta := sby / sbb
	alpha := ybar - beta*bbar
	var v float64
	for j := range s {
		c := a[j] * (b[j] - bbar) / sbb
		v += c * c * se[j] * se[j]
	}
	if math.IsNaN(beta) || math.IsNaN(v) || math.IsInf(v, 0) {
		return SIIResult{}, insufficient("the regression is undefined for these strata")
	}
	half := z95 * math.Sqrt(v)
	res := SIIResult{
		Intercept: alpha, Slope: beta, SlopeSE: math.Sqrt(v), Strata: len(s),
	}
	res.SII, res.RII = kind.pivot(alpha+beta/2, beta)
	loS, loR := kind.pivot(alpha+beta/2, beta-half)
	hiS, hiR := kind.pivot(alpha+beta/2, beta+half)
	res.SIICI = Interval{Lower: loS, Upper: hiS}
	res.RIICI = Interval{Lower: loR, Upper: hiR}
	return res, nil
}

// pivot back-transforms the line through (½, xh) with slope beta: the SII is its rise from
// b = 0 to b = 1 on the value scale and the RII the ratio of its ends. Both increase with
// beta, so the limits of beta give the limits of each.
func (k Kind) pivot(xh, beta float64) (sii, rii float64) {
	y0, y1 := k.inverse(xh-beta/2), k.inverse(xh+beta/2)
	return y1 - y0, y1 / y0
}

// Polarity says whether a higher value of a measure is better for the people concerned.
type Polarity int

const (
	Favourable Polarity = iota + 1
	Adverse
)

// Verdict values (design §4, lower case as stored).
const (
	VerdictRedistributive    = "redistributive"
	VerdictNonRedistributive = "non_redistributive"
	VerdictNoClearGradient   = "no_clear_gradient"
	VerdictInsufficientData  = "insufficient_data"
	VerdictNotApplicable     = "not_applicable"
)

// Verdict is the equity reading of one measure's SII.
type Verdict struct {
	Verdict string
	Reason  string
}

// Judge turns an SII (or the error SII returned) into the design's verdict. A favourable
// measure that rises with deprivation (SII and its whole interval below 0) is
// redistributive; one that falls (interval above 0) is non-redistributive. Adverse
// measures (dna) are not read for the axis: more DNAs among the deprived is not provision
// rising with need.
func Judge(res SIIResult, err error, pol Polarity) Verdict {
	var ide *InsufficientDataError
	if pol == Adverse {
		reason := "adverse measure (higher is worse): not read for the redistributive axis"
		switch {
		case errors.As(err, &ide):
			reason += "; SII not computed: " + ide.Reason
		case err == nil:
			reason += fmt.Sprintf("; SII %s shown for information", formatSII(res))
		}
		return Verdict{Verdict: VerdictNotApplicable, Reason: reason}
	}
	if err != nil {
		if errors.As(err, &ide) {
			return Verdict{Verdict: VerdictInsufficientData, Reason: ide.Reason}
		}
		return Verdict{Verdict: VerdictInsufficientData, Reason: err.Error()}
	}
	switch {
	case res.SII < 0 && res.SIICI.Upper < 0:
		return Verdict{VerdictRedistributive, fmt.Sprintf("SII %s: the whole interval lies below 0, higher in the more deprived strata", formatSII(res))}
	case res.SII > 0 && res.SIICI.Lower > 0:
		return Verdict{VerdictNonRedistributive, fmt.Sprintf("SII %s: the whole interval lies above 0, higher in the less deprived strata", formatSII(res))}
	default:
		return Verdict{VerdictNoClearGradient, fmt.Sprintf("SII %s: the interval spans 0", formatSII(res))}
	}
}

func formatSII(res SIIResult) string {
	return fmt.Sprintf("%.3g (95%% CI %.3g to %.3g)", res.SII, res.SIICI.Lower, res.SIICI.Upper)
}
