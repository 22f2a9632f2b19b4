package pipeline

import "testing"

func TestHealthy(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		runs    []RunRecord
		health  bool
		failure *Failure
	}{
		{"no runs yet", nil, true, nil},
		{"succeeded", []RunRecord{{Status: "succeeded"}}, true, nil},
		{"running", []RunRecord{{Status: "running"}}, true, nil},
		{"failed", []RunRecord{{Status: "failed", Error: "ingest: referrals.csv:12: bad header"}}, false, nil},
		{"abandoned", []RunRecord{{Status: "abandoned"}}, false, nil},
		{"stopped by request", []RunRecord{{Status: "failed", Error: StoppedPrefix + ": before ingest: stop requested"}}, true, nil},
		{"only the latest counts", []RunRecord{{Status: "succeeded"}, {Status: "failed"}}, true, nil},
		{"a failure after a stop", []RunRecord{{Status: "failed", Error: "transform: out of memory"}, {Status: "failed", Error: StoppedPrefix}}, false, nil},
		{"failed before any run was recorded", nil, false, &Failure{Error: "opening database: out of memory"}},
		{"failed before its row, after a success", []RunRecord{{Status: "succeeded"}}, false, &Failure{Error: "migrating schema"}},
	} {
		if got := (Status{Runs: c.runs, Failure: c.failure}).Healthy(); got != c.health {
			t.Errorf("%s: healthy %v, want %v", c.name, got, c.health)
		}
	}
}
