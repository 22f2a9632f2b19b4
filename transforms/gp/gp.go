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
	out, err := model.SQLModels(files, "gp_unlisted_codes", "gp_age_at", "int_gp_periods", "int_gp_registrations",
		"int_gp_referral_attrs", "int_gp_strata", "gp_code_system_matches", "int_gp_linked_end",
		"int_gp_completeness", "int_gp_lost", "int_gp_practice")
	if err != nil {
		return nil, err
	}
	comments, err := model.Comments(files, referralsModel)
	if err != nil {
		return nil, err
	}
	registeredComments, err := model.Comments(files, registeredModel)
	if err != nil {
		return nil, err
	}
	registrationsComments, err := model.Comments(files, registrationsModel)
	if err != nil {
		return nil, err
	}
	// both read what queries/registered_inputs.sql fingerprints
	inputs := []string{"gp_patients", "cfg_scheme_practices", "deprivation", "lsoa_lookup", "codelist_codes",
		"int_equity_quantile_cuts", "transform_state"}
	out = append(out,
		model.Model{Name: registrationsModel, Kind: model.Table, Build: buildRegistrations, Comments: registrationsComments,
			Reads: append([]string{"int_gp_registrations"}, inputs...)},
		model.Model{Name: registeredModel, Kind: model.Table, Build: buildRegistered, Comments: registeredComments,
			Reads: append([]string{"gp_registrations", "int_gp_periods", "gp_age_at"}, inputs...)})
	out = append(out, model.Model{Name: linkageModel, Kind: model.Temp, Build: buildLinkageSignals,
		Reads: []string{"int_gp_completeness", "int_gp_lost"}})
	return append(out, model.Model{Name: referralsModel, Kind: model.Table, Build: buildReferrals, Comments: comments,
		Reads: []string{"gp_events", "codelist_codes", "cfg_scheme_practices", "ingested_files", "transform_state",
			"gp_code_system_matches"}}), nil
}
