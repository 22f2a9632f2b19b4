package pipeline

import (
	"embed"
	"fmt"
	"strings"
	"text/template"
)

// The pipeline's SQL is one statement a file under sql/, grouped by what it works on
// (runs, files, quarantine, load, reference, ...) and named for what it does. Values are
// bound parameters (?), listed at the top of each file, wherever DuckDB takes one. A
// statement whose identifiers, generated expressions or options vary is a text/template
// skeleton: what goes into it is quoted first (connectors.Ident and Literal, quoteIdent
// and quoteLit), as templates do no escaping.

//go:embed sql
var sqlFS embed.FS

// sqlFile returns the statement in sql/name.sql. The files are built in, and a test
// (TestSQLFilesUsed) checks every name given here has one, so a missing file is a bug.
func sqlFile(name string) string {
	b, err := sqlFS.ReadFile("sql/" + name + ".sql")
	if err != nil {
		panic(fmt.Sprintf("reading the embedded sql/%s.sql: %v", name, err))
	}
	return string(b)
}

// sqlTemplate returns the skeleton in sql/name.sql filled in with data, whose fields
// the template names (a missing one is a bug, like a missing file).
func sqlTemplate(name string, data any) string {
	t, err := template.New(name).Option("missingkey=error").Parse(sqlFile(name))
	if err != nil {
		panic(fmt.Sprintf("parsing the embedded sql/%s.sql: %v", name, err))
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		panic(fmt.Sprintf("filling in the embedded sql/%s.sql: %v", name, err))
	}
	return b.String()
}
