package model

import (
	"context"
	"fmt"
)

// What the incremental models (episode_metrics, outcome_pairs, gp_referrals) share once
// they have planned a build: run its statements, count what they recomputed, clear the
// build's temp objects, and record the build in transform_state for the next plan.

// RunBuild runs stmts in order inside tx for model name; the last is a query of one
// number, what the build recomputed, which it returns. Then the drops (DROP statements
// of the build's temp objects) run.
func RunBuild(ctx context.Context, tx Execer, name string, stmts, drops []string) (int64, error) {
	if len(stmts) == 0 {
		return 0, fmt.Errorf("building %s: no statements", name)
	}
	for _, q := range stmts[:len(stmts)-1] {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("building %s: %w", name, err)
		}
	}
	var recomputed int64
	if err := tx.QueryRowContext(ctx, stmts[len(stmts)-1]).Scan(&recomputed); err != nil {
		return 0, fmt.Errorf("counting %s: %w", name, err)
	}
	for _, d := range drops {
		if _, err := tx.ExecContext(ctx, d); err != nil {
			return 0, fmt.Errorf("building %s: %w", name, err)
		}
	}
	return recomputed, nil
}

// RecordState replaces model name's row of transform_state by running record (an
// INSERT) with args.
func RecordState(ctx context.Context, tx Execer, name, record string, args ...any) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM transform_state WHERE model = ?", name); err != nil {
		return fmt.Errorf("recording transform_state: %w", err)
	}
	if _, err := tx.ExecContext(ctx, record, args...); err != nil {
		return fmt.Errorf("recording transform_state: %w", err)
	}
	return nil
}
