// Package pipeline runs socrx's jobs: it owns the DuckDB file's lifecycle, the run
// record, the lock, ingest (load), the transform and report steps, publish and the
// scheduler. It imports connectors, transforms and reports; they never import it.
package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/socrx/socrx/config"
)

// DBOptions are the DuckDB settings from config.
// ThreadsEnv, when set to a positive number, caps DuckDB's worker threads (default: one
// per core). For a machine shared with other work, and for the tests, which open many
// databases at once on two cores, where a pool per database oversubscribes them.
const ThreadsEnv = "SOCRX_THREADS"

type DBOptions struct {
	MemoryLimit   string
	TempDirectory string
	ReadOnly      bool
	// Sandbox (with ReadOnly) confines SQL to the database file: no file reads or writes
	// (read_csv, COPY TO, ATTACH, EXPORT), no extension installs or loads, and the
	// configuration locked so that no statement can lift any of it. For `socrx query`,
	// which runs whatever SQL it is given.
	Sandbox bool
}

// sandboxSettings confine a sandboxed database. The DSN applies them in no particular
// order, which is safe: lock_configuration refuses later SET statements, not the settings
// a database is instantiated with.
func sandboxSettings() [][2]string {
	return [][2]string{
		{"enable_external_access", "false"},
		{"autoinstall_known_extensions", "false"},
		{"autoload_known_extensions", "false"},
		{"allow_community_extensions", "false"},
		{"lock_configuration", "true"},
	}
}

// OpenDB opens (creating if needed) the DuckDB file with the configured limits. The caller
// closes it.
//
// Every setting goes in the DSN, applied once when DuckDB instantiates the database,
// rather than in SET statements run as each pooled connection opens: DuckDB refuses a
// second SET temp_directory once the first has spilled ("Cannot switch temporary
// directory after the current one has been used"), which failed the report step's
// parallel connections under memory pressure, and refuses every SET once the
// configuration is locked.
func OpenDB(ctx context.Context, path string, o DBOptions) (*sql.DB, error) {
	if !o.ReadOnly && path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("creating database directory: %w", err)
		}
	}
	if err := config.CheckDSNPath(path); err != nil {
		// the driver reads the path as a URL: a '#' would silently drop every setting
		// after it, the sandbox's among them
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	if o.Sandbox && !o.ReadOnly {
		return nil, fmt.Errorf("opening database %s: a sandboxed database must be read-only", path)
	}
	params := url.Values{}
	if o.ReadOnly {
		params.Set("access_mode", "read_only")
	}
	if n, err := strconv.Atoi(os.Getenv(ThreadsEnv)); err == nil && n > 0 {
		params.Set("threads", strconv.Itoa(n))
	}
	if o.MemoryLimit != "" {
		params.Set("memory_limit", o.MemoryLimit)
	}
	if o.TempDirectory != "" {
		params.Set("temp_directory", o.TempDirectory)
	}
	if o.Sandbox {
		for _, kv := range sandboxSettings() {
			params.Set(kv[0], kv[1])
		}
	}
	dsn := path
	if len(params) > 0 {
		dsn += "?" + params.Encode()
	}
	conn, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	db := sql.OpenDB(conn)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	return db, nil
}

func escape(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '\'' {
			out = append(out, '\'')
		}
		out = append(out, r)
	}
	return string(out)
}
