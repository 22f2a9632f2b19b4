package transforms

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// sqlStart is how a SQL statement begins.
var sqlStart = regexp.MustCompile(`(?i)^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|WITH|SET|RESET|COMMENT|COPY|ATTACH)\b`)

// maxSQLInGo is the longest statement a Go string may hold: one that takes identifiers,
// like DROP TABLE IF EXISTS "x" or SELECT count(*) FROM "x".
const maxSQLInGo = 120

// TestNoSQLInGo keeps SQL in .sql files: a non-test Go file under transforms/ or stats/
// may hold a statement only on one line, in one string, of at most maxSQLInGo
// characters; and no Go string or .sql file updates a table a model built (each relation
// is defined in one place).
func TestNoSQLInGo(t *testing.T) {
	for _, root := range []string{".", filepath.Join("..", "stats")} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			for _, p := range sqlInGo(t, path) {
				t.Errorf("%s", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	update := regexp.MustCompile(`(?is)\bUPDATE\s+\w+\s+SET\b`)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sql") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if update.MatchString(stripSQL(string(b))) {
			t.Errorf("%s updates a table: build the relation whole in one model instead", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// sqlInGo lists the SQL statements of a Go file that should live in a .sql file.
func sqlInGo(t *testing.T, path string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	report := func(n ast.Node, why string) {
		out = append(out, fset.Position(n.Pos()).String()+": "+why)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BinaryExpr:
			// a statement written across lines as a concatenation of strings
			if x.Op != token.ADD {
				return true
			}
			lit, ok := leftmost(x).(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && sqlStart.MatchString(s) &&
				fset.Position(x.Pos()).Line != fset.Position(x.End()).Line {
				report(x, "a SQL statement concatenated across lines")
			}
			return true
		case *ast.BasicLit:
			if x.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(x.Value)
			if err != nil || !sqlStart.MatchString(s) {
				return true
			}
			switch {
			case strings.Contains(s, "\n"):
				report(x, "a SQL statement of more than one line")
			case len(s) > maxSQLInGo:
				report(x, "a SQL statement longer than "+strconv.Itoa(maxSQLInGo)+" characters")
			case update.MatchString(s):
				report(x, "an UPDATE")
			}
		}
		return true
	})
	return out
}

var update = regexp.MustCompile(`(?is)\bUPDATE\s+\w+\s+SET\b`)

// leftmost is the first operand of a chain of concatenations.
func leftmost(e ast.Expr) ast.Expr {
	for {
		b, ok := e.(*ast.BinaryExpr)
		if !ok {
			return e
		}
		e = b.X
	}
}
