package model

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// A domain folder holds, for each relation NAME it defines, NAME.sql: a SQL model's
// query, or for a Go model the statement that defines its relation (the query it runs,
// or the table it fills, see CreateTable). A SQL model's leading comment lines hold its
// directives, then its documentation:
//
//	-- kind: view | temp | table | macro
//	-- reads: int_referrals, deprivation
//
// (reads may repeat). Beside it: NAME.comments.sql, when present, with its COMMENT ON
// statements, and testdata/NAME/<case>/, its case directories (package modeltest). The
// Go models' other statements live in queries/ (Statement).
const (
	kindDirective  = "-- kind:"
	readsDirective = "-- reads:"
)

// SQLModels loads the SQL models names from fsys.
func SQLModels(fsys fs.FS, names ...string) ([]Model, error) {
	out := make([]Model, 0, len(names))
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name+".sql")
		if err != nil {
			return nil, fmt.Errorf("reading model %s: %w", name, err)
		}
		m := Model{Name: name, SQL: string(b), Reads: DeclaredReads(string(b))}
		kind, ok := directive(string(b), kindDirective)
		if !ok {
			return nil, fmt.Errorf("model %s: no %q line", name, kindDirective)
		}
		if m.Kind, err = parseKind(kind); err != nil {
			return nil, fmt.Errorf("model %s: %w", name, err)
		}
		if m.Comments, err = Comments(fsys, name); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func parseKind(s string) (Kind, error) {
	switch s {
	case "view":
		return View, nil
	case "temp":
		return Temp, nil
	case "table":
		return Table, nil
	case "macro":
		return Macro, nil
	}
	return 0, fmt.Errorf("kind %q: want view, temp, table or macro", s)
}

// DeclaredReads parses the reads directives among a SQL file's leading comment lines.
func DeclaredReads(sql string) []string {
	var out []string
	for _, line := range leadingComments(sql) {
		if rest, ok := strings.CutPrefix(line, readsDirective); ok {
			for _, r := range strings.Split(rest, ",") {
				if r = strings.TrimSpace(r); r != "" {
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// directive is the value of the first leading comment line starting with prefix.
func directive(sql, prefix string) (string, bool) {
	for _, line := range leadingComments(sql) {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			return strings.TrimSpace(rest), true
		}
	}
	return "", false
}

func leadingComments(sql string) []string {
	var out []string
	for _, line := range strings.Split(sql, "\n") {
		if !strings.HasPrefix(line, "--") {
			break
		}
		out = append(out, strings.TrimRight(line, "\r"))
	}
	return out
}

// Comments reads NAME.comments.sql from fsys: "" when the model has none.
func Comments(fsys fs.FS, name string) (string, error) {
	b, err := fs.ReadFile(fsys, name+".comments.sql")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("reading %s comments: %w", name, err)
	}
	return string(b), nil
}

// Statement reads one of a Go model's statements, queries/NAME.sql in fsys.
func Statement(fsys fs.FS, name string) (string, error) {
	b, err := fs.ReadFile(fsys, "queries/"+name+".sql")
	if err != nil {
		return "", fmt.Errorf("reading query %s: %w", name, err)
	}
	return string(b), nil
}

// CreateTable runs NAME.sql from fsys, the CREATE TABLE of a table a Go model fills.
func CreateTable(ctx context.Context, tx Execer, fsys fs.FS, name string) error {
	b, err := fs.ReadFile(fsys, name+".sql")
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, string(b)); err != nil {
		return fmt.Errorf("creating %s: %w", name, err)
	}
	return nil
}
