package sqlfiles

import (
	"testing"
	"testing/fstest"
)

func TestFileAndTemplate(t *testing.T) {
	fsys := fstest.MapFS{
		"sql/one.sql":  {Data: []byte("SELECT 1")},
		"sql/cols.sql": {Data: []byte("SELECT {{join .Cols \", \"}} FROM {{.Table}}")},
	}
	if got := File(fsys, "one"); got != "SELECT 1" {
		t.Errorf("File = %q", got)
	}
	got := Template(fsys, "cols", struct {
		Cols  []string
		Table string
	}{[]string{"a", "b"}, "t"})
	if got != "SELECT a, b FROM t" {
		t.Errorf("Template = %q", got)
	}
	for name, f := range map[string]func(){
		"missing file":  func() { File(fsys, "none") },
		"missing field": func() { Template(fsys, "cols", map[string]any{"Cols": []string{"a"}}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
