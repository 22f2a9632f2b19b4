package reports

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/big"
)

// rec is one result row by column name. The marts are small at report time (a period's
// aggregates), so a map per row keeps the loaders short without costing anything.
type rec map[string]any

func (r rec) str(k string) string {
	switch v := r[k].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// num returns the column as a float; ok is false for NULL.
func (r rec) num(k string) (float64, bool) {
	switch v := r[k].(type) {
	case float64:
		return v, !math.IsNaN(v)
	case float32:
		return float64(v), true
	case int64:
		return float64(v), true
	case int32:
		return float64(v), true
	case int16:
		return float64(v), true
	case int8:
		return float64(v), true
	case uint64:
		return float64(v), true
	case uint32:
		return float64(v), true
	case *big.Int:
		f, _ := new(big.Float).SetInt(v).Float64()
		return f, true
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// int returns the column as an integer (0 for NULL).
func (r rec) int(k string) int64 {
	v, _ := r.num(k)
	return int64(math.Round(v))
}

func (r rec) isNull(k string) bool { return r[k] == nil }

func (r rec) bool(k string) bool {
	v, _ := r[k].(bool)
	return v
}

// load runs an embedded query with named parameters and returns its rows.
func load(ctx context.Context, db *sql.DB, name string, args ...any) ([]rec, error) {
	q, err := query(name)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("querying %s: %w", name, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, fmt.Errorf("querying %s: %w", name, err)
	}
	var out []rec
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		r := make(rec, len(cols))
		for i, c := range cols {
			r[c] = vals[i]
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return out, nil
}
