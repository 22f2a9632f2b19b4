package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ExportNotice is written into every exported file's metadata: exports are unsuppressed.
const ExportNotice = "UNSUPPRESSED pseudonymised data from socrx: for the secure environment only; " +
	"no disclosure control has been applied (it applies to reports only)."

// ExportResult is one exported table.
type ExportResult struct {
	Table string
	Path  string
	Rows  int64
}

var tableName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// Export writes each table to dir as Parquet (DuckDB's writer, zstd) or Arrow IPC
// (arrow-go, streamed in record batches), with the unsuppressed notice and run id in the
// file metadata.
func Export(ctx context.Context, db *sql.DB, tables []string, format, dir string, runID int64) ([]ExportResult, error) {
	if format != "parquet" && format != "arrow" {
		return nil, fmt.Errorf("format %q: want parquet or arrow", format)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	var out []ExportResult
	for _, t := range tables {
		if !tableName.MatchString(t) {
			return out, fmt.Errorf("table %q: not a table name", t)
		}
		var n int
		if err := db.QueryRowContext(ctx, sqlFile("export/table_exists"), t).Scan(&n); err != nil {
			return out, fmt.Errorf("looking up %s: %w", t, err)
		}
		if n == 0 {
			return out, fmt.Errorf("no table %q (see socrx query \"SELECT table_name FROM duckdb_tables()\")", t)
		}
		path := filepath.Join(dir, t+"."+format)
		var rows int64
		var err error
		if format == "parquet" {
			rows, err = exportParquet(ctx, db, t, path, runID)
		} else {
			rows, err = exportArrow(ctx, db, t, path, runID)
		}
		if err != nil {
			return out, fmt.Errorf("exporting %s: %w", t, err)
		}
		out = append(out, ExportResult{Table: t, Path: path, Rows: rows})
	}
	return out, nil
}

func exportParquet(ctx context.Context, db *sql.DB, table, path string, runID int64) (int64, error) {
	tmp := path + ".tmp"
	q := sqlTemplate("export/parquet", struct{ Table, Path, Notice, RunID, TableName string }{
		quoteIdent(table), quoteLit(tmp), quoteLit(ExportNotice), quoteLit(strconv.FormatInt(runID, 10)), quoteLit(table)})
	if _, err := db.ExecContext(ctx, q); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, err
	}
	var n int64
	err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(table)).Scan(&n)
	return n, err
}

// arrowType maps a DuckDB column type to Arrow; anything unusual travels as text.
func arrowType(dbType string) arrow.DataType {
	switch strings.ToUpper(dbType) {
	case "BIGINT", "HUGEINT":
		return arrow.PrimitiveTypes.Int64
	case "INTEGER", "SMALLINT", "TINYINT":
		return arrow.PrimitiveTypes.Int32
	case "DOUBLE", "FLOAT", "REAL":
		return arrow.PrimitiveTypes.Float64
	case "BOOLEAN":
		return arrow.FixedWidthTypes.Boolean
	case "DATE":
		return arrow.FixedWidthTypes.Date32
	case "TIMESTAMP", "TIMESTAMP WITH TIME ZONE":
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	}
	return arrow.BinaryTypes.String
}

func exportArrow(ctx context.Context, db *sql.DB, table, path string, runID int64) (int64, error) {
	rows, err := db.QueryContext(ctx, "SELECT * FROM "+quoteIdent(table))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return 0, err
	}
	fields := make([]arrow.Field, len(cts))
	for i, ct := range cts {
		fields[i] = arrow.Field{Name: ct.Name(), Type: arrowType(ct.DatabaseTypeName()), Nullable: true}
	}
	md := arrow.NewMetadata([]string{"socrx_notice", "socrx_run_id", "socrx_table"}, []string{ExportNotice, fmt.Sprint(runID), table})
	schema := arrow.NewSchema(fields, &md)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(schema))
	if err != nil {
		return 0, err
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	vals := make([]any, len(cts))
	ptrs := make([]any, len(cts))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n, inBatch int64
	flush := func() error {
		rec := b.NewRecordBatch()
		defer rec.Release()
		inBatch = 0
		return w.Write(rec)
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			appendValue(b.Field(i), v)
		}
		n++
		if inBatch++; inBatch == 65536 {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if inBatch > 0 || n == 0 {
		if err := flush(); err != nil {
			return n, err
		}
	}
	if err := w.Close(); err != nil {
		return n, err
	}
	if err := f.Sync(); err != nil {
		return n, err
	}
	return n, os.Rename(tmp, path)
}

func appendValue(fb array.Builder, v any) {
	if v == nil {
		fb.AppendNull()
		return
	}
	switch b := fb.(type) {
	case *array.Int64Builder:
		b.Append(toInt64(v))
	case *array.Int32Builder:
		b.Append(int32(toInt64(v)))
	case *array.Float64Builder:
		switch x := v.(type) {
		case float64:
			b.Append(x)
		case float32:
			b.Append(float64(x))
		default:
			b.Append(float64(toInt64(v)))
		}
	case *array.BooleanBuilder:
		x, _ := v.(bool)
		b.Append(x)
	case *array.Date32Builder:
		t, _ := v.(time.Time)
		b.Append(arrow.Date32FromTime(t))
	case *array.TimestampBuilder:
		t, _ := v.(time.Time)
		b.Append(arrow.Timestamp(t.UTC().UnixMicro()))
	case *array.StringBuilder:
		b.Append(fmt.Sprint(v))
	default:
		fb.AppendNull()
	}
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case int:
		return int64(x)
	case uint64:
		return int64(x)
	case uint32:
		return int64(x)
	case *big.Int:
		return x.Int64()
	}
	return 0
}
