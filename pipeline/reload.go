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
	"strings"

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
	rows, err := in.tx.QueryContext(ctx, `SELECT file_id, path, sha256, settings FROM ingested_files
		WHERE source = ? AND NOT coalesce(superseded, false) ORDER BY file_id`, src.name)
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
	if _, err := in.exec(ctx, p.path, "removing quarantine of the earlier load", `DELETE FROM quarantine WHERE file_id = ?`, p.reloadID); err != nil {
		return err
	}
	_, err := in.exec(ctx, p.path, "recording the reload", `UPDATE ingested_files SET settings = ?, run_id = ?, modified_ns = ?,
		bytes = ?, rows_loaded = 0, rows_rejected = 0, rows_replaced = 0, rows_deleted = 0, values_masked = 0 WHERE file_id = ?`,
		p.src.settings, in.runID, p.mtime, p.size, p.reloadID)
	return err
}

// noFiles handles a source whose path matches no file. One of a required kind that has
// never matched a file fails the run (a typo in the path would otherwise quarantine
// every attendance as an orphan and report on nothing); any other is a warning.
func (in *ingester) noFiles(ctx context.Context, src source) (FileResult, error) {
	fr := FileResult{Source: src.name, Kind: src.kind, Path: src.pattern}
	var before int64
	if err := in.tx.QueryRowContext(ctx, `SELECT count(*) FROM ingested_files WHERE source = ?`, src.name).Scan(&before); err != nil {
		return fr, fmt.Errorf("reading the files of %s: %w", src.name, err)
	}
	if src.required && before == 0 {
		err := fmt.Errorf("%s.path: %s matches no file, and no file of this source was ever loaded (is the path right?)", src.cfgKey, src.pattern)
		fr.Error = err.Error()
		return fr, err
	}
	if before == 0 {
		fr.Warning = "matches no file"
		in.log.Warn().Str("source", src.name).Str("path", src.pattern).Msg("an optional source matches no file")
	} else {
		fr.Warning = "no new file"
		in.log.Info().Str("source", src.name).Str("path", src.pattern).Msg("no files")
	}
	return fr, nil
}

// checkRejected fails a file with more than the allowed share of its rows quarantined: a
// wrong mapping or date format rejects most rows, and loading the rest would report on
// almost nothing. Attendances quarantined because their referral was are not the file's
// fault and are not counted. The message names the commonest reason and its column, and
// shows an example value only from a closed-set column (a code the values map may be
// missing), never from any other.
func (in *ingester) checkRejected(ctx context.Context, src source, fr *FileResult) error {
	rejected := fr.Rejected - fr.Reasons[connectors.ReasonReferralQuarantined]
	total := fr.Loaded + rejected
	if total == 0 || float64(rejected) <= in.maxRejected*float64(total) {
		return nil
	}
	var reason, column string
	var n int64
	if err := in.tx.QueryRowContext(ctx, `SELECT reason, coalesce("column", ''), count(*) FROM quarantine
		WHERE file_id = ? AND reason <> ? GROUP BY ALL ORDER BY 3 DESC, 1, 2 LIMIT 1`,
		fr.FileID, connectors.ReasonReferralQuarantined).Scan(&reason, &column, &n); err != nil {
		return fmt.Errorf("%s: reading quarantine: %w", fr.Path, err)
	}
	example := ""
	if closedSet(src.kind, column) {
		var v sql.NullString
		err := in.tx.QueryRowContext(ctx, `SELECT value FROM quarantine WHERE file_id = ? AND reason = ? AND "column" = ?
			AND value IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`, fr.FileID, reason, column).Scan(&v)
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("%s: reading quarantine: %w", fr.Path, err)
		}
		if v.Valid {
			example = fmt.Sprintf(", e.g. %s", shortQuote(v.String))
		}
	}
	hint := "check the source's columns, values and date_format"
	if reason == connectors.ReasonBadDate {
		f, err := in.likelyDateFormat(ctx, fr.FileID, column)
		if err != nil {
			return fmt.Errorf("%s: reading quarantine: %w", fr.Path, err)
		}
		if f != "" {
			hint = fmt.Sprintf("most of them read as %s: is that the source's date_format?", f)
		}
	}
	return &connectors.FileError{Path: fr.Path, Column: column, Reason: fmt.Sprintf(
		"%d of %d rows quarantined, more than ingest.max_rejected_share (%g) allows; the commonest reason is %s (%d rows%s): "+
			"%s, then run again (nothing was loaded)",
		rejected, total, in.maxRejected, reason, n, example, hint)}
}

// likelyDateFormats are the date formats real extracts come in (design §3).
var likelyDateFormats = []string{"%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d-%b-%Y", "%d %b %Y", "%d%b%Y", "%d/%m/%y", "%Y/%m/%d"}

// likelyDateFormat names the format under which most of a file's quarantined dates in a
// column parse, or "" when none does: the format, never a value.
func (in *ingester) likelyDateFormat(ctx context.Context, fileID int64, column string) (string, error) {
	var parts []string
	for _, f := range likelyDateFormats {
		parts = append(parts, fmt.Sprintf("count(*) FILTER (WHERE %s IS NOT NULL)", connectors.DateExpr(connectors.Clean("value"), []string{f})))
	}
	counts := make([]int64, len(likelyDateFormats)+1)
	ptrs := make([]any, len(counts))
	for i := range counts {
		ptrs[i] = &counts[i]
	}
	q := fmt.Sprintf(`SELECT count(*), %s FROM quarantine WHERE file_id = ? AND reason = ? AND "column" = ?`, strings.Join(parts, ", "))
	if err := in.tx.QueryRowContext(ctx, q, fileID, connectors.ReasonBadDate, column).Scan(ptrs...); err != nil {
		return "", err
	}
	best, bestN := "", int64(0)
	for i, f := range likelyDateFormats {
		if counts[i+1] > bestN {
			best, bestN = f, counts[i+1]
		}
	}
	if 2*bestN <= counts[0] {
		return "", nil
	}
	return best, nil
}

// closedSet says whether a column of a kind takes a closed set of codes: its values are
// codes, not data about a person, and an example helps to fix a values map.
func closedSet(kind, column string) bool {
	for _, c := range connectors.Contract(kind) {
		if c.Name == column {
			return c.Type == connectors.Enum
		}
	}
	return false
}

// shortQuote quotes a value for a message, cut to 32 characters and with control
// characters escaped.
func shortQuote(v string) string {
	r := []rune(v)
	if len(r) > 32 {
		return fmt.Sprintf("%q…", string(r[:32]))
	}
	return fmt.Sprintf("%q", strings.ToValidUTF8(v, "?"))
}

// SourceNames lists the configured sources' names, as --reload takes them.
func SourceNames(cfg *config.Config) []string {
	var out []string
	for _, s := range sourcesOf(cfg) {
		out = append(out, s.name)
	}
	return out
}

// ReloadTarget says whether a --reload argument names a configured source or a file one
// of them matches (by path or base name).
func ReloadTarget(cfg *config.Config, target string) bool {
	for _, s := range sourcesOf(cfg) {
		if s.name == target {
			return true
		}
		files, err := connectors.Expand(s.pattern)
		if err != nil {
			continue
		}
		if namesAny(target, files) {
			return true
		}
	}
	return false
}

func namesAny(target string, files []string) bool {
	for _, f := range files {
		if namesFile([]string{target}, f) {
			return true
		}
	}
	return false
}
