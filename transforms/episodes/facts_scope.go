package episodes

// Incremental per-referral facts. Reading the attendances — the contact definition, the
// continuity sums, the equity windows — is the costliest part of a transform and, unlike
// everything downstream of it, does not depend on data_end. So it is kept between runs
// in referral_facts and a run recomputes only the referrals whose rows are new.
//
// A run may reuse a fact only if the rows it was built from are unchanged. The
// facts_scope model (planFacts) checks that with a checksum of the referral and
// attendance columns the facts read, taken over the rows that were there at the last
// build (source_file_id at or below its watermark, or none): a corrected or removed row,
// a row added by hand, a new window length or new SQL each forces a full rebuild. New
// rows carry the ids of files loaded since, which names the referrals to recompute.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/socrx/socrx/transforms/model"
)

// factsModel is referral_facts' name, and its transform_state row's.
const factsModel = "referral_facts"

// factsPlan is what planFacts decided.
type factsPlan struct {
	full        bool
	reason      string // why a full rebuild ("" when incremental)
	fingerprint string
	watermark   int64  // max file_id once this run's facts are built
	previous    int64  // the watermark of the last build (0: none); an incremental scope is the rows since
	refSum      string // checksums of all rows now, stored for the next run
	attSum      string
	refN        int64
	attN        int64
}

// factsFingerprint changes whenever the facts would be computed differently: their SQL,
// the checksums kept of the rows they read, the windows.
func factsFingerprint(env *model.Env) (string, error) {
	p := env.Params
	h := sha256.New()
	for _, f := range []string{"referral_facts.sql", "queries/facts_bookings.sql", "int_lw_contacts",
		"queries/referrals_checksum.sql", "queries/attendances_checksum.sql"} {
		def, err := definition(env, f)
		if err != nil {
			return "", err
		}
		fmt.Fprintln(h, def)
	}
	fmt.Fprintf(h, "|%d|%d|%d|%d|", p.WindowContacted, p.WindowEngaged, p.WindowVCSUptake, model.WindowDNA)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// planFacts is the facts_scope model: it decides between a full and an incremental build
// of referral_facts and creates the scope the models read: facts_scope (referral_id,
// referral_date) and scoped_attendances, everything on a full build, else only the
// referrals with new rows.
func (b *base) planFacts(ctx context.Context, tx model.Execer, env *model.Env) error {
	var err error
	b.facts, err = planFacts(ctx, tx, env)
	b.plan.Previous, b.plan.Watermark = b.facts.previous, b.facts.watermark
	return err
}

func planFacts(ctx context.Context, tx model.Execer, env *model.Env) (factsPlan, error) {
	var plan factsPlan
	p := env.Params
	fp, err := factsFingerprint(env)
	if err != nil {
		return plan, err
	}
	plan.fingerprint = fp
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(file_id), 0) FROM ingested_files`).Scan(&plan.watermark); err != nil {
		return plan, fmt.Errorf("reading ingested_files: %w", err)
	}
	var (
		oldFP                string
		wm, oldRefN, oldAttN int64
		oldRefSum, oldAttSum string
	)
	state, err := model.Statement(files, "facts_state")
	if err != nil {
		return plan, err
	}
	err = tx.QueryRowContext(ctx, state, factsModel).Scan(&oldFP, &wm, &oldRefN, &oldRefSum, &oldAttN, &oldAttSum)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		plan.full, plan.reason = true, "first build"
	case err != nil:
		return plan, fmt.Errorf("reading transform_state: %w", err)
	case oldFP != fp:
		plan.full, plan.reason = true, "definition or windows changed"
	case p.FullRebuild:
		plan.full, plan.reason = true, "requested"
	}
	haveFacts, err := model.TableExists(ctx, tx, factsModel)
	if err != nil {
		return plan, err
	}
	plan.previous = wm
	if !haveFacts && !plan.full {
		plan.full, plan.reason = true, "referral_facts missing"
	}
	// One scan per table gives both the checksum of the rows the facts were built from
	// and that of every row now (stored for the next run).
	oldRef, nowRef, err := checksums(ctx, tx, "referrals_checksum", wm)
	if err != nil {
		return plan, err
	}
	oldAtt, nowAtt, err := checksums(ctx, tx, "attendances_checksum", wm)
	if err != nil {
		return plan, err
	}
	plan.refN, plan.refSum, plan.attN, plan.attSum = nowRef.n, nowRef.sum, nowAtt.n, nowAtt.sum
	if !plan.full && (oldRef != checksum{oldRefN, oldRefSum} || oldAtt != checksum{oldAttN, oldAttSum}) {
		plan.full, plan.reason = true, "rows changed or removed since the last build"
	}
	if err := scopeFacts(ctx, tx, plan.full, wm); err != nil {
		return plan, fmt.Errorf("scoping referral_facts: %w", err)
	}
	return plan, nil
}

// scopeFacts creates facts_scope and scoped_attendances: every referral on a full build,
// else those with rows loaded after the watermark wm.
func scopeFacts(ctx context.Context, tx model.Execer, full bool, wm int64) error {
	if full {
		all, err := model.Statement(files, "facts_scope_all")
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, all)
		return err
	}
	rows, err := model.Statement(files, "facts_scope_rows")
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, rows, wm); err != nil {
		return err
	}
	scope, err := model.Statement(files, "facts_scope_new")
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, scope)
	return err
}

type checksum struct {
	n   int64
	sum string
}

// checksums runs a checksum query (queries/NAME.sql): the count and summed hash of a core
// table's rows loaded from files up to wm (or by hand), and of every row now.
func checksums(ctx context.Context, tx model.Execer, name string, wm int64) (old, now checksum, err error) {
	q, err := model.Statement(files, name)
	if err != nil {
		return old, now, err
	}
	if err := tx.QueryRowContext(ctx, q, wm).Scan(&old.n, &old.sum, &now.n, &now.sum); err != nil {
		return old, now, fmt.Errorf("checking %s: %w", name, err)
	}
	return old, now, nil
}
