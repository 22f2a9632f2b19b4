package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/connectors"
)

// Status is what `socrx status` shows.
type Status struct {
	Source string // which file was read
	// Failure is the latest run that failed before its runs row could be written (see
	// FailurePath); nil when none has since a run last succeeded.
	Failure    *Failure
	Runs       []RunRecord
	Files      []FileResult
	Quarantine map[string]int64
	Tables     map[string]int64
	// Warnings name what needs a look but did not fail a run: a source matching no file,
	// a file loaded before that is no longer there (its rows are kept).
	Warnings []string
}

// Healthy is false when the latest run failed or was abandoned, or a run failed before it
// could be recorded and none has succeeded since (RunStatus.Healthy).
func (s Status) Healthy() bool {
	if s.Failure != nil {
		return false
	}
	return len(s.Runs) == 0 || s.Runs[0].Status.Healthy()
}

// Status reads recent runs, files and quarantine counts: from the working database when
// it can be opened read-only, else from the published snapshot (a run holds the file);
// and the record of a run that failed before it could be written. With no database yet
// it reports no runs, and that record if there is one.
func (r *Runner) Status(ctx context.Context, n int) (Status, error) {
	st := Status{Source: r.DBPath(), Quarantine: map[string]int64{}, Tables: map[string]int64{},
		Failure: ReadFailure(r.DBPath())}
	if _, err := os.Stat(r.DBPath()); errors.Is(err, os.ErrNotExist) {
		st.Source = r.DBPath() + " (not created yet)"
		return st, nil
	}
	db, err := OpenDB(ctx, r.DBPath(), DBOptions{ReadOnly: true})
	if err != nil {
		st.Source = r.PublishPath() + " (the working database is busy)"
		var perr error
		db, perr = OpenDB(ctx, r.PublishPath(), DBOptions{ReadOnly: true})
		if perr != nil {
			if st.Failure != nil {
				// The failure may be why the database cannot be read: report it.
				st.Source = r.DBPath() + " (unreadable: " + oneLine(err.Error()) + ")"
				return st, nil
			}
			return st, fmt.Errorf("no database to read: %w", err)
		}
	}
	defer db.Close()
	if err := st.read(ctx, db, n); err != nil {
		return st, err
	}
	return st, st.checkSources(ctx, db, r.Cfg)
}

// checkSources warns of sources that match no file and of loaded files no longer there.
func (st *Status) checkSources(ctx context.Context, db *sql.DB, cfg *config.Config) error {
	if len(st.Runs) == 0 && len(st.Files) == 0 {
		return nil // not migrated, or nothing run yet
	}
	for _, src := range sourcesOf(cfg) {
		files, err := connectors.Expand(src.pattern)
		if err != nil {
			st.Warnings = append(st.Warnings, fmt.Sprintf("%s: %v", src.cfgKey, err))
			continue
		}
		var loaded []string
		rows, err := db.QueryContext(ctx, sqlFile("files/paths_of_source"), src.name)
		if err != nil {
			return fmt.Errorf("reading files: %w", err)
		}
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return fmt.Errorf("reading files: %w", err)
			}
			loaded = append(loaded, p)
		}
		rows.Close()
		switch {
		case len(files) == 0 && len(loaded) == 0 && src.required:
			st.Warnings = append(st.Warnings, fmt.Sprintf("%s (%s): %s matches no file and none was ever loaded: runs fail until it does", src.cfgKey, src.name, src.pattern))
		case len(files) == 0 && len(loaded) == 0:
			st.Warnings = append(st.Warnings, fmt.Sprintf("%s (%s): %s matches no file (an optional source)", src.cfgKey, src.name, src.pattern))
		}
		for _, p := range loaded {
			if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
				st.Warnings = append(st.Warnings, fmt.Sprintf("%s (%s): %s, loaded before, is no longer there: its rows are kept", src.cfgKey, src.name, p))
			}
		}
	}
	return nil
}

func (st *Status) read(ctx context.Context, db *sql.DB, n int) error {
	// A database whose first run failed at migrate (or a stray file) has no tables yet.
	var migrated bool
	if err := db.QueryRowContext(ctx, sqlFile("runs/migrated")).Scan(&migrated); err != nil {
		return fmt.Errorf("reading runs: %w", err)
	}
	if !migrated {
		return nil
	}
	rows, err := db.QueryContext(ctx, sqlFile("runs/recent"), n)
	if err != nil {
		return fmt.Errorf("reading runs: %w", err)
	}
	for rows.Next() {
		var r RunRecord
		var status string
		if err := rows.Scan(&r.ID, &r.Job, &r.Trigger, &r.Logical, &r.Started, &r.Finished, &status, &r.Error, &r.CodeVersion); err != nil {
			rows.Close()
			return fmt.Errorf("reading runs: %w", err)
		}
		r.Status = recordedStatus(status, r.Error)
		st.Runs = append(st.Runs, r)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, sqlFile("files/recent"), n)
	if err != nil {
		return fmt.Errorf("reading files: %w", err)
	}
	for rows.Next() {
		var f FileResult
		if err := rows.Scan(&f.FileID, &f.Source, &f.Path, &f.Loaded, &f.Rejected, &f.Replaced, &f.Deleted); err != nil {
			rows.Close()
			return fmt.Errorf("reading files: %w", err)
		}
		st.Files = append(st.Files, f)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, sqlFile("quarantine/by_reason"))
	if err != nil {
		return fmt.Errorf("reading quarantine: %w", err)
	}
	for rows.Next() {
		var k string
		var v int64
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return fmt.Errorf("reading quarantine: %w", err)
		}
		st.Quarantine[k] = v
	}
	rows.Close()
	for _, t := range []string{"referrals", "attendances", "outcomes", "gp_patients", "gp_events", "deprivation", "population"} {
		var c int64
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+t).Scan(&c); err == nil {
			st.Tables[t] = c
		}
	}
	return nil
}

// Print writes the status for a person.
func (st Status) Print(w io.Writer) {
	fmt.Fprintf(w, "database: %s\n", st.Source)
	if f := st.Failure; f != nil {
		fmt.Fprintf(w, "\nFAILED before it could be recorded (cleared by the next successful run)\n")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "AT\tJOB\tTRIGGER\tLOGICAL DATE\tERROR")
		at, logical := "-", "-"
		if !f.Time.IsZero() {
			at = f.Time.Format("2006-01-02 15:04:05")
		}
		if !f.Logical.IsZero() {
			logical = f.Logical.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", at, f.Job, f.Trigger, logical, f.Error)
		tw.Flush()
	}
	if len(st.Warnings) > 0 {
		fmt.Fprintln(w, "\nWarnings")
		for _, m := range st.Warnings {
			fmt.Fprintf(w, "  %s\n", m)
		}
	}
	fmt.Fprintf(w, "\nRecent runs\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tJOB\tTRIGGER\tLOGICAL DATE\tSTARTED\tDURATION\tSTATUS\tERROR")
	for _, r := range st.Runs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Job, r.Trigger, r.Logical.Format("2006-01-02 15:04"),
			r.Started.Format("2006-01-02 15:04:05"), r.Finished.Sub(r.Started).Round(time.Millisecond), r.Status, r.Error)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nRecent files")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE ID\tSOURCE\tPATH\tLOADED\tREJECTED\tREPLACED\tDELETED")
	for _, f := range st.Files {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d\t%d\n", f.FileID, f.Source, f.Path, f.Loaded, f.Rejected, f.Replaced, f.Deleted)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nQuarantine by reason")
	if len(st.Quarantine) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	var keys []string
	for k := range st.Quarantine {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %-24s %d\n", k, st.Quarantine[k])
	}
	var parts []string
	for _, t := range []string{"referrals", "attendances", "outcomes", "gp_patients", "gp_events", "deprivation", "population"} {
		parts = append(parts, fmt.Sprintf("%s=%d", t, st.Tables[t]))
	}
	fmt.Fprintf(w, "\nRows: %s\n", strings.Join(parts, " "))
}
