// Package config loads socrx's YAML configuration (design §10): strictly (unknown keys are
// errors), with defaults, and validated before any work starts. Every problem is reported
// with the key's path and its line in the file.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
	"github.com/robfig/cron/v3"
	"github.com/socrx/socrx/disclosure"
)

// Config is the whole configuration file.
type Config struct {
	Database           string      `yaml:"database"`
	Publish            string      `yaml:"publish"`
	Reports            string      `yaml:"reports"`
	ReportContact      string      `yaml:"report_contact"` // optional: who readers of the reports may contact (one line on the workbook's cover)
	Period             string      `yaml:"period"`
	ReportLagDays      *int        `yaml:"report_lag_days"`
	DataEnd            string      `yaml:"data_end"`
	DeprivationEdition string      `yaml:"deprivation_edition"`
	Quantiles          string      `yaml:"quantiles"`
	MemoryLimit        string      `yaml:"memory_limit"`
	TempDirectory      string      `yaml:"temp_directory"`
	Sources            Sources     `yaml:"sources"`
	Schemes            []Scheme    `yaml:"schemes"`
	Indicators         Indicators  `yaml:"indicators"`
	Disclosure         Disclosure  `yaml:"disclosure"`
	Ingest             Ingest      `yaml:"ingest"`
	Outcomes           Outcomes    `yaml:"outcomes"`
	Codelists          Codelists   `yaml:"codelists"`
	GP                 GP          `yaml:"gp"`
	Schedule           Schedule    `yaml:"schedule"`
	Path               string      `yaml:"-"` // the file it came from
	Dir                string      `yaml:"-"` // relative paths resolve against this
	dataEnd            time.Time   `yaml:"-"`
	positions          positionMap `yaml:"-"`
}

// Sources lists the extract sources by kind; each kind takes one source or a list.
type Sources struct {
	Referrals   SourceList `yaml:"referrals"`
	Attendances SourceList `yaml:"attendances"`
	Deprivation SourceList `yaml:"deprivation"`
	Population  SourceList `yaml:"population"`
	Outcomes    SourceList `yaml:"outcomes"`    // wellbeing measures (design §3.5)
	GPPatients  SourceList `yaml:"gp_patients"` // the registered list (design §3.7)
	GPEvents    SourceList `yaml:"gp_events"`   // coded events from GP systems (design §3.6)
}

// SourceKind is one kind of extract with its configured sources.
type SourceKind struct {
	Name string
	List SourceList
}

// Kinds lists the source kinds in load order: areas before people, referrals before the
// rows that refer to them, the registered list before the GP events checked against it.
// Every list of kinds (defaults, validation, ingest) is this one.
func (s *Sources) Kinds() []SourceKind {
	return []SourceKind{{"deprivation", s.Deprivation}, {"population", s.Population},
		{"referrals", s.Referrals}, {"attendances", s.Attendances}, {"outcomes", s.Outcomes},
		{"gp_patients", s.GPPatients}, {"gp_events", s.GPEvents}}
}

// Codelists maps a role (sp_referral, sp_declined or a local name) to its codelist file
// (design §3.6, §12).
type Codelists map[string]Codelist

// Codelist is one codelist CSV in the OpenSAFELY shape, its columns named in Columns
// when they are not code and term.
type Codelist struct {
	Path    string          `yaml:"path"`
	Columns CodelistColumns `yaml:"columns"`
}

// CodelistColumns names a codelist file's code and term columns, and for the role
// ethnicity its category column (the NHS ethnic category of each code, design §3.7).
type CodelistColumns struct {
	Code     string `yaml:"code"`
	Term     string `yaml:"term"`
	Category string `yaml:"category"`
}

// RoleEthnicity is the codelist role that maps gp_patients.ethnicity_code (SNOMED CT) to
// the NHS ethnic categories: the one role whose codelist has a category column.
const RoleEthnicity = "ethnicity"

// GP holds the settings of the GP coded records (design §12).
type GP struct {
	// Linked: the GP and platform extracts share one pseudonym, so their people may be
	// matched; without it nothing is linked.
	Linked bool `yaml:"linked"`
}

// Source is one extract source: a file or glob with its mapping.
type Source struct {
	Path       string                       `yaml:"path"`
	Format     string                       `yaml:"format"` // csv | parquet | xlsx | emis (default from the extension)
	Sheet      string                       `yaml:"sheet"`  // xlsx: sheet name (default the first)
	DateFormat Strings                      `yaml:"date_format"`
	SchemeID   string                       `yaml:"scheme_id"`
	Mode       string                       `yaml:"mode"` // append | replace
	Delimiter  string                       `yaml:"delimiter"`
	Columns    map[string]string            `yaml:"columns"` // canonical → header in the file
	Values     map[string]map[string]string `yaml:"values"`  // canonical column → file value → canonical value
	Name       string                       `yaml:"name"`    // optional label; default kind[index]
}

// SourceList accepts a single mapping or a sequence of them.
type SourceList []Source

// UnmarshalYAML accepts `{...}` as well as `[{...}, ...]`.
func (l *SourceList) UnmarshalYAML(unmarshal func(any) error) error {
	var list []Source
	if err := unmarshal(&list); err == nil {
		*l = list
		return nil
	}
	var one Source
	if err := unmarshal(&one); err != nil {
		return err
	}
	*l = SourceList{one}
	return nil
}

// Strings accepts a string or a list of strings.
type Strings []string

// UnmarshalYAML accepts `"x"` as well as `["x", "y"]`.
func (s *Strings) UnmarshalYAML(unmarshal func(any) error) error {
	var list []string
	if err := unmarshal(&list); err == nil {
		*s = list
		return nil
	}
	var one string
	if err := unmarshal(&one); err != nil {
		return err
	}
	*s = Strings{one}
	return nil
}

// Scheme is a configured SP scheme.
type Scheme struct {
	ID         string   `yaml:"id"`
	Name       string   `yaml:"name"`
	SessionCap int      `yaml:"session_cap"`
	Practices  []string `yaml:"practices"`
}

// Indicators holds indicator settings.
type Indicators struct {
	EngagedMinContacts int     `yaml:"engaged_min_contacts"`
	Windows            Windows `yaml:"windows"`
}

// Windows are follow-up windows in days.
type Windows struct {
	Contacted int `yaml:"contacted"`
	Engaged   int `yaml:"engaged"`
	VCSUptake int `yaml:"vcs_uptake"`
}

// Disclosure holds disclosure-control settings (design §6).
type Disclosure struct {
	Threshold int `yaml:"threshold"`
	Rounding  int `yaml:"rounding"`
}

// Policy is the disclosure policy these settings configure.
func (d Disclosure) Policy() disclosure.Policy {
	return disclosure.Policy{Threshold: d.Threshold, Rounding: d.Rounding}
}

// Outcomes holds the settings of the wellbeing outcomes (design §11).
type Outcomes struct {
	// MeaningfulChange is the change, in points, counted as improved or worsened, per
	// measure that takes one (swemwbs, wemwbs).
	MeaningfulChange map[string]float64 `yaml:"meaningful_change"`
	BaselineWindow   BaselineWindow     `yaml:"baseline_window"`
	FollowUpWindow   FollowUpWindow     `yaml:"follow_up_window"`
}

// BaselineWindow is where an unstaged baseline assessment may fall, in days: from
// BeforeReferral before the referral to AfterFirstContact after the first link-worker
// contact, or IfNeverContacted after the referral.
type BaselineWindow struct {
	BeforeReferral    *int `yaml:"before_referral"`
	AfterFirstContact *int `yaml:"after_first_contact"`
	IfNeverContacted  *int `yaml:"if_never_contacted"`
}

// FollowUpWindow is where an unstaged follow-up may fall, in days after the baseline.
type FollowUpWindow struct {
	MinDays *int `yaml:"min_days"`
	MaxDays *int `yaml:"max_days"`
}

// orDefault sets *p to v when it is unset (a key left out; 0 is a value).
func orDefault(p **int, v int) {
	if *p == nil {
		*p = &v
	}
}

// MeaningfulChangeMeasures are the measures that take a meaningful change.
func MeaningfulChangeMeasures() []string { return []string{"swemwbs", "wemwbs"} }

// Ingest holds the ingest settings (design §10).
type Ingest struct {
	// MaxRejectedShare: a file with more than this share of its rows quarantined fails
	// the run (a wrong mapping rejects most rows; loading the rest would report on
	// almost nothing). Nil means the default, 0.5.
	MaxRejectedShare *float64 `yaml:"max_rejected_share"`
}

// Schedule holds the scheduler settings (design §7).
type Schedule struct {
	Timezone    string   `yaml:"timezone"`
	RunMissed   string   `yaml:"run_missed"`
	LockWait    Duration `yaml:"lock_wait"`
	StopTimeout Duration `yaml:"stop_timeout"`
	Retries     Retries  `yaml:"retries"`
	Jobs        []Job    `yaml:"jobs"`
}

// Retries configures retry with backoff for transient failures.
type Retries struct {
	Attempts int      `yaml:"attempts"`
	Backoff  Duration `yaml:"backoff"`
}

// Job is a scheduled job.
type Job struct {
	Name  string   `yaml:"name"`
	Cron  string   `yaml:"cron"`
	Steps []string `yaml:"steps"`
}

// Duration is a time.Duration written as "10m", "2h30m".
type Duration struct{ time.Duration }

// UnmarshalYAML parses Go duration syntax.
func (d *Duration) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q: %w", s, err)
	}
	d.Duration = v
	return nil
}

// Steps returns the valid job step names in run order.
func Steps() []string { return []string{"ingest", "transform", "report", "publish"} }

// Problem is one configuration error located in the file.
type Problem struct {
	Key  string // YAML path, e.g. schedule.jobs[0].cron
	Line int
	Msg  string
}

func (p Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", p.Line, p.Key, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.Key, p.Msg)
}

// Error collects every problem found in a file.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return fmt.Sprintf("config %s: %s", e.File, strings.Join(msgs, "; "))
}

// Load reads, decodes and validates a config file for a command that writes (a run, the
// scheduler, validate): the database, publish, reports and temp_directory locations
// must be writable by this user.
func Load(path string) (*Config, error) { return load(path, true) }

// LoadForReading is Load for commands that only read (status, query, export): the same
// checks except whether this user may write the locations, which a monitoring or
// research account need not.
func LoadForReading(path string) (*Config, error) { return load(path, false) }

func load(path string, checkAccess bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolving config path: %w", err)
	}
	return parse(data, abs, checkAccess)
}

// Parse decodes and validates config bytes as Load does; path names the file in errors
// and anchors relative paths.
func Parse(data []byte, path string) (*Config, error) { return parse(data, path, true) }

func parse(data []byte, path string, checkAccess bool) (*Config, error) {
	cfg := &Config{Path: path, Dir: filepath.Dir(path)}
	if err := yaml.UnmarshalWithOptions(data, cfg, yaml.Strict()); err != nil {
		return nil, &Error{File: path, Problems: []Problem{decodeProblem(err)}}
	}
	cfg.positions = indexPositions(data)
	cfg.applyDefaults()
	probs := cfg.validate()
	probs = append(probs, cfg.validatePlaces(checkAccess)...)
	if len(probs) > 0 {
		for i := range probs {
			probs[i].Line = cfg.positions.line(probs[i].Key)
		}
		return nil, &Error{File: path, Problems: probs}
	}
	return cfg, nil
}

// decodeProblem turns a go-yaml error into a one-line problem with its line.
func decodeProblem(err error) Problem {
	var se yaml.Error
	if errors.As(err, &se) {
		tok := se.GetToken()
		msg := se.GetMessage()
		line := 0
		if tok != nil && tok.Position != nil {
			line = tok.Position.Line
		}
		key := ""
		if tok != nil {
			key = tok.Value
		}
		return Problem{Key: key, Line: line, Msg: msg}
	}
	return Problem{Key: "(file)", Msg: firstLine(err.Error())}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (c *Config) applyDefaults() {
	if c.Publish == "" {
		c.Publish = filepath.Join(filepath.Dir(c.Database), "published", filepath.Base(c.Database))
	}
	if c.Reports == "" {
		c.Reports = "reports"
	}
	if c.Period == "" {
		c.Period = "quarter"
	}
	if c.ReportLagDays == nil {
		v := 28
		c.ReportLagDays = &v
	}
	if c.DeprivationEdition == "" {
		c.DeprivationEdition = "IoD2019"
	}
	if c.Quantiles == "" {
		c.Quantiles = "national"
	}
	if c.MemoryLimit == "" {
		// Peak RSS stays under 2 GiB at 5M referrals; DuckDB spills to temp_directory beyond it.
		c.MemoryLimit = "1GB"
	}
	if c.Indicators.EngagedMinContacts == 0 {
		c.Indicators.EngagedMinContacts = 3
	}
	w := &c.Indicators.Windows
	if w.Contacted == 0 {
		w.Contacted = 90
	}
	if w.Engaged == 0 {
		w.Engaged = 180
	}
	if w.VCSUptake == 0 {
		w.VCSUptake = 180
	}
	if c.Disclosure.Threshold == 0 {
		c.Disclosure.Threshold = disclosure.Default().Threshold
	}
	if c.Disclosure.Rounding == 0 {
		c.Disclosure.Rounding = disclosure.Default().Rounding
	}
	o := &c.Outcomes
	if o.MeaningfulChange == nil {
		o.MeaningfulChange = map[string]float64{}
	}
	for _, m := range MeaningfulChangeMeasures() {
		if _, ok := o.MeaningfulChange[m]; !ok {
			o.MeaningfulChange[m] = 3
		}
	}
	orDefault(&o.BaselineWindow.BeforeReferral, 30)
	orDefault(&o.BaselineWindow.AfterFirstContact, 30)
	orDefault(&o.BaselineWindow.IfNeverContacted, 60)
	orDefault(&o.FollowUpWindow.MinDays, 42)
	orDefault(&o.FollowUpWindow.MaxDays, 270)
	for role, cl := range c.Codelists {
		if cl.Columns.Code == "" {
			cl.Columns.Code = "code"
		}
		if cl.Columns.Term == "" {
			cl.Columns.Term = "term"
		}
		c.Codelists[role] = cl
	}
	if c.Ingest.MaxRejectedShare == nil {
		v := 0.5
		c.Ingest.MaxRejectedShare = &v
	}
	s := &c.Schedule
	if s.Timezone == "" {
		s.Timezone = "Europe/London"
	}
	if s.RunMissed == "" {
		s.RunMissed = "once"
	}
	if s.LockWait.Duration == 0 {
		s.LockWait.Duration = 10 * time.Minute
	}
	if s.StopTimeout.Duration == 0 {
		s.StopTimeout.Duration = 2 * time.Minute
	}
	if s.Retries.Attempts == 0 {
		s.Retries.Attempts = 3
	}
	if s.Retries.Backoff.Duration == 0 {
		s.Retries.Backoff.Duration = 5 * time.Minute
	}
	for _, k := range c.Sources.Kinds() {
		for i := range k.List {
			src := &k.List[i]
			if src.Name == "" {
				src.Name = fmt.Sprintf("%s[%d]", k.Name, i)
			}
			if src.Mode == "" {
				src.Mode = "append"
			}
			if len(src.DateFormat) == 0 {
				src.DateFormat = Strings{"%d/%m/%Y"}
			}
			if src.Delimiter == "" {
				src.Delimiter = ","
			}
			if src.Format == "" {
				src.Format = "csv"
				switch strings.ToLower(filepath.Ext(src.Path)) {
				case ".parquet":
					src.Format = "parquet"
				case ".xlsx":
					src.Format = "xlsx"
				}
			}
		}
	}
}

var (
	schemeIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
	dataEndLayout   = "2006-01-02"
)

func (c *Config) validate() []Problem {
	var ps []Problem
	add := func(key, format string, args ...any) {
		ps = append(ps, Problem{Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	if c.Database == "" {
		add("database", "is required")
	}
	for _, kp := range [][2]string{{"database", c.Database}, {"publish", c.Publish}} {
		if err := CheckDSNPath(kp[1]); err != nil {
			add(kp[0], "%v", err)
		}
	}
	oneOf := func(key, v string, allowed ...string) {
		for _, a := range allowed {
			if v == a {
				return
			}
		}
		add(key, "%q is not one of %s", v, strings.Join(allowed, ", "))
	}
	oneOf("period", c.Period, "month", "quarter", "year", "financial_year")
	oneOf("deprivation_edition", c.DeprivationEdition, "IoD2019", "IoD2025")
	oneOf("quantiles", c.Quantiles, "national", "local")
	oneOf("schedule.run_missed", c.Schedule.RunMissed, "once", "skip")
	if *c.ReportLagDays < 0 {
		add("report_lag_days", "must not be negative")
	}
	if err := checkContact(c.ReportContact); err != nil {
		add("report_contact", "%v", err)
	}
	if c.DataEnd != "" {
		t, err := time.Parse(dataEndLayout, c.DataEnd)
		if err != nil {
			add("data_end", "%q is not a date like 2025-03-31", c.DataEnd)
		}
		c.dataEnd = t
	}
	if c.Disclosure.Threshold < disclosure.MinThreshold {
		add("disclosure.threshold", "%d is below the minimum of %d", c.Disclosure.Threshold, disclosure.MinThreshold)
	}
	if c.Disclosure.Rounding < 1 {
		add("disclosure.rounding", "must be at least 1")
	}
	for m, v := range c.Outcomes.MeaningfulChange {
		if !contains(MeaningfulChangeMeasures(), m) {
			add("outcomes.meaningful_change."+m, "%q takes no meaningful change (want %s)", m, strings.Join(MeaningfulChangeMeasures(), ", "))
		} else if v <= 0 {
			add("outcomes.meaningful_change."+m, "must be above 0")
		}
	}
	bw, fw := c.Outcomes.BaselineWindow, c.Outcomes.FollowUpWindow
	if *bw.BeforeReferral < 0 || *bw.AfterFirstContact < 0 || *bw.IfNeverContacted < 0 {
		add("outcomes.baseline_window", "days must not be negative")
	}
	if *fw.MinDays < 0 || *fw.MaxDays <= *fw.MinDays {
		add("outcomes.follow_up_window", "want 0 ≤ min_days < max_days (got %d, %d)", *fw.MinDays, *fw.MaxDays)
	}
	if v := *c.Ingest.MaxRejectedShare; v <= 0 || v > 1 {
		add("ingest.max_rejected_share", "%g is not a share above 0 and at most 1", v)
	}
	if c.Indicators.EngagedMinContacts < 1 {
		add("indicators.engaged_min_contacts", "must be at least 1")
	}
	for k, v := range map[string]int{"contacted": c.Indicators.Windows.Contacted, "engaged": c.Indicators.Windows.Engaged, "vcs_uptake": c.Indicators.Windows.VCSUptake} {
		if v < 0 {
			add("indicators.windows."+k, "must not be negative")
		}
	}
	if _, err := time.LoadLocation(c.Schedule.Timezone); err != nil {
		add("schedule.timezone", "unknown time zone %q", c.Schedule.Timezone)
	}
	if c.Schedule.Retries.Attempts < 1 {
		add("schedule.retries.attempts", "must be at least 1")
	}
	stepOrder := Steps()
	cronParser := CronParser()
	jobNames := map[string]bool{}
	for i, j := range c.Schedule.Jobs {
		key := fmt.Sprintf("schedule.jobs[%d]", i)
		if j.Name == "" {
			add(key+".name", "is required")
		} else if jobNames[j.Name] {
			add(key+".name", "duplicate job name %q", j.Name)
		}
		jobNames[j.Name] = true
		if _, err := cronParser.Parse(j.Cron); err != nil {
			add(key+".cron", "bad cron expression %q: %v", j.Cron, err)
		}
		if len(j.Steps) == 0 {
			add(key+".steps", "list at least one of %s", strings.Join(stepOrder, ", "))
		}
		for si, s := range j.Steps {
			ok := false
			for _, v := range stepOrder {
				ok = ok || s == v
			}
			if !ok {
				add(fmt.Sprintf("%s.steps[%d]", key, si), "unknown step %q (want %s)", s, strings.Join(stepOrder, ", "))
			}
		}
	}
	c.validateSourceKinds(add)
	if len(c.Sources.Deprivation) > 1 {
		add("sources.deprivation", "takes one source")
	}
	c.validateSources(add)
	c.validateCodelists(add)
	seen := map[string]bool{}
	for i, s := range c.Schemes {
		key := fmt.Sprintf("schemes[%d]", i)
		if !schemeIDPattern.MatchString(s.ID) {
			add(key+".id", "%q is not a valid scheme id (letters, digits, _ . -)", s.ID)
		}
		if strings.EqualFold(s.ID, "ALL") {
			// any case: ingest quarantines an extract's ALL, all or All as reserved_id
			add(key+".id", "%q is reserved for all schemes together", s.ID)
		}
		if seen[s.ID] {
			add(key+".id", "duplicate scheme id %q", s.ID)
		}
		seen[s.ID] = true
		if s.SessionCap < 0 {
			add(key+".session_cap", "must not be negative")
		}
	}
	return ps
}

// validateSourceKinds checks the required extract kinds: the platform's referrals and
// attendances, which may be left out when the GP record's gp_events and gp_patients are
// configured (GP-only use, design §10, §12).
func (c *Config) validateSourceKinds(add func(key, format string, args ...any)) {
	s := &c.Sources
	platform := len(s.Referrals) > 0 || len(s.Attendances) > 0
	gp := len(s.GPEvents) > 0 && len(s.GPPatients) > 0
	switch {
	case !platform && len(s.GPEvents) > 0 && len(s.GPPatients) == 0:
		add("sources.gp_patients", "is required with gp_events when there are no referrals and attendances (GP-only use)")
	case !platform && len(s.GPPatients) > 0 && len(s.GPEvents) == 0:
		add("sources.gp_events", "is required with gp_patients when there are no referrals and attendances (GP-only use)")
	case !platform && !gp:
		add("sources", "no extracts to evaluate: configure referrals and attendances (the social prescribing platform), or gp_events and gp_patients (the GP record), or both")
	case platform && len(s.Referrals) == 0:
		add("sources.referrals", "is required with attendances")
	case platform && len(s.Attendances) == 0:
		add("sources.attendances", "is required with referrals")
	}
}

// codelistRole is the shape of a codelist role: a lower-case word, as sp_referral.
var codelistRole = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// validateCodelists checks each codelist's role, that its file can be read now (a
// codelist is configuration, not an extract that arrives later) and its column names.
func (c *Config) validateCodelists(add func(key, format string, args ...any)) {
	roles := make([]string, 0, len(c.Codelists))
	for role := range c.Codelists {
		roles = append(roles, role)
	}
	sort.Strings(roles) // problems in one order, run after run
	for _, role := range roles {
		cl := c.Codelists[role]
		key := "codelists." + role
		if !codelistRole.MatchString(role) {
			add(key, "%q is not a valid role (lower-case letters, digits and _, as sp_referral)", role)
		}
		if cl.Path == "" {
			add(key+".path", "is required")
		} else if f, err := os.Open(c.Resolve(cl.Path)); err != nil {
			add(key+".path", "cannot read %s", c.Resolve(cl.Path))
		} else {
			f.Close()
		}
		if strings.EqualFold(cl.Columns.Code, cl.Columns.Term) {
			add(key+".columns", "code and term name the same column %q", cl.Columns.Code)
		}
		switch cat := cl.Columns.Category; {
		case role == RoleEthnicity && cat == "":
			add(key+".columns.category", "is required for the ethnicity codelist: the column holding each code's NHS ethnic category (a letter A–Z, or OpenSAFELY's Grouping_16 number)")
		case role == RoleEthnicity && strings.EqualFold(cat, "Grouping_6"):
			add(key+".columns.category", "Grouping_6 is OpenSAFELY's 6 broad groups, whose numbers would read as the wrong categories: name the Grouping_16 column")
		case role != RoleEthnicity && cat != "":
			add(key+".columns.category", "only the ethnicity codelist takes a category column")
		case cat != "" && (strings.EqualFold(cat, cl.Columns.Code) || strings.EqualFold(cat, cl.Columns.Term)):
			add(key+".columns.category", "names the same column %q as code or term", cat)
		}
	}
}

func (c *Config) validateSources(add func(key, format string, args ...any)) {
	names := map[string]bool{}
	for _, k := range c.Sources.Kinds() {
		canon := CanonicalColumns(k.Name)
		for i, s := range k.List {
			key := fmt.Sprintf("sources.%s", k.Name)
			if len(k.List) > 1 {
				key = fmt.Sprintf("%s[%d]", key, i)
			}
			if names[s.Name] {
				add(key+".name", "duplicate source name %q", s.Name)
			}
			names[s.Name] = true
			if s.Path == "" {
				add(key+".path", "is required")
			} else if err := checkPathReadable(c.Resolve(s.Path)); err != nil {
				add(key+".path", "%v", err)
			}
			if s.Mode != "append" && s.Mode != "replace" {
				add(key+".mode", "%q is not one of append, replace", s.Mode)
			}
			if !contains([]string{"csv", "parquet", "xlsx", "emis"}, s.Format) {
				add(key+".format", "%q is not one of csv, parquet, xlsx, emis", s.Format)
			}
			if s.Sheet != "" && s.Format != "xlsx" {
				add(key+".sheet", "only xlsx sources take a sheet")
			}
			if len(s.Delimiter) != 1 {
				add(key+".delimiter", "must be one character")
			} else if strings.ContainsAny(s.Delimiter, "\"\r\n") {
				add(key+".delimiter", "%q cannot separate fields (it quotes or ends them)", s.Delimiter)
			}
			for fi, f := range s.DateFormat {
				if err := CheckDateFormat(f); err != nil {
					add(fmt.Sprintf("%s.date_format[%d]", key, fi), "%v", err)
				}
			}
			if s.SchemeID != "" && !schemeIDPattern.MatchString(s.SchemeID) {
				add(key+".scheme_id", "%q is not a valid scheme id", s.SchemeID)
			}
			if s.SchemeID != "" && k.Name != "referrals" {
				add(key+".scheme_id", "only referrals sources take a default scheme_id")
			}
			if canon == nil {
				continue
			}
			for col := range s.Columns {
				if !contains(canon, col) {
					add(key+".columns."+col, "unknown column for %s (want one of %s)", k.Name, strings.Join(canon, ", "))
				}
			}
			for col := range s.Values {
				if !contains(canon, col) {
					add(key+".values."+col, "unknown column for %s", k.Name)
				}
			}
		}
	}
}

// MaxContactLength bounds report_contact: it is one line on a cover sheet, not a letter.
const MaxContactLength = 200

// checkContact accepts an empty contact (none configured) or one line of text: it is
// published on every workbook's cover, so it must read as written (no control, bidi or
// zero-width characters that could hide or reorder it) and fit on one line.
func checkContact(s string) error {
	if s == "" {
		return nil
	}
	if strings.TrimSpace(s) == "" {
		return errors.New("is blank; leave it out when there is no contact")
	}
	if n := utf8.RuneCountInString(s); n > MaxContactLength {
		return fmt.Errorf("is %d characters; at most %d (one line on the workbook's cover)", n, MaxContactLength)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("holds the control or formatting character %U; write it on one plain line", r)
		}
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// checkPathReadable accepts a glob that matches nothing (tonight's file may not be there
// yet) but refuses a directory that does not exist or cannot be read.
func checkPathReadable(p string) error {
	if strings.ContainsAny(p, "*?[") {
		dir := filepath.Dir(p)
		for strings.ContainsAny(dir, "*?[") {
			dir = filepath.Dir(dir)
		}
		if _, err := os.ReadDir(dir); err != nil {
			return fmt.Errorf("cannot read directory %s", dir)
		}
		if _, err := filepath.Glob(p); err != nil {
			return fmt.Errorf("bad glob %q: %v", p, err)
		}
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if _, derr := os.ReadDir(filepath.Dir(p)); derr != nil {
				return fmt.Errorf("cannot read directory %s", filepath.Dir(p))
			}
			return nil // the file may arrive later; ingest reports it then
		}
		return fmt.Errorf("cannot read %s", p)
	}
	return f.Close()
}

// CronParser parses standard 5-field expressions and descriptors (@daily, @every 10m).
func CronParser() cron.Parser {
	return cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
}

// Resolve makes a config-relative path absolute.
func (c *Config) Resolve(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// CheckDSNPath refuses a database path that DuckDB's Go driver cannot open as given: it
// parses the path as a URL (settings follow a '?'), so '?' cuts the path short, '#' drops
// every setting after it, and '%' starts an escape.
func CheckDSNPath(p string) error {
	if strings.ContainsAny(p, "?#%") {
		return errors.New("a database path may not contain ?, # or % (the DuckDB driver reads the path as a URL)")
	}
	return nil
}

// ConfiguredDataEnd returns data_end when the config sets it.
func (c *Config) ConfiguredDataEnd() (time.Time, bool) {
	return c.dataEnd, !c.dataEnd.IsZero()
}

// SetDataEnd sets data_end as if configured (tests, and tools that replay nights).
func (c *Config) SetDataEnd(t time.Time) {
	y, m, d := t.Date()
	c.dataEnd = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	c.DataEnd = c.dataEnd.Format(dataEndLayout)
}

// Location returns the schedule's time zone (validated at load).
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Schedule.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// positionMap maps YAML paths like schedule.jobs[0].cron to their line.
type positionMap map[string]int

func (m positionMap) line(key string) int {
	for k := key; k != ""; {
		if l, ok := m[k]; ok {
			return l
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}

// indexPositions walks the YAML document and records the line of every key path.
func indexPositions(data []byte) positionMap {
	m := positionMap{}
	f, err := parser.ParseBytes(data, 0)
	if err != nil || len(f.Docs) == 0 {
		return m
	}
	walkNode(f.Docs[0].Body, "", m)
	return m
}
