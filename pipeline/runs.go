package pipeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Run triggers.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
	TriggerCatchUp  = "catch_up"
)

// StepResult is one step of a run as recorded in runs.steps.
type StepResult struct {
	Step       string           `json:"step"`
	DurationMS int64            `json:"duration_ms"`
	Rows       map[string]int64 `json:"rows,omitempty"`
	Error      string           `json:"error,omitempty"`
}

// RunRecord is a row of the runs table.
type RunRecord struct {
	ID          int64
	Job         string
	Trigger     string
	Logical     time.Time
	Started     time.Time
	Finished    time.Time
	Status      string
	Error       string
	CodeVersion string
	Steps       []StepResult
	InputHashes map[string]string
	DataEnd     time.Time // the transform's data_end (zero without a transform step)
}

// abandonRunning marks runs left `running` by a dead process as abandoned. Call it only
// while holding the lock, so no live run can be mistaken for a dead one.
func abandonRunning(ctx context.Context, db *sql.DB) (int64, error) {
	res, err := db.ExecContext(ctx, `UPDATE runs SET status = 'abandoned',
		error = coalesce(error, 'process ended during the run (killed or crashed)') WHERE status = 'running'`)
	if err != nil {
		return 0, fmt.Errorf("marking abandoned runs: %w", err)
	}
	return res.RowsAffected()
}

// startRun inserts the running row and returns its id.
func startRun(ctx context.Context, db *sql.DB, r *RunRecord) error {
	r.Started = time.Now().UTC()
	r.Status = "running"
	row := db.QueryRowContext(ctx, `INSERT INTO runs (run_id, job, trigger, logical_date, started_at, status, code_version, pid)
		SELECT coalesce(max(run_id), 0) + 1, ?, ?, ?, ?, 'running', ?, ? FROM runs RETURNING run_id`,
		r.Job, r.Trigger, r.Logical.UTC(), r.Started, r.CodeVersion, os.Getpid())
	if err := row.Scan(&r.ID); err != nil {
		return fmt.Errorf("recording run start: %w", err)
	}
	return nil
}

// finishRun records the outcome. It uses a fresh context so that a cancelled run is
// still recorded. A finish time already set (by Publish, which wrote it into the
// snapshot) is kept, so that the snapshot and the database agree.
func finishRun(db *sql.DB, r *RunRecord) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if r.Finished.IsZero() {
		r.Finished = time.Now().UTC()
	}
	steps, _ := json.Marshal(r.Steps)
	hashes, _ := json.Marshal(r.InputHashes)
	var errMsg, dataEnd any
	if r.Error != "" {
		errMsg = r.Error
	}
	if !r.DataEnd.IsZero() {
		dataEnd = r.DataEnd
	}
	_, err := db.ExecContext(ctx, `UPDATE runs SET finished_at = ?, status = ?, error = ?, steps = ?, input_hashes = ?, data_end = ? WHERE run_id = ?`,
		r.Finished, r.Status, errMsg, string(steps), string(hashes), dataEnd, r.ID)
	if err != nil {
		return fmt.Errorf("recording run end: %w", err)
	}
	return nil
}

// RowsLoaded is the number of rows the run's ingest step loaded (0 without one).
func (r *RunRecord) RowsLoaded() int64 {
	for _, s := range r.Steps {
		if s.Step == "ingest" {
			return s.Rows["loaded"]
		}
	}
	return 0
}
