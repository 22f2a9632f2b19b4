package model

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// insertRowsPerStatement bounds one INSERT's size.
const insertRowsPerStatement = 1000

// InsertRows appends the rows computed by a Go model to a table, each row as wide as
// cols. The models get a transaction, not a connection, so the Appender is not
// available; and binding every value as a parameter cost more than the rest of the
// statement, so values are written as SQL literals: doubles in their shortest round-trip
// form with an exponent, which DuckDB parses to the same bits.
func InsertRows(ctx context.Context, tx Execer, table string, cols int, rows [][]any) error {
	var b strings.Builder
	for start := 0; start < len(rows); start += insertRowsPerStatement {
		end := min(start+insertRowsPerStatement, len(rows))
		b.Reset()
		b.WriteString("INSERT INTO ")
		b.WriteString(QuoteIdent(table))
		b.WriteString(" VALUES ")
		for i, r := range rows[start:end] {
			if len(r) != cols {
				return fmt.Errorf("inserting into %s: row has %d values, want %d", table, len(r), cols)
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j, v := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				if err := writeLiteral(&b, v); err != nil {
					return fmt.Errorf("inserting into %s: %w", table, err)
				}
			}
			b.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, b.String()); err != nil {
			return fmt.Errorf("inserting into %s: %w", table, err)
		}
	}
	return nil
}

// writeLiteral writes v as a SQL literal of its own type.
func writeLiteral(b *strings.Builder, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("NULL")
	case string:
		writeString(b, x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int32:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		writeDouble(b, x)
	case time.Time:
		b.WriteString("CAST('" + x.UTC().Format("2006-01-02 15:04:05.999999") + "' AS TIMESTAMP)")
	case driver.Valuer:
		// sql.NullString, NullInt64, NullFloat64, NullBool: nil or their plain value
		inner, err := x.Value()
		if err != nil {
			return err
		}
		if _, again := inner.(driver.Valuer); again {
			return fmt.Errorf("no SQL literal for a %T", v)
		}
		return writeLiteral(b, inner)
	default:
		return fmt.Errorf("no SQL literal for a %T", v)
	}
	return nil
}

// writeString quotes s; a NUL byte would end the statement early in the C parser, so
// it is spelled chr(0).
func writeString(b *strings.Builder, s string) {
	parts := strings.Split(s, "\x00")
	if len(parts) > 1 {
		b.WriteByte('(')
	}
	for i, p := range parts {
		if i > 0 {
			b.WriteString(" || chr(0) || ")
		}
		b.WriteByte('\'')
		b.WriteString(strings.ReplaceAll(p, "'", "''"))
		b.WriteByte('\'')
	}
	if len(parts) > 1 {
		b.WriteByte(')')
	}
}

// writeDouble writes f so that DuckDB reads back the same float64 (a bare 0.1 would be
// read as a DECIMAL).
func writeDouble(b *strings.Builder, f float64) {
	switch {
	case math.IsNaN(f):
		b.WriteString("CAST('nan' AS DOUBLE)")
	case math.IsInf(f, 1):
		b.WriteString("CAST('inf' AS DOUBLE)")
	case math.IsInf(f, -1):
		b.WriteString("CAST('-inf' AS DOUBLE)")
	default:
		// the exponent makes the parser read a DOUBLE, not a DECIMAL, and parsing it
		// needs no cast per value
		b.WriteString(strconv.FormatFloat(f, 'e', -1, 64))
	}
}
