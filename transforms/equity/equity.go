// Package equity builds the equity indicators (design §4, the VCS axis: redistributive or
// not): the catchments and their registered population, the local quantile cuts, the
// counts of every pathway measure by stratum (int_equity_strata, incremental:
// strata_plan.go), their confidence limits (int_equity_strata_limits.go), the
// equity_strata mart, equity_summary with its inequality statistics
// (equity_summary.go), and the VCS signals with their readings (signals.go,
// readings.go).
package equity

import (
	"context"
	"embed"

	"github.com/socrx/socrx/transforms/episodes"
	"github.com/socrx/socrx/transforms/model"
)

//go:embed *.sql queries/*.sql
var files embed.FS

// Models declares the package's models; base is the referral-level models' plan for this
// build, which the incremental equity_strata follows.
func Models(base *episodes.Plan) ([]model.Model, error) {
	out, err := model.SQLModels(files, "int_equity_catchments", "int_equity_population", "int_equity_quantile_cuts",
		"int_equity_strata", "equity_strata")
	if err != nil {
		return nil, err
	}
	summaryComments, err := model.Comments(files, "equity_summary")
	if err != nil {
		return nil, err
	}
	groupsComments, err := model.Comments(files, "equity_groups")
	if err != nil {
		return nil, err
	}
	plan := func(ctx context.Context, tx model.Execer, env *model.Env) error {
		return planStrata(ctx, tx, env, base)
	}
	return append(out,
		// how int_equity_strata counts this build (strata_plan.go): after episode_metrics,
		// whose plan it follows, and before equity_strata is replaced, whose last counts
		// an incremental build moves
		model.Model{Name: "equity_strata_plan", Kind: model.Temp, Build: plan,
			Reads: []string{"referrals", "facts_scope", "episode_metrics", "int_equity_catchments", "int_equity_population",
				"int_equity_quantile_cuts", "population", "transform_state"},
			Creates: []string{"strata_new_referrals", "strata_touched_people", "strata_delta_referrals", "strata_reach_prior",
				"strata_pathway_prior"}},
		// who gets measured, moved by the referrals whose flags moved when equity_strata's
		// counts move (measured.go); before equity_strata is replaced, whose last counts it
		// moves
		model.Model{Name: measuredModel, Kind: model.Temp, Build: buildMeasured,
			Reads: []string{"equity_strata_plan", "int_referrals", "referrals", "referral_facts", "facts_scope", "facts_prior",
				"outcome_pairs", "pairs_prior", "outcomes", "int_equity_quantile_cuts", "transform_state"}},
		model.Model{Name: "int_equity_strata_limits", Kind: model.Temp, Build: buildStrataLimits,
			Reads: []string{"int_equity_strata", "int_equity_measured_strata", "int_gp_strata"}},
		model.Model{Name: "equity_groups", Kind: model.Table, Build: buildGroups, Comments: groupsComments,
			Reads: []string{"equity_strata"}},
		model.Model{Name: "equity_summary", Kind: model.Table, Build: buildSummary, Comments: summaryComments,
			Reads:   []string{"equity_strata", "int_referrals", "int_equity_population", "population", "int_gp_referral_attrs"},
			Creates: []string{"sig_vcs", "sig_gp_reach"}},
	), nil
}
