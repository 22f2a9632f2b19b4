package connectors

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/duckdb/duckdb-go/v2"
)

// txConn returns a connection to a fresh in-memory DuckDB inside an open transaction, as
// ingest holds it.
func txConn(t testing.TB) *sql.Conn {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("duckdb", "?threads=1") // the package's tests run side by side
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		db.Close()
	})
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		t.Fatal(err)
	}
	return conn
}

// queryStrings runs q and returns its rows with every value as text, NULL as "<null>".
func queryStrings(t testing.TB, conn *sql.Conn, q string) [][]string {
	t.Helper()
	rows, err := conn.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = "<null>"
			if v.Valid {
				row[i] = v.String
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameRows(t testing.TB, got, want [][]string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows differ\n got: %q\nwant: %q", got, want)
	}
}

// memReader builds a RecordReader of one batch from string columns (nil = NULL) and lines.
func memReader(t testing.TB, mem memory.Allocator, names []string, cols [][]*string, lines []int64) array.RecordReader {
	t.Helper()
	var fields []arrow.Field
	for _, n := range names {
		fields = append(fields, arrow.Field{Name: n, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	fields = append(fields, arrow.Field{Name: "_line", Type: arrow.PrimitiveTypes.Int64})
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i, col := range cols {
		for _, v := range col {
			if v == nil {
				b.Field(i).AppendNull()
			} else {
				b.Field(i).(*array.StringBuilder).Append(*v)
			}
		}
	}
	b.Field(len(names)).(*array.Int64Builder).AppendValues(lines, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	rr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	return rr
}

func ptr(s string) *string { return &s }

func TestLoadArrowTransaction(t *testing.T) {
	for _, end := range []string{"COMMIT", "ROLLBACK"} {
		t.Run(end, func(t *testing.T) {
			ctx := context.Background()
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			conn := txConn(t)
			// A quote in a column name and a table name must survive quoting.
			rr := memReader(t, mem, []string{"id", `odd "name"`},
				[][]*string{{ptr("a"), ptr("b"), ptr("c")}, {ptr("x, y"), nil, ptr("")}}, []int64{2, 3, 5})
			n, err := LoadArrow(ctx, conn, rr, `arrow "src"`)
			rr.Release()
			if err != nil {
				t.Fatal(err)
			}
			mem.AssertSize(t, 0)
			if n != 3 {
				t.Errorf("appended %d rows, want 3", n)
			}
			// Inside the transaction the rows are visible.
			sameRows(t, queryStrings(t, conn, `SELECT id, "odd ""name""", _line FROM "arrow ""src""" ORDER BY _line`),
				[][]string{{"a", "x, y", "2"}, {"b", "<null>", "3"}, {"c", "", "5"}})
			if _, err := conn.ExecContext(ctx, end); err != nil {
				t.Fatal(err)
			}
			var count int
			err = conn.QueryRowContext(ctx, `SELECT count(*) FROM "arrow ""src"""`).Scan(&count)
			switch end {
			case "COMMIT":
				if err != nil || count != 3 {
					t.Errorf("after COMMIT: %d rows, %v; want 3", count, err)
				}
			case "ROLLBACK":
				if err == nil {
					t.Errorf("after ROLLBACK the table still holds %d rows", count)
				}
			}
		})
	}
}

func TestLoadArrowColumnTypes(t *testing.T) {
	conn := txConn(t)
	// A typed column loads as text; the table is replaced, not appended to.
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "_line", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	for range 2 {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		b.Field(0).(*array.Int32Builder).AppendValues([]int32{7, 0}, []bool{true, false})
		b.Field(1).(*array.Int64Builder).AppendValues([]int64{2, 3}, nil)
		rec := b.NewRecordBatch()
		b.Release()
		rr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := LoadArrow(context.Background(), conn, rr, "typed"); err != nil {
			t.Fatal(err)
		}
		rr.Release()
	}
	sameRows(t, queryStrings(t, conn, "SELECT n, typeof(n), _line, typeof(_line) FROM typed ORDER BY _line"),
		[][]string{{"7", "VARCHAR", "2", "BIGINT"}, {"<null>", "VARCHAR", "3", "BIGINT"}})
}

func TestLoadArrowSchemaErrors(t *testing.T) {
	str := arrow.BinaryTypes.String
	line := arrow.Field{Name: "_line", Type: arrow.PrimitiveTypes.Int64}
	cases := []struct {
		name   string
		fields []arrow.Field
		want   string
	}{
		{"no _line", []arrow.Field{{Name: "a", Type: str}}, "no _line field"},
		{"_line not int64", []arrow.Field{{Name: "a", Type: str}, {Name: "_line", Type: str}}, "want int64"},
		{"names differ only in case", []arrow.Field{{Name: "Id", Type: str}, {Name: "id", Type: str}, line}, "repeats"},
		{"empty name", []arrow.Field{{Name: "", Type: str}, line}, "no name"},
	}
	conn := txConn(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rr, err := array.NewRecordReader(arrow.NewSchema(c.fields, nil), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer rr.Release()
			_, err = LoadArrow(context.Background(), conn, rr, "bad")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestLoadArrowCancelled(t *testing.T) {
	conn := txConn(t)
	rr := memReader(t, memory.DefaultAllocator, []string{"a"}, [][]*string{{ptr("x")}}, []int64{2})
	defer rr.Release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LoadArrow(ctx, conn, rr, "cancelled"); err == nil {
		t.Error("LoadArrow with a cancelled context succeeded")
	}
}
