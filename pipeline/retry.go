package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/connectors"
)

// ErrUnsettled means a source file was still being written when a run wanted it.
var ErrUnsettled = errors.New("source file still being written")

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
	log.Error().Int64("run_id", rec.ID).Str("status", string(rec.Status)).Str("error", rec.Error).
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
	rec.Status = RunFailed
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
