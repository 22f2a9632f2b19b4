// The GP record (design §12): coded referrals and declines from the practices' clinical
// systems, against the registered list, by deprivation and group, by practice, and (when
// the GP and platform extracts are linked) coding completeness and referrals lost between
// sectors. The same counts, lines and cells as the platform's tables, in tables of their
// own so that the platform's tables stay as they were.

package reports

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"strings"

	"github.com/socrx/socrx/disclosure"
)

// gpMeasures are the GP record's measures by deprivation and group, in reading order.
var gpMeasures = []string{"gp_referral_rate", "gp_declined"}

// gpPracticeMeasures are the GP record's practice measures (the last two only when linked).
var gpPracticeMeasures = []string{"gp_referral_rate", "gp_coding_completeness", "gp_lost_between_sectors"}

// isGP tells a GP-record measure from a platform one.
func isGP(measure string) bool { return strings.HasPrefix(measure, "gp_") }

// isRate tells the measures per 1,000 registered patients from the proportions.
func isRate(measure string) bool {
	return measure == "reach" || measure == "referral_rate" || measure == "gp_referral_rate"
}

// gpSignal tells the GP record's signals (shown in its own section) from the platform's:
// the gradient of coded referral, the linkage signals and their funnels.
func gpSignal(sig string) bool {
	for _, p := range []string{"sii_", funnelSignal} {
		sig = strings.TrimPrefix(sig, p)
	}
	return isGP(sig) && sig != "gp_referral_share"
}

// splitGP parts rows by their measure column: platform rows first, GP-record rows second.
func splitGP(rows []rec) (platform, gp []rec) {
	for _, r := range rows {
		if isGP(r.str("measure")) {
			gp = append(gp, r)
		} else {
			platform = append(platform, r)
		}
	}
	return platform, gp
}

// buildGP publishes the GP record's tables: by quintile, the inequality summary, by
// group and its summary, practice variation, and the codes in no codelist.
func (b *builder) buildGP(ctx context.Context, db *sql.DB, _ sql.NamedArg) error {
	// without GP extracts there is no GP record: no tables, as without an outcomes extract
	has := len(b.gpSummaries) > 0 || len(b.gpPracticeTable.Rows) > 0
	for k := range b.strata {
		has = has || isGP(k.measure)
	}
	if !has {
		return nil
	}
	// the rate before declines, as in every other GP table (the marts sort by code)
	byRank(b.gpSummaries, "scheme_id")
	byRank(b.gpGroupSummaries, "scheme_id", "dimension")
	q := &Table{Name: "gp_by_quintile", Title: "GP record: coded referrals and declines by deprivation quintile", PerScheme: true,
		Note: "From the GP record: referrals coded in the practices' clinical systems per 1,000 patients registered at the period's mid-point, " +
			"and the share of coded referrals with a decline code within the follow-up window. Quintile 1 = most deprived (of the patient's home area). " +
			"Values and 95% intervals are worked from the published (rounded) counts.",
		Columns: quintileColumns()}
	b.quintileRows(q, gpMeasures)
	b.r.add(q)
	s := &Table{Name: "gp_inequality_summary", Title: "GP record: inequality across deprivation quintiles", PerScheme: true,
		Note: "As the platform's inequality summary, for the GP record's measures. Declines are an adverse measure: no verdict. " +
			"No usable LSOA counts the coded referrals of patients without a usable home area.",
		Columns: summaryColumns()}
	b.summaryRows(s, b.gpSummaries)
	b.r.add(s)
	g := &Table{Name: "gp_by_group", Title: "GP record: coded referrals and declines by age band, sex and ethnic group", PerScheme: true,
		Note:    "Values and 95% intervals are worked from the published (rounded) counts. Groups not stated are shown but left out of the summary.",
		Columns: groupColumns()}
	b.groupRows(g, true)
	b.r.add(g)
	gs := &Table{Name: "gp_inequality_by_group", Title: "GP record: inequality across age bands, sexes and ethnic groups", PerScheme: true,
		Note:    "WHO's summary measures for groups with no natural order, as for the platform's measures (per 1,000 for the rate, percentage points for declines).",
		Columns: groupSummaryColumns()}
	b.groupSummaryRows(gs, b.gpGroupSummaries)
	b.r.add(gs)
	b.r.add(b.gpPracticeTable)
	return b.buildUnlisted(ctx, db)
}

// byRank puts the GP measures in gpMeasures' order within each run of rows that agree on
// the key columns, keeping the runs in the order the query gave them.
func byRank(rows []rec, keys ...string) {
	key := func(r rec) string {
		var k []string
		for _, c := range keys {
			k = append(k, r.str(c))
		}
		return strings.Join(k, "\x00")
	}
	for start := 0; start < len(rows); {
		end := start + 1
		for end < len(rows) && key(rows[end]) == key(rows[start]) {
			end++
		}
		run := rows[start:end]
		sort.SliceStable(run, func(i, j int) bool {
			return slices.Index(gpMeasures, run[i].str("measure")) < slices.Index(gpMeasures, run[j].str("measure"))
		})
		start = end
	}
}

// buildUnlisted publishes the codes seen in the GP events that are in no codelist: the
// codes are not about people, their counts of events and people are counts like any other.
func (b *builder) buildUnlisted(ctx context.Context, db *sql.DB) error {
	t := &Table{Name: "gp_unlisted_codes", Title: "GP record: codes in no codelist",
		Note: "Codes in the GP events (all periods) that are in none of the codelists, with how many events and people carry them: " +
			"candidates for a local codelist. At most the 50 most used.",
		Columns: []Column{{"code", "Code", disclosure.KindText}, {"code_system", "Code system", disclosure.KindText},
			{"events_n", "Events", disclosure.KindCount}, {"people_n", "People", disclosure.KindCount}}}
	ok, err := hasTable(ctx, db, "gp_unlisted_codes")
	if err != nil {
		return err
	}
	if ok {
		rows, err := load(ctx, db, "gp_unlisted.sql")
		if err != nil {
			return err
		}
		for _, row := range rows {
			t.Rows = append(t.Rows, []*disclosure.Cell{disclosure.Text(row.str("code")), disclosure.Text(row.str("code_system")),
				b.p.Count(row.int("events")), b.p.Count(row.int("people"))})
		}
	}
	b.r.add(t)
	return nil
}

// hasTable tells whether the database holds a table (marts built before the GP record
// have no GP tables).
func hasTable(ctx context.Context, db *sql.DB, name string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = $1 AND NOT temporary`, name).Scan(&n)
	return n > 0, err
}

// gpLinked tells whether a scheme's report has the linkage signals: they exist only
// when the GP and platform extracts share one pseudonym (gp.linked).
func gpLinked(r *Report, scheme string) bool {
	if r.Table("signals") == nil {
		return false
	}
	for _, row := range r.Table("signals").SchemeRows(scheme) {
		if row[2].Text == "gp_coding_completeness" || row[2].Text == "gp_lost_between_sectors" {
			return true
		}
	}
	return false
}

// gpSignalOrder is the order of the GP record's headline signals.
var gpSignalOrder = []string{"sii_gp_referral_rate", "gp_coding_completeness", "gp_lost_between_sectors",
	"funnel_outliers_gp_referral_rate", "funnel_outliers_gp_coding_completeness", "funnel_outliers_gp_lost_between_sectors"}

// gpPart is a scheme's GP record section; nil when the period has no GP record.
func gpPart(r *Report, scheme string) *gpSection {
	if r.Table("gp_by_quintile") == nil {
		return nil
	}
	g := &gpSection{Linked: gpLinked(r, scheme)}
	rows := r.Table("signals").SchemeRows(scheme)
	for _, sig := range gpSignalOrder {
		for _, row := range rows {
			if row[2].Text == sig {
				g.Signals = append(g.Signals, newSignalView(row))
			}
		}
	}
	for _, m := range gpMeasures {
		if f := equityFigure(r, scheme, m); f != nil {
			g.QuintileFigs = append(g.QuintileFigs, f)
		}
	}
	if len(g.Signals) == 0 && len(g.QuintileFigs) == 0 {
		return nil
	}
	sum := r.Table("gp_inequality_summary")
	g.Summary, g.SummaryNote = transpose(view(sum, scheme, nil), "Statistic"), sum.Note
	g.NoLSOA = view(sum, scheme, nil).project("measure", "excluded_no_lsoa_n")
	gs := r.Table("gp_inequality_by_group")
	g.GroupSummary, g.GroupSummaryNote = view(gs, scheme, nil), gs.Note
	g.GroupsNote = r.Table("gp_by_group").Note
	for _, m := range gpMeasures {
		if f := groupFigure(r, scheme, m); f != nil {
			g.GroupFigs = append(g.GroupFigs, f)
		}
	}
	pv := r.Table("gp_practice_variation")
	g.FunnelNote = pv.Note
	for _, m := range gpPracticeMeasures {
		if f := funnelFigure(r, scheme, m); f != nil {
			g.Funnels = append(g.Funnels, f)
		}
	}
	u := r.Table("gp_unlisted_codes")
	g.Unlisted, g.UnlistedNote = view(u, "", nil), u.Note
	return g
}
