package gp

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/socrx/socrx/readings"
	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms/model"
)

const (
	linkageModel = "sig_gp_linkage"
	gpSetting    = "general_practice"
	gpAxis       = "holistic_vs_fragmental"
)

// buildLinkageSignals is the sig_gp_linkage model: per scheme × period, coding
// completeness and referrals lost between sectors (design §12) with Wilson intervals and
// their readings' inputs, on the general-practice axis. Without gp.linked both inputs are
// empty, and so is the table.
func buildLinkageSignals(ctx context.Context, tx model.Execer, _ *model.Env) error {
	q, err := model.Statement(files, "linkage_signals")
	if err != nil {
		return err
	}
	var rows [][]any
	err = model.ForEachRow(ctx, tx, q, func(rs *sql.Rows) error {
		var scheme, period, measure string
		var l readings.Linkage
		if err := rs.Scan(&scheme, &period, &measure, &l.Numerator, &l.Denominator, &l.Immature); err != nil {
			return err
		}
		l.Measure = measure
		var value, lower, upper any
		if l.Denominator > 0 {
			ci, err := stats.Wilson(l.Numerator, l.Denominator)
			if err != nil {
				return fmt.Errorf("%s %s %s: %w", scheme, period, measure, err)
			}
			value, lower, upper = float64(l.Numerator)/float64(l.Denominator), ci.Lower, ci.Upper
		}
		in := readings.Inputs{Linkage: &l}
		js, err := in.JSON()
		if err != nil {
			return err
		}
		rows = append(rows, []any{scheme, period, gpSetting, gpAxis, measure, value, lower, upper,
			readings.Compose(measure, in, readings.Exact()), js})
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading the linkage measures: %w", err)
	}
	if err := model.CreateTable(ctx, tx, files, linkageModel); err != nil {
		return err
	}
	return model.InsertRows(ctx, tx, linkageModel, 10, rows)
}
