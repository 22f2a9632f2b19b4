package connectors

import (
	"embed"

	"github.com/socrx/socrx/internal/sqlfiles"
)

// The fixed parts of the statements connectors write are text/template skeletons under
// sql/; Go fills in what the contract, the mapping and the file decide (columns, rules,
// the reader), quoted first (Ident, Literal), as templates do no escaping.

//go:embed sql
var sqlFS embed.FS

// sqlFile returns sql/name.sql. TestSQLFilesUsed (pipeline) checks every name given here
// has a file.
func sqlFile(name string) string { return sqlfiles.File(sqlFS, name) }

// sqlTemplate returns the skeleton in sql/name.sql filled in with data.
func sqlTemplate(name string, data any) string { return sqlfiles.Template(sqlFS, name, data) }
