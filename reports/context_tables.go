// Context tables: the trend over recent periods and data quality.

package reports

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/socrx/socrx/disclosure"
)

type trendRow struct {
	scheme, period string
	episodes, con  *disclosure.Cell
	row            rec
}

func (b *builder) loadTrend(ctx context.Context, db *sql.DB, o BuildOptions) error {
	rows, err := load(ctx, db, "trend.sql", sql.Named("period", o.Period), sql.Named("periods", o.TrendLength))
	if err != nil {
		return err
	}
	byPeriod := map[string][][2]*disclosure.Cell{}
	var periods []string
	for _, row := range rows {
		s, per := row.str("scheme_id"), row.str("period")
		// this period's counts are the continuity table's cells; earlier periods get their own
		key := "trend|%s|" + s + "|" + per
		if per == o.Period {
			key = "cont|%s|" + s + "|all"
		}
		tr := trendRow{scheme: s, period: per, row: row,
			episodes: b.count(fmt.Sprintf(key, "episodes"), row.int("episodes")),
			con:      b.count(fmt.Sprintf(key, "contacted_episodes"), row.int("contacted_episodes"))}
		b.trend = append(b.trend, tr)
		if _, ok := byPeriod[per]; !ok {
			periods = append(periods, per)
		}
		byPeriod[per] = append(byPeriod[per], [2]*disclosure.Cell{tr.episodes, tr.con})
	}
	sort.Strings(periods)
	for _, per := range periods {
		var eps, con []*disclosure.Cell
		for _, c := range byPeriod[per] {
			eps, con = append(eps, c[0]), append(con, c[1])
		}
		b.lines = append(b.lines, eps, con)
	}
	return nil
}

func (b *builder) buildTrend() {
	t := &Table{Name: "trend", Title: "Recent periods", PerScheme: true,
		Note: "The latest periods up to this one, by referral date. Recent periods include referrals still within their follow-up windows.",
		Columns: []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"period", "Period", disclosure.KindText}, {"referrals_n", "Referrals", disclosure.KindCount},
			{"contacted_n", "Contacted", disclosure.KindCount}, {"contacted_share", "Contacted %", disclosure.KindValue}, {"mean_coc", "Mean COC", disclosure.KindValue},
			{"median_days_to_first_contact", "Median days to contact", disclosure.KindValue}}}
	for _, tr := range b.trend {
		coc, okc := tr.row.num("mean_coc")
		med, okm := tr.row.num("median_days_to_first_contact")
		t.Rows = append(t.Rows, []*disclosure.Cell{disclosure.Text(tr.scheme), disclosure.Text(tr.period), tr.episodes, tr.con,
			b.p.Ratio(tr.con, tr.episodes, 1, disclosure.FmtPercent), b.p.Summary(coc, okc, tr.row.int("episodes_n2"), disclosure.FmtDecimal),
			b.p.Summary(med, okm, tr.row.int("km_referrals"), disclosure.FmtDays)})
	}
	b.r.add(t)
}

func (b *builder) buildDataQuality(ctx context.Context, db *sql.DB) error {
	files, err := load(ctx, db, "files.sql")
	if err != nil {
		return err
	}
	ft := &Table{Name: "files", Title: "Extract files",
		Note: "Every current extract file (rows loaded and rejected over its whole history, all periods).",
		Columns: []Column{{"kind", "Kind", disclosure.KindText}, {"source", "Source", disclosure.KindText}, {"file", "File", disclosure.KindText},
			{"rows_loaded_n", "Rows loaded", disclosure.KindCount}, {"rows_rejected_n", "Rows quarantined", disclosure.KindCount}, {"sha256", "SHA-256", disclosure.KindText}}}
	for _, f := range files {
		name := filepath.Base(f.str("path"))
		ft.Rows = append(ft.Rows, []*disclosure.Cell{disclosure.Text(f.str("kind")), disclosure.Text(f.str("source")), disclosure.Text(name),
			b.p.Count(f.int("rows_loaded")), b.p.Count(f.int("rows_rejected")), disclosure.Text(f.str("sha256"))})
		if b.r.Prov.Files == nil || !hasFile(b.r.Prov.Files, f.str("sha256")) {
			b.r.Prov.Files = append(b.r.Prov.Files, InputFile{Kind: f.str("kind"), Source: f.str("source"), Name: name, SHA256: f.str("sha256")})
		}
	}
	b.r.add(ft)
	q, err := load(ctx, db, "quarantine.sql")
	if err != nil {
		return err
	}
	qt := &Table{Name: "quarantine", Title: "Rows quarantined by reason",
		Note:    "Rows of the extracts that failed the contract, by source and reason (all periods).",
		Columns: []Column{{"source", "Source", disclosure.KindText}, {"reason", "Reason", disclosure.KindText}, {"rows_n", "Rows", disclosure.KindCount}}}
	for _, row := range q {
		qt.Rows = append(qt.Rows, []*disclosure.Cell{disclosure.Text(row.str("source")), disclosure.Text(row.str("reason")), b.p.Count(row.int("n"))})
	}
	b.r.add(qt)
	return nil
}

func hasFile(fs []InputFile, sum string) bool {
	for _, f := range fs {
		if f.SHA256 == sum {
			return true
		}
	}
	return false
}
