package reports

import (
	"testing"

	"github.com/socrx/socrx/disclosure"
)

func TestCheckReading(t *testing.T) {
	p := disclosure.Policy{Threshold: 10, Rounding: 10}
	for _, tc := range []struct {
		reading string
		ok      bool
	}{
		{"Mean continuity of care was 0.61 (95% CI 0.55–0.67) over about 120 episodes with 2 or more contacts (UPC 0.70; 1 = always the same worker, 0 = never).", true},
		{"75% of closed episodes ended at exactly 6 contacts vs 11% at 5 (heaping ratio 14.0; 0.0% went beyond 6; about 30 such episodes).", true},
		{"2 of 3 practices (67%) made at least one referral in 2024-Q1; 1 more with counts too small to publish.", true},
		{"Half of referrals had a first contact within 21 days and 90% within 60 days (data_end 2024-06-30).", true},
		{"A few referrals without a usable LSOA were left out.", true},
		{"over about 125 episodes", false}, // off the grid
		{"over about 10 episodes", false},  // inside the suppressed range
		{"13 referrals without a usable LSOA were left out.", false},
		{"(40 re-referrals in about 260 episodes)", false},
		// a reading may open its sentence with the count (readings.capital)
		{"About 170 more referrals whose window is still open are not counted yet.", true},
		{"About 175 more referrals whose window is still open are not counted yet.", false}, // off the grid
		{"Over about 20 pairs of assessments before and after, SWEMWBS rose by 2.27 on average; fewer than 30 pairs, so read it with care.", true},
		{"slope index of inequality −3.56 (95% CI −4.71 to −2.42; below zero, change higher among the more deprived)", true},
	} {
		if got := checkReading(p, tc.reading); (len(got) == 0) != tc.ok {
			t.Errorf("checkReading(%q) = %v, want ok=%v", tc.reading, got, tc.ok)
		}
	}
}
