package reports

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/socrx/socrx/disclosure"
)

// MartsBuild is how the marts were last built: the data_end their windows and censoring
// end at, and the fingerprint of their definition and parameters (zero values before any
// transform).
type MartsBuild struct {
	DataEnd    time.Time
	Definition string
}

// ReadMartsBuild reads the state the transform recorded for episode_metrics, the model
// every indicator downstream rests on.
func ReadMartsBuild(ctx context.Context, db *sql.DB) (MartsBuild, error) {
	var m MartsBuild
	var end sql.NullTime
	var def sql.NullString
	err := db.QueryRowContext(ctx, `SELECT data_end, fingerprint FROM transform_state WHERE model = 'episode_metrics'`).Scan(&end, &def)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("reading transform_state: %w", err)
	}
	m.DataEnd, m.Definition = end.Time, def.String
	return m, nil
}

// Fingerprint identifies the data a report rests on: the hashes of the current ingested
// files, how the marts were built from them (data_end and parameters: the same files
// with a later data_end give other numbers) and the disclosure settings (a raised
// threshold makes the old report stale too).
func Fingerprint(ctx context.Context, db *sql.DB, p disclosure.Policy) (string, error) {
	q, err := query("fingerprint.sql")
	if err != nil {
		return "", err
	}
	// before the rows are opened: a caller's pool may have one connection
	m, err := ReadMartsBuild(ctx, db)
	if err != nil {
		return "", err
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return "", fmt.Errorf("reading ingested files: %w", err)
	}
	defer rows.Close()
	h := sha256.New()
	fmt.Fprintf(h, "disclosure %d %d\n", p.Threshold, p.Rounding)
	fmt.Fprintf(h, "marts %s %s\n", m.DataEnd.Format(time.DateOnly), m.Definition)
	for rows.Next() {
		var kind, source, sum sql.NullString
		if err := rows.Scan(&kind, &source, &sum); err != nil {
			return "", fmt.Errorf("reading ingested files: %w", err)
		}
		fmt.Fprintf(h, "%s %s %s\n", kind.String, source.String, sum.String)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("reading ingested files: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Periods lists the reporting periods present in the marts.
func Periods(ctx context.Context, db *sql.DB) ([]string, error) {
	q, err := query("periods.sql")
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("listing periods: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("listing periods: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// DuePeriods are the periods that ended at least lagDays before the logical date and
// have no report from data with this fingerprint (design §7).
func DuePeriods(ctx context.Context, db *sql.DB, logical time.Time, lagDays int, fingerprint string) ([]string, error) {
	all, err := Periods(ctx, db)
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT period FROM reports_written WHERE fingerprint = ?`, fingerprint)
	if err != nil {
		return nil, fmt.Errorf("reading reports_written: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("reading reports_written: %w", err)
		}
		done[p] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading reports_written: %w", err)
	}
	var due []string
	for _, p := range all {
		ended, err := Ended(p, logical, lagDays)
		if err != nil {
			// a label of another granularity (config changed since the marts were built)
			continue
		}
		if ended && !done[p] {
			due = append(due, p)
		}
	}
	sort.Strings(due)
	return due, nil
}

// Written is one row of reports_written.
type Written struct {
	Period, SchemeID   string
	RunID              int64
	Fingerprint        string
	WrittenAt          time.Time
	HTML, XLSX, CSVDir string
}

// RecordWritten inserts the rows for reports just written, in one transaction.
func RecordWritten(ctx context.Context, db *sql.DB, ws []Written) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("recording reports: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	for _, w := range ws {
		if _, err := tx.ExecContext(ctx, `INSERT INTO reports_written
			(period, scheme_id, run_id, fingerprint, written_at, html_path, xlsx_path, csv_dir)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			w.Period, w.SchemeID, w.RunID, w.Fingerprint, w.WrittenAt.UTC(), w.HTML, w.XLSX, w.CSVDir); err != nil {
			// the scheme id is data: the error names the period only
			return fmt.Errorf("recording a report of %s: %w", w.Period, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("recording reports: %w", err)
	}
	return nil
}
