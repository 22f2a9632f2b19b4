package continuity

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/socrx/socrx/readings"
	"github.com/socrx/socrx/transforms/model"
)

// The link-worker setting's signals (design §1, §5: relational or transactional), the
// sig_link_workers rows of archetype_signals, from continuity_summary.

// signal is one archetype_signals row (link-worker or general-practice setting).
type signal struct {
	scheme, period, setting, axis, name string
	value, lower, upper                 sql.NullFloat64
	inputs                              readings.Inputs
}

// row is the signal as stored: its reading unsuppressed (disclosure.Exact), beside the
// inputs the reports compose the published reading from.
func (s signal) row() ([]any, error) {
	js, err := s.inputs.JSON()
	if err != nil {
		return nil, err
	}
	reading := readings.Compose(s.name, s.inputs, readings.Exact())
	return []any{s.scheme, s.period, s.setting, s.axis, s.name, s.value, s.lower, s.upper, reading, js}, nil
}

const (
	lwSetting = "link_workers"
	lwAxis    = "relational_vs_transactional"
)

// writeSignals leaves a setting's signals in the temp table name (name.sql), with the
// columns of archetype_signals, which gathers them.
func writeSignals(ctx context.Context, tx model.Execer, name string, sigs []signal) error {
	if err := model.CreateTable(ctx, tx, files, name); err != nil {
		return err
	}
	rows := make([][]any, len(sigs))
	for i, s := range sigs {
		r, err := s.row()
		if err != nil {
			return err
		}
		rows[i] = r
	}
	return model.InsertRows(ctx, tx, name, 10, rows)
}

// buildLinkWorkerSignals is the sig_link_workers model: one row per scheme × period ×
// signal, each with a reading that quotes the numbers it rests on and says what they
// cannot show.
func buildLinkWorkerSignals(ctx context.Context, tx model.Execer, env *model.Env) error {
	sigs, err := linkWorkerSignals(ctx, tx, env.Params)
	if err != nil {
		return err
	}
	return writeSignals(ctx, tx, "sig_link_workers", sigs)
}

// continuityRow is the part of a continuity_summary row the link-worker signals read.
type continuityRow struct {
	scheme, period                                    string
	episodes, episodesN2                              int64
	meanCOC, cocLower, cocUpper, meanUPC, meanSECON   sql.NullFloat64
	handoffRate                                       sql.NullFloat64
	handoffs, pairs                                   int64
	missingShare                                      sql.NullFloat64
	cap                                               sql.NullInt64
	capSource                                         sql.NullString
	closedContacted, atCap, belowCap, nextAbove       int64
	aboveShare, heapingRatio                          sql.NullFloat64
	heapingDetected                                   sql.NullBool
	medianDays, p90Days                               sql.NullInt64
	kmReferrals                                       int64
	reRef90, retention                                sql.NullFloat64
	reRef90Eligible, retentionEligible, reRef90Events int64
	// counts behind shares that readings quote, so they can be worked from published values
	noWorker, contacts, aboveCap, retained int64
}

func linkWorkerSignals(ctx context.Context, tx model.Execer, p model.Params) ([]signal, error) {
	q, err := model.Statement(files, "link_worker_inputs")
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("reading continuity_summary: %w", err)
	}
	defer rows.Close()
	var out []signal
	dataEnd := p.DataEnd.Format("2006-01-02")
	for rows.Next() {
		var r continuityRow
		if err := rows.Scan(&r.scheme, &r.period, &r.episodes, &r.episodesN2,
			&r.meanCOC, &r.cocLower, &r.cocUpper, &r.meanUPC, &r.meanSECON,
			&r.handoffRate, &r.handoffs, &r.pairs, &r.missingShare,
			&r.cap, &r.capSource, &r.closedContacted, &r.atCap, &r.belowCap,
			&r.nextAbove, &r.aboveShare, &r.heapingRatio, &r.heapingDetected,
			&r.medianDays, &r.p90Days, &r.kmReferrals,
			&r.reRef90, &r.retention, &r.reRef90Eligible, &r.retentionEligible, &r.reRef90Events,
			&r.noWorker, &r.contacts, &r.aboveCap, &r.retained); err != nil {
			return nil, fmt.Errorf("reading continuity_summary: %w", err)
		}
		in := readings.Inputs{Continuity: r.inputs(dataEnd)}
		mk := func(name string, value, lower, upper sql.NullFloat64) signal {
			return signal{scheme: r.scheme, period: r.period, setting: lwSetting, axis: lwAxis,
				name: name, value: value, lower: lower, upper: upper, inputs: in}
		}
		none := sql.NullFloat64{}
		out = append(out,
			mk("mean_coc", r.meanCOC, r.cocLower, r.cocUpper),
			mk("handoff_rate", r.handoffRate, none, none),
			mk("cap_heaping_ratio", r.heapingRatio, none, none),
			mk("cap_heaping_detected", nullBoolValue(r.heapingDetected), none, none),
			mk("median_days_to_first_contact", nullIntValue(r.medianDays), none, none),
			mk("re_referral_rate_90d", r.reRef90, none, none),
			mk("same_worker_retention", r.retention, none, none),
		)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading continuity_summary: %w", err)
	}
	return out, nil
}

// inputs are the numbers the link-worker readings rest on.
func (r continuityRow) inputs(dataEnd string) *readings.Continuity {
	return &readings.Continuity{
		EpisodesN2: r.episodesN2, MeanCOC: fptr(r.meanCOC), COCLower: fptr(r.cocLower), COCUpper: fptr(r.cocUpper),
		MeanUPC: fptr(r.meanUPC), MeanSECON: fptr(r.meanSECON), NoWorker: r.noWorker, Contacts: r.contacts,
		HandoffRate: fptr(r.handoffRate), Handoffs: r.handoffs, Pairs: r.pairs,
		Cap: iptr(r.cap), CapSource: r.capSource.String, ClosedContacted: r.closedContacted, AtCap: r.atCap,
		BelowCap: r.belowCap, NextAbove: r.nextAbove, AboveCap: r.aboveCap, HeapingDetected: bptr(r.heapingDetected),
		KMReferrals: r.kmReferrals, MedianDays: iptr(r.medianDays), P90Days: iptr(r.p90Days), DataEnd: dataEnd,
		ReReferral90: fptr(r.reRef90), ReReferral90Eligible: r.reRef90Eligible, ReReferral90Events: r.reRef90Events,
		Retention: fptr(r.retention), RetentionEligible: r.retentionEligible, Retained: r.retained,
	}
}

func fptr(v sql.NullFloat64) *float64 { return readings.Value(v.Float64, v.Valid) }

func iptr(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

func bptr(v sql.NullBool) *bool {
	if !v.Valid {
		return nil
	}
	return &v.Bool
}

func nullBoolValue(b sql.NullBool) sql.NullFloat64 {
	if !b.Valid {
		return sql.NullFloat64{}
	}
	if b.Bool {
		return sql.NullFloat64{Float64: 1, Valid: true}
	}
	return sql.NullFloat64{Float64: 0, Valid: true}
}

func nullIntValue(i sql.NullInt64) sql.NullFloat64 {
	return sql.NullFloat64{Float64: float64(i.Int64), Valid: i.Valid}
}
