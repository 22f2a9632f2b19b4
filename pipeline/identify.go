package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/socrx/socrx/connectors"
)

// identify sets the file's sha256, size and modification time. A file loaded before from
// the same path with the same size and modification time is taken as unchanged and its
// recorded sha256 reused: extracts accumulate, and re-reading the old ones took most of
// a large nightly ingest. Any other file is read and hashed, and a CSV checked for NUL
// bytes on the way (DuckDB would load them into values).
func (in *ingester) identify(ctx context.Context, p *pending) error {
	fi, err := os.Stat(p.path)
	if err != nil {
		return fmt.Errorf("opening %s: %w", p.path, err)
	}
	p.size, p.mtime = fi.Size(), fi.ModTime().UnixNano()
	err = in.tx.QueryRowContext(ctx, sqlFile("files/recorded_sha256"), p.src.kind, p.path, p.size, p.mtime).Scan(&p.sum)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("checking %s: %w", p.path, err)
	}
	start := time.Now()
	sum, err := connectors.SumFile(p.path, p.src.format == "csv")
	if err != nil {
		return err
	}
	in.log.Debug().Str("file", filepath.Base(p.path)).Str("statement", "hashing").
		Int64("duration_ms", time.Since(start).Milliseconds()).Msg("ingest statement")
	if sum.NULRecord > 0 {
		return connectors.NULError(p.path, sum.NULRecord)
	}
	p.sum, p.size = sum.SHA256, sum.Size
	return nil
}

// loaded says whether a file with these bytes was loaded before as this kind.
func (in *ingester) loaded(ctx context.Context, sum, kind, path string) (bool, error) {
	var seen int
	if err := in.tx.QueryRowContext(ctx, sqlFile("files/count_loaded"), sum, kind).Scan(&seen); err != nil {
		return false, fmt.Errorf("checking %s: %w", path, err)
	}
	return seen > 0, nil
}
