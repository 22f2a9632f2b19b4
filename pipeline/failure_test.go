package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/pipeline"
)

// TestFailureBeforeRunRowRecorded: a run that fails before its runs row can be written
// exits with an error and leaves a one-line record beside the database, which status
// reports (unhealthy) whether or not the database can be read, until a later run succeeds
// and removes it.
func TestFailureBeforeRunRowRecorded(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		break_ func(t *testing.T, f *fixture) // makes the next run fail before its row
		fix    func(t *testing.T, f *fixture)
		want   string // in the recorded error
	}{
		{
			name:   "DuckDB out of memory at open (memory_limit below what config allows)",
			break_: func(t *testing.T, f *fixture) { f.cfg.MemoryLimit = "1KB" },
			fix:    func(t *testing.T, f *fixture) { f.cfg.MemoryLimit = "1GB" },
			want:   "Out of Memory",
		},
		{
			name: "a file that is not a DuckDB database",
			break_: func(t *testing.T, f *fixture) {
				p := f.runner().DBPath()
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, []byte("referral_id,person_id\nR1,P1\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			fix:  func(t *testing.T, f *fixture) { os.Remove(f.runner().DBPath()) },
			want: "opening database",
		},
		{
			name: "the database path is a directory",
			break_: func(t *testing.T, f *fixture) {
				if err := os.MkdirAll(f.runner().DBPath(), 0o755); err != nil {
					t.Fatal(err)
				}
			},
			fix:  func(t *testing.T, f *fixture) { os.Remove(f.runner().DBPath()) },
			want: "opening database",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, testConfig)
			f.put("good/referrals.csv", "referrals_0.csv")
			f.put("good/attendances.csv", "attendances_0.csv")
			r := f.runner()
			st, err := r.Status(context.Background(), 5)
			if err != nil || !st.Healthy() || st.Failure != nil || !strings.Contains(st.Source, "not created yet") {
				t.Fatalf("status before any database: %v, %+v", err, st)
			}
			c.break_(t, f)
			spec := pipeline.RunSpec{Job: "nightly", Trigger: pipeline.TriggerSchedule, Logical: logical, Steps: []string{"ingest"}}
			rec, err := f.runner().Run(context.Background(), spec)
			if err == nil || rec != nil {
				t.Fatalf("run: %+v, %v; want an error and no record", rec, err)
			}
			fail := pipeline.ReadFailure(r.DBPath())
			if fail == nil {
				t.Fatalf("no record at %s", pipeline.FailurePath(r.DBPath()))
			}
			if fail.Job != "nightly" || fail.Trigger != pipeline.TriggerSchedule || !fail.Logical.Equal(logical) ||
				fail.Time.IsZero() || strings.Contains(fail.Error, "\n") || !strings.Contains(fail.Error, c.want) {
				t.Errorf("record %+v; want job, trigger, logical date and one line with %q", fail, c.want)
			}
			if strings.Contains(fail.Error, "R1") || strings.Contains(fail.Error, "P1") {
				t.Errorf("record quotes data: %q", fail.Error)
			}
			if fi, err := os.Stat(pipeline.FailurePath(r.DBPath())); err == nil && fi.Mode().Perm()&0o007 != 0 {
				t.Errorf("record is world-accessible: %v", fi.Mode())
			}
			st, err = r.Status(context.Background(), 5)
			if err != nil {
				t.Fatalf("status after the failure: %v", err)
			}
			var out bytes.Buffer
			st.Print(&out)
			if st.Healthy() || st.Failure == nil || !strings.Contains(out.String(), "FAILED before it could be recorded") ||
				!strings.Contains(out.String(), "nightly") {
				t.Errorf("status healthy %v after a failure before the run row:\n%s", st.Healthy(), out.String())
			}
			c.fix(t, f)
			if rec, err := f.runner().Run(context.Background(), spec); err != nil || rec.Status != "succeeded" {
				t.Fatalf("run after the fix: %+v, %v", rec, err)
			}
			if _, err := os.Stat(pipeline.FailurePath(r.DBPath())); !os.IsNotExist(err) {
				t.Errorf("record left after a successful run: %v", err)
			}
			if st, err := r.Status(context.Background(), 5); err != nil || !st.Healthy() {
				t.Errorf("status after a successful run: %v, %+v", err, st)
			}
		})
	}
}

// TestFailureRecordOnlyForRealFailures: a run refused because another process holds the
// lock is not recorded (its holder is running), nor is one stopped while waiting.
func TestFailureRecordOnlyForRealFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testConfig)
	f.cfg.Schedule.LockWait.Duration = 50 * time.Millisecond
	l, err := pipeline.AcquireLock(context.Background(), f.runner().DBPath(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	spec := pipeline.RunSpec{Job: "run", Trigger: pipeline.TriggerManual, Logical: logical, Steps: []string{"ingest"}}
	if _, err := f.runner().Run(context.Background(), spec); err == nil {
		t.Fatal("ran while locked")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.runner().Run(ctx, spec); err == nil {
		t.Fatal("ran when cancelled")
	}
	if fail := pipeline.ReadFailure(f.runner().DBPath()); fail != nil {
		t.Errorf("recorded %+v", fail)
	}
}

// TestFailureRecordedBySchedulerWithoutRunRow: the scheduler records a job that gave up
// on the lock (it cannot write a runs row while another process holds the database), and
// a start-up that cannot read the run history (it exits, and may be restarted in a loop).
func TestFailureRecordedBySchedulerWithoutRunRow(t *testing.T) {
	t.Parallel()
	t.Run("gave up on the lock", func(t *testing.T) {
		t.Parallel()
		f, s, _ := scheduleFixture(t, "")
		f.cfg.Schedule.Retries = config.Retries{Attempts: 1}
		f.cfg.Schedule.LockWait.Duration = 50 * time.Millisecond
		l, err := pipeline.AcquireLock(context.Background(), f.runner().DBPath(), 0)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Release()
		ctx := context.Background()
		if _, _, err := s.RunJob(ctx, ctx, f.cfg.Schedule.Jobs[0], pipeline.TriggerSchedule, logical); err == nil {
			t.Fatal("ran while locked")
		}
		fail := pipeline.ReadFailure(f.runner().DBPath())
		if fail == nil || fail.Job != "nightly" || !strings.Contains(fail.Error, "gave up after 1 attempts") {
			t.Errorf("record %+v", fail)
		}
	})
	t.Run("run history unreadable at start-up", func(t *testing.T) {
		t.Parallel()
		f, s, _ := scheduleFixture(t, "")
		p := f.runner().DBPath()
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("not a database"), 0o644)
		if err := s.Run(context.Background()); err == nil {
			t.Fatal("scheduler started on a broken database")
		}
		fail := pipeline.ReadFailure(p)
		if fail == nil || fail.Job != "schedule" || !strings.Contains(fail.Error, "reading run history at start-up") {
			t.Errorf("record %+v", fail)
		}
	})
}

// TestSnapshotRunRowSucceeded: publish is the last step, so the snapshot's runs row for
// its own run reads succeeded with its finish time, exactly as the working database's
// row does afterwards.
func TestSnapshotRunRowSucceeded(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testConfig)
	f.put("good/referrals.csv", "referrals_0.csv")
	f.put("good/attendances.csv", "attendances_0.csv")
	rec, err := f.runner().Run(context.Background(), pipeline.RunSpec{Job: "nightly", Trigger: pipeline.TriggerManual,
		Logical: logical, Steps: []string{"ingest", "publish"}})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		status, steps, hashes string
		finished              time.Time
		hasError              bool
	}
	read := func(path string) row {
		db, err := pipeline.OpenDB(context.Background(), path, pipeline.DBOptions{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var r row
		if err := db.QueryRow(`SELECT status, finished_at, steps, input_hashes, error IS NOT NULL FROM runs WHERE run_id = ?`, rec.ID).
			Scan(&r.status, &r.finished, &r.steps, &r.hashes, &r.hasError); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return r
	}
	snap, work := read(f.runner().PublishPath()), read(f.runner().DBPath())
	if snap.status != "succeeded" || snap.hasError || snap.finished.IsZero() {
		t.Errorf("snapshot's own run row: %+v; want succeeded with a finish time", snap)
	}
	if snap != work {
		t.Errorf("snapshot row %+v\nworking row  %+v; want the same", snap, work)
	}
	if !work.finished.Equal(rec.Finished) {
		t.Errorf("finished_at %s, run record %s", work.finished, rec.Finished)
	}
	var steps []pipeline.StepResult
	if err := json.Unmarshal([]byte(snap.steps), &steps); err != nil || len(steps) != 2 || steps[1].Step != "publish" {
		t.Errorf("snapshot steps %s (%v); want ingest and publish", snap.steps, err)
	}
}

// fakeClock is the scheduler's clock in TestEveryFixedInterval: After advances it rather
// than sleeping, and each run takes runFor of it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.advance(d)
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch
}

// runClock advances the fake clock by a run's length as each run finishes, records the
// run's logical date, and stops the scheduler after n runs.
type runClock struct {
	clock    *fakeClock
	runFor   time.Duration
	n        int
	stop     context.CancelFunc
	mu       sync.Mutex
	logicals []time.Time
	warned   int
}

func (w *runClock) Write(p []byte) (int, error) {
	var ev struct {
		Message string    `json:"message"`
		Logical time.Time `json:"logical_date"`
		Status  string    `json:"status"`
		RunID   int64     `json:"run_id"`
	}
	if json.Unmarshal(p, &ev) == nil {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch {
		case ev.Message == "run finished" && ev.RunID > 0:
			w.clock.advance(w.runFor)
			w.logicals = append(w.logicals, ev.Logical.UTC())
			if len(w.logicals) == w.n {
				w.stop()
			}
		case strings.HasPrefix(ev.Message, "firings passed while another run was in progress"):
			w.warned++
		}
	}
	return len(p), nil
}

// TestEveryFixedInterval: `@every 1h` fires on a fixed grid of real time counted from the
// scheduler's start, whatever each run's length; firings that pass during a long run are
// coalesced into one run (README "Runs never overlap"), still on the grid.
func TestEveryFixedInterval(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return start.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	cases := []struct {
		name      string
		runFor    time.Duration
		want      []time.Time
		coalesced int // warnings that firings were coalesced
	}{
		{"runs shorter than the interval", 25 * time.Minute, []time.Time{at(1, 0), at(2, 0), at(3, 0), at(4, 0)}, 0},
		{"a run longer than the interval: the next firing runs late, on the grid", 70 * time.Minute,
			[]time.Time{at(1, 0), at(2, 0), at(3, 0), at(4, 0)}, 0},
		{"a run over two intervals: the passed firings coalesce", 130 * time.Minute,
			[]time.Time{at(1, 0), at(3, 0), at(5, 0)}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, testConfig)
			f.cfg.Schedule.Jobs = []config.Job{{Name: "hourly", Cron: "@every 1h", Steps: []string{"publish"}}}
			clock := &fakeClock{now: start}
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			w := &runClock{clock: clock, runFor: c.runFor, n: len(c.want), stop: stop}
			log := zerolog.New(w)
			r := f.runner()
			r.Log = log
			s := &pipeline.Scheduler{Runner: r, Log: log, Now: clock.Now, After: clock.After}
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(time.Minute):
				stop()
				t.Fatal("scheduler did not make the runs in a minute")
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			if len(w.logicals) != len(c.want) {
				t.Fatalf("runs at %v, want %v", w.logicals, c.want)
			}
			for i := range c.want {
				if !w.logicals[i].Equal(c.want[i]) {
					t.Errorf("run %d: logical date %s, want %s (all: %v)", i+1, w.logicals[i].Format("15:04"), c.want[i].Format("15:04"), w.logicals)
				}
			}
			if w.warned != c.coalesced {
				t.Errorf("%d coalescing warnings, want %d", w.warned, c.coalesced)
			}
		})
	}
}
