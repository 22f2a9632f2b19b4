package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/socrx/socrx/connectors"
)

// loadFile loads one file unless a file with the same bytes was loaded before, or reads
// again one that is to be reloaded (pending.reloadID).
func (in *ingester) loadFile(ctx context.Context, p *pending) (FileResult, error) {
	src, path := p.src, p.path
	fr := FileResult{Source: src.name, Kind: src.kind, Path: path}
	if p.sum == "" {
		if err := in.identify(ctx, p); err != nil {
			fr.Error = err.Error()
			return fr, err
		}
	}
	fr.SHA256 = p.sum
	if p.reloadID != 0 {
		if err := in.forget(ctx, p); err != nil {
			return fr, err
		}
		fr.FileID, fr.Reloaded = p.reloadID, true
	} else {
		// Asked again inside the transaction: an earlier file of this run may have had
		// the same bytes.
		seen, err := in.loaded(ctx, p.sum, src.kind, path)
		if err != nil {
			return fr, err
		}
		if seen {
			// Remember the modification time it has now (a database from before
			// modified_ns, or the same bytes copied again), so the next run need not read it.
			if _, err := in.tx.ExecContext(ctx, `UPDATE ingested_files SET modified_ns = ?
				WHERE kind = ? AND sha256 = ? AND path = ? AND bytes = ? AND modified_ns IS DISTINCT FROM ?`,
				p.mtime, src.kind, p.sum, path, p.size, p.mtime); err != nil {
				return fr, fmt.Errorf("recording %s: %w", path, err)
			}
			fr.Skipped = true
			in.log.Info().Str("source", src.name).Str("file", filepath.Base(path)).Msg("already loaded; skipped")
			return fr, nil
		}
		if err := in.tx.QueryRowContext(ctx, `INSERT INTO ingested_files (file_id, source, kind, path, sha256, bytes, rows_loaded, rows_rejected, rows_replaced, rows_deleted, run_id, superseded, modified_ns, settings)
			SELECT coalesce(max(file_id), 0) + 1, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, false, ?, ? FROM ingested_files RETURNING file_id`,
			src.name, src.kind, path, p.sum, p.size, in.runID, p.mtime, src.settings).Scan(&fr.FileID); err != nil {
			return fr, fmt.Errorf("recording %s: %w", path, err)
		}
	}
	start := time.Now()
	var err error
	switch src.kind {
	case "deprivation":
		err = in.loadDeprivation(ctx, src, path, &fr)
	case "population":
		err = in.loadPopulation(ctx, src, path, &fr)
	default:
		err = in.loadStaged(ctx, p, &fr)
	}
	if err != nil {
		fr.Error = err.Error()
		return fr, err
	}
	if _, err := in.tx.ExecContext(ctx, `UPDATE ingested_files SET rows_loaded = ?, rows_rejected = ?, rows_replaced = ?, rows_deleted = ?, values_masked = ? WHERE file_id = ?`,
		fr.Loaded, fr.Rejected, fr.Replaced, fr.Deleted, fr.Masked, fr.FileID); err != nil {
		return fr, fmt.Errorf("recording %s: %w", path, err)
	}
	if fr.Reasons, err = in.reasons(ctx, fr.FileID); err != nil {
		return fr, err
	}
	if err := in.checkRejected(ctx, src, &fr); err != nil {
		fr.Error = err.Error()
		return fr, err
	}
	ev := in.log.Info()
	if fr.Masked > 0 {
		ev = in.log.Warn().Int64("identifiers_masked", fr.Masked)
	}
	msg := "loaded"
	if fr.Reloaded {
		msg = "read again under the current settings"
	}
	ev.Str("source", src.name).Str("file", filepath.Base(path)).Int64("rows", fr.Loaded).
		Int64("rejected", fr.Rejected).Int64("replaced", fr.Replaced).Int64("deleted", fr.Deleted).
		Int64("duration_ms", time.Since(start).Milliseconds()).Msg(msg)
	return fr, nil
}

func (in *ingester) reasons(ctx context.Context, fileID int64) (map[string]int64, error) {
	rows, err := in.tx.QueryContext(ctx, `SELECT reason, count(*) FROM quarantine WHERE file_id = ? GROUP BY 1`, fileID)
	if err != nil {
		return nil, fmt.Errorf("counting quarantine: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var r string
		var n int64
		if err := rows.Scan(&r, &n); err != nil {
			return nil, fmt.Errorf("counting quarantine: %w", err)
		}
		out[r] = n
	}
	return out, rows.Err()
}

// loadStaged loads a staged referrals or attendances file inside the ingest transaction:
// one pass for the set rules into set_bad, then quarantine, corrections, removals and
// the load.
func (in *ingester) loadStaged(ctx context.Context, p *pending, fr *FileResult) error {
	src, path := p.src, p.path
	if p.table == "" {
		// found loaded when staging, yet not now: never load a file that was not checked
		return fmt.Errorf("%s: not staged", path)
	}
	exec := func(what, q string, args ...any) (int64, error) { return in.exec(ctx, path, what, q, args...) }
	var err error
	if _, err := exec("selecting staged rows", connectors.StagedView(p.table, p.byRowid, p.firstRowid)); err != nil {
		return err
	}
	if _, err := exec("finding duplicate ids", connectors.DuplicateIDsSQL(src.kind)); err != nil {
		return err
	}
	var dups int64
	if err := in.tx.QueryRowContext(ctx, "SELECT count(*) FROM dup_ids").Scan(&dups); err != nil {
		return fmt.Errorf("%s: counting duplicate ids: %w", path, err)
	}
	if _, err := exec("applying set rules", connectors.SetRulesSQL(src.kind, dups > 0), src.name); err != nil {
		return err
	}
	reason, column, value := connectors.BadFields("_bad")
	id := connectors.Ident(connectors.IDColumn(src.kind))
	if fr.Rejected, err = exec("quarantining", fmt.Sprintf(`INSERT INTO quarantine (run_id, file_id, source, file, line, "column", value, reason, record_id)
		SELECT ?, ?, ?, ?, _line, %s, %s, %s, _id
		FROM (SELECT _line, _bad, %s AS _id FROM stg WHERE _bad IS NOT NULL UNION ALL SELECT _line, _bad, _id FROM set_bad) ORDER BY _line`,
		column, value, reason, id), in.runID, fr.FileID, src.name, path); err != nil {
		return err
	}
	table, id := src.kind, connectors.IDColumn(src.kind)
	var setBad int64
	if err := in.tx.QueryRowContext(ctx, "SELECT count(*) FROM set_bad").Scan(&setBad); err != nil {
		return fmt.Errorf("%s: counting rejected rows: %w", path, err)
	}
	good := `CREATE OR REPLACE TEMP VIEW good AS SELECT * FROM stg s WHERE s._bad IS NULL`
	if setBad > 0 {
		good += ` AND NOT EXISTS (SELECT 1 FROM set_bad b WHERE b._line = s._line)`
	}
	if _, err := exec("selecting good rows", good); err != nil {
		return err
	}
	var existing int64
	if err := in.tx.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s LIMIT 1)", table)).Scan(&existing); err != nil {
		return fmt.Errorf("%s: checking %s: %w", path, table, err)
	}
	if existing > 0 {
		if fr.Replaced, err = exec("replacing corrected rows", fmt.Sprintf(`DELETE FROM %s WHERE %s IN (SELECT %s FROM good)`, table, id, id)); err != nil {
			return err
		}
	}
	if src.mode == "replace" && existing > 0 {
		// Ids absent from the newest file are gone (opt-outs, erasures); a referral's
		// attendances go with it.
		if _, err := exec("finding removed ids", fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE removed_ids AS SELECT %s AS id FROM %s t
			WHERE t.source = ? AND NOT EXISTS (SELECT 1 FROM stg s WHERE s.%s = t.%s)`, id, table, id, id), src.name); err != nil {
			return err
		}
		if fr.Deleted, err = exec("deleting removed ids", fmt.Sprintf(`DELETE FROM %s WHERE %s IN (SELECT id FROM removed_ids)`, table, id)); err != nil {
			return err
		}
		if src.kind == "referrals" {
			n, err := exec("deleting attendances of removed referrals", `DELETE FROM attendances WHERE referral_id IN (SELECT id FROM removed_ids)`)
			if err != nil {
				return err
			}
			fr.Deleted += n
		}
	}
	if src.mode == "replace" {
		if _, err := exec("marking superseded files", `UPDATE ingested_files SET superseded = true WHERE source = ? AND file_id <> ?`, src.name, fr.FileID); err != nil {
			return err
		}
	}
	if fr.Loaded, err = exec("loading", insertSQL(src.kind), src.name, fr.FileID); err != nil {
		return err
	}
	return in.countMasked(ctx, src.kind, path, fr)
}

// countMasked counts the loaded values of free-text columns in which MaskFreeText put a
// marker: a count only, for the log and ingested_files.
func (in *ingester) countMasked(ctx context.Context, kind, path string, fr *FileResult) error {
	var conds []string
	for _, c := range connectors.Contract(kind) {
		if c.Free {
			col := connectors.Ident(c.Name)
			conds = append(conds, fmt.Sprintf("contains(%s, %s) OR contains(%s, %s)", col,
				connectors.Literal(connectors.MaskNHSNumber), col, connectors.Literal(connectors.MaskPostcode)))
		}
	}
	if len(conds) == 0 {
		return nil
	}
	q := "SELECT count(*) FROM good WHERE " + strings.Join(conds, " OR ")
	if err := in.tx.QueryRowContext(ctx, q).Scan(&fr.Masked); err != nil {
		return fmt.Errorf("%s: counting masked values: %w", path, quiet(err))
	}
	return nil
}

// insertSQL moves the good staged rows into the core table ($1 source, $2 file id).
func insertSQL(kind string) string {
	if kind == "referrals" {
		return `INSERT INTO referrals (referral_id, person_id, scheme_id, practice_code, referral_date, referral_source,
			referral_reason, outcome, closed_date, lsoa_code, sex, age, birth_month, ethnic_category, source, source_file_id, source_line)
		SELECT referral_id, person_id, scheme_id, practice_code, referral_date, referral_source, referral_reason, outcome,
			closed_date, lsoa_code, sex,
			coalesce(CAST(age AS INTEGER), CASE WHEN birth_month IS NOT NULL THEN
				CAST(floor(date_diff('month', CAST(strptime(birth_month || '-15', '%Y-%m-%d') AS DATE), referral_date) / 12) AS INTEGER) END),
			birth_month, ethnic_category, ?, ?, _line
		FROM good`
	}
	return `INSERT INTO attendances (attendance_id, referral_id, attendance_date, setting, status, worker_id, provider_id,
		activity_category, mode, person_id, source, source_file_id, source_line)
	SELECT attendance_id, referral_id, attendance_date, setting, status, worker_id, provider_id, activity_category, mode,
		person_id, ?, ?, _line
	FROM good`
}
