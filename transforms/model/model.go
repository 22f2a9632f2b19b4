// Package model is what a transform model is and what it is given: the Model declaration
// (a SQL file or Go, its kind and what it reads), the run's Params, the Execer it runs
// on, the Env of a Go model, and the helpers models share (loading SQL files, writing
// rows, canonical SQL for fingerprints). The domain packages (episodes, equity,
// continuity) declare their models with it; package transforms orders and builds them.
package model

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/socrx/socrx/disclosure"
)

// Execer is what the models need of a connection or transaction.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Kind is how a model is kept.
type Kind int

const (
	// View is a temp view: each model that reads it computes it.
	View Kind = iota
	// Temp is a temp table, kept for this build only.
	Temp
	// Table is a persistent table: a mart, or a model kept between runs.
	Table
	// Macro is a temp macro; its SQL is the whole CREATE MACRO statement.
	Macro
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
	// SQL is a SQL model's query, whose result is the relation (a macro's statement).
	SQL string
	// Build computes a Go model.
	Build func(ctx context.Context, tx Execer, env *Env) error
	// Comments are COMMENT ON statements for what the model builds, run once every model
	// is built (a CREATE OR REPLACE drops a table's comments).
	Comments string
}

// Env is what a Go model is given besides the connection: the run's parameters, and the
// definitions of the SQL models, which the incremental models fingerprint.
type Env struct {
	Params Params
	defs   map[string]string
}

// NewEnv gives the Go models of a build p and the definitions of models.
func NewEnv(p Params, models []Model) *Env {
	e := &Env{Params: p, defs: map[string]string{}}
	for _, m := range models {
		if m.Build == nil {
			e.defs[m.Name] = CanonicalSQL(m.SQL)
		}
	}
	return e
}

// Definition is the SQL model name's query in canonical form (CanonicalSQL).
func (e *Env) Definition(name string) (string, error) {
	d, ok := e.defs[name]
	if !ok {
		return "", fmt.Errorf("no SQL model %s", name)
	}
	return d, nil
}

// Scheme is a configured scheme as the models see it.
type Scheme struct {
	ID         string
	Name       string
	SessionCap int // 0 = not configured
	Practices  []string
}

// Params are the run-level inputs every model may read (as DuckDB variables, set by the
// runner, and through Env).
type Params struct {
	DataEnd            time.Time // follow-up windows and censoring end here
	Period             string    // month | quarter | year | financial_year
	Edition            string    // IoD2019 | IoD2025
	Quantiles          string    // national | local
	EngagedMinContacts int
	WindowContacted    int // days
	WindowEngaged      int
	WindowVCSUptake    int
	Outcomes           OutcomeWindows
	// MeaningfulChange is the change in points counted as improved or worsened, per
	// measure that takes one (swemwbs, wemwbs).
	MeaningfulChange map[string]float64
	Schemes          []Scheme
	// GroupMinDenominator: a non-ordered group takes part in equity_groups when its
	// denominator is above it (the disclosure threshold, design §4).
	GroupMinDenominator int
	// GPLinked: the GP and platform extracts share one pseudonym, so the linkage measures
	// are computed (design §12); otherwise nothing is linked.
	GPLinked bool
	// FullRebuild recomputes every referral's facts (referral_facts), not only those
	// of referrals with rows loaded since the last build.
	FullRebuild bool
	// FactsBatch, when positive, is how many referrals' facts one statement computes in
	// place of the default (tests set it small to exercise the batches).
	FactsBatch int
	// Progress, when set, is told after each model is built (done of total).
	Progress func(model string, done, total int, took time.Duration)
}

// OutcomeWindows place unstaged baseline and follow-up assessments (design §11), in days:
// a baseline from BeforeReferral before the referral to AfterFirstContact after the
// first link-worker contact (IfNeverContacted after the referral when there is none); a
// follow-up FollowUpMin to FollowUpMax after the baseline.
type OutcomeWindows struct {
	BeforeReferral, AfterFirstContact, IfNeverContacted int
	FollowUpMin, FollowUpMax                            int
}

// WindowDNA is the DNA follow-up window in days: fixed by the design, not configurable.
const WindowDNA = 180

// DefaultParams returns the design's defaults.
func DefaultParams(dataEnd time.Time) Params {
	return Params{
		DataEnd: dataEnd, Period: "quarter", Edition: "IoD2019", Quantiles: "national",
		EngagedMinContacts: 3, WindowContacted: 90, WindowEngaged: 180, WindowVCSUptake: 180,
		Outcomes:            OutcomeWindows{BeforeReferral: 30, AfterFirstContact: 30, IfNeverContacted: 60, FollowUpMin: 42, FollowUpMax: 270},
		MeaningfulChange:    map[string]float64{"swemwbs": 3, "wemwbs": 3},
		GroupMinDenominator: disclosure.Default().Threshold,
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
