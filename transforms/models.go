package transforms

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Kind is how a model is kept.
type Kind int

const (
	// View is a temp view: each model that reads it computes it.
	View Kind = iota
	// Temp is a temp table, kept for this build only.
	Temp
	// Table is a persistent table: a mart, or a model kept between runs.
	Table
)

// Model is one relation the transforms build, from a SQL file or in Go.
type Model struct {
	Name string
	Kind Kind
	// Reads lists the relations the model reads: models, relations Go models create,
	// core tables and the parameter tables. The runner orders the models from it.
	Reads []string
	// Creates lists the further temp relations a Go model leaves for others to read.
	Creates []string
	// SQL is a SQL model's query, whose result is the relation.
	SQL string
	// Build computes a Go model.
	Build func(ctx context.Context, tx Execer, p Params) error
}

// readsDirective, in a SQL model's leading comments, declares what it reads.
const readsDirective = "-- reads:"

// viewDirective, a model file's first line, makes the model a view.
const viewDirective = "-- socrx: view"

// sqlModels lists the SQL models: sql/intermediate/NAME.sql are temp tables (or views),
// sql/marts/NAME.sql persistent tables; a file's name is its relation.
func sqlModels() ([]Model, error) {
	var out []Model
	for _, layer := range []string{"intermediate", "marts"} {
		entries, err := fs.ReadDir(sqlFS, "sql/"+layer)
		if err != nil {
			return nil, fmt.Errorf("listing %s models: %w", layer, err)
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
				continue
			}
			b, err := sqlFS.ReadFile(path.Join("sql", layer, e.Name()))
			if err != nil {
				return nil, fmt.Errorf("reading model %s: %w", e.Name(), err)
			}
			m := Model{Name: strings.TrimSuffix(e.Name(), ".sql"), Kind: Temp, SQL: string(b), Reads: declaredReads(string(b))}
			switch {
			case layer == "marts":
				m.Kind = Table
			case strings.HasPrefix(m.SQL, viewDirective+"\n"):
				m.Kind = View
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// declaredReads parses the reads directives among a SQL file's leading comment lines.
func declaredReads(sql string) []string {
	var out []string
	for _, line := range strings.Split(sql, "\n") {
		if !strings.HasPrefix(line, "--") {
			break
		}
		if rest, ok := strings.CutPrefix(line, readsDirective); ok {
			for _, r := range strings.Split(rest, ",") {
				if r = strings.TrimSpace(r); r != "" {
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// paramTables are the relations setParams creates for the models to read.
var paramTables = []string{"cfg_schemes", "cfg_scheme_practices"}

// coreTable matches a core or meta table's DDL in the schema.
var coreTable = regexp.MustCompile(`(?m)^CREATE TABLE IF NOT EXISTS (\w+)`)

// givenRelations are the relations every model may read without a model defining them:
// the core and meta tables of the schema and the parameter tables.
func givenRelations() ([]string, error) {
	schema, err := Schema()
	if err != nil {
		return nil, err
	}
	out := append([]string{}, paramTables...)
	for _, m := range coreTable.FindAllStringSubmatch(schema, -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return out, nil
}

// models lists every model of a build: the SQL files and the Go models, whose shared
// state (the incremental plans) lives in b.
func (b *build) models() ([]Model, error) {
	out, err := sqlModels()
	if err != nil {
		return nil, err
	}
	return append(out,
		// the incremental base (facts.go, episodes.go): which referrals to recompute, their
		// facts, and one row per episode
		Model{Name: "facts_scope", Kind: Temp, Build: b.planFacts,
			Reads: []string{"referrals", "attendances", "ingested_files", "transform_state"}, Creates: []string{"scoped_attendances"}},
		Model{Name: factsModel, Kind: Table, Build: b.buildFacts,
			Reads: []string{"facts_scope", "scoped_attendances", "int_lw_contacts"}, Creates: []string{"facts_prior"}},
		Model{Name: episodesModel, Kind: Table, Build: b.buildEpisodes,
			Reads:   []string{"facts_scope", "int_referrals", "referral_facts", "cfg_schemes", "deprivation", "lsoa_lookup"},
			Creates: []string{"int_continuity_caps"}},
		// equity (strata.go, equity.go): how equity_strata counts this build, then the
		// statistics over its counts
		Model{Name: "equity_strata_plan", Kind: Temp, Build: b.planStrata,
			Reads: []string{"referrals", "facts_scope", "episode_metrics", "int_equity_catchments", "int_equity_population",
				"int_equity_quantile_cuts", "population"},
			Creates: []string{"strata_new_referrals", "strata_touched_people", "strata_delta_referrals", "strata_reach_prior",
				"strata_pathway_prior"}},
		Model{Name: "int_equity_strata_limits", Kind: Temp, Build: buildStrataLimits, Reads: []string{"int_equity_strata"}},
		Model{Name: "equity_summary", Kind: Table, Build: buildEquity,
			Reads:   []string{"equity_strata", "int_referrals", "int_equity_population", "population"},
			Creates: []string{"sig_vcs"}},
		// continuity (continuity.go): what continuity_summary (Kaplan–Meier, rate
		// intervals) and practice_variation (funnel limits) take from Go, then the
		// link-worker and general-practice signals
		Model{Name: "int_continuity_km", Kind: Temp, Build: buildContinuityKM, Reads: []string{"episode_metrics"}},
		Model{Name: "int_continuity_rate_ci", Kind: Temp, Build: buildRateIntervals, Reads: []string{"int_continuity_summary"}},
		Model{Name: "int_practice_funnel", Kind: Temp, Build: buildPracticeFunnel, Reads: []string{"int_practice_variation"}},
		Model{Name: "sig_link_workers", Kind: Temp, Build: buildContinuitySignals,
			Reads:   []string{"continuity_summary", "episode_metrics", "cfg_scheme_practices", "practice_variation"},
			Creates: []string{"sig_general_practice"}},
	), nil
}
