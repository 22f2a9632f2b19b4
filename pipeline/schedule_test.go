package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/connectors/synthetic"
	"github.com/socrx/socrx/pipeline"
)

func london(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestScheduleClockChanges checks design §7 on Europe/London's clock changes: a time in
// the spring-forward gap (01:00–02:00 local) fires at 02:00 BST, the first instant after
// it; a time in the repeated autumn hour (01:00–02:00 local twice) fires once, at its first
// occurrence; @every counts real time.
func TestScheduleClockChanges(t *testing.T) {
	t.Parallel()
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name, cron, from string
		want             []string // successive firings, UTC
	}{
		{"normal winter day", "30 1 * * *", "2026-01-10T12:00:00Z", []string{"2026-01-11T01:30:00Z", "2026-01-12T01:30:00Z"}},
		{"normal summer day", "30 1 * * *", "2026-06-10T12:00:00Z", []string{"2026-06-11T00:30:00Z", "2026-06-12T00:30:00Z"}},
		// 01:30 on 29 March 2026 does not exist in London; 02:00 BST (01:00Z) is the first instant after.
		{"spring 2026: gap time runs at 02:00 BST", "30 1 * * *", "2026-03-28T12:00:00Z",
			[]string{"2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"}},
		{"spring 2025: gap time runs at 02:00 BST", "30 1 * * *", "2025-03-29T12:00:00Z",
			[]string{"2025-03-30T01:00:00Z", "2025-03-31T00:30:00Z"}},
		{"spring 2026: 01:00 is in the gap too", "0 1 * * *", "2026-03-28T12:00:00Z",
			[]string{"2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z"}},
		{"spring 2026: every 30 min collapses the gap into one firing", "*/30 * * * *", "2026-03-29T00:10:00Z",
			[]string{"2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z"}},
		{"spring 2026: 02:00 itself is unaffected", "0 2 * * *", "2026-03-28T12:00:00Z",
			[]string{"2026-03-29T01:00:00Z", "2026-03-30T01:00:00Z"}},
		{"autumn 2026: repeated hour runs once", "30 1 * * *", "2026-10-24T12:00:00Z",
			[]string{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
		{"autumn 2025: repeated hour runs once", "30 1 * * *", "2025-10-25T12:00:00Z",
			[]string{"2025-10-26T00:30:00Z", "2025-10-27T01:30:00Z"}},
		{"autumn 2026: from inside the second pass", "30 1 * * *", "2026-10-25T01:10:00Z",
			[]string{"2026-10-26T01:30:00Z"}},
		{"autumn 2026: every 30 min skips the second pass", "*/30 * * * *", "2026-10-24T23:10:00Z",
			[]string{"2026-10-24T23:30:00Z", "2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T02:00:00Z", "2026-10-25T02:30:00Z"}},
		{"@daily across autumn", "@daily", "2026-10-24T12:00:00Z", []string{"2026-10-24T23:00:00Z", "2026-10-26T00:00:00Z"}},
		{"@every counts real time across autumn", "@every 30m", "2026-10-25T00:50:00Z",
			[]string{"2026-10-25T01:20:00Z", "2026-10-25T01:50:00Z", "2026-10-25T02:20:00Z"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := pipeline.ParseSchedule(c.cron, london(t))
			if err != nil {
				t.Fatal(err)
			}
			at := utc(c.from)
			for i, w := range c.want {
				at = s.Next(at)
				if !at.Equal(utc(w)) {
					t.Fatalf("firing %d after %s: got %s (%s), want %s", i+1, c.from, at.UTC().Format(time.RFC3339),
						at.In(london(t)).Format("15:04 MST"), w)
				}
			}
		})
	}
}

// TestScheduleOncePerDay walks two years of a daily 01:30 job across four clock changes:
// exactly one firing on every local day, never two, never none.
func TestScheduleOncePerDay(t *testing.T) {
	t.Parallel()
	loc := london(t)
	s, err := pipeline.ParseSchedule("30 1 * * *", loc)
	if err != nil {
		t.Fatal(err)
	}
	days := map[string]int{}
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, loc)
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, loc)
	for at = s.Next(at); at.Before(end); at = s.Next(at) {
		days[at.In(loc).Format("2006-01-02")]++
	}
	for d := time.Date(2025, 1, 1, 12, 0, 0, 0, loc); d.Before(end); d = d.AddDate(0, 0, 1) {
		if n := days[d.Format("2006-01-02")]; n != 1 {
			t.Errorf("%s: %d firings, want 1", d.Format("2006-01-02"), n)
		}
	}
}

// scheduleFixture is a project with a nightly job at 02:00 London time.
func scheduleFixture(t *testing.T, extra string) (*fixture, *pipeline.Scheduler, *bytes.Buffer) {
	t.Helper()
	f := newFixture(t, testConfig+extra)
	// a run with no extracts at all fails; these were written long before any fake clock
	// (the scheduler waits for files modified after its now to settle)
	f.put("good/referrals.csv", "referrals_0.csv")
	f.put("good/attendances.csv", "attendances_0.csv")
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []string{"referrals_0.csv", "attendances_0.csv"} {
		if err := os.Chtimes(filepath.Join(f.dir, "extracts", n), old, old); err != nil {
			t.Fatal(err)
		}
	}
	f.cfg.Schedule.Jobs = []config.Job{{Name: "nightly", Cron: "0 2 * * *", Steps: []string{"ingest"}}}
	var logs bytes.Buffer
	r := f.runner()
	r.Log = zerolog.New(&syncWriter{w: &logs})
	return f, &pipeline.Scheduler{Runner: r, Log: r.Log, SettleAge: time.Second, SettleProbe: 50 * time.Millisecond}, &logs
}

// syncWriter lets log lines from several goroutines share a buffer.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// TestMissedRuns applies the missed-run policy at start-up to a run history.
func TestMissedRuns(t *testing.T) {
	t.Parallel()
	loc := london(t)
	day := func(d int) time.Time { return time.Date(2026, 3, d, 2, 0, 0, 0, loc) }
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, loc)
	type past struct {
		logical time.Time
		status  string // succeeded, failed, abandoned, stopped; "stopped, old": as recorded before the stopped state
	}
	cases := []struct {
		name    string
		policy  string
		history []past
		want    time.Time // the catch_up run's logical date; zero: none
	}{
		{"once: last night missed", "once", []past{{day(1), "succeeded"}}, day(4)},
		{"skip: last night missed", "skip", []past{{day(1), "succeeded"}}, time.Time{}},
		{"once: nothing missed", "once", []past{{day(1), "succeeded"}, {day(4), "succeeded"}}, time.Time{}},
		{"once: no history, nothing to catch up", "once", nil, time.Time{}},
		{"once: last night's run was killed", "once", []past{{day(3), "succeeded"}, {day(4), "abandoned"}}, day(4)},
		{"once: last night's run was stopped", "once", []past{{day(3), "succeeded"}, {day(4), "stopped"}}, day(4)},
		{"once: last night's run was stopped, recorded by an older socrx", "once", []past{{day(3), "succeeded"}, {day(4), "stopped, old"}}, day(4)},
		{"once: last night's run failed on bad data", "once", []past{{day(3), "succeeded"}, {day(4), "failed"}}, time.Time{}},
		{"skip: last night's run was killed", "skip", []past{{day(3), "succeeded"}, {day(4), "abandoned"}}, time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f, s, logs := scheduleFixture(t, "")
			f.cfg.Schedule.RunMissed = c.policy
			for _, h := range c.history {
				rec, _ := f.runner().Run(context.Background(), pipeline.RunSpec{Job: "nightly", Trigger: pipeline.TriggerSchedule, Logical: h.logical})
				if h.status != "succeeded" {
					f.exec(`UPDATE runs SET status = ?, error = ? WHERE run_id = ?`, map[string]string{
						"failed": "failed", "abandoned": "abandoned", "stopped": "stopped", "stopped, old": "failed"}[h.status],
						map[string]string{"failed": "referrals.csv: bad header", "abandoned": "killed",
							"stopped":      "stopped before completion: before ingest: stop requested",
							"stopped, old": "stopped before completion: before ingest: stop requested"}[h.status], rec.ID)
				}
			}
			s.Now = func() time.Time { return now }
			jobs, err := s.Jobs()
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := s.CatchUp(ctx, ctx, jobs, now); err != nil {
				t.Fatal(err)
			}
			var got []time.Time
			if len(c.history) > 0 {
				db := f.db()
				rows, err := db.Query(`SELECT logical_date FROM runs WHERE trigger = 'catch_up' AND job = 'nightly' AND status = 'succeeded'`)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var v time.Time
					rows.Scan(&v)
					got = append(got, v)
				}
				rows.Close()
			}
			switch {
			case c.want.IsZero() && len(got) > 0:
				t.Errorf("catch-up runs %v, want none", got)
			case !c.want.IsZero() && (len(got) != 1 || !got[0].Equal(c.want)):
				t.Errorf("catch-up runs %v, want one at %s", got, c.want.UTC())
			}
			if c.policy == "skip" && !strings.Contains(logs.String(), "missed run skipped") {
				t.Errorf("skip policy did not log the skipped run:\n%s", logs.String())
			}
		})
	}
}

// exec runs a statement against the working database.
func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	db, err := pipeline.OpenDB(context.Background(), f.runner().DBPath(), pipeline.DBOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

// TestRetries: transient failures (a source file still being written, the lock held) are
// retried with backoff; a failure that outlasts the attempts is recorded as a failed run.
func TestRetries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		attempts int
		setup    func(t *testing.T, f *fixture, stop <-chan struct{})
		check    func(t *testing.T, f *fixture, rec *pipeline.RunRecord, attempts int, err error)
	}{
		{
			name: "a file written just now delays ingest until it settles", attempts: 20,
			setup: func(t *testing.T, f *fixture, _ <-chan struct{}) {
				f.put("good/referrals.csv", "referrals_0.csv")
				f.put("good/attendances.csv", "attendances_0.csv") // mtime now: still being written, as far as anyone can tell
			},
			check: func(t *testing.T, f *fixture, rec *pipeline.RunRecord, attempts int, err error) {
				if err != nil || rec == nil || rec.Status != "succeeded" {
					t.Fatalf("run: %v %+v", err, rec)
				}
				if attempts < 2 {
					t.Errorf("ran at attempt %d: the fresh file did not delay it", attempts)
				}
				if n := f.count(`SELECT count(*) FROM attendances`); n == 0 {
					t.Errorf("no attendances loaded after the file settled")
				}
			},
		},
		{
			name: "a file that never settles gives a failed run after the attempts", attempts: 3,
			setup: func(t *testing.T, f *fixture, stop <-chan struct{}) {
				f.put("good/referrals.csv", "referrals_0.csv")
				p := filepath.Join(f.dir, "extracts", "referrals_0.csv")
				go func() { // a writer that keeps appending
					for {
						select {
						case <-stop:
							return
						case <-time.After(20 * time.Millisecond):
							os.Chtimes(p, time.Now(), time.Now())
						}
					}
				}()
			},
			check: func(t *testing.T, f *fixture, rec *pipeline.RunRecord, attempts int, err error) {
				if !errors.Is(err, pipeline.ErrUnsettled) || attempts != 3 {
					t.Fatalf("err %v after %d attempts; want ErrUnsettled after 3", err, attempts)
				}
				if rec == nil || rec.Status != "failed" {
					t.Fatalf("no failed run record: %+v", rec)
				}
				if n := f.count(`SELECT count(*) FROM runs WHERE status = 'failed' AND error LIKE 'gave up after 3 attempts: source file still being written: referrals_0.csv%'`); n != 1 {
					t.Errorf("%d failed runs naming the file, want 1", n)
				}
				if n := f.count(`SELECT count(*) FROM referrals`); n != 0 {
					t.Errorf("%d referrals loaded from a file still being written", n)
				}
			},
		},
		{
			name: "the lock held throughout: refused naming the holder", attempts: 2,
			setup: func(t *testing.T, f *fixture, _ <-chan struct{}) {
				l, err := pipeline.AcquireLock(context.Background(), f.runner().DBPath(), 0)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { l.Release() })
			},
			check: func(t *testing.T, f *fixture, rec *pipeline.RunRecord, attempts int, err error) {
				if !errors.Is(err, pipeline.ErrLocked) || rec != nil || attempts != 2 {
					t.Fatalf("err %v, rec %+v after %d attempts; want ErrLocked and no record after 2", err, rec, attempts)
				}
				if !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
					t.Errorf("error does not name the holder: %v", err)
				}
			},
		},
		{
			name: "the lock released between attempts: the run goes ahead", attempts: 20,
			setup: func(t *testing.T, f *fixture, _ <-chan struct{}) {
				l, err := pipeline.AcquireLock(context.Background(), f.runner().DBPath(), 0)
				if err != nil {
					t.Fatal(err)
				}
				go func() { time.Sleep(300 * time.Millisecond); l.Release() }()
			},
			check: func(t *testing.T, f *fixture, rec *pipeline.RunRecord, attempts int, err error) {
				if err != nil || rec == nil || rec.Status != "succeeded" || attempts < 2 {
					t.Fatalf("err %v, rec %+v after %d attempts; want success after a retry", err, rec, attempts)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f, s, _ := scheduleFixture(t, "")
			f.cfg.Schedule.Retries = config.Retries{Attempts: c.attempts, Backoff: config.Duration{Duration: 50 * time.Millisecond}}
			f.cfg.Schedule.LockWait.Duration = 100 * time.Millisecond
			stop := make(chan struct{})
			defer close(stop)
			c.setup(t, f, stop)
			ctx := context.Background()
			rec, attempts, err := s.RunJob(ctx, ctx, f.cfg.Schedule.Jobs[0], pipeline.TriggerSchedule, logical)
			c.check(t, f, rec, attempts, err)
		})
	}
}

// TestStopTimeout stops the scheduler while ingest is loading: with a stop_timeout too
// short for the step, its context is cancelled, the ingest transaction rolls back and the
// run is recorded as stopped; Run returns nil (a stop is a clean exit).
func TestStopTimeout(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("loads a few thousand rows")
	}
	f, s, logs := scheduleFixture(t, "")
	if _, err := synthetic.Generate(context.Background(), synthetic.Options{OutDir: filepath.Join(f.dir, "extracts"), Referrals: 20000, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	for _, n := range []string{"referrals.csv", "attendances.csv"} {
		os.Chtimes(filepath.Join(f.dir, "extracts", n), old, old)
	}
	f.cfg.Schedule.Jobs[0].Cron = "@every 1s"
	f.cfg.Schedule.StopTimeout.Duration = time.Millisecond
	ctx, stop := context.WithCancel(context.Background())
	// Stop as soon as the first file of the run has loaded: the next one is in progress.
	s.Log = zerolog.New(&stopWriter{w: &syncWriter{w: logs}, on: `"message":"loaded"`, stop: stop})
	s.Runner.Log = s.Log
	defer time.AfterFunc(time.Minute, stop).Stop() // a safety net, not an assertion
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	if err := <-done; err != nil {
		t.Fatalf("Run after stop: %v", err)
	}
	var status, msg string
	db := f.db()
	if err := db.QueryRow(`SELECT status, error FROM runs ORDER BY run_id DESC LIMIT 1`).Scan(&status, &msg); err != nil {
		t.Fatal(err)
	}
	if status != string(pipeline.RunStopped) || !strings.HasPrefix(msg, pipeline.StoppedPrefix) {
		t.Errorf("stopped run: %s %q", status, msg)
	}
	if n := f.count(`SELECT count(*) FROM referrals`); n != 0 {
		t.Errorf("%d referrals committed by a stopped ingest, want 0 (rolled back)", n)
	}
	if n := f.count(`SELECT count(*) FROM ingested_files`); n != 0 {
		t.Errorf("%d files recorded by a stopped ingest", n)
	}
}

// stopWriter cancels when a log line contains a marker.
type stopWriter struct {
	w    *syncWriter
	on   string
	stop context.CancelFunc
	once sync.Once
}

func (s *stopWriter) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(s.on)) {
		s.once.Do(s.stop)
	}
	return s.w.Write(p)
}
