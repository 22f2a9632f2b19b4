// Package gp builds the models of the GP coded records (design §12): gp_unlisted_codes,
// the data-quality count of codes seen in GP events that no codelist holds, from which an
// analyst spots local codes worth adding to a codelist; and gp_referrals, the GP-coded
// referrals and offers declined the codes make, built incrementally (gp_referrals.go).
package gp

import (
	"embed"

	"github.com/socrx/socrx/transforms/model"
)

//go:embed *.sql queries/*.sql
var files embed.FS

// Models declares the package's models.
func Models() ([]model.Model, error) {
	out, err := model.SQLModels(files, "gp_unlisted_codes")
	if err != nil {
		return nil, err
	}
	comments, err := model.Comments(files, referralsModel)
	if err != nil {
		return nil, err
	}
	return append(out, model.Model{Name: referralsModel, Kind: model.Table, Build: buildReferrals, Comments: comments,
		Reads: []string{"gp_events", "codelist_codes", "cfg_scheme_practices", "ingested_files", "transform_state"}}), nil
}
