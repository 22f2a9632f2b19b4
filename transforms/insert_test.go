package transforms_test

import (
	"context"
	"database/sql"
	"math"
	"math/rand/v2"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/socrx/socrx/transforms/model"
)

// TestInsertRowsRoundTrip: what a Go model computes (model.InsertRows) is what lands in
// its table, to the bit for doubles (the shortest decimal form of every kind of float64
// reads back the same), and to the byte for text. It lives here, where the runner's tests
// link DuckDB already, rather than in package model, whose other tests need no database:
// each test binary that links DuckDB costs seconds.
func TestInsertRowsRoundTrip(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE rt (i INTEGER, d DOUBLE, s VARCHAR, b BOOLEAN, n BIGINT)`); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	doubles := []float64{0, math.Copysign(0, -1), 0.1, 1.0 / 3, 2.0 / 3, 1e-320, math.SmallestNonzeroFloat64, math.MaxFloat64,
		-math.MaxFloat64, 123456789.123456789, 0.30000000000000004, 1e22, 1e23, 5e-324, 9007199254740993,
		math.Inf(1), math.Inf(-1), math.NaN()}
	for range 3000 {
		doubles = append(doubles, math.Float64frombits(rng.Uint64()), rng.Float64(), rng.NormFloat64()*1e6)
	}
	texts := []string{"", "plain", "it's", "''", "a\x00b", "\x00", "ünïcødé – ‘quotes’", "line\nbreak", `back\slash`, "$1 ?"}
	var rows [][]any
	for i, d := range doubles {
		var n any = sql.NullInt64{}
		if i%3 == 0 {
			n = int64(i) * 1_000_000_007
		}
		var s any = texts[i%len(texts)]
		if i%7 == 0 {
			s = sql.NullString{}
		}
		rows = append(rows, []any{i, d, s, i%2 == 0, n})
	}
	rows = append(rows, []any{-1, sql.NullFloat64{}, sql.NullString{String: "x", Valid: true}, sql.NullBool{}, int64(math.MinInt64)})
	if err := model.InsertRows(ctx, db, "rt", 5, rows); err != nil {
		t.Fatal(err)
	}
	got, err := db.Query(`SELECT i, d, s, b, n FROM rt ORDER BY i`)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	byID := map[int][]any{}
	for _, r := range rows {
		byID[r[0].(int)] = r
	}
	seen := 0
	for got.Next() {
		var i int
		var d sql.NullFloat64
		var s sql.NullString
		var b sql.NullBool
		var n sql.NullInt64
		if err := got.Scan(&i, &d, &s, &b, &n); err != nil {
			t.Fatal(err)
		}
		seen++
		want := byID[i]
		switch w := want[1].(type) {
		case float64:
			if !d.Valid || (math.Float64bits(d.Float64) != math.Float64bits(w) && !(math.IsNaN(w) && math.IsNaN(d.Float64))) {
				t.Errorf("row %d: double %v (bits %x) read back as %v (bits %x)", i, w, math.Float64bits(w), d.Float64, math.Float64bits(d.Float64))
			}
		default:
			if d.Valid {
				t.Errorf("row %d: NULL double read back as %v", i, d.Float64)
			}
		}
		switch w := want[2].(type) {
		case string:
			if !s.Valid || s.String != w {
				t.Errorf("row %d: text %q read back as %q", i, w, s.String)
			}
		case sql.NullString:
			if s.Valid != w.Valid || s.String != w.String {
				t.Errorf("row %d: text %v read back as %v", i, w, s)
			}
		}
		if wb, ok := want[3].(bool); ok && (!b.Valid || b.Bool != wb) {
			t.Errorf("row %d: bool %v read back as %v", i, wb, b)
		}
		if wn, ok := want[4].(int64); ok && (!n.Valid || n.Int64 != wn) {
			t.Errorf("row %d: bigint %d read back as %v", i, wn, n)
		}
	}
	if seen != len(rows) {
		t.Errorf("%d rows read back, want %d", seen, len(rows))
	}
	if err := model.InsertRows(ctx, db, "rt", 5, [][]any{{1, 2.0, "x", true}}); err == nil {
		t.Error("a short row was accepted")
	}
	if err := model.InsertRows(ctx, db, "rt", 5, [][]any{{1, 2.0, "x", true, struct{}{}}}); err == nil {
		t.Error("a value with no SQL literal was accepted")
	}
}
