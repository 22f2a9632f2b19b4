package disclosure

import (
	"math"
	"strconv"
	"testing"
)

// show writes a cell the way the tests compare it: `*` suppressed, `–` none, counts
// as integers, values with 3 decimals (percent for FmtPercent).
func show(c *Cell) string {
	switch {
	case c.Suppressed:
		return "*"
	case c.Null:
		return "–"
	case c.Kind == KindCount || c.Kind == KindPlain:
		return strconv.FormatInt(c.N, 10)
	case c.Format == FmtPercent:
		return strconv.FormatFloat(100*c.V, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(c.V, 'f', 3, 64)
}

var policy = Policy{Threshold: 7, Rounding: 5}

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n       int64
		machine string
	}{
		{0, "0"}, {1, "*"}, {5, "*"}, {7, "*"},
		{8, "10"}, {12, "10"}, {13, "15"}, {17, "15"},
		{18, "20"}, {1234, "1235"},
	} {
		c := policy.Count(tc.n)
		if got := show(c); got != tc.machine {
			t.Errorf("Count(%d) = %q, want %q", tc.n, got, tc.machine)
		}
		if err := policy.CheckPublishedCount(show(c)); err != nil {
			t.Errorf("Count(%d) fails the scan: %v", tc.n, err)
		}
	}
}

func TestRaisedThreshold(t *testing.T) {
	p := Policy{Threshold: 10, Rounding: 10}
	for n, want := range map[int64]string{9: "*", 10: "*", 11: "*", 14: "*", 15: "20", 24: "20", 25: "30"} {
		if got := show(p.Count(n)); got != want {
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
			if got := show(c); got != tc.want {
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
	}{{0, "–"}, {1, "*"}, {7, "*"}, {8, "0.500"}, {100, "0.500"}} {
		if got := show(policy.Summary(0.5, true, tc.n, FmtDecimal)); got != tc.want {
			t.Errorf("mean over n=%d: got %q, want %q", tc.n, got, tc.want)
		}
	}
	if got := show(policy.Model(-0.0123, true, FmtStat)); got != "-0.012" {
		t.Errorf("model output: got %q", got)
	}
	if got := show(policy.Model(math.NaN(), true, FmtStat)); got != "–" {
		t.Errorf("NaN model output: got %q", got)
	}
}

func TestSecondarySuppression(t *testing.T) {
	show := func(cs []*Cell) []string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = show(c)
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
	// under a raised threshold the floor rises with it
	p := Policy{Threshold: 10, Rounding: 10}
	for s, ok := range map[string]bool{"10": false, "20": true, "8": false, "25": false} {
		if err := p.CheckPublishedCount(s); (err == nil) != ok {
			t.Errorf("10/10: CheckPublishedCount(%q) = %v, want ok=%v", s, err, ok)
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
