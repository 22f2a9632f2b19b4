package pipeline

import (
	"context"
	"database/sql"

	"github.com/rs/zerolog"

	"github.com/socrx/socrx/reports"
)

// report renders the reports for due periods (or spec.Period) and records them.
func (r *Runner) report(ctx context.Context, db *sql.DB, spec RunSpec, rec *RunRecord, log zerolog.Logger) (int, error) {
	c := r.Cfg
	names := map[string]string{}
	for _, s := range c.Schemes {
		names[s.ID] = s.Name
	}
	lag := 28
	if c.ReportLagDays != nil {
		lag = *c.ReportLagDays
	}
	o := reports.Options{
		OutDir:      c.Resolve(c.Reports),
		Policy:      c.Disclosure.Policy(),
		SchemeNames: names,
		LagDays:     lag,
		Prov: reports.Provenance{RunID: rec.ID, CodeVersion: rec.CodeVersion, RunTime: rec.Started,
			LogicalDate: spec.Logical, DeprivationEdition: c.DeprivationEdition, Quantiles: c.Quantiles, Contact: c.ReportContact},
	}
	if spec.Period != "" {
		o.Periods = []string{spec.Period}
	}
	res, err := reports.Run(ctx, db, o)
	log.Debug().Strs("periods", res.Periods).Int("rows", res.Files).Msg("reports written")
	return res.Files, err
}
