// Package pipeline runs socrx's jobs: it owns the DuckDB file's lifecycle, the run
// record, the lock, ingest (load), the transform and report steps, publish and the
// scheduler. It imports connectors, transforms and reports; they never import it.
package pipeline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/socrx/socrx/transforms"
)

// DBOptions are the DuckDB settings from config.
type DBOptions struct {
	MemoryLimit   string
	TempDirectory string
	ReadOnly      bool
}

// OpenDB opens (creating if needed) the DuckDB file with the configured limits. The caller
// closes it.
func OpenDB(ctx context.Context, path string, o DBOptions) (*sql.DB, error) {
	dsn := path
	if !o.ReadOnly && path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("creating database directory: %w", err)
		}
	}
	if o.ReadOnly {
		dsn += "?access_mode=read_only"
	}
	boot := func(ex driver.ExecerContext) error {
		var stmts []string
		if o.MemoryLimit != "" {
			stmts = append(stmts, fmt.Sprintf("SET memory_limit = '%s'", escape(o.MemoryLimit)))
		}
		if o.TempDirectory != "" {
			stmts = append(stmts, fmt.Sprintf("SET temp_directory = '%s'", escape(o.TempDirectory)))
		}
		for _, s := range stmts {
			if _, err := ex.ExecContext(ctx, s, nil); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	}
	conn, err := duckdb.NewConnector(dsn, boot)
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

// Migrate creates the core and meta tables if missing.
func Migrate(ctx context.Context, db *sql.DB) error {
	ddl, err := transforms.Schema()
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	return nil
}
