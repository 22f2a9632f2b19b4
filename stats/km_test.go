package stats

import (
	"math"
	"testing"
)

func TestKaplanMeier(t *testing.T) {
	// Hand-worked: 9 referrals. t=2: 1 contact of 9 at risk, S = 8/9. t=3: 1 censored.
	// t=5: 2 contacts and 1 censored of 7 at risk, S = 8/9·5/7 = 40/63. t=8: 1 censored.
	// t=10: 1 contact of 3 at risk, S = 40/63·2/3 = 80/189 ≈ 0.4233. t=12, t=15: censored.
	censored := []TimeCount{
		{T: 10, Events: 1}, {T: 2, Events: 1}, {T: 3, Censored: 1}, {T: 5, Events: 2, Censored: 1},
		{T: 8, Censored: 1}, {T: 12, Censored: 1}, {T: 15, Censored: 1},
	}
	// No censoring, and S hits 0.5 exactly: 1 − 1/4 = 0.75, then 0.75 · 2/3 = 0.5.
	exact := []TimeCount{{T: 1, Events: 1}, {T: 2, Events: 1}, {T: 3, Events: 1}, {T: 4, Events: 1}}
	// The same time given twice is merged.
	repeated := []TimeCount{{T: 1, Events: 1}, {T: 1, Events: 1}, {T: 2, Censored: 2}}

	tests := []struct {
		name   string
		counts []TimeCount
		p      float64
		want   float64
		wantOK bool
	}{
		{"median with censoring", censored, 0.5, 10, true},
		{"p25 with censoring", censored, 0.25, 5, true},
		{"p90 not reached is not estimable", censored, 0.9, 0, false},
		{"median exactly at one half", exact, 0.5, 2, true},
		{"p90 at the last event", exact, 0.9, 4, true},
		{"merged times", repeated, 0.5, 1, true},
		{"no subjects", nil, 0.5, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			steps, err := KaplanMeier(tc.counts)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := KMQuantile(steps, tc.p)
			if ok != tc.wantOK || got != tc.want {
				t.Errorf("quantile %.2f = %v, %v; want %v, %v", tc.p, got, ok, tc.want, tc.wantOK)
			}
		})
	}

	steps, err := KaplanMeier(censored)
	if err != nil {
		t.Fatal(err)
	}
	wantS := map[float64]float64{2: 8.0 / 9, 3: 8.0 / 9, 5: 40.0 / 63, 8: 40.0 / 63, 10: 80.0 / 189, 15: 80.0 / 189}
	wantRisk := map[float64]int64{2: 9, 5: 7, 10: 3, 15: 1}
	for _, st := range steps {
		if w, ok := wantS[st.T]; ok && math.Abs(st.Survival-w) > 1e-12 {
			t.Errorf("S(%v) = %v, want %v", st.T, st.Survival, w)
		}
		if w, ok := wantRisk[st.T]; ok && st.AtRisk != w {
			t.Errorf("at risk at %v = %d, want %d", st.T, st.AtRisk, w)
		}
	}
}

func TestKaplanMeierRejectsNegativeCounts(t *testing.T) {
	if _, err := KaplanMeier([]TimeCount{{T: 1, Events: -1}}); err == nil {
		t.Fatal("want an error for a negative count")
	}
}
