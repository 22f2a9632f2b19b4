// Package outcomes builds the wellbeing outcomes of design §11: each referral's baseline
// and follow-up assessment per measure (outcome_pairs), with SWEMWBS raw totals on the
// published metric scale first (int_swemwbs_metric, from package stats); and the change
// statistics by context and mechanism (outcome_change.go, from the strata each pair
// carries) and their gradient across deprivation and continuity contrast
// (outcome_summary.go).
package outcomes

import (
	"context"
	"embed"

	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms/episodes"
	"github.com/socrx/socrx/transforms/model"
)

//go:embed *.sql queries/*.sql
var files embed.FS

// Models declares the package's models; base is the referral-level models' plan for this
// build, which the incremental outcome_pairs follows.
func Models(base *episodes.Plan) ([]model.Model, error) {
	pairs := func(ctx context.Context, tx model.Execer, env *model.Env) error {
		return buildPairs(ctx, tx, env, base)
	}
	goModels := []model.Model{
		{Name: "int_swemwbs_metric", Kind: model.Temp, Build: buildSWEMWBSMetric},
		// after episode_metrics, whose plan and recomputed referrals it follows
		{Name: pairsModel, Kind: model.Table, Build: pairs,
			Reads: []string{"outcomes", "referrals", "episode_metrics", "episode_candidates", "episode_prior", "int_swemwbs_metric", "transform_state"},
			// the re-paired referrals as they were, for an incremental count of who gets measured
			Creates: []string{"pairs_prior"}},
		{Name: "outcome_change", Kind: model.Table, Build: buildChange, Reads: []string{"outcome_pairs"}},
		{Name: "outcome_summary", Kind: model.Table, Build: buildSummary, Reads: []string{"outcome_change"}},
		{Name: "sig_outcomes", Kind: model.Temp, Build: buildSignals, Reads: []string{"outcome_change", "outcome_summary"}},
	}
	for i := range goModels {
		var err error
		if goModels[i].Comments, err = model.Comments(files, goModels[i].Name); err != nil {
			return nil, err
		}
	}
	return goModels, nil
}

// buildSWEMWBSMetric writes the Rasch conversion of SWEMWBS raw totals (7–35) to metric
// scores as a table, so the SQL models convert with the one copy the statistics test.
func buildSWEMWBSMetric(ctx context.Context, tx model.Execer, _ *model.Env) error {
	if err := model.CreateTable(ctx, tx, files, "int_swemwbs_metric"); err != nil {
		return err
	}
	var rows [][]any
	for raw := 7; raw <= 35; raw++ {
		m, _ := stats.SWEMWBSMetric(raw)
		rows = append(rows, []any{int64(raw), m})
	}
	return model.InsertRows(ctx, tx, "int_swemwbs_metric", 2, rows)
}
