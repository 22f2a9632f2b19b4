package reports

import (
	"embed"
	"fmt"
)

//go:embed sql/*.sql
var sqlFS embed.FS

// query returns an embedded SQL file.
func query(name string) (string, error) {
	b, err := sqlFS.ReadFile("sql/" + name)
	if err != nil {
		return "", fmt.Errorf("reading embedded sql/%s: %w", name, err)
	}
	return string(b), nil
}
