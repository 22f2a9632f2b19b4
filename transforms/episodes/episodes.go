// Package episodes builds the base models the domains read: int_lsoa_resolved and
// int_referrals (one row per referral with the strata it falls in), int_lw_contacts (the
// one link-worker contact definition), the episode_closed macro, referral_facts (what
// each referral's attendances give, kept between runs), episode_metrics (one row per
// episode: continuity indices, time to first contact, closure, re-referral), and
// int_registered_population (design §3.4, the one rule behind every population
// denominator). referral_facts and episode_metrics are incremental: facts_scope.go plans
// which referrals a build recomputes, referral_facts.go and episode_metrics.go recompute
// them.
package episodes

import (
	"embed"
	"time"

	"github.com/socrx/socrx/transforms/model"
)

//go:embed *.sql queries/*.sql
var files embed.FS

// Plan is what the referral-level models decided in this build, set as they run, for the
// incremental models downstream (equity_strata's plan reads it after episode_metrics).
type Plan struct {
	// Previous is the ingested-file watermark the last facts build covered (0: none);
	// Watermark the one this build covers.
	Previous, Watermark int64
	// EpisodesFull says episode_metrics was rebuilt whole; EpisodesFingerprint is its
	// definition's fingerprint (deprivation, lookup and schemes included); PrevEnd the
	// data_end of its last build, when incremental.
	EpisodesFull        bool
	EpisodesFingerprint string
	PrevEnd             time.Time
}

// base is the state the models of one build share.
type base struct {
	plan  *Plan
	facts factsPlan
}

// Models declares the package's models; plan, new for each build, receives what the
// incremental models decide.
func Models(plan *Plan) ([]model.Model, error) {
	b := &base{plan: plan}
	out, err := model.SQLModels(files, "episode_closed", "int_lsoa_resolved", "int_referrals", "int_lw_contacts",
		"int_registered_population")
	if err != nil {
		return nil, err
	}
	factsComments, err := model.Comments(files, factsModel)
	if err != nil {
		return nil, err
	}
	episodesComments, err := model.Comments(files, episodesModel)
	if err != nil {
		return nil, err
	}
	return append(out,
		// which referrals' facts this build recomputes (facts_scope.go); it also checks
		// whether the last build's referral_facts is still there
		model.Model{Name: "facts_scope", Kind: model.Temp, Build: b.planFacts,
			Reads: []string{"referrals", "attendances", "ingested_files", "transform_state"}, Creates: []string{"scoped_attendances"}},
		// facts_prior: the window counts of the recomputed referrals as they were, for an
		// incremental equity_strata
		model.Model{Name: factsModel, Kind: model.Table, Build: b.buildFacts, Comments: factsComments,
			Reads: []string{"facts_scope", "scoped_attendances", "int_lw_contacts", "transform_state"}, Creates: []string{"facts_prior"}},
		model.Model{Name: episodesModel, Kind: model.Table, Build: b.buildEpisodes, Comments: episodesComments,
			Reads: []string{"facts_scope", "int_referrals", "referral_facts", "int_continuity_caps", "episode_closed", "deprivation",
				"lsoa_lookup", "transform_state"},
			// the referrals an incremental build recomputed (none on a full build), and what
			// outcome_pairs reads of them as they were
			Creates: []string{"episode_candidates", "episode_prior"}},
	), nil
}
