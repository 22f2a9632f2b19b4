package stats

import (
	"errors"
	"math"
	"testing"
)

// TestConcentrationWorked is a case small enough to do by hand.
//
// Strata (most deprived first): 40/100, 60/200, 20/100; n = 400.
// a = ¼, ½, ¼; b = ⅛, ½, ⅞; μ_j = 0.4, 0.3, 0.2; μ = 120/400 = 0.3.
// Σ a μ b = ¼·0.4·⅛ + ½·0.3·½ + ¼·0.2·⅞ = 0.0125 + 0.075 + 0.04375 = 0.13125
// RCI = 2·0.13125/0.3 − 1 = −0.125; ACI = 0.3·−0.125 = −0.0375; E = 4·0.3·−0.125 = −0.15.
// Variance: q = ⅓, ⅚, 1 and 2b − 1 − C = −⅝, ⅛, ⅞, so
// w = (4/3)(−⅝) + 2 − 0 − ⅓ = ⅚;  w = 1·⅛ + 2 − ⅓ − ⅚ = 23/24;  w = (⅔)(⅞) + 2 − ⅚ − 1 = ¾
// Σ a w² = ¼·25/36 + ½·529/576 + ¼·9/16 = 891/1152; (1 + C)² = 49/64 = 882/1152;
// first term = (9/1152)/400 = 45/2304000.
// σ² = μ(1 − μ) = 0.24, 0.21, 0.16; Σ a σ² (2b − 1 − C)² = 0.0234375 + 0.001640625 +
// 0.030625 = 0.055703125; over nμ² = 36: 3565/2304000.
// var = 3610/2304000 = (19/480)², se = 19/480; 95% CI = −0.125 ± z·19/480.
func TestConcentrationWorked(t *testing.T) {
	s := []Stratum{{Label: "1", Numerator: 40, Denominator: 100}, {Label: "2", Numerator: 60, Denominator: 200},
		{Label: "3", Numerator: 20, Denominator: 100}}
	got, err := Concentration(s, Proportion)
	if err != nil {
		t.Fatal(err)
	}
	se := 19.0 / 480
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"rci", got.RCI, -0.125}, {"aci", got.ACI, -0.0375}, {"erreygers", got.Erreygers, -0.15},
		{"mean", got.Mean, 0.3}, {"se", got.SE, se},
		{"lower", got.CI.Lower, -0.125 - z95*se}, {"upper", got.CI.Upper, -0.125 + z95*se},
	} {
		if !relClose(c.got, c.want, 1e-9) {
			t.Errorf("%s = %.17g, want %.17g", c.name, c.got, c.want)
		}
	}
	// Reversing the order (least deprived first) mirrors the index.
	rev, err := Concentration([]Stratum{s[2], s[1], s[0]}, Proportion)
	if err != nil {
		t.Fatal(err)
	}
	if !relClose(rev.RCI, 0.125, 1e-9) || !relClose(rev.SE, se, 1e-9) {
		t.Errorf("reversed: RCI %g SE %g", rev.RCI, rev.SE)
	}
}

func TestConcentrationRate(t *testing.T) {
	// Equal rates everywhere: no concentration, and no Erreygers index for a rate.
	s := []Stratum{{Label: "1", Numerator: 10, Denominator: 1000}, {Label: "2", Numerator: 20, Denominator: 2000},
		{Label: "3", Numerator: 30, Denominator: 3000}}
	got, err := Concentration(s, Rate)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.RCI) > 1e-12 || !math.IsNaN(got.Erreygers) || !got.CI.Contains(0) {
		t.Errorf("flat rates: %+v", got)
	}
}

func TestConcentrationInsufficient(t *testing.T) {
	for name, s := range map[string][]Stratum{
		"two strata": {{Numerator: 1, Denominator: 10}, {Numerator: 2, Denominator: 10}, {}},
		"no events":  {{Denominator: 10}, {Denominator: 10}, {Denominator: 10}},
	} {
		var ide *InsufficientDataError
		if _, err := Concentration(s, Proportion); !errors.As(err, &ide) {
			t.Errorf("%s: err = %v, want InsufficientDataError", name, err)
		}
	}
}

func TestDiscordant(t *testing.T) {
	sii := func(v, lo, hi float64) SIIResult { return SIIResult{SII: v, SIICI: Interval{lo, hi}} }
	rci := func(v, lo, hi float64) ConcentrationResult { return ConcentrationResult{RCI: v, CI: Interval{lo, hi}} }
	cases := []struct {
		name string
		s    SIIResult
		c    ConcentrationResult
		want bool
	}{
		{"both significant negative", sii(-0.1, -0.2, -0.05), rci(-0.05, -0.08, -0.02), false},
		{"both spanning zero", sii(-0.1, -0.3, 0.1), rci(0.01, -0.02, 0.04), true}, // signs differ
		{"same sign, both spanning", sii(-0.1, -0.3, 0.1), rci(-0.01, -0.04, 0.02), false},
		{"significance differs", sii(-0.1, -0.2, -0.05), rci(-0.01, -0.04, 0.02), true},
		{"sign differs", sii(0.1, 0.05, 0.2), rci(-0.05, -0.08, -0.02), true},
	}
	for _, c := range cases {
		if got := Discordant(c.s, c.c); got != c.want {
			t.Errorf("%s: Discordant = %v, want %v", c.name, got, c.want)
		}
	}
}
