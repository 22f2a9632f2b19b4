package pipeline

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/connectors"
)

// A file is loaded under its source's settings: a wrong date_format or value map
// quarantines rows that the right one loads. So the settings are part of what was loaded
// (ingested_files.settings), and when they change the source's files are read again in
// the same atomic run, their rows and quarantine replaced; `socrx ingest --reload` asks
// for it by name.

// settingsFingerprint identifies how a source's files are read: everything in its config
// that changes which rows load and how (not mode, which only says what a new file means).
func settingsFingerprint(kind string, s config.Source, m connectors.Mapping) string {
	b, _ := json.Marshal(struct {
		Kind, Format, Sheet, Delimiter, DefaultScheme string
		DateFormats, Schemes                          []string
		Columns                                       map[string]string
		Values                                        map[string]map[string]string
	}{kind, s.Format, s.Sheet, s.Delimiter, s.SchemeID, s.DateFormat, m.Schemes, s.Columns, s.Values})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// reloadPlan is what planReload decided for one source.
type reloadPlan struct {
	any    bool // some file of the source is read again
	legacy bool // some earlier file has no recorded settings (a database from before them)
}

// loadedFile is a row of ingested_files.
type loadedFile struct {
	id              int64
	path, sum       string
	settings        sql.NullString
	matched, reload bool
}

// planReload marks the pending files of src that are read again (pending.reloadID):
// every file loaded before under other settings, or named by reload (a source name, or a
// file and every later file of its source), or all of them when force is set. A file
// counts as loaded before when its path and bytes match an earlier load of the source. A
// file loaded before that is no longer there keeps its rows; the log names it.
func (in *ingester) planReload(ctx context.Context, src source, ps []*pending, reload []string, force bool) (reloadPlan, error) {
	var plan reloadPlan
	rows, err := in.tx.QueryContext(ctx, sqlFile("files/of_source"), src.name)
	if err != nil {
		return plan, fmt.Errorf("reading the files of %s: %w", src.name, err)
	}
	var earlier []*loadedFile
	for rows.Next() {
		var f loadedFile
		if err := rows.Scan(&f.id, &f.path, &f.sum, &f.settings); err != nil {
			rows.Close()
			return plan, fmt.Errorf("reading the files of %s: %w", src.name, err)
		}
		earlier = append(earlier, &f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return plan, fmt.Errorf("reading the files of %s: %w", src.name, err)
	}
	if len(earlier) == 0 {
		return plan, nil
	}
	from := int64(0) // files from this file_id on are read again (0: none by name)
	all := force || slices.Contains(reload, src.name)
	for _, f := range earlier {
		if from == 0 && namesFile(reload, f.path) {
			from = f.id
		}
		plan.legacy = plan.legacy || !f.settings.Valid
	}
	for _, p := range ps {
		for _, f := range earlier {
			if f.path != p.path {
				continue
			}
			if p.sum == "" {
				if err := in.identify(ctx, p); err != nil {
					return plan, err
				}
			}
			if f.sum != p.sum {
				continue // new bytes at an old path: a new file
			}
			f.matched = true
			changed := f.settings.Valid && f.settings.String != src.settings
			if all || changed || (from > 0 && f.id >= from) {
				p.reloadID, f.reload, plan.any = f.id, true, true
			}
		}
	}
	if !plan.any {
		return plan, nil
	}
	for _, f := range earlier {
		if !f.matched {
			in.log.Warn().Str("source", src.name).Str("file", f.path).
				Msg("a file loaded before is no longer there as it was: its rows are kept, not read again")
		}
	}
	return plan, nil
}

// namesFile says whether a --reload argument names the file at path (by its path, as
// given or absolute, or by its base name).
func namesFile(reload []string, path string) bool {
	for _, r := range reload {
		if r == path || filepath.Base(path) == r {
			return true
		}
		if abs, err := filepath.Abs(r); err == nil && abs == path {
			return true
		}
	}
	return false
}

// forget removes what an earlier load of p's file left, before it is read again: its rows
// in the core table, its quarantine rows, and its ingested_files record is brought up to
// date (the file keeps its file_id, so nothing that names it breaks).
func (in *ingester) forget(ctx context.Context, p *pending) error {
	table := p.src.kind // every core table's rows carry source_file_id
	if _, err := in.exec(ctx, p.path, "removing rows of the earlier load",
		"DELETE FROM "+connectors.Ident(table)+" WHERE source_file_id = ?", p.reloadID); err != nil {
		return err
	}
	if _, err := in.exec(ctx, p.path, "removing quarantine of the earlier load", sqlFile("quarantine/delete_file"), p.reloadID); err != nil {
		return err
	}
	_, err := in.exec(ctx, p.path, "recording the reload", sqlFile("files/reread"), p.src.settings, in.runID, p.mtime, p.size, p.reloadID)
	return err
}
