package pipeline

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/rs/zerolog"

	"github.com/socrx/socrx/config"
)

// Runner runs jobs against one configured database.
type Runner struct {
	Cfg     *config.Config
	Log     zerolog.Logger
	Version string
	// Progress, when set, is a terminal on which long steps draw a progress bar.
	Progress io.Writer
}

// RunSpec is one run to do.
type RunSpec struct {
	Job     string
	Trigger string
	Logical time.Time
	Steps   []string // any of config.Steps(); run in the canonical order
	Period  string   // report only this period ("" = every due period)
	// FullRebuild recomputes every referral's facts in the transform step, not only
	// those with new rows.
	FullRebuild bool
	// TraceSQL, when set, is a file the transform step writes its statements to (see
	// ReplayTrace).
	TraceSQL string
	// Reload names sources or files the ingest step reads again (IngestOptions.Reload).
	Reload []string
	// Stop, when set and done, asks the run to stop: waiting for the lock ends and no
	// further step starts, while the step in progress runs on under ctx (the scheduler
	// cancels ctx only after stop_timeout).
	Stop context.Context
}

// ErrStopped ends a run that was asked to stop between steps.
var ErrStopped = errors.New("stop requested")

// stopped says whether err ended a run that was stopped rather than failed: asked to stop
// between steps, or its context cancelled, which a statement in progress reports as
// DuckDB's INTERRUPT error rather than context.Canceled.
func stopped(ctx context.Context, err error) bool {
	var de *duckdb.Error
	return errors.Is(err, ErrStopped) || errors.Is(err, context.Canceled) || ctx.Err() != nil ||
		(errors.As(err, &de) && de.Type == duckdb.ErrorTypeInterrupt)
}

// DBPath is the working database path.
func (r *Runner) DBPath() string { return r.Cfg.Resolve(r.Cfg.Database) }

// PublishPath is the published snapshot path.
func (r *Runner) PublishPath() string { return r.Cfg.Resolve(r.Cfg.Publish) }

func (r *Runner) dbOptions() DBOptions {
	return DBOptions{MemoryLimit: r.Cfg.MemoryLimit, TempDirectory: r.Cfg.Resolve(r.Cfg.TempDirectory)}
}

// openLocked takes the lock (waiting under lockCtx), opens and migrates the database and
// marks runs left running by a dead process as abandoned, which is safe only under the
// lock. release closes the database and then releases the lock.
func (r *Runner) openLocked(ctx, lockCtx context.Context) (db *sql.DB, release func(), err error) {
	lock, err := AcquireLock(lockCtx, r.DBPath(), r.Cfg.Schedule.LockWait.Duration)
	if err != nil {
		return nil, nil, err
	}
	db, err = OpenDB(ctx, r.DBPath(), r.dbOptions())
	if err != nil {
		lock.Release()
		return nil, nil, err
	}
	release = func() {
		db.Close()
		lock.Release()
	}
	if err := Migrate(ctx, db); err != nil {
		release()
		return nil, nil, err
	}
	if n, err := abandonRunning(ctx, db); err != nil {
		release()
		return nil, nil, err
	} else if n > 0 {
		r.Log.Warn().Int64("runs", n).Msg("marked runs left running by a dead process as abandoned")
	}
	return db, release, nil
}

// Run takes the lock, opens the database and runs the spec's steps under one run record.
// The returned error is the run's failure; the run record holds it too.
func (r *Runner) Run(ctx context.Context, spec RunSpec) (*RunRecord, error) {
	lockCtx, cancelLock := context.WithCancel(ctx)
	defer cancelLock()
	if spec.Stop != nil {
		defer context.AfterFunc(spec.Stop, cancelLock)()
	}
	db, release, err := r.openLocked(ctx, lockCtx)
	if err != nil {
		// No runs row can say so: the record beside the database does, for status.
		r.recordFailure(ctx, spec, err)
		return nil, err
	}
	defer release()
	rec := &RunRecord{Job: spec.Job, Trigger: spec.Trigger, Logical: spec.Logical, CodeVersion: r.Version,
		InputHashes: map[string]string{}}
	if err := startRun(ctx, db, rec); err != nil {
		r.recordFailure(ctx, spec, err)
		return nil, err
	}
	log := r.Log.With().Str("job", spec.Job).Int64("run_id", rec.ID).Logger()
	runErr := r.runSteps(ctx, db, spec, rec, log)
	rec.Status = RunSucceeded
	if runErr != nil {
		rec.Status = RunFailed
		rec.Error = oneLine(runErr.Error())
		if stopped(ctx, runErr) {
			rec.Status = RunStopped
			rec.Error = StoppedPrefix + ": " + rec.Error
		}
		rec.Finished = time.Time{} // a publish that sealed the run did not end it after all
	}
	if err := finishRun(db, rec); err != nil {
		// The row stays 'running' (abandoned at the next start, which status does not
		// alert on): record the failure beside the database too.
		r.writeFailure(spec, err)
		if runErr == nil {
			runErr = err
		}
	} else if rec.Status == RunSucceeded {
		r.clearFailure()
	}
	ev := log.Info()
	if runErr != nil {
		ev = log.Error().Str("error", rec.Error)
	}
	ev.Str("trigger", spec.Trigger).Str("status", string(rec.Status)).Time("logical_date", spec.Logical).
		Int64("duration_ms", rec.Finished.Sub(rec.Started).Milliseconds()).Int64("rows", rec.RowsLoaded()).Msg("run finished")
	return rec, runErr
}

func (r *Runner) runSteps(ctx context.Context, db *sql.DB, spec RunSpec, rec *RunRecord, log zerolog.Logger) error {
	want := map[string]bool{}
	for _, s := range spec.Steps {
		want[s] = true
	}
	for _, step := range config.Steps() {
		if !want[step] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: %w", step, err)
		}
		if spec.Stop != nil && spec.Stop.Err() != nil {
			return fmt.Errorf("before %s: %w", step, ErrStopped)
		}
		start := time.Now()
		sr := StepResult{Step: step, Rows: map[string]int64{}}
		stepLog := log.With().Str("step", step).Logger()
		err := r.runStep(ctx, db, step, spec, rec, &sr, start, stepLog)
		end := time.Now()
		if step == "publish" && err == nil && !rec.Finished.IsZero() {
			end = rec.Finished // the finish Publish sealed into the snapshot, so both rows agree
		}
		sr.DurationMS = end.Sub(start).Milliseconds()
		if err != nil {
			sr.Error = oneLine(err.Error())
		}
		rec.Steps = append(rec.Steps, sr)
		stepLog.Info().Int64("duration_ms", sr.DurationMS).Interface("rows", sr.Rows).Msg("step finished")
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *Runner) runStep(ctx context.Context, db *sql.DB, step string, spec RunSpec, rec *RunRecord, sr *StepResult, start time.Time, log zerolog.Logger) error {
	switch step {
	case "ingest":
		res, err := Ingest(ctx, db, r.Cfg, rec.ID, spec.Logical, IngestOptions{Progress: r.Progress, Reload: spec.Reload}, log)
		for _, f := range res.Files {
			if f.SHA256 != "" {
				rec.InputHashes[f.Path] = f.SHA256
			}
		}
		loaded, rejected, skipped := res.Totals()
		sr.Rows["loaded"], sr.Rows["rejected"], sr.Rows["files_skipped"] = loaded, rejected, int64(skipped)
		sr.Rows["files"] = int64(len(res.Files))
		return err
	case "transform":
		p, err := r.params(ctx, db, log)
		if err != nil {
			return err
		}
		rec.DataEnd = p.DataEnd
		p.FullRebuild = spec.FullRebuild
		tb := newModelBar(r.Progress)
		p.Progress = func(model string, done, total int, took time.Duration) {
			log.Debug().Str("model", model).Int64("duration_ms", took.Milliseconds()).Msg("model built")
			tb.step(model, done, total)
		}
		var trace io.Writer
		var traced *bufio.Writer
		if spec.TraceSQL != "" {
			f, err := os.OpenFile(spec.TraceSQL, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
			if err != nil {
				return fmt.Errorf("creating the SQL trace: %w", err)
			}
			defer f.Close()
			traced = bufio.NewWriter(f)
			trace = traced
		}
		res, err := Transform(ctx, db, p, trace)
		tb.done()
		if traced != nil && err == nil {
			if err = traced.Flush(); err != nil {
				err = fmt.Errorf("writing the SQL trace: %w", err)
			}
		}
		for k, v := range res.Tables {
			sr.Rows[k] = v
		}
		sr.Rows["facts_recomputed"] = res.FactsRebuilt
		sr.Rows["episodes_recomputed"] = res.EpisodesRebuilt
		if err == nil {
			ev := log.Info().Int64("referrals", res.FactsRebuilt)
			if res.FactsFull {
				ev = ev.Str("full_rebuild", res.FactsReason)
			}
			ev.Msg("referral facts")
			ev = log.Info().Int64("referrals", res.EpisodesRebuilt)
			if res.EpisodesFull {
				ev = ev.Str("full_rebuild", res.EpisodesReason)
			}
			ev.Bool("reach_incremental", res.ReachIncremental).Msg("episode metrics")
		}
		return err
	case "report":
		n, err := r.report(ctx, db, spec, rec, log)
		sr.Rows["files"] = int64(n)
		return err
	case "publish":
		// Publish is always the last step, so the run's outcome is known: the snapshot
		// records its own run as succeeded, and Publish sets rec.Finished for this row.
		return Publish(ctx, db, r.PublishPath(), rec, start)
	}
	return fmt.Errorf("unknown step %q", step)
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
