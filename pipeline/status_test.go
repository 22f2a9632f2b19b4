package pipeline

import "testing"

func TestHealthy(t *testing.T) {
	for _, c := range []struct {
		name   string
		runs   []RunRecord
		health bool
	}{
		{"no runs yet", nil, true},
		{"succeeded", []RunRecord{{Status: "succeeded"}}, true},
		{"running", []RunRecord{{Status: "running"}}, true},
		{"failed", []RunRecord{{Status: "failed", Error: "ingest: referrals.csv:12: bad header"}}, false},
		{"abandoned", []RunRecord{{Status: "abandoned"}}, false},
		{"stopped by request", []RunRecord{{Status: "failed", Error: StoppedPrefix + ": before ingest: stop requested"}}, true},
		{"only the latest counts", []RunRecord{{Status: "succeeded"}, {Status: "failed"}}, true},
		{"a failure after a stop", []RunRecord{{Status: "failed", Error: "transform: out of memory"}, {Status: "failed", Error: StoppedPrefix}}, false},
	} {
		if got := (Status{Runs: c.runs}).Healthy(); got != c.health {
			t.Errorf("%s: healthy %v, want %v", c.name, got, c.health)
		}
	}
}
