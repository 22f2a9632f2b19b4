package cli

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/socrx/socrx/pipeline"
)

func validateCommand() command {
	return command{
		name:    "validate",
		summary: "check extracts against the contract without loading",
		usage:   "validate [--config FILE]",
		run:     cmdValidate,
	}
}

// cmdValidate prints a summary line per file, then fails as a run would on the first
// file the ingest would refuse.
func cmdValidate(ctx context.Context, e *env, args []string) error {
	flags, c := e.newFlags()
	if err := e.parse(flags, args); err != nil {
		return err
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	r := &pipeline.Runner{Cfg: cfg, Log: c.logger(e), Version: e.version}
	res, err := r.Validate(ctx, time.Now().UTC())
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tFILE\tSTATUS\tROWS OK\tREJECTED\tREASONS")
	for _, f := range res.Files {
		status := "ok"
		switch {
		case f.Error != "":
			status = "failed"
		case f.Warning != "":
			status = f.Warning
		case f.Skipped:
			status = "already loaded"
		case f.Reloaded:
			status = "ok (read again)"
		}
		var reasons []string
		for _, k := range slices.Sorted(maps.Keys(f.Reasons)) {
			reasons = append(reasons, fmt.Sprintf("%s=%d", k, f.Reasons[k]))
		}
		if f.Error != "" {
			reasons = []string{f.Error}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", f.Source, f.Path, status, f.Loaded, f.Rejected, strings.Join(reasons, " "))
	}
	tw.Flush()
	return err
}
