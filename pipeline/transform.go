package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	"github.com/rs/zerolog"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/transforms"
)

// params maps config to the transforms' parameters, with data_end resolved (DataEnd).
func (r *Runner) params(ctx context.Context, db *sql.DB, log zerolog.Logger) (transforms.Params, error) {
	c := r.Cfg
	end, err := DataEnd(ctx, db, c, log)
	if err != nil {
		return transforms.Params{}, err
	}
	p := transforms.Params{
		DataEnd: end, Period: c.Period, Edition: c.DeprivationEdition, Quantiles: c.Quantiles,
		EngagedMinContacts: c.Indicators.EngagedMinContacts, WindowContacted: c.Indicators.Windows.Contacted,
		WindowEngaged: c.Indicators.Windows.Engaged, WindowVCSUptake: c.Indicators.Windows.VCSUptake,
		Outcomes: transforms.OutcomeWindows{
			BeforeReferral: *c.Outcomes.BaselineWindow.BeforeReferral, AfterFirstContact: *c.Outcomes.BaselineWindow.AfterFirstContact,
			IfNeverContacted: *c.Outcomes.BaselineWindow.IfNeverContacted,
			FollowUpMin:      *c.Outcomes.FollowUpWindow.MinDays, FollowUpMax: *c.Outcomes.FollowUpWindow.MaxDays,
		},
		MeaningfulChange:    c.Outcomes.MeaningfulChange,
		GroupMinDenominator: c.Disclosure.Threshold,
		GPLinked:            c.GP.Linked,
	}
	for _, s := range c.Schemes {
		p.Schemes = append(p.Schemes, transforms.Scheme{ID: s.ID, Name: s.Name, SessionCap: s.SessionCap, Practices: s.Practices})
	}
	return p, nil
}

// DataEnd is where follow-up windows and censoring end (design §4): the configured
// data_end, else the latest referral or attendance date loaded, else, with no platform
// rows (GP-only use, design §12), the latest GP event date. Never the clock: a run on
// old extracts would count the last quarter's immature windows as failures. A configured
// data_end after the data's last date is allowed (a quiet week) but logged.
func DataEnd(ctx context.Context, db *sql.DB, c *config.Config, log zerolog.Logger) (time.Time, error) {
	var latest sql.NullTime
	if err := db.QueryRowContext(ctx, sqlFile("transform/latest_date")).Scan(&latest); err != nil {
		return time.Time{}, fmt.Errorf("finding the data's latest date: %w", err)
	}
	if configured, ok := c.ConfiguredDataEnd(); ok {
		if latest.Valid && configured.After(latest.Time) {
			log.Warn().Str("data_end", configured.Format("2006-01-02")).Str("latest_in_data", latest.Time.Format("2006-01-02")).
				Msg("the configured data_end is after the latest date in the data: windows ending between them count as observed")
		}
		return configured, nil
	}
	if !latest.Valid {
		// no referral, attendance or GP event loaded: nothing is windowed, any date will do
		return time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), nil
	}
	y, m, d := latest.Time.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

// Transform rebuilds the marts in one transaction: all of them change, or none. The
// intermediate models (temp tables) are built on the same connection before the
// transaction opens, where DuckDB reads them faster (transforms.Prepare).
// A non-nil trace receives every statement the transform runs (see ReplayTrace).
func Transform(ctx context.Context, db *sql.DB, p transforms.Params, trace io.Writer) (transforms.Result, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return transforms.Result{}, fmt.Errorf("starting transform: %w", err)
	}
	defer conn.Close()
	// the intermediates hold memory until dropped: free it for the steps that follow
	defer transforms.DropTemp(context.Background(), conn) //nolint:errcheck // best effort
	var onConn transforms.Execer = conn
	var tr tracer
	if trace != nil {
		tr = newTracer(trace)
		onConn = tr.on(conn)
	}
	prep, err := transforms.Prepare(ctx, onConn, p)
	if err != nil {
		return transforms.Result{}, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return transforms.Result{}, fmt.Errorf("starting transform transaction: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	var onTx transforms.Execer = tx
	if trace != nil {
		tr.record("BEGIN TRANSACTION", nil)
		onTx = tr.on(tx)
	}
	res, err := transforms.Finish(ctx, onTx, p, prep)
	if err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("committing transforms: %w", err)
	}
	if trace != nil {
		tr.record("COMMIT", nil)
		if *tr.err != nil {
			return res, *tr.err
		}
	}
	return res, nil
}
