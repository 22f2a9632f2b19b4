package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/pipeline"
)

// TestMain lets the test binary stand in for socrx in child-process tests, so no
// separate build is needed: with SOCRX_TEST_MAIN set it runs the command line and exits.
// longTestsEnv, set to 1, runs the soak and kill trials in full; the default runs each
// kind of trial at a size that keeps `go test ./...` short.
const longTestsEnv = "SOCRX_LONG_TESTS"

func longTests() bool { return os.Getenv(longTestsEnv) == "1" }

// sized is the default size of a trial, or long under SOCRX_LONG_TESTS=1.
func sized(short, long int) int {
	if longTests() {
		return long
	}
	return short
}

// longOnly skips a trial that only the long run makes (.ci/run makes it): the default
// run keeps one of each kind of check and stays within the suite's time.
func longOnly(t *testing.T) {
	t.Helper()
	if !longTests() {
		t.Skip("a long trial: run with " + longTestsEnv + "=1")
	}
}

func TestMain(m *testing.M) {
	// one DuckDB worker per database: the tests open many at once (child processes
	// inherit it)
	if os.Getenv(pipeline.ThreadsEnv) == "" {
		os.Setenv(pipeline.ThreadsEnv, "1")
	}
	if os.Getenv("SOCRX_TEST_MAIN") == "1" {
		os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	removeSharedDemo()
	os.Exit(code)
}

// repoRoot is the repository's top, from this package's directory (where go test runs
// it): the shared test data (testdata/, pipeline/testdata/, connectors/testdata/) live
// beside the packages they were first written for.
const repoRoot = "../.."

// fromRoot is a slash-separated path from the repository's top.
func fromRoot(rel string) string { return filepath.Join(repoRoot, filepath.FromSlash(rel)) }

// socrx returns a command running the socrx CLI in dir.
func socrx(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SOCRX_TEST_MAIN=1")
	return cmd
}

func TestHelp(t *testing.T) {
	for _, c := range commands() {
		var out, errb bytes.Buffer
		code := Main([]string{c.name, "--help"}, &out, &errb)
		if code != 0 {
			t.Errorf("%s --help exited %d: %s", c.name, code, errb.String())
		}
		if c.name != "version" && !strings.Contains(errb.String(), "Usage: socrx "+c.name) {
			t.Errorf("%s --help printed %q", c.name, errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := Main([]string{"frobnicate"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Errorf("unknown command: exit %d, %q", code, errb.String())
	}
}

// TestStepsAreCommands: each step of config.Steps() is a command of its own, so that a
// step added there without a command fails here.
func TestStepsAreCommands(t *testing.T) {
	for _, step := range config.Steps() {
		if !slices.ContainsFunc(commands(), func(c command) bool { return c.name == step }) {
			t.Errorf("step %s has no command", step)
		}
	}
}

// TestOperands: a command that does not declare operands refuses a positional argument
// as a usage error, before it reads a config or opens anything.
func TestOperands(t *testing.T) {
	for _, c := range commands() {
		if c.operands || c.name == "version" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main([]string{c.name, "--config", filepath.Join(t.TempDir(), "none.yaml"), "stray"}, &out, &errb)
			want := "socrx " + c.name + `: unexpected argument "stray" (see socrx ` + c.name + " --help)\n"
			if code != 2 || errb.String() != want {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errb.String(), want)
			}
		})
	}
}

func TestBadConfigIsOneLine(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "socrx.yaml"), []byte("database: x.duckdb\nbogus: 1\n"), 0o644)
	var out, errb bytes.Buffer
	code := Main([]string{"run", "--config", filepath.Join(dir, "socrx.yaml")}, &out, &errb)
	if code != 1 || strings.Count(errb.String(), "\n") != 1 || !strings.Contains(errb.String(), "line 2: bogus") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// writeExtracts writes n referrals and about 3n attendances in the contract.
func writeExtracts(t *testing.T, dir string, n int) {
	t.Helper()
	lsoas := []string{"E01021988", "E01000001", "E01017787", "E01033570", "E01012011"}
	rf, err := os.Create(filepath.Join(dir, "extracts", "referrals.csv"))
	if err != nil {
		t.Fatal(err)
	}
	af, err := os.Create(filepath.Join(dir, "extracts", "attendances.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rw, aw := bufio.NewWriter(rf), bufio.NewWriter(af)
	rw.WriteString("referral_id,person_id,scheme_id,practice_code,referral_date,referral_source,outcome,lsoa_code,sex,age,ethnic_category\n")
	aw.WriteString("attendance_id,referral_id,attendance_date,setting,status,worker_id,provider_id,mode\n")
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		d := base.AddDate(0, 0, rng.IntN(500))
		fmt.Fprintf(rw, "R%07d,P%07d,S%d,A8100%d,%s,gp,accepted,%s,F,%d,A\n", i, i, 1+i%3, i%5, d.Format("02/01/2006"), lsoas[i%5], 20+i%70)
		for j := 0; j < 3; j++ {
			fmt.Fprintf(aw, "A%07d-%d,R%07d,%s,link_worker,attended,W%d,,telephone\n", i, j, i, d.AddDate(0, 0, 7*(j+1)).Format("02/01/2006"), rng.IntN(9))
		}
	}
	rw.Flush()
	aw.Flush()
	rf.Close()
	af.Close()
}

// TestKillMidLoad SIGKILLs `socrx ingest` part-way through loading and shows the next run
// completes with every row exactly once, and the killed run recorded as abandoned.
func TestKillMidLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("child-process test")
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "extracts"), 0o755)
	os.WriteFile(filepath.Join(dir, "socrx.yaml"), []byte(`database: db/socrx.duckdb
sources:
  referrals:   { path: "extracts/referrals.csv" }
  attendances: { path: "extracts/attendances.csv" }
schedule: { lock_wait: 30s }
`), 0o644)
	n := sized(20000, 150000)
	writeExtracts(t, dir, n)
	// Time a clean load to aim the kills inside it.
	probe := t.TempDir()
	os.MkdirAll(filepath.Join(probe, "extracts"), 0o755)
	for _, f := range []string{"socrx.yaml", "extracts/referrals.csv", "extracts/attendances.csv"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		os.WriteFile(filepath.Join(probe, f), b, 0o644)
	}
	start := time.Now()
	if out, err := socrx(t, probe, "ingest", "--logical-date", "2025-01-01").CombinedOutput(); err != nil {
		t.Fatalf("clean ingest: %v\n%s", err, out)
	}
	full := time.Since(start)
	rng := rand.New(rand.NewPCG(7, 7))
	kills := 0
	for trial := 0; trial < sized(2, 3); trial++ {
		cmd := socrx(t, dir, "ingest", "--logical-date", "2025-01-01")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(float64(full) * (0.3 + 0.5*rng.Float64())))
		if cmd.Process.Signal(syscall.SIGKILL) == nil {
			kills++
		}
		cmd.Wait()
	}
	if out, err := socrx(t, dir, "ingest", "--logical-date", "2025-01-01").CombinedOutput(); err != nil {
		t.Fatalf("ingest after kills: %v\n%s", err, out)
	}
	out, err := socrx(t, dir, "query", "--db", "db/socrx.duckdb", "--format", "csv",
		`SELECT (SELECT count(*) FROM referrals), (SELECT count(DISTINCT referral_id) FROM referrals),
		        (SELECT count(*) FROM attendances), (SELECT count(DISTINCT attendance_id) FROM attendances),
		        (SELECT count(*) FROM runs WHERE status = 'succeeded'), (SELECT count(*) FROM runs WHERE status IN ('abandoned', 'failed')),
		        (SELECT count(*) FROM referrals WHERE source_line <> CAST(substr(referral_id, 2) AS BIGINT) + 2)`).CombinedOutput()
	if err != nil {
		t.Fatalf("query: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	f := strings.Split(lines[len(lines)-1], ",")
	got := make([]int, len(f))
	for i, s := range f {
		got[i], _ = strconv.Atoi(s)
	}
	if got[0] != n || got[1] != n || got[2] != 3*n || got[3] != 3*n {
		t.Errorf("after %d kills: referrals %d (%d distinct), attendances %d (%d distinct); want %d and %d exactly once", kills, got[0], got[1], got[2], got[3], n, 3*n)
	}
	if got[6] != 0 {
		t.Errorf("%d referrals carry a source_line that is not their record number", got[6])
	}
	if got[4] < 1 {
		t.Errorf("no succeeded run after the kills")
	}
	t.Logf("clean load %s; %d kills; %d runs recorded abandoned or failed", full.Round(time.Millisecond), kills, got[5])
}

// TestValidate checks extracts without loading: a per-file summary and no database change.
func TestValidate(t *testing.T) {
	dir := csvProject(t, "")
	copyFile(t, fromRoot("pipeline/testdata/good/referrals.csv"), filepath.Join(dir, "extracts", "referrals_0.csv"))
	copyFile(t, fromRoot("pipeline/testdata/malformed/ref_unknown_sex.csv"), filepath.Join(dir, "extracts", "referrals_1.csv"))
	copyFile(t, fromRoot("pipeline/testdata/malformed/att_orphan.csv"), filepath.Join(dir, "extracts", "attendances_0.csv"))
	var out, errb bytes.Buffer
	code := Main([]string{"validate", "--config", filepath.Join(dir, "socrx.yaml"), "--log-format", "json"}, &out, &errb)
	if code != 0 {
		t.Fatalf("validate exited %d: %s", code, errb.String())
	}
	for _, want := range []string{"referrals_1.csv", "unknown_code=1", "attendances_0.csv", "orphan_attendance=1", "ROWS OK"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("validate output lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "db", "socrx.duckdb")); err == nil {
		t.Errorf("validate created the database")
	}
	// A refused file: exit 1 with one line naming it.
	copyFile(t, fromRoot("pipeline/testdata/malformed/ref_us_dates.csv"), filepath.Join(dir, "extracts", "referrals_2.csv"))
	out.Reset()
	errb.Reset()
	code = Main([]string{"validate", "--config", filepath.Join(dir, "socrx.yaml"), "--log-format", "json"}, &out, &errb)
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if code != 1 || !strings.Contains(lines[len(lines)-1], "referrals_2.csv: line 3: column referral_date") {
		t.Errorf("exit %d, last stderr line %q", code, lines[len(lines)-1])
	}
	if !strings.Contains(out.String(), "failed") {
		t.Errorf("summary does not mark the refused file:\n%s", out.String())
	}
}

// csvProject makes a project directory with an empty extracts/ and a socrx.yaml reading
// referral and attendance CSVs from it, with extra (YAML lines) after the database line.
func csvProject(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "extracts"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := "database: db/socrx.duckdb\n" + extra + `sources:
  referrals:   { path: "extracts/referrals*.csv" }
  attendances: { path: "extracts/attendances*.csv" }
`
	if err := os.WriteFile(filepath.Join(dir, "socrx.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunSteps: `run --steps` runs the listed steps in the usual order, as a scheduled
// job would, and refuses an unknown one (a usage error, exit 2) before opening anything.
func TestRunSteps(t *testing.T) {
	dir := csvProject(t, "publish: db/published/socrx.duckdb\n")
	cfg := filepath.Join(dir, "socrx.yaml")
	copyFile(t, fromRoot("pipeline/testdata/good/referrals.csv"), filepath.Join(dir, "extracts", "referrals_0.csv"))
	copyFile(t, fromRoot("pipeline/testdata/good/attendances.csv"), filepath.Join(dir, "extracts", "attendances_0.csv"))
	var out, errb bytes.Buffer
	code := Main([]string{"run", "--config", cfg, "--log-format", "json", "--steps", "ingest,bogus"}, &out, &errb)
	if code != 2 || strings.Count(errb.String(), "\n") != 1 || !strings.Contains(errb.String(), `unknown step "bogus"`) {
		t.Errorf("unknown step: exit %d, stderr %q", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "db")); err == nil {
		t.Errorf("a refused --steps opened the database")
	}
	out.Reset()
	errb.Reset()
	code = Main([]string{"run", "--config", cfg, "--log-format", "json", "--logical-date", "2024-06-30", "--steps", "publish, ingest,transform"}, &out, &errb)
	if code != 0 {
		t.Fatalf("run --steps exited %d: %s", code, errb.String())
	}
	var steps []string
	for _, l := range strings.Split(out.String(), "\n")[1:] {
		if f := strings.Fields(l); len(f) > 0 {
			steps = append(steps, f[0])
		}
	}
	if got := strings.Join(steps, ","); got != "ingest,transform,publish" {
		t.Errorf("ran %s, want ingest,transform,publish:\n%s", got, out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "db", "published", "socrx.duckdb")); err != nil {
		t.Errorf("publish did not run: %v", err)
	}
}
