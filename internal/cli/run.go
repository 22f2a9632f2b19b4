package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/pipeline"
	"github.com/socrx/socrx/reports"
)

// This file holds run and the commands of its steps (ingest, transform, report,
// publish): each is a manual run of some of config.Steps().

func runCommand() command {
	return command{
		name:    "run",
		summary: "one full run now: " + strings.Join(config.Steps(), ", "),
		usage:   "run [--config FILE] [--logical-date DATE] [--full] [--steps LIST]",
		run:     cmdRun,
	}
}

func cmdRun(ctx context.Context, e *env, args []string) error {
	flags, c := e.newFlags()
	logical := flags.String("logical-date", "", "the run's logical date (default now)")
	full := flags.Bool("full", false, "recompute every referral's facts, not only those with new rows")
	only := flags.String("steps", "", "run only these steps, comma-separated, as a scheduled job would (e.g. ingest,transform,publish); they run in the usual order")
	if err := e.parse(flags, args); err != nil {
		return err
	}
	steps, err := stepList(*only)
	if err != nil {
		return err
	}
	return runManual(ctx, e, c, *logical, pipeline.RunSpec{Job: "run", Steps: steps, FullRebuild: *full})
}

// stepList parses --steps: every step when empty.
func stepList(s string) ([]string, error) {
	all := config.Steps()
	if strings.TrimSpace(s) == "" {
		return all, nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if !slices.Contains(all, p) {
			return nil, usagef("--steps: unknown step %q (want %s)", p, strings.Join(all, ", "))
		}
		out = append(out, p)
	}
	return out, nil
}

func ingestCommand() command {
	return stepCommand("ingest", "load new extract files (one run with the ingest step)",
		"ingest [--config FILE] [--logical-date DATE] [--reload SOURCE|FILE]...",
		func(flags *flag.FlagSet, spec *pipeline.RunSpec) {
			flags.Func("reload", "read again a source (by name, as status shows it: referrals[0]) or a file (with every later file of its source), though loaded before; repeatable", func(v string) error {
				spec.Reload = append(spec.Reload, v)
				return nil
			})
		})
}

func transformCommand() command {
	return stepCommand("transform", "rebuild the marts from the core tables",
		"transform [--config FILE] [--logical-date DATE] [--full] [--trace-sql FILE]",
		func(flags *flag.FlagSet, spec *pipeline.RunSpec) {
			flags.BoolVar(&spec.FullRebuild, "full", false, "recompute every referral's facts, not only those with new rows")
			flags.StringVar(&spec.TraceSQL, "trace-sql", "", "write every statement the transform runs to FILE, one JSON line each (holds unsuppressed aggregates)")
		})
}

func reportCommand() command {
	return stepCommand("report", "write reports for due periods (or --period P)",
		"report [--config FILE] [--period P] [--logical-date DATE]",
		func(flags *flag.FlagSet, spec *pipeline.RunSpec) {
			flags.StringVar(&spec.Period, "period", "", "report this period (e.g. 2024-Q3) instead of every due one")
		})
}

func publishCommand() command {
	return stepCommand("publish", "write the read-only snapshot for researchers",
		"publish [--config FILE] [--logical-date DATE]", nil)
}

// stepCommand is a manual run of one step; define, when not nil, defines the step's own
// flags, which fill in the run's spec.
func stepCommand(step, summary, usage string, define func(*flag.FlagSet, *pipeline.RunSpec)) command {
	return command{name: step, summary: summary, usage: usage, run: func(ctx context.Context, e *env, args []string) error {
		flags, c := e.newFlags()
		logical := flags.String("logical-date", "", "the run's logical date (default now)")
		spec := pipeline.RunSpec{Job: step, Steps: []string{step}}
		if define != nil {
			define(flags, &spec)
		}
		if err := e.parse(flags, args); err != nil {
			return err
		}
		return runManual(ctx, e, c, *logical, spec)
	}}
}

// runManual runs spec's steps as a manual run at the logical date. Every argument is
// checked before the run exists: a typo exits 2 and records nothing.
func runManual(ctx context.Context, e *env, c *common, logical string, spec pipeline.RunSpec) error {
	t, err := parseLogical(logical)
	if err != nil {
		return err
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	if spec.Period != "" {
		if err := checkPeriod(cfg.Period, spec.Period); err != nil {
			return err
		}
	}
	for _, target := range spec.Reload {
		if !pipeline.ReloadTarget(cfg, target) {
			return usagef("--reload %q: not a source name (%s) nor a file of a source", target, strings.Join(pipeline.SourceNames(cfg), ", "))
		}
	}
	r := &pipeline.Runner{Cfg: cfg, Log: c.logger(e), Version: e.version, Progress: c.progress(e)}
	spec.Trigger, spec.Logical = pipeline.TriggerManual, t
	rec, err := r.Run(ctx, spec)
	if err != nil {
		return err
	}
	printRunSummary(e.stdout, rec)
	return nil
}

// parseLogical reads --logical-date: a date, an RFC 3339 time, or "" for now.
func parseLogical(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, usagef("--logical-date %q: want YYYY-MM-DD or RFC 3339", s)
	}
	return t, nil
}

func printRunSummary(w io.Writer, rec *pipeline.RunRecord) {
	fmt.Fprintf(w, "run %d %s (%s)\n", rec.ID, rec.Status, rec.Finished.Sub(rec.Started).Round(time.Millisecond))
	for _, s := range rec.Steps {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(s.Rows)) {
			parts = append(parts, fmt.Sprintf("%s=%d", k, s.Rows[k]))
		}
		fmt.Fprintf(w, "  %-9s %6dms  %s\n", s.Step, s.DurationMS, strings.Join(parts, " "))
	}
}

// checkPeriod refuses a --period that is not a period label, or not one of the config's
// granularity (a month under a quarterly config has no marts and would report nothing).
func checkPeriod(granularity, label string) error {
	forms := map[string]struct{ form, example string }{
		"month": {"YYYY-MM", "2024-07"}, "quarter": {"YYYY-Qn", "2024-Q3"},
		"year": {"YYYY", "2024"}, "financial_year": {"FYyyyy-yy", "FY2024-25"},
	}
	want := forms[granularity]
	if _, _, err := reports.PeriodSpan(label); err != nil {
		return usagef("--period %q is not a period: want %s, e.g. %s (the config's period is %s)", label, want.form, want.example, granularity)
	}
	if kind := periodKind(label); kind != granularity {
		return usagef("--period %q is a %s, but the config reports by %s: want %s, e.g. %s", label,
			strings.ReplaceAll(kind, "_", " "), strings.ReplaceAll(granularity, "_", " "), want.form, want.example)
	}
	return nil
}

// periodKind names the granularity of a label reports.PeriodSpan accepts.
func periodKind(label string) string {
	switch {
	case strings.HasPrefix(label, "FY"):
		return "financial_year"
	case strings.Contains(label, "-Q"):
		return "quarter"
	case strings.Contains(label, "-"):
		return "month"
	}
	return "year"
}
