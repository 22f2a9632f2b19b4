package model

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// insertRowsPerStatement bounds one INSERT's arguments in memory.
const insertRowsPerStatement = 50_000

// InsertRows appends the rows computed by a Go model to a table, each row as wide as
// cols. The models get a transaction, not a connection, so the Appender is not
// available. A VALUES list of literals or a parameter per value makes DuckDB bind every
// value (≈0.15 ms a row of 28 columns), and typed list parameters are bound element by
// element; so each column travels as one text argument that DuckDB splits and casts in
// bulk: numbers, booleans and times comma-separated (empty for NULL; doubles in their
// shortest round-trip form, which DuckDB parses to the same bits), text as a JSON array,
// which keeps any byte and NULL.
func InsertRows(ctx context.Context, tx Execer, table string, cols int, rows [][]any) error {
	for start := 0; start < len(rows); start += insertRowsPerStatement {
		batch := rows[start:min(start+insertRowsPerStatement, len(rows))]
		q, args, err := insertStatement(table, cols, batch)
		if err != nil {
			return fmt.Errorf("inserting into %s: %w", table, err)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("inserting into %s: %w", table, err)
		}
	}
	return nil
}

// colKind is how a column's values are carried: the SQL type its text is cast to.
type colKind int

const (
	kindNull colKind = iota // every value NULL
	kindBigint
	kindDouble
	kindBool
	kindTimestamp
	kindText
)

var kindType = map[colKind]string{kindNull: "VARCHAR", kindBigint: "BIGINT", kindDouble: "DOUBLE", kindBool: "BOOLEAN",
	kindTimestamp: "TIMESTAMP", kindText: "VARCHAR"}

// insertStatement is one INSERT of rows and its arguments, one per column.
func insertStatement(table string, cols int, rows [][]any) (string, []any, error) {
	vals := make([][]any, cols) // column-major, driver values
	for i := range vals {
		vals[i] = make([]any, len(rows))
	}
	for i, r := range rows {
		if len(r) != cols {
			return "", nil, fmt.Errorf("row has %d values, want %d", len(r), cols)
		}
		for j, v := range r {
			pv, err := plain(v)
			if err != nil {
				return "", nil, err
			}
			vals[j][i] = pv
		}
	}
	sel := make([]string, cols)
	args := make([]any, cols)
	for j, col := range vals {
		kind, err := kindOf(col)
		if err != nil {
			return "", nil, fmt.Errorf("column %d: %w", j+1, err)
		}
		if kind == kindText {
			b, err := json.Marshal(col)
			if err != nil {
				return "", nil, fmt.Errorf("column %d: %w", j+1, err)
			}
			args[j] = string(b)
			sel[j] = fmt.Sprintf(`unnest(from_json($%d, '["VARCHAR"]'))`, j+1)
			continue
		}
		args[j] = joinText(col)
		sel[j] = fmt.Sprintf("CAST(NULLIF(unnest(string_split($%d, ',')), '') AS %s)", j+1, kindType[kind])
	}
	return "INSERT INTO " + QuoteIdent(table) + " SELECT " + strings.Join(sel, ", "), args, nil
}

// plain is v as one of nil, string, bool, int64, float64 or time.Time.
func plain(v any) (any, error) {
	if x, ok := v.(driver.Valuer); ok {
		// sql.NullString, NullInt64, NullFloat64, NullBool: nil or their plain value
		inner, err := x.Value()
		if err != nil {
			return nil, err
		}
		if _, again := inner.(driver.Valuer); again {
			return nil, fmt.Errorf("no SQL value for a %T", v)
		}
		v = inner
	}
	switch x := v.(type) {
	case nil, string, bool, int64, float64, time.Time:
		return v, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	}
	return nil, fmt.Errorf("no SQL value for a %T", v)
}

// kindOf is how column col is carried: integers with doubles travel as doubles.
func kindOf(col []any) (colKind, error) {
	kind := kindNull
	for _, v := range col {
		var k colKind
		switch v.(type) {
		case nil:
			continue
		case string:
			k = kindText
		case bool:
			k = kindBool
		case int64:
			k = kindBigint
		case float64:
			k = kindDouble
		case time.Time:
			k = kindTimestamp
		}
		switch {
		case kind == kindNull || kind == k:
			kind = k
		case (kind == kindBigint && k == kindDouble) || (kind == kindDouble && k == kindBigint):
			kind = kindDouble
		default:
			return 0, fmt.Errorf("values of two kinds (%s and %s)", kindType[kind], kindType[k])
		}
	}
	return kind, nil
}

// joinText writes a column of numbers, booleans or times comma-separated, NULL empty.
func joinText(col []any) string {
	var b strings.Builder
	for i, v := range col {
		if i > 0 {
			b.WriteByte(',')
		}
		switch x := v.(type) {
		case bool:
			b.WriteString(strconv.FormatBool(x))
		case int64:
			b.WriteString(strconv.FormatInt(x, 10))
		case float64:
			writeDouble(&b, x)
		case time.Time:
			b.WriteString(x.UTC().Format("2006-01-02 15:04:05.999999"))
		}
	}
	return b.String()
}

// writeDouble writes f in a form DuckDB's cast reads back as the same float64.
func writeDouble(b *strings.Builder, f float64) {
	switch {
	case math.IsNaN(f):
		b.WriteString("nan")
	case math.IsInf(f, 1):
		b.WriteString("inf")
	case math.IsInf(f, -1):
		b.WriteString("-inf")
	default:
		b.WriteString(strconv.FormatFloat(f, 'e', -1, 64))
	}
}
