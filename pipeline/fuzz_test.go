package pipeline_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzIngestReferrals feeds arbitrary bytes to a real ingest as a referrals extract: the
// reader, staging, row and set rules and quarantine must never panic; a refused file
// gives a one-line error and leaves the database empty; an accepted one accounts for
// every loaded row in referrals.
//
// Each input is a whole ingest into a new database (a copy of an empty migrated one), and
// coverage-guided fuzzing of it stalls; run it unguided:
//
//	go test -c -o /tmp/pipe.test ./pipeline && cd pipeline &&
//	/tmp/pipe.test -test.run '^$' -test.fuzz FuzzIngestReferrals -test.fuzztime 60s -test.fuzzcachedir /tmp/fuzz
func FuzzIngestReferrals(f *testing.F) {
	for _, dir := range []string{"testdata/good", "testdata/malformed", "testdata/formats"} {
		names, _ := filepath.Glob(filepath.Join(dir, "ref*.csv"))
		for _, n := range names {
			if b, err := os.ReadFile(n); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		t.Parallel() // the seed corpus runs in parallel; fuzzing ignores it
		fx := newFixture(t, testConfig)
		emptyDatabase(t, fx)
		if err := os.WriteFile(filepath.Join(fx.dir, "extracts", "referrals.csv"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := fx.ingest()
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			if n := fx.count("SELECT count(*) FROM referrals"); n != 0 {
				t.Fatalf("a refused file left %d referrals", n)
			}
			return
		}
		loaded := fx.count("SELECT coalesce(sum(rows_loaded), 0) FROM ingested_files WHERE kind = 'referrals'")
		if n := fx.count("SELECT count(*) FROM referrals"); n != loaded {
			t.Fatalf("%d rows recorded loaded, %d in referrals", loaded, n)
		}
	})
}
