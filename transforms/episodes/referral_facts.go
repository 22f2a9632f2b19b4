package episodes

import (
	"context"
	"fmt"

	"github.com/socrx/socrx/transforms/model"
)

// factsBatch is how many referrals' facts one statement computes. The per-referral
// medians and window functions hold their state in memory, and at millions of referrals
// they outgrew the default memory limit. Each batch scans every contact again, so fewer
// is better while they fit.
const factsBatch = 2_500_000

// buildFacts is the referral_facts model: the facts of the scope facts_scope planned.
func (b *base) buildFacts(ctx context.Context, tx model.Execer, env *model.Env) error {
	if err := buildFacts(ctx, tx, b.facts, env.Params.FactsBatch); err != nil {
		return err
	}
	// Only the facts read the contacts; on a full build they are a temp table as long as
	// the attendances, which would otherwise hold memory (or spill) until the run ends.
	if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS int_lw_contacts"); err != nil {
		return fmt.Errorf("dropping int_lw_contacts: %w", err)
	}
	return nil
}

// buildFacts writes referral_facts for the planned scope, in batches of factsBatch
// referrals (batch, when positive, overrides it), and records the state with how many
// referrals' facts it (re)computed.
func buildFacts(ctx context.Context, tx model.Execer, plan factsPlan, batch int) error {
	b, err := files.ReadFile("referral_facts.sql")
	if err != nil {
		return fmt.Errorf("reading referral_facts: %w", err)
	}
	body := string(b)
	bookings, err := model.Statement(files, "facts_bookings")
	if err != nil {
		return err
	}
	prior, err := model.Statement(files, "facts_prior")
	if err != nil {
		return err
	}
	record, err := model.Statement(files, "facts_state_record")
	if err != nil {
		return err
	}
	var rebuilt int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM facts_scope`).Scan(&rebuilt); err != nil {
		return fmt.Errorf("counting referral_facts scope: %w", err)
	}
	if batch <= 0 {
		batch = factsBatch
	}
	batches := max(1, (rebuilt+int64(batch)-1)/int64(batch))
	// a batch's referrals, and their contacts: int_lw_contacts holds only the scope's
	// referrals (it is built from scoped_attendances), so the batch's share is the same
	// predicate on it, with no join (DuckDB built the semi-join's hash table on every
	// contact)
	slice := func(where string) []string {
		return []string{"CREATE OR REPLACE TEMP VIEW facts_batch AS SELECT * FROM facts_scope" + where,
			"CREATE OR REPLACE TEMP VIEW facts_batch_contacts AS SELECT * FROM int_lw_contacts" + where}
	}
	stmts := []string{"CREATE OR REPLACE TEMP TABLE facts_bookings AS " + bookings}
	if plan.full {
		// the table's shape from the query itself, then the rows batch by batch
		stmts = append(append(stmts, slice(" WHERE false")...), "CREATE OR REPLACE TABLE referral_facts AS "+body, prior)
	} else {
		stmts = append(stmts, prior, "DELETE FROM referral_facts WHERE referral_id IN (SELECT referral_id FROM facts_scope)")
	}
	for i := int64(0); i < batches; i++ {
		where := ""
		if batches > 1 {
			where = fmt.Sprintf(" WHERE hash(referral_id) %% %d = %d", batches, i)
		}
		stmts = append(append(stmts, slice(where)...), "INSERT INTO referral_facts "+body)
	}
	stmts = append(stmts, "DROP TABLE facts_bookings")
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("building referral_facts: %w", err)
		}
	}
	mode := "incremental"
	if plan.full {
		mode = "full: " + plan.reason
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM transform_state WHERE model = ?`, factsModel); err != nil {
		return fmt.Errorf("recording transform_state: %w", err)
	}
	if _, err := tx.ExecContext(ctx, record,
		factsModel, plan.fingerprint, plan.watermark, plan.refN, plan.refSum, plan.attN, plan.attSum, mode, rebuilt); err != nil {
		return fmt.Errorf("recording transform_state: %w", err)
	}
	return nil
}
