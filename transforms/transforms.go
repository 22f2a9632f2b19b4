// Package transforms builds socrx's derived tables from the core tables. Each domain
// package declares its models (SQL files and Go; see package model): episodes (the base
// models every domain reads), equity and continuity. This package gathers them with
// archetype_signals (models.go), orders them from what each declares it reads
// (order.go), and builds them: Prepare the temp models over the core tables, before the
// caller's transaction; Finish every persistent table, and whatever reads one, inside
// it, so that the marts change all together or not at all.
package transforms

import (
	"context"
	"embed"
	"fmt"
	"strings"
	"time"

	"github.com/socrx/socrx/transforms/model"
)

//go:embed sql/core/schema.sql params.sql archetype_signals.sql archetype_signals.comments.sql queries/*.sql
var files embed.FS

// Execer is what the models need of a connection or transaction.
type Execer = model.Execer

// Params are the run-level inputs every model may read.
type Params = model.Params

// Scheme is a configured scheme as the models see it.
type Scheme = model.Scheme

// OutcomeWindows are the outcome pairing windows (design §11).
type OutcomeWindows = model.OutcomeWindows

// DefaultParams returns the design's defaults.
func DefaultParams(dataEnd time.Time) Params { return model.DefaultParams(dataEnd) }

// Schema returns the DDL of the core and meta tables (idempotent).
func Schema() (string, error) {
	b, err := files.ReadFile("sql/core/schema.sql")
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

// Prepared is what Prepare did, for Finish.
type Prepared struct {
	models []model.Model   // every model, in build order
	finish map[string]bool // models (and created relations) Finish builds
	env    *model.Env
	done   int // models built so far (progress)
}

// Prepare sets the parameters, orders the models from what they read, and builds those
// that are temp relations over the core tables alone. It creates temp objects only, so
// the runner calls it on the transform's connection before the transaction opens (then
// Finish inside it): DuckDB reads a temp table created inside a transaction more slowly,
// and every later model reads these.
func Prepare(ctx context.Context, conn Execer, p Params) (*Prepared, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := setParams(ctx, conn, p); err != nil {
		return nil, err
	}
	ms, err := models()
	if err != nil {
		return nil, err
	}
	given, err := givenRelations()
	if err != nil {
		return nil, err
	}
	if ms, err = order(ms, given); err != nil {
		return nil, err
	}
	prep := &Prepared{models: ms, finish: inFinish(ms), env: model.NewEnv(p, ms)}
	for _, m := range ms {
		if prep.finish[m.Name] {
			continue
		}
		if err := prep.build(ctx, conn, p, m); err != nil {
			return nil, err
		}
	}
	return prep, nil
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
	// after every CREATE OR REPLACE, which drops a table's comments
	for _, m := range prep.models {
		if m.Comments == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.Comments); err != nil {
			return Result{}, fmt.Errorf("documenting %s: %w", m.Name, err)
		}
	}
	return result(ctx, tx, prep.models)
}

// build builds one model and reports progress.
func (prep *Prepared) build(ctx context.Context, e Execer, p Params, m model.Model) error {
	start := time.Now()
	if m.Build != nil {
		if err := m.Build(ctx, e, prep.env); err != nil {
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
func buildSQLModel(ctx context.Context, tx Execer, m model.Model) error {
	q := strings.TrimRight(strings.TrimSpace(m.SQL), ";")
	if m.Kind != model.Macro {
		kind := map[model.Kind]string{model.View: "TEMP VIEW", model.Temp: "TEMP TABLE", model.Table: "TABLE"}[m.Kind]
		q = fmt.Sprintf("CREATE OR REPLACE %s %s AS %s", kind, model.QuoteIdent(m.Name), q)
	}
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("building %s: %w", m.Name, err)
	}
	return nil
}

// result reads what the build did: the rows of each persistent model, and how the
// incremental models recorded their build in transform_state.
func result(ctx context.Context, tx Execer, ms []model.Model) (Result, error) {
	res := Result{Tables: map[string]int64{}}
	for _, m := range ms {
		if m.Kind != model.Table {
			continue
		}
		var n int64
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+model.QuoteIdent(m.Name)).Scan(&n); err != nil {
			return Result{}, fmt.Errorf("counting %s: %w", m.Name, err)
		}
		res.Tables[m.Name] = n
	}
	rows, err := tx.QueryContext(ctx, `SELECT model, mode, rows_rebuilt FROM transform_state`)
	if err != nil {
		return Result{}, fmt.Errorf("reading transform_state: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, mode string
		var rebuilt int64
		if err := rows.Scan(&name, &mode, &rebuilt); err != nil {
			return Result{}, fmt.Errorf("reading transform_state: %w", err)
		}
		full, reason := mode != "incremental", strings.TrimPrefix(mode, "full: ")
		if !full {
			reason = ""
		}
		switch name {
		case "referral_facts":
			res.FactsFull, res.FactsReason, res.FactsRebuilt = full, reason, rebuilt
		case "episode_metrics":
			res.EpisodesFull, res.EpisodesReason, res.EpisodesRebuilt = full, reason, rebuilt
		case "equity_strata":
			res.ReachIncremental = !full
		}
	}
	if err := rows.Err(); err != nil {
		return Result{}, fmt.Errorf("reading transform_state: %w", err)
	}
	return res, nil
}

// DropTemp drops the temp tables and views a build leaves on its connection.
func DropTemp(ctx context.Context, conn Execer) error {
	q, err := model.Statement(files, "temp_objects")
	if err != nil {
		return err
	}
	rows, err := conn.QueryContext(ctx, q)
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
		drops = append(drops, "DROP "+kind+" IF EXISTS temp.main."+model.QuoteIdent(name))
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
