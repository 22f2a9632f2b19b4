package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// CatchUp applies the missed-run policy at start-up. A job's firing counts as done when a
// run of the job with that logical date or a later one is done (RunStatus.Done: it
// succeeded, or failed for a reason of its own); so a run killed or stopped part-way is
// caught up. Under
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
// (see CatchUp): its latest run that is done (RunStatus.Done), or when none is, just
// before its first run. It holds the lock only while reading.
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
	rows, err := db.QueryContext(ctx, sqlFile("runs/scheduled"), TriggerSchedule, TriggerCatchUp)
	if err != nil {
		return nil, fmt.Errorf("reading run history: %w", err)
	}
	defer rows.Close()
	first := map[string]time.Time{}
	for rows.Next() {
		var job, status, errText string
		var logical time.Time
		if err := rows.Scan(&job, &logical, &status, &errText); err != nil {
			return nil, fmt.Errorf("reading run history: %w", err)
		}
		logical = logical.UTC()
		if f, ok := first[job]; !ok || logical.Before(f) {
			first[job] = logical
		}
		if recordedStatus(status, errText).Done() && logical.After(out[job]) {
			out[job] = logical
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading run history: %w", err)
	}
	for job, f := range first {
		if _, ok := out[job]; !ok {
			out[job] = f.Add(-time.Second)
		}
	}
	return out, nil
}
