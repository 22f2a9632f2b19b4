package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/socrx/socrx/connectors/synthetic"
)

func generateCommand() command {
	return command{
		name:    "generate",
		summary: "write synthetic extracts of any size",
		usage:   "generate --referrals N --seed S --out DIR [--messy RATE] [--outcomes] [--gp]",
		run:     cmdGenerate,
	}
}

func cmdGenerate(ctx context.Context, e *env, args []string) error {
	flags, _ := e.newFlags()
	n := flags.Int("referrals", 5000, "clean referrals to write")
	seed := flags.Uint64("seed", 1, "random seed: the same seed gives byte-identical files")
	out := flags.String("out", "", "output directory")
	messy := flags.Float64("messy", 0, "rate (0–1) of planted real-world faults the ingest must catch")
	perRef := flags.Float64("attendances-per-referral", 0, "lengthen VCS runs toward this many attendance rows per referral; the end of the span cuts runs, so 12 gives about 9.7 (0: the natural mix, about 4.6)")
	writeCfg := flags.String("write-config", "", "also write a ready-to-run config for the extracts to this file")
	withOutcomes := flags.Bool("outcomes", false, "also write outcomes.csv: wellbeing assessments with planted truths")
	withGP := flags.Bool("gp", false, "also write gp_patients.csv and gp_events.csv: the practices' registered list and coded SP events, linked to the platform's people, with planted truths")
	// The help explains what the generator plants, before the flags.
	flags.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: socrx %s\n\n%s\nFlags:\n", e.cmd.usage, synthetic.HelpText())
		flags.PrintDefaults()
	}
	if err := e.parse(flags, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required")
	}
	if *n < 1 || *messy < 0 || *messy > 1 {
		return usagef("--referrals must be at least 1 and --messy between 0 and 1")
	}
	start := time.Now()
	if *perRef < 0 {
		return usagef("--attendances-per-referral must not be negative")
	}
	sum, err := synthetic.Generate(ctx, synthetic.Options{OutDir: *out, Referrals: *n, Seed: *seed, Messy: *messy, AttendancesPerReferral: *perRef,
		Outcomes: *withOutcomes, GP: *withGP})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %d referrals, %d attendances, %d population rows, %d planted faults to %s in %s\n",
		sum.Referrals, sum.Attendances, sum.PopulationRows, sum.FaultyRows, sum.Dir, time.Since(start).Round(time.Millisecond))
	if gp := sum.Manifest.GP; gp != nil {
		fmt.Fprintf(e.stdout, "  GP records: %d registered people, %d coded events\n", gp.Realised.Registered, gp.Realised.Events)
	}
	if *writeCfg != "" {
		if err := writeConfigFor(*writeCfg, sum); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "  config: %s\n", *writeCfg)
	}
	for _, f := range sum.Files {
		fmt.Fprintf(e.stdout, "  %s\n", f)
	}
	return nil
}
