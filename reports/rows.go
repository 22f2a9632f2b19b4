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

// preload reads, by query and then period, the queries that scan every episode to find
// one period's: Run reads them once for all its periods (an empty $period) rather than
// once a period (at 1M referrals, 32 scans of episode_metrics became 4); Build reads
// them for its own period when they are not preloaded (periodRows).
func preload(ctx context.Context, db *sql.DB) (map[string]map[string][]rec, error) {
	out := map[string]map[string][]rec{}
	for _, name := range []string{"schemes.sql", "index_bins.sql", "km.sql", "referral_sources.sql"} {
		rows, err := load(ctx, db, name, sql.Named("period", ""))
		if err != nil {
			return nil, err
		}
		byPeriod := map[string][]rec{}
		for _, r := range rows {
			byPeriod[r.str("period")] = append(byPeriod[r.str("period")], r)
		}
		out[name] = byPeriod
	}
	return out, nil
}

// periodRows returns a preload query's rows for one period: from pre (Run's preload),
// else read now.
func periodRows(ctx context.Context, db *sql.DB, pre map[string]map[string][]rec, name string, period sql.NamedArg) ([]rec, error) {
	if rows, ok := pre[name]; ok {
		p, _ := period.Value.(string)
		return rows[p], nil
	}
	return load(ctx, db, name, period)
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
