package pipeline_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/connectors/synthetic"
	"github.com/socrx/socrx/pipeline"
)

// Fixtures that many tests start from are built once per test binary, on first use, and
// copied into each test's own directory: a baseline ingest loads the shipped reference
// files, which was most of the time of every test that starts from one.

// longTestsEnv, set to 1, runs the long walks in full (every seed, every night); the
// default runs cover each kind of case once.
const longTestsEnv = "SOCRX_LONG_TESTS"

func longTests() bool { return os.Getenv(longTestsEnv) == "1" }

// sharedRoot holds the fixtures built once (set and removed by TestMain).
var sharedRoot string

func TestMain(m *testing.M) {
	// one DuckDB worker per database: the tests open many at once (child processes
	// inherit it)
	if os.Getenv(pipeline.ThreadsEnv) == "" {
		os.Setenv(pipeline.ThreadsEnv, "1")
	}
	dir, err := os.MkdirTemp("", "socrx-shared-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sharedRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sharedFixture is a directory built once by the first test that asks for it.
type sharedFixture struct {
	once sync.Once
	dir  string
	err  error
}

func (s *sharedFixture) get(t *testing.T, name string, build func(dir string) error) string {
	t.Helper()
	s.once.Do(func() {
		s.dir = filepath.Join(sharedRoot, name)
		s.err = build(s.dir)
	})
	if s.err != nil {
		t.Fatalf("building the shared %s fixture: %v", name, s.err)
	}
	return s.dir
}

var sharedBaseline sharedFixture

// buildBaseline ingests the good extracts into a fresh project at dir.
func buildBaseline(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "extracts"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "socrx.yaml"), []byte(testConfig), 0o644); err != nil {
		return err
	}
	for src, name := range map[string]string{"good/referrals.csv": "referrals_0.csv", "good/attendances.csv": "attendances_0.csv"} {
		if err := copyFile(filepath.Join("testdata", src), filepath.Join(dir, "extracts", name)); err != nil {
			return err
		}
	}
	cfg, err := config.Load(filepath.Join(dir, "socrx.yaml"))
	if err != nil {
		return err
	}
	r := &pipeline.Runner{Cfg: cfg, Log: zerolog.Nop(), Version: "test"}
	_, err = r.Run(context.Background(), pipeline.RunSpec{Job: "ingest", Trigger: pipeline.TriggerManual, Logical: logical, Steps: []string{"ingest"}})
	return err
}

// baseline is a fixture whose database holds the good extracts: a copy of the shared
// baseline, its extracts with their modification times and its recorded paths moved to
// the fixture's directory, so that it reads as if ingested there.
func baseline(t *testing.T) *fixture {
	t.Helper()
	f, src := baselineUnmoved(t)
	db, err := pipeline.OpenDB(context.Background(), f.runner().DBPath(), pipeline.DBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`UPDATE ingested_files SET path = replace(path, ?, ?)`, `UPDATE runs SET input_hashes = replace(input_hashes, ?, ?)`} {
		if _, err := db.Exec(q, src, f.dir); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return f
}

// baselineUnmoved is baseline with the recorded paths left at the shared baseline's: the
// extracts are still taken as read (by their bytes), which is all a test that only adds
// files needs, without a write to the copied database. It returns the shared directory.
func baselineUnmoved(t *testing.T) (*fixture, string) {
	t.Helper()
	src := sharedBaseline.get(t, "baseline", buildBaseline)
	f := newFixture(t, testConfig)
	for _, name := range []string{"referrals_0.csv", "attendances_0.csv"} {
		if err := copyFile(filepath.Join(src, "extracts", name), filepath.Join(f.dir, "extracts", name)); err != nil {
			t.Fatal(err)
		}
	}
	copyDB(t, filepath.Join(src, "db", "socrx.duckdb"), f.runner().DBPath())
	return f, src
}

var sharedEmpty sharedFixture

// emptyDatabase puts at f's database path a copy of a migrated database without rows,
// as a first run makes one: creating and migrating it took most of a fuzz input's time.
func emptyDatabase(t *testing.T, f *fixture) {
	t.Helper()
	src := sharedEmpty.get(t, "empty", func(dir string) error {
		ctx := context.Background()
		db, err := pipeline.OpenDB(ctx, filepath.Join(dir, "socrx.duckdb"), pipeline.DBOptions{})
		if err != nil {
			return err
		}
		defer db.Close()
		return pipeline.Migrate(ctx, db)
	})
	copyDB(t, filepath.Join(src, "socrx.duckdb"), f.runner().DBPath())
}

// freshBaseline ingests the good extracts into the fixture itself (see baseline).
func freshBaseline(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, testConfig)
	f.put("good/referrals.csv", "referrals_0.csv")
	f.put("good/attendances.csv", "attendances_0.csv")
	if _, err := f.ingest(); err != nil {
		t.Fatalf("baseline ingest: %v", err)
	}
	return f
}

// generated holds one synthetic dataset per size, seed and outcomes option, generated once.
var generated sync.Map // "n-seed-outcomes" → *sharedGenerated

type sharedGenerated struct {
	sharedFixture
	sum synthetic.Summary
}

// generate writes the synthetic dataset of opt (OutDir aside) into dir (the extracts
// of a fixture), generating it only the first time it is asked for.
func generate(t *testing.T, dir string, opt synthetic.Options) synthetic.Summary {
	t.Helper()
	key := fmt.Sprintf("%d-%d-%t-%t", opt.Referrals, opt.Seed, opt.Outcomes, opt.GP)
	v, _ := generated.LoadOrStore(key, &sharedGenerated{})
	g := v.(*sharedGenerated)
	src := g.get(t, "generated-"+key, func(out string) error {
		var err error
		opt.OutDir = out
		g.sum, err = synthetic.Generate(context.Background(), opt)
		return err
	})
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	names, err := filepath.Glob(filepath.Join(src, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range names {
		if err := copyFile(p, filepath.Join(dir, filepath.Base(p))); err != nil {
			t.Fatal(err)
		}
	}
	return g.sum
}

// copyDB copies a closed database file (and its WAL, if any) to dst.
func copyDB(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", ".wal"} {
		if _, err := os.Stat(src + suffix); os.IsNotExist(err) {
			continue
		}
		if err := copyFile(src+suffix, dst+suffix); err != nil {
			t.Fatal(err)
		}
	}
}

// copyFile copies src to dst with its modification time.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chtimes(dst, fi.ModTime(), fi.ModTime())
}
