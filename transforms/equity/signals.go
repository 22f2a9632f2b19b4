package equity

import (
	"context"

	"github.com/socrx/socrx/transforms/model"
)

// Signals: sig_vcs, the VCS setting's rows of archetype_signals (design §1).

const (
	vcsSetting = "vcs"
	vcsAxis    = "redistributive_vs_non_redistributive"
)

// writeSignals leaves sig_vcs for archetype_signals: per scheme × period, the SII of
// each favourable measure across IMD quintiles with a reading that quotes its numbers.
func writeSignals(ctx context.Context, tx model.Execer, summaries []summary, f cellFacts, p model.Params) error {
	if err := model.CreateTable(ctx, tx, files, "sig_vcs"); err != nil {
		return err
	}
	var rows [][]any
	for _, s := range summaries {
		if s.dimension != dimQuintile || s.measure == measureDNA {
			continue
		}
		rows = append(rows, []any{s.scheme, s.period, vcsSetting, vcsAxis, "sii_" + s.measure,
			nullable(s.sii), nullable(s.siiLo), nullable(s.siiHi), reading(s, f, p)})
	}
	return model.InsertRows(ctx, tx, "sig_vcs", 9, rows)
}
