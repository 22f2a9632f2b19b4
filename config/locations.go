package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

// MemoryFloor is the smallest memory_limit accepted, in bytes (128MB in DuckDB's 1000^i
// units). DuckDB allocates some buffers in 64 MiB blocks (the CSV reader's among them), so
// under a limit of about 100MB the first load fails whatever the data ("could not
// allocate block of size 64.0 MiB"), far from the config line that caused it; 128MB is
// the smallest round limit at which the demo runs end to end (DuckDB 1.5, spilling to
// temp_directory). A smaller limit is a typo (4MB for 4GB, 1KB), refused at load.
const MemoryFloor = 128_000_000

// memoryPattern is DuckDB's memory_limit syntax as it accepts it (checked against
// DuckDB 1.5: SET memory_limit): a decimal number, optional spaces and a unit, any case.
// A bare number, a percentage (DuckDB refuses '%'), an exponent and -1/none (no limit) are
// refused here: socrx always runs with a limit, so that spilling starts before the host
// runs out.
var memoryPattern = regexp.MustCompile(`^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([A-Za-z]+)\s*$`)

var memoryUnits = map[string]float64{
	"b": 1, "byte": 1, "bytes": 1,
	"k": 1e3, "kb": 1e3, "kilobyte": 1e3, "kilobytes": 1e3,
	"m": 1e6, "mb": 1e6, "megabyte": 1e6, "megabytes": 1e6,
	"g": 1e9, "gb": 1e9, "gigabyte": 1e9, "gigabytes": 1e9,
	"t": 1e12, "tb": 1e12, "terabyte": 1e12, "terabytes": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// ParseMemoryLimit reads a DuckDB memory size such as 4GB, 512 MiB or 1.5gb into bytes.
func ParseMemoryLimit(s string) (int64, error) {
	m := memoryPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%q is not a size like 4GB, 512MB or 2GiB", s)
	}
	unit, ok := memoryUnits[strings.ToLower(m[2])]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q (want KB, MB, GB, TB or KiB, MiB, GiB, TiB)", s, m[2])
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a size like 4GB: %w", s, err)
	}
	return int64(n * unit), nil
}

// validatePlaces checks memory_limit, the locations socrx writes and their layout; see
// validateLocations for checkAccess.
func (c *Config) validatePlaces(checkAccess bool) []Problem {
	var ps []Problem
	add := func(key, format string, args ...any) {
		ps = append(ps, Problem{Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	c.validateMemory(add)
	c.validateLocations(add, checkAccess)
	c.validateLayout(add)
	return ps
}

func (c *Config) validateMemory(add func(key, format string, args ...any)) {
	n, err := ParseMemoryLimit(c.MemoryLimit)
	if err != nil {
		add("memory_limit", "%v", err)
		return
	}
	if n < MemoryFloor {
		add("memory_limit", "%q is below the minimum of 128MB (DuckDB cannot load an extract in less)", c.MemoryLimit)
	}
}

// validateLocations checks that the places socrx writes can be made: each, or its
// nearest existing ancestor, is a directory (a file for database and publish) that this
// user may write and search. Nothing is created here: validate and status must not.
// With checkAccess false (commands that only read) the permission checks are skipped,
// so a monitoring or research account without write access can still load the config.
func (c *Config) validateLocations(add func(key, format string, args ...any), checkAccess bool) {
	type loc struct {
		key, value string
		file       bool
	}
	for _, l := range []loc{{"database", c.Database, true}, {"publish", c.Publish, true},
		{"reports", c.Reports, false}, {"temp_directory", c.TempDirectory, false}} {
		if l.value == "" {
			continue
		}
		if err := checkWritable(c.Resolve(l.value), l.file, checkAccess, c.show); err != nil {
			add(l.key, "%q: %v", l.value, err)
		}
	}
}

// show names a path in a message: relative to the config's directory when under it, as
// the config file would name it.
func (c *Config) show(p string) string {
	if rel, err := filepath.Rel(c.Dir, p); err == nil && within(c.Dir, p) {
		return rel
	}
	return p
}

// checkWritable reports why p cannot be written (as a file when file is true, else as a
// directory), or nil; show names paths in the message.
func checkWritable(p string, file, checkAccess bool, show func(string) string) error {
	st, err := os.Stat(p)
	switch {
	case err == nil && file && st.IsDir():
		return errors.New("is a directory, not a file")
	case err == nil && file && !st.Mode().IsRegular():
		return errors.New("is not a regular file")
	case err == nil && file:
		if checkAccess && !canAccess(p, 2) { // W_OK
			return errors.New("cannot be written by this user")
		}
		// DuckDB writes its WAL (and socrx its lock) beside the file.
		return checkDirAccess(filepath.Dir(p), checkAccess, show)
	case err == nil && !st.IsDir():
		return errors.New("is a file, not a directory")
	case err == nil:
		return checkDirAccess(p, checkAccess, show)
	}
	// Missing: the nearest existing ancestor must be a directory we can create it in.
	dir := filepath.Dir(p)
	for {
		st, err := os.Stat(dir)
		if err == nil {
			if !st.IsDir() {
				return fmt.Errorf("cannot be created: %s is not a directory", show(dir))
			}
			if err := checkDirAccess(dir, checkAccess, show); err != nil {
				return fmt.Errorf("cannot be created: %w", err)
			}
			return nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return fmt.Errorf("cannot be created: no existing directory above it")
		}
		dir = parent
	}
}

func checkDirAccess(dir string, checkAccess bool, show func(string) string) error {
	if checkAccess && !canAccess(dir, 2|1) { // W_OK|X_OK
		return fmt.Errorf("directory %s cannot be written by this user", show(dir))
	}
	return nil
}

// canAccess asks the kernel (access(2)), which knows about ACLs, read-only mounts and
// root, rather than guessing from permission bits.
func canAccess(p string, mode uint32) bool {
	return syscall.Access(p, mode) == nil
}

// pathRef is a configured path for the layout checks: the key that set it, the value as
// written (for messages) and its cleaned absolute form with symlinks resolved.
type pathRef struct {
	what  string // how a message names it, e.g. `database "db/x.duckdb" (line 1)`
	canon string
}

// validateLayout refuses layouts that would let something out: everything under
// reports is meant to leave the secure environment (it is what analysts forward), so the
// reports directory must not be or contain the database, the snapshot, the spill
// directory, the config or any extract folder; and a snapshot published over the working
// database would replace it.
func (c *Config) validateLayout(add func(key, format string, args ...any)) {
	ref := func(key, value string) pathRef {
		what := fmt.Sprintf("%s %q", key, value)
		if l := c.positions[key]; l > 0 {
			what += fmt.Sprintf(" (line %d)", l)
		}
		return pathRef{what: what, canon: canonical(c.Resolve(value))}
	}
	if c.Database != "" && c.Publish != "" {
		db, pub := ref("database", c.Database), ref("publish", c.Publish)
		if db.canon == pub.canon {
			add("publish", "%q is the same file as %s: the snapshot would be renamed over the working database", c.Publish, db.what)
		}
	}
	if c.Reports == "" {
		return
	}
	reports := canonical(c.Resolve(c.Reports))
	var inside []pathRef
	if c.Database != "" {
		inside = append(inside, ref("database", c.Database))
	}
	if c.Publish != "" {
		inside = append(inside, ref("publish", c.Publish))
	}
	if c.TempDirectory != "" {
		inside = append(inside, ref("temp_directory", c.TempDirectory))
	}
	if c.Path != "" {
		inside = append(inside, pathRef{what: fmt.Sprintf("the config file %q", filepath.Base(c.Path)), canon: canonical(c.Path)})
	}
	for _, s := range c.sourcePaths() {
		base := globBase(s.path)
		r := pathRef{what: fmt.Sprintf("the directory %q of %s", base, s.key), canon: canonical(c.Resolve(base))}
		if l := c.positions.line(s.key); l > 0 {
			r.what += fmt.Sprintf(" (line %d)", l)
		}
		inside = append(inside, r)
	}
	seen := map[string]bool{}
	for _, r := range inside {
		if !within(reports, r.canon) || seen[r.what] {
			continue
		}
		seen[r.what] = true
		verb := "contains"
		if r.canon == reports {
			verb = "is"
		}
		add("reports", "%q %s %s: everything under reports is meant to leave the secure environment", c.Reports, verb, r.what)
	}
}

// sourceRef is one configured source path with its key, e.g. sources.referrals[1].path.
type sourceRef struct{ key, path string }

// sourcePaths lists every source's path. It reads the kinds off the Sources struct, so a
// kind added there is covered without another list to keep in step.
func (c *Config) sourcePaths() []sourceRef {
	var out []sourceRef
	v := reflect.ValueOf(c.Sources)
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		list, ok := v.Field(i).Interface().(SourceList)
		if !ok {
			continue
		}
		kind := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		for j, s := range list {
			if s.Path == "" {
				continue
			}
			key := "sources." + kind
			if len(list) > 1 {
				key = fmt.Sprintf("%s[%d]", key, j)
			}
			out = append(out, sourceRef{key: key + ".path", path: s.Path})
		}
	}
	return out
}

// globBase is the directory a source path reads from: the directory of a plain file, the
// deepest directory above any glob character of a pattern.
func globBase(p string) string {
	dir := filepath.Dir(p)
	for strings.ContainsAny(dir, "*?[") {
		dir = filepath.Dir(dir)
	}
	return dir
}

// canonical is p cleaned, absolute, with symlinks resolved as far as the path exists (the
// rest, not yet created, is appended as written).
func canonical(p string) string {
	p = filepath.Clean(p)
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	rest := ""
	for cur := p; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// within reports whether p is dir or lies under it (both canonical).
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
