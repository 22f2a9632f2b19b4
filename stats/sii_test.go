package stats

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// area2 is "Area2" of PHEindicatormethods' SII test data: a proportion by IMD decile,
// decile 1 (most deprived) first.
var (
	area2Num = []int64{4362, 3734, 3032, 2561, 2304, 2024, 1938, 1981, 1856, 1635}
	area2Den = []int64{36111, 31803, 26681, 24184, 23023, 21506, 22197, 23679, 23271, 23464}
)

// proportionStrata builds Wilson strata from counts, labelled "decile 1" onwards.
func proportionStrata(t testing.TB, num, den []int64) []Stratum {
	t.Helper()
	s := make([]Stratum, len(num))
	for j := range num {
		st := Stratum{Label: fmt.Sprintf("decile %d", j+1), Numerator: float64(num[j]), Denominator: float64(den[j])}
		if den[j] > 0 {
			ci, err := Wilson(num[j], den[j])
			if err != nil {
				t.Fatal(err)
			}
			st.Value, st.CI = float64(num[j])/float64(den[j]), ci
		}
		s[j] = st
	}
	return s
}

// simulateSII is PHE's simulated interval (SimulationFunc with transform = TRUE), the
// cross-check for the closed form: draw each stratum's transformed value from
// N(y_j, se_j), refit the slope, take the sorted slopes at positions round(reps × 0.025)
// and round(reps × 0.975) (1-based, as R), and back-transform about x_h.
func simulateSII(strata []Stratum, kind Kind, reps int, seed uint64) (sii, rii Interval) {
	den := make([]float64, len(strata))
	for j, s := range strata {
		den[j] = s.Denominator
	}
	a, b := GroupedRanks(den)
	y := make([]float64, len(strata))
	se := make([]float64, len(strata))
	for j, s := range strata {
		y[j] = kind.transform(s.Value)
		se[j] = (kind.transform(s.CI.Upper) - kind.transform(s.CI.Lower)) / (2 * z95)
	}
	slope := func(y []float64) (alpha, beta float64) {
		var bbar, ybar, sbb, sby float64
		for j := range y {
			bbar += a[j] * b[j]
			ybar += a[j] * y[j]
		}
		for j := range y {
			sbb += a[j] * (b[j] - bbar) * (b[j] - bbar)
			sby += a[j] * (b[j] - bbar) * (y[j] - ybar)
		}
		beta = sby / sbb
		return ybar - beta*bbar, beta
	}
	alpha, beta := slope(y)
	xh := alpha + beta/2
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	betas := make([]float64, reps)
	draw := make([]float64, len(y))
	for r := range betas {
		for j := range y {
			draw[j] = y[j] + se[j]*rng.NormFloat64()
		}
		_, betas[r] = slope(draw)
	}
	sort.Float64s(betas)
	lo := betas[int(math.Round(float64(reps)*0.025))-1]
	hi := betas[int(math.Round(float64(reps)*0.975))-1]
	sLo, rLo := kind.pivot(xh, lo)
	sHi, rHi := kind.pivot(xh, hi)
	return Interval{sLo, sHi}, Interval{rLo, rHi}
}

func TestSIIArea2(t *testing.T) {
	s := proportionStrata(t, area2Num, area2Den)
	got, err := SII(s, Proportion)
	if err != nil {
		t.Fatal(err)
	}
	// Point estimates: phe_sii(value_type = 2, transform = TRUE) on Area2.
	if !relClose(got.SII, -0.05970061643992898, 1e-9) {
		t.Errorf("SII = %.17g, want -0.05970061643992898", got.SII)
	}
	if !relClose(got.RII, 0.54720744261319809, 1e-9) {
		t.Errorf("RII = %.17g, want 0.54720744261319809", got.RII)
	}
	// PHE's simulated limits (100,000 reps); the closed form should be within 1%.
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"sii lower", got.SIICI.Lower, -0.063924}, {"sii upper", got.SIICI.Upper, -0.055461},
		{"rii lower", got.RIICI.Lower, 0.524843}, {"rii upper", got.RIICI.Upper, 0.570711},
	} {
		if !relClose(c.got, c.want, 0.01) {
			t.Errorf("%s = %.6f, want %.6f within 1%%", c.name, c.got, c.want)
		}
	}
	// The seeded simulation is the same method as PHE's: it should agree with PHE's
	// published limits and with the closed form to within simulation error.
	simS, simR := simulateSII(s, Proportion, 20000, 5)
	for _, c := range []struct {
		name           string
		sim, closed, p float64
	}{
		{"sii lower", simS.Lower, got.SIICI.Lower, -0.063924}, {"sii upper", simS.Upper, got.SIICI.Upper, -0.055461},
		{"rii lower", simR.Lower, got.RIICI.Lower, 0.524843}, {"rii upper", simR.Upper, got.RIICI.Upper, 0.570711},
	} {
		if !relClose(c.sim, c.closed, 0.01) || !relClose(c.sim, c.p, 0.01) {
			t.Errorf("%s: simulated %.6f, closed form %.6f, PHE %.6f", c.name, c.sim, c.closed, c.p)
		}
	}
}

// TestSIIOnALine uses strata whose transformed values lie exactly on a line, so the
// estimates and the closed-form interval can be worked by hand.
//
// Three equal strata: a = 1/3 each, b = 1/6, 1/2, 5/6. Rates 100·¼^b, so log(rate) =
// ln 100 + ln(¼)·b exactly: α = ln 100, β = ln ¼, SII = 100·¼ − 100 = −75, RII = ¼.
// Each interval is rate·exp(±0.1z), so se_j = 0.1 on the log scale. With b̄ = ½,
// Σ a(b − ½)² = 2 · ⅓ · (⅓)² = 2/27 and c = ⅓(∓⅓)/(2/27) = ∓1.5, 0, so
// V = 2.25 (0.01 + 0.01) = 0.045. The pivot is x_h = ln 100 + ln(¼)/2 = ln 50, so
// SII limits = 50 (e^{β±/2} − e^{−β±/2}) = 100 sinh(β±/2) with β± = ln ¼ ± z√0.045, and
// RII limits = e^{β±}.
func TestSIIOnALine(t *testing.T) {
	b := []float64{1.0 / 6, 0.5, 5.0 / 6}
	rate := make([]Stratum, 3)
	for j := range rate {
		v := 100 * math.Pow(0.25, b[j])
		rate[j] = Stratum{Label: fmt.Sprint(j + 1), Numerator: 50, Denominator: 1000, Value: v,
			CI: Interval{v * math.Exp(-0.1*z95), v * math.Exp(0.1*z95)}}
	}
	betaLo, betaHi := math.Log(0.25)-z95*math.Sqrt(0.045), math.Log(0.25)+z95*math.Sqrt(0.045)
	// The logit version: p_j = expit(−1 + 2b_j), so SII = expit(1) − expit(−1) and
	// RII = expit(1)/expit(−1) = e (since expit(1)/expit(−1) = e¹·(1+e⁻¹)/(1+e¹) = e).
	expit := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	prop := make([]Stratum, 3)
	for j := range prop {
		p := expit(-1 + 2*b[j])
		prop[j] = Stratum{Label: fmt.Sprint(j + 1), Numerator: 50, Denominator: 100, Value: p, CI: Interval{0.1, 0.9}}
	}
	cases := []struct {
		name     string
		strata   []Stratum
		kind     Kind
		sii, rii float64
		siiCI    *Interval
		riiCI    *Interval
	}{
		{"log", rate, Rate, -75, 0.25,
			&Interval{100 * math.Sinh(betaLo/2), 100 * math.Sinh(betaHi/2)},
			&Interval{math.Exp(betaLo), math.Exp(betaHi)}},
		{"logit", prop, Proportion, expit(1) - expit(-1), math.E, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := SII(c.strata, c.kind)
			if err != nil {
				t.Fatal(err)
			}
			if !relClose(got.SII, c.sii, 1e-12) || !relClose(got.RII, c.rii, 1e-12) {
				t.Errorf("SII, RII = %.15g, %.15g; want %.15g, %.15g", got.SII, got.RII, c.sii, c.rii)
			}
			if c.siiCI != nil && (!relClose(got.SIICI.Lower, c.siiCI.Lower, 1e-12) || !relClose(got.SIICI.Upper, c.siiCI.Upper, 1e-12)) {
				t.Errorf("SII CI = %v, want %v", got.SIICI, *c.siiCI)
			}
			if c.riiCI != nil && (!relClose(got.RIICI.Lower, c.riiCI.Lower, 1e-12) || !relClose(got.RIICI.Upper, c.riiCI.Upper, 1e-12)) {
				t.Errorf("RII CI = %v, want %v", got.RIICI, *c.riiCI)
			}
		})
	}
}

// TestSIIOrientation: reversing the strata (least deprived first) must flip the SII's
// sign and invert the RII, and empty strata must change nothing.
func TestSIIOrientation(t *testing.T) {
	s := proportionStrata(t, area2Num, area2Den)
	fwd, err := SII(s, Proportion)
	if err != nil {
		t.Fatal(err)
	}
	rev := make([]Stratum, len(s))
	for j := range s {
		rev[len(s)-1-j] = s[j]
	}
	back, err := SII(rev, Proportion)
	if err != nil {
		t.Fatal(err)
	}
	if !relClose(back.SII, -fwd.SII, 1e-9) || !relClose(back.RII, 1/fwd.RII, 1e-9) {
		t.Errorf("reversed: SII %g RII %g; forward SII %g RII %g", back.SII, back.RII, fwd.SII, fwd.RII)
	}
	withEmpty := append([]Stratum{{Label: "decile 0"}}, s...)
	withEmpty = append(withEmpty[:5], append([]Stratum{{Label: "gap"}}, withEmpty[5:]...)...)
	gap, err := SII(withEmpty, Proportion)
	if err != nil {
		t.Fatal(err)
	}
	if gap != fwd {
		t.Errorf("empty strata changed the SII: %+v vs %+v", gap, fwd)
	}
}

func TestSIIInsufficient(t *testing.T) {
	ok := proportionStrata(t, []int64{10, 20, 30}, []int64{100, 100, 100})
	cases := []struct {
		name   string
		strata []Stratum
		kind   Kind
		reason string
	}{
		{"two non-empty strata", proportionStrata(t, []int64{10, 0, 30}, []int64{100, 0, 100}), Proportion,
			"fewer than 3 non-empty strata (2)"},
		{"zero numerator", proportionStrata(t, []int64{10, 0, 30}, []int64{100, 100, 100}), Proportion,
			"decile 2 has numerator 0 (logit undefined)"},
		{"numerator equals denominator", proportionStrata(t, []int64{100, 20, 30}, []int64{100, 100, 100}), Proportion,
			"decile 1 has numerator equal to its denominator (logit undefined)"},
		{"zero rate", []Stratum{ok[0], {Label: "decile 2", Denominator: 100}, ok[2]}, Rate,
			"decile 2 has numerator 0 (log undefined)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := SII(c.strata, c.kind)
			var ide *InsufficientDataError
			if !errors.As(err, &ide) || ide.Reason != c.reason {
				t.Errorf("err = %v, want reason %q", err, c.reason)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	res := func(sii, lo, hi float64) SIIResult {
		return SIIResult{SII: sii, SIICI: Interval{lo, hi}}
	}
	noPop := &InsufficientDataError{Reason: "no population file"}
	cases := []struct {
		name    string
		res     SIIResult
		err     error
		pol     Polarity
		verdict string
		reason  string // a substring of the reason
	}{
		{"redistributive", res(-0.13, -0.19, -0.07), nil, Favourable, VerdictRedistributive, "-0.13 (95% CI -0.19 to -0.07)"},
		{"non redistributive", res(0.1, 0.02, 0.18), nil, Favourable, VerdictNonRedistributive, "lies above 0"},
		{"spans zero", res(-0.05, -0.12, 0.02), nil, Favourable, VerdictNoClearGradient, "spans 0"},
		{"upper limit exactly 0", res(-0.05, -0.1, 0), nil, Favourable, VerdictNoClearGradient, "spans 0"},
		{"too few strata", SIIResult{}, insufficient("fewer than 3 non-empty strata (2)"), Favourable, VerdictInsufficientData, "fewer than 3"},
		{"logit undefined", SIIResult{}, insufficient("quintile 2 has numerator 0 (logit undefined)"), Favourable, VerdictInsufficientData, "numerator 0"},
		{"no population", SIIResult{}, fmt.Errorf("reach: %w", noPop), Favourable, VerdictInsufficientData, "no population file"},
		{"adverse", res(-0.13, -0.19, -0.07), nil, Adverse, VerdictNotApplicable, "shown for information"},
		{"adverse without sii", SIIResult{}, insufficient("fewer than 3 non-empty strata (1)"), Adverse, VerdictNotApplicable, "SII not computed: fewer than 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Judge(c.res, c.err, c.pol)
			if got.Verdict != c.verdict || !strings.Contains(got.Reason, c.reason) {
				t.Errorf("Judge = %+v, want %s with %q", got, c.verdict, c.reason)
			}
		})
	}
}
