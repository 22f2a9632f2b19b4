package pipeline

import (
	"context"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"

	"github.com/socrx/socrx/config"
)

// Scheduler runs the configured jobs until its context is cancelled (design §7).
//
// The schedules are robfig/cron's, wrapped to follow the clock changes; the loop is ours
// rather than cron.Cron's because cron.Cron starts every firing in its own goroutine and
// does not tell a job its scheduled time, while socrx needs runs one at a time with the
// scheduled time as their logical date.
type Scheduler struct {
	Runner *Runner
	Log    zerolog.Logger
	// Now is the clock; nil means time.Now. Tests set it to exercise missed runs.
	Now func() time.Time
	// After waits for d on the same clock as Now; nil means a real timer. A test with a
	// fake Now sets it to advance that clock instead of sleeping.
	After func(d time.Duration) <-chan time.Time
	// SettleAge: a source file modified more recently than this is taken to be still
	// being written, and the run waits (default 5s).
	SettleAge time.Duration
	// SettleProbe: files modified within the last minute are statted twice, this far
	// apart, and a change in size or mtime also means "still being written" (default 1s).
	SettleProbe time.Duration
}

// ScheduledJob is a configured job with its parsed schedule.
type ScheduledJob struct {
	Job      config.Job
	Schedule cron.Schedule
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Jobs parses the configured jobs.
func (s *Scheduler) Jobs() ([]ScheduledJob, error) {
	loc := s.Runner.Cfg.Location()
	var out []ScheduledJob
	for _, j := range s.Runner.Cfg.Schedule.Jobs {
		sched, err := ParseSchedule(j.Cron, loc)
		if err != nil {
			return nil, fmt.Errorf("job %s: %w", j.Name, err)
		}
		out = append(out, ScheduledJob{Job: j, Schedule: sched})
	}
	return out, nil
}

// Run catches up missed runs and then runs jobs as they fall due, one at a time, until ctx
// is cancelled. A run in progress then gets stop_timeout to finish its step; after that
// its context is cancelled and the step rolls back. A stop is not an error.
func (s *Scheduler) Run(ctx context.Context) error {
	cfg := s.Runner.Cfg
	jobs, err := s.Jobs()
	if err != nil {
		return err
	}
	if len(jobs) == 0 {
		return fmt.Errorf("no jobs to run: add schedule.jobs to %s", cfg.Path)
	}
	// One scheduler per database: a second one would run every job twice.
	guard, err := AcquireLock(ctx, s.Runner.DBPath()+".schedule", cfg.Schedule.LockWait.Duration)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("another socrx schedule is running: %w", err)
	}
	defer guard.Release()

	// Runs outlive a stop request by stop_timeout, so they get their own context.
	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	stopTimeout := cfg.Schedule.StopTimeout.Duration
	defer context.AfterFunc(ctx, func() {
		s.Log.Info().Dur("stop_timeout", stopTimeout).Msg("stop requested: no new runs start")
		time.AfterFunc(stopTimeout, cancelRuns)
	})()

	names := make([]string, len(jobs))
	for i, j := range jobs {
		names[i] = j.Job.Name + " (" + j.Job.Cron + ")"
	}
	s.Log.Info().Str("timezone", cfg.Schedule.Timezone).Strs("jobs", names).Int("pid", os.Getpid()).Msg("scheduler started")

	start := s.now()
	if err := s.CatchUp(ctx, runCtx, jobs, start); err != nil {
		if ctx.Err() != nil {
			s.Log.Info().Msg("scheduler stopped")
			return nil
		}
		return err
	}
	next := make([]time.Time, len(jobs))
	for i, j := range jobs {
		next[i] = j.Schedule.Next(start)
	}
	for {
		i := earliest(next)
		if i < 0 {
			return fmt.Errorf("no job has a future firing time")
		}
		if !s.sleepUntil(ctx, next[i]) {
			s.Log.Info().Msg("scheduler stopped")
			return nil
		}
		now := s.now()
		// Jobs due together run one after another, earliest scheduled first, config order on ties.
		for _, k := range dueOrder(next, now) {
			if ctx.Err() != nil {
				break
			}
			j := jobs[k]
			logical, skipped := latestDue(j.Schedule, next[k], now)
			if skipped > 0 {
				s.Log.Warn().Str("job", j.Job.Name).Int("skipped", skipped).Time("logical_date", logical).
					Msg("firings passed while another run was in progress; running the latest once")
			}
			_, _, _ = s.RunJob(ctx, runCtx, j.Job, TriggerSchedule, logical)
			// The next firing follows the one just run, not the end of the run: @every is
			// a fixed interval of real time, and a firing that passed during the run is
			// due now (and coalesced with any others that passed, above).
			next[k] = j.Schedule.Next(logical)
		}
		if ctx.Err() != nil {
			s.Log.Info().Msg("scheduler stopped")
			return nil
		}
	}
}

// sleepUntil waits until t (by the scheduler's clock) or a stop; false means stopped.
func (s *Scheduler) sleepUntil(ctx context.Context, t time.Time) bool {
	for {
		d := t.Sub(s.now())
		if d <= 0 {
			return ctx.Err() == nil
		}
		// Re-read the clock at least every minute: a suspended or adjusted host clock
		// would otherwise make a long timer fire late.
		if s.After != nil {
			select {
			case <-ctx.Done():
				return false
			case <-s.After(min(d, time.Minute)):
			}
			continue
		}
		timer := time.NewTimer(min(d, time.Minute))
		select {
		case <-ctx.Done():
			timer.Stop()
			return false
		case <-timer.C:
		}
	}
}

func earliest(ts []time.Time) int {
	best := -1
	for i, t := range ts {
		if !t.IsZero() && (best < 0 || t.Before(ts[best])) {
			best = i
		}
	}
	return best
}

func dueOrder(next []time.Time, now time.Time) []int {
	var due []int
	for i, t := range next {
		if !t.IsZero() && !t.After(now) {
			due = append(due, i)
		}
	}
	sort.SliceStable(due, func(a, b int) bool { return next[due[a]].Before(next[due[b]]) })
	return due
}

// latestDue returns the latest firing at or before now, starting from first (which is due),
// and how many earlier firings it stands for.
func latestDue(sched cron.Schedule, first, now time.Time) (time.Time, int) {
	t, skipped := first, 0
	for n := sched.Next(t); !n.IsZero() && !n.After(now) && skipped < 1_000_000; n = sched.Next(t) {
		t = n
		skipped++
	}
	return t, skipped
}
