package model

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestSQLModels(t *testing.T) {
	fsys := fstest.MapFS{
		"a.sql":          {Data: []byte("-- kind: temp\n-- reads: x, y\n-- reads: z\n-- What a is.\nSELECT 1\n")},
		"a.comments.sql": {Data: []byte("COMMENT ON TABLE a IS 'A.';\n")},
		"v.sql":          {Data: []byte("-- kind: view\nSELECT 1\n")},
		"m.sql":          {Data: []byte("-- kind: macro\nCREATE OR REPLACE TEMP MACRO m(x) AS x\n")},
		"nokind.sql":     {Data: []byte("-- reads: x\nSELECT 1\n")},
		"late.sql":       {Data: []byte("SELECT 1\n-- kind: temp\n")},
		"odd.sql":        {Data: []byte("-- kind: materialised\nSELECT 1\n")},
	}
	cases := []struct {
		name     string
		kind     Kind
		reads    []string
		comments bool
		err      string
	}{
		{name: "a", kind: Temp, reads: []string{"x", "y", "z"}, comments: true},
		{name: "v", kind: View},
		{name: "m", kind: Macro},
		{name: "nokind", err: `no "-- kind:" line`},
		{name: "late", err: `no "-- kind:" line`}, // directives lead the file
		{name: "odd", err: `kind "materialised"`},
		{name: "missing", err: "reading model missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ms, err := SQLModels(fsys, c.name)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m := ms[0]
			if m.Name != c.name || m.Kind != c.kind || !slices.Equal(m.Reads, c.reads) || (m.Comments != "") != c.comments {
				t.Errorf("got %s kind %d reads %v comments %q", m.Name, m.Kind, m.Reads, m.Comments)
			}
		})
	}
}

func TestEnvDefinition(t *testing.T) {
	env := NewEnv(Params{}, []Model{{Name: "s", SQL: "-- a comment\nSELECT  1"}, {Name: "g", Build: nil, SQL: ""}})
	if d, err := env.Definition("s"); err != nil || d != "SELECT 1" {
		t.Errorf("Definition(s) = %q, %v", d, err)
	}
	if _, err := env.Definition("nothing"); err == nil {
		t.Error("Definition of no model succeeded")
	}
}
