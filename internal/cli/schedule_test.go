package cli

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/socrx/socrx/pipeline"
)

// scheduleConfig is a project whose one job ingests, transforms and publishes. data_end
// is fixed so that marts depend on the data only, not on when a run happened.
func scheduleConfig(t *testing.T, dir, cron, lockWait string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "extracts"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`database: db/socrx.duckdb
publish: db/published/socrx.duckdb
data_end: 2025-03-31
sources:
  referrals:   { path: "extracts/referrals*.csv" }
  attendances: { path: "extracts/attendances*.csv" }
schedule:
  lock_wait: %s
  stop_timeout: 30s
  run_missed: once
  retries: { attempts: 5, backoff: 1s }
  jobs:
    - { name: cycle, cron: %q, steps: [ingest, transform, publish] }
`, lockWait, cron)
	if err := os.WriteFile(filepath.Join(dir, "socrx.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeBatch delivers extract batch k: n referrals and 3n attendances, written under a
// name the globs do not match, dated in the past and renamed into place, as a careful
// upstream delivers files (so the scheduler has no reason to wait for them to settle).
func writeBatch(t *testing.T, dir string, k, n int) {
	t.Helper()
	lsoas := []string{"E01021988", "E01000001", "E01017787", "E01033570", "E01012011"}
	rng := rand.New(rand.NewPCG(uint64(k), 9))
	var rb, ab strings.Builder
	rb.WriteString("referral_id,person_id,scheme_id,practice_code,referral_date,referral_source,outcome,lsoa_code,sex,age,ethnic_category\n")
	ab.WriteString("attendance_id,referral_id,attendance_date,setting,status,worker_id,provider_id,mode\n")
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("R%02d%05d", k, i)
		d := base.AddDate(0, 0, rng.IntN(500))
		fmt.Fprintf(&rb, "%s,P%02d%05d,S%d,A8100%d,%s,gp,accepted,%s,F,%d,A\n", id, k, i, 1+i%3, i%5, d.Format("02/01/2006"), lsoas[i%5], 20+i%70)
		for j := 0; j < 3; j++ {
			fmt.Fprintf(&ab, "A%02d%05d-%d,%s,%s,link_worker,attended,W%d,,telephone\n", k, i, j, id, d.AddDate(0, 0, 7*(j+1)).Format("02/01/2006"), rng.IntN(9))
		}
	}
	old := time.Now().Add(-time.Hour)
	for name, body := range map[string]string{fmt.Sprintf("referrals_%02d.csv", k): rb.String(), fmt.Sprintf("attendances_%02d.csv", k): ab.String()} {
		tmp := filepath.Join(dir, "extracts", ".incoming-"+name)
		if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(tmp, old, old); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "extracts", name)); err != nil {
			t.Fatal(err)
		}
	}
}

// scheduler is a running `socrx schedule` child whose JSON log lines arrive as events.
type scheduler struct {
	cmd    *exec.Cmd
	events chan map[string]any
	mu     sync.Mutex
	stderr []string
}

func startScheduler(t *testing.T, dir string) *scheduler {
	t.Helper()
	s := &scheduler{cmd: socrx(t, dir, "schedule", "--log-format", "json"), events: make(chan map[string]any, 100000)}
	pipe, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pipe)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.stderr = append(s.stderr, line)
			s.mu.Unlock()
			var ev map[string]any
			if json.Unmarshal([]byte(line), &ev) == nil {
				s.events <- ev
			}
		}
		close(s.events)
	}()
	return s
}

func (s *scheduler) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.stderr, "\n")
}

// waitFor reads events until one satisfies ok. The limit only stops a broken test from
// hanging; nothing is asserted about how long anything takes.
func (s *scheduler) waitFor(t *testing.T, what string, ok func(map[string]any) bool) map[string]any {
	t.Helper()
	limit := time.After(90 * time.Second)
	for {
		select {
		case ev, open := <-s.events:
			if !open {
				t.Fatalf("scheduler exited while waiting for %s:\n%s", what, s.log())
			}
			if ok(ev) {
				return ev
			}
		case <-limit:
			t.Fatalf("no %s after 90s:\n%s", what, s.log())
		}
	}
}

// stop sends SIGTERM and returns the exit code.
func (s *scheduler) stop(t *testing.T) int {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for range s.events { // drain so the child never blocks on a full pipe
	}
	s.cmd.Wait()
	return s.cmd.ProcessState.ExitCode()
}

func runFinished(status string, rows int) func(map[string]any) bool {
	return func(ev map[string]any) bool {
		return ev["message"] == "run finished" && ev["status"] == status && (rows < 0 || ev["rows"] == float64(rows))
	}
}

// snapshotView is what one read of the published snapshot saw.
type snapshotView struct {
	runID                  int64
	referrals, attendances int64
	episodes               int64
	files                  map[string]int64 // base name → loading run id
}

// readSnapshot opens the published snapshot read-only, as a researcher would, and reads
// its run id, row counts and file list in one connection.
func readSnapshot(ctx context.Context, path string) (snapshotView, error) {
	v := snapshotView{files: map[string]int64{}}
	db, err := pipeline.OpenDB(ctx, path, pipeline.DBOptions{ReadOnly: true})
	if err != nil {
		return v, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return v, err
	}
	defer conn.Close()
	if err := conn.QueryRowContext(ctx, `SELECT (SELECT run_id FROM snapshot_info), (SELECT count(*) FROM referrals),
		(SELECT count(*) FROM attendances), (SELECT count(*) FROM episode_metrics)`).Scan(&v.runID, &v.referrals, &v.attendances, &v.episodes); err != nil {
		return v, err
	}
	rows, err := conn.QueryContext(ctx, `SELECT path, run_id FROM ingested_files WHERE kind IN ('referrals', 'attendances')`)
	if err != nil {
		return v, err
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var id int64
		if err := rows.Scan(&p, &id); err != nil {
			return v, err
		}
		v.files[filepath.Base(p)] = id
	}
	return v, rows.Err()
}

// TestScheduleReadersSeeWholeRuns is the headline test of issue 7: `socrx schedule` runs
// an @every job for several cycles while extract batches arrive and a reader queries the
// published snapshot in a tight loop. Every query succeeds, and every snapshot holds
// exactly the rows of the files its run id and earlier runs committed (whole runs only);
// its marts were built from those same rows. SIGTERM then stops the scheduler with exit 0.
// A soak: long runs only (the default run checks a snapshot's contents in package
// pipeline's TestSnapshotRunRowSucceeded).
func TestScheduleReadersSeeWholeRuns(t *testing.T) {
	longOnly(t)
	// waits on the scheduler's log, not on the clock, so it may share the cores
	t.Parallel()
	dir := t.TempDir()
	scheduleConfig(t, dir, "@every 2s", "30s")
	batches, n := 5, 200
	writeBatch(t, dir, 0, n)
	s := startScheduler(t, dir)
	defer s.cmd.Process.Kill()

	snap := filepath.Join(dir, "db", "published", "socrx.duckdb")
	var views []snapshotView
	var failures []string
	queries := 0
	done := make(chan struct{})
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := os.Stat(snap); err != nil {
				time.Sleep(10 * time.Millisecond) // nothing published yet
				continue
			}
			queries++
			v, err := readSnapshot(context.Background(), snap)
			if err != nil {
				failures = append(failures, err.Error())
				continue
			}
			views = append(views, v)
			// a reader every few milliseconds still meets each snapshot many times, and
			// leaves the cores to the scheduler it is watching
			time.Sleep(15 * time.Millisecond)
		}
	}()

	for k := 0; k < batches; k++ {
		if k > 0 {
			writeBatch(t, dir, k, n)
		}
		s.waitFor(t, fmt.Sprintf("a run loading batch %d", k), func(ev map[string]any) bool {
			return runFinished("succeeded", -1)(ev) && ev["rows"].(float64) >= float64(4*n)
		})
	}
	// One more cycle with nothing new: the snapshot is republished unchanged.
	s.waitFor(t, "a cycle with no new files", runFinished("succeeded", 0))
	close(done)
	<-readerDone
	if code := s.stop(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM:\n%s", code, s.log())
	}

	// What each run committed, from the working database's own record.
	db, err := pipeline.OpenDB(context.Background(), filepath.Join(dir, "db", "socrx.duckdb"), pipeline.DBOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loadedBy := map[string]int64{}
	rows, err := db.Query(`SELECT path, run_id FROM ingested_files WHERE kind IN ('referrals', 'attendances')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p string
		var id int64
		rows.Scan(&p, &id)
		loadedBy[filepath.Base(p)] = id
	}
	rows.Close()
	var cycles int
	db.QueryRow(`SELECT count(*) FROM runs WHERE status = 'succeeded'`).Scan(&cycles)

	if len(failures) > 0 {
		t.Errorf("%d of %d snapshot queries failed; first: %s", len(failures), queries, failures[0])
	}
	if len(loadedBy) != 2*batches {
		t.Fatalf("%d extract files loaded, want %d", len(loadedBy), 2*batches)
	}
	seen := map[int64]bool{}
	for _, v := range views {
		seen[v.runID] = true
		var wantRef, wantAtt int64
		wantFiles := map[string]int64{}
		for f, id := range loadedBy {
			if id > v.runID {
				continue
			}
			wantFiles[f] = id
			if strings.HasPrefix(f, "referrals") {
				wantRef += int64(n) // the test wrote n referrals and 3n attendances per batch
			} else {
				wantAtt += int64(3 * n)
			}
		}
		if v.referrals != wantRef || v.attendances != wantAtt || v.episodes != wantRef || !sameFiles(v.files, wantFiles) {
			t.Errorf("snapshot of run %d: referrals %d, attendances %d, episodes %d, files %v; want %d, %d, %d, %v",
				v.runID, v.referrals, v.attendances, v.episodes, slices.Sorted(maps.Keys(v.files)), wantRef, wantAtt, wantRef, slices.Sorted(maps.Keys(wantFiles)))
			break
		}
	}
	if len(seen) < 2 {
		t.Errorf("the reader saw %d distinct snapshots; want several", len(seen))
	}
	t.Logf("%d succeeded runs; %d snapshot queries, %d distinct snapshots seen, %d failures", cycles, queries, len(seen), len(failures))
}

func sameFiles(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestScheduleLock: a second scheduler on the same database, or a manual run while a run
// holds the database, waits lock_wait and then refuses naming the holder's pid; a manual
// run while the scheduler is idle goes ahead (the scheduler holds the database only
// during runs).
func TestScheduleLock(t *testing.T) {
	if testing.Short() {
		t.Skip("child-process test")
	}
	cases := []struct {
		name     string
		holder   string // "scheduler": an idle `socrx schedule`; "run": a run holding the database lock
		args     []string
		wantCode int
		wantErr  string // in stderr, with the holder's pid appended
	}{
		{"second scheduler", "scheduler", []string{"schedule", "--log-format", "json"}, 1, "another socrx schedule is running: database is locked by another socrx process (pid "},
		{"manual run during a run", "run", []string{"run", "--log-format", "json"}, 1, "socrx run: database is locked by another socrx process (pid "},
		{"manual run while the scheduler is idle", "scheduler", []string{"run", "--log-format", "json"}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			scheduleConfig(t, dir, "@every 1h", "1s")
			writeBatch(t, dir, 0, 20)
			var pid int
			switch c.holder {
			case "scheduler":
				s := startScheduler(t, dir)
				defer s.stop(t)
				s.waitFor(t, "scheduler started", func(ev map[string]any) bool { return ev["message"] == "scheduler started" })
				pid = s.cmd.Process.Pid
			case "run":
				l, err := pipeline.AcquireLock(context.Background(), filepath.Join(dir, "db", "socrx.duckdb"), 0)
				if err != nil {
					t.Fatal(err)
				}
				defer l.Release()
				pid = os.Getpid()
			}
			cmd := socrx(t, dir, c.args...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != c.wantCode {
				t.Fatalf("exit %d, want %d:\n%s", code, c.wantCode, stderr.String())
			}
			if c.wantErr != "" && !strings.Contains(stderr.String(), c.wantErr+strconv.Itoa(pid)+" holds") {
				t.Errorf("stderr does not refuse naming pid %d:\n%s", pid, stderr.String())
			}
		})
	}
}

// TestScheduleCrash SIGKILLs `socrx schedule` at random points inside its runs, restarting
// it after each kill with a new batch delivered. After the last restart the data equal a
// single clean run's over the same files: nothing lost, nothing doubled; the killed runs
// are recorded as abandoned. A kill trial: long runs only, five kills; SOCRX_CRASH_TRIALS
// sets the number (the 20-trial check is SOCRX_LONG_TESTS=1 SOCRX_CRASH_TRIALS=20 go test
// -run TestScheduleCrash ./internal/cli). The default run's kill is TestKillMidLoad's.
func TestScheduleCrash(t *testing.T) {
	longOnly(t)
	// waits on the scheduler's log, not on the clock, so it may share the cores
	t.Parallel()
	// the first kill lands certainly inside a run (below), the others at random points
	trials := 5
	if v, err := strconv.Atoi(os.Getenv("SOCRX_CRASH_TRIALS")); err == nil && v > 0 {
		trials = v
	}
	const n = 150
	dir := t.TempDir()
	scheduleConfig(t, dir, "@every 1s", "30s")
	rng := rand.New(rand.NewPCG(11, 12))
	kills := 0
	for trial := 0; trial < trials; trial++ {
		writeBatch(t, dir, trial, n)
		s := startScheduler(t, dir)
		// Kill just after a line logged mid-run (a file loaded, ingest or transform
		// finished), the m-th such line, after a random pause of up to 100ms.
		m := 1 + rng.IntN(6)
		pause := time.Duration(rng.IntN(100)) * time.Millisecond
		if trial == 0 {
			m, pause = 1, 0 // at least one kill certainly inside a run
		}
		seen := 0
		s.waitFor(t, "a mid-run log line", func(ev map[string]any) bool {
			mid := ev["message"] == "loaded" || (ev["message"] == "step finished" && ev["step"] != "publish")
			if mid {
				seen++
			}
			return seen == m
		})
		time.Sleep(pause)
		if s.cmd.Process.Signal(syscall.SIGKILL) == nil {
			kills++
		}
		for range s.events {
		}
		s.cmd.Wait()
	}
	// The last restart: let it complete a run with every batch, then stop it.
	s := startScheduler(t, dir)
	s.waitFor(t, "a succeeded run after the kills", runFinished("succeeded", -1))
	s.waitFor(t, "a second succeeded run", runFinished("succeeded", -1))
	if code := s.stop(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM", code)
	}

	// A clean run over the same files.
	clean := t.TempDir()
	scheduleConfig(t, clean, "@every 1s", "30s")
	for k := 0; k < trials; k++ {
		writeBatch(t, clean, k, n)
	}
	if out, err := socrx(t, clean, "run", "--log-format", "json").CombinedOutput(); err != nil {
		t.Fatalf("clean run: %v\n%s", err, out)
	}

	got := fingerprints(t, dir)
	want := fingerprints(t, clean)
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s after %d kills: %s; a clean run gives %s", k, kills, got[k], w)
		}
	}
	if !strings.HasPrefix(got["referrals"], fmt.Sprintf("%d rows (%d distinct)", trials*n, trials*n)) {
		t.Errorf("referrals: %s, want %d rows", got["referrals"], trials*n)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "db", "published", ".*tmp-*")); len(left) > 0 {
		t.Errorf("temporary snapshot copies left behind by killed runs: %v", left)
	}
	var abandoned, running int
	db, err := pipeline.OpenDB(context.Background(), filepath.Join(dir, "db", "socrx.duckdb"), pipeline.DBOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.QueryRow(`SELECT count(*) FILTER (WHERE status = 'abandoned'), count(*) FILTER (WHERE status = 'running') FROM runs`).Scan(&abandoned, &running)
	if abandoned < 1 || abandoned > kills || running != 0 {
		t.Errorf("runs: %d abandoned, %d running after %d kills; want 1..%d abandoned, none running", abandoned, running, kills, kills)
	}
	t.Logf("%d kills, %d runs recorded abandoned; data equal a clean run's", kills, abandoned)
}

// fingerprints hash the core tables of the working database and the marts of the
// published snapshot, leaving out bookkeeping that differs between runs (file ids).
func fingerprints(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, part := range []struct{ file, table, cols string }{
		{"db/socrx.duckdb", "referrals", "* EXCLUDE (source_file_id)"},
		{"db/socrx.duckdb", "attendances", "* EXCLUDE (source_file_id)"},
		{"db/socrx.duckdb", "quarantine", "*"},
		{"db/published/socrx.duckdb", "referrals", "* EXCLUDE (source_file_id)"},
		{"db/published/socrx.duckdb", "episode_metrics", "*"},
		{"db/published/socrx.duckdb", "equity_strata", "*"},
		{"db/published/socrx.duckdb", "continuity_summary", "*"},
	} {
		db, err := pipeline.OpenDB(context.Background(), filepath.Join(dir, part.file), pipeline.DBOptions{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		var rows, distinct int64
		var h string
		cols := part.cols
		if cols == "*" {
			cols = roundedDoubles(t, db, part.table)
		}
		q := fmt.Sprintf(`SELECT count(*), count(DISTINCT CAST(t AS VARCHAR)), coalesce(md5(string_agg(CAST(t AS VARCHAR), '|' ORDER BY CAST(t AS VARCHAR))), '')
			FROM (SELECT %s FROM %s) t`, cols, part.table)
		if err := db.QueryRow(q).Scan(&rows, &distinct, &h); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		db.Close()
		key := part.table
		if strings.Contains(part.file, "published") {
			key = "published " + key
		}
		out[key] = fmt.Sprintf("%d rows (%d distinct) %s", rows, distinct, h)
	}
	return out
}

// roundedDoubles is a select list of table's columns with doubles rounded to 9 places:
// parallel sums add in no fixed order, so a mean agrees to rounding, not to the bit,
// between databases that reached the same rows by different runs.
func roundedDoubles(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	rows, err := db.Query(`SELECT column_name, data_type FROM information_schema.columns
		WHERE table_catalog = current_database() AND table_name = ? ORDER BY ordinal_position`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c, typ string
		if err := rows.Scan(&c, &typ); err != nil {
			t.Fatal(err)
		}
		c = `"` + c + `"`
		if typ == "DOUBLE" {
			c = "round(" + c + ", 9) AS " + c
		}
		cols = append(cols, c)
	}
	return strings.Join(cols, ", ")
}
