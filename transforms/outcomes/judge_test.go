package outcomes

import (
	"testing"

	"github.com/socrx/socrx/stats"
)

// TestJudge: the verdict on gains is oriented by polarity. For an adverse measure
// (ons4_anxious, ucla3) a fall is the gain, so change higher in the more deprived (SII
// below 0) is a smaller gain there.
func TestJudge(t *testing.T) {
	res := func(lo, hi float64) stats.SIIResult {
		return stats.SIIResult{SII: (lo + hi) / 2, SIICI: stats.Interval{Lower: lo, Upper: hi}}
	}
	for _, c := range []struct {
		name    string
		res     stats.SIIResult
		adverse bool
		want    string
	}{
		{"favourable, higher in deprived", res(-3, -1), false, verdictLargerGain},
		{"favourable, lower in deprived", res(1, 3), false, verdictSmallerGain},
		{"favourable, spans 0", res(-1, 1), false, stats.VerdictNoClearGradient},
		{"adverse, higher in deprived", res(-3, -1), true, verdictSmallerGain},
		{"adverse, lower in deprived", res(1, 3), true, verdictLargerGain},
		{"adverse, spans 0", res(-1, 1), true, stats.VerdictNoClearGradient},
	} {
		if got, _ := judge(c.res, nil, c.adverse); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	if got, reason := judge(stats.SIIResult{}, &stats.InsufficientDataError{Reason: "fewer than 3 non-empty strata (2)"}, false); got != stats.VerdictInsufficientData || reason == "" {
		t.Errorf("insufficient: %s %q", got, reason)
	}
}
