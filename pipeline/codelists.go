package pipeline

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/connectors"
)

// codelistSource is one configured codelist resolved for ingest.
type codelistSource struct {
	role, path, shown, code, term, category string
}

// codelistsOf lists the configured codelists by role, so a run loads them in one order.
func codelistsOf(cfg *config.Config) []codelistSource {
	var out []codelistSource
	for role, cl := range cfg.Codelists {
		out = append(out, codelistSource{role: role, path: cfg.Resolve(cl.Path), shown: cl.Path,
			code: cl.Columns.Code, term: cl.Columns.Term, category: cl.Columns.Category})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].role < out[j].role })
	return out
}

// loadCodelists replaces codelist_codes with the configured codelists and, for a
// national role none of them fills, the shipped codes. A file that is not a codelist
// fails the run: measures counted from a half-read codelist would look plausible.
func (in *ingester) loadCodelists(ctx context.Context) error {
	start := time.Now()
	if _, err := in.tx.ExecContext(ctx, sqlFile("codelists/delete_all")); err != nil {
		return fmt.Errorf("replacing the codelists: %w", err)
	}
	configured := map[string]bool{}
	type row struct {
		c      connectors.CodelistCode
		source string
	}
	var rows []row
	for _, cl := range in.codelists {
		codes, err := connectors.ReadCategorisedCodelist(ctx, cl.path, cl.role, cl.code, cl.term, cl.category)
		if err != nil {
			return err
		}
		configured[cl.role] = true
		for _, c := range codes {
			rows = append(rows, row{c, cl.shown})
		}
	}
	for _, c := range connectors.DefaultCodelists() {
		if !configured[c.Role] {
			rows = append(rows, row{c, "default"})
		}
	}
	stmt, err := in.tx.PrepareContext(ctx, sqlFile("codelists/insert"))
	if err != nil {
		return fmt.Errorf("loading the codelists: %w", err)
	}
	defer stmt.Close()
	for _, r := range rows {
		var category any // NULL for a role without categories
		if r.c.Category != "" {
			category = r.c.Category
		}
		if _, err := stmt.ExecContext(ctx, r.c.Role, r.c.Code, r.c.Term, r.source, category); err != nil {
			return fmt.Errorf("loading codelist %s: %w", r.c.Role, err)
		}
	}
	in.log.Info().Str("source", "codelists").Int("rows", len(rows)).
		Int64("duration_ms", time.Since(start).Milliseconds()).Msg("codelists loaded")
	return nil
}
