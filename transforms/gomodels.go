package transforms

import (
	"context"
	"fmt"
	"strings"
)

// registeredGoModels lists the Go models in the order they run. Add a model here when
// its file lands; a model runs right after the SQL model named in After ("" = at the end).
func registeredGoModels() []GoModel {
	return []GoModel{
		{Name: "archetype_signals", After: "", Build: buildArchetypeSignals},
		// continuity (continuity.go): the Go halves of continuity_summary (Kaplan–Meier) and
		// practice_variation (funnel limits), then the link-worker and general-practice
		// signals. episode_metrics, which they read, is built by Build (episodes.go).
		{Name: "continuity_km", After: "continuity_summary", Build: fillContinuityKM},
		{Name: "practice_funnel", After: "practice_variation", Build: fillPracticeFunnel},
		{Name: "sig_link_workers", After: "session_counts", Build: buildContinuitySignals},
		{Name: "equity_summary", After: "equity_strata", Build: buildEquity}, // equity.go: strata limits, summary, sig_vcs
	}
}

// buildArchetypeSignals gathers every setting's signals into one mart.
func buildArchetypeSignals(ctx context.Context, tx Execer, _ Params) error {
	parts := []string{`SELECT NULL::VARCHAR AS scheme_id, NULL::VARCHAR AS period, NULL::VARCHAR AS setting,
		NULL::VARCHAR AS axis, NULL::VARCHAR AS signal, NULL::DOUBLE AS value, NULL::DOUBLE AS lower,
		NULL::DOUBLE AS upper, NULL::VARCHAR AS reading WHERE false`}
	// Temp tables the equity and continuity models leave behind, one per setting of the
	// framework (design §1), each with the archetype_signals columns.
	for _, t := range []string{"sig_general_practice", "sig_link_workers", "sig_vcs"} {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND temporary`, t).Scan(&n); err != nil {
			return fmt.Errorf("looking for %s: %w", t, err)
		}
		if n > 0 {
			parts = append(parts, `SELECT scheme_id, period, setting, axis, signal, CAST(value AS DOUBLE) AS value,
				CAST(lower AS DOUBLE) AS lower, CAST(upper AS DOUBLE) AS upper, reading FROM `+quoteIdent(t))
		}
	}
	q := "CREATE OR REPLACE TABLE archetype_signals AS\n" + strings.Join(parts, "\nUNION ALL\n") +
		"\nORDER BY scheme_id, period, setting, signal"
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("assembling archetype_signals: %w", err)
	}
	return nil
}
