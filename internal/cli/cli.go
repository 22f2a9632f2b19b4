// Package cli is socrx's command line: one file per command, the shared parts here.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"

	"github.com/socrx/socrx/config"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what every command gets: streams, the version and a logger factory.
type env struct {
	stdout, stderr io.Writer
	version        string
}

func commands() []command {
	return []command{
		{"demo", "generate a realistic synthetic dataset and run the whole pipeline on it", cmdDemo},
		{"run", "one full run now: ingest, transform, report, publish", cmdRun},
		{"schedule", "run the configured jobs until stopped", cmdSchedule},
		{"ingest", "load new extract files (one run with the ingest step)", stepCommand("ingest")},
		{"transform", "rebuild the marts from the core tables", stepCommand("transform")},
		{"report", "write reports for due periods (or --period P)", stepCommand("report")},
		{"publish", "write the read-only snapshot for researchers", stepCommand("publish")},
		{"validate", "check extracts against the contract without loading", cmdValidate},
		{"status", "recent runs, files and quarantine counts (exit 1 if the last run failed)", cmdStatus},
		{"query", "read-only SQL against the published snapshot (or --db FILE)", cmdQuery},
		{"generate", "write synthetic extracts of any size", cmdGenerate},
		{"export", "unsuppressed Parquet/Arrow exports for the secure environment", cmdExport},
		{"version", "print the version", func(_ context.Context, e *env, _ []string) error {
			fmt.Fprintln(e.stdout, e.version)
			return nil
		}},
	}
}

// exitUsage is returned for bad command lines.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// Main runs the command line args (without the program name) and returns the exit
// status: 0, 1 for a failure, 2 for a bad command line.
func Main(args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr, version: codeVersion()}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == args[0] {
			c := c
			cmd = &c
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "socrx: unknown command %q (see socrx --help)\n", args[0])
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmd.run(ctx, e, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		// One line, before anything was opened or recorded: a typo is not a failed run.
		fmt.Fprintf(stderr, "socrx %s: %s (see socrx %s --help)\n", cmd.name, oneLine(err.Error()), cmd.name)
		return 2
	case errors.Is(err, errExitQuiet):
		return 1
	}
	fmt.Fprintf(stderr, "socrx %s: %s\n", cmd.name, oneLine(err.Error()))
	return 1
}

// errExitQuiet exits 1 without a message (the command already said why).
var errExitQuiet = errors.New("exit 1")

func usage(w io.Writer) {
	fmt.Fprintln(w, "socrx — evaluate social prescribing schemes from routine primary-care records")
	fmt.Fprintln(w, "\nUsage: socrx COMMAND [flags]   (socrx COMMAND --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}

// common are the flags every config-driven command takes.
type common struct {
	config    string
	logFormat string
}

func newFlags(e *env, name, usageLine string) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	c := &common{}
	fs.StringVar(&c.config, "config", "socrx.yaml", "configuration file")
	fs.StringVar(&c.logFormat, "log-format", "", "log format: console or json (default: console on a terminal, else json)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: socrx %s\n\nFlags:\n", usageLine)
		fs.PrintDefaults()
	}
	return fs, c
}

// parse parses a command's flags. A bad flag is a usage error of one line (the flag
// package would print the whole help after it); --help prints the help.
func parse(fs *flag.FlagSet, args []string) error {
	help, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = help
	fs.SetOutput(out)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			help()
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 && fs.Name() != "query" {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// logger returns a zerolog logger: console on a terminal, JSON otherwise or when asked.
func (c *common) logger(e *env) zerolog.Logger {
	format := c.logFormat
	if format == "" {
		format = "json"
		if f, ok := e.stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			format = "console"
		}
	}
	level := zerolog.InfoLevel
	if os.Getenv("SOCRX_DEBUG") != "" {
		level = zerolog.DebugLevel
	}
	if format == "console" {
		return zerolog.New(zerolog.ConsoleWriter{Out: e.stderr, TimeFormat: time.Kitchen}).Level(level).With().Timestamp().Logger()
	}
	return zerolog.New(e.stderr).Level(level).With().Timestamp().Logger()
}

// progress returns the terminal to draw progress bars on, or nil when logs are JSON or
// stderr is not a terminal.
func (c *common) progress(e *env) io.Writer {
	f, ok := e.stderr.(*os.File)
	if !ok || !isatty.IsTerminal(f.Fd()) || c.logFormat == "json" {
		return nil
	}
	return f
}

func (c *common) load() (*config.Config, error) {
	cfg, err := config.Load(c.config)
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// loadForReading loads the config for a command that only reads (status, query,
// export), which may run under an account that cannot write the database's directory.
func (c *common) loadForReading() (*config.Config, error) {
	return config.LoadForReading(c.config)
}

// codeVersion names the build: module version and VCS revision when known.
func codeVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "socrx dev"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "dev"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += "-dirty"
		}
	}
	return "socrx " + v
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
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
		return time.Time{}, usageError{fmt.Sprintf("--logical-date %q: want YYYY-MM-DD or RFC 3339", s)}
	}
	return t, nil
}
