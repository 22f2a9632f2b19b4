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
		{"stopped by request", []RunRecord{{Status: RunStopped, Error: StoppedPrefix + ": before ingest: stop requested"}}, true, nil},
		{"only the latest counts", []RunRecord{{Status: "succeeded"}, {Status: "failed"}}, true, nil},
		{"a failure after a stop", []RunRecord{{Status: "failed", Error: "transform: out of memory"}, {Status: RunStopped, Error: StoppedPrefix}}, false, nil},
		{"an unknown state", []RunRecord{{Status: "paused"}}, false, nil},
		{"failed before any run was recorded", nil, false, &Failure{Error: "opening database: out of memory"}},
		{"failed before its row, after a success", []RunRecord{{Status: "succeeded"}}, false, &Failure{Error: "migrating schema"}},
	} {
		if got := (Status{Runs: c.runs, Failure: c.failure}).Healthy(); got != c.health {
			t.Errorf("%s: healthy %v, want %v", c.name, got, c.health)
		}
	}
}

// TestRecordedStatus: a stopped run recorded by an older socrx (failed, its error starting
// StoppedPrefix) reads as stopped; every other row as recorded.
func TestRecordedStatus(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status, err string
		want        RunStatus
	}{
		{"stopped", StoppedPrefix + ": before ingest: stop requested", RunStopped},
		{"failed", StoppedPrefix + ": before ingest: stop requested", RunStopped},
		{"failed", "referrals.csv: bad header", RunFailed},
		{"failed", "", RunFailed},
		{"succeeded", "", RunSucceeded},
		{"abandoned", StoppedPrefix, RunAbandoned},
	} {
		if got := recordedStatus(c.status, c.err); got != c.want {
			t.Errorf("recordedStatus(%q, %q) = %q, want %q", c.status, c.err, got, c.want)
		}
	}
}

// TestRunStates: which states status alerts on and which count as done for catch-up.
func TestRunStates(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status        RunStatus
		healthy, done bool
	}{
		{RunRunning, true, false},
		{RunSucceeded, true, true},
		{RunFailed, false, true},
		{RunAbandoned, false, false},
		{RunStopped, true, false},
	} {
		if got := c.status.Healthy(); got != c.healthy {
			t.Errorf("%s: healthy %v, want %v", c.status, got, c.healthy)
		}
		if got := c.status.Done(); got != c.done {
			t.Errorf("%s: done %v, want %v", c.status, got, c.done)
		}
	}
}
