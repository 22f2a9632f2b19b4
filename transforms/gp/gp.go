// Package gp builds the models of the GP coded records (design §12). So far one:
// gp_unlisted_codes, the data-quality count of codes seen in GP events that no codelist
// holds, from which an analyst spots local codes worth adding to a codelist.
package gp

import (
	"embed"

	"github.com/socrx/socrx/transforms/model"
)

//go:embed *.sql
var files embed.FS

// Models declares the package's models.
func Models() ([]model.Model, error) {
	return model.SQLModels(files, "gp_unlisted_codes")
}
