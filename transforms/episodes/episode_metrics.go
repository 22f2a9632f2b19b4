package episodes

// Incremental episode_metrics. It was the costliest model of a nightly run, rebuilt over
// every referral because data_end moves. But a row changes
// overnight only if its inputs changed or if data_end crossed one of the few dates its
// censoring-aware columns depend on, and those dates are in the row itself. So when
// nothing else moved, a run recomputes only these candidates:
//
//   - referrals whose rows are new since the last build (referral_facts' scope), and every
//     referral of the same person to the same scheme (their re-referral may now exist);
//   - rows whose time to first contact was not yet settled at the old data_end: referred
//     after it, first contacted after it, or never contacted and not closed before it;
//   - open rows that fall dormant by the new data_end (episode_closed), which also moves
//     closed_at_cap;
//   - rows whose 90- or 365-day re-referral window passes by the new data_end.
//
// Anything else — a full facts build (any corrected, removed or hand-edited row), a
// referral column edited by hand, new SQL or parameters, another cap, new deprivation or
// lookup data, data_end moving back — rebuilds every row. TestIncrementalFacts walks nights
// of new rows and of data_end jumps and compares every mart with a full rebuild.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/socrx/socrx/transforms/model"
)

const episodesModel = "episode_metrics"

// episodesResult says how episode_metrics was built.
type episodesResult struct {
	full        bool
	reason      string
	recomputed  int64
	fingerprint string    // episodesFingerprint: the caps, deprivation, lookup and schemes it covers
	prevEnd     time.Time // incremental: data_end of the last build
}

// buildEpisodes is the episode_metrics model (see buildEpisodes below).
func (b *base) buildEpisodes(ctx context.Context, tx model.Execer, env *model.Env) error {
	eps, err := buildEpisodes(ctx, tx, env, b.facts)
	b.plan.EpisodesFull, b.plan.EpisodesFingerprint, b.plan.PrevEnd = eps.full, eps.fingerprint, eps.prevEnd
	return err
}

// buildEpisodes builds episode_metrics (episode_metrics.sql), whole or for the candidates
// only, and records its state in transform_state.
func buildEpisodes(ctx context.Context, tx model.Execer, env *model.Env, facts factsPlan) (episodesResult, error) {
	var res episodesResult
	p := env.Params
	// DuckDB plans an ASOF JOIN whose left side it estimates as small (here a CTE) as a
	// nested loop, quadratic in people.
	if _, err := tx.ExecContext(ctx, "SET asof_loop_join_threshold = 0"); err != nil {
		return res, fmt.Errorf("planning re-referrals: %w", err)
	}
	defer tx.ExecContext(ctx, "RESET asof_loop_join_threshold")
	body, err := files.ReadFile("episode_metrics.sql")
	if err != nil {
		return res, fmt.Errorf("reading episode_metrics: %w", err)
	}
	fp, err := episodesFingerprint(ctx, tx, env)
	if err != nil {
		return res, err
	}
	plan, err := planEpisodes(ctx, tx, p, facts, fp)
	if err != nil {
		return res, err
	}
	res.full, res.reason, res.fingerprint, res.prevEnd = plan.full, plan.reason, fp, plan.prevEnd
	// episode_metrics.sql reads the views episode_referrals and episode_history
	// episode_prior: what outcome_pairs reads of the candidates before they move (empty on a
	// full build, whose candidates are none)
	prior, err := model.Statement(files, "episode_prior")
	if err != nil {
		return res, err
	}
	var stmts []string
	if res.full {
		stmts = []string{
			// none: every row is new (outcome_pairs reads it on incremental builds only)
			"CREATE OR REPLACE TEMP TABLE episode_candidates (referral_id VARCHAR)",
			"CREATE OR REPLACE TEMP VIEW episode_referrals AS SELECT * FROM int_referrals",
			"CREATE OR REPLACE TEMP VIEW episode_history AS SELECT * FROM int_referrals",
			"CREATE OR REPLACE TABLE episode_metrics AS " + string(body),
			prior,
			"SELECT count(*) FROM int_referrals",
		}
	} else {
		scope, err := model.Statement(files, "episode_scope")
		if err != nil {
			return res, err
		}
		candidates, err := model.Statement(files, "episode_candidates")
		if err != nil {
			return res, err
		}
		stmts = []string{
			scope,
			"CREATE OR REPLACE TEMP VIEW episode_referrals AS SELECT * EXCLUDE (_candidate) FROM episode_scope WHERE _candidate",
			"CREATE OR REPLACE TEMP VIEW episode_history AS SELECT * EXCLUDE (_candidate) FROM episode_scope",
			prior,
			`DELETE FROM episode_metrics WHERE referral_id IN (SELECT referral_id FROM episode_candidates)`,
			"INSERT INTO episode_metrics " + string(body),
			"SELECT count(*) FROM episode_scope WHERE _candidate",
		}
		if _, err := tx.ExecContext(ctx, candidates, plan.prevEnd.Format("2006-01-02")); err != nil {
			return res, fmt.Errorf("finding episodes to recompute: %w", err)
		}
	}
	// episode_candidates and episode_prior stay for outcome_pairs, whose pairs move with
	// these rows
	if res.recomputed, err = model.RunBuild(ctx, tx, episodesModel, stmts,
		[]string{"DROP VIEW episode_referrals", "DROP VIEW episode_history", "DROP TABLE IF EXISTS episode_scope"}); err != nil {
		return res, err
	}
	mode := "incremental"
	if res.full {
		mode = "full: " + res.reason
	}
	record, err := model.Statement(files, "episode_state_record")
	if err != nil {
		return res, err
	}
	if err := model.RecordState(ctx, tx, episodesModel, record, episodesModel, fp, facts.watermark, plan.refN, plan.refSum, mode,
		res.recomputed, p.DataEnd.Format("2006-01-02")); err != nil {
		return res, err
	}
	return res, nil
}

// episodesPlan is what planEpisodes decided.
type episodesPlan struct {
	full    bool
	reason  string    // why a full build ("" when incremental)
	prevEnd time.Time // data_end of the last build
	refN    int64     // count and checksum of every referral row now, for the next run
	refSum  string
}

// planEpisodes decides between a full and an incremental build of episode_metrics.
func planEpisodes(ctx context.Context, tx model.Execer, p model.Params, facts factsPlan, fp string) (episodesPlan, error) {
	var (
		plan          episodesPlan
		oldFP, oldSum string
		wm, oldN      int64 = -1, 0
		end           sql.NullTime
	)
	state, err := model.Statement(files, "episode_state")
	if err != nil {
		return plan, err
	}
	err = tx.QueryRowContext(ctx, state, episodesModel).Scan(&oldFP, &wm, &oldN, &oldSum, &end)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		plan.full, plan.reason = true, "first build"
	case err != nil:
		return plan, fmt.Errorf("reading transform_state: %w", err)
	}
	// the referral rows the last build read (a hand edit of any column it reads shows
	// here), and every row now
	old, now, err := checksums(ctx, tx, "episode_referrals_checksum", wm)
	if err != nil {
		return plan, err
	}
	plan.refN, plan.refSum = now.n, now.sum
	if plan.full {
		return plan, nil
	}
	have, err := model.TableExists(ctx, tx, episodesModel)
	if err != nil {
		return plan, err
	}
	plan.full = true
	switch {
	case !have || !end.Valid:
		plan.reason = "episode_metrics missing"
	case p.FullRebuild:
		plan.reason = "requested"
	case facts.full:
		plan.reason = "referral facts rebuilt"
	case wm != facts.previous:
		plan.reason = "built from other facts"
	case oldFP != fp:
		plan.reason = "definition, parameters, caps or deprivation changed"
	case p.DataEnd.Before(end.Time):
		plan.reason = "data_end moved back"
	case old != checksum{oldN, oldSum}:
		plan.reason = "referral rows changed since the last build"
	default:
		plan.full, plan.prevEnd = false, end.Time
	}
	return plan, nil
}

// episodesFingerprint changes whenever episode_metrics would be computed differently from
// the same referrals and facts: its SQL and that of the models it reads, the parameters,
// the caps just built, the deprivation and LSOA lookup rows.
func episodesFingerprint(ctx context.Context, tx model.Execer, env *model.Env) (string, error) {
	p := env.Params
	h := sha256.New()
	for _, f := range []string{"episode_metrics.sql", "int_continuity_caps", "int_referrals", "int_lsoa_resolved", "episode_closed",
		"queries/episode_candidates.sql", "queries/episode_scope.sql", "queries/episode_prior.sql", "queries/episode_referrals_checksum.sql"} {
		def, err := definition(env, f)
		if err != nil {
			return "", err
		}
		fmt.Fprintln(h, def)
	}
	fmt.Fprintf(h, "|%s|%s|%d|%s|", p.Period, p.Edition, p.EngagedMinContacts, p.Quantiles)
	inputs, err := model.Statement(files, "episode_inputs")
	if err != nil {
		return "", err
	}
	var caps, deprivation, lookup sql.NullString
	if err := tx.QueryRowContext(ctx, inputs).Scan(&caps, &deprivation, &lookup); err != nil {
		return "", fmt.Errorf("fingerprinting episode_metrics: %w", err)
	}
	for _, s := range []sql.NullString{caps, deprivation, lookup} {
		h.Write([]byte(s.String + "|"))
	}
	for _, s := range p.Schemes {
		fmt.Fprintf(h, "%s|%s|%d|%s;", s.ID, s.Name, s.SessionCap, strings.Join(s.Practices, ","))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// definition is what a fingerprint covers of a model (by name) or a file of this package
// (by path): its SQL in canonical form.
func definition(env *model.Env, name string) (string, error) {
	if !strings.HasSuffix(name, ".sql") {
		return env.Definition(name)
	}
	b, err := files.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", name, err)
	}
	return model.CanonicalSQL(string(b)), nil
}
