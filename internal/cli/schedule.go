package cli

import (
	"context"
	_ "time/tzdata" // the schedule's time zone must load on hosts without a zoneinfo database

	"github.com/socrx/socrx/pipeline"
)

func scheduleCommand() command {
	return command{
		name:    "schedule",
		summary: "run the configured jobs until stopped",
		usage:   "schedule [--config FILE]",
		run:     cmdSchedule,
	}
}

// cmdSchedule runs the configured jobs until SIGTERM or SIGINT (design §7). A stop is a
// clean exit: the run in progress finishes its step or rolls back within stop_timeout.
func cmdSchedule(ctx context.Context, e *env, args []string) error {
	flags, c := e.newFlags()
	if err := e.parse(flags, args); err != nil {
		return err
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	logger := c.logger(e)
	// No progress bars: the scheduler runs unattended and its log is the record.
	r := &pipeline.Runner{Cfg: cfg, Log: logger, Version: e.version}
	s := &pipeline.Scheduler{Runner: r, Log: logger}
	return s.Run(ctx)
}
