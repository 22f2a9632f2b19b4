package pipeline

import (
	"context"
	"os"
	"time"
)

// Validate checks every configured extract against the contract inside a transaction
// that is rolled back: nothing loads. It stops at the first refused file.
func (r *Runner) Validate(ctx context.Context, logical time.Time) (IngestResult, error) {
	path := r.DBPath()
	if _, err := os.Stat(path); err != nil {
		path = "" // no database yet: validate against an empty in-memory one
	} else {
		lock, err := AcquireLock(ctx, path, r.Cfg.Schedule.LockWait.Duration)
		if err != nil {
			return IngestResult{}, err
		}
		defer lock.Release()
	}
	db, err := OpenDB(ctx, path, r.dbOptions())
	if err != nil {
		return IngestResult{}, err
	}
	defer db.Close()
	if err := Migrate(ctx, db); err != nil {
		return IngestResult{}, err
	}
	return Ingest(ctx, db, r.Cfg, 0, logical, IngestOptions{DryRun: true, Progress: r.Progress}, r.Log)
}
