package connectors

import (
	"fmt"
	"sort"
	"strings"
)

// IoDHeader is what a recognised Indices of Deprivation file holds.
type IoDHeader struct {
	Edition string // IoD2019 | IoD2025
	Vintage int    // 2011 | 2021
	Code    string // header of the LSOA code column
	Rank    string
	Decile  string
	Score   string // "" when the file has no score
}

// RecogniseIoD recognises MHCLG's published IoD headers: IoD2019 File 1 and File 7 (2011
// LSOAs) and IoD2025 File 7 (2021 LSOAs).
func RecogniseIoD(l Layout) (IoDHeader, error) {
	find := l.find
	var h IoDHeader
	if c := find("LSOA code (2011)"); c != "" {
		h = IoDHeader{Edition: "IoD2019", Vintage: 2011, Code: c}
	} else if c := find("LSOA code (2021)"); c != "" {
		h = IoDHeader{Edition: "IoD2025", Vintage: 2021, Code: c}
	} else {
		return h, &FileError{Path: l.Path, Line: 1, Reason: "not a recognised Indices of Deprivation file: no 'LSOA code (2011)' or 'LSOA code (2021)' column"}
	}
	h.Rank = find("Index of Multiple Deprivation (IMD) Rank", "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)")
	h.Decile = find("Index of Multiple Deprivation (IMD) Decile", "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)")
	h.Score = find("Index of Multiple Deprivation (IMD) Score")
	if h.Rank == "" || h.Decile == "" {
		return h, &FileError{Path: l.Path, Line: 1, Reason: fmt.Sprintf("%s file lacks the IMD rank or decile column", h.Edition)}
	}
	return h, nil
}

// PopulationHeader is the layout of an NHS England "Patients Registered at a GP Practice"
// LSOA file.
type PopulationHeader struct {
	ExtractDate, Practice, PracticeName, LSOA, Sex, Count string
}

// RecognisePopulation finds the published columns; the count column is spelled either
// NUMBER_OF_PATIENTS or "Number of Patients".
func RecognisePopulation(l Layout) (PopulationHeader, error) {
	find := l.find
	p := PopulationHeader{
		ExtractDate:  find("EXTRACT_DATE"),
		Practice:     find("PRACTICE_CODE", "ORG_CODE"),
		PracticeName: find("PRACTICE_NAME"),
		LSOA:         find("LSOA_CODE"),
		Sex:          find("SEX"),
		Count:        find("NUMBER_OF_PATIENTS", "Number of Patients"),
	}
	var missing []string
	for name, v := range map[string]string{"EXTRACT_DATE": p.ExtractDate, "PRACTICE_CODE": p.Practice, "LSOA_CODE": p.LSOA, "NUMBER_OF_PATIENTS": p.Count} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		return p, &FileError{Path: l.Path, Line: 1, Column: strings.Join(missing, ", "),
			Reason: "not a recognised NHS England registered-patients LSOA file: column missing"}
	}
	return p, nil
}

// find returns the header cell matching any of names (case-insensitive), or "".
func (l Layout) find(names ...string) string {
	for _, h := range l.Header {
		for _, n := range names {
			if strings.EqualFold(strings.TrimSpace(h), n) {
				return h
			}
		}
	}
	return ""
}
