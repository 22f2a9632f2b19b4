package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Publish writes a consistent read-only snapshot of the database to target: a new file in
// the same directory (ATTACH, COPY FROM DATABASE, DETACH which checkpoints), fsync, then
// rename over the old one, so a reader sees the previous snapshot or this one, never half.
// The snapshot records the run it came from in snapshot_info.
func Publish(ctx context.Context, db *sql.DB, target string, runID int64) error {
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
	var current string
	if err := conn.QueryRowContext(ctx, "SELECT current_database()").Scan(&current); err != nil {
		return fmt.Errorf("publishing: %w", err)
	}
	stmts := []string{
		fmt.Sprintf("ATTACH %s AS socrx_snapshot", quoteLit(tmp)),
		fmt.Sprintf("COPY FROM DATABASE %s TO socrx_snapshot", quoteIdent(current)),
		fmt.Sprintf("CREATE OR REPLACE TABLE socrx_snapshot.snapshot_info AS SELECT CAST(%d AS BIGINT) AS run_id, (SELECT max(file_id) FROM %s.ingested_files) AS max_file_id", runID, quoteIdent(current)),
		"COMMENT ON TABLE socrx_snapshot.snapshot_info IS 'The run this read-only snapshot was published from.'",
		"DETACH socrx_snapshot",
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
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
	return syncFile(dir)
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
