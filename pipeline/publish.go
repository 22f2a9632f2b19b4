package pipeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// Publish writes a consistent read-only snapshot of the database to target: a new file in
// the same directory, fsync, then rename over the old one, so a reader sees the previous
// snapshot or this one, never half. The snapshot records the run it came from in
// snapshot_info.
//
// The new file is a byte copy of the working file taken straight after a CHECKPOINT has
// emptied its WAL: we hold the database lock and this connection is its only writer, so
// those bytes are one committed state. Copying bytes is many times faster than
// COPY FROM DATABASE, which re-encodes every table; that remains the fallback when the
// WAL cannot be emptied or the database has no file.
//
// Publish is a run's last step, so the run's outcome is known when the snapshot is
// sealed: the snapshot's runs row for rec reads succeeded, finished at the instant its
// content is fixed, with rec's steps plus this one (begun at stepStart). That instant is
// left in rec.Finished, for the working database's row to say the same (finishRun).
func Publish(ctx context.Context, db *sql.DB, target string, rec *RunRecord, stepStart time.Time) error {
	runID := rec.ID
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("creating publish directory: %w", err)
	}
	prefix := filepath.Join(dir, "."+filepath.Base(target)+".tmp-")
	tmp := prefix + strconv.Itoa(os.Getpid())
	// Publish runs under the lock, so any other temporary copy was left by a killed
	// process: remove it too, or full copies of the data would pile up.
	stale, _ := filepath.Glob(prefix + "*")
	for _, p := range append(stale, tmp, tmp+".wal") {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("clearing %s: %w", p, err)
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("publishing: %w", err)
	}
	defer conn.Close()
	var current, file string
	if err := conn.QueryRowContext(ctx, sqlFile("publish/current_database")).Scan(&current, &file); err != nil {
		return fmt.Errorf("publishing: %w", err)
	}
	copied, err := copyCheckpointed(ctx, conn, file, tmp)
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("publishing snapshot: %w", err)
	}
	type statement struct {
		q    string
		args []any
	}
	stmts := []statement{{q: "ATTACH " + quoteLit(tmp) + " AS socrx_snapshot"}}
	if !copied {
		stmts = append(stmts, statement{q: "COPY FROM DATABASE " + quoteIdent(current) + " TO socrx_snapshot"})
	}
	finished := time.Now().UTC().Truncate(time.Microsecond) // DuckDB keeps microseconds
	steps := append(slices.Clone(rec.Steps), StepResult{Step: "publish", DurationMS: finished.Sub(stepStart).Milliseconds()})
	stepsJSON, err := json.Marshal(steps)
	if err != nil {
		return fmt.Errorf("publishing snapshot: %w", err)
	}
	hashesJSON, err := json.Marshal(rec.InputHashes)
	if err != nil {
		return fmt.Errorf("publishing snapshot: %w", err)
	}
	var dataEnd any
	if !rec.DataEnd.IsZero() {
		dataEnd = rec.DataEnd
	}
	stmts = append(stmts,
		statement{sqlFile("publish/snapshot_run"), []any{string(RunSucceeded), finished, string(stepsJSON), string(hashesJSON), dataEnd, runID}},
		statement{q: fmt.Sprintf("CREATE OR REPLACE TABLE socrx_snapshot.snapshot_info AS SELECT CAST(%d AS BIGINT) AS run_id, (SELECT max(file_id) FROM %s.ingested_files) AS max_file_id", runID, quoteIdent(current))},
		statement{q: "COMMENT ON TABLE socrx_snapshot.snapshot_info IS 'The run this read-only snapshot was published from.'"},
		statement{q: "DETACH socrx_snapshot"},
	)
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s.q, s.args...); err != nil {
			_, _ = conn.ExecContext(context.Background(), "DETACH DATABASE IF EXISTS socrx_snapshot")
			os.Remove(tmp)
			return fmt.Errorf("publishing snapshot: %w", err)
		}
	}
	if err := os.Chmod(tmp, 0o640); err != nil {
		return fmt.Errorf("publishing snapshot: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	if _, err := os.Stat(tmp + ".wal"); err == nil {
		return fmt.Errorf("publishing snapshot: %s.wal left behind after checkpoint", tmp)
	}
	if err := os.Rename(tmp, target); err != nil {
		return fmt.Errorf("publishing snapshot: %w", err)
	}
	if err := os.Remove(target + ".wal"); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("removing stale wal: %w", err)
	}
	if err := syncFile(dir); err != nil {
		return err
	}
	rec.Finished = finished
	return nil
}

// copyCheckpointed checkpoints the working database and copies its file to tmp. It
// reports false, having copied nothing, when there is no file (in-memory) or the WAL
// still holds changes after the checkpoint.
func copyCheckpointed(ctx context.Context, conn *sql.Conn, file, tmp string) (bool, error) {
	if file == "" || file == ":memory:" {
		return false, nil
	}
	if _, err := conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return false, nil //nolint:nilerr // another transaction is open: re-encode instead
	}
	if fi, err := os.Stat(file + ".wal"); err == nil && fi.Size() > 0 {
		return false, nil
	}
	src, err := os.Open(file)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", file, err)
	}
	defer src.Close()
	dst, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false, fmt.Errorf("creating %s: %w", tmp, err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return false, fmt.Errorf("copying %s: %w", file, err)
	}
	if err := dst.Close(); err != nil {
		return false, fmt.Errorf("copying %s: %w", file, err)
	}
	return true, nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	return nil
}

func quoteLit(s string) string { return "'" + escape(s) + "'" }

func quoteIdent(s string) string {
	out := []rune{'"'}
	for _, r := range s {
		if r == '"' {
			out = append(out, '"')
		}
		out = append(out, r)
	}
	return string(append(out, '"'))
}
