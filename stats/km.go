package stats

import (
	"fmt"
	"sort"
)

// TimeCount is what SQL hands the Kaplan–Meier estimator: at time T, how many subjects had
// the event and how many were censored. Aggregating to per-time counts in SQL keeps the Go
// side proportional to the number of distinct times, not to the number of subjects.
type TimeCount struct {
	T        float64
	Events   int64
	Censored int64
}

// KMStep is the survival curve just after time T.
type KMStep struct {
	T        float64
	AtRisk   int64
	Events   int64
	Censored int64
	Survival float64 // S(T), product-limit estimate
}

// KaplanMeier returns the product-limit survival curve, one step per distinct time. Events
// at a time are taken to precede censorings at the same time (the usual convention: a
// subject censored at t was still at risk at t). counts need not be sorted and may repeat a
// time; they are merged.
func KaplanMeier(counts []TimeCount) ([]KMStep, error) {
	merged := make(map[float64]*TimeCount, len(counts))
	var total int64
	for _, c := range counts {
		if c.Events < 0 || c.Censored < 0 {
			return nil, fmt.Errorf("negative count at time %g", c.T)
		}
		m, ok := merged[c.T]
		if !ok {
			m = &TimeCount{T: c.T}
			merged[c.T] = m
		}
		m.Events += c.Events
		m.Censored += c.Censored
		total += c.Events + c.Censored
	}
	times := make([]float64, 0, len(merged))
	for t := range merged {
		times = append(times, t)
	}
	sort.Float64s(times)

	steps := make([]KMStep, 0, len(times))
	atRisk, s := total, 1.0
	for _, t := range times {
		m := merged[t]
		if m.Events > 0 {
			s *= 1 - float64(m.Events)/float64(atRisk)
		}
		steps = append(steps, KMStep{T: t, AtRisk: atRisk, Events: m.Events, Censored: m.Censored, Survival: s})
		atRisk -= m.Events + m.Censored
	}
	return steps, nil
}

// quantileTolerance absorbs rounding in the running product, so that a curve that reaches
// exactly 0.5 on paper (say 1/2 · 1) is not missed by one ulp.
const quantileTolerance = 1e-12

// KMQuantile returns the p-th quantile of the time to event: the first time t with
// S(t) ≤ 1 − p. ok is false when the curve never gets that low (too much censoring), in
// which case the quantile is not estimable and callers store NULL rather than guess.
func KMQuantile(steps []KMStep, p float64) (t float64, ok bool) {
	target := 1 - p
	for _, st := range steps {
		if st.Events > 0 && st.Survival <= target+quantileTolerance {
			return st.T, true
		}
	}
	return 0, false
}
