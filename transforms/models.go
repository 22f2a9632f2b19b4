package transforms

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/socrx/socrx/transforms/continuity"
	"github.com/socrx/socrx/transforms/episodes"
	"github.com/socrx/socrx/transforms/equity"
	"github.com/socrx/socrx/transforms/gp"
	"github.com/socrx/socrx/transforms/model"
	"github.com/socrx/socrx/transforms/outcomes"
)

// models lists every model of a build, each domain's and archetype_signals, which
// gathers the signals of every setting of the framework (design §1). plan, new for each
// build, carries the referral-level models' decisions to the incremental models
// downstream.
func models() ([]model.Model, error) {
	plan := &episodes.Plan{}
	var out []model.Model
	for _, domain := range []struct {
		name   string
		models func() ([]model.Model, error)
	}{
		{"episodes", func() ([]model.Model, error) { return episodes.Models(plan) }},
		{"equity", func() ([]model.Model, error) { return equity.Models(plan) }},
		{"continuity", continuity.Models},
		{"outcomes", func() ([]model.Model, error) { return outcomes.Models(plan) }},
		{"gp", gp.Models},
		{"transforms", func() ([]model.Model, error) { return model.SQLModels(files, "archetype_signals") }},
	} {
		ms, err := domain.models()
		if err != nil {
			return nil, fmt.Errorf("declaring the %s models: %w", domain.name, err)
		}
		out = append(out, ms...)
	}
	return out, nil
}

// coreTable matches a core or meta table's DDL in the schema.
var coreTable = regexp.MustCompile(`(?m)^CREATE TABLE IF NOT EXISTS (\w+)`)

// givenRelations are the relations every model may read without a model defining them:
// the core and meta tables of the schema and the parameter tables of params.sql.
func givenRelations() ([]string, error) {
	schema, err := Schema()
	if err != nil {
		return nil, err
	}
	out := []string{"cfg_schemes", "cfg_scheme_practices"}
	for _, m := range coreTable.FindAllStringSubmatch(schema, -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return out, nil
}
