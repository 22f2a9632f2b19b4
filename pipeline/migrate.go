package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/socrx/socrx/transforms"
)

// Migrate creates the core and meta tables if missing and sets their comments. A comment
// already as the schema writes it is not set again: each COMMENT ON rewrites the catalog,
// which made every open (and the checkpoint of every close) several times slower.
func Migrate(ctx context.Context, db *sql.DB) error {
	schema, err := transforms.Schema()
	if err != nil {
		return err
	}
	ddl, comments := splitComments(schema)
	if _, err := db.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	current, err := currentComments(ctx, db)
	if err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	var todo []string
	for _, c := range comments {
		if got, ok := current[c.object]; !ok || got != c.text {
			todo = append(todo, c.statement)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	// one transaction: a new database sets every comment, and one commit each made
	// migrating it twice as slow
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, strings.Join(todo, "\n")); err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	return nil
}

// schemaComment is one COMMENT ON statement of the schema: on object (a table, or
// table.column), text as DuckDB keeps it.
type schemaComment struct {
	object, text, statement string
}

// commentLine matches a one-line COMMENT ON statement of the schema; any other form is
// left in the DDL, run every time as before.
var commentLine = regexp.MustCompile(`(?m)^COMMENT ON (?:TABLE|COLUMN) ([a-z_][a-z0-9_]*)(?:\.(?:([a-z_][a-z0-9_]*)|"([a-z_][a-z0-9_]*)"))? IS '((?:[^']|'')*)';[ \t]*$`)

// splitComments takes the schema's one-line COMMENT ON statements out of it, in order.
func splitComments(schema string) (string, []schemaComment) {
	var comments []schemaComment
	ddl := commentLine.ReplaceAllStringFunc(schema, func(stmt string) string {
		m := commentLine.FindStringSubmatch(stmt)
		object := m[1]
		if column := m[2] + m[3]; column != "" {
			object += "." + column
		}
		comments = append(comments, schemaComment{object: object, text: strings.ReplaceAll(m[4], "''", "'"), statement: stmt})
		return ""
	})
	return ddl, comments
}

// currentComments reads the comments of the database's tables and columns, by object as
// splitComments names them.
func currentComments(ctx context.Context, db *sql.DB) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, sqlFile("schema/comments"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var object, comment string
		if err := rows.Scan(&object, &comment); err != nil {
			return nil, err
		}
		out[object] = comment
	}
	return out, rows.Err()
}
