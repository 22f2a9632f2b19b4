package pipeline_test

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"github.com/socrx/socrx/pipeline"
)

// TestStoppedRunsReadAsStopped: status reads a stopped run as stopped, and healthy,
// whether recorded as such or, by an older socrx, as failed with an error starting
// pipeline.StoppedPrefix; a failed run after it is not healthy.
func TestStoppedRunsReadAsStopped(t *testing.T) {
	t.Parallel()
	f := baseline(t)
	stopped := pipeline.StoppedPrefix + ": before ingest: stop requested"
	for _, c := range []struct {
		name, status, err string
		want              pipeline.RunStatus
		healthy           bool
	}{
		{"stopped", "stopped", stopped, pipeline.RunStopped, true},
		{"stopped, recorded by an older socrx", "failed", stopped, pipeline.RunStopped, true},
		{"failed", "failed", "referrals.csv: bad header", pipeline.RunFailed, false},
	} {
		f.exec(`INSERT INTO runs (run_id, job, trigger, logical_date, started_at, finished_at, status, error)
			SELECT max(run_id) + 1, 'nightly', 'schedule', TIMESTAMP '2024-07-01 02:00', TIMESTAMP '2024-07-01 02:00',
				TIMESTAMP '2024-07-01 02:01', ?, ? FROM runs`, c.status, c.err)
		st, err := f.runner().Status(context.Background(), 5)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Runs[0].Status; got != c.want || st.Healthy() != c.healthy {
			t.Errorf("%s: read as %s, healthy %v; want %s, healthy %v", c.name, got, st.Healthy(), c.want, c.healthy)
		}
		var out bytes.Buffer
		st.Print(&out)
		if !regexp.MustCompile(`\b` + string(c.want) + ` +` + regexp.QuoteMeta(c.err)).MatchString(out.String()) {
			t.Errorf("%s: status does not show %s with its error:\n%s", c.name, c.want, out.String())
		}
	}
}
