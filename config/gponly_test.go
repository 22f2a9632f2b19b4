package config

import (
	"path/filepath"
	"testing"
)

// TestGPOnly: a config with the GP record's extracts and no platform extracts loads
// (GP-only use, design §10, §12), with the ethnicity codelist's category column.
func TestGPOnly(t *testing.T) {
	cfg, err := Load(filepath.Join("testdata", "gp-only.good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources.Referrals) != 0 || len(cfg.Sources.Attendances) != 0 || len(cfg.Sources.GPEvents) != 1 || len(cfg.Sources.GPPatients) != 1 {
		t.Errorf("sources: %+v", cfg.Sources)
	}
	if cl := cfg.Codelists[RoleEthnicity]; cl.Columns.Category != "Grouping_16" || cl.Columns.Code != "code" {
		t.Errorf("ethnicity codelist: %+v", cl)
	}
}
