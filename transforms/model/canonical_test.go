package model

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestCanonicalSQL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"-- a comment\nSELECT  a,\n\tb -- trailing\nFROM t;\n", "SELECT a, b FROM t;"},
		{"SELECT 'two  spaces -- not a comment', \"x  y\"", "SELECT 'two  spaces -- not a comment', \"x  y\""},
		{"SELECT 'it''s  here' /* block\n comment */ FROM t", "SELECT 'it''s  here' FROM t"},
		{"SELECT 1 -\n- 1", "SELECT 1 - - 1"},
		{"", ""},
	}
	for _, c := range cases {
		if got := CanonicalSQL(c.in); got != c.want {
			t.Errorf("CanonicalSQL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// what a fingerprint must see
	if CanonicalSQL("SELECT a FROM t") == CanonicalSQL("SELECT b FROM t") || CanonicalSQL("SELECT 'a b'") == CanonicalSQL("SELECT 'a  b'") {
		t.Error("a change a statement can see left the canonical text alike")
	}
}

func TestWriteCanonical(t *testing.T) {
	fsys := fstest.MapFS{
		"a.sql": {Data: []byte("-- why\nSELECT  1\n")},
		"b.sql": {Data: []byte("SELECT 'x  y'")},
	}
	var b strings.Builder
	if err := WriteCanonical(&b, fsys, "a.sql", "b.sql"); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "SELECT 1\nSELECT 'x  y'\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if err := WriteCanonical(&b, fsys, "missing.sql"); err == nil || !strings.Contains(err.Error(), "missing.sql") {
		t.Errorf("a missing file: %v", err)
	}
}
