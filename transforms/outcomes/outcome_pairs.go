package outcomes

// Incremental outcome_pairs. Pairing every assessment each night cost a third of the
// nightly transform with outcomes loaded, though a night moves few pairs. A referral's
// pairs change only when its assessments or what pairing reads of its episode_metrics row
// change (the windows' dates and the strata; not the end date or length that move every
// night), when an assessment comes into view as data_end moves on, or when its follow-up
// window closes (follow_up_open becomes no_follow_up). So when the outcomes rows read
// before are unchanged and episode_metrics was built incrementally, a run recomputes only
// (queries/pairs_scope.sql):
//
//   - the referrals episode_metrics recomputed (episode_candidates) whose dates or strata
//     moved (against episode_prior, their rows before), and new referrals;
//   - the referrals of assessments loaded since the last build or dated between its
//     data_end and this one;
//   - the open pairs whose follow-up window ends by the new data_end;
//   - every referral of those referrals' people, and of the people of new assessments
//     without a referral: such an assessment goes to one of its person's referrals by
//     date, and a new referral can take it from another.
//
// Anything else — a corrected, removed or hand-edited assessment, episode_metrics rebuilt
// whole, new SQL or outcome windows, data_end moving back — rebuilds every pair.
// TestIncrementalFacts compares the outcome marts of its nights with a full rebuild.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms/episodes"
	"github.com/socrx/socrx/transforms/model"
)

const pairsModel = "outcome_pairs"

// pairsPlan is what planPairs decided.
type pairsPlan struct {
	full      bool
	reason    string    // why a full build ("" when incremental)
	watermark int64     // the ingested-file watermark of the last build
	prevEnd   time.Time // its data_end
	outN      int64     // count and checksum of every outcomes row now, for the next run
	outSum    string
}

// buildPairs builds outcome_pairs (outcome_pairs.sql), whole or for the referrals whose
// pairs can have moved, and records its state in transform_state.
func buildPairs(ctx context.Context, tx model.Execer, env *model.Env, base *episodes.Plan) error {
	body, err := files.ReadFile("outcome_pairs.sql")
	if err != nil {
		return fmt.Errorf("reading outcome_pairs: %w", err)
	}
	fp, err := pairsFingerprint(env, base.EpisodesFingerprint)
	if err != nil {
		return err
	}
	plan, err := planPairs(ctx, tx, env.Params, base, fp)
	if err != nil {
		return err
	}
	var stmts []string
	if plan.full {
		stmts = []string{
			// none re-paired from a prior state: who gets measured is counted whole too
			"CREATE OR REPLACE TEMP TABLE pairs_prior (referral_id VARCHAR, baseline_date DATE, followed_up BOOLEAN)",
			"CREATE OR REPLACE TEMP VIEW pair_outcomes AS SELECT * FROM outcomes",
			"CREATE OR REPLACE TABLE outcome_pairs AS " + string(body),
			"SELECT count(*) FROM referrals",
		}
	} else {
		if _, err := tx.ExecContext(ctx, "SET VARIABLE pairs_watermark = ?", plan.watermark); err != nil {
			return fmt.Errorf("planning outcome_pairs: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "SET VARIABLE pairs_prev_end = CAST(? AS DATE)", plan.prevEnd.Format(time.DateOnly)); err != nil {
			return fmt.Errorf("planning outcome_pairs: %w", err)
		}
		scope, err := model.Statement(files, "pairs_scope")
		if err != nil {
			return err
		}
		view, err := model.Statement(files, "pairs_outcomes_view")
		if err != nil {
			return err
		}
		prior, err := model.Statement(files, "pairs_prior")
		if err != nil {
			return err
		}
		stmts = []string{
			scope,
			view,
			prior,
			"DELETE FROM outcome_pairs WHERE referral_id IN (SELECT referral_id FROM pair_scope)",
			"INSERT INTO outcome_pairs SELECT * FROM (" + string(body) + "\n) WHERE referral_id IN (SELECT referral_id FROM pair_scope)",
			"SELECT count(*) FROM pair_scope",
		}
	}
	recomputed, err := model.RunBuild(ctx, tx, pairsModel, stmts,
		[]string{"DROP VIEW pair_outcomes", "DROP TABLE IF EXISTS pair_scope", "DROP TABLE IF EXISTS pair_people"})
	if err != nil {
		return err
	}
	mode := "incremental"
	if plan.full {
		mode = "full: " + plan.reason
	}
	record, err := model.Statement(files, "pairs_state_record")
	if err != nil {
		return err
	}
	return model.RecordState(ctx, tx, pairsModel, record, pairsModel, fp, base.Watermark, plan.outN, plan.outSum, mode, recomputed,
		env.Params.DataEnd.Format(time.DateOnly))
}

// planPairs decides between a full and an incremental build of outcome_pairs.
func planPairs(ctx context.Context, tx model.Execer, p model.Params, base *episodes.Plan, fp string) (pairsPlan, error) {
	var (
		plan     pairsPlan
		oldFP    string
		wm, oldN sql.NullInt64
		oldSum   sql.NullString
		end      sql.NullTime
	)
	state, err := model.Statement(files, "pairs_state")
	if err != nil {
		return plan, err
	}
	err = tx.QueryRowContext(ctx, state, pairsModel).Scan(&oldFP, &wm, &oldN, &oldSum, &end)
	found := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return plan, fmt.Errorf("reading transform_state: %w", err)
	}
	// the outcomes rows the last build read (a corrected or removed assessment shows
	// here), and every row now
	q, err := model.Statement(files, "pairs_outcomes_checksum")
	if err != nil {
		return plan, err
	}
	var beforeN int64
	var beforeSum string
	if err := tx.QueryRowContext(ctx, q, wm.Int64).Scan(&beforeN, &beforeSum, &plan.outN, &plan.outSum); err != nil {
		return plan, fmt.Errorf("checking outcomes: %w", err)
	}
	have, err := model.TableExists(ctx, tx, pairsModel)
	if err != nil {
		return plan, err
	}
	plan.full = true
	switch {
	case !found:
		plan.reason = "first build"
	case !have || !end.Valid || !wm.Valid || !oldN.Valid:
		plan.reason = "outcome_pairs missing"
	case p.FullRebuild:
		plan.reason = "requested"
	case base.EpisodesFull:
		plan.reason = "episode_metrics rebuilt"
	case wm.Int64 != base.Previous:
		plan.reason = "built from other facts"
	case oldFP != fp:
		plan.reason = "definition or outcome windows changed"
	case p.DataEnd.Before(end.Time):
		plan.reason = "data_end moved back"
	case beforeN != oldN.Int64 || beforeSum != oldSum.String:
		plan.reason = "outcomes changed or removed since the last build"
	default:
		plan.full, plan.watermark, plan.prevEnd = false, wm.Int64, end.Time
	}
	return plan, nil
}

// pairsFingerprint changes whenever outcome_pairs would be computed differently from the
// same rows: its SQL and scope, the outcome windows, the SWEMWBS conversion and
// episode_metrics' own fingerprint.
func pairsFingerprint(env *model.Env, episodes string) (string, error) {
	h := sha256.New()
	if err := model.WriteCanonical(h, files, "outcome_pairs.sql", "queries/pairs_scope.sql", "queries/pairs_outcomes_view.sql",
		"queries/pairs_outcomes_checksum.sql", "queries/pairs_prior.sql"); err != nil {
		return "", err
	}
	w := env.Params.Outcomes
	fmt.Fprintf(h, "|%d|%d|%d|%d|%d|%s|", w.BeforeReferral, w.AfterFirstContact, w.IfNeverContacted, w.FollowUpMin, w.FollowUpMax, episodes)
	for raw := 7; raw <= 35; raw++ {
		m, _ := stats.SWEMWBSMetric(raw)
		fmt.Fprintf(h, "%v;", m)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
