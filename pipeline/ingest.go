package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/connectors"
)

// FileResult is what ingest did with one file.
type FileResult struct {
	Source   string `json:"source"`
	Kind     string `json:"kind"`
	Path     string `json:"path"`
	SHA256   string `json:"sha256"`
	FileID   int64  `json:"file_id"`
	Loaded   int64  `json:"rows_loaded"`
	Rejected int64  `json:"rows_rejected"`
	Replaced int64  `json:"rows_replaced"`
	Deleted  int64  `json:"rows_deleted"`
	Skipped  bool   `json:"skipped"`  // already loaded (same sha256)
	Reloaded bool   `json:"reloaded"` // read again under changed settings, or on request
	// Masked counts values of free-text columns in which an NHS number or a postcode was
	// replaced by a marker.
	Masked  int64  `json:"values_masked,omitempty"`
	Error   string `json:"error,omitempty"`
	Warning string `json:"warning,omitempty"` // e.g. an optional source that matched no file
	// Reasons counts this file's quarantined rows by reason.
	Reasons map[string]int64 `json:"reasons,omitempty"`
}

// IngestResult summarises an ingest.
type IngestResult struct {
	Files []FileResult
}

// Totals adds up rows loaded and rejected and files skipped.
func (r IngestResult) Totals() (loaded, rejected int64, skipped int) {
	for _, f := range r.Files {
		loaded += f.Loaded
		rejected += f.Rejected
		if f.Skipped {
			skipped++
		}
	}
	return
}

// IngestOptions tune an ingest.
type IngestOptions struct {
	DryRun   bool      // validate only: roll back at the end
	Progress io.Writer // a terminal to draw a progress bar on (nil: none)
	// Reload names sources (by name) or files (by path) to read again although they were
	// loaded before: a file is read again with every later file of its source, so that
	// corrections keep their order.
	Reload []string
}

// ingester loads files on one connection: contract files are staged first, each in a
// temp table of its own, then every file is loaded inside one transaction.
type ingester struct {
	tx      *sql.Conn // a Conn (not a Tx) so Arrow sources can use its Appender
	runID   int64
	logical time.Time
	log     zerolog.Logger
	workDir string   // where shipped reference files are materialised
	tempDir string   // where readers spill (an XLSX's large shared-string table)
	staged  []string // temp tables to drop when the ingest ends
	// maxRejected is the share of a file's rows that may be quarantined before the file
	// fails the run (ingest.max_rejected_share).
	maxRejected float64
	codelists   []codelistSource // loaded whole by every ingest
}

// pending is one file of one source, in load order.
type pending struct {
	src   source
	path  string
	sum   string // sha256, once hashed
	size  int64
	mtime int64  // modification time, ns since 1970
	table string // referrals and attendances: the staged temp table ("" = not staged)
	// reloadID is the file_id of an earlier load of these same bytes that is to be read
	// again (changed settings, or asked for): its rows and quarantine are replaced
	reloadID int64
	// byRowid: the staged table is in file order and its rowids from firstRowid number
	// the records (connectors.StagedView)
	byRowid    bool
	firstRowid int64
}

// Ingest loads every new file of every configured source in one transaction: all of the
// run's files commit together, or none do. With dryRun the transaction is rolled back
// (socrx validate). The first file-level error stops the run and loads nothing.
//
// Referral and attendance files are read and checked (staged) before the transaction
// opens: DuckDB reads a temp table created inside a transaction about half as fast, and
// loading from it was the costliest statement of an ingest. Staging changes no data, so
// a run that fails there leaves the database as it was, like any other failure.
func Ingest(ctx context.Context, db *sql.DB, cfg *config.Config, runID int64, logical time.Time, opt IngestOptions, log zerolog.Logger) (IngestResult, error) {
	var res IngestResult
	conn, err := db.Conn(ctx)
	if err != nil {
		return res, fmt.Errorf("starting ingest: %w", err)
	}
	defer conn.Close()
	// Shipped reference files are written once, and readers spill (an XLSX's large
	// shared-string table), to the configured temp directory, else beside the database
	// (DuckDB reads paths), not to a temp dir that a killed run would leave behind.
	tmp := cfg.Resolve(cfg.TempDirectory)
	if cfg.TempDirectory == "" {
		tmp = filepath.Dir(cfg.Resolve(cfg.Database))
	}
	in := &ingester{tx: conn, runID: runID, logical: logical, log: log,
		workDir: filepath.Join(tmp, ".socrx-refdata"), tempDir: tmp, maxRejected: *cfg.Ingest.MaxRejectedShare,
		codelists: codelistsOf(cfg)}
	defer in.dropStaged() // after the rollback below: deferred calls run last-in first-out
	bar := newBar(opt.Progress, cfg)
	defer bar.done()
	todo, adopt, err := in.prepare(ctx, cfg, opt.Reload, bar, &res)
	if err != nil {
		return res, err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return res, fmt.Errorf("starting ingest transaction: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			// A fresh context: a cancelled run must still roll back.
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	if err := in.load(ctx, todo, adopt, bar, &res); err != nil {
		return res, err
	}
	if opt.DryRun {
		return res, nil
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return res, fmt.Errorf("committing ingest: %w", err)
	}
	committed = true
	return res, nil
}

// prepare lists the files to load, source by source in load order: each source's files
// that match its pattern (a replace source's newest only), those read again marked
// (planReload), and the contract files staged. adopt lists the sources whose earlier
// files carry no settings fingerprint yet. A source's error is added to res.
func (in *ingester) prepare(ctx context.Context, cfg *config.Config, reload []string, bar *bar, res *IngestResult) (todo []*pending, adopt []source, err error) {
	// Attendances and outcomes are checked against the referrals: when referrals are
	// read again, so are they (an orphan may now have its referral, or a quarantined one).
	// Likewise GP events against the registered list.
	rereadReferred, rereadRegistered := false, false
	for _, src := range sourcesOf(cfg) {
		files, err := connectors.Expand(src.pattern)
		if err != nil {
			res.Files = append(res.Files, FileResult{Source: src.name, Kind: src.kind, Path: src.pattern, Error: err.Error()})
			return nil, nil, err
		}
		if len(files) == 0 {
			fr, err := in.noFiles(ctx, src)
			res.Files = append(res.Files, fr)
			if err != nil {
				return nil, nil, err
			}
			continue
		}
		if src.mode == "replace" {
			// Only the newest file of a replace source is the whole extract.
			files = files[len(files)-1:]
		}
		ps := make([]*pending, len(files))
		for i, f := range files {
			ps[i] = &pending{src: src, path: f}
		}
		force := (connectors.RefersToReferrals(src.kind) && rereadReferred) || (src.kind == "gp_events" && rereadRegistered)
		plan, err := in.planReload(ctx, src, ps, reload, force)
		if err != nil {
			res.Files = append(res.Files, FileResult{Source: src.name, Kind: src.kind, Path: src.pattern, Error: err.Error()})
			return nil, nil, err
		}
		if plan.any && src.kind == "referrals" {
			rereadReferred = true
		}
		if plan.any && src.kind == "gp_patients" {
			rereadRegistered = true
		}
		if plan.legacy {
			adopt = append(adopt, src)
		}
		for _, p := range ps {
			todo = append(todo, p)
			if !isContract(src.kind) {
				continue
			}
			bar.start(p.path)
			err := in.stage(ctx, p)
			bar.finish(p.path)
			if err != nil {
				res.Files = append(res.Files, FileResult{Source: src.name, Kind: src.kind, Path: p.path, SHA256: p.sum, Error: err.Error()})
				return nil, nil, err
			}
		}
	}
	return todo, adopt, nil
}

// load loads the prepared files in order inside the ingest transaction, then the shipped
// reference files the database lacks, and takes the files of the adopted sources as read
// under today's settings. Each file's result is added to res.
func (in *ingester) load(ctx context.Context, todo []*pending, adopt []source, bar *bar, res *IngestResult) error {
	for _, p := range todo {
		if !isContract(p.src.kind) {
			bar.start(p.path) // a contract file's bytes were counted as it was staged
		}
		fr, err := in.loadFile(ctx, p)
		if !isContract(p.src.kind) {
			bar.finish(p.path)
		}
		res.Files = append(res.Files, fr)
		if err != nil {
			return err
		}
	}
	shipped, err := in.loadShippedReference(ctx)
	res.Files = append(res.Files, shipped...)
	if err != nil {
		return err
	}
	if err := in.loadCodelists(ctx); err != nil {
		return err
	}
	for _, src := range adopt {
		if _, err := in.tx.ExecContext(ctx, sqlFile("files/adopt_settings"), src.settings, src.name); err != nil {
			return fmt.Errorf("recording the settings of %s: %w", src.name, err)
		}
	}
	return nil
}

// dropStaged frees the staged temp tables, whatever became of the ingest.
func (in *ingester) dropStaged() {
	for _, t := range in.staged {
		_, _ = in.tx.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+connectors.Ident(t))
	}
}

// exec runs one statement of a file's ingest, logging its time at debug level.
func (in *ingester) exec(ctx context.Context, path, what, q string, args ...any) (int64, error) {
	start := time.Now()
	res, err := in.tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("%s: %s: %w", path, what, quiet(err))
	}
	n, _ := res.RowsAffected()
	in.log.Debug().Str("file", filepath.Base(path)).Str("statement", what).Int64("rows", n).
		Int64("duration_ms", time.Since(start).Milliseconds()).Msg("ingest statement")
	return n, nil
}
