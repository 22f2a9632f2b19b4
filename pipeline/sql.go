package pipeline

import (
	"embed"

	"github.com/socrx/socrx/internal/sqlfiles"
)

// The pipeline's SQL is one statement a file under sql/, grouped by what it works on
// (runs, files, quarantine, load, reference, ...) and named for what it does. Values are
// bound parameters (?), listed at the top of each file, wherever DuckDB takes one. A
// statement whose identifiers, generated expressions or options vary is a text/template
// skeleton: what goes into it is quoted first (connectors.Ident and Literal, quoteIdent
// and quoteLit), as templates do no escaping.

//go:embed sql
var sqlFS embed.FS

// sqlFile returns sql/name.sql. TestSQLFilesUsed (pipeline) checks every name given here
// has a file.
func sqlFile(name string) string { return sqlfiles.File(sqlFS, name) }

// sqlTemplate returns the skeleton in sql/name.sql filled in with data.
func sqlTemplate(name string, data any) string { return sqlfiles.Template(sqlFS, name, data) }
