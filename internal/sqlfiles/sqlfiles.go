// Package sqlfiles reads the SQL statements a package embeds under sql/: one statement a
// file, or a text/template skeleton filled in by Go. The files are built in, and each
// package's tests check every name it asks for has one, so a missing or broken file is a
// bug and panics.
package sqlfiles

import (
	"fmt"
	"io/fs"
	"strings"
	"text/template"
)

// File returns sql/name.sql of fsys.
func File(fsys fs.FS, name string) string {
	b, err := fs.ReadFile(fsys, "sql/"+name+".sql")
	if err != nil {
		panic(fmt.Sprintf("reading the embedded sql/%s.sql: %v", name, err))
	}
	return string(b)
}

// Template returns the skeleton in sql/name.sql of fsys filled in with data, whose fields
// the template names (a missing one is a bug, like a missing file); join (strings.Join)
// lays out lists. Templates do no escaping: what goes into one is quoted first.
func Template(fsys fs.FS, name string, data any) string {
	t, err := template.New(name).Option("missingkey=error").Funcs(template.FuncMap{"join": strings.Join}).Parse(File(fsys, name))
	if err != nil {
		panic(fmt.Sprintf("parsing the embedded sql/%s.sql: %v", name, err))
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		panic(fmt.Sprintf("filling in the embedded sql/%s.sql: %v", name, err))
	}
	return b.String()
}
