package synthetic

// Fault kinds planted in messy mode. Each is named as the quarantine reason the ingest
// gives such a row (connectors.Reason*), so a test can compare the manifest's counts with
// the quarantine table grouped by reason.
const (
	FaultBadDate        = "bad_date"          // "31/02/2024", "not known", …
	FaultFutureDate     = "future_date"       // after Manifest.FutureAfter
	FaultDuplicateID    = "duplicate_id"      // an exact repeat of the previous clean row
	FaultUnknownCode    = "unknown_code"      // sex "X", status "maybe", setting "clinic", …
	FaultMissingValue   = "missing_value"     // empty practice_code or status
	FaultOrphan         = "orphan_attendance" // referral_id never written to referrals.csv
	FaultBeforeReferral = "before_referral"   // attendance dated before its referral
)

// referralFaults and attendanceFaults are the kinds planted in each file, in the order
// their counters are kept.
var (
	referralFaults   = [...]string{FaultBadDate, FaultFutureDate, FaultDuplicateID, FaultUnknownCode, FaultMissingValue}
	attendanceFaults = [...]string{FaultBadDate, FaultFutureDate, FaultDuplicateID, FaultUnknownCode, FaultMissingValue, FaultOrphan, FaultBeforeReferral}
)

// Manifest is what a generation planted, written to manifest.json.
type Manifest struct {
	Generator string  `json:"generator"`
	Seed      uint64  `json:"seed"`
	Referrals int     `json:"referrals"` // clean referral rows requested (and written)
	Start     string  `json:"start"`     // first day of the span, ISO
	End       string  `json:"end"`       // last day any clean row is dated
	Months    int     `json:"months"`
	Messy     float64 `json:"messy"`
	// AttendancesPerReferral is Options.AttendancesPerReferral (0: the natural mix).
	AttendancesPerReferral float64 `json:"attendances_per_referral,omitempty"`
	DateFormat             string  `json:"date_format"`
	// FutureAfter: every future_date fault is dated after this day and every clean date on
	// or before End, so a run with a logical date between the two sees exactly the
	// planted future dates.
	FutureAfter        string `json:"future_after"`
	DeprivationEdition string `json:"deprivation_edition"`

	ICB       ICBManifest        `json:"icb"`
	Schemes   []SchemeManifest   `json:"schemes"`
	Providers []ProviderManifest `json:"vcs_providers"`
	Files     []FileManifest     `json:"files"`
	// Outcomes are the planted outcome truths, when outcomes.csv was written.
	Outcomes *OutcomesManifest `json:"outcomes,omitempty"`
	// GP are the planted GP-record truths, when gp_events.csv and gp_patients.csv were
	// written.
	GP *GPManifest `json:"gp,omitempty"`
}

// ICBManifest describes the synthetic ICB.
type ICBManifest struct {
	LocalAuthorities []LADManifest `json:"local_authorities"`
	Practices        int           `json:"practices"`
	PCNs             int           `json:"pcns"`
	LSOAs            int           `json:"lsoas"` // LSOAs of the three authorities
}

// LADManifest is one local authority of the ICB.
type LADManifest struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	LSOAs     int    `json:"lsoas"`
	Practices int    `json:"practices"`
}

// SchemeManifest is a scheme's planted parameters, its catchment and what was realised.
type SchemeManifest struct {
	Archetype
	Practices   []string `json:"practices"` // the scheme's catchment (config `schemes.practices`)
	Workers     []string `json:"workers"`   // its link workers' worker_id values
	Referrals   int64    `json:"realised_referrals"`
	ReReferrals int64    `json:"realised_re_referrals"`
	// Contacted and Referrals by IMD quintile (index 0 = no usable LSOA, 1 = most
	// deprived), over all referrals whatever their maturity.
	ReferralsByQuintile [6]int64 `json:"realised_referrals_by_quintile"`
	ContactedByQuintile [6]int64 `json:"realised_contacted_by_quintile"`
}

// ProviderManifest is one VCS organisation.
type ProviderManifest struct {
	ID       string `json:"id"`
	Category string `json:"activity_category"`
}

// FileManifest counts one written file's data rows (header excluded). Rows = CleanRows +
// the sum of FaultyRows; in a clean file FaultyRows is empty.
type FileManifest struct {
	Name       string           `json:"name"`
	Rows       int64            `json:"rows"`
	CleanRows  int64            `json:"clean_rows"`
	FaultyRows map[string]int64 `json:"faulty_rows,omitempty"`

	// population.csv
	ExtractDates   []string `json:"extract_dates,omitempty"`
	ClosedLSOARows int64    `json:"closed_lsoa_rows,omitempty"`

	// attendances_us.csv: the first clean attendances again with dates in US order; the
	// ingest must refuse the whole file. DayAfter12Rows counts rows that give it away.
	Refused        bool  `json:"refused,omitempty"`
	DayAfter12Rows int64 `json:"day_after_12_rows,omitempty"`
}

// Summary is what Generate returns.
type Summary struct {
	Dir            string
	Files          []string // paths written, manifest.json last
	Referrals      int64    // clean referral rows
	Attendances    int64    // clean attendance rows
	PopulationRows int64
	FaultyRows     int64 // all planted faulty rows, both files
	Manifest       Manifest
}
