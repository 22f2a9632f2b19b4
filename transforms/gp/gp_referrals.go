package gp

// Incremental gp_referrals. A person's GP-coded referrals and offers declined depend on
// that person's coded events alone (and on the codelists, the schemes' practices and the
// period), not on data_end. So when the events read at the last build are unchanged, a
// run recomputes only the people with events loaded since (queries/referrals_scope.sql).
// A corrected, removed or hand-edited event, another codelist or scheme practice list,
// another period or new SQL rebuilds every row, as does `--full`.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/socrx/socrx/transforms/model"
)

const referralsModel = "gp_referrals"

// referralsPlan is what planReferrals decided.
type referralsPlan struct {
	full      bool
	reason    string // why a full build ("" when incremental)
	watermark int64  // the ingested-file watermark of the last build
	now       int64  // the watermark this build covers
	eventsN   int64  // count and checksum of every gp_events row now, for the next run
	eventsSum string
}

// buildReferrals builds gp_referrals (gp_referrals.sql), whole or for the people with new
// events, and records its state in transform_state.
func buildReferrals(ctx context.Context, tx model.Execer, env *model.Env) error {
	body, err := files.ReadFile("gp_referrals.sql")
	if err != nil {
		return fmt.Errorf("reading gp_referrals: %w", err)
	}
	fp, err := referralsFingerprint(ctx, tx, env)
	if err != nil {
		return err
	}
	plan, err := planReferrals(ctx, tx, env.Params, fp)
	if err != nil {
		return err
	}
	var stmts []string
	if plan.full {
		view, err := model.Statement(files, "referrals_events_all")
		if err != nil {
			return err
		}
		stmts = []string{
			view,
			"CREATE OR REPLACE TABLE gp_referrals AS " + string(body),
			"SELECT count(DISTINCT person_id) FROM gp_events",
		}
	} else {
		if _, err := tx.ExecContext(ctx, "SET VARIABLE gp_referrals_watermark = ?", plan.watermark); err != nil {
			return fmt.Errorf("planning gp_referrals: %w", err)
		}
		scope, err := model.Statement(files, "referrals_scope")
		if err != nil {
			return err
		}
		view, err := model.Statement(files, "referrals_events_new")
		if err != nil {
			return err
		}
		stmts = []string{
			scope,
			view,
			"DELETE FROM gp_referrals WHERE person_id IN (SELECT person_id FROM gp_referral_people)",
			"INSERT INTO gp_referrals SELECT * FROM (" + string(body) + "\n)",
			"SELECT count(*) FROM gp_referral_people",
		}
	}
	recomputed, err := model.RunBuild(ctx, tx, referralsModel, stmts,
		[]string{"DROP VIEW gp_referral_events", "DROP TABLE IF EXISTS gp_referral_people"})
	if err != nil {
		return err
	}
	mode := "incremental"
	if plan.full {
		mode = "full: " + plan.reason
	}
	record, err := model.Statement(files, "referrals_state_record")
	if err != nil {
		return err
	}
	return model.RecordState(ctx, tx, referralsModel, record, referralsModel, fp, plan.now, plan.eventsN, plan.eventsSum, mode, recomputed,
		env.Params.DataEnd.Format(time.DateOnly))
}

// planReferrals decides between a full and an incremental build of gp_referrals.
func planReferrals(ctx context.Context, tx model.Execer, p model.Params, fp string) (referralsPlan, error) {
	var (
		plan     referralsPlan
		oldFP    string
		wm, oldN sql.NullInt64
		oldSum   sql.NullString
	)
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(file_id), 0) FROM ingested_files`).Scan(&plan.now); err != nil {
		return plan, fmt.Errorf("reading ingested_files: %w", err)
	}
	state, err := model.Statement(files, "referrals_state")
	if err != nil {
		return plan, err
	}
	err = tx.QueryRowContext(ctx, state, referralsModel).Scan(&oldFP, &wm, &oldN, &oldSum)
	found := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return plan, fmt.Errorf("reading transform_state: %w", err)
	}
	// the events the last build read (a corrected or removed event shows here), and
	// every event now
	q, err := model.Statement(files, "referrals_checksum")
	if err != nil {
		return plan, err
	}
	var beforeN int64
	var beforeSum string
	if err := tx.QueryRowContext(ctx, q, wm.Int64).Scan(&beforeN, &beforeSum, &plan.eventsN, &plan.eventsSum); err != nil {
		return plan, fmt.Errorf("checking gp_events: %w", err)
	}
	have, err := model.TableExists(ctx, tx, referralsModel)
	if err != nil {
		return plan, err
	}
	plan.full = true
	switch {
	case !found:
		plan.reason = "first build"
	case !have || !wm.Valid || !oldN.Valid:
		plan.reason = "gp_referrals missing"
	case p.FullRebuild:
		plan.reason = "requested"
	case oldFP != fp:
		plan.reason = "definition, codelists, scheme practices or period changed"
	case wm.Int64 > plan.now:
		plan.reason = "ingested files removed"
	case beforeN != oldN.Int64 || beforeSum != oldSum.String:
		plan.reason = "GP events changed or removed since the last build"
	default:
		plan.full, plan.watermark = false, wm.Int64
	}
	return plan, nil
}

// referralsFingerprint changes whenever gp_referrals would be computed differently from
// the same events: its SQL, the macro it calls and its scope, the period, the codes of the two roles and the
// schemes' practices.
func referralsFingerprint(ctx context.Context, tx model.Execer, env *model.Env) (string, error) {
	h := sha256.New()
	if err := model.WriteCanonical(h, files, "gp_referrals.sql", "gp_code_system_matches.sql", "queries/referrals_scope.sql",
		"queries/referrals_events_new.sql", "queries/referrals_checksum.sql", "queries/referrals_inputs.sql"); err != nil {
		return "", err
	}
	q, err := model.Statement(files, "referrals_inputs")
	if err != nil {
		return "", err
	}
	var inputs string
	if err := tx.QueryRowContext(ctx, q).Scan(&inputs); err != nil {
		return "", fmt.Errorf("reading gp_referrals' codelists and schemes: %w", err)
	}
	fmt.Fprintf(h, "|%s|%s|", env.Params.Period, inputs)
	return hex.EncodeToString(h.Sum(nil)), nil
}
