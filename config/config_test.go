package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGood(t *testing.T) {
	for _, name := range []string{"full.good.yaml", "minimal.good.yaml"} {
		t.Run(name, func(t *testing.T) {
			cfg, err := Load(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Disclosure.Threshold != 7 || cfg.Disclosure.Rounding != 5 || *cfg.ReportLagDays != 28 {
				t.Errorf("defaults: %+v", cfg.Disclosure)
			}
			if cfg.Schedule.Timezone != "Europe/London" || cfg.Schedule.LockWait.Duration != 10*time.Minute {
				t.Errorf("schedule defaults: %+v", cfg.Schedule)
			}
			if !filepath.IsAbs(cfg.Resolve(cfg.Database)) {
				t.Errorf("database path %q not resolved against the config's directory", cfg.Resolve(cfg.Database))
			}
		})
	}
	cfg, err := Load(filepath.Join("testdata", "full.good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources.Referrals) != 2 || cfg.Sources.Referrals[1].Mode != "replace" ||
		len(cfg.Sources.Referrals[1].DateFormat) != 2 || cfg.Sources.Referrals[0].SchemeID != "S1" {
		t.Errorf("referral sources: %+v", cfg.Sources.Referrals)
	}
	if cfg.Sources.Attendances[0].Values["status"]["DNA"] != "dna" {
		t.Errorf("value mapping lost: %+v", cfg.Sources.Attendances[0].Values)
	}
	if got, ok := cfg.ConfiguredDataEnd(); !ok || got.Format("2006-01-02") != "2025-03-31" {
		t.Errorf("data_end = %s", got)
	}
}

// TestBad pairs each bad file with the problems it must report, each with its line.
func TestBad(t *testing.T) {
	cases := map[string][]string{
		"unknown-key.bad.yaml":         {"line 3", "date_fromat"},
		"unknown-top.bad.yaml":         {"line 2", "perod"},
		"bad-cron.bad.yaml":            {"line 7: schedule.jobs[0].cron: bad cron expression"},
		"missing-attendances.bad.yaml": {"sources.attendances: is required"},
		"low-threshold.bad.yaml":       {"line 2: disclosure.threshold: 5 is below the minimum of 7"},
		"unreadable-path.bad.yaml":     {"line 3: sources.referrals.path: cannot read directory"},
		"bad-values.bad.yaml": {
			"line 2: period: \"fortnight\"", "line 3: deprivation_edition", "line 5: sources.referrals.mode",
			"sources.referrals.date_format[0]", "line 6: sources.attendances.delimiter", "line 8: schedule.timezone", "schedule.jobs[0].steps[1]: unknown step \"dance\"",
		},
	}
	for name, wants := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", name))
			if err == nil {
				t.Fatal("loaded; want an error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			for _, w := range wants {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
}

func TestCheckDateFormat(t *testing.T) {
	for f, ok := range map[string]bool{"%d/%m/%Y": true, "%Y-%m-%d": true, "%d-%b-%Y": true, "%d%b%Y": true,
		"%H:%M": false, "%d/%m": false, "": false, "%d/%m/%Y;DROP": false} {
		if err := CheckDateFormat(f); (err == nil) != ok {
			t.Errorf("CheckDateFormat(%q) = %v", f, err)
		}
	}
}
