// Package continuity builds the continuity and link-worker metrics (design §5, the
// link-worker axis: relational or transactional) and the general-practice view of
// practice variation: the session cap k (int_continuity_caps), continuity_summary with
// its Kaplan–Meier time to first contact (int_continuity_km.go) and rate intervals
// (int_continuity_rate_ci.go), session_counts, practice_variation with its funnel limits
// (int_practice_funnel.go), and the link-worker and general-practice signals with their
// readings (link_workers.go, general_practice.go, readings.go). All of it reads
// episode_metrics (package episodes).
package continuity

import (
	"embed"

	"github.com/socrx/socrx/transforms/model"
)

//go:embed *.sql queries/*.sql
var files embed.FS

// Models declares the package's models.
func Models() ([]model.Model, error) {
	out, err := model.SQLModels(files, "int_continuity_caps", "int_continuity_summary", "continuity_summary", "session_counts",
		"int_practice_variation", "practice_variation")
	if err != nil {
		return nil, err
	}
	goModels := []model.Model{
		{Name: "int_continuity_km", Kind: model.Temp, Build: buildContinuityKM, Reads: []string{"episode_metrics"}},
		{Name: "int_continuity_rate_ci", Kind: model.Temp, Build: buildRateIntervals, Reads: []string{"int_continuity_summary"}},
		{Name: "int_practice_funnel", Kind: model.Temp, Build: buildPracticeFunnel, Reads: []string{"int_practice_variation", "int_gp_practice"}},
		{Name: "sig_link_workers", Kind: model.Temp, Build: buildLinkWorkerSignals, Reads: []string{"continuity_summary"}},
		{Name: "sig_general_practice", Kind: model.Temp, Build: buildGeneralPracticeSignals,
			Reads: []string{"episode_metrics", "cfg_scheme_practices", "practice_variation"}},
	}
	for i := range goModels {
		if goModels[i].Comments, err = model.Comments(files, goModels[i].Name); err != nil {
			return nil, err
		}
	}
	return append(out, goModels...), nil
}
