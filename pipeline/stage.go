package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/socrx/socrx/connectors"
)

// parallelStageBytes is the size from which a CSV file is worth staging in parallel: half
// of one DuckDB CSV scanner chunk (about 8 MB), below which one thread reads it anyway.
const parallelStageBytes = 4 << 20

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
	q, byRowid, err := in.stageStatement(ctx, src.kind, l, p.size, cols, m, table)
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
	if err := in.checkDateOrder(ctx, path, m.DateFormats); err != nil {
		return err
	}
	return in.checkIdentifiers(ctx, src.kind, path, cols)
}

// stageStatement returns the statement staging a file and whether it numbers records by
// rowid: a CSV file is staged in parallel, without a line column, when DuckDB plans that
// as an order-preserving insert; otherwise with the single-threaded line numbering. size
// is the file's bytes, as identify read them.
func (in *ingester) stageStatement(ctx context.Context, kind string, l connectors.Layout, size int64, cols map[string]string, m connectors.Mapping, table string) (string, bool, error) {
	plain := connectors.StageSQL(kind, l, cols, m, in.logical, table, false)
	if l.Format != "csv" {
		return plain, false, nil
	}
	// A file within one scanner chunk is read by one thread whatever the plan: planning
	// the parallel statement only to check its order would cost more than it could save.
	if size < parallelStageBytes {
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
