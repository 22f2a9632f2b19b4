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
			if _, err := in.tx.ExecContext(ctx, sqlFile("files/remember_mtime"), p.mtime, src.kind, p.sum, path, p.size, p.mtime); err != nil {
				return fr, fmt.Errorf("recording %s: %w", path, err)
			}
			fr.Skipped = true
			in.log.Info().Str("source", src.name).Str("file", filepath.Base(path)).Msg("already loaded; skipped")
			return fr, nil
		}
		if err := in.tx.QueryRowContext(ctx, sqlFile("files/insert"), src.name, src.kind, path, p.sum, p.size, in.runID, p.mtime, src.settings).Scan(&fr.FileID); err != nil {
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
	if _, err := in.tx.ExecContext(ctx, sqlFile("files/set_counts"), fr.Loaded, fr.Rejected, fr.Replaced, fr.Deleted, fr.Masked, fr.FileID); err != nil {
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
	rows, err := in.tx.QueryContext(ctx, sqlFile("quarantine/reasons_of_file"), fileID)
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
// its bad rows quarantined, the rows it corrects or removes replaced, then the load.
func (in *ingester) loadStaged(ctx context.Context, p *pending, fr *FileResult) error {
	if p.table == "" {
		// found loaded when staging, yet not now: never load a file that was not checked
		return fmt.Errorf("%s: not staged", p.path)
	}
	if err := in.quarantineStaged(ctx, p, fr); err != nil {
		return err
	}
	if err := in.replaceRows(ctx, p, fr); err != nil {
		return err
	}
	var err error
	if fr.Loaded, err = in.exec(ctx, p.path, "loading", insertSQL(p.src.kind), p.src.name, fr.FileID); err != nil {
		return err
	}
	return in.countMasked(ctx, p.src.kind, p.path, fr)
}

// quarantineStaged applies the set rules to the staged file in one pass into set_bad,
// quarantines the rows that broke a row or set rule and leaves the others in view good.
func (in *ingester) quarantineStaged(ctx context.Context, p *pending, fr *FileResult) error {
	src, path := p.src, p.path
	exec := func(what, q string, args ...any) (int64, error) { return in.exec(ctx, path, what, q, args...) }
	if _, err := exec("selecting staged rows", connectors.StagedView(p.table, p.byRowid, p.firstRowid)); err != nil {
		return err
	}
	if _, err := exec("finding duplicate ids", connectors.DuplicateIDsSQL(src.kind)); err != nil {
		return err
	}
	var dups int64
	if err := in.tx.QueryRowContext(ctx, sqlFile("load/count_dup_ids")).Scan(&dups); err != nil {
		return fmt.Errorf("%s: counting duplicate ids: %w", path, err)
	}
	if _, err := exec("applying set rules", connectors.SetRulesSQL(src.kind, dups > 0), src.name); err != nil {
		return err
	}
	reason, column, value := connectors.BadFields("_bad")
	quarantine := sqlTemplate("quarantine/insert_staged", struct{ Reason, Column, Value, ID string }{
		reason, column, value, connectors.Ident(connectors.IDColumn(src.kind))})
	var err error
	if fr.Rejected, err = exec("quarantining", quarantine, in.runID, fr.FileID, src.name, path); err != nil {
		return err
	}
	var setBad int64
	if err := in.tx.QueryRowContext(ctx, sqlFile("load/count_set_bad")).Scan(&setBad); err != nil {
		return fmt.Errorf("%s: counting rejected rows: %w", path, err)
	}
	_, err = exec("selecting good rows", sqlTemplate("load/good_rows", struct{ SetBad bool }{setBad > 0}))
	return err
}

// replaceRows deletes the rows the good rows correct (same id), and for a replace source
// the ids its newest file no longer holds (opt-outs, erasures; a referral's attendances
// go with it), marking its earlier files superseded.
func (in *ingester) replaceRows(ctx context.Context, p *pending, fr *FileResult) error {
	src, path := p.src, p.path
	exec := func(what, q string, args ...any) (int64, error) { return in.exec(ctx, path, what, q, args...) }
	table, id := src.kind, connectors.IDColumn(src.kind)
	var existing int64
	if err := in.tx.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s LIMIT 1)", table)).Scan(&existing); err != nil {
		return fmt.Errorf("%s: checking %s: %w", path, table, err)
	}
	var err error
	if existing > 0 {
		if fr.Replaced, err = exec("replacing corrected rows", fmt.Sprintf(`DELETE FROM %s WHERE %s IN (SELECT %s FROM good)`, table, id, id)); err != nil {
			return err
		}
	}
	if src.mode != "replace" {
		return nil
	}
	if existing > 0 {
		removed := sqlTemplate("load/removed_ids", struct{ Table, ID string }{table, id})
		if _, err := exec("finding removed ids", removed, src.name); err != nil {
			return err
		}
		if fr.Deleted, err = exec("deleting removed ids", fmt.Sprintf(`DELETE FROM %s WHERE %s IN (SELECT id FROM removed_ids)`, table, id)); err != nil {
			return err
		}
		if src.kind == "referrals" {
			for _, del := range []struct{ what, q string }{
				{"deleting attendances of removed referrals", sqlFile("load/delete_attendances_of_removed")},
				{"deleting outcomes of removed referrals", sqlFile("load/delete_outcomes_of_removed")},
			} {
				n, err := exec(del.what, del.q)
				if err != nil {
					return err
				}
				fr.Deleted += n
			}
		}
	}
	_, err = exec("marking superseded files", sqlFile("files/mark_superseded"), src.name, fr.FileID)
	return err
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
	switch kind {
	case "referrals":
		return sqlFile("load/insert_referrals")
	case "outcomes":
		return sqlFile("load/insert_outcomes")
	case "gp_events":
		return sqlFile("load/insert_gp_events")
	case "gp_patients":
		return sqlFile("load/insert_gp_patients")
	}
	return sqlFile("load/insert_attendances")
}
