package reports

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

var (
	reMonth   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	reQuarter = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
	reYear    = regexp.MustCompile(`^(\d{4})$`)
	reFY      = regexp.MustCompile(`^FY(\d{4})-(\d{2})$`)
)

// PeriodSpan is the first and last day of a period label (design §4: YYYY-MM, YYYY-Qn,
// YYYY, FYyyyy-yy).
func PeriodSpan(label string) (first, last time.Time, err error) {
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	switch {
	case reMonth.MatchString(label):
		m := reMonth.FindStringSubmatch(label)
		y, mo := atoi(m[1]), atoi(m[2])
		if mo < 1 || mo > 12 {
			break
		}
		first = day(y, mo, 1)
		return first, first.AddDate(0, 1, -1), nil
	case reQuarter.MatchString(label):
		m := reQuarter.FindStringSubmatch(label)
		first = day(atoi(m[1]), 3*atoi(m[2])-2, 1)
		return first, first.AddDate(0, 3, -1), nil
	case reYear.MatchString(label):
		y := atoi(label)
		return day(y, 1, 1), day(y, 12, 31), nil
	case reFY.MatchString(label):
		m := reFY.FindStringSubmatch(label)
		y := atoi(m[1])
		if (y+1)%100 != atoi(m[2]) {
			break
		}
		return day(y, 4, 1), day(y+1, 3, 31), nil
	}
	return time.Time{}, time.Time{}, fmt.Errorf("period %q: want YYYY-MM, YYYY-Qn, YYYY or FYyyyy-yy", label)
}

// Ended reports whether the period ended at least lagDays before the logical date.
func Ended(label string, logical time.Time, lagDays int) (bool, error) {
	_, last, err := PeriodSpan(label)
	if err != nil {
		return false, err
	}
	// the period ends at the close of its last day
	end := last.AddDate(0, 0, 1)
	return !end.AddDate(0, 0, lagDays).After(logical.UTC()), nil
}
