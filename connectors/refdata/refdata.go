// Package refdata ships the public area-level reference files socrx needs at run time:
// the English Indices of Deprivation (2019 on 2011 LSOAs, 2025 on 2021 LSOAs) and the
// ONS LSOA 2011↔2021 lookup. All are OGL v3.0; see README.md in this directory.
package refdata

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed imd2019_lsoa11.csv imd2025_lsoa21.csv lsoa11_lsoa21_lookup.csv
var files embed.FS

// Edition describes one shipped deprivation file.
type Edition struct {
	Name        string // IoD2019 | IoD2025
	File        string // file name inside the embedded FS
	LSOAVintage int    // 2011 | 2021
	Rows        int    // published row count (England LSOAs)
}

// Editions lists the shipped deprivation editions.
func Editions() []Edition {
	return []Edition{
		{Name: "IoD2019", File: "imd2019_lsoa11.csv", LSOAVintage: 2011, Rows: 32844},
		{Name: "IoD2025", File: "imd2025_lsoa21.csv", LSOAVintage: 2021, Rows: 33755},
	}
}

// LookupFile is the ONS LSOA 2011 → 2021 lookup (LSOA11CD, LSOA21CD, CHGIND, LAD22CD).
const LookupFile = "lsoa11_lsoa21_lookup.csv"

// EditionByName returns the shipped edition with that name.
func EditionByName(name string) (Edition, error) {
	for _, e := range Editions() {
		if e.Name == name {
			return e, nil
		}
	}
	return Edition{}, fmt.Errorf("unknown deprivation edition %q (want IoD2019 or IoD2025)", name)
}

// Open opens a shipped file for streaming.
func Open(name string) (fs.File, error) {
	return files.Open(name)
}

// ReadFile returns a shipped file's bytes (they are small: under 2 MB each).
func ReadFile(name string) ([]byte, error) {
	return files.ReadFile(name)
}

// Materialize writes a shipped file into dir (DuckDB's readers need a path) and returns
// the path. Existing identical files are reused.
func Materialize(dir, name string) (string, error) {
	data, err := files.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("reading shipped %s: %w", name, err)
	}
	path := filepath.Join(dir, name)
	if old, err := os.ReadFile(path); err == nil && len(old) == len(data) && string(old) == string(data) {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := os.WriteFile(path, data, 0o640); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return path, nil
}
