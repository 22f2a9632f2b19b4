package pipeline

import (
	"bufio"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/socrx/socrx/transforms"
)

// A SQL trace is every statement a transform ran, in order, one JSON object a line:
// {"sql": "...", "args": [{"t": "int", "v": "3"}, ...]}. ReplayTrace runs it again
// with nothing of socrx around it: the bench's bare DuckDB baseline of the transform's
// aggregates (bench/run.sh), and a way to rerun a slow transform by hand. The
// statements carry the Go models' results (unsuppressed aggregates) as values, so a
// trace belongs in the same secure place as the database.
type traceLine struct {
	SQL  string     `json:"sql"`
	Args []traceArg `json:"args,omitempty"`
}

type traceArg struct {
	T string `json:"t"` // null, int, float, bool, string, time
	V string `json:"v,omitempty"`
}

// tracer records each statement before running it on e.
type tracer struct {
	e   transforms.Execer
	enc *json.Encoder
	err *error // the first failure to record; the transform goes on and it is reported after
}

func newTracer(w io.Writer) tracer {
	var err error
	return tracer{enc: json.NewEncoder(w), err: &err}
}

func (t tracer) on(e transforms.Execer) tracer { t.e = e; return t }

func (t tracer) record(q string, args []any) {
	if *t.err != nil {
		return
	}
	l := traceLine{SQL: q}
	for _, a := range args {
		ta, err := encodeArg(a)
		if err != nil {
			*t.err = err
			return
		}
		l.Args = append(l.Args, ta)
	}
	if err := t.enc.Encode(l); err != nil {
		*t.err = fmt.Errorf("writing the SQL trace: %w", err)
	}
}

func (t tracer) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	t.record(q, args)
	return t.e.ExecContext(ctx, q, args...)
}

func (t tracer) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	t.record(q, args)
	return t.e.QueryContext(ctx, q, args...)
}

func (t tracer) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	t.record(q, args)
	return t.e.QueryRowContext(ctx, q, args...)
}

func encodeArg(a any) (traceArg, error) {
	if v, ok := a.(driver.Valuer); ok {
		dv, err := v.Value()
		if err != nil {
			return traceArg{}, fmt.Errorf("tracing an argument: %w", err)
		}
		a = dv
	}
	switch v := a.(type) {
	case nil:
		return traceArg{T: "null"}, nil
	case int:
		return traceArg{T: "int", V: strconv.Itoa(v)}, nil
	case int32:
		return traceArg{T: "int", V: strconv.FormatInt(int64(v), 10)}, nil
	case int64:
		return traceArg{T: "int", V: strconv.FormatInt(v, 10)}, nil
	case float64:
		return traceArg{T: "float", V: strconv.FormatFloat(v, 'g', -1, 64)}, nil
	case bool:
		return traceArg{T: "bool", V: strconv.FormatBool(v)}, nil
	case string:
		return traceArg{T: "string", V: v}, nil
	case time.Time:
		return traceArg{T: "time", V: v.Format(time.RFC3339Nano)}, nil
	}
	return traceArg{}, fmt.Errorf("tracing an argument of type %T", a)
}

func decodeArg(a traceArg) (any, error) {
	switch a.T {
	case "null":
		return nil, nil
	case "int":
		return strconv.ParseInt(a.V, 10, 64)
	case "float":
		return strconv.ParseFloat(a.V, 64)
	case "bool":
		return strconv.ParseBool(a.V)
	case "string":
		return a.V, nil
	case "time":
		return time.Parse(time.RFC3339Nano, a.V)
	}
	return nil, fmt.Errorf("argument type %q", a.T)
}

// decodeTraceLine reads one line of a trace: the statement and its arguments.
func decodeTraceLine(b []byte) (string, []any, error) {
	var l traceLine
	if err := json.Unmarshal(b, &l); err != nil {
		return "", nil, err
	}
	if l.SQL == "" {
		return "", nil, fmt.Errorf("no statement")
	}
	args := make([]any, len(l.Args))
	for i, a := range l.Args {
		v, err := decodeArg(a)
		if err != nil {
			return "", nil, err
		}
		args[i] = v
	}
	return l.SQL, args, nil
}

// ReplayTrace runs a SQL trace's statements in order on one connection of db, reading
// every row each returns, and says how many it ran.
func ReplayTrace(ctx context.Context, db *sql.DB, r io.Reader) (int, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("replaying: %w", err)
	}
	defer conn.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<30) // the Go models' results come as long INSERT statements
	n := 0
	for sc.Scan() {
		q, args, err := decodeTraceLine(sc.Bytes())
		if err != nil {
			return n, fmt.Errorf("trace line %d: %w", n+1, err)
		}
		rows, err := conn.QueryContext(ctx, q, args...)
		if err != nil {
			return n, fmt.Errorf("trace line %d: %w", n+1, err)
		}
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return n, fmt.Errorf("trace line %d: %w", n+1, err)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("reading the trace: %w", err)
	}
	return n, nil
}
