package connectors

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"
)

// LineField is the Arrow field carrying a record's line number in its source file. It
// becomes the _line column that Layout.LineExpr reads for Format "table".
const LineField = "_line"

// batchRows is the number of rows per Arrow record batch: large enough that per-batch
// costs vanish, small enough that a batch of wide text rows stays a few MiB.
const batchRows = 8192

// batchBytes ends a batch early once its text reaches this size: a batch of 8192 rows of
// long cells (each up to Excel's 32,767 characters) would otherwise run to gigabytes.
const batchBytes = 32 << 20

// headerSearchRows bounds how far down a file a header row is looked for, so that a file
// without one is refused after a few rows instead of after a full scan.
const headerSearchRows = 50

// LoadArrow creates (or replaces) TEMP TABLE table with one VARCHAR column per field of
// rr's schema other than _line, named and ordered as the fields, then _line BIGINT from
// the int64 field _line, and appends every record batch of rr through DuckDB's Appender.
// It returns the rows appended. The staging SQL then reads the table through
// Layout{Format: "table", Table: table, Header: the other fields' names}.
//
// The Appender runs on conn itself, so when conn is inside a transaction the table and
// its rows belong to that transaction and vanish on ROLLBACK. duckdb-go's Arrow scan would
// avoid the row-by-row copy, but it needs the duckdb_arrow build tag, which the default
// build lacks. The caller keeps ownership of rr: under arrow-go's RecordReader contract
// each batch is released by rr when it advances, so LoadArrow holds none past its append.
func LoadArrow(ctx context.Context, conn *sql.Conn, rr array.RecordReader, table string) (int64, error) {
	schema := rr.Schema()
	data, line, err := arrowColumns(schema)
	if err != nil {
		return 0, fmt.Errorf("loading into %s: %w", table, err)
	}
	defs := make([]string, 0, len(data)+1)
	for _, i := range data {
		defs = append(defs, Ident(schema.Field(i).Name)+" VARCHAR")
	}
	defs = append(defs, Ident(LineField)+" BIGINT")
	if _, err := conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE "+Ident(table)+" ("+strings.Join(defs, ", ")+")"); err != nil {
		return 0, fmt.Errorf("creating table %s: %w", table, err)
	}
	var n int64
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("appending to %s: connection %T is not a driver connection", table, dc)
		}
		// Name the temp catalog (temp.main) rather than trust the search path to prefer it
		// over a persistent table of the same name.
		a, err := duckdb.NewAppender(c, "temp", "main", table)
		if err != nil {
			return fmt.Errorf("opening appender on %s: %w", table, err)
		}
		n, err = appendBatches(ctx, a, rr, data, line)
		if err != nil {
			// Drop buffered rows rather than flush half a file; the caller rolls back.
			if cerr := errors.Join(a.Clear(), a.Close()); cerr != nil {
				return errors.Join(err, cerr)
			}
			return err
		}
		if err := a.CloseWithCancel(ctx); err != nil {
			return fmt.Errorf("flushing rows into %s: %w", table, err)
		}
		return nil
	})
	return n, err
}

// arrowColumns returns the indexes of the data fields and of the _line field, refusing
// schemas that would make an invalid or ambiguous table (DuckDB names are case-insensitive).
func arrowColumns(schema *arrow.Schema) (data []int, line int, err error) {
	line = -1
	seen := map[string]bool{}
	for i, f := range schema.Fields() {
		if f.Name == "" {
			return nil, 0, fmt.Errorf("field %d has no name", i+1)
		}
		if seen[strings.ToLower(f.Name)] {
			return nil, 0, fmt.Errorf("field name %q repeats (names are case-insensitive)", f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		if strings.EqualFold(f.Name, LineField) {
			if f.Type.ID() != arrow.INT64 {
				return nil, 0, fmt.Errorf("field %s is %s, want int64", f.Name, f.Type)
			}
			line = i
			continue
		}
		data = append(data, i)
	}
	if line < 0 {
		return nil, 0, fmt.Errorf("schema has no %s field", LineField)
	}
	return data, line, nil
}

// appendBatches appends every batch of rr to a, in the column order of arrowColumns.
func appendBatches(ctx context.Context, a *duckdb.Appender, rr array.RecordReader, data []int, line int) (int64, error) {
	var n int64
	row := make([]driver.Value, len(data)+1)
	for rr.Next() {
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("appending batch: %w", err)
		}
		rec := rr.RecordBatch()
		cols := make([]arrow.Array, len(data))
		for j, i := range data {
			cols[j] = rec.Column(i)
		}
		lines := rec.Column(line).(*array.Int64)
		for r := 0; r < int(rec.NumRows()); r++ {
			for j, col := range cols {
				row[j] = cellValue(col, r)
			}
			row[len(data)] = nil
			if lines.IsValid(r) {
				row[len(data)] = lines.Value(r)
			}
			if err := a.AppendRow(row...); err != nil {
				return n, fmt.Errorf("appending row %d: %w", n+1, err)
			}
			n++
		}
	}
	if err := rr.Err(); err != nil {
		return n, fmt.Errorf("reading record batches: %w", err)
	}
	return n, nil
}

// cellValue is the VARCHAR value of row r of col: strings as they are, other types as
// Arrow prints them, so that a reader with typed columns still loads as text.
func cellValue(col arrow.Array, r int) driver.Value {
	if col.IsNull(r) {
		return nil
	}
	if s, ok := col.(*array.String); ok {
		return s.Value(r)
	}
	return col.ValueStr(r)
}

// rowSource yields a file's rows after its header, one at a time, with each row's line
// number in the file; it returns io.EOF after the last row.
type rowSource interface {
	next() (cells []string, line int64, err error)
	close() error
}

// headerHinter is a rowSource that can say why the rows it gave held no header.
type headerHinter interface {
	headerHint() string // "" when it has nothing to add
}

// textReader turns a rowSource into Arrow record batches of string columns plus _line.
type textReader struct {
	refs   atomic.Int64
	path   string
	schema *arrow.Schema
	bld    *array.RecordBuilder
	cols   []*array.StringBuilder
	lines  *array.Int64Builder
	src    rowSource
	rec    arrow.RecordBatch
	err    error
	done   bool
}

// newTextReader takes ownership of src: it is closed at the end of the rows or on Release.
func newTextReader(mem memory.Allocator, path string, header []string, src rowSource) *textReader {
	fields := make([]arrow.Field, 0, len(header)+1)
	for _, h := range header {
		fields = append(fields, arrow.Field{Name: h, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	fields = append(fields, arrow.Field{Name: LineField, Type: arrow.PrimitiveTypes.Int64})
	r := &textReader{path: path, schema: arrow.NewSchema(fields, nil), src: src}
	r.bld = array.NewRecordBuilder(mem, r.schema)
	for i := range header {
		r.cols = append(r.cols, r.bld.Field(i).(*array.StringBuilder))
	}
	r.lines = r.bld.Field(len(header)).(*array.Int64Builder)
	r.refs.Store(1)
	return r
}

func (r *textReader) Retain() { r.refs.Add(1) }

func (r *textReader) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	r.bld.Release()
	r.finish(nil)
}

func (r *textReader) Schema() *arrow.Schema { return r.schema }

func (r *textReader) RecordBatch() arrow.RecordBatch { return r.rec }

// Record is the deprecated name of RecordBatch, kept by the RecordReader interface.
func (r *textReader) Record() arrow.RecordBatch { return r.rec }

func (r *textReader) Err() error { return r.err }

// Next builds the next batch of up to batchRows non-blank rows and about batchBytes of
// text. A file-level error ends the rows; the partial batch is discarded, since the whole
// file is refused anyway.
func (r *textReader) Next() bool {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	n, size := 0, 0
	for !r.done && n < batchRows && size < batchBytes {
		cells, line, err := r.src.next()
		if errors.Is(err, io.EOF) {
			r.finish(nil)
			break
		}
		if err != nil {
			r.finish(err)
			break
		}
		if blankRow(cells) {
			continue
		}
		if err := r.checkWidth(cells, line); err != nil {
			r.finish(err)
			break
		}
		for i, b := range r.cols {
			if i < len(cells) && cells[i] != "" {
				b.Append(cells[i])
				size += len(cells[i])
			} else {
				b.AppendNull()
			}
		}
		r.lines.Append(line)
		n++
	}
	rec := r.bld.NewRecordBatch()
	if r.err != nil || n == 0 {
		rec.Release()
		return false
	}
	r.rec = rec
	return true
}

// checkWidth refuses a row with a value beyond the header's columns: it would be data
// under no name. Empty trailing cells (a trailing comma, a formatted blank cell) are fine.
func (r *textReader) checkWidth(cells []string, line int64) error {
	for i := len(r.cols); i < len(cells); i++ {
		if strings.TrimSpace(cells[i]) != "" {
			return &FileError{Path: r.path, Line: int(line),
				Reason: fmt.Sprintf("row has a value in column %d, beyond the %d columns of the header", i+1, len(r.cols))}
		}
	}
	return nil
}

// closeAfter closes src after a failure, keeping err itself (a *FileError stays one)
// unless closing fails too.
func closeAfter(err error, src rowSource) error {
	if cerr := src.close(); cerr != nil {
		return errors.Join(err, cerr)
	}
	return err
}

// finish ends the rows with err (nil at a clean end) and closes the source once.
func (r *textReader) finish(err error) {
	if r.done {
		return
	}
	r.done = true
	cerr := r.src.close()
	if err == nil && cerr != nil {
		err = fmt.Errorf("closing %s: %w", r.path, cerr)
	}
	r.err = err
}

func blankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// headerName normalises a header cell: spreadsheets and EMIS wrap long headers onto
// several lines ("Referral\nDate"), which a mapping should not have to spell.
func headerName(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// findHeader reads rows from src until one holds every name in want (case-insensitive,
// whitespace-normalised), within the first headerSearchRows lines: exports put titles and
// run metadata above the header. With want empty the first non-blank row is the header.
func findHeader(path string, src rowSource, want []string) ([]string, int64, error) {
	var bestLine int64
	var bestMissing []string
	empty, eof := true, false
	for {
		cells, line, err := src.next()
		if errors.Is(err, io.EOF) {
			eof = true
			break
		}
		if err == nil && line > headerSearchRows {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		if blankRow(cells) {
			continue
		}
		empty = false
		have := make(map[string]bool, len(cells))
		for _, c := range cells {
			have[strings.ToLower(headerName(c))] = true
		}
		var missing []string
		for _, w := range want {
			if !have[strings.ToLower(headerName(w))] {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			h, err := makeHeader(path, line, cells)
			return h, line, err
		}
		if bestLine == 0 || len(missing) < len(bestMissing) {
			bestLine, bestMissing = line, missing
		}
	}
	if empty && eof {
		return nil, 0, &FileError{Path: path, Reason: "file is empty (no header row)"}
	}
	reason := fmt.Sprintf("no header row holding all of %s in the first %d rows", quoteList(want), headerSearchRows)
	if bestLine > 0 {
		reason += fmt.Sprintf(" (the closest, line %d, lacks %s)", bestLine, quoteList(bestMissing))
	}
	if h, ok := src.(headerHinter); ok {
		reason += h.headerHint()
	}
	return nil, 0, &FileError{Path: path, Reason: reason}
}

// makeHeader names the columns of a header row: empty cells become columnN, as in the
// CSV path; a repeated name or the reserved _line is a file error.
func makeHeader(path string, line int64, cells []string) ([]string, error) {
	h := make([]string, len(cells))
	seen := map[string]bool{}
	for i, c := range cells {
		name := headerName(c)
		if name == "" {
			name = fmt.Sprintf("column%d", i+1)
		}
		if strings.EqualFold(name, LineField) {
			return nil, &FileError{Path: path, Line: int(line), Column: name, Reason: "header uses a column name socrx reserves"}
		}
		if seen[strings.ToLower(name)] {
			return nil, &FileError{Path: path, Line: int(line), Column: name, Reason: "header repeats a column name"}
		}
		seen[strings.ToLower(name)] = true
		h[i] = name
	}
	return h, nil
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
