package stats

import (
	"math"
	"testing"
)

// relClose reports whether got is within rel (relative) of want; exact zeros must match.
func relClose(got, want, rel float64) bool {
	if want == 0 {
		return math.Abs(got) <= rel
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}

func TestWilson(t *testing.T) {
	cases := []struct {
		name   string
		x, n   int64
		lo, hi float64
	}{
		// PHEindicatormethods testWilson.R / published values.
		{"65 of 100", 65, 100, 0.55254443296887967, 0.73635751756902468},
		{"1045 of 5000", 1045, 5000, 0.19795549880013297, 0.22049130373189027},
		// x = 0: lower is exactly 0 and upper = z²/(n + z²) (the root collapses to z²).
		{"0 of 20", 0, 20, 0, z95 * z95 / (20 + z95*z95)},
		// x = n mirrors x = 0.
		{"20 of 20", 20, 20, 20 / (20 + z95*z95), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Wilson(c.x, c.n)
			if err != nil {
				t.Fatal(err)
			}
			if !relClose(got.Lower, c.lo, 1e-9) || !relClose(got.Upper, c.hi, 1e-9) {
				t.Errorf("Wilson(%d, %d) = %.17g, %.17g; want %.17g, %.17g", c.x, c.n, got.Lower, got.Upper, c.lo, c.hi)
			}
		})
	}
}

func TestWilsonRejects(t *testing.T) {
	for _, c := range []struct{ x, n int64 }{{1, 0}, {-1, 10}, {11, 10}} {
		if _, err := Wilson(c.x, c.n); err == nil {
			t.Errorf("Wilson(%d, %d): want an error", c.x, c.n)
		}
	}
}
