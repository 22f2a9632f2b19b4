// Package population holds the registered population (design §3.4): the one rule for how
// many patients each practice has registered, by LSOA, in each reporting period, which
// every population denominator reads (reach in equity, the referral rate in practice
// variation).
package population

import (
	"embed"

	"github.com/socrx/socrx/transforms/model"
)

//go:embed *.sql
var files embed.FS

// Models declares the package's models.
func Models() ([]model.Model, error) {
	return model.SQLModels(files, "int_registered_population")
}
