package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
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

// source is one configured source resolved for ingest.
type source struct {
	kind    string
	name    string
	pattern string
	format  string
	sheet   string // xlsx: the worksheet ("" = first)
	mode    string
	delim   byte
	mapping connectors.Mapping
	// settings fingerprints how the source's files are read (settingsFingerprint): files
	// loaded under other settings are read again.
	settings string
	// required: a kind every config has (referrals, attendances); a source of it that has
	// never matched a file fails the run.
	required bool
	// cfgKey locates the source in the config file, for messages.
	cfgKey string
}

func sourcesOf(cfg *config.Config) []source {
	var out []source
	var schemes []string
	for _, s := range cfg.Schemes {
		schemes = append(schemes, s.ID)
	}
	add := func(kind string, list config.SourceList) {
		for i, s := range list {
			m := connectors.Mapping{Columns: s.Columns, Values: s.Values, DefaultSchemeID: s.SchemeID, DateFormats: s.DateFormat}
			if kind == "referrals" {
				m.Schemes = schemes
			}
			key := "sources." + kind
			if len(list) > 1 {
				key = fmt.Sprintf("%s[%d]", key, i)
			}
			out = append(out, source{
				kind: kind, name: s.Name, pattern: cfg.Resolve(s.Path), format: s.Format, sheet: s.Sheet, mode: s.Mode,
				delim: s.Delimiter[0], mapping: m, settings: settingsFingerprint(kind, s, m),
				required: isContract(kind), cfgKey: key,
			})
		}
	}
	// Order matters: areas before people, referrals before their attendances.
	add("deprivation", cfg.Sources.Deprivation)
	add("population", cfg.Sources.Population)
	add("referrals", cfg.Sources.Referrals)
	add("attendances", cfg.Sources.Attendances)
	return out
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

// isContract says whether a source kind is staged and checked against the contract.
func isContract(kind string) bool { return kind == "referrals" || kind == "attendances" }

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
		workDir: filepath.Join(tmp, ".socrx-refdata"), tempDir: tmp, maxRejected: *cfg.Ingest.MaxRejectedShare}
	defer in.dropStaged() // after the rollback below: deferred calls run last-in first-out
	bar := newBar(opt.Progress, cfg)
	defer bar.done()
	var todo []*pending
	var adopt []source // sources whose earlier files carry no settings fingerprint yet
	// Attendances are checked against the referrals: when referrals are read again,
	// so are they (an orphan may now have its referral, or a quarantined one).
	rereadAttendances := false
	for _, src := range sourcesOf(cfg) {
		files, err := connectors.Expand(src.pattern)
		if err != nil {
			res.Files = append(res.Files, FileResult{Source: src.name, Kind: src.kind, Path: src.pattern, Error: err.Error()})
			return res, err
		}
		if len(files) == 0 {
			fr, err := in.noFiles(ctx, src)
			res.Files = append(res.Files, fr)
			if err != nil {
				return res, err
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
		plan, err := in.planReload(ctx, src, ps, opt.Reload, src.kind == "attendances" && rereadAttendances)
		if err != nil {
			res.Files = append(res.Files, FileResult{Source: src.name, Kind: src.kind, Path: src.pattern, Error: err.Error()})
			return res, err
		}
		if plan.any && src.kind == "referrals" {
			rereadAttendances = true
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
				return res, err
			}
		}
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
	for _, p := range todo {
		if !isContract(p.src.kind) {
			bar.start(p.path)
		}
		fr, err := in.loadFile(ctx, p)
		if !isContract(p.src.kind) {
			bar.finish(p.path)
		}
		res.Files = append(res.Files, fr)
		if err != nil {
			return res, err
		}
	}
	shipped, err := in.loadShippedReference(ctx)
	res.Files = append(res.Files, shipped...)
	if err != nil {
		return res, err
	}
	for _, src := range adopt {
		// files loaded before settings were recorded: take them as read under today's
		if _, err := conn.ExecContext(ctx, `UPDATE ingested_files SET settings = ? WHERE source = ? AND settings IS NULL`,
			src.settings, src.name); err != nil {
			return res, fmt.Errorf("recording the settings of %s: %w", src.name, err)
		}
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
	err = in.tx.QueryRowContext(ctx, `SELECT sha256 FROM ingested_files
		WHERE kind = ? AND path = ? AND bytes = ? AND modified_ns = ? LIMIT 1`, p.src.kind, p.path, p.size, p.mtime).Scan(&p.sum)
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
	if err := in.tx.QueryRowContext(ctx, `SELECT count(*) FROM ingested_files WHERE sha256 = ? AND kind = ?`, sum, kind).Scan(&seen); err != nil {
		return false, fmt.Errorf("checking %s: %w", path, err)
	}
	return seen > 0, nil
}

// loadFile loads one file unless a file with the same bytes was loaded before, or reads
// again one that is to be reloaded (pending.reloadID).
func (in *ingester) loadFile(ctx context.Context, p *pending) (FileResult, error) {
	src, path := p.src, p.path
	fr := FileResult{Source: src.name, Kind: src.kind, Path: path}
	if p.sum == "" {
		if err := in.identify(ctx, p); err != nil {
			fr.Error = err.Error()
			return fr, err
		}
	}
	fr.SHA256 = p.sum
	if p.reloadID != 0 {
		if err := in.forget(ctx, p); err != nil {
			return fr, err
		}
		fr.FileID, fr.Reloaded = p.reloadID, true
	} else {
		// Asked again inside the transaction: an earlier file of this run may have had
		// the same bytes.
		seen, err := in.loaded(ctx, p.sum, src.kind, path)
		if err != nil {
			return fr, err
		}
		if seen {
			// Remember the modification time it has now (a database from before
			// modified_ns, or the same bytes copied again), so the next run need not read it.
			if _, err := in.tx.ExecContext(ctx, `UPDATE ingested_files SET modified_ns = ?
				WHERE kind = ? AND sha256 = ? AND path = ? AND bytes = ? AND modified_ns IS DISTINCT FROM ?`,
				p.mtime, src.kind, p.sum, path, p.size, p.mtime); err != nil {
				return fr, fmt.Errorf("recording %s: %w", path, err)
			}
			fr.Skipped = true
			in.log.Info().Str("source", src.name).Str("file", filepath.Base(path)).Msg("already loaded; skipped")
			return fr, nil
		}
		if err := in.tx.QueryRowContext(ctx, `INSERT INTO ingested_files (file_id, source, kind, path, sha256, bytes, rows_loaded, rows_rejected, rows_replaced, rows_deleted, run_id, superseded, modified_ns, settings)
			SELECT coalesce(max(file_id), 0) + 1, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, false, ?, ? FROM ingested_files RETURNING file_id`,
			src.name, src.kind, path, p.sum, p.size, in.runID, p.mtime, src.settings).Scan(&fr.FileID); err != nil {
			return fr, fmt.Errorf("recording %s: %w", path, err)
		}
	}
	start := time.Now()
	var err error
	switch src.kind {
	case "deprivation":
		err = in.loadDeprivation(ctx, src, path, &fr)
	case "population":
		err = in.loadPopulation(ctx, src, path, &fr)
	default:
		err = in.loadStaged(ctx, p, &fr)
	}
	if err != nil {
		fr.Error = err.Error()
		return fr, err
	}
	if _, err := in.tx.ExecContext(ctx, `UPDATE ingested_files SET rows_loaded = ?, rows_rejected = ?, rows_replaced = ?, rows_deleted = ?, values_masked = ? WHERE file_id = ?`,
		fr.Loaded, fr.Rejected, fr.Replaced, fr.Deleted, fr.Masked, fr.FileID); err != nil {
		return fr, fmt.Errorf("recording %s: %w", path, err)
	}
	if fr.Reasons, err = in.reasons(ctx, fr.FileID); err != nil {
		return fr, err
	}
	if err := in.checkRejected(ctx, src, &fr); err != nil {
		fr.Error = err.Error()
		return fr, err
	}
	ev := in.log.Info()
	if fr.Masked > 0 {
		ev = in.log.Warn().Int64("identifiers_masked", fr.Masked)
	}
	msg := "loaded"
	if fr.Reloaded {
		msg = "read again under the current settings"
	}
	ev.Str("source", src.name).Str("file", filepath.Base(path)).Int64("rows", fr.Loaded).
		Int64("rejected", fr.Rejected).Int64("replaced", fr.Replaced).Int64("deleted", fr.Deleted).
		Int64("duration_ms", time.Since(start).Milliseconds()).Msg(msg)
	return fr, nil
}

func (in *ingester) reasons(ctx context.Context, fileID int64) (map[string]int64, error) {
	rows, err := in.tx.QueryContext(ctx, `SELECT reason, count(*) FROM quarantine WHERE file_id = ? GROUP BY 1`, fileID)
	if err != nil {
		return nil, fmt.Errorf("counting quarantine: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var r string
		var n int64
		if err := rows.Scan(&r, &n); err != nil {
			return nil, fmt.Errorf("counting quarantine: %w", err)
		}
		out[r] = n
	}
	return out, rows.Err()
}

// layout finds a file's header without reading it whole. XLSX workbooks and EMIS Web
// exports, which DuckDB cannot read, are streamed through Arrow into a temp table first;
// from there on every format goes through the same staging and quarantine.
func (in *ingester) layout(ctx context.Context, src source, path string) (connectors.Layout, error) {
	switch src.format {
	case "parquet":
		return connectors.SniffParquet(ctx, in.tx, path)
	case "xlsx", "emis":
		return in.loadArrow(ctx, src, path)
	}
	return connectors.SniffCSV(path, src.delim)
}

// arrowTable holds the current XLSX or EMIS file's rows inside the ingest transaction.
const arrowTable = "arrow_file"

func (in *ingester) loadArrow(ctx context.Context, src source, path string) (connectors.Layout, error) {
	want := wantedHeaders(src)
	var rr array.RecordReader
	var err error
	if src.format == "xlsx" {
		rr, err = connectors.OpenXLSX(path, src.sheet, want, connectors.XLSXOptions{TempDir: in.tempDir})
	} else {
		rr, err = connectors.OpenEMIS(path, want, rune(src.delim))
	}
	if err != nil {
		return connectors.Layout{}, err
	}
	defer rr.Release()
	var header []string
	for _, f := range rr.Schema().Fields() {
		if f.Name != connectors.LineField {
			header = append(header, f.Name)
		}
	}
	in.staged = append(in.staged, arrowTable) // dropped with the staged tables
	n, err := connectors.LoadArrow(ctx, in.tx, rr, arrowTable)
	if err != nil {
		return connectors.Layout{}, err
	}
	in.log.Debug().Str("file", filepath.Base(path)).Str("format", src.format).Int64("rows", n).Msg("arrow source loaded")
	return connectors.Layout{Path: path, Format: "table", Table: arrowTable, Header: header}, nil
}

// wantedHeaders are the header names a contract file must have (after column mapping),
// which is how a header row below metadata rows is found. Reference files are recognised
// by their published headers later, so any non-blank first row will do for them.
func wantedHeaders(src source) []string {
	var want []string
	for _, c := range connectors.Contract(src.kind) {
		if !c.Required || (c.Name == "scheme_id" && src.mapping.DefaultSchemeID != "") {
			continue
		}
		name := c.Name
		if mapped, ok := src.mapping.Columns[c.Name]; ok {
			name = mapped
		}
		want = append(want, name)
	}
	return want
}

// readRaw materialises a small reference file as TEMP TABLE raw_file (all VARCHAR, plus
// _line) and returns its layout.
func (in *ingester) readRaw(ctx context.Context, src source, path string) (connectors.Layout, error) {
	l, err := in.layout(ctx, src, path)
	if err != nil {
		return l, err
	}
	if _, err := in.tx.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE raw_file AS SELECT "+l.LineExpr()+" AS _line, * FROM "+l.ReadSQL()); err != nil {
		return l, readError(path, err)
	}
	return l, nil
}

// stage reads a referrals or attendances file, unless its bytes were loaded before, into
// a temp table of its own (parsed, row rules) in one pass, and makes the file-level
// checks: dates in US order and NHS numbers refuse the whole file.
func (in *ingester) stage(ctx context.Context, p *pending) error {
	src, path := p.src, p.path
	if p.sum == "" {
		if err := in.identify(ctx, p); err != nil {
			return err
		}
	}
	if p.reloadID == 0 {
		if seen, err := in.loaded(ctx, p.sum, src.kind, path); err != nil || seen {
			return err
		}
	}
	l, err := in.layout(ctx, src, path)
	if err != nil {
		return err
	}
	m := src.mapping
	if src.format == "parquet" || src.format == "xlsx" {
		// Parquet dates arrive typed, and XLSX date cells as serials; both print as ISO.
		m.DateFormats = append(append([]string{}, m.DateFormats...), "%Y-%m-%d")
	}
	cols, err := connectors.Resolve(src.kind, l, m)
	if err != nil {
		return err
	}
	table := fmt.Sprintf("stg_%d", len(in.staged)+1)
	in.staged = append(in.staged, table)
	q, byRowid, err := in.stageStatement(ctx, src.kind, l, cols, m, table)
	if err != nil {
		// EXPLAIN opens the file too: its errors are the reader's, said in one line
		return readError(path, err)
	}
	if _, err := in.exec(ctx, path, "staging", q); err != nil {
		return readError(path, errors.Unwrap(err))
	}
	p.table, p.byRowid = table, byRowid
	if byRowid {
		if err := in.tx.QueryRowContext(ctx, "SELECT coalesce(min(rowid), 0) FROM "+connectors.Ident(table)).Scan(&p.firstRowid); err != nil {
			return fmt.Errorf("%s: numbering lines: %w", path, err)
		}
	}
	if _, err := in.exec(ctx, path, "numbering lines", connectors.StagedView(table, p.byRowid, p.firstRowid)); err != nil {
		return err
	}
	if q := connectors.USDateCheckSQL(m.DateFormats); q != "" {
		var line int64
		var col, val string
		err := in.tx.QueryRowContext(ctx, q).Scan(&line, &col, &val)
		if err == nil {
			return &connectors.FileError{Path: path, Line: int(line), Column: col,
				Reason: "dates parse only with day and month swapped (US order); socrx never guesses — fix the extract or its date_format"}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: checking date order: %w", path, err)
		}
	}
	return in.checkIdentifiers(ctx, src.kind, path, cols)
}

// checkIdentifiers refuses a file in which an id column holds NHS numbers (design §3.1):
// every id column of the contract that the file has, by connectors.NHSNumberColumn.
func (in *ingester) checkIdentifiers(ctx context.Context, kind, path string, cols map[string]string) error {
	var ids []string
	for _, c := range connectors.Contract(kind) {
		if _, ok := cols[c.Name]; ok && c.ID {
			ids = append(ids, c.Name)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	start := time.Now()
	rows, err := in.tx.QueryContext(ctx, connectors.IdentifierCheckSQL(ids))
	if err != nil {
		return fmt.Errorf("%s: checking identifiers: %w", path, quiet(err))
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var ten, valid int64
		if err := rows.Scan(&c, &ten, &valid); err != nil {
			return fmt.Errorf("%s: checking identifiers: %w", path, quiet(err))
		}
		if connectors.NHSNumberColumn(valid, ten) {
			return &connectors.FileError{Path: path, Column: cols[c],
				Reason: fmt.Sprintf("holds NHS numbers (%d of %d distinct ten-digit values pass the modulus 11 check, as pseudonyms would with a chance below one in a million); extracts must be pseudonymised", valid, ten)}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: checking identifiers: %w", path, quiet(err))
	}
	in.log.Debug().Str("file", filepath.Base(path)).Str("statement", "checking identifiers").
		Int64("duration_ms", time.Since(start).Milliseconds()).Msg("ingest statement")
	return nil
}

// stageStatement returns the statement staging a file and whether it numbers records by
// rowid: a CSV file is staged in parallel, without a line column, when DuckDB plans that
// as an order-preserving insert; otherwise with the single-threaded line numbering.
func (in *ingester) stageStatement(ctx context.Context, kind string, l connectors.Layout, cols map[string]string, m connectors.Mapping, table string) (string, bool, error) {
	plain := connectors.StageSQL(kind, l, cols, m, in.logical, table, false)
	if l.Format != "csv" {
		return plain, false, nil
	}
	q := connectors.StageSQL(kind, l, cols, m, in.logical, table, true)
	rows, err := in.tx.QueryContext(ctx, "EXPLAIN (FORMAT json) "+q)
	if err != nil {
		return "", false, err
	}
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var key, value string
		if err := rows.Scan(&key, &value); err != nil {
			return "", false, err
		}
		plan.WriteString(value)
	}
	if err := rows.Err(); err != nil {
		return "", false, err
	}
	if !connectors.OrderedPlan(plan.String()) {
		in.log.Debug().Str("file", filepath.Base(l.Path)).Msg("staging plan is not order-preserving; numbering lines with a window")
		return plain, false, nil
	}
	return q, true, nil
}

// loadStaged loads a staged referrals or attendances file inside the ingest transaction:
// one pass for the set rules into set_bad, then quarantine, corrections, removals and
// the load.
func (in *ingester) loadStaged(ctx context.Context, p *pending, fr *FileResult) error {
	src, path := p.src, p.path
	if p.table == "" {
		// found loaded when staging, yet not now: never load a file that was not checked
		return fmt.Errorf("%s: not staged", path)
	}
	exec := func(what, q string, args ...any) (int64, error) { return in.exec(ctx, path, what, q, args...) }
	var err error
	if _, err := exec("selecting staged rows", connectors.StagedView(p.table, p.byRowid, p.firstRowid)); err != nil {
		return err
	}
	if _, err := exec("finding duplicate ids", connectors.DuplicateIDsSQL(src.kind)); err != nil {
		return err
	}
	var dups int64
	if err := in.tx.QueryRowContext(ctx, "SELECT count(*) FROM dup_ids").Scan(&dups); err != nil {
		return fmt.Errorf("%s: counting duplicate ids: %w", path, err)
	}
	if _, err := exec("applying set rules", connectors.SetRulesSQL(src.kind, dups > 0), src.name); err != nil {
		return err
	}
	reason, column, value := connectors.BadFields("_bad")
	id := connectors.Ident(connectors.IDColumn(src.kind))
	if fr.Rejected, err = exec("quarantining", fmt.Sprintf(`INSERT INTO quarantine (run_id, file_id, source, file, line, "column", value, reason, record_id)
		SELECT ?, ?, ?, ?, _line, %s, %s, %s, _id
		FROM (SELECT _line, _bad, %s AS _id FROM stg WHERE _bad IS NOT NULL UNION ALL SELECT _line, _bad, _id FROM set_bad) ORDER BY _line`,
		column, value, reason, id), in.runID, fr.FileID, src.name, path); err != nil {
		return err
	}
	table, id := src.kind, connectors.IDColumn(src.kind)
	var setBad int64
	if err := in.tx.QueryRowContext(ctx, "SELECT count(*) FROM set_bad").Scan(&setBad); err != nil {
		return fmt.Errorf("%s: counting rejected rows: %w", path, err)
	}
	good := `CREATE OR REPLACE TEMP VIEW good AS SELECT * FROM stg s WHERE s._bad IS NULL`
	if setBad > 0 {
		good += ` AND NOT EXISTS (SELECT 1 FROM set_bad b WHERE b._line = s._line)`
	}
	if _, err := exec("selecting good rows", good); err != nil {
		return err
	}
	var existing int64
	if err := in.tx.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s LIMIT 1)", table)).Scan(&existing); err != nil {
		return fmt.Errorf("%s: checking %s: %w", path, table, err)
	}
	if existing > 0 {
		if fr.Replaced, err = exec("replacing corrected rows", fmt.Sprintf(`DELETE FROM %s WHERE %s IN (SELECT %s FROM good)`, table, id, id)); err != nil {
			return err
		}
	}
	if src.mode == "replace" && existing > 0 {
		// Ids absent from the newest file are gone (opt-outs, erasures); a referral's
		// attendances go with it.
		if _, err := exec("finding removed ids", fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE removed_ids AS SELECT %s AS id FROM %s t
			WHERE t.source = ? AND NOT EXISTS (SELECT 1 FROM stg s WHERE s.%s = t.%s)`, id, table, id, id), src.name); err != nil {
			return err
		}
		if fr.Deleted, err = exec("deleting removed ids", fmt.Sprintf(`DELETE FROM %s WHERE %s IN (SELECT id FROM removed_ids)`, table, id)); err != nil {
			return err
		}
		if src.kind == "referrals" {
			n, err := exec("deleting attendances of removed referrals", `DELETE FROM attendances WHERE referral_id IN (SELECT id FROM removed_ids)`)
			if err != nil {
				return err
			}
			fr.Deleted += n
		}
	}
	if src.mode == "replace" {
		if _, err := exec("marking superseded files", `UPDATE ingested_files SET superseded = true WHERE source = ? AND file_id <> ?`, src.name, fr.FileID); err != nil {
			return err
		}
	}
	if fr.Loaded, err = exec("loading", insertSQL(src.kind), src.name, fr.FileID); err != nil {
		return err
	}
	return in.countMasked(ctx, src.kind, path, fr)
}

// countMasked counts the loaded values of free-text columns in which MaskFreeText put a
// marker: a count only, for the log and ingested_files.
func (in *ingester) countMasked(ctx context.Context, kind, path string, fr *FileResult) error {
	var conds []string
	for _, c := range connectors.Contract(kind) {
		if c.Free {
			col := connectors.Ident(c.Name)
			conds = append(conds, fmt.Sprintf("contains(%s, %s) OR contains(%s, %s)", col,
				connectors.Literal(connectors.MaskNHSNumber), col, connectors.Literal(connectors.MaskPostcode)))
		}
	}
	if len(conds) == 0 {
		return nil
	}
	q := "SELECT count(*) FROM good WHERE " + strings.Join(conds, " OR ")
	if err := in.tx.QueryRowContext(ctx, q).Scan(&fr.Masked); err != nil {
		return fmt.Errorf("%s: counting masked values: %w", path, quiet(err))
	}
	return nil
}

// insertSQL moves the good staged rows into the core table ($1 source, $2 file id).
func insertSQL(kind string) string {
	if kind == "referrals" {
		return `INSERT INTO referrals (referral_id, person_id, scheme_id, practice_code, referral_date, referral_source,
			referral_reason, outcome, closed_date, lsoa_code, sex, age, birth_month, ethnic_category, source, source_file_id, source_line)
		SELECT referral_id, person_id, scheme_id, practice_code, referral_date, referral_source, referral_reason, outcome,
			closed_date, lsoa_code, sex,
			coalesce(CAST(age AS INTEGER), CASE WHEN birth_month IS NOT NULL THEN
				CAST(floor(date_diff('month', CAST(strptime(birth_month || '-15', '%Y-%m-%d') AS DATE), referral_date) / 12) AS INTEGER) END),
			birth_month, ethnic_category, ?, ?, _line
		FROM good`
	}
	return `INSERT INTO attendances (attendance_id, referral_id, attendance_date, setting, status, worker_id, provider_id,
		activity_category, mode, person_id, source, source_file_id, source_line)
	SELECT attendance_id, referral_id, attendance_date, setting, status, worker_id, provider_id, activity_category, mode,
		person_id, ?, ?, _line
	FROM good`
}
