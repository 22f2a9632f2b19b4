package pipeline

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/socrx/socrx/config"
)

// ParseSchedule parses a job's cron expression (5 fields or a descriptor such as @daily
// or @every 10m) into a schedule in loc that follows design §7 across clock changes.
func ParseSchedule(expr string, loc *time.Location) (cron.Schedule, error) {
	s, err := config.CronParser().Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("parsing cron expression %q: %w", expr, err)
	}
	spec, ok := s.(*cron.SpecSchedule)
	if !ok {
		// @every: a fixed interval of real time, untouched by clock changes.
		return s, nil
	}
	naive := *spec
	naive.Location = time.UTC
	return wallClockSchedule{spec: &naive, loc: loc}, nil
}

// wallClockSchedule evaluates a cron spec on the wall clock of loc. robfig/cron evaluates
// it on instants, which skips a time that falls in the spring-forward gap and fires twice
// in the repeated autumn hour; here a time in the gap fires at the first instant after the
// gap, and a wall-clock time fires only at its first occurrence.
type wallClockSchedule struct {
	spec *cron.SpecSchedule // Location UTC: evaluated on naive wall-clock times
	loc  *time.Location
}

// Next returns the first firing strictly after t.
func (w wallClockSchedule) Next(t time.Time) time.Time {
	naive := asNaive(t.In(w.loc))
	// Each pass moves naive forward by at least a second; a repeated hour holds at most a
	// few hundred spec matches, so the bound is never reached for a valid spec.
	for i := 0; i < 10000; i++ {
		naive = w.spec.Next(naive)
		if naive.IsZero() {
			return time.Time{}
		}
		if at := instantOf(naive, w.loc); at.After(t) {
			return at
		}
		// The wall time's first occurrence is not after t: t is in the second pass of a
		// repeated hour and this time already fired in the first.
	}
	return time.Time{}
}

// asNaive reads t's wall clock as a UTC time, which has no clock changes.
func asNaive(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, t.Nanosecond(), time.UTC)
}

// instantOf returns the first instant at which loc's wall clock reads naive, or, when
// naive falls in a gap (spring forward), the first instant after the gap.
func instantOf(naive time.Time, loc *time.Location) time.Time {
	var first, latest time.Time
	// Clock changes are months apart, so the offsets a day either side cover both sides.
	for _, probe := range []time.Duration{-24 * time.Hour, 0, 24 * time.Hour} {
		_, off := naive.Add(probe).In(loc).Zone()
		at := naive.Add(-time.Duration(off) * time.Second)
		if asNaive(at.In(loc)).Equal(naive) && (first.IsZero() || at.Before(first)) {
			first = at
		}
		if latest.IsZero() || at.After(latest) {
			latest = at
		}
	}
	if !first.IsZero() {
		return first
	}
	// In the gap: the latest candidate lies just after it, in the zone the gap opened.
	start, _ := latest.In(loc).ZoneBounds()
	return start
}
