package connectors

import (
	"embed"
	"fmt"
	"strings"
	"text/template"
)

// The fixed parts of the statements connectors write are text/template skeletons under
// sql/; Go fills in what the contract, the mapping and the file decide (columns, rules,
// the reader), quoted first (Ident, Literal), as templates do no escaping.

//go:embed sql
var sqlFS embed.FS

// sqlFile returns sql/name.sql. The files are built in, and a test (TestSQLFilesUsed in
// pipeline) checks every name given here has one, so a missing file is a bug.
func sqlFile(name string) string {
	b, err := sqlFS.ReadFile("sql/" + name + ".sql")
	if err != nil {
		panic(fmt.Sprintf("reading the embedded sql/%s.sql: %v", name, err))
	}
	return string(b)
}

// sqlTemplate returns the skeleton in sql/name.sql filled in with data; join (strings.Join)
// lays out lists. A field the template names and data lacks is a bug, like a missing file.
func sqlTemplate(name string, data any) string {
	t, err := template.New(name).Option("missingkey=error").Funcs(template.FuncMap{"join": strings.Join}).Parse(sqlFile(name))
	if err != nil {
		panic(fmt.Sprintf("parsing the embedded sql/%s.sql: %v", name, err))
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		panic(fmt.Sprintf("filling in the embedded sql/%s.sql: %v", name, err))
	}
	return b.String()
}
