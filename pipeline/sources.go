package pipeline

import (
	"context"
	"fmt"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/connectors"
)

// source is one configured source resolved for ingest.
type source struct {
	kind    string
	name    string
	pattern string
	format  string
	sheet   string // xlsx: the worksheet ("" = first)
	mode    string
	delim   byte
	mapping connectors.Mapping
	// settings fingerprints how the source's files are read (settingsFingerprint): files
	// loaded under other settings are read again.
	settings string
	// required: a kind every config has (referrals, attendances); a source of it that has
	// never matched a file fails the run.
	required bool
	// cfgKey locates the source in the config file, for messages.
	cfgKey string
}

func sourcesOf(cfg *config.Config) []source {
	var out []source
	var schemes []string
	for _, s := range cfg.Schemes {
		schemes = append(schemes, s.ID)
	}
	add := func(kind string, list config.SourceList) {
		for i, s := range list {
			m := connectors.Mapping{Columns: s.Columns, Values: s.Values, DefaultSchemeID: s.SchemeID, DateFormats: s.DateFormat}
			if kind == "referrals" {
				m.Schemes = schemes
			}
			key := "sources." + kind
			if len(list) > 1 {
				key = fmt.Sprintf("%s[%d]", key, i)
			}
			out = append(out, source{
				kind: kind, name: s.Name, pattern: cfg.Resolve(s.Path), format: s.Format, sheet: s.Sheet, mode: s.Mode,
				delim: s.Delimiter[0], mapping: m, settings: settingsFingerprint(kind, s, m),
				required: kind == "referrals" || kind == "attendances", cfgKey: key,
			})
		}
	}
	// Order matters: areas before people, referrals before the rows that belong to them,
	// the registered list before the GP events checked against it.
	add("deprivation", cfg.Sources.Deprivation)
	add("population", cfg.Sources.Population)
	add("referrals", cfg.Sources.Referrals)
	add("attendances", cfg.Sources.Attendances)
	add("outcomes", cfg.Sources.Outcomes)
	add("gp_patients", cfg.Sources.GPPatients)
	add("gp_events", cfg.Sources.GPEvents)
	return out
}

// isContract says whether a source kind is staged and checked against the contract.
func isContract(kind string) bool {
	switch kind {
	case "referrals", "attendances", "outcomes", "gp_patients", "gp_events":
		return true
	}
	return false
}

// noFiles handles a source whose path matches no file. One of a required kind that has
// never matched a file fails the run (a typo in the path would otherwise quarantine
// every attendance as an orphan and report on nothing); any other is a warning.
func (in *ingester) noFiles(ctx context.Context, src source) (FileResult, error) {
	fr := FileResult{Source: src.name, Kind: src.kind, Path: src.pattern}
	var before int64
	if err := in.tx.QueryRowContext(ctx, sqlFile("files/count_of_source"), src.name).Scan(&before); err != nil {
		return fr, fmt.Errorf("reading the files of %s: %w", src.name, err)
	}
	if src.required && before == 0 {
		err := fmt.Errorf("%s.path: %s matches no file, and no file of this source was ever loaded (is the path right?)", src.cfgKey, src.pattern)
		fr.Error = err.Error()
		return fr, err
	}
	if before == 0 {
		fr.Warning = "matches no file"
		in.log.Warn().Str("source", src.name).Str("path", src.pattern).Msg("an optional source matches no file")
	} else {
		fr.Warning = "no new file"
		in.log.Info().Str("source", src.name).Str("path", src.pattern).Msg("no files")
	}
	return fr, nil
}

// SourceNames lists the configured sources' names, as --reload takes them.
func SourceNames(cfg *config.Config) []string {
	var out []string
	for _, s := range sourcesOf(cfg) {
		out = append(out, s.name)
	}
	return out
}

// ReloadTarget says whether a --reload argument names a configured source or a file one
// of them matches (by path or base name).
func ReloadTarget(cfg *config.Config, target string) bool {
	for _, s := range sourcesOf(cfg) {
		if s.name == target {
			return true
		}
		files, err := connectors.Expand(s.pattern)
		if err != nil {
			continue
		}
		if namesAny(target, files) {
			return true
		}
	}
	return false
}

func namesAny(target string, files []string) bool {
	for _, f := range files {
		if namesFile([]string{target}, f) {
			return true
		}
	}
	return false
}
