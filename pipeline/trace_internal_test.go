package pipeline

import (
	"bytes"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzTraceLine: whatever a statement and its arguments hold, a traced line decodes to
// the same statement and values (text that is not UTF-8 excepted: JSON replaces its bad
// bytes, and socrx's statements and settings are UTF-8); and no line, however broken,
// makes decoding panic.
func FuzzTraceLine(f *testing.F) {
	f.Add("SELECT ?, ?, ?, ?", int64(3), 0.25, "a\n\"b\"", true, int64(1700000000), []byte(`{"sql":"x","args":[{"t":"int","v":"x"}]}`))
	f.Add("INSERT INTO t VALUES (?)", int64(-1), -0.0, "", false, int64(0), []byte(`{"sql":"SELECT 1","args":[{"t":"time","v":"2024-01-02T03:04:05Z"}]}`))
	f.Add("\x00", int64(1<<62), 1e300, "é", true, int64(-1), []byte("{"))
	f.Fuzz(func(t *testing.T, q string, i int64, x float64, s string, b bool, sec int64, raw []byte) {
		_, _, _ = decodeTraceLine(raw) // must not panic
		if q == "" || x != x {         // nothing to trace; NaN equals nothing
			return
		}
		when := time.Unix(sec%(1<<35), 0).UTC() // years RFC 3339 can write
		var buf bytes.Buffer
		tr := newTracer(&buf)
		tr.record(q, []any{i, x, s, b, when, nil})
		if *tr.err != nil {
			t.Fatal(*tr.err)
		}
		gq, got, err := decodeTraceLine(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		if err != nil {
			t.Fatalf("decoding %q: %v", buf.String(), err)
		}
		if utf8.ValidString(q) && gq != q {
			t.Errorf("statement %q came back %q", q, gq)
		}
		if got[0] != i || got[1] != x || got[3] != b || !got[4].(time.Time).Equal(when) || got[5] != nil {
			t.Errorf("arguments %v, %v, %v, %v, nil came back %v", i, x, b, when, got)
		}
		if utf8.ValidString(s) && got[2] != s {
			t.Errorf("string %q came back %q", s, got[2])
		}
	})
}
