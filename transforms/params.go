package transforms

import (
	"context"
	"fmt"

	"github.com/socrx/socrx/transforms/model"
)

// setParams exposes the parameters to SQL as DuckDB variables (getvariable('name')), the
// configured schemes as the temp tables cfg_schemes and cfg_scheme_practices, and the
// period macros (params.sql).
func setParams(ctx context.Context, tx Execer, p Params) error {
	vars := []struct {
		name string
		val  any
	}{
		{"data_end", p.DataEnd.Format("2006-01-02")},
		{"period", p.Period},
		{"edition", p.Edition},
		{"quantiles", p.Quantiles},
		{"engaged_min_contacts", p.EngagedMinContacts},
		{"window_contacted", p.WindowContacted},
		{"window_engaged", p.WindowEngaged},
		{"window_vcs_uptake", p.WindowVCSUptake},
		{"window_dna", model.WindowDNA},
		{"outcome_before_referral", p.Outcomes.BeforeReferral},
		{"outcome_after_first_contact", p.Outcomes.AfterFirstContact},
		{"outcome_if_never_contacted", p.Outcomes.IfNeverContacted},
		{"outcome_follow_up_min", p.Outcomes.FollowUpMin},
		{"outcome_follow_up_max", p.Outcomes.FollowUpMax},
		{"gp_linked", p.GPLinked},
	}
	for _, v := range vars {
		if _, err := tx.ExecContext(ctx, "SET VARIABLE "+v.name+" = ?", v.val); err != nil {
			return fmt.Errorf("setting %s: %w", v.name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "SET VARIABLE data_end = CAST(getvariable('data_end') AS DATE)"); err != nil {
		return fmt.Errorf("setting data_end: %w", err)
	}
	setup, err := files.ReadFile("params.sql")
	if err != nil {
		return fmt.Errorf("reading params.sql: %w", err)
	}
	if _, err := tx.ExecContext(ctx, string(setup)); err != nil {
		return fmt.Errorf("preparing parameters: %w", err)
	}
	for _, s := range p.Schemes {
		var cp any
		if s.SessionCap > 0 {
			cp = s.SessionCap
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cfg_schemes VALUES (?, ?, ?)`, s.ID, s.Name, cp); err != nil {
			return fmt.Errorf("recording scheme %s: %w", s.ID, err)
		}
		for _, pr := range s.Practices {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cfg_scheme_practices VALUES (?, ?)`, s.ID, pr); err != nil {
				return fmt.Errorf("recording scheme %s practice: %w", s.ID, err)
			}
		}
	}
	return nil
}
