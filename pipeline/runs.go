package pipeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"
)

// Run triggers.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
	TriggerCatchUp  = "catch_up"
)

// RunStatus is the state of a run in runs.status (design §7).
type RunStatus string

// Run states.
const (
	RunRunning   RunStatus = "running"
	RunSucceeded RunStatus = "succeeded"
	RunFailed    RunStatus = "failed"
	// RunAbandoned: the process died during the run (killed or crashed); the next start
	// under the lock marks it so.
	RunAbandoned RunStatus = "abandoned"
	// RunStopped: stopped by request (SIGTERM, Ctrl-C) before it completed. Nothing
	// broke: status does not alert on it, and the scheduler runs its firing again.
	RunStopped RunStatus = "stopped"
)

// StoppedPrefix starts the error text of a stopped run. Before RunStopped existed a
// stopped run was recorded as failed with an error starting so; such rows read as
// stopped (recordedStatus).
const StoppedPrefix = "stopped before completion"

// recordedStatus is the state of a runs row as recorded, a stopped run of an older
// database (failed, its error starting StoppedPrefix) read as RunStopped.
func recordedStatus(status, errText string) RunStatus {
	if RunStatus(status) == RunFailed && strings.HasPrefix(errText, StoppedPrefix) {
		return RunStopped
	}
	return RunStatus(status)
}

// Healthy says whether a run's latest state needs no one's attention: it succeeded, is
// running, or was stopped by request; not when it failed or was abandoned.
func (s RunStatus) Healthy() bool {
	switch s {
	case RunSucceeded, RunRunning, RunStopped:
		return true
	}
	return false
}

// Done says whether a run in this state handled its firing, so that catch-up need not
// run it again: it succeeded, or failed for a reason of its own (a refused file) that a
// rerun would not cure; not when it was stopped or abandoned part-way.
func (s RunStatus) Done() bool { return s == RunSucceeded || s == RunFailed }

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
	Status      RunStatus
	Error       string
	CodeVersion string
	Steps       []StepResult
	InputHashes map[string]string
	DataEnd     time.Time // the transform's data_end (zero without a transform step)
}

// abandonRunning marks runs left `running` by a dead process as abandoned. Call it only
// while holding the lock, so no live run can be mistaken for a dead one.
func abandonRunning(ctx context.Context, db *sql.DB) (int64, error) {
	res, err := db.ExecContext(ctx, sqlFile("runs/abandon_running"), string(RunAbandoned), string(RunRunning))
	if err != nil {
		return 0, fmt.Errorf("marking abandoned runs: %w", err)
	}
	return res.RowsAffected()
}

// startRun inserts the running row and returns its id.
func startRun(ctx context.Context, db *sql.DB, r *RunRecord) error {
	r.Started = time.Now().UTC()
	r.Status = RunRunning
	row := db.QueryRowContext(ctx, sqlFile("runs/start"), r.Job, r.Trigger, r.Logical.UTC(), r.Started, string(r.Status), r.CodeVersion, os.Getpid())
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
	_, err := db.ExecContext(ctx, sqlFile("runs/finish"), r.Finished, string(r.Status), errMsg, string(steps), string(hashes), dataEnd, r.ID)
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
