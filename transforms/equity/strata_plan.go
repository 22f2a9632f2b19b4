package equity

// Incremental equity_strata. Reach counts people, which meant grouping every referral by
// person (most of the model's time), and the pathway measures joined every referral to
// its facts, though a night's files bring new referrals for a few thousand people and
// new facts or a matured window for a tenth of the referrals. When the referral rows
// read before are unchanged (the episode_metrics plan has checked them) and so is
// everything else the model reads, int_equity_strata.sql counts only what moved, once as
// it is now and once as it was at the last build, and moves the last build's counts by
// the difference: reach for the people with new referrals, the pathway measures for the
// referrals with new facts or a window that ended since the last data_end
// (queries/strata_scope_moved.sql).

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/socrx/socrx/transforms/episodes"
	"github.com/socrx/socrx/transforms/model"
)

const strataModel = "equity_strata"

// planStrata is the equity_strata_plan model: it decides between a full and an
// incremental build of equity_strata and creates what int_equity_strata.sql reads for
// it: the variables strata_incremental, strata_prev_end and strata_watermark, and the
// temp tables strata_new_referrals, strata_touched_people, strata_delta_referrals,
// strata_reach_prior and strata_pathway_prior (empty on a full build). The window counts
// as they were come from facts_prior (the referral_facts model). It records the state
// for the next run at once: equity_strata is built in the same transaction, so both
// commit or neither does.
func planStrata(ctx context.Context, tx model.Execer, env *model.Env, base *episodes.Plan) error {
	fp, err := strataFingerprint(ctx, tx, env, base.EpisodesFingerprint)
	if err != nil {
		return err
	}
	var (
		oldFP string
		wm    int64
	)
	err = tx.QueryRowContext(ctx, `SELECT fingerprint, max_file_id FROM transform_state WHERE model = ?`, strataModel).Scan(&oldFP, &wm)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("reading transform_state: %w", err)
	}
	found := err == nil
	have, err := model.TableExists(ctx, tx, strataModel)
	if err != nil {
		return err
	}
	// episode_metrics incremental: the facts were, from the same watermark, and the
	// referral rows the last build read are unchanged
	incremental := found && have && !base.EpisodesFull && oldFP == fp && wm == base.Previous
	// the variables first: the scope statements read them
	var prevEnd any // NULL on a full build
	if incremental {
		prevEnd = base.PrevEnd.Format("2006-01-02")
	}
	if _, err := tx.ExecContext(ctx, "SET VARIABLE strata_prev_end = CAST(? AS DATE)", prevEnd); err != nil {
		return fmt.Errorf("planning equity_strata: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "SET VARIABLE strata_watermark = ?", base.Previous); err != nil {
		return fmt.Errorf("planning equity_strata: %w", err)
	}
	scope := "strata_scope_full"
	if incremental {
		scope = "strata_scope_moved"
	}
	q, err := model.Statement(files, scope)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("planning equity_strata: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "SET VARIABLE strata_incremental = ?", incremental); err != nil {
		return fmt.Errorf("planning equity_strata: %w", err)
	}
	mode := "incremental"
	if !incremental {
		mode = "full"
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM transform_state WHERE model = ?`, strataModel); err != nil {
		return fmt.Errorf("recording transform_state: %w", err)
	}
	record, err := model.Statement(files, "strata_state_record")
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, record, strataModel, fp, base.Watermark, mode); err != nil {
		return fmt.Errorf("recording transform_state: %w", err)
	}
	return nil
}

// strataFingerprint changes whenever reach would be counted differently from the same
// referrals: the SQL, the parameters, and what places a referral (deprivation, lookup,
// catchments, registered population, local quantile cuts).
func strataFingerprint(ctx context.Context, tx model.Execer, env *model.Env, episodesFP string) (string, error) {
	p := env.Params
	h := sha256.New()
	for _, m := range []string{"int_equity_strata", "int_referrals", "int_lsoa_resolved", "int_equity_catchments", "int_equity_population",
		"int_equity_quantile_cuts"} {
		def, err := env.Definition(m)
		if err != nil {
			return "", err
		}
		fmt.Fprintln(h, def)
	}
	// who gets measured moves with these counts (measured.go)
	if err := model.WriteCanonical(h, files, measuredModel+".sql", "queries/measured_prior.sql", "queries/measured_prior_none.sql",
		"queries/measured_plan.sql", "queries/measured_moved.sql", "queries/measured_windows.sql"); err != nil {
		return "", err
	}
	fmt.Fprintf(h, "|%s|%s|%s|", p.Period, p.Edition, p.Quantiles)
	q, err := model.Statement(files, "strata_inputs")
	if err != nil {
		return "", err
	}
	inputs := make([]sql.NullString, 4)
	if err := tx.QueryRowContext(ctx, q).Scan(&inputs[0], &inputs[1], &inputs[2], &inputs[3]); err != nil {
		return "", fmt.Errorf("fingerprinting equity_strata: %w", err)
	}
	for _, s := range inputs {
		h.Write([]byte(s.String + "|"))
	}
	// deprivation, lookup, schemes: episode_metrics' fingerprint, taken this run
	h.Write([]byte(episodesFP))
	return hex.EncodeToString(h.Sum(nil)), nil
}
