// Package published holds the one copy, outside the reports, of design §6's rule for a
// count that a reading quotes: readings are free text that the reports' disclosure
// control cannot reach into, so the transforms that write them publish their counts as
// the reports would. It is for the equity and continuity readings only, until readings
// are composed in the reports.
package published

import "math"

// Count applies design §6 to a count: 0 stays 0, 1–7 is suppressed (ok false), ≥ 8 is
// rounded to the nearest 5.
func Count(n int64) (int64, bool) {
	switch {
	case n == 0:
		return 0, true
	case n < 8:
		return 0, false
	}
	return int64(math.Round(float64(n)/5) * 5), true
}
