// Package cli is socrx's command line (design §9): one file per command, and here what
// they share: the command table, the environment, flags, the logger and exit statuses.
package cli

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/pipeline"
)

// Exit statuses: a failure and a bad command line differ, so a monitor can tell a typo
// from a failed run.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// command is one subcommand; each is declared in its own file.
type command struct {
	name    string
	summary string // its line in socrx --help
	usage   string // its synopsis, after "Usage: socrx "
	// operands: it takes positional arguments after its flags (query's SQL) and checks
	// them itself; for any other command one is a usage error.
	operands bool
	run      func(ctx context.Context, e *env, args []string) error
}

// commands are every command, in the order of socrx --help.
func commands() []command {
	return []command{
		demoCommand(),
		runCommand(),
		scheduleCommand(),
		ingestCommand(),
		transformCommand(),
		reportCommand(),
		publishCommand(),
		validateCommand(),
		statusCommand(),
		queryCommand(),
		generateCommand(),
		exportCommand(),
		versionCommand(),
	}
}

// env is what every command gets: streams, the version and the command being run.
type env struct {
	stdout, stderr io.Writer
	version        string
	cmd            command
}

// usageError is a bad command line: one line and exit 2, before anything is opened or
// recorded, because a typo is not a failed run.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// errExitQuiet exits 1 without a message (the command already said why).
var errExitQuiet = errors.New("exit 1")

// Main runs the command line args (without the program's name) and returns the exit
// status: 0, 1 for a failure, 2 for a bad command line.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmds := commands()
	i := slices.IndexFunc(cmds, func(c command) bool { return c.name == args[0] })
	if i < 0 {
		fmt.Fprintf(stderr, "socrx: unknown command %q (see socrx --help)\n", args[0])
		return exitUsage
	}
	e := &env{stdout: stdout, stderr: stderr, version: codeVersion(), cmd: cmds[i]}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return e.exit(e.cmd.run(ctx, e, args[1:]))
}

// exit turns a command's error into its exit status and one line on stderr.
func (e *env) exit(err error) int {
	name := e.cmd.name
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintf(e.stderr, "socrx %s: %s (see socrx %s --help)\n", name, oneLine(err.Error()), name)
		return exitUsage
	case errors.Is(err, errExitQuiet):
		return exitFailure
	}
	fmt.Fprintf(e.stderr, "socrx %s: %s\n", name, oneLine(err.Error()))
	return exitFailure
}

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

// newFlags returns the command's flag set with the common flags defined.
func (e *env) newFlags() (*flag.FlagSet, *common) {
	flags := flag.NewFlagSet(e.cmd.name, flag.ContinueOnError)
	flags.SetOutput(e.stderr)
	c := &common{}
	flags.StringVar(&c.config, "config", "socrx.yaml", "configuration file")
	flags.StringVar(&c.logFormat, "log-format", "", "log format: console or json (default: console on a terminal, else json)")
	flags.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: socrx %s\n\nFlags:\n", e.cmd.usage)
		flags.PrintDefaults()
	}
	return flags, c
}

// parse parses the command's flags. A bad flag is a usage error of one line (the flag
// package would print the whole help after it); --help prints the help.
func (e *env) parse(flags *flag.FlagSet, args []string) error {
	help, out := flags.Usage, flags.Output()
	flags.Usage = func() {}
	flags.SetOutput(io.Discard)
	err := flags.Parse(args)
	flags.Usage = help
	flags.SetOutput(out)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			help()
			return err
		}
		return usageError{err.Error()}
	}
	if flags.NArg() > 0 && !e.cmd.operands {
		return usagef("unexpected argument %q", flags.Arg(0))
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

// load loads the config for a command that runs steps. Its errors already name the file
// and the key's line, so they are returned as they are.
func (c *common) load() (*config.Config, error) { return config.Load(c.config) }

// loadForReading loads the config for a command that only reads (status, query,
// export), which may run under an account that cannot write the database's directory.
func (c *common) loadForReading() (*config.Config, error) {
	return config.LoadForReading(c.config)
}

// openReader opens a database read-only for queries and exports: the given file, else the
// published snapshot of the config (never the working file a run may be writing).
// sandbox confines it to that file (pipeline.DBOptions.Sandbox): for query, which runs
// any SQL; export writes its files through DuckDB's COPY and so cannot be sandboxed, but
// runs only the statements it builds itself.
func (c *common) openReader(ctx context.Context, dbPath string, sandbox bool) (*sql.DB, error) {
	file := dbPath
	if file == "" {
		cfg, err := c.loadForReading()
		if err != nil {
			return nil, err
		}
		file = cfg.Resolve(cfg.Publish)
	}
	if _, err := os.Stat(file); err != nil {
		return nil, fmt.Errorf("database %s: %w", file, err)
	}
	return pipeline.OpenDB(ctx, file, pipeline.DBOptions{ReadOnly: true, Sandbox: sandbox})
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

// oneLine is the first line of s: stderr gets one line per failure.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
