package equity

import (
	"context"
	"strings"

	"github.com/socrx/socrx/readings"
	"github.com/socrx/socrx/transforms/model"
)

// Signals: sig_vcs, the VCS setting's rows of archetype_signals (design §1).

const (
	vcsSetting = "vcs"
	vcsAxis    = "redistributive_vs_non_redistributive"
)

// writeSignals leaves sig_vcs for archetype_signals: per scheme × period, the SII of
// each favourable pathway measure across IMD quintiles with a reading that quotes its
// numbers. Who gets measured (outcome_*) is not a VCS signal: the reports show it with the
// outcomes.
func writeSignals(ctx context.Context, tx model.Execer, summaries []summary, f cellFacts, p model.Params) error {
	if err := model.CreateTable(ctx, tx, files, "sig_vcs"); err != nil {
		return err
	}
	var rows [][]any
	for _, s := range summaries {
		if s.dimension != dimQuintile || s.measure == measureDNA || strings.HasPrefix(s.measure, "outcome_") {
			continue
		}
		in := readings.Inputs{Equity: s.inputs(f, p)}
		js, err := in.JSON()
		if err != nil {
			return err
		}
		name := "sii_" + s.measure
		// stored unsuppressed beside its inputs; reports compose the published reading
		rows = append(rows, []any{s.scheme, s.period, vcsSetting, vcsAxis, name,
			nullable(s.sii), nullable(s.siiLo), nullable(s.siiHi), readings.Compose(name, in, readings.Exact()), js})
	}
	return model.InsertRows(ctx, tx, "sig_vcs", 10, rows)
}

// inputs are the numbers a VCS reading rests on.
func (s summary) inputs(f cellFacts, p model.Params) *readings.Equity {
	e := &readings.Equity{Measure: s.measure, WindowDays: s.window, Verdict: s.verdict, Reason: s.reason,
		LocalFifths: s.basis.Valid && s.basis.String == "local",
		SII:         num(s.sii), SIILower: num(s.siiLo), SIIUpper: num(s.siiHi),
		Discordant: s.discordant.Valid && s.discordant.Bool,
		Excluded:   f.excluded[cell{s.scheme, s.period}]}
	if s.measure == "engaged" {
		e.EngagedMinContacts = int64(p.EngagedMinContacts)
	}
	if e.Discordant {
		e.RCI, e.RCILower, e.RCIUpper = num(s.rci), num(s.rciLo), num(s.rciHi)
	}
	if s.haveEnds {
		e.Most = &readings.Stratum{Numerator: s.ends[0].num, Denominator: s.ends[0].den.Int64}
		e.Least = &readings.Stratum{Numerator: s.ends[1].num, Denominator: s.ends[1].den.Int64}
	}
	return e
}

func num(v float64) *float64 { return readings.Value(v, true) }
