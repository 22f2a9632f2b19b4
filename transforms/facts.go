package transforms

// Incremental per-referral facts. Reading the attendances — the contact definition, the
// continuity sums, the equity windows — is the costliest part of a transform and, unlike
// everything downstream of it, does not depend on data_end. So it is kept between runs
// in referral_facts and a run recomputes only the referrals whose rows are new.
//
// A run may reuse a fact only if the rows it was built from are unchanged. planFacts
// checks that with a checksum of the referral and attendance columns the facts read,
// taken over the rows that were there at the last build (source_file_id at or below its
// watermark, or none): a corrected or removed row, a row added by hand, a new window
// length or new SQL each forces a full rebuild. New rows carry the ids of files loaded
// since, which names the referrals to recompute.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strconv"
)

// factsState is transform_state's row for referral_facts.
const factsModel = "referral_facts"

// factsAttendanceColumns are the attendance columns referral_facts and int_lw_contacts
// read: all that scoped_attendances carries, and what attendances_checksum.sql covers.
const factsAttendanceColumns = `referral_id, attendance_id, attendance_date, setting, status, worker_id`

// factsWindowColumns are the referral_facts columns equity_strata reads.
const factsWindowColumns = `referral_id, contacts_in_contacted_window, contacts_in_engaged_window, vcs_in_window, lw_booked_in_window, lw_dna_in_window`

// the checksum queries over the columns referral_facts reads
const (
	refChecksum = "sql/incremental/referrals_checksum.sql"
	attChecksum = "sql/incremental/attendances_checksum.sql"
)

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
func factsFingerprint(p Params) (string, error) {
	h := sha256.New()
	for _, f := range []string{"sql/incremental/referral_facts.sql", "sql/incremental/facts_bookings.sql", "sql/intermediate/int_lw_contacts.sql",
		refChecksum, attChecksum} {
		def, err := definition(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintln(h, def)
	}
	fmt.Fprintf(h, "|%d|%d|%d|%d|", p.WindowContacted, p.WindowEngaged, p.WindowVCSUptake, windowDNA)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// planFacts is the facts_scope model: it decides between a full and an incremental build
// of referral_facts and creates the scope the models read: facts_scope (referral_id,
// referral_date) and scoped_attendances, everything on a full build, else only the
// referrals with new rows.
func (b *build) planFacts(ctx context.Context, tx Execer, p Params) error {
	var err error
	b.facts, err = planFacts(ctx, tx, p)
	return err
}

func planFacts(ctx context.Context, tx Execer, p Params) (factsPlan, error) {
	var plan factsPlan
	fp, err := factsFingerprint(p)
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
	err = tx.QueryRowContext(ctx, `SELECT fingerprint, max_file_id, referrals_n, referrals_sum, attendances_n, attendances_sum
		FROM transform_state WHERE model = ?`, factsModel).Scan(&oldFP, &wm, &oldRefN, &oldRefSum, &oldAttN, &oldAttSum)
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
	haveFacts, err := tableExists(ctx, tx, factsModel)
	if err != nil {
		return plan, err
	}
	plan.previous = wm
	if !haveFacts && !plan.full {
		plan.full, plan.reason = true, "referral_facts missing"
	}
	// One scan per table gives both the checksum of the rows the facts were built from
	// and that of every row now (stored for the next run).
	oldRef, nowRef, err := checksums(ctx, tx, refChecksum, wm)
	if err != nil {
		return plan, err
	}
	oldAtt, nowAtt, err := checksums(ctx, tx, attChecksum, wm)
	if err != nil {
		return plan, err
	}
	plan.refN, plan.refSum, plan.attN, plan.attSum = nowRef.n, nowRef.sum, nowAtt.n, nowAtt.sum
	if !plan.full && (oldRef != checksum{oldRefN, oldRefSum} || oldAtt != checksum{oldAttN, oldAttSum}) {
		plan.full, plan.reason = true, "rows changed or removed since the last build"
	}
	scope := `CREATE OR REPLACE TEMP VIEW facts_scope AS SELECT referral_id, referral_date FROM referrals`
	atts := `CREATE OR REPLACE TEMP VIEW scoped_attendances AS SELECT ` + factsAttendanceColumns + ` FROM attendances`
	if !plan.full {
		wmText := strconv.FormatInt(wm, 10)
		scope = `CREATE OR REPLACE TEMP TABLE facts_scope_rows AS
			SELECT referral_id, referral_date FROM referrals WHERE referral_id IN (
				SELECT referral_id FROM referrals WHERE source_file_id > ` + wmText + `
				UNION
				SELECT referral_id FROM attendances WHERE source_file_id > ` + wmText + `)`
		// only the columns the facts read; a view, read by int_lw_contacts and the facts:
		// writing the scope's attendances (1.2M rows at 1M referrals) to a table cost more
		// than reading them twice
		atts = `CREATE OR REPLACE TEMP VIEW scoped_attendances AS
			SELECT ` + factsAttendanceColumns + ` FROM attendances WHERE referral_id IN (SELECT referral_id FROM facts_scope)`
	}
	// facts_scope is always a view (over a table when incremental): a connection that
	// serves several runs then never meets a table where it expects a view
	stmts := []string{scope, atts}
	if !plan.full {
		stmts = []string{scope, "CREATE OR REPLACE TEMP VIEW facts_scope AS SELECT * FROM facts_scope_rows", atts}
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return plan, fmt.Errorf("scoping referral_facts: %w", err)
		}
	}
	return plan, nil
}

type checksum struct {
	n   int64
	sum string
}

// checksums runs a checksum query (file): the count and summed hash of a core table's
// rows loaded from files up to wm (or by hand), and of every row now.
func checksums(ctx context.Context, tx Execer, file string, wm int64) (old, now checksum, err error) {
	q, err := sqlFS.ReadFile(file)
	if err != nil {
		return old, now, fmt.Errorf("reading %s: %w", file, err)
	}
	if err := tx.QueryRowContext(ctx, string(q), wm).Scan(&old.n, &old.sum, &now.n, &now.sum); err != nil {
		return old, now, fmt.Errorf("checking %s: %w", path.Base(file), err)
	}
	return old, now, nil
}

// tableExists says whether the persistent table name (a model kept between runs) exists.
func tableExists(ctx context.Context, tx Execer, name string) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary AND schema_name = 'main'`,
		name).Scan(&n); err != nil {
		return false, fmt.Errorf("looking for %s: %w", name, err)
	}
	return n > 0, nil
}

// factsBatch is how many referrals' facts one statement computes. The per-referral
// medians and window functions hold their state in memory, and over 5M referrals they
// outgrew the default 1 GB limit. Each batch scans every contact again, so fewer is
// better while they fit: at 5M referrals two batches took 16.5 s, five 20 s, one 19.5 s.
const factsBatch = 2_500_000

// buildFacts is the referral_facts model (see buildFacts below).
func (b *build) buildFacts(ctx context.Context, tx Execer, p Params) error {
	n, err := buildFacts(ctx, tx, b.facts, p.factsBatch)
	b.res.FactsRebuilt = n
	if err != nil {
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
// referrals (batch, when positive, overrides it), and records the state. It returns how
// many referrals' facts it (re)computed.
func buildFacts(ctx context.Context, tx Execer, plan factsPlan, batch int) (int64, error) {
	b, err := sqlFS.ReadFile("sql/incremental/referral_facts.sql")
	if err != nil {
		return 0, fmt.Errorf("reading referral_facts: %w", err)
	}
	body := string(b)
	bookings, err := sqlFS.ReadFile("sql/incremental/facts_bookings.sql")
	if err != nil {
		return 0, fmt.Errorf("reading facts_bookings: %w", err)
	}
	var rebuilt int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM facts_scope`).Scan(&rebuilt); err != nil {
		return 0, fmt.Errorf("counting referral_facts scope: %w", err)
	}
	if batch <= 0 {
		batch = factsBatch
	}
	batches := max(1, (rebuilt+int64(batch)-1)/int64(batch))
	// a batch's referrals, and their contacts: int_lw_contacts holds only the scope's
	// referrals (it is built from scoped_attendances), so the batch's share is the same
	// predicate on it, with no join (DuckDB built the semi-join's hash table on every
	// contact, 0.4 s a batch of 200k at 1M referrals)
	slice := func(where string) []string {
		return []string{"CREATE OR REPLACE TEMP VIEW facts_batch AS SELECT * FROM facts_scope" + where,
			"CREATE OR REPLACE TEMP VIEW facts_batch_contacts AS SELECT * FROM int_lw_contacts" + where}
	}
	stmts := []string{"CREATE OR REPLACE TEMP TABLE facts_bookings AS\n" + string(bookings)}
	// facts_prior keeps the window counts of the rows about to be recomputed, which an
	// incremental equity_strata subtracts (strata.go); empty on a full build
	prior := `CREATE OR REPLACE TEMP TABLE facts_prior AS SELECT ` + factsWindowColumns + ` FROM referral_facts`
	if plan.full {
		// the table's shape from the query itself, then the rows batch by batch
		stmts = append(append(stmts, slice(" WHERE false")...), "CREATE OR REPLACE TABLE referral_facts AS\n"+body, prior+" WHERE false")
	} else {
		stmts = append(stmts, prior+` WHERE referral_id IN (SELECT referral_id FROM facts_scope)`,
			`DELETE FROM referral_facts WHERE referral_id IN (SELECT referral_id FROM facts_scope)`)
	}
	for i := int64(0); i < batches; i++ {
		where := ""
		if batches > 1 {
			where = fmt.Sprintf(" WHERE hash(referral_id) %% %d = %d", batches, i)
		}
		stmts = append(append(stmts, slice(where)...), "INSERT INTO referral_facts\n"+body)
	}
	stmts = append(stmts, "DROP TABLE facts_bookings")
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("building referral_facts: %w", err)
		}
	}
	mode := "incremental"
	if plan.full {
		mode = "full: " + plan.reason
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM transform_state WHERE model = ?`, factsModel); err != nil {
		return 0, fmt.Errorf("recording transform_state: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO transform_state (model, fingerprint, max_file_id, referrals_n, referrals_sum,
		attendances_n, attendances_sum, mode, rows_rebuilt, built_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)`,
		factsModel, plan.fingerprint, plan.watermark, plan.refN, plan.refSum, plan.attN, plan.attSum, mode, rebuilt); err != nil {
		return 0, fmt.Errorf("recording transform_state: %w", err)
	}
	return rebuilt, nil
}
