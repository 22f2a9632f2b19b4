// Package transforms builds socrx's derived tables from the core tables. SQL models live in
// sql/{intermediate,marts}/NAME.sql (a file's name is its relation); statistics that SQL
// does badly are Go models. Every model declares what it reads, and the runner orders
// the models from those declarations (order.go). Prepare builds the temp models over the
// core tables; Finish builds everything persistent, and whatever reads it, inside the
// caller's transaction, so that the marts change all together or not at all.
// referral_facts, episode_metrics and equity_strata are maintained incrementally between
// runs (facts.go, episodes.go, strata.go).
package transforms

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"strings"
	"time"
)

//go:embed sql
var sqlFS embed.FS

// Execer is what the models need of a connection or transaction.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Scheme is a configured scheme as the models see it.
type Scheme struct {
	ID         string
	Name       string
	SessionCap int // 0 = not configured
	Practices  []string
}

// Params are the run-level inputs every model may read (as DuckDB variables, see Build).
type Params struct {
	DataEnd            time.Time // follow-up windows and censoring end here
	Period             string    // month | quarter | year | financial_year
	Edition            string    // IoD2019 | IoD2025
	Quantiles          string    // national | local
	EngagedMinContacts int
	WindowContacted    int // days
	WindowEngaged      int
	WindowVCSUptake    int
	Schemes            []Scheme
	// FullRebuild recomputes every referral's facts (referral_facts), not only those
	// of referrals with rows loaded since the last build.
	FullRebuild bool
	// factsBatch overrides how many referrals' facts one statement computes (tests).
	factsBatch int
	// Progress, when set, is told after each model is built (done of total).
	Progress func(model string, done, total int, took time.Duration)
}

// windowDNA is the DNA follow-up window in days: fixed by the design, not configurable.
const windowDNA = 180

// DefaultParams returns the design's defaults.
func DefaultParams(dataEnd time.Time) Params {
	return Params{
		DataEnd: dataEnd, Period: "quarter", Edition: "IoD2019", Quantiles: "national",
		EngagedMinContacts: 3, WindowContacted: 90, WindowEngaged: 180, WindowVCSUptake: 180,
	}
}

// Validate checks the parameters' enumerations.
func (p Params) Validate() error {
	switch p.Period {
	case "month", "quarter", "year", "financial_year":
	default:
		return fmt.Errorf("period %q: want month, quarter, year or financial_year", p.Period)
	}
	switch p.Edition {
	case "IoD2019", "IoD2025":
	default:
		return fmt.Errorf("deprivation edition %q: want IoD2019 or IoD2025", p.Edition)
	}
	switch p.Quantiles {
	case "national", "local":
	default:
		return fmt.Errorf("quantiles %q: want national or local", p.Quantiles)
	}
	if p.EngagedMinContacts < 1 {
		return fmt.Errorf("engaged_min_contacts %d: want at least 1", p.EngagedMinContacts)
	}
	if p.DataEnd.IsZero() {
		return fmt.Errorf("data_end is not set")
	}
	return nil
}

// Schema returns the DDL of the core and meta tables (idempotent).
func Schema() (string, error) {
	b, err := sqlFS.ReadFile("sql/core/schema.sql")
	if err != nil {
		return "", fmt.Errorf("reading core schema: %w", err)
	}
	return string(b), nil
}

// Result reports what Build did.
type Result struct {
	Tables map[string]int64 // persistent model → rows
	// referral_facts: rebuilt whole (and why) or only for FactsRebuilt referrals
	FactsFull    bool
	FactsReason  string
	FactsRebuilt int64
	// episode_metrics: rebuilt whole (and why) or only for EpisodesRebuilt referrals
	EpisodesFull    bool
	EpisodesReason  string
	EpisodesRebuilt int64
	// equity_strata's reach: counted for the people with new referrals only
	ReachIncremental bool
}

// Build runs every model in order inside tx. The caller owns the transaction.
func Build(ctx context.Context, tx Execer, p Params) (Result, error) {
	prep, err := Prepare(ctx, tx, p)
	if err != nil {
		return Result{}, err
	}
	return Finish(ctx, tx, p, prep)
}

// build is the state one build's models share: the incremental plans, decided by one
// model and read by those after it.
type build struct {
	facts factsPlan
	eps   episodesResult
	res   Result
}

// Prepared is what Prepare did, for Finish.
type Prepared struct {
	b      *build
	models []Model         // every model, in build order
	finish map[string]bool // models (and created relations) Finish builds
	done   int             // models built so far (progress)
}

// Prepare sets the parameters, orders the models from what they read, and builds those
// that are temp relations over the core tables alone. It creates temp objects only, so
// the runner calls it on the transform's connection before the transaction opens (then
// Finish inside it): DuckDB reads a temp table created inside a transaction two to three
// times more slowly, and every later model reads these.
func Prepare(ctx context.Context, conn Execer, p Params) (*Prepared, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := setParams(ctx, conn, p); err != nil {
		return nil, err
	}
	b := &build{}
	models, err := b.models()
	if err != nil {
		return nil, err
	}
	given, err := givenRelations()
	if err != nil {
		return nil, err
	}
	if models, err = order(models, given); err != nil {
		return nil, err
	}
	prep := &Prepared{b: b, models: models, finish: inFinish(models)}
	for _, m := range models {
		if prep.finish[m.Name] {
			continue
		}
		if err := prep.build(ctx, conn, p, m); err != nil {
			return nil, err
		}
	}
	return prep, nil
}

// build builds one model and reports progress.
func (prep *Prepared) build(ctx context.Context, e Execer, p Params, m Model) error {
	start := time.Now()
	if m.Build != nil {
		if err := m.Build(ctx, e, p); err != nil {
			return fmt.Errorf("building %s: %w", m.Name, err)
		}
	} else if err := buildSQLModel(ctx, e, m); err != nil {
		return err
	}
	prep.done++
	if p.Progress != nil {
		p.Progress(m.Name, prep.done, len(prep.models), time.Since(start))
	}
	return nil
}

// buildSQLModel creates one SQL model as its kind says.
func buildSQLModel(ctx context.Context, tx Execer, m Model) error {
	kind := map[Kind]string{View: "TEMP VIEW", Temp: "TEMP TABLE", Table: "TABLE"}[m.Kind]
	q := fmt.Sprintf("CREATE OR REPLACE %s %s AS\n%s", kind, quoteIdent(m.Name), strings.TrimRight(strings.TrimSpace(m.SQL), ";"))
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("building %s: %w", m.Name, err)
	}
	return nil
}

// Finish builds the rest of the models inside tx, on the connection Prepare ran on: every
// persistent table and whatever reads one. The caller owns the transaction.
func Finish(ctx context.Context, tx Execer, p Params, prep *Prepared) (Result, error) {
	for _, m := range prep.models {
		if !prep.finish[m.Name] {
			continue
		}
		if err := prep.build(ctx, tx, p, m); err != nil {
			return Result{}, err
		}
	}
	if err := applyComments(ctx, tx); err != nil {
		return Result{}, err
	}
	res := prep.b.res
	res.FactsFull, res.FactsReason = prep.b.facts.full, prep.b.facts.reason
	res.EpisodesFull, res.EpisodesReason, res.EpisodesRebuilt = prep.b.eps.full, prep.b.eps.reason, prep.b.eps.recomputed
	res.Tables = map[string]int64{}
	for _, m := range prep.models {
		if m.Kind != Table {
			continue
		}
		var n int64
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(m.Name)).Scan(&n); err != nil {
			return Result{}, fmt.Errorf("counting %s: %w", m.Name, err)
		}
		res.Tables[m.Name] = n
	}
	return res, nil
}

// setParams exposes the parameters to SQL as DuckDB variables (getvariable('name')) and
// the configured schemes as the temp table cfg_schemes.
func setParams(ctx context.Context, tx Execer, p Params) error {
	vars := []struct {
		name string
		val  any
	}{
		{"data_end", p.DataEnd.Format("2006-01-02")},
		{"period", p.Period},
		{"edition", p.Edition},
		{"quantiles", p.Quantiles},
		{"engaged_min_contacts", p.EngagedMinContacts},
		{"window_contacted", p.WindowContacted},
		{"window_engaged", p.WindowEngaged},
		{"window_vcs_uptake", p.WindowVCSUptake},
		{"window_dna", windowDNA},
	}
	for _, v := range vars {
		if _, err := tx.ExecContext(ctx, "SET VARIABLE "+v.name+" = ?", v.val); err != nil {
			return fmt.Errorf("setting %s: %w", v.name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "SET VARIABLE data_end = CAST(getvariable('data_end') AS DATE)"); err != nil {
		return fmt.Errorf("setting data_end: %w", err)
	}
	closed, err := sqlFS.ReadFile(episodeClosedMacro)
	if err != nil {
		return fmt.Errorf("reading episode_closed: %w", err)
	}
	stmts := []string{
		`CREATE OR REPLACE TEMP TABLE cfg_schemes (scheme_id VARCHAR, name VARCHAR, session_cap INTEGER)`,
		`CREATE OR REPLACE TEMP TABLE cfg_scheme_practices (scheme_id VARCHAR, practice_code VARCHAR)`,
		// episode_closed is the one definition of a closed episode
		string(closed),
		// period_key maps a date to its reporting period label for the configured period.
		`CREATE OR REPLACE TEMP MACRO period_key(d) AS CASE getvariable('period')
			WHEN 'month' THEN strftime(d, '%Y-%m')
			WHEN 'quarter' THEN strftime(d, '%Y') || '-Q' || CAST(quarter(d) AS VARCHAR)
			WHEN 'year' THEN strftime(d, '%Y')
			ELSE 'FY' || CAST(year(d) - CASE WHEN month(d) < 4 THEN 1 ELSE 0 END AS VARCHAR) || '-' ||
			     right(CAST(year(d) - CASE WHEN month(d) < 4 THEN 1 ELSE 0 END + 1 AS VARCHAR), 2)
			END`,
		// period_start and period_end give the first and last day of d's reporting period.
		`CREATE OR REPLACE TEMP MACRO period_start(d) AS CASE getvariable('period')
			WHEN 'month' THEN CAST(date_trunc('month', d) AS DATE)
			WHEN 'quarter' THEN CAST(date_trunc('quarter', d) AS DATE)
			WHEN 'year' THEN CAST(date_trunc('year', d) AS DATE)
			ELSE make_date(year(d) - CASE WHEN month(d) < 4 THEN 1 ELSE 0 END, 4, 1)
			END`,
		`CREATE OR REPLACE TEMP MACRO period_end(d) AS CAST(period_start(d) + CASE getvariable('period')
			WHEN 'month' THEN INTERVAL 1 MONTH
			WHEN 'quarter' THEN INTERVAL 3 MONTH
			ELSE INTERVAL 1 YEAR
			END AS DATE) - 1`,
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("preparing parameters: %w", err)
		}
	}
	for _, s := range p.Schemes {
		var cp any
		if s.SessionCap > 0 {
			cp = s.SessionCap
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cfg_schemes VALUES (?, ?, ?)`, s.ID, s.Name, cp); err != nil {
			return fmt.Errorf("recording scheme %s: %w", s.ID, err)
		}
		for _, pr := range s.Practices {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cfg_scheme_practices VALUES (?, ?)`, s.ID, pr); err != nil {
				return fmt.Errorf("recording scheme %s practice: %w", s.ID, err)
			}
		}
	}
	return nil
}

// quoteIdent quotes an identifier from our own model list.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// DropTemp drops the temp tables and views a build leaves on its connection.
func DropTemp(ctx context.Context, conn Execer) error {
	rows, err := conn.QueryContext(ctx, `SELECT 'TABLE', table_name FROM duckdb_tables() WHERE temporary
		UNION ALL SELECT 'VIEW', view_name FROM duckdb_views() WHERE temporary AND NOT internal`)
	if err != nil {
		return fmt.Errorf("listing temp objects: %w", err)
	}
	var drops []string
	for rows.Next() {
		var kind, name string
		if err := rows.Scan(&kind, &name); err != nil {
			rows.Close()
			return fmt.Errorf("listing temp objects: %w", err)
		}
		drops = append(drops, "DROP "+kind+" IF EXISTS temp.main."+quoteIdent(name))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("listing temp objects: %w", err)
	}
	for _, q := range drops {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("dropping temp objects: %w", err)
		}
	}
	return nil
}
