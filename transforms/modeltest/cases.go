package modeltest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/socrx/socrx/transforms"
)

// A case directory, testdata/<model>/<case>/ beside the model's package, holds:
//
//	given/<table>.csv  one per input table (referrals, attendances, outcomes, deprivation,
//	                   lsoa_lookup, population, gp_patients, gp_events, codelist_codes),
//	                   columns by name, any subset; an empty cell is NULL
//	given/schemes.csv  optional: scheme_id, name, session_cap, practices (separated by ;)
//	params.csv         optional: name,value rows overriding Params (data_end, period,
//	                   edition, quantiles, engaged_min_contacts, window_contacted,
//	                   window_engaged, window_vcs_uptake, gp_linked) and the float tolerance
//	query.sql          optional: the rows to compare; else want.csv's columns of <model>
//	want.csv           the wanted rows; an empty cell is NULL
//
// Every model is built over the given tables; the rows are compared as a set, matched on
// their columns that are not floating point, and floats within the tolerance (relative to
// the wanted value, absolute below 1; DefaultTolerance unless params.csv says otherwise).

// DefaultTolerance is how far a float may be from its wanted value w: by DefaultTolerance
// × max(1, |w|).
const DefaultTolerance = 1e-9

// givenTable says whether name is an input table a case may fill.
func givenTable(name string) bool {
	switch name {
	case "referrals", "attendances", "outcomes", "deprivation", "lsoa_lookup", "population",
		"gp_patients", "gp_events", "codelist_codes":
		return true
	}
	return false
}

// RunCases runs every case under dir (testdata): one subtest per model and case. Cases
// with the same given tables and params.csv share one build.
func RunCases(t *testing.T, dir string) {
	t.Helper()
	models, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	builds := map[string]*sql.Conn{} // digest of given/ and params.csv → the built database
	ran := 0
	for _, m := range models {
		if !m.IsDir() {
			continue
		}
		cases, err := os.ReadDir(filepath.Join(dir, m.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			if !c.IsDir() {
				continue
			}
			ran++
			path := filepath.Join(dir, m.Name(), c.Name())
			// the builds belong to the parent test, which closes them once every case ran
			parent := t
			t.Run(m.Name()+"/"+c.Name(), func(t *testing.T) { runCase(t, parent, m.Name(), path, builds) })
		}
	}
	if ran == 0 {
		t.Fatalf("no cases under %s", dir)
	}
}

func runCase(t, parent *testing.T, model, dir string, builds map[string]*sql.Conn) {
	tolerance := DefaultTolerance
	conn, err := build(parent, dir, &tolerance, builds)
	if err != nil {
		t.Fatal(err)
	}
	want, err := readCSV(filepath.Join(dir, "want.csv"))
	if err != nil {
		t.Fatal(err)
	}
	query := "SELECT " + strings.Join(quoted(want[0]), ", ") + " FROM " + quoted([]string{model})[0]
	if b, err := os.ReadFile(filepath.Join(dir, "query.sql")); err == nil {
		query = string(b)
	} else if !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	got, err := queryTable(conn, query)
	if err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
	if diff := Compare(got, want, tolerance); diff != "" {
		t.Errorf("%s differs from want.csv:\n%s", model, diff)
	}
}

// build loads a case's given tables into a fresh in-memory DuckDB, closed when t ends, and
// builds every model, or finds the build of a case with the same given tables and
// params.csv in builds.
func build(t *testing.T, dir string, tolerance *float64, builds map[string]*sql.Conn) (*sql.Conn, error) {
	p := Params()
	if err := readParams(filepath.Join(dir, "params.csv"), &p, tolerance); err != nil {
		return nil, err
	}
	digest, err := inputsDigest(dir)
	if err != nil {
		return nil, err
	}
	if conn, ok := builds[digest]; ok {
		return conn, nil
	}
	db, err := open()
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		db.Close()
		return nil, err
	}
	// t is the parent of the case's test, which may share the build; Cleanup, unlike
	// Fatal, may be called from a subtest
	t.Cleanup(func() {
		conn.Close()
		db.Close()
	})
	if err := loadGiven(conn, filepath.Join(dir, "given"), &p); err != nil {
		return nil, err
	}
	if _, err := transforms.Build(context.Background(), conn, p); err != nil {
		return nil, err
	}
	builds[digest] = conn
	return conn, nil
}

// inputsDigest identifies what a case builds from: its given files and params.csv.
func inputsDigest(dir string) (string, error) {
	h := sha256.New()
	entries, err := os.ReadDir(filepath.Join(dir, "given"))
	if err != nil {
		return "", err
	}
	paths := []string{filepath.Join(dir, "params.csv")}
	for _, e := range entries {
		paths = append(paths, filepath.Join(dir, "given", e.Name()))
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(p), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// readParams applies params.csv, when present, to p and tolerance.
func readParams(path string, p *transforms.Params, tolerance *float64) error {
	rows, err := readCSV(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, r := range rows[1:] {
		if len(r) != 2 {
			return fmt.Errorf("%s: want name,value rows", path)
		}
		name, v := r[0], r[1]
		var err error
		atoi := func(dst *int) { *dst, err = strconv.Atoi(v) }
		switch name {
		case "data_end":
			p.DataEnd, err = time.Parse(time.DateOnly, v)
		case "period":
			p.Period = v
		case "edition":
			p.Edition = v
		case "quantiles":
			p.Quantiles = v
		case "engaged_min_contacts":
			atoi(&p.EngagedMinContacts)
		case "window_contacted":
			atoi(&p.WindowContacted)
		case "window_engaged":
			atoi(&p.WindowEngaged)
		case "window_vcs_uptake":
			atoi(&p.WindowVCSUptake)
		case "gp_linked":
			p.GPLinked, err = strconv.ParseBool(v)
		case "tolerance":
			*tolerance, err = strconv.ParseFloat(v, 64)
		default:
			return fmt.Errorf("%s: unknown parameter %q", path, name)
		}
		if err != nil {
			return fmt.Errorf("%s: %s: %w", path, name, err)
		}
	}
	return nil
}

// loadGiven loads given/<table>.csv into the core tables, and given/schemes.csv into
// p.Schemes.
func loadGiven(conn *sql.Conn, dir string, p *transforms.Params) error {
	ctx := context.Background()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		table, ok := strings.CutSuffix(e.Name(), ".csv")
		path := filepath.Join(dir, e.Name())
		switch {
		case !ok || e.IsDir():
			return fmt.Errorf("%s: not a given table", path)
		case table == "schemes":
			if p.Schemes, err = readSchemes(path); err != nil {
				return err
			}
			continue
		case !givenTable(table):
			return fmt.Errorf("%s: %s is not an input table", path, table)
		}
		if _, err := conn.ExecContext(ctx, "SET VARIABLE modeltest_csv = ?", path); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO "+table+" BY NAME SELECT * FROM read_csv(getvariable('modeltest_csv'), header = true)"); err != nil {
			return fmt.Errorf("loading %s: %w", path, err)
		}
	}
	return nil
}

func readSchemes(path string) ([]transforms.Scheme, error) {
	rows, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var out []transforms.Scheme
	for _, r := range rows[1:] {
		s := transforms.Scheme{ID: r[col["scheme_id"]]}
		if i, ok := col["name"]; ok {
			s.Name = r[i]
		}
		if i, ok := col["session_cap"]; ok && r[i] != "" {
			if s.SessionCap, err = strconv.Atoi(r[i]); err != nil {
				return nil, fmt.Errorf("%s: session_cap: %w", path, err)
			}
		}
		if i, ok := col["practices"]; ok && r[i] != "" {
			s.Practices = strings.Split(r[i], ";")
		}
		out = append(out, s)
	}
	return out, nil
}

func readCSV(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no header", path)
	}
	return rows, nil
}

func quoted(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = `"` + strings.ReplaceAll(n, `"`, `""`) + `"`
	}
	return out
}

// Table is a result as the comparison sees it: the column names, which of them are
// floating point, and the rows as text ("" for NULL; floats in full precision).
type Table struct {
	Columns []string
	Float   []bool
	Rows    [][]string
}

func queryTable(conn *sql.Conn, query string) (Table, error) {
	rows, err := conn.QueryContext(context.Background(), query)
	if err != nil {
		return Table{}, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return Table{}, err
	}
	var t Table
	for _, ct := range types {
		t.Columns = append(t.Columns, ct.Name())
		switch strings.ToUpper(ct.DatabaseTypeName()) {
		case "DOUBLE", "FLOAT", "REAL":
			t.Float = append(t.Float, true)
		default:
			t.Float = append(t.Float, strings.HasPrefix(strings.ToUpper(ct.DatabaseTypeName()), "DECIMAL"))
		}
	}
	vals := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return Table{}, err
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = text(v)
		}
		t.Rows = append(t.Rows, row)
	}
	return t, rows.Err()
}

// text writes a value as want.csv would hold it.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		if x.Equal(x.Truncate(24 * time.Hour)) {
			return x.Format(time.DateOnly)
		}
		return x.Format(time.RFC3339Nano)
	case []byte:
		return string(x)
	case *big.Int:
		return x.String()
	}
	return fmt.Sprint(v)
}

// Compare lists, readably, how got differs from want (want[0] its header): the rows
// only one side has, and for rows alike in every column that is not floating point, each
// float further than tolerance (relative) from its wanted value. "" means no difference.
func Compare(got Table, want [][]string, tolerance float64) string {
	var out []string
	if strings.Join(got.Columns, ",") != strings.Join(want[0], ",") {
		return fmt.Sprintf("columns %v, want %v", got.Columns, want[0])
	}
	key := func(r []string) string {
		var parts []string
		for i, v := range r {
			if !got.Float[i] {
				parts = append(parts, got.Columns[i]+"="+show(v))
			}
		}
		return "{" + strings.Join(parts, " ") + "}"
	}
	group := func(rows [][]string) (map[string][][]string, []string) {
		m := map[string][][]string{}
		var keys []string
		for _, r := range rows {
			k := key(r)
			if _, ok := m[k]; !ok {
				keys = append(keys, k)
			}
			m[k] = append(m[k], r)
		}
		return m, keys
	}
	g, _ := group(got.Rows)
	w, wkeys := group(want[1:])
	for _, k := range wkeys {
		gr, wr := g[k], w[k]
		for i := range wr {
			if i >= len(gr) {
				out = append(out, fmt.Sprintf("row %s: wanted, not built", k))
				continue
			}
			for c := range wr[i] {
				if !got.Float[c] {
					continue
				}
				if ok, why := closeEnough(gr[i][c], wr[i][c], tolerance); !ok {
					out = append(out, fmt.Sprintf("row %s: %s: got %s, want %s%s", k, got.Columns[c], show(gr[i][c]), show(wr[i][c]), why))
				}
			}
		}
		for i := len(wr); i < len(gr); i++ {
			out = append(out, fmt.Sprintf("row %s: built, not wanted", k))
		}
	}
	var extra []string
	for k, gr := range g {
		if _, ok := w[k]; !ok {
			for range gr {
				extra = append(extra, fmt.Sprintf("row %s: built, not wanted", k))
			}
		}
	}
	sort.Strings(extra)
	return strings.Join(append(out, extra...), "\n")
}

func show(v string) string {
	if v == "" {
		return "NULL"
	}
	return v
}

// closeEnough compares a float as text with its wanted value.
func closeEnough(got, want string, tolerance float64) (bool, string) {
	if got == "" || want == "" {
		return got == want, ""
	}
	g, err1 := strconv.ParseFloat(got, 64)
	w, err2 := strconv.ParseFloat(want, 64)
	if err1 != nil || err2 != nil {
		return got == want, ""
	}
	if g == w || (math.IsNaN(g) && math.IsNaN(w)) {
		return true, ""
	}
	// relative to the wanted value, or absolute below 1 (a wanted 0 is met by 1e-17)
	d, scale := math.Abs(g-w), math.Max(1, math.Abs(w))
	if d <= tolerance*scale {
		return true, ""
	}
	return false, fmt.Sprintf(" (off by %.3g > %g × %g)", d, tolerance, scale)
}
