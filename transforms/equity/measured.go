package equity

// Incremental int_equity_measured_strata. Who gets measured joined every referral to its
// facts and its pairs each build (about a second at a million referrals), though a night
// moves the flags of a tenth of the referrals. On a build whose equity_strata counts move
// (strata_plan.go) and whose outcome_pairs was re-paired incrementally, the model counts
// only the referrals whose flags may have moved, as they are now and as they were, and
// moves the last build's counts by the difference (int_equity_measured_strata.sql). The
// SQL is part of equity_strata's fingerprint, so a change to it rebuilds both in full.

import (
	"context"
	"fmt"

	"github.com/socrx/socrx/transforms/model"
)

const measuredModel = "int_equity_measured_strata"

// buildMeasured is the int_equity_measured_strata model.
func buildMeasured(ctx context.Context, tx model.Execer, _ *model.Env) error {
	incremental, err := measuredIncremental(ctx, tx)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "SET VARIABLE measured_incremental = ?", incremental); err != nil {
		return fmt.Errorf("planning %s: %w", measuredModel, err)
	}
	mode, moved, prior := "full", "", "measured_prior_none"
	if incremental {
		mode, prior = "incremental", "measured_prior"
		if moved, err = model.Statement(files, "measured_moved"); err != nil {
			return err
		}
	} else {
		moved = "CREATE OR REPLACE TEMP TABLE measured_moved (referral_id VARCHAR)"
	}
	q, err := model.Statement(files, prior)
	if err != nil {
		return err
	}
	windows, err := model.Statement(files, "measured_windows")
	if err != nil {
		return err
	}
	body, err := files.ReadFile(measuredModel + ".sql")
	if err != nil {
		return fmt.Errorf("reading %s: %w", measuredModel, err)
	}
	for _, stmt := range []string{windows, moved, q, "CREATE OR REPLACE TEMP TABLE " + measuredModel + " AS " + string(body)} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("building %s: %w", measuredModel, err)
		}
	}
	record, err := model.Statement(files, "measured_state_record")
	if err != nil {
		return err
	}
	if err := model.RecordState(ctx, tx, measuredModel, record, measuredModel, mode); err != nil {
		return err
	}
	for _, stmt := range []string{"DROP TABLE measured_prior", "DROP TABLE measured_moved", "DROP VIEW measured_windows"} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("building %s: %w", measuredModel, err)
		}
	}
	return nil
}

// measuredIncremental says whether this build can move the last build's counts.
func measuredIncremental(ctx context.Context, tx model.Execer) (bool, error) {
	var strata bool
	if err := tx.QueryRowContext(ctx, "SELECT getvariable('strata_incremental')").Scan(&strata); err != nil {
		return false, fmt.Errorf("planning %s: %w", measuredModel, err)
	}
	if !strata {
		// equity_strata is rebuilt whole (or built first): no counts to move
		return false, nil
	}
	q, err := model.Statement(files, "measured_plan")
	if err != nil {
		return false, err
	}
	var ok bool
	if err := tx.QueryRowContext(ctx, q).Scan(&ok); err != nil {
		return false, fmt.Errorf("planning %s: %w", measuredModel, err)
	}
	return ok, nil
}
