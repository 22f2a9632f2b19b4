package reports

import (
	"math"
	"testing"
)

var policy = Policy{Threshold: 7, Rounding: 5}

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n       int64
		want    string
		machine string
	}{
		{0, "0", "0"}, {1, "*", "*"}, {5, "*", "*"}, {7, "*", "*"},
		{8, "10", "10"}, {12, "10", "10"}, {13, "15", "15"}, {17, "15", "15"},
		{18, "20", "20"}, {1234, "1,235", "1235"},
	} {
		c := policy.Count(tc.n)
		if got := c.Display(); got != tc.want {
			t.Errorf("Count(%d).Display() = %q, want %q", tc.n, got, tc.want)
		}
		if got := c.Machine(); got != tc.machine {
			t.Errorf("Count(%d).Machine() = %q, want %q", tc.n, got, tc.machine)
		}
		if err := policy.CheckPublishedCount(c.Machine()); err != nil {
			t.Errorf("Count(%d) fails the scan: %v", tc.n, err)
		}
	}
}

func TestRaisedThreshold(t *testing.T) {
	p := Policy{Threshold: 10, Rounding: 10}
	for n, want := range map[int64]string{9: "*", 10: "*", 11: "10", 15: "20", 24: "20"} {
		if got := p.Count(n).Display(); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
	if err := (Policy{Threshold: 5, Rounding: 5}).Validate(); err == nil {
		t.Error("threshold 5 accepted")
	}
}

func TestRatioFromRoundedCounts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		num, den int64
		want     string
	}{
		{"both rounded", 12, 13, "66.7%"}, // 10/15, not 12/13 = 92.3%
		{"numerator suppressed", 3, 40, "*"},
		{"denominator suppressed", 0, 6, "*"},
		{"zero numerator", 0, 40, "0.0%"},
		{"zero denominator", 0, 0, "–"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := policy.Ratio(policy.Count(tc.num), policy.Count(tc.den), 1, FmtPercent)
			if got := c.Display(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	gap := policy.Derived([]*Cell{policy.Count(20), policy.Count(3)}, FmtPercent, func() (float64, bool) { return 1, true })
	if !gap.Suppressed {
		t.Error("a gap with a suppressed input was published")
	}
}

func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "–"}, {1, "*"}, {7, "*"}, {8, "0.50"}, {100, "0.50"}} {
		if got := policy.Summary(0.5, true, tc.n, FmtDecimal).Display(); got != tc.want {
			t.Errorf("mean over n=%d: got %q, want %q", tc.n, got, tc.want)
		}
	}
	if got := policy.Model(-0.0123, true, FmtStat).Display(); got != "\u22120.012" {
		t.Errorf("model output: got %q", got)
	}
	if got := policy.Model(math.NaN(), true, FmtStat).Display(); got != "–" {
		t.Errorf("NaN model output: got %q", got)
	}
}

func TestSecondarySuppression(t *testing.T) {
	show := func(cs []*Cell) []string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = c.Display()
		}
		return out
	}
	t.Run("row", func(t *testing.T) {
		// one suppressed cell in a row with a total: the next smallest non-zero goes too
		row := []*Cell{policy.Count(0), policy.Count(3), policy.Count(20), policy.Count(40), policy.Count(63)}
		policy.SecondarySuppress([][]*Cell{row})
		want := []string{"0", "*", "*", "40", "65"}
		if got := show(row); !equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		if !row[2].Secondary || row[1].Secondary {
			t.Error("secondary flag on the wrong cell")
		}
	})
	t.Run("column and cascade", func(t *testing.T) {
		// 2×2 table with margins: suppressing a in row 1 forces b; b's column then has
		// one hidden cell, which forces d; d's row then has two, so it stops.
		a, b, ta := policy.Count(4), policy.Count(30), policy.Count(34)
		c, d, tc := policy.Count(50), policy.Count(12), policy.Count(62)
		ca, cb, tt := policy.Count(54), policy.Count(42), policy.Count(96)
		lines := [][]*Cell{
			{a, b, ta}, {c, d, tc}, {ca, cb, tt}, // rows
			{a, c, ca}, {b, d, cb}, {ta, tc, tt}, // columns
		}
		policy.SecondarySuppress(lines)
		for _, line := range lines {
			n := 0
			for _, x := range line {
				if x.Suppressed {
					n++
				}
			}
			if n == 1 {
				t.Errorf("line %v has exactly one suppressed cell", show(line))
			}
		}
		if !b.Suppressed && !c.Suppressed {
			t.Error("row/column of the suppressed cell left with one hidden cell")
		}
	})
	t.Run("stable when nothing suppressed", func(t *testing.T) {
		row := []*Cell{policy.Count(10), policy.Count(20), policy.Count(30)}
		policy.SecondarySuppress([][]*Cell{row})
		if got := show(row); !equal(got, []string{"10", "20", "30"}) {
			t.Errorf("got %v", got)
		}
	})
}

func TestCheckPublishedCount(t *testing.T) {
	for s, ok := range map[string]bool{"": true, "*": true, "0": true, "10": true, "1,235": true,
		"3": false, "7": false, "12": false, "x": false} {
		if err := policy.CheckPublishedCount(s); (err == nil) != ok {
			t.Errorf("CheckPublishedCount(%q) = %v, want ok=%v", s, err, ok)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRedactReading(t *testing.T) {
	withheld := map[int64]bool{15: true, 1235: true}
	for in, want := range map[string]string{
		"about 15 re-referrals in about 265 episodes": "an undisclosed number of re-referrals in about 265 episodes",
		"about 1,235 referrals":                       "an undisclosed number of referrals",
		"13 of 13 practices":                          "13 of 13 practices",
	} {
		if got := redactReading(in, withheld); got != want {
			t.Errorf("redactReading(%q) = %q, want %q", in, got, want)
		}
	}
}
