// Package reports renders the marts of a period as the reports ICB analysts read (one
// self-contained HTML file per scheme, an XLSX workbook and CSV tables per period, and an
// index), with disclosure control (design §6) applied in one place: disclosure.go.
package reports

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"time"

	"github.com/socrx/socrx/disclosure"
	"golang.org/x/sync/errgroup"
)

// Options configure one report step.
type Options struct {
	OutDir      string
	Policy      disclosure.Policy
	SchemeNames map[string]string
	Prov        Provenance // run id, code version, run time, logical date, edition
	Periods     []string   // report exactly these; empty = every due period
	LagDays     int
}

// Result says what a report step wrote.
type Result struct {
	Periods []string
	Files   int
}

// Run writes the reports of every due period (or of o.Periods), records them in
// reports_written and rewrites the index.
func Run(ctx context.Context, db *sql.DB, o Options) (Result, error) {
	var res Result
	if err := o.Policy.Validate(); err != nil {
		return res, err
	}
	fp, err := Fingerprint(ctx, db, o.Policy)
	if err != nil {
		return res, err
	}
	o.Prov.Fingerprint = fp
	build, err := ReadMartsBuild(ctx, db)
	if err != nil {
		return res, err
	}
	o.Prov.DataEnd = build.DataEnd
	periods := o.Periods
	if len(periods) == 0 {
		if periods, err = DuePeriods(ctx, db, o.Prov.LogicalDate, o.LagDays, fp); err != nil {
			return res, err
		}
	}
	// Periods are independent (their own queries, their own directory), so they are built
	// and written a core each: at 1M referrals, 8 periods took 1.4 s one after another.
	type done struct {
		files   int
		written []Written
		ok      bool
		report  *Report
	}
	out := make([]done, len(periods))
	var pre map[string]map[string][]rec
	if len(periods) > 1 {
		if pre, err = preload(ctx, db); err != nil {
			return res, err
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, runtime.GOMAXPROCS(0)))
	for i, p := range periods {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return fmt.Errorf("reporting %s: %w", p, err)
			}
			r, err := Build(gctx, db, BuildOptions{Period: p, Policy: o.Policy, SchemeNames: o.SchemeNames, Prov: o.Prov, preloaded: pre})
			if err != nil {
				return fmt.Errorf("building report %s: %w", p, err)
			}
			n, ws, err := WritePeriod(gctx, r, o.OutDir)
			out[i] = done{files: n, written: ws, ok: err == nil, report: r}
			return err
		})
	}
	err = g.Wait()
	var written []Written
	built := map[string]*Report{}
	for i, d := range out {
		res.Files += d.files
		if d.ok {
			written = append(written, d.written...)
			res.Periods = append(res.Periods, periods[i])
			built[periods[i]] = d.report
		}
	}
	if err != nil {
		return res, err
	}
	if err := RecordWritten(ctx, db, written); err != nil {
		return res, err
	}
	if err := WriteIndex(ctx, db, o.OutDir, built, BuildOptions{Policy: o.Policy, SchemeNames: o.SchemeNames, Prov: o.Prov, preloaded: pre}); err != nil {
		return res, err
	}
	res.Files++
	return res, nil
}

// WritePeriod writes one period's files under dir/<period>/ and returns how many it wrote
// and the reports_written rows for them.
func WritePeriod(ctx context.Context, r *Report, dir string) (int, []Written, error) {
	// File names are derived from the ids (fileNames), never taken as they are: ids come
	// from the extracts, and a name must not escape the directory, overwrite another
	// scheme's report or exceed what a file system allows.
	pname := fileName(r.Period)
	pdir := filepath.Join(dir, pname)
	rel := func(p string) string { s, _ := filepath.Rel(dir, p); return filepath.ToSlash(s) }
	n := 0
	xlsxPath := filepath.Join(pdir, workbookName(pname))
	b, err := workbook(r)
	if err != nil {
		return n, nil, err
	}
	if err := writeFile(xlsxPath, b); err != nil {
		return n, nil, err
	}
	n++
	csvDir := filepath.Join(pdir, "csv")
	for _, t := range r.Tables {
		if err := ctx.Err(); err != nil {
			return n, nil, fmt.Errorf("writing %s: %w", r.Period, err)
		}
		b, err := tableCSV(t)
		if err != nil {
			return n, nil, err
		}
		if err := writeFile(filepath.Join(csvDir, t.Name+".csv"), b); err != nil {
			return n, nil, err
		}
		n++
	}
	var ws []Written
	names := r.fileNames()
	for _, s := range r.Schemes {
		b, err := renderScheme(r, s, names)
		if err != nil {
			return n, nil, err
		}
		path := filepath.Join(pdir, names[s.ID]+".html")
		if err := writeFile(path, b); err != nil {
			return n, nil, err
		}
		n++
		ws = append(ws, Written{Period: r.Period, SchemeID: s.ID, RunID: r.Prov.RunID, Fingerprint: r.Prov.Fingerprint,
			WrittenAt: r.Prov.RunTime, HTML: rel(path), XLSX: rel(xlsxPath), CSVDir: rel(csvDir)})
	}
	return n, ws, nil
}

// fileNames are the HTML file names of a report's schemes (without ".html").
func (r *Report) fileNames() map[string]string {
	ids := make([]string, len(r.Schemes))
	for i, s := range r.Schemes {
		ids[i] = s.ID
	}
	return fileNames(ids)
}

// workbookName is the file name of a period's workbook in its directory.
func workbookName(periodDir string) string { return "socrx-" + periodDir + ".xlsx" }

// WriteIndex writes dir/index.html: the overview of the latest period (built from the
// recent periods' reports: those in built, the others built now under o) and the latest
// report of every period and scheme.
func WriteIndex(ctx context.Context, db *sql.DB, dir string, built map[string]*Report, o BuildOptions) error {
	names := o.SchemeNames
	rows, err := load(ctx, db, "index.sql")
	if err != nil {
		return err
	}
	byPeriod := map[string]*IndexPeriod{}
	var order []string
	for _, row := range rows {
		per := row.str("period")
		ip := byPeriod[per]
		if ip == nil {
			// links are the paths the report step recorded, escaped segment by segment
			ip = &IndexPeriod{Period: per, RunID: row.int("run_id"), XLSX: relHref(row.str("xlsx_path")),
				XLSXName: path.Base(row.str("xlsx_path")), CSV: relHref(row.str("csv_dir")) + "/"}
			if t, ok := row["logical_date"].(time.Time); ok {
				ip.Logical = t
			}
			byPeriod[per] = ip
			order = append(order, per)
		}
		id := row.str("scheme_id")
		name := names[id]
		switch {
		case id == "ALL":
			name = "All schemes"
		case name == "":
			name = id
		}
		ip.Schemes = append(ip.Schemes, IndexScheme{ID: id, Name: name, Href: relHref(row.str("html_path"))})
	}
	// newest period first: what an analyst opens the index for
	sort.Sort(sort.Reverse(sort.StringSlice(order)))
	periods := make([]IndexPeriod, 0, len(order))
	for _, per := range order {
		periods = append(periods, *byPeriod[per])
	}
	reports, err := overviewReports(ctx, db, order, built, o)
	if err != nil {
		return err
	}
	links := map[string]string{}
	if len(periods) > 0 {
		for _, s := range periods[0].Schemes {
			links[s.ID] = s.Href
		}
	}
	b, err := renderIndex(periods, buildOverview(reports, links), o.Policy)
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "index.html"), b)
}

// writeFile writes through a temporary file and a rename, so a reader never sees half a
// report. Reports leave the secure environment, but 0644 is still no wider than needed.
func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
