package stats

import (
	"fmt"
	"math"
)

// Summary measures of inequality across non-ordered groups (age band, sex, ethnic group),
// as WHO's healthequal package defines them (design §4; Schlotheuber & Hosseinpoor 2022),
// on the measure's published unit (percent 0–100 for proportions, per 1,000 for rates),
// each group weighted by its share of the denominator.

// Group is one group of a non-ordered dimension.
type Group struct {
	Label string
	Value float64  // on the published unit
	Pop   float64  // the denominator: the group's weight
	CI    Interval // 95% interval on the same unit (for the standard error)
}

// GroupSummary holds the measures; a measure whose OK flag is false is not defined for
// these groups (too few, or a zero value where a ratio or logarithm needs one).
type GroupSummary struct {
	Groups      int
	Best, Worst string  // by polarity; ties go to the first group in the given order
	Mean        float64 // μ, the denominator-weighted mean

	D, R       float64 // highest − lowest, highest / lowest
	DOK, ROK   bool
	BGV, BGVSE float64 // between-group variance and its standard error
	MDMU, MDMW float64 // mean difference from the mean, unweighted and weighted
	IDISU      float64 // index of disparity, unweighted: MDMU / μ × 100
	IDISW      float64 // weighted: MDMW / μ × 100
	TI, MLD    float64 // Theil index and mean log deviation, × 1,000
	TIOK       bool    // false when a group's value is 0
	PARisk     float64 // population attributable risk: best − μ
	PAF        float64 // population attributable fraction: PARisk / μ × 100
	ComplexOK  bool    // the measures that need 3 or more groups were computed
	RelativeOK bool    // μ ≠ 0: the relative measures (IDIS, PAF) are defined
}

// MinGroupsSimple and MinGroupsComplex are the fewest groups the simple (d, r) and the
// complex measures need (healthequal: complex measures "more than two subgroups").
const (
	MinGroupsSimple  = 2
	MinGroupsComplex = 3
)

// GroupMeasures computes the summary measures over groups (those that take part: the
// caller leaves out groups whose denominator is at or below the disclosure threshold).
// favourable says whether a higher value is better: the best group is then the highest.
func GroupMeasures(groups []Group, favourable bool) (GroupSummary, error) {
	s := GroupSummary{Groups: len(groups)}
	if len(groups) < MinGroupsSimple {
		return s, insufficient("fewer than %d groups (%d)", MinGroupsSimple, len(groups))
	}
	var total float64
	for _, g := range groups {
		if g.Pop <= 0 {
			return s, fmt.Errorf("group measures: %s has denominator %g", g.Label, g.Pop)
		}
		total += g.Pop
	}
	hi, lo := 0, 0
	for j, g := range groups {
		if g.Value > groups[hi].Value {
			hi = j
		}
		if g.Value < groups[lo].Value {
			lo = j
		}
		s.Mean += g.Pop / total * g.Value
	}
	best, worst := hi, lo
	if !favourable {
		best, worst = lo, hi
	}
	s.Best, s.Worst = groups[best].Label, groups[worst].Label
	s.D, s.DOK = groups[hi].Value-groups[lo].Value, true
	if groups[lo].Value != 0 {
		s.R, s.ROK = groups[hi].Value/groups[lo].Value, true
	}
	if len(groups) < MinGroupsComplex {
		return s, nil
	}
	s.ComplexOK = true
	mu := s.Mean
	var se2, s2, s4, se4 float64
	s.TIOK = true
	for _, g := range groups {
		p := g.Pop / total
		dev := g.Value - mu
		s.BGV += p * dev * dev
		s.MDMU += math.Abs(dev) / float64(len(groups))
		s.MDMW += p * math.Abs(dev)
		se := (g.CI.Upper - g.CI.Lower) / (2 * z95)
		se2 += p * p * se * se * dev * dev
		s2 += p * p * se * se
		s4 += p * p * p * p * se * se * se * se
		se4 += p * p * (1 - p) * (1 - p) * se * se * se * se
		if g.Value <= 0 || mu <= 0 {
			s.TIOK = false
			continue
		}
		r := g.Value / mu
		s.TI += p * r * math.Log(r) * 1000
		s.MLD += p * -math.Log(r) * 1000
	}
	if !s.TIOK {
		s.TI, s.MLD = 0, 0
	}
	// Ahn et al. (2018), as healthequal: Var = 4 Σ p²σ²(y − μ)² + 2[(Σ p²σ²)² − Σ p⁴σ⁴ + Σ p²(1 − p)²σ⁴]
	s.BGVSE = math.Sqrt(4*se2 + 2*(s2*s2-s4+se4))
	s.PARisk = groups[best].Value - mu
	if mu != 0 {
		s.RelativeOK = true
		s.IDISU = s.MDMU / mu * 100
		s.IDISW = s.MDMW / mu * 100
		s.PAF = s.PARisk / mu * 100
	}
	return s, nil
}
