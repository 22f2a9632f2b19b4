package config

import (
	"os"
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
	if len(cfg.Sources.GPEvents) != 1 || cfg.Sources.GPPatients[0].Mode != "replace" || !cfg.GP.Linked {
		t.Errorf("GP sources: %+v %+v, linked %v", cfg.Sources.GPEvents, cfg.Sources.GPPatients, cfg.GP.Linked)
	}
	if cl := cfg.Codelists["sp_referral"]; cl.Path != "codelists/sp-referral.csv" || cl.Columns.Code != "code" || cl.Columns.Term != "term" {
		t.Errorf("codelist sp_referral: %+v (want default columns code, term)", cl)
	}
}

// TestBad loads every testdata/*.bad.yaml: each must be refused with one line holding
// every fragment its leading "# want: FRAGMENT" comment lines declare (line numbers count
// those comment lines). A new bad file is a new case, with no Go to edit.
func TestBad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.bad.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad files: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			wants := wantLines(t, path)
			_, err := Load(path)
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

// wantLines reads the leading "# want: " lines of a bad file; a file without any is an
// error, so that no bad file passes for refusing anything at all.
func wantLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var wants []string
	for _, line := range strings.Split(string(data), "\n") {
		w, ok := strings.CutPrefix(line, "# want: ")
		if !ok {
			break
		}
		wants = append(wants, w)
	}
	if len(wants) == 0 {
		t.Fatalf("%s declares no '# want: ' line", path)
	}
	return wants
}

func TestCheckDateFormat(t *testing.T) {
	for f, ok := range map[string]bool{"%d/%m/%Y": true, "%Y-%m-%d": true, "%d-%b-%Y": true, "%d%b%Y": true,
		"%H:%M": false, "%d/%m": false, "": false, "%d/%m/%Y;DROP": false} {
		if err := CheckDateFormat(f); (err == nil) != ok {
			t.Errorf("CheckDateFormat(%q) = %v", f, err)
		}
	}
}

// project writes a config into a fresh directory holding extracts/ (and the given extra
// directories) and loads it.
func project(t *testing.T, yaml string, dirs ...string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	for _, d := range append([]string{"extracts"}, dirs...) {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "socrx.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	return dir, err
}

const layoutSources = `sources:
  referrals:   { path: "extracts/ref*.csv" }
  attendances: { path: "extracts/att*.csv" }
`

// TestReportsDirLayoutsRefused: everything under reports leaves the secure environment,
// so a reports directory that is or holds the database, the snapshot, the spill
// directory, the config or an extract folder is refused with one line naming both keys,
// whether reached directly, by "..", or through a symlink; a database beside a reports/
// sub-folder is fine.
func TestReportsDirLayoutsRefused(t *testing.T) {
	cases := []struct {
		name  string
		yaml  string
		setup func(t *testing.T, dir string) // before loading again, e.g. symlinks
		want  []string                       // fragments; none: loads
	}{
		{name: "reports beside the database: fine", yaml: "database: socrx.duckdb\nreports: reports\n"},
		{name: "reports sub-folder of the database's folder: fine", yaml: "database: data/socrx.duckdb\nreports: data/reports\ntemp_directory: data/tmp\n"},
		{name: "reports: . holds everything", yaml: "database: socrx.duckdb\nreports: .\n",
			want: []string{`reports: "." contains database "socrx.duckdb" (line 1)`, `contains the config file "socrx.yaml"`,
				`contains the directory "extracts" of sources.referrals.path`, `contains publish "published/socrx.duckdb"`}},
		{name: "reports is the extracts folder", yaml: "database: socrx.duckdb\nreports: extracts\n",
			want: []string{`line 2: reports: "extracts" is the directory "extracts" of sources.referrals.path (line 4)`,
				`is the directory "extracts" of sources.attendances.path (line 5)`}},
		{name: "reports holds the database by ..", yaml: "database: out/db/socrx.duckdb\nreports: out/share/..\n",
			want: []string{`reports: "out/share/.." contains database "out/db/socrx.duckdb"`}},
		{name: "reports holds the snapshot", yaml: "database: db/socrx.duckdb\npublish: share/snap.duckdb\nreports: share\n",
			want: []string{`line 3: reports: "share" contains publish "share/snap.duckdb" (line 2)`}},
		{name: "reports is the spill directory", yaml: "database: db/socrx.duckdb\ntemp_directory: tmp\nreports: ./tmp/\n",
			want: []string{`reports: "./tmp/" is temp_directory "tmp" (line 2)`}},
		{name: "reports is the extracts folder through a symlink", yaml: "database: db/socrx.duckdb\nreports: share\n",
			setup: func(t *testing.T, dir string) {
				if err := os.Symlink(filepath.Join(dir, "extracts"), filepath.Join(dir, "share")); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{`reports: "share" is the directory "extracts" of sources.referrals.path`}},
		{name: "reports not yet created under a symlink to the project", yaml: "database: db/socrx.duckdb\nreports: link/db\n",
			setup: func(t *testing.T, dir string) {
				if err := os.Symlink(dir, filepath.Join(dir, "link")); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{`reports: "link/db" contains database "db/socrx.duckdb"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, err := project(t, c.yaml+layoutSources)
			if c.setup != nil {
				c.setup(t, dir)
				_, err = Load(filepath.Join(dir, "socrx.yaml"))
			}
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("loaded; want refused")
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestPublishEqualDatabaseRefused: a snapshot published over the working database would
// replace it, however the two paths are spelled.
func TestPublishEqualDatabaseRefused(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"same text", "database: db/x.duckdb\npublish: db/x.duckdb\n", `line 2: publish: "db/x.duckdb" is the same file as database "db/x.duckdb" (line 1)`},
		{"spelled differently", "database: db/x.duckdb\npublish: ./db/../db//x.duckdb\n", `publish: "./db/../db//x.duckdb" is the same file as database`},
		{"through a symlinked folder", "database: db/x.duckdb\npublish: snap/x.duckdb\n", `publish: "snap/x.duckdb" is the same file as database "db/x.duckdb"`},
		{"different files: fine", "database: db/x.duckdb\npublish: db/published/x.duckdb\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, "extracts"), 0o755)
			os.MkdirAll(filepath.Join(dir, "db"), 0o755)
			if err := os.Symlink(filepath.Join(dir, "db"), filepath.Join(dir, "snap")); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "socrx.yaml")
			os.WriteFile(path, []byte(c.yaml+layoutSources), 0o644)
			_, err := Load(path)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error %v; want %q", err, c.want)
			}
		})
	}
}

// TestMemoryLimit: memory_limit is read as DuckDB reads it and refused below the floor.
func TestMemoryLimit(t *testing.T) {
	cases := []struct {
		in    string
		bytes int64 // 0: refused by the parser
	}{
		{"4GB", 4e9}, {"4 gb", 4e9}, {"1.5GB", 1.5e9}, {"512MiB", 512 << 20}, {"2GiB", 2 << 30}, {"64MB", 64e6},
		{"1TB", 1e12}, {"3 gigabytes", 3e9}, {".5GB", 5e8}, {"100K", 1e5},
		{"", 0}, {"4", 0}, {"50%", 0}, {"none", 0}, {"-1", 0}, {"4XB", 0}, {"1e3MB", 0}, {"1,5GB", 0}, {"+1GB", 0},
	}
	for _, c := range cases {
		n, err := ParseMemoryLimit(c.in)
		if c.bytes == 0 {
			if err == nil {
				t.Errorf("ParseMemoryLimit(%q) = %d; want an error", c.in, n)
			}
			continue
		}
		if err != nil || n != c.bytes {
			t.Errorf("ParseMemoryLimit(%q) = %d, %v; want %d", c.in, n, err, c.bytes)
		}
	}
	for limit, ok := range map[string]bool{"128MB": true, "1GB": true, "122MiB": false, "64MB": false, "1KB": false} {
		_, err := project(t, "database: db/x.duckdb\nmemory_limit: "+limit+"\n"+layoutSources)
		if (err == nil) != ok {
			t.Errorf("memory_limit %s: %v", limit, err)
		}
	}
}

// TestUnwritableLocations: a location this user cannot write is refused for commands that
// write, and allowed for those that only read (a monitoring account).
func TestUnwritableLocations(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may write anywhere")
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "extracts"), 0o755)
	locked := filepath.Join(dir, "locked")
	os.MkdirAll(locked, 0o755)
	path := filepath.Join(dir, "socrx.yaml")
	os.WriteFile(path, []byte("database: locked/db/x.duckdb\n"+layoutSources), 0o644)
	if err := os.Chmod(locked, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), `line 1: database: "locked/db/x.duckdb": cannot be created: directory locked cannot be written by this user`) {
		t.Errorf("Load: %v", err)
	}
	if _, err := LoadForReading(path); err != nil {
		t.Errorf("LoadForReading: %v", err)
	}
}
