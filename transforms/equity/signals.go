package equity

import (
	"context"
	"strings"

	"github.com/socrx/socrx/readings"
	"github.com/socrx/socrx/transforms/model"
)

// Signals: sig_vcs, the VCS setting's rows of archetype_signals (design §1), and
// sig_gp_reach, the GP record's reach gradient on the general-practice axis (§12).

const (
	vcsSetting = "vcs"
	vcsAxis    = "redistributive_vs_non_redistributive"
	gpSetting  = "general_practice"
	gpAxis     = "holistic_vs_fragmental"
)

// writeSignals leaves sig_vcs for archetype_signals: per scheme × period, the SII of
// each favourable pathway measure across IMD quintiles with a reading that quotes its
// numbers. Who gets measured (outcome_*) is not a VCS signal: the reports show it with the
// outcomes. The GP record's coded referral rate is the general-practice setting's
// (sig_gp_reach, design §12): how far the GP side reaches the most deprived.
func writeSignals(ctx context.Context, tx model.Execer, summaries []summary, f cellFacts, p model.Params) error {
	for _, t := range []string{"sig_vcs", "sig_gp_reach"} {
		if err := model.CreateTable(ctx, tx, files, t); err != nil {
			return err
		}
	}
	var vcs, gp [][]any
	for _, s := range summaries {
		if s.dimension != dimQuintile || isAdverse(s.measure) || strings.HasPrefix(s.measure, "outcome_") {
			continue
		}
		in := readings.Inputs{Equity: s.inputs(f, p)}
		js, err := in.JSON()
		if err != nil {
			return err
		}
		name := "sii_" + s.measure
		setting, axis, dst := vcsSetting, vcsAxis, &vcs
		if isGP(s.measure) {
			setting, axis, dst = gpSetting, gpAxis, &gp
		}
		// stored unsuppressed beside its inputs; reports compose the published reading
		*dst = append(*dst, []any{s.scheme, s.period, setting, axis, name,
			nullable(s.sii), nullable(s.siiLo), nullable(s.siiHi), readings.Compose(name, in, readings.Exact()), js})
	}
	if err := model.InsertRows(ctx, tx, "sig_vcs", 10, vcs); err != nil {
		return err
	}
	return model.InsertRows(ctx, tx, "sig_gp_reach", 10, gp)
}

// inputs are the numbers a VCS reading rests on.
func (s summary) inputs(f cellFacts, p model.Params) *readings.Equity {
	e := &readings.Equity{Measure: s.measure, WindowDays: s.window, Verdict: s.verdict, Reason: s.reason,
		LocalFifths: s.basis.Valid && s.basis.String == "local",
		SII:         num(s.sii), SIILower: num(s.siiLo), SIIUpper: num(s.siiHi),
		Discordant: s.discordant.Valid && s.discordant.Bool,
		Excluded:   f.excluded[cell{s.scheme, s.period}]}
	if isGP(s.measure) {
		e.Excluded = f.gpExcluded[cell{s.scheme, s.period}]
	}
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
