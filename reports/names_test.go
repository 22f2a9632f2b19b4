package reports

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func h8(id string) string {
	s := sha256.Sum256([]byte(id))
	return hex.EncodeToString(s[:])[:8]
}

var long300 = strings.Repeat("Z", 300)

// TestFileNames checks the naming rule: an id is its own file name only when it is short,
// plain, not reserved and unique ignoring case; otherwise it is sanitised and hashed.
func TestFileNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		ids  []string
		want map[string]string
	}{
		{"plain ids stay", []string{"ALL", "SP01", "sp-2_b"}, map[string]string{"ALL": "ALL", "SP01": "SP01", "sp-2_b": "sp-2_b"}},
		{"a slash cannot overwrite its underscore twin", []string{"SP/01", "SP_01"}, map[string]string{"SP/01": "SP_01-" + h8("SP/01"), "SP_01": "SP_01"}},
		{"ids equal ignoring case are both hashed", []string{"sp01", "SP01"}, map[string]string{"sp01": "sp01-" + h8("sp01"), "SP01": "SP01-" + h8("SP01")}},
		{"index is reserved in any case", []string{"Index"}, map[string]string{"Index": "Index-" + h8("Index")}},
		{"device names are reserved", []string{"con", "LPT1"}, map[string]string{"con": "con-" + h8("con"), "LPT1": "LPT1-" + h8("LPT1")}},
		{"long ids are cut", []string{long300}, map[string]string{long300: strings.Repeat("Z", 64) + "-" + h8(long300)}},
		{"64 characters are plain", []string{strings.Repeat("Y", 64)}, map[string]string{strings.Repeat("Y", 64): strings.Repeat("Y", 64)}},
		{"paths and hosts become one name", []string{"//evil.example/x", "../../etc/passwd"},
			map[string]string{"//evil.example/x": "_evil_example_x-" + h8("//evil.example/x"), "../../etc/passwd": "_etc_passwd-" + h8("../../etc/passwd")}},
		{"empty id", []string{""}, map[string]string{"": "_-" + h8("")}},
		{"control and bidi characters", []string{"S\u202E1\x00"}, map[string]string{"S\u202E1\x00": "S_1_-" + h8("S\u202E1\x00")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fileNames(tc.ids)
			for id, want := range tc.want {
				if got[id] != want {
					t.Errorf("%q → %q, want %q", id, got[id], want)
				}
			}
		})
	}
	// a plain id that equals another's hashed name: both move to the full hash
	twin := "SP_01-" + h8("SP/01")
	got := fileNames([]string{"SP/01", twin})
	if got["SP/01"] == got[twin] || len(got["SP/01"]) != len("SP_01-")+64 || len(got[twin]) != len(twin)+1+64 {
		t.Errorf("a plain id equal to a hashed name: %v", got)
	}
	// names are bounded, safe, distinct ignoring case, and a hashed name does not depend on
	// the other ids (short of such a deliberate twin)
	ids := []string{"SP/01", "SP_01", "sp_01", long300, "index", "", "//evil.example/x", "a\u202Eb", "ALL", "all"}
	names := fileNames(ids)
	seen := map[string]string{}
	for _, id := range ids {
		n := names[id]
		if !regexp.MustCompile(`^[A-Za-z0-9_-]{1,129}$`).MatchString(n) {
			t.Errorf("%q → unsafe or unbounded name %q", id, n)
		}
		if other, ok := seen[strings.ToLower(n)]; ok {
			t.Errorf("%q and %q share the name %q", id, other, n)
		}
		seen[strings.ToLower(n)] = id
	}
	if fileNames([]string{"SP/01"})["SP/01"] != names["SP/01"] {
		t.Error("a hashed name changes with the other ids")
	}
}

// renameSchemes gives the fixture's schemes other ids in every table that has one.
func renameSchemes(t *testing.T, db *sql.DB, ids map[string]string) {
	t.Helper()
	rows, err := db.Query(`SELECT DISTINCT c.table_name FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.column_name = 'scheme_id' AND t.table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		for from, to := range ids {
			if _, err := db.Exec(`UPDATE "`+tb+`" SET scheme_id = ? WHERE scheme_id = ?`, to, from); err != nil {
				t.Fatalf("renaming in %s: %v", tb, err)
			}
		}
	}
}

var reHref = regexp.MustCompile(`href="([^"]*)"`)

// checkLinks checks every link of every page under out: relative, inside out, and
// pointing at a file or directory that exists.
func checkLinks(t *testing.T, out string) (links int) {
	t.Helper()
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".html" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range reHref.FindAllStringSubmatch(string(b), -1) {
			h := m[1]
			if strings.HasPrefix(h, "#") {
				continue
			}
			links++
			if strings.HasPrefix(h, "/") || strings.Contains(h, "//") || strings.Contains(strings.SplitN(h, "/", 2)[0], ":") {
				t.Errorf("%s: link %q is not a plain relative link", p, h)
				continue
			}
			target := filepath.Dir(p)
			for _, seg := range strings.Split(strings.TrimSuffix(h, "/"), "/") {
				u, err := url.PathUnescape(seg)
				if err != nil {
					t.Errorf("%s: link %q: %v", p, h, err)
				}
				target = filepath.Join(target, u)
			}
			if rel, err := filepath.Rel(out, target); err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s: link %q leaves the reports directory", p, h)
			} else if _, err := os.Stat(target); err != nil {
				t.Errorf("%s: link %q points at nothing", p, h)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return links
}

// TestReportNamesLongAndColliding runs the report step with scheme ids that used to
// overwrite each other, fail the step or make links leave the site.
func TestReportNamesLongAndColliding(t *testing.T) {
	for _, tc := range []struct {
		name   string
		s1, s2 string
	}{
		{"slash and underscore", "SP/01", "SP_01"},
		{"300 characters and index", long300, "index"},
		{"equal ignoring case", "sp_01", "SP_01"},
		{"a host and a parent path", "//evil.example/x", "../../x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := fixtureDB(t)
			renameSchemes(t, db, map[string]string{"S1": tc.s1, "S2": tc.s2})
			out := t.TempDir()
			o := testOptions(out)
			o.SchemeNames = nil
			if _, err := Run(context.Background(), db, o); err != nil {
				t.Fatalf("report step: %v", err)
			}
			names := fileNames([]string{"ALL", tc.s1, tc.s2})
			htmls, _ := filepath.Glob(filepath.Join(out, "2024-Q1", "*.html"))
			if len(htmls) != 3 {
				t.Errorf("2024-Q1 has %d reports, want 3 (ALL and two schemes): %v", len(htmls), htmls)
			}
			for _, id := range []string{"ALL", tc.s1, tc.s2} {
				b, err := os.ReadFile(filepath.Join(out, "2024-Q1", names[id]+".html"))
				if err != nil {
					t.Errorf("no report for %.20q: %v", id, err)
					continue
				}
				if id != "ALL" && !strings.Contains(string(b), "<h1>"+htmlText(id)+": social prescribing evaluation</h1>") {
					t.Errorf("the report named for %.20q is not that scheme's", id)
				}
			}
			if n := checkLinks(t, out); n < 10 {
				t.Errorf("checked only %d links", n)
			}
			ScanForDisclosure(t, out, o.Policy)
			// nothing was written outside the reports directory
			if _, err := os.Stat(filepath.Join(filepath.Dir(out), "x.html")); err == nil {
				t.Error("a report escaped the reports directory")
			}
		})
	}
}

// htmlText is s as html/template writes it in text.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

// TestHostileIDsEscapedInHTML: ids, names, practice codes, reasons and file names with
// control and bidi characters are shown escaped wherever a page shows them.
func TestHostileIDsEscapedInHTML(t *testing.T) {
	db := fixtureDB(t)
	s1, s2 := "S\u202E1", "A\x07B\u200F\u2066"
	renameSchemes(t, db, map[string]string{"S1": s1, "S2": s2})
	for _, q := range []string{
		`UPDATE practice_variation SET practice_code = 'P` + "\u202E" + `06' WHERE practice_code = 'P06'`,
		`UPDATE quarantine SET reason = 'bad` + "\u0085\u2028" + `reason', source = 'src` + "\u061C" + `'`,
		`UPDATE ingested_files SET path = '/secure/ref` + "\u202E" + `vsc.exe', kind = 'referrals` + "\u200B" + `'`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	o := testOptions(out)
	o.SchemeNames = map[string]string{s1: "Evil \u202Eeman\u202C"}
	if _, err := Run(context.Background(), db, o); err != nil {
		t.Fatal(err)
	}
	pages := 0
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".html" {
			return err
		}
		pages++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !utf8.Valid(b) {
			t.Errorf("%s is not valid UTF-8", p)
		}
		for i, r := range string(b) {
			if r != '\n' && hidden(r) {
				t.Errorf("%s: unescaped %U at byte %d", p, r, i)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages != 7 {
		t.Errorf("checked %d pages, want 7", pages)
	}
	page, err := os.ReadFile(filepath.Join(out, "2024-Q1", fileNames([]string{s1})[s1]+".html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<title>Evil \u202Eeman\u202C — `,    // the configured name
		`(S\u202E1): social prescribing`,     // the id in the heading
		`>A\u0007B\u200F\u2066</a>`,          // the other scheme in the switcher
		`P\u202E06`,                          // a practice code in the table and chart
		`bad\u0085\u2028reason`, `src\u061C`, // quarantine reason and source
		`ref\u202Evsc.exe`, `referrals\u200B:`, // a file name and kind in provenance
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page does not show %s", want)
		}
	}
	index, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(index), `Evil \u202Eeman\u202C</a> (S\u202E1)`) {
		t.Error("the index does not show the escaped name and id")
	}
	checkLinks(t, out)
}

func TestVisible(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SP01", "SP01"},
		{"Ünïcode — fine ↔ 😀", "Ünïcode — fine ↔ 😀"},
		{"a\u202Eb", `a\u202Eb`},
		{"\x00\x1f\x7f\u0085", `\u0000\u001F\u007F\u0085`},
		{"\u200E\u200F\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069", `\u200E\u200F\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069`},
		{"tag\U000E0041", `tag\U000E0041`},
		{"bad\xffbyte", `bad\xFFbyte`},
		{"real \uFFFD stays", "real \uFFFD stays"},
	} {
		if got := visible(tc.in); got != tc.want {
			t.Errorf("visible(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
