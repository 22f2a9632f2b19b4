package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/connectors"
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

// ErrUnsettled means a source file was still being written when a run wanted it.
var ErrUnsettled = errors.New("source file still being written")

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

// CatchUp applies the missed-run policy at start-up. A job's firing counts as done when a
// run of the job with that logical date or a later one succeeded, or failed for a reason
// other than being stopped; so a run killed or stopped part-way is caught up. Under
// `once` each job whose latest firing before now was missed runs once (trigger catch_up)
// with that firing as its logical date; under `skip` the miss is logged. A job with no
// runs at all has missed nothing: its schedule starts now.
func (s *Scheduler) CatchUp(ctx, runCtx context.Context, jobs []ScheduledJob, now time.Time) error {
	done, err := s.Runner.lastDone(ctx)
	if errors.Is(err, ErrLocked) {
		// A long manual run should not stop an unattended scheduler from starting.
		s.Log.Warn().Str("error", oneLine(err.Error())).Msg("run history unreadable while another process holds the database; missed runs not checked")
		return nil
	}
	if err != nil {
		// The scheduler exits, and its supervisor may restart it over and over: no run
		// gets far enough to write a row, so leave the record status reads.
		if ctx.Err() == nil {
			s.Runner.writeFailure(RunSpec{Job: "schedule", Trigger: TriggerCatchUp, Logical: now}, fmt.Errorf("reading run history at start-up: %w", err))
		}
		return err
	}
	for _, j := range jobs {
		since, ok := done[j.Job.Name]
		if !ok {
			continue
		}
		first := j.Schedule.Next(since)
		if first.IsZero() || first.After(now) {
			continue
		}
		missed, skipped := latestDue(j.Schedule, first, now)
		ev := s.Log.Warn().Str("job", j.Job.Name).Time("missed", missed).Int("firings_missed", skipped+1).
			Str("run_missed", s.Runner.Cfg.Schedule.RunMissed)
		if s.Runner.Cfg.Schedule.RunMissed == "skip" {
			ev.Msg("missed run skipped")
			continue
		}
		ev.Msg("catching up a missed run")
		if ctx.Err() != nil {
			return ctx.Err()
		}
		_, _, _ = s.RunJob(ctx, runCtx, j.Job, TriggerCatchUp, missed)
	}
	return nil
}

// lastDone reads, per job, the logical date from which its schedule counts as handled
// (see CatchUp). It holds the lock only while reading.
func (r *Runner) lastDone(ctx context.Context) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if _, err := os.Stat(r.DBPath()); errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	db, release, err := r.openLocked(ctx, ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	// A job that has runs but none done counts from just before its first run.
	rows, err := db.QueryContext(ctx, `SELECT job,
			coalesce(max(logical_date) FILTER (WHERE status = 'succeeded'
				OR (status = 'failed' AND NOT starts_with(coalesce(error, ''), ?))),
				min(logical_date) - INTERVAL 1 SECOND)
		FROM runs WHERE trigger IN (?, ?) GROUP BY job`, StoppedPrefix, TriggerSchedule, TriggerCatchUp)
	if err != nil {
		return nil, fmt.Errorf("reading run history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var job string
		var t sql.NullTime
		if err := rows.Scan(&job, &t); err != nil {
			return nil, fmt.Errorf("reading run history: %w", err)
		}
		if t.Valid {
			out[job] = t.Time.UTC()
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading run history: %w", err)
	}
	return out, nil
}

// RunJob runs a job once for a logical date, retrying transient failures (a source file
// still being written, the lock held by another process) with exponential backoff up to
// schedule.retries.attempts. It returns the run record (nil if none was written), the
// attempts made and the run's error. stop ends waiting early; runCtx bounds the steps.
func (s *Scheduler) RunJob(stop, runCtx context.Context, job config.Job, trigger string, logical time.Time) (*RunRecord, int, error) {
	retries := s.Runner.Cfg.Schedule.Retries
	spec := RunSpec{Job: job.Name, Trigger: trigger, Logical: logical, Steps: job.Steps, Stop: stop}
	ingests := false
	for _, st := range job.Steps {
		ingests = ingests || st == "ingest"
	}
	for attempt := 1; ; attempt++ {
		// The runner's own lines carry job and trigger already.
		runLog := s.Log.With().Int("attempt", attempt).Logger()
		log := runLog.With().Str("job", job.Name).Str("trigger", trigger).Logger()
		var transient error
		if ingests {
			if busy, err := s.unsettled(stop); err != nil {
				if stop.Err() != nil {
					return nil, attempt, err
				}
				transient = err
			} else if len(busy) > 0 {
				transient = fmt.Errorf("%w: %s", ErrUnsettled, strings.Join(busy, ", "))
			}
		}
		if transient == nil {
			r := *s.Runner
			r.Log = runLog
			rec, err := r.Run(runCtx, spec)
			if err == nil || !errors.Is(err, ErrLocked) {
				return rec, attempt, err
			}
			transient = err
		}
		if stop.Err() != nil {
			return nil, attempt, transient
		}
		if attempt >= retries.Attempts {
			return s.giveUp(runCtx, spec, attempt, transient, log)
		}
		wait := retries.Backoff.Duration << (attempt - 1)
		log.Warn().Str("error", oneLine(transient.Error())).Dur("retry_in", wait).Msg("transient failure; will retry")
		select {
		case <-stop.Done():
			log.Info().Msg("stop requested while waiting to retry; run not started")
			return nil, attempt, fmt.Errorf("waiting to retry: %w", stop.Err())
		case <-time.After(wait):
		}
	}
}

// giveUp records a run that never got going as failed, so `socrx status` and monitoring
// see it. When the lock is what stayed busy the database cannot be written: the holder's
// pid is logged, and the failure recorded beside the database (FailurePath) instead.
func (s *Scheduler) giveUp(ctx context.Context, spec RunSpec, attempts int, cause error, log zerolog.Logger) (*RunRecord, int, error) {
	err := fmt.Errorf("gave up after %d attempts: %w", attempts, cause)
	if errors.Is(cause, ErrLocked) {
		log.Error().Str("status", "not_started").Str("error", oneLine(err.Error())).Msg("run finished")
		s.Runner.writeFailure(spec, err)
		return nil, attempts, err
	}
	rec, recErr := s.Runner.recordFailed(ctx, spec, err)
	if recErr != nil {
		log.Error().Str("status", "not_started").Str("error", oneLine(err.Error())).Str("record_error", recErr.Error()).Msg("run finished")
		s.Runner.writeFailure(spec, err)
		return nil, attempts, err
	}
	log.Error().Int64("run_id", rec.ID).Str("status", rec.Status).Str("error", rec.Error).
		Time("logical_date", spec.Logical).Int64("duration_ms", 0).Int64("rows", 0).Msg("run finished")
	return rec, attempts, err
}

// recordFailed writes a failed runs row for a run that could not start.
func (r *Runner) recordFailed(ctx context.Context, spec RunSpec, cause error) (*RunRecord, error) {
	db, release, err := r.openLocked(ctx, ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	rec := &RunRecord{Job: spec.Job, Trigger: spec.Trigger, Logical: spec.Logical, CodeVersion: r.Version,
		InputHashes: map[string]string{}}
	if err := startRun(ctx, db, rec); err != nil {
		return nil, err
	}
	rec.Status = "failed"
	rec.Error = oneLine(cause.Error())
	if err := finishRun(db, rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// unsettled lists source files that look as if they are still being written: modified
// within SettleAge, or (for files touched within the last minute) changing size or mtime
// between two stats SettleProbe apart. Paths are file names, never contents.
func (s *Scheduler) unsettled(ctx context.Context) ([]string, error) {
	age, probe := s.SettleAge, s.SettleProbe
	if age <= 0 {
		age = 5 * time.Second
	}
	if probe <= 0 {
		probe = time.Second
	}
	now := time.Now()
	var busy []string
	recent := map[string]os.FileInfo{}
	for _, src := range sourcesOf(s.Runner.Cfg) {
		files, err := connectors.Expand(src.pattern)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			st, err := os.Stat(f)
			if err != nil {
				if errors.Is(err, os.ErrNotExist) {
					continue // moved away since listing: ingest will not see it either
				}
				return nil, fmt.Errorf("checking %s: %w", f, err)
			}
			switch since := now.Sub(st.ModTime()); {
			case since < age:
				busy = append(busy, filepath.Base(f))
			case since < time.Minute:
				recent[f] = st
			}
		}
	}
	if len(busy) > 0 || len(recent) == 0 {
		return busy, nil
	}
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("checking source files: %w", ctx.Err())
	case <-time.After(probe):
	}
	for f, before := range recent {
		st, err := os.Stat(f)
		if err != nil || st.Size() != before.Size() || !st.ModTime().Equal(before.ModTime()) {
			busy = append(busy, filepath.Base(f))
		}
	}
	sort.Strings(busy)
	return busy, nil
}
