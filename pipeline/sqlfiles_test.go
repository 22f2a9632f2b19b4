package pipeline_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The SQL of pipeline and connectors lives in the .sql files under each package's sql/
// folder, embedded and read by sqlFile (fixed statements) or sqlTemplate (skeletons with
// identifiers and generated expressions filled in). Go code builds one-line statements
// around identifiers only. These tests read the packages' source to keep it so.

// sqlPackages are the package directories whose SQL is checked, from this one.
var sqlPackages = []string{".", "../connectors"}

// sqlGenerators are the functions allowed to hold a SQL statement longer than one line in
// Go, as "package.Function" or "package.Type.Method": code that writes SQL, where a
// template would read worse. None today: the generators' skeletons are templates.
var sqlGenerators = map[string]bool{}

// sqlKeyword marks a string that holds a SQL statement (the code writes SQL upper-case).
var sqlKeyword = regexp.MustCompile(`\b(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|COPY|ATTACH)\b`)

// goSource parses the non-test Go files of dir (not its subdirectories).
func goSource(t *testing.T, dir string) (*token.FileSet, []*ast.File) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return fset, files
}

// stringParts returns the string literals of e, an expression joining strings with +,
// and whether e is such a join (or one literal).
func stringParts(e ast.Expr) ([]*ast.BasicLit, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		return []*ast.BasicLit{x}, x.Kind == token.STRING
	case *ast.ParenExpr:
		return stringParts(x.X)
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return nil, false
		}
		l, lok := stringParts(x.X)
		r, rok := stringParts(x.Y)
		if !lok && !rok {
			return nil, false
		}
		return append(l, r...), true
	case *ast.CallExpr, *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr:
		return nil, false // a value joined in: the join is still a string if a side is
	}
	return nil, false
}

func TestNoMultiLineSQLInGo(t *testing.T) {
	t.Parallel()
	for _, dir := range sqlPackages {
		fset, files := goSource(t, dir)
		for _, f := range files {
			for _, d := range f.Decls {
				name := f.Name.Name
				if fd, ok := d.(*ast.FuncDecl); ok {
					name += "." + fd.Name.Name
					if fd.Recv != nil && len(fd.Recv.List) == 1 {
						recv := fd.Recv.List[0].Type
						if s, ok := recv.(*ast.StarExpr); ok {
							recv = s.X
						}
						if id, ok := recv.(*ast.Ident); ok {
							name = f.Name.Name + "." + id.Name + "." + fd.Name.Name
						}
					}
				}
				ast.Inspect(d, func(n ast.Node) bool {
					e, ok := n.(ast.Expr)
					if !ok {
						return true
					}
					lits, ok := stringParts(e)
					if !ok || len(lits) == 0 {
						return true
					}
					var text strings.Builder
					for _, l := range lits {
						v, err := strconv.Unquote(l.Value)
						if err != nil {
							t.Fatalf("%s: %v", fset.Position(l.Pos()), err)
						}
						text.WriteString(v)
					}
					lines := fset.Position(e.End()).Line - fset.Position(e.Pos()).Line + 1
					if sqlKeyword.MatchString(text.String()) && (lines > 1 || strings.Contains(text.String(), "\n")) && !sqlGenerators[name] {
						t.Errorf("%s (%s): a SQL statement over more than one line in Go; move it to a file under sql/",
							fset.Position(e.Pos()), name)
					}
					return false // a join's parts were checked with it
				})
			}
		}
	}
}

// TestSQLFilesUsed: every sqlFile and sqlTemplate call names, as a string constant, a
// file of the package's sql/ folder, so none can fail at run time; and every file there is
// named by one.
func TestSQLFilesUsed(t *testing.T) {
	t.Parallel()
	for _, dir := range sqlPackages {
		fset, files := goSource(t, dir)
		named := map[string]bool{}
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				if fd, ok := n.(*ast.FuncDecl); ok && (fd.Name.Name == "sqlFile" || fd.Name.Name == "sqlTemplate") {
					return false // the helpers themselves
				}
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				fn, ok := call.Fun.(*ast.Ident)
				if !ok || (fn.Name != "sqlFile" && fn.Name != "sqlTemplate") || len(call.Args) == 0 {
					return true
				}
				lit, ok := call.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Errorf("%s: %s takes the file's name as a string constant", fset.Position(call.Pos()), fn.Name)
					return true
				}
				name, _ := strconv.Unquote(lit.Value)
				if _, err := os.Stat(filepath.Join(dir, "sql", name+".sql")); err != nil {
					t.Errorf("%s: %s(%q): no file %s", fset.Position(call.Pos()), fn.Name, name, filepath.Join(dir, "sql", name+".sql"))
				}
				named[name] = true
				return true
			})
		}
		root := filepath.Join(dir, "sql")
		var unused []string
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			if name, ok := strings.CutSuffix(filepath.ToSlash(rel), ".sql"); !ok || !named[name] {
				unused = append(unused, p)
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		slices.Sort(unused)
		for _, p := range unused {
			t.Errorf("%s is named by no sqlFile or sqlTemplate call", p)
		}
	}
}
