package pipeline_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socrx/socrx/pipeline"
)

// TestReplayTrace: a transform's SQL trace, replayed on a copy of the database as it was
// before the transform, builds the same marts (the bench's bare baseline of the
// aggregates does exactly this work).
func TestReplayTrace(t *testing.T) {
	t.Parallel()
	f, _, day := generatedFixture(t, 1500, 11)
	run := func(spec pipeline.RunSpec) {
		t.Helper()
		spec.Job, spec.Trigger, spec.Logical = "t", pipeline.TriggerManual, day
		if _, err := f.runner().Run(context.Background(), spec); err != nil {
			t.Fatal(err)
		}
	}
	run(pipeline.RunSpec{Steps: []string{"ingest"}})
	before := filepath.Join(t.TempDir(), "before.duckdb")
	b, err := os.ReadFile(f.runner().DBPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(before, b, 0o600); err != nil {
		t.Fatal(err)
	}
	trace := filepath.Join(t.TempDir(), "trace.jsonl")
	run(pipeline.RunSpec{Steps: []string{"transform"}, TraceSQL: trace})
	if fi, err := os.Stat(trace); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("trace file: %v %v", fi, err)
	}
	text, _ := os.ReadFile(trace)
	for _, want := range []string{`"sql":"BEGIN TRANSACTION"`, `"sql":"COMMIT"`, `"t":"int"`, `"t":"string"`, "INSERT INTO referral_facts"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("trace lacks %s", want)
		}
	}
	db, err := sql.Open("duckdb", before)
	if err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(trace)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	n, err := pipeline.ReplayTrace(context.Background(), db, fh)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(text), "\n"); n != lines || n < 50 {
		t.Errorf("replayed %d statements of %d", n, lines)
	}
	compareMarts(t, f.runner().DBPath(), before, "the replayed trace")
}
