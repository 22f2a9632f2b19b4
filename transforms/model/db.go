package model

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// QuoteIdent quotes an identifier from our own model list.
func QuoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// ForEachRow runs q and calls scan for each row.
func ForEachRow(ctx context.Context, tx Execer, q string, scan func(*sql.Rows) error, args ...any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// TableExists says whether the persistent table name (a model kept between runs) exists.
func TableExists(ctx context.Context, tx Execer, name string) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary AND schema_name = 'main'`,
		name).Scan(&n); err != nil {
		return false, fmt.Errorf("looking for %s: %w", name, err)
	}
	return n > 0, nil
}
