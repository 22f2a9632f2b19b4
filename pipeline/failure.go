package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// FailurePath is the record, beside the database, of the latest run that failed before
// its runs row could be written or finished: the database could not be locked, opened
// (DuckDB out of memory, a corrupt or unreadable file) or migrated, or the row itself could
// not be written. `socrx status` reports it (exit 1) until a later run succeeds, which
// removes it; without it such a failure would leave status at 0 for ever.
func FailurePath(dbPath string) string { return dbPath + ".last-failure.json" }

// Failure is the content of the FailurePath file. Error is one line from the lock, the
// file system or DuckDB's open and migrate: it names files and settings, never data.
type Failure struct {
	Time        time.Time `json:"time"`
	Job         string    `json:"job"`
	Trigger     string    `json:"trigger"`
	Logical     time.Time `json:"logical_date"`
	Error       string    `json:"error"`
	PID         int       `json:"pid"`
	CodeVersion string    `json:"code_version,omitempty"`
}

// maxFailureError bounds the recorded error: a line for a person and a monitoring check.
const maxFailureError = 500

// recordFailure writes the failure record for a run that failed without a usable runs
// row. A run stopped by request, or refused because another process holds the lock (a
// manual run sees that on its terminal; the scheduler retries and records the run only
// when it gives up), is not recorded here. Writing the record is best effort: the run
// has failed and says so anyway; a record that cannot be written is logged.
func (r *Runner) recordFailure(ctx context.Context, spec RunSpec, cause error) {
	if errors.Is(cause, ErrLocked) || stopped(ctx, cause) || (spec.Stop != nil && spec.Stop.Err() != nil) {
		return
	}
	r.writeFailure(spec, cause)
}

// writeFailure writes the record unconditionally (see recordFailure).
func (r *Runner) writeFailure(spec RunSpec, cause error) {
	msg := oneLine(cause.Error())
	if len(msg) > maxFailureError {
		msg = msg[:maxFailureError] + "…"
	}
	f := Failure{Time: time.Now().UTC().Truncate(time.Second), Job: spec.Job, Trigger: spec.Trigger,
		Logical: spec.Logical.UTC(), Error: msg, PID: os.Getpid(), CodeVersion: r.Version}
	path := FailurePath(r.DBPath())
	if err := writeFileAtomic(path, f); err != nil {
		r.Log.Error().Str("job", spec.Job).Str("error", oneLine(err.Error())).Msg("could not record the failed run for socrx status")
		return
	}
	r.Log.Error().Str("job", spec.Job).Str("trigger", spec.Trigger).Time("logical_date", spec.Logical).
		Str("error", msg).Str("record", path).Msg("run failed before it could be recorded in the database")
}

// writeFileAtomic writes v as JSON to path by way of a temporary file and a rename, so a
// reader never sees half a record.
func writeFileAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	tmp := path + ".tmp-" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, append(b, '\n'), 0o640); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// clearFailure removes the failure record after a successful run.
func (r *Runner) clearFailure() {
	if err := os.Remove(FailurePath(r.DBPath())); err != nil && !errors.Is(err, os.ErrNotExist) {
		r.Log.Warn().Str("error", oneLine(err.Error())).Msg("could not remove the record of an earlier failed run")
	}
}

// ReadFailure reads the failure record beside the database: nil when there is none. A
// record that cannot be read or decoded is returned as a failure saying so, since its
// presence alone means a run failed.
func ReadFailure(dbPath string) *Failure {
	path := FailurePath(dbPath)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var f Failure
	if err == nil {
		err = json.Unmarshal(b, &f)
	}
	if err != nil {
		return &Failure{Error: fmt.Sprintf("unreadable failure record %s: %s", path, oneLine(err.Error()))}
	}
	return &f
}
