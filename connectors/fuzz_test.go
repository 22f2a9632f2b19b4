package connectors

import (
	"database/sql"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	_ "github.com/duckdb/duckdb-go/v2"
)

// Run a target for a minute with, e.g.:
//   go test ./connectors -run '^$' -fuzz FuzzDateExpr -fuzztime 60s

func openDuck(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec("CREATE TEMP TABLE v (x VARCHAR)"); err != nil {
		t.Fatal(err)
	}
	return db
}

// eval evaluates a SQL expression over column x of a one-row table holding value.
func eval(t testing.TB, db *sql.DB, expr, value string) (sql.NullString, error) {
	t.Helper()
	if _, err := db.Exec("DELETE FROM v"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO v VALUES (?)", value); err != nil {
		return sql.NullString{}, err
	}
	var out sql.NullString
	err := db.QueryRow("SELECT CAST(" + expr + " AS VARCHAR) FROM v").Scan(&out)
	return out, err
}

var fuzzFormats = [][]string{{"%d/%m/%Y"}, {"%Y-%m-%d", "%d-%b-%Y"}, {"%d%b%Y"}}

func FuzzDateExpr(f *testing.F) {
	for _, s := range []string{"03/02/2024", "31/02/2024", "2024-02-29", "03-Feb-2024", "04JAN2021", "12/31/2024", "", " 1/2/2024 ", "01/02/24", "\x00", "99/99/9999"} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
	}
	db := openDuck(f)
	f.Fuzz(func(t *testing.T, value string, which uint8) {
		if !utf8.ValidString(value) {
			t.Skip("the CSV reader refuses files that are not UTF-8 before values are parsed")
		}
		formats := fuzzFormats[int(which)%len(fuzzFormats)]
		got, err := eval(t, db, DateExpr(Clean("x"), formats), value)
		if err != nil {
			t.Fatalf("DateExpr(%q) errored: %v", value, err)
		}
		if !got.Valid {
			return
		}
		d, err := time.Parse("2006-01-02", got.String)
		if err != nil {
			t.Fatalf("DateExpr(%q) = %q: not a date", value, got.String)
		}
		if d.Year() < 1900 || d.Year() > 2199 {
			t.Fatalf("DateExpr(%q) = %s: year out of range", value, got.String)
		}
		// The date printed back in one of the formats must parse to itself.
		again, err := eval(t, db, DateExpr("x", formats), strftime(d, formats[0]))
		if err != nil || again.String != got.String {
			t.Fatalf("round trip of %q: %s → %q (%v)", value, got.String, again.String, err)
		}
	})
}

// strftime prints d in the small directive set socrx accepts.
func strftime(d time.Time, f string) string {
	r := strings.NewReplacer("%d", d.Format("02"), "%m", d.Format("01"), "%Y", d.Format("2006"), "%b", d.Format("Jan"), "%B", d.Format("January"), "%y", d.Format("06"))
	return r.Replace(f)
}

func FuzzMapExpr(f *testing.F) {
	f.Add("DNA", "dna", "DNA")
	f.Add("Attended", "attended", " attended ")
	f.Add("it's", "o'clock", "it's")
	f.Add(`a"b`, "x", `A"B`)
	f.Add("", "", "")
	db := openDuck(f)
	f.Fuzz(func(t *testing.T, key, val, input string) {
		if !utf8.ValidString(key) || !utf8.ValidString(val) || !utf8.ValidString(input) {
			t.Skip("config and extracts are UTF-8")
		}
		expr := MapExpr(Clean("x"), map[string]string{key: val}, true)
		got, err := eval(t, db, expr, input)
		if err != nil {
			t.Fatalf("MapExpr(%q→%q) on %q errored: %v", key, val, input, err)
		}
		in := strings.Trim(input, TrimSet)
		k := strings.Trim(key, TrimSet)
		switch {
		case in == "":
			if got.Valid {
				t.Fatalf("blank input mapped to %q", got.String)
			}
		case in == k:
			if got.String != val {
				t.Fatalf("%q with mapping %q→%q gave %q", input, key, val, got.String)
			}
		}
	})
}

func FuzzSniffHeader(f *testing.F) {
	f.Add([]byte("a,b,c\n1,2,3\n"))
	f.Add([]byte("\xef\xbb\xbfa,\"b,c\"\r1,2\r"))
	f.Add([]byte("\"unclosed,a\nb"))
	f.Add([]byte{0xff, 0xfe, 'a', 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := sniffHeader("f.csv", data, ',')
		if err != nil {
			if _, ok := err.(*FileError); !ok {
				t.Fatalf("error is not a FileError: %v", err)
			}
			return
		}
		if len(l.Header) == 0 {
			t.Fatal("no header and no error")
		}
		seen := map[string]bool{}
		for _, h := range l.Header {
			if h == "" || seen[strings.ToLower(h)] {
				t.Fatalf("bad header %q", l.Header)
			}
			seen[strings.ToLower(h)] = true
		}
	})
}

func TestNHSNumberCheck(t *testing.T) {
	db := openDuck(t)
	for v, want := range map[string]string{"9434765919": "true", "943 476 5919": "true", "9434765918": "false", "123": "false", "abcdefghij": "false", "": "false"} {
		got, err := eval(t, db, NHSNumberValidExpr("x"), v)
		if err != nil {
			t.Fatal(err)
		}
		if got.String != want {
			t.Errorf("NHS check of %q = %s, want %s", v, got.String, want)
		}
	}
}

func TestDateExprFormats(t *testing.T) {
	db := openDuck(t)
	cases := []struct {
		formats []string
		in      string
		want    string
	}{
		{[]string{"%d/%m/%Y"}, "03/02/2024", "2024-02-03"},
		{[]string{"%d/%m/%Y"}, "31/02/2024", ""},
		{[]string{"%d/%m/%Y"}, "01/02/24", ""}, // year 24 is impossible
		{[]string{"%Y-%m-%d", "%d-%b-%Y"}, "03-Feb-2024", "2024-02-03"},
		{[]string{"%d%b%Y"}, "04JAN2021", "2021-01-04"},
		{[]string{"%d/%m/%Y"}, "not known", ""},
	}
	for _, c := range cases {
		got, err := eval(t, db, DateExpr("x", c.formats), c.in)
		if err != nil {
			t.Fatal(err)
		}
		if got.String != c.want {
			t.Errorf("%v %q = %q, want %q", c.formats, c.in, got.String, c.want)
		}
	}
}

// FuzzIntExpr: a value parses as an integer exactly when it is written as digits (with
// an optional sign, or thousands grouped by commas), and then to the number written: no
// rounding of 45.5, no exponents, no hex.
func FuzzIntExpr(f *testing.F) {
	for _, s := range []string{"45", "45.5", "1e2", "0x2D", "29,199", "1,2345", "-3", "+7", " 12 ", "", "٣", "9223372036854775808", "00012"} {
		f.Add(s)
	}
	db := openDuck(f)
	f.Fuzz(func(t *testing.T, value string) {
		if !utf8.ValidString(value) {
			t.Skip("the CSV reader refuses files that are not UTF-8 before values are parsed")
		}
		got, err := eval(t, db, IntExpr(Clean("x")), value)
		if err != nil {
			t.Fatalf("IntExpr(%q) errored: %v", value, err)
		}
		want, ok := strictInt(strings.Trim(value, TrimSet))
		if got.Valid != ok || (ok && got.String != strconv.FormatInt(want, 10)) {
			t.Fatalf("IntExpr(%q) = %v %q, want %v %d", value, got.Valid, got.String, ok, want)
		}
	})
}

// strictInt is the Go statement of IntExpr's rule.
func strictInt(s string) (int64, bool) {
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 || body == "" {
		return 0, false
	}
	if strings.Contains(body, ",") {
		groups := strings.Split(body, ",")
		if len(groups[0]) < 1 || len(groups[0]) > 3 {
			return 0, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, false
			}
		}
		body = strings.Join(groups, "")
	}
	for _, r := range body {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s[:len(s)-len(strings.TrimLeft(s, "+-"))]+body, 10, 64)
	return n, err == nil
}

// FuzzMaskFreeText: after masking, free text holds no ten digits in the NHS number's
// 3-3-4 shape and no postcode, and text without a digit is untouched.
func FuzzMaskFreeText(f *testing.F) {
	for _, s := range []string{"isolation;low_mood", "rang 943 476 5919 today", "9434765919,9434765919", "x9434765919y",
		"lives at SW1A 1AA", "ls1 4ap", "debt 2 years", "12345678901", "943-476-5919", ""} {
		f.Add(s)
	}
	db := openDuck(f)
	nhs := regexp.MustCompile(`(^|[^0-9])[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}([^0-9]|$)`)
	postcode := regexp.MustCompile(`(?i)\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b`)
	f.Fuzz(func(t *testing.T, value string) {
		if !utf8.ValidString(value) || strings.ContainsRune(value, 0) {
			t.Skip("files that are not UTF-8, or hold NUL, are refused before values are parsed")
		}
		got, err := eval(t, db, MaskFreeText("x"), value)
		if err != nil {
			t.Fatalf("MaskFreeText(%q) errored: %v", value, err)
		}
		if !strings.ContainsAny(value, "0123456789") {
			if got.String != value {
				t.Fatalf("MaskFreeText(%q) = %q: text without a digit changed", value, got.String)
			}
			return
		}
		if nhs.MatchString(got.String) || postcode.MatchString(got.String) {
			t.Fatalf("MaskFreeText(%q) = %q: an identifier is left", value, got.String)
		}
	})
}
