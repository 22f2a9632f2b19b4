package equity

// Incremental equity_strata. Reach counts people, which meant grouping every referral by
// person (most of the model's time), and the pathway measures joined every referral to
// its facts, though a night's files bring new referrals for a few thousand people and
// new facts or a matured window for a tenth of the referrals. When the referral rows read before are unchanged (the episode_metrics
// plan has checked them) and so is everything else the model reads, int_equity_strata.sql
// counts only what moved, once as it is now and once as it was at the last build, and
// moves the last build's counts by the difference: reach for the people with new
// referrals, the pathway measures for the referrals with new facts or a window that
// ended since the last data_end.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/socrx/socrx/transforms/episodes"
	"github.com/socrx/socrx/transforms/model"
)

const strataModel = "equity_strata"

// planStrata is the equity_strata_plan model: it decides between a full and an
// incremental build of equity_strata and creates what int_equity_strata.sql reads for
// it: the variables strata_incremental and strata_prev_end, and the temp tables
// strata_new_referrals, strata_touched_people, strata_delta_referrals, strata_reach_prior
// and strata_pathway_prior (empty on a full build). The window counts as they were come
// from facts_prior (the referral_facts model). It records the state for the next run at
// once: equity_strata is built in the same transaction, so both commit or neither does.
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
	// the last build's pathway counts, one row per scheme × period × stratum as agg in
	// int_equity_strata.sql has them
	var pivot, none []string
	for _, m := range [][2]string{{"contacted", "contacted"}, {"engaged", "engaged"}, {"vcs_uptake", "vcs"}, {"dna", "dna"}} {
		pivot = append(pivot, fmt.Sprintf(`sum(denominator) FILTER (WHERE measure = '%[1]s') AS %[2]s_den,
			sum(numerator) FILTER (WHERE measure = '%[1]s') AS %[2]s_num, sum(immature) FILTER (WHERE measure = '%[1]s') AS %[2]s_imm`, m[0], m[1]))
		none = append(none, fmt.Sprintf(`NULL::BIGINT AS %[1]s_den, NULL::BIGINT AS %[1]s_num, NULL::BIGINT AS %[1]s_imm`, m[1]))
	}
	stmts := []string{
		`CREATE OR REPLACE TEMP TABLE strata_new_referrals AS SELECT referral_id FROM referrals WHERE false`,
		`CREATE OR REPLACE TEMP TABLE strata_touched_people AS SELECT person_id FROM referrals WHERE false`,
		`CREATE OR REPLACE TEMP TABLE strata_delta_referrals AS SELECT referral_id, true AS in_scope FROM referrals WHERE false`,
		`CREATE OR REPLACE TEMP TABLE strata_reach_prior AS
			SELECT scheme_id, period, dimension, stratum, numerator FROM (SELECT NULL::VARCHAR AS scheme_id,
				NULL::VARCHAR AS period, NULL::VARCHAR AS dimension, NULL::VARCHAR AS stratum, NULL::BIGINT AS numerator) WHERE false`,
		`CREATE OR REPLACE TEMP TABLE strata_pathway_prior AS SELECT * FROM (SELECT NULL::VARCHAR AS scheme_id, NULL::VARCHAR AS period,
			NULL::VARCHAR AS dimension, NULL::VARCHAR AS stratum, ` + strings.Join(none, ", ") + `) WHERE false`,
		`SET VARIABLE strata_prev_end = NULL::DATE`,
	}
	if incremental {
		// a referral's pathway flags move when its facts were recomputed, or when one of
		// its windows ended between the last data_end and this one
		var matured []string
		for _, v := range []string{"window_contacted", "window_engaged", "window_vcs_uptake", "window_dna"} {
			matured = append(matured, fmt.Sprintf(`referral_date + CAST(getvariable('%[1]s') AS INTEGER) > getvariable('strata_prev_end')
				AND referral_date + CAST(getvariable('%[1]s') AS INTEGER) <= getvariable('data_end')`, v))
		}
		stmts = []string{
			fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE strata_new_referrals AS
				SELECT referral_id FROM referrals WHERE source_file_id > %d`, base.Previous),
			`CREATE OR REPLACE TEMP TABLE strata_touched_people AS
				SELECT DISTINCT person_id FROM referrals SEMI JOIN strata_new_referrals USING (referral_id) WHERE person_id IS NOT NULL`,
			fmt.Sprintf(`SET VARIABLE strata_prev_end = DATE '%s'`, base.PrevEnd.Format("2006-01-02")),
			`CREATE OR REPLACE TEMP TABLE strata_delta_referrals AS
				SELECT referral_id, referral_id IN (SELECT referral_id FROM facts_scope) AS in_scope
				FROM referrals
				WHERE referral_id IN (SELECT referral_id FROM facts_scope)
				   OR (` + strings.Join(matured, ")\n\t\t\t\t   OR (") + `)`,
			`CREATE OR REPLACE TEMP TABLE strata_reach_prior AS
				SELECT scheme_id, period, dimension, stratum, numerator FROM equity_strata WHERE measure = 'reach' AND numerator <> 0`,
			`CREATE OR REPLACE TEMP TABLE strata_pathway_prior AS
				SELECT scheme_id, period, dimension, stratum, ` + strings.Join(pivot, ",\n") + `
				FROM equity_strata WHERE measure <> 'reach' GROUP BY ALL`,
		}
	}
	stmts = append(stmts, fmt.Sprintf("SET VARIABLE strata_incremental = %t", incremental))
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("planning equity_strata: %w", err)
		}
	}
	mode := "incremental"
	if !incremental {
		mode = "full"
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM transform_state WHERE model = ?`, strataModel); err != nil {
		return fmt.Errorf("recording transform_state: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO transform_state (model, fingerprint, max_file_id, mode, rows_rebuilt, built_at)
		VALUES (?, ?, ?, ?, (SELECT count(*) FROM strata_touched_people), now()::TIMESTAMP)`,
		strataModel, fp, base.Watermark, mode); err != nil {
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
	fmt.Fprintf(h, "|%s|%s|%s|", p.Period, p.Edition, p.Quantiles)
	for _, q := range []string{
		`SELECT count(*) || ':' || CAST(coalesce(sum(CAST(hash(c) AS HUGEINT)), 0) AS VARCHAR) FROM int_equity_catchments c`,
		`SELECT count(*) || ':' || CAST(coalesce(sum(CAST(hash(c) AS HUGEINT)), 0) AS VARCHAR) FROM int_equity_population c`,
		`SELECT count(*) || ':' || CAST(coalesce(sum(CAST(hash(c) AS HUGEINT)), 0) AS VARCHAR) FROM int_equity_quantile_cuts c`,
		`SELECT count(*) || ':' || CAST(coalesce(sum(CAST(hash(c) AS HUGEINT)), 0) AS VARCHAR) FROM population c`,
	} {
		var s sql.NullString
		if err := tx.QueryRowContext(ctx, q).Scan(&s); err != nil {
			return "", fmt.Errorf("fingerprinting equity_strata: %w", err)
		}
		h.Write([]byte(s.String + "|"))
	}
	// deprivation, lookup, schemes: episode_metrics' fingerprint, taken this run
	h.Write([]byte(episodesFP))
	return hex.EncodeToString(h.Sum(nil)), nil
}
