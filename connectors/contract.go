package connectors

import (
	"fmt"
	"sort"
	"strings"
)

// ColType is how a contract column is parsed.
type ColType int

// Column types of the extract contract.
const (
	Text ColType = iota
	Date
	Int
	Enum
	Month // YYYY-MM
)

// Column is one column of the extract contract (design §3).
type Column struct {
	Name     string
	Type     ColType
	Required bool
	Upper    bool     // canonical values are upper case (codes)
	Free     bool     // free text, kept as written but for masked identifiers (MaskFreeText)
	ID       bool     // an identifier: tested for NHS numbers (IdentifierCheckSQL)
	Allowed  []string // Enum values, canonical case
	Min, Max int      // Int range
	// Derived, when set, is SQL over the other parsed columns: a column never read from the
	// file, such as the key of a kind whose rows have no id of their own.
	Derived string
}

// Contract returns the columns of an extract kind in canonical order.
func Contract(kind string) []Column {
	switch kind {
	case "referrals":
		return []Column{
			{Name: "referral_id", Required: true, ID: true},
			{Name: "person_id", Required: true, ID: true},
			{Name: "scheme_id", Required: true},
			{Name: "practice_code", Required: true, Upper: true},
			{Name: "referral_date", Type: Date, Required: true},
			{Name: "referral_source", Type: Enum, Allowed: []string{"gp", "nurse", "other_primary_care", "secondary_care", "social_care", "vcs", "self", "other"}},
			{Name: "referral_reason", Free: true},
			{Name: "outcome", Type: Enum, Allowed: []string{"accepted", "declined", "not_contactable", "inappropriate", "pending", "closed"}},
			{Name: "closed_date", Type: Date},
			{Name: "lsoa_code", Upper: true},
			{Name: "sex", Type: Enum, Upper: true, Allowed: []string{"F", "M", "I", "U"}},
			{Name: "age", Type: Int, Min: 0, Max: 120},
			{Name: "birth_month", Type: Month},
			{Name: "ethnic_category", Type: Enum, Upper: true, Allowed: []string{"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z", "99"}},
		}
	case "attendances":
		return []Column{
			{Name: "attendance_id", Required: true, ID: true},
			{Name: "referral_id", Required: true, ID: true},
			{Name: "attendance_date", Type: Date, Required: true},
			{Name: "setting", Type: Enum, Required: true, Allowed: []string{"link_worker", "vcs"}},
			{Name: "status", Type: Enum, Required: true, Allowed: []string{"attended", "dna", "cancelled_patient", "cancelled_provider"}},
			{Name: "worker_id", ID: true},
			{Name: "provider_id", ID: true},
			{Name: "activity_category", Free: true},
			{Name: "mode", Type: Enum, Allowed: []string{"face_to_face", "telephone", "video", "home_visit", "group"}},
			{Name: "person_id", ID: true},
		}
	case "outcomes":
		return []Column{
			{Name: "assessment_id", Required: true, ID: true},
			{Name: "person_id", Required: true, ID: true},
			{Name: "measure", Type: Enum, Required: true, Allowed: OutcomeMeasures()},
			// the widest range of any measure; each measure's own is a rule of its row
			{Name: "score", Type: Int, Required: true, Min: 0, Max: 70},
			{Name: "assessed_on", Type: Date, Required: true},
			{Name: "referral_id", ID: true},
			{Name: "stage", Type: Enum, Allowed: []string{"baseline", "follow_up", "closure"}},
		}
	case "gp_events":
		return []Column{
			{Name: "person_id", Required: true, ID: true},
			{Name: "practice_code", Required: true, Upper: true},
			{Name: "event_date", Type: Date, Required: true},
			{Name: "code", Required: true},
			{Name: "event_id", ID: true},
			// a number as recorded (a decimal: a row rule checks it); the code says what it measures
			{Name: "value"},
			{Name: "code_system", Type: Enum, Allowed: CodeSystems()},
			// rows without an event_id are told apart by person, date and code (design §3.6)
			{Name: "event_key", Derived: "CASE WHEN event_id IS NOT NULL THEN concat('id|', event_id) " +
				"ELSE concat_ws('|', 'key', person_id, event_date, code) END"},
		}
	case "gp_patients":
		return []Column{
			{Name: "person_id", Required: true, ID: true},
			{Name: "practice_code", Required: true, Upper: true},
			{Name: "registered_from", Type: Date, Required: true},
			{Name: "registered_to", Type: Date},
			{Name: "lsoa_code", Upper: true},
			{Name: "sex", Type: Enum, Upper: true, Allowed: []string{"F", "M", "I", "U"}},
			{Name: "age", Type: Int, Min: 0, Max: 120},
			{Name: "birth_month", Type: Month},
			{Name: "ethnic_category", Type: Enum, Upper: true, Allowed: []string{"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z", "99"}},
			{Name: "ethnicity_code"},
			// the list is keyed on person, practice and registration start (design §12)
			{Name: "registration_key", Derived: "concat_ws('|', person_id, practice_code, registered_from)"},
		}
	}
	return nil
}

// CodeSystems are the code systems of gp_events.code (design §3.6); NULL reads as snomed.
func CodeSystems() []string { return []string{"snomed", "read2", "ctv3"} }

// OutcomeRange is a wellbeing measure's range of valid scores (design §3.5): the four
// ONS personal well-being questions 0–10 each, SWEMWBS and WEMWBS raw totals, and the
// three-item UCLA loneliness total.
type OutcomeRange struct {
	Measure  string
	Min, Max int
}

// OutcomeRanges lists the measures of the outcomes extract with their ranges.
func OutcomeRanges() []OutcomeRange {
	return []OutcomeRange{
		{"ons4_satisfied", 0, 10}, {"ons4_worthwhile", 0, 10}, {"ons4_happy", 0, 10}, {"ons4_anxious", 0, 10},
		{"swemwbs", 7, 35}, {"wemwbs", 14, 70}, {"ucla3", 3, 9},
	}
}

// OutcomeMeasures are the measure codes of the outcomes extract.
func OutcomeMeasures() []string {
	var out []string
	for _, r := range OutcomeRanges() {
		out = append(out, r.Measure)
	}
	return out
}

// EnumType is the DuckDB type an Enum column is stored as: its allowed values in byte
// order, so that ordering and min/max read as they would on text. A closed set stored as
// ENUM costs a byte a row to write, where text costs about as much as an id column: at
// 10M attendances, about 0.7 s a column of the load. Stored values compare and combine
// with text as text.
func EnumType(c Column) string {
	vals := append([]string(nil), c.Allowed...)
	sort.Strings(vals)
	for i, v := range vals {
		vals[i] = Literal(v)
	}
	return "ENUM(" + strings.Join(vals, ", ") + ")"
}

// IDColumn is the identifier column of a kind.
func IDColumn(kind string) string {
	switch kind {
	case "attendances":
		return "attendance_id"
	case "outcomes":
		return "assessment_id"
	case "gp_events":
		return "event_key"
	case "gp_patients":
		return "registration_key"
	}
	return "referral_id"
}

// RefersToReferrals says whether a kind's rows belong to referrals by referral_id, and are
// checked against the referrals loaded (attendances always, outcomes when they say).
func RefersToReferrals(kind string) bool { return kind == "attendances" || kind == "outcomes" }

// Mapping is a source's column and value mapping.
type Mapping struct {
	Columns         map[string]string            // canonical → header in the file
	Values          map[string]map[string]string // canonical → file value → canonical value
	DefaultSchemeID string
	DateFormats     []string
	// Schemes, when set, are the configured scheme ids: a referral for any other is
	// quarantined (unknown_scheme) rather than becoming a scheme of its own.
	Schemes []string
}

// Resolve finds each contract column in the header: the mapped name if configured, else
// the canonical name (case-insensitive). Missing required columns are a file error.
func Resolve(kind string, l Layout, m Mapping) (map[string]string, error) {
	byLower := map[string]string{}
	for _, h := range l.Header {
		byLower[strings.ToLower(strings.TrimSpace(h))] = h
	}
	found := map[string]string{}
	var missing []string
	for _, c := range Contract(kind) {
		if c.Derived != "" {
			continue
		}
		want := c.Name
		if mapped, ok := m.Columns[c.Name]; ok {
			want = mapped
		}
		if h, ok := byLower[strings.ToLower(strings.TrimSpace(want))]; ok {
			found[c.Name] = h
			continue
		}
		if c.Required && !(c.Name == "scheme_id" && m.DefaultSchemeID != "") {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		return nil, &FileError{Path: l.Path, Line: 1, Column: strings.Join(missing, ", "),
			Reason: "required column missing from the header" + describeHeader(l.Header) + delimiterHint(l)}
	}
	return found, nil
}

// describeHeader says what a header that lacks columns holds without quoting a value: its
// column count always, its cells only when none of them looks like data (a file without a
// header row has a patient's record in its place).
func describeHeader(header []string) string {
	for _, h := range header {
		if LooksLikeData(h) {
			return fmt.Sprintf(" (it has %s and looks like a data row: is the header row missing?)", plural(len(header), "column"))
		}
	}
	quoted := make([]string, len(header))
	for i, h := range header {
		quoted[i] = fmt.Sprintf("%q", h)
	}
	return fmt.Sprintf(" (it has %s: %s)", plural(len(header), "column"), strings.Join(quoted, ", "))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// LooksLikeData says whether a header cell could be a value from a data row: it holds a
// digit (ids, dates, ages, codes) or an @ (an e-mail address). Column names rarely do,
// and a name wrongly taken for data only costs the message its list of names.
func LooksLikeData(s string) bool {
	return strings.ContainsAny(s, "0123456789@")
}

// delimiterHint names the likely delimiter of a CSV whose header did not split: a one-
// column header holding another common separator.
func delimiterHint(l Layout) string {
	if l.Format != "csv" || len(l.Header) != 1 {
		return ""
	}
	best, n := rune(0), 0
	for _, r := range otherSeparators {
		if byte(r) == l.Delimiter {
			continue
		}
		if c := strings.Count(l.Header[0], string(r)); c > n {
			best, n = r, c
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; the header holds %q: is that its delimiter? (set delimiter in the source's config)", best)
}
