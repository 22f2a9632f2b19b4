package connectors

import (
	"context"
	"database/sql"
	"fmt"
)

// Querier is what a connector needs of a connection.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// SniffParquet reads a Parquet file's column names from its schema.
func SniffParquet(ctx context.Context, q Querier, path string) (Layout, error) {
	l := Layout{Path: path, Format: "parquet"}
	rows, err := q.QueryContext(ctx, "SELECT name FROM parquet_schema("+Literal(path)+") WHERE num_children IS NULL OR num_children = 0")
	if err != nil {
		return l, &FileError{Path: path, Reason: fmt.Sprintf("not a readable Parquet file: %v", firstLine(err.Error()))}
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return l, fmt.Errorf("reading schema of %s: %w", path, err)
		}
		l.Header = append(l.Header, n)
	}
	if err := rows.Err(); err != nil {
		return l, fmt.Errorf("reading schema of %s: %w", path, err)
	}
	if len(l.Header) == 0 {
		return l, &FileError{Path: path, Reason: "Parquet file has no columns"}
	}
	return l, nil
}

func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}
