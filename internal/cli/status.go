package cli

import (
	"context"

	"github.com/socrx/socrx/pipeline"
)

func statusCommand() command {
	return command{
		name:    "status",
		summary: "recent runs, files and quarantine counts (exit 1 if the last run failed)",
		usage:   "status [--config FILE] [--runs N]",
		run:     cmdStatus,
	}
}

// cmdStatus prints recent runs and exits 1 without a message when the last one failed,
// so that a monitor can run it as a check.
func cmdStatus(ctx context.Context, e *env, args []string) error {
	flags, c := e.newFlags()
	n := flags.Int("runs", 10, "how many recent runs to show")
	if err := e.parse(flags, args); err != nil {
		return err
	}
	if *n < 1 {
		return usagef("--runs %d: want at least 1", *n)
	}
	cfg, err := c.loadForReading()
	if err != nil {
		return err
	}
	r := &pipeline.Runner{Cfg: cfg, Log: c.logger(e), Version: e.version}
	st, err := r.Status(ctx, *n)
	if err != nil {
		return err
	}
	st.Print(e.stdout)
	if !st.Healthy() {
		return errExitQuiet
	}
	return nil
}
