// Package transforms builds socrx's derived tables from the core tables. SQL models live in
// sql/{intermediate,marts}/NAME.sql (a file's name is its relation); statistics that SQL
// does badly are Go models run among them. Prepare builds the intermediate models, temp
// tables only; Finish builds everything persistent inside the caller's transaction, so
// that the marts change all together or not at all. referral_facts, episode_metrics and
// equity_strata are maintained incrementally between runs (facts.go, episodes.go,
// strata.go).
package transforms

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
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

// Model is one SQL file: Layer is its folder, Name its relation.
type Model struct {
	Layer string
	Name  string
	SQL   string
	// View: an intermediate model whose file starts with viewDirective is a temp view,
	// computed by each model that reads it, instead of a temp table held in memory.
	View bool
}

// viewDirective, a model file's first line, makes the model a view.
const viewDirective = "-- socrx: view"

// layers in build order; staging and intermediate are TEMP tables, marts are persistent.
var layers = []string{"staging", "intermediate", "marts"}

// Models lists the SQL models in build order: by layer, then by file name.
func Models() ([]Model, error) {
	var out []Model
	for _, layer := range layers {
		entries, err := fs.ReadDir(sqlFS, "sql/"+layer)
		if err != nil {
			continue // an empty layer is not embedded
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		for _, n := range names {
			b, err := sqlFS.ReadFile(path.Join("sql", layer, n))
			if err != nil {
				return nil, fmt.Errorf("reading model %s: %w", n, err)
			}
			out = append(out, Model{Layer: layer, Name: strings.TrimSuffix(n, ".sql"), SQL: string(b),
				View: layer != "marts" && strings.HasPrefix(string(b), viewDirective+"\n")})
		}
	}
	return out, nil
}

// GoModel computes a table in Go from tables built before it.
type GoModel struct {
	Name  string
	After string // SQL model it must follow ("" = after all SQL models)
	Build func(ctx context.Context, tx Execer, p Params) error
}

// goModels lists the Go models; each file that defines one adds it here.
func goModels() []GoModel {
	return registeredGoModels()
}

// Result reports what Build did.
type Result struct {
	Tables map[string]int64 // mart → rows
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

// Prepared is what Prepare did, for Finish.
type Prepared struct {
	models []Model   // every SQL model, in build order
	plan   factsPlan // how referral_facts is to be built
	done   int       // models built so far (progress)
}

// Prepare sets the parameters, plans referral_facts and builds the intermediate models.
// It creates temp objects only, so the runner calls it on the transform's connection
// before the transaction opens (then Finish inside it): DuckDB reads a temp table
// created inside a transaction two to three times more slowly, and every later model
// reads these.
func Prepare(ctx context.Context, conn Execer, p Params) (*Prepared, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := setParams(ctx, conn, p); err != nil {
		return nil, err
	}
	models, err := Models()
	if err != nil {
		return nil, err
	}
	prep := &Prepared{models: models}
	if prep.plan, err = planFacts(ctx, conn, p); err != nil {
		return nil, err
	}
	for _, m := range models {
		if m.Layer == "marts" {
			continue
		}
		start := time.Now()
		if err := buildModel(ctx, conn, m); err != nil {
			return nil, err
		}
		prep.done++
		if p.Progress != nil {
			p.Progress(m.Name, prep.done, prep.total(), time.Since(start))
		}
	}
	return prep, nil
}

// total counts the models to build: SQL, the three Build adds, and the Go models.
func (prep *Prepared) total() int { return len(prep.models) + 3 + len(goModels()) }

// buildModel creates one SQL model: a temp table below the marts layer, else a table.
func buildModel(ctx context.Context, tx Execer, m Model) error {
	kind := "TEMP TABLE"
	switch {
	case m.Layer == "marts":
		kind = "TABLE"
	case m.View:
		kind = "TEMP VIEW"
	}
	q := fmt.Sprintf("CREATE OR REPLACE %s %s AS\n%s", kind, quoteIdent(m.Name), strings.TrimRight(strings.TrimSpace(m.SQL), ";"))
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("building %s/%s: %w", m.Layer, m.Name, err)
	}
	return nil
}

// Finish builds referral_facts, episode_metrics and the marts inside tx, on the
// connection Prepare ran on. The caller owns the transaction.
func Finish(ctx context.Context, tx Execer, p Params, prep *Prepared) (Result, error) {
	plan := prep.plan
	res := Result{Tables: map[string]int64{}, FactsFull: plan.full, FactsReason: plan.reason}
	facts := GoModel{Name: factsModel, Build: func(ctx context.Context, tx Execer, _ Params) error {
		n, err := buildFacts(ctx, tx, plan, p.factsBatch)
		res.FactsRebuilt = n
		if err != nil {
			return err
		}
		// Only the facts read the contacts; on a full build they are a temp table as
		// long as the attendances, which would otherwise hold memory (or spill) until
		// the run ends.
		if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS int_lw_contacts"); err != nil {
			return fmt.Errorf("dropping int_lw_contacts: %w", err)
		}
		return nil
	}}
	// episode_metrics, which the other continuity models read
	var eps episodesResult
	episodes := GoModel{Name: episodesModel, Build: func(ctx context.Context, tx Execer, p Params) error {
		var err error
		eps, err = buildEpisodes(ctx, tx, p, plan)
		res.EpisodesFull, res.EpisodesReason, res.EpisodesRebuilt = eps.full, eps.reason, eps.recomputed
		return err
	}}
	// how equity_strata counts reach (strata.go), decided once the episodes have been
	strata := GoModel{Name: "equity_strata_plan", Build: func(ctx context.Context, tx Execer, p Params) error {
		var err error
		res.ReachIncremental, err = planStrata(ctx, tx, p, plan, eps)
		return err
	}}
	gms := goModels()
	done := prep.done
	runGo := func(list []GoModel, after string) error {
		for _, g := range list {
			if g.After != after {
				continue
			}
			start := time.Now()
			if err := g.Build(ctx, tx, p); err != nil {
				return fmt.Errorf("building %s: %w", g.Name, err)
			}
			done++
			if p.Progress != nil {
				p.Progress(g.Name, done, prep.total(), time.Since(start))
			}
		}
		return nil
	}
	// what the marts read, in order: the facts from the contacts, then the episodes and
	// the reach plan from the facts and int_referrals
	if err := runGo([]GoModel{facts, episodes, strata}, ""); err != nil {
		return Result{}, err
	}
	for _, m := range prep.models {
		if m.Layer != "marts" {
			continue
		}
		start := time.Now()
		if err := buildModel(ctx, tx, m); err != nil {
			return Result{}, err
		}
		done++
		if p.Progress != nil {
			p.Progress(m.Name, done, prep.total(), time.Since(start))
		}
		if err := runGo(gms, m.Name); err != nil {
			return Result{}, err
		}
	}
	if err := runGo(gms, ""); err != nil {
		return Result{}, err
	}
	if err := applyComments(ctx, tx); err != nil {
		return Result{}, err
	}
	for _, m := range prep.models {
		if m.Layer != "marts" {
			continue
		}
		var n int64
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(m.Name)).Scan(&n); err != nil {
			return Result{}, fmt.Errorf("counting %s: %w", m.Name, err)
		}
		res.Tables[m.Name] = n
	}
	// Some Go models fill a table of another name: count those with a table (or temp
	// table) of their own name, asking first so that no statement fails (a SQL trace
	// replays cleanly).
	for _, g := range append([]GoModel{facts, episodes}, gms...) {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = ?`, g.Name).Scan(&n); err != nil {
			return Result{}, fmt.Errorf("looking for %s: %w", g.Name, err)
		}
		if n == 0 {
			continue
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(g.Name)).Scan(&n); err != nil {
			return Result{}, fmt.Errorf("counting %s: %w", g.Name, err)
		}
		res.Tables[g.Name] = n
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
	stmts := []string{
		`CREATE OR REPLACE TEMP TABLE cfg_schemes (scheme_id VARCHAR, name VARCHAR, session_cap INTEGER)`,
		`CREATE OR REPLACE TEMP TABLE cfg_scheme_practices (scheme_id VARCHAR, practice_code VARCHAR)`,
		// episode_closed is the one definition of a closed episode: recorded as closed, or
		// dormant (no contact, nor referral, in the 90 days before data_end). Both
		// int_continuity_caps and episode_metrics use it.
		episodeClosedMacro,
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
